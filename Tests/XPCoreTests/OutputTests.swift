import Foundation
import Testing
import XPCore

@Suite("Atomic output")
struct OutputTests {
    /// A fresh empty folder for one test.
    func scratch(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xpcore-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func entries(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    struct Simulated: Error {}

    @Test func fileWriteReplacesAndLeavesNoTemporary() throws {
        let dir = try scratch("file")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.json")
        try AtomicFile.write(Data("old".utf8), to: url)
        try AtomicFile.write(Data("new".utf8), to: url)
        #expect(try Data(contentsOf: url) == Data("new".utf8))
        #expect(entries(dir) == ["a.json"])
    }

    @Test func fileWriteIntoMissingFolderFailsNamingTheFile() throws {
        let dir = try scratch("missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("nope/a.json")
        do {
            try AtomicFile.write(Data("x".utf8), to: url)
            Issue.record("expected a failure")
        } catch {
            #expect(error.path == url.path)
        }
        #expect(entries(dir).isEmpty)
    }

    @Test func commitOfAFinishedTemporaryFile() throws {
        let dir = try scratch("commit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("b.bin")
        let temp = AtomicFile.temporarySibling(of: url)
        #expect(temp.deletingLastPathComponent().path == dir.path && temp.lastPathComponent.hasPrefix(".b.bin.partial-"))
        try Data([1, 2, 3]).write(to: temp)
        try AtomicFile.commit(temp, to: url)
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        #expect(entries(dir) == ["b.bin"])
    }

    @Test func folderIsCommittedWholeAndReplacesTheOldOne() throws {
        let dir = try scratch("folder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("features")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("stale".utf8).write(to: out.appendingPathComponent("stale.txt"))
        try AtomicFolder.write(to: out) { staging in
            // Nothing is visible at the destination while the folder is being written.
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("a.txt").path))
            try Data("a".utf8).write(to: staging.appendingPathComponent("a.txt"))
            try AtomicFile.write(Data("b".utf8), to: staging.appendingPathComponent("b.txt"))
        }
        #expect(entries(out) == ["a.txt", "b.txt"])
        #expect(try String(contentsOf: out.appendingPathComponent("b.txt"), encoding: .utf8) == "b")
        #expect(entries(dir) == ["features"])
    }

    @Test func failureMidwayLeavesNothingBehind() throws {
        let dir = try scratch("fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fresh = dir.appendingPathComponent("fresh")
        #expect(throws: Simulated.self) {
            try AtomicFolder.write(to: fresh) { staging in
                try Data("1".utf8).write(to: staging.appendingPathComponent("first.npy"))
                throw Simulated()
            }
        }
        #expect(entries(dir).isEmpty)

        // An existing destination survives a failed replacement untouched.
        let existing = dir.appendingPathComponent("existing")
        try AtomicFolder.write(to: existing) { try Data("v1".utf8).write(to: $0.appendingPathComponent("x.txt")) }
        #expect(throws: Simulated.self) {
            try AtomicFolder.write(to: existing) { staging in
                try Data("v2".utf8).write(to: staging.appendingPathComponent("x.txt"))
                throw Simulated()
            }
        }
        #expect(entries(dir) == ["existing"])
        #expect(try String(contentsOf: existing.appendingPathComponent("x.txt"), encoding: .utf8) == "v1")
    }

    @Test func folderParentsAreCreated() throws {
        let dir = try scratch("parents")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("a/b/c")
        try AtomicFolder.write(to: out) { try Data().write(to: $0.appendingPathComponent("empty")) }
        #expect(entries(out) == ["empty"])
        #expect(entries(dir.appendingPathComponent("a/b")) == ["c"])
    }
}
