import Foundation
import Testing
@testable import EpisodeIO

/// Opening and reading broken episodes: each message names the right file or dataset and the
/// real cause (issue 12: an empty file called "not HDF5", an LFS pointer not recognised, a
/// folder called "probably truncated", depth rows blamed on the confidence, an infinite
/// translation called a bad quaternion, a missing left hand dropping the right one).
@Suite("Open errors name the right cause")
struct OpenErrorTests {
    @Test("a 0-byte annotation.hdf5 is called empty")
    func emptyFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.path("annotation.hdf5")
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(throws: EpisodeError.emptyFile(file: path)) { try Episode(path: folder.url.path) }
        let message = EpisodeError.emptyFile(file: path).description
        #expect(message.contains(path) && message.contains("is empty (0 bytes)"), "\(message)")
        #expect(!message.contains("not an HDF5 file"))
    }

    @Test("a Git LFS pointer is recognised and the message says to run git lfs pull")
    func lfsPointer() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.path("annotation.hdf5")
        let pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1930000000\n"
        try Data(pointer.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: EpisodeError.gitLFSPointer(file: path)) { try Episode(path: folder.url.path) }
        #expect(throws: EpisodeError.gitLFSPointer(file: path)) { try HDF5File(path: path) }
        let message = EpisodeError.gitLFSPointer(file: path).description
        #expect(message.contains(path) && message.contains("is a Git LFS pointer, not the file") && message.contains("git lfs pull"), "\(message)")
    }

    @Test("text that only starts like a pointer, and other non-HDF5 bytes, stay 'not an HDF5 file'")
    func otherTextIsNotHDF5() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        for (name, text) in [("short.hdf5", "version https://git-lfs"), ("notes.hdf5", "just some notes\n")] {
            let path = folder.path(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: EpisodeError.notHDF5(file: path)) { try HDF5File(path: path) }
        }
    }

    @Test("a folder where annotation.hdf5 should be is called a folder, not a truncated file")
    func folderAsFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.path("annotation.hdf5")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(throws: EpisodeError.notAFile(file: path)) { try Episode(path: folder.url.path) }
        #expect(throws: EpisodeError.notAFile(file: path)) { try HDF5File(path: path) }
        let message = EpisodeError.notAFile(file: path).description
        #expect(message.contains(path) && message.contains("it is a folder, not a file"), "\(message)")
        #expect(!message.contains("truncated"), "\(message)")
    }

    @Test("a missing --timeline file is named as a missing timeline file, not an episode folder")
    func missingTimeline() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let missing = folder.path("frame_names.txt")
        do {
            _ = try Episode.readTimeline(path: missing)
            Issue.record("a missing timeline file must throw")
        } catch {
            guard case .timeline(let file, let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == missing)
            #expect(reason.contains("does not exist"), "\(reason)")
            #expect(!error.description.contains("episode folder"), "\(error)")
        }
        #expect(throws: EpisodeError.timeline(file: folder.url.path, reason: "it is a folder, not a timeline file")) {
            try Episode.readTimeline(path: folder.url.path)
        }
    }

    static let frames = 40

    /// `slam/frame_names` for `frames` frames, the names the depth and pose checks count N by.
    static func writeFrameNames(_ w: HDF5Writer, frames: Int = frames) throws {
        try w.writeFixedStrings("slam/frame_names", (0..<frames).map { "\(1000 + $0).jpg" }, length: 18)
    }

    @Test("depth with N + 100 rows beside an intact confidence names depth/depth and N")
    func depthRows() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let n = Self.frames, side = 4
        let path = try writeHDF5(folder) { w in
            try Self.writeFrameNames(w)
            try w.write("depth/depth", [Float](repeating: 1.5, count: (n + 100) * side * side), shape: [n + 100, side, side])
            try w.write("depth/confidence", [UInt8](repeating: 200, count: n * side * side), shape: [n, side, side])
        }
        let episode = try Episode(path: path)
        let expected = EpisodeError.wrongShape(file: path, dataset: "depth/depth",
                                               expected: "first dimension N = \(n), the episode's frame count (depth/confidence has \(n) rows)",
                                               found: "[\(n + 100), \(side), \(side)]")
        #expect(throws: expected) { try episode.depthInfo(frames: try episode.frameCount()) }
        #expect(throws: expected) { try episode.depthReader(frames: n) }
        #expect(expected.description.contains("depth/depth") && expected.description.contains("N = \(n)"))

        // The other way round (a short confidence) still names depth/confidence.
        let sub = try TemporaryFolder()
        defer { sub.cleanup() }
        let other = try writeHDF5(sub) { w in
            try Self.writeFrameNames(w)
            try w.write("depth/depth", [Float](repeating: 1.5, count: n * side * side), shape: [n, side, side])
            try w.write("depth/confidence", [UInt8](repeating: 200, count: (n - 10) * side * side), shape: [n - 10, side, side])
        }
        do {
            _ = try Episode(path: other).depthInfo(frames: n)
            Issue.record("a short confidence must throw")
        } catch {
            guard case .wrongShape(_, let dataset, _, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(dataset == "depth/confidence")
        }
    }

    /// Identity `T_c0_b`, unit quaternions and finite translations, except where `edit` changes them.
    static func writePoses(_ w: HDF5Writer, frames n: Int = frames, edit: (inout [Double], inout [Double]) -> Void) throws {
        var q = [Double](repeating: 0, count: n * 4), t = [Double](repeating: 0, count: n * 3)
        for i in 0..<n {
            q[i * 4] = 1
            t[i * 3] = Double(i) * 0.01
        }
        edit(&q, &t)
        try writeFrameNames(w, frames: n)
        try w.write("slam/quat_wxyz", q, shape: [n, 4])
        try w.write("slam/trans_xyz", t, shape: [n, 3])
        var identity = [Double](repeating: 0, count: 16)
        for k in 0..<4 { identity[k * 5] = 1 }
        try w.write("calibration/cam01/T_c0_b", identity, shape: [4, 4])
    }

    @Test("an infinite translation is reported against slam/trans_xyz and its rows, not as a quaternion")
    func infiniteTranslation() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = try writeHDF5(folder) { w in
            try Self.writePoses(w) { _, t in
                t[5 * 3 + 1] = .infinity
                t[6 * 3] = -.infinity
                t[7 * 3 + 2] = .nan
            }
        }
        let poses = try Episode(path: path).cameraPoses()
        #expect(poses.valid.enumerated().filter { !$0.element }.map(\.offset) == [5, 6, 7])
        #expect(poses.nonFiniteTranslationRows == [5, 6, 7])
        #expect(poses.badQuaternionRows.isEmpty)
        let note = try #require(poses.invalidNote)
        #expect(note == "slam/trans_xyz is non-finite at rows 5–7 (3 rows)", "\(note)")
        #expect(!note.contains("quat"), "\(note)")
    }

    @Test("a zero quaternion and a non-finite translation are each named with their rows")
    func bothCauses() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = try writeHDF5(folder) { w in
            try Self.writePoses(w) { q, t in
                q[2 * 4] = 0
                t[9 * 3] = .nan
            }
        }
        let poses = try Episode(path: path).cameraPoses()
        #expect(poses.badQuaternionRows == [2] && poses.nonFiniteTranslationRows == [9])
        #expect(poses.invalidNote == "slam/quat_wxyz is zero or non-finite at row 2; slam/trans_xyz is non-finite at row 9")

        // Intact poses have no note.
        let sub = try TemporaryFolder()
        defer { sub.cleanup() }
        let intact = try writeHDF5(sub) { w in try Self.writePoses(w) { _, _ in } }
        let good = try Episode(path: intact).cameraPoses()
        #expect(good.valid.allSatisfy { $0 } && good.invalidNote == nil)
    }

    /// Joints of `frames` frames: hand `side` detected on even frames only.
    static func joints(_ side: Float, frames n: Int = frames) -> [Float] {
        (0..<(n * 63)).map { k in (k / 63) % 2 == 0 ? side + Float(k % 63) * 0.001 : 0 }
    }

    @Test("a missing left hand reads as zeros (undetected) and keeps the right hand as stored")
    func missingLeftHand() throws {
        let n = Self.frames
        let both = try TemporaryFolder(), rightOnly = try TemporaryFolder(), leftOnly = try TemporaryFolder(), none = try TemporaryFolder()
        defer { [both, rightOnly, leftOnly, none].forEach { $0.cleanup() } }
        let bothPath = try writeHDF5(both) { w in
            try Self.writeFrameNames(w)
            try w.write("hand_mocap/left_joints_3d", Self.joints(0.3), shape: [n, 21, 3])
            try w.write("hand_mocap/right_joints_3d", Self.joints(-0.2), shape: [n, 21, 3])
        }
        let rightPath = try writeHDF5(rightOnly) { w in
            try Self.writeFrameNames(w)
            try w.write("hand_mocap/right_joints_3d", Self.joints(-0.2), shape: [n, 21, 3])
        }
        let leftPath = try writeHDF5(leftOnly) { w in
            try Self.writeFrameNames(w)
            try w.write("hand_mocap/left_joints_3d", Self.joints(0.3), shape: [n, 21, 3])
        }
        let nonePath = try writeHDF5(none) { w in try Self.writeFrameNames(w) }

        let reference = try Episode(path: bothPath).hands()
        #expect(reference.leftStored && reference.rightStored)
        let hands = try Episode(path: rightPath).hands()
        #expect(!hands.leftStored && hands.rightStored)
        #expect(hands.count == n)
        #expect(hands.left == [Float](repeating: 0, count: n * 63))
        #expect(hands.leftPresent == [Bool](repeating: false, count: n))
        #expect(hands.right == reference.right)
        #expect(hands.rightPresent == reference.rightPresent)
        #expect(hands.rightPresent.filter { $0 }.count == n / 2)

        // The mirror case, as before: a missing right hand reads as zeros.
        let left = try Episode(path: leftPath).hands()
        #expect(left.leftStored && !left.rightStored)
        #expect(left.left == reference.left && left.leftPresent == reference.leftPresent)
        #expect(left.rightPresent == [Bool](repeating: false, count: n))

        // Neither hand: an error naming the dataset.
        #expect(throws: EpisodeError.missingDataset(file: nonePath, dataset: "hand_mocap/left_joints_3d")) { try Episode(path: nonePath).hands() }

        // The schema report calls the right-only episode usable, with a note.
        let state = try Episode(path: rightPath).schemaReport().modalities.first { $0.modality == .hands }
        #expect(state?.usable == true)
        #expect(state?.note == "left hand missing: read as zeros")
    }
}
