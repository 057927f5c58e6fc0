import Foundation
import Testing
import XPCore
@testable import Pipeline

@Suite("Pipeline: content keys and output normalisation")
struct MarkerTests {
    @Test("FNV-1a 64 of 'a' and of '' are the published values")
    func fnv() {
        var k = ContentKey()
        #expect(k.hex == "cbf29ce484222325")
        k.add(bytes: Array("a".utf8))
        #expect(k.hex == "af63dc4c8601ec8c")
    }

    @Test("a folder's listing changes when a file's size or time changes, not when nothing does")
    func listing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xp-pipeline-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("abc".utf8).write(to: dir.appendingPathComponent("sub/b.txt"))
        try Data("x".utf8).write(to: dir.appendingPathComponent("a.txt"))
        let first = ContentKey.listing(of: dir)
        #expect(first.map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == ["a.txt 1", "sub/b.txt 3"])
        #expect(ContentKey.listing(of: dir) == first)
        try Data("abcd".utf8).write(to: dir.appendingPathComponent("sub/b.txt"))
        #expect(ContentKey.listing(of: dir) != first)
        #expect(ContentKey.listing(of: dir.appendingPathComponent("none")) == ["missing"])
    }

    @Test("paths of the staging and run folders become relative; volatile keys go at every depth")
    func normalize() throws {
        let text = #"{"out": "/r/.pipeline/staging/features/s__ep1/presence.json", "other": "/r/qa/s__ep1", "root": "/data/x"}"#
        #expect(OutputNormalizer.relocate(text, staging: "/r/.pipeline/staging/features/s__ep1", relative: "features/s__ep1", runFolder: "/r")
                == #"{"out": "features/s__ep1/presence.json", "other": "qa/s__ep1", "root": "/data/x"}"#)
        let json = try JSONParser.parse(#"{"a": 1, "seconds": 2.5, "b": [{"seconds": 1, "c": "seconds"}]}"#)
        #expect(OutputNormalizer.strip(json, keys: ["seconds"]).pythonJSON() == #"{"a": 1, "b": [{"c": "seconds"}]}"#)
    }
}
