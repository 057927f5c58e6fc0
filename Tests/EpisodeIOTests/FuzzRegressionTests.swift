import Foundation
import Testing
@testable import EpisodeIO

// Inputs found by the libFuzzer targets in Fuzz/ (Docs/fuzzing.md), each reduced to the
// smallest case that showed the bug. Every test here failed (crashed or hung) before its fix.

@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// hdf5-episode: a group holding a hard link to itself sent the schema report's walk
    /// into endless recursion (a stack overflow; with two such links it ran for hours before
    /// overflowing, hence the time limit). HDF5 allows such cycles.
    @Test("a hard-link cycle between groups is walked once", .timeLimit(.minutes(1)))
    func groupCycle() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = try writeHDF5(folder) { w in
            try w.write("slam/quat_wxyz", [Double](repeating: 0, count: 8), shape: [2, 4])
            try w.hardLink("slam", at: "slam/again")  // slam/again is slam itself
            try w.hardLink("/", at: "slam/root")      // and the root, from below
        }
        let file = try HDF5File(path: path)
        #expect(file.kind(of: "slam/again/again/quat_wxyz") == .dataset)  // the cycle is there
        #expect(file.allDatasets().map(\.path) == ["slam/quat_wxyz"])
        let report = try Episode(path: path).schemaReport()
        #expect(report.entry("slam/quat_wxyz")?.status == .present)
    }

    /// hdf5-episode: a global heap collection whose free-space object claims a size past the
    /// collection's end made libhdf5 1.10's heap reader walk off the buffer and crash (SEGV in
    /// H5C_protect under H5HG_read, or a hang in a debug build) when a variable-length string
    /// was read. The reader now walks the collection first and throws.
    @Test("a corrupt global heap is refused before libhdf5 reads it", .timeLimit(.minutes(1)))
    func corruptGlobalHeap() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = try writeHDF5(folder) { w in try w.writeString("caption", #"{"segments": []}"#) }
        #expect(try HDF5File(path: path).readString("caption") == #"{"segments": []}"#)

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let freeSpace = try #require(Self.freeSpaceSizeOffset(in: bytes), "the file has no global heap free space")
        // The size the fuzzer wrote: 2^64 - 63152, i.e. a "negative" length.
        withUnsafeBytes(of: (UInt64.max - 63151).littleEndian) { bytes.replaceSubrange(freeSpace..<(freeSpace + 8), with: $0) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let file = try HDF5File(path: path)
        #expect(throws: EpisodeError.self) { try file.readString("caption") }
        // The schema report reads calibration strings the same way: it must report, not crash.
        _ = try Episode(path: path).schemaReport()
    }

    /// The offset of the size field of the free-space object (index 0) in the first global
    /// heap collection ("GCOL", 8-byte lengths), found by walking its objects.
    static func freeSpaceSizeOffset(in bytes: [UInt8]) -> Int? {
        guard let start = (0..<(bytes.count - 4)).first(where: { bytes[$0..<($0 + 4)].elementsEqual("GCOL".utf8) }) else { return nil }
        func u64(_ at: Int) -> Int { (0..<8).reversed().reduce(0) { $0 << 8 | Int(bytes[at + $1]) } }
        let end = start + u64(start + 8)
        var p = start + 16
        while p + 16 <= end {
            let index = Int(bytes[p]) | Int(bytes[p + 1]) << 8
            if index == 0 { return p + 8 }
            p += 16 + (u64(p + 8) + 7) / 8 * 8
        }
        return nil
    }

    /// Frames named like the release: 20 fps device timestamps.
    static let names = (0..<40).map { "\(72_857_807_732_824 + Int64($0) * 50_000_000).jpg" }

    /// caption-resolver: under the release rules (which do not swap reversed action ranges) an
    /// action ending before it starts trapped on an invalid Swift range. Python's
    /// `range(si, ei + 1)` is empty there, so the action fills no frame.
    @Test("a reversed action range under the release rules fills nothing")
    func reversedReleaseRange() throws {
        let json = captionJSON(segments: #"[{"Sub Task": "brew", "start_frame": "72857807732824", "end_frame": "72859757732824", "Current Action": [{"label": "pour", "start_frame": "72858807732824", "end_frame": "72857957732824"}, {"label": "stir", "start_frame": "72857807732824", "end_frame": "72857807732824"}]}]"#)
        let document = try CaptionDocument(json: json, file: "test")
        let release = CaptionTable(document: document, frames: FrameReferenceIndex(names: Self.names), rules: .release)
        #expect(release.frames.count == 40)
        #expect(release.frames[0].actionLabel == "stir")
        // The reversed "pour" (20 → 3) fills no frame itself: frame 3 gets, from the segment span
        // fill, the last action that ended before it ("stir"); frame 10 the last before it, "pour".
        #expect(release.frames[3].actionLabel == "stir")
        #expect(release.frames[10].actionLabel == "pour")
        let current = CaptionTable(document: document, frames: FrameReferenceIndex(names: Self.names), rules: .current)
        #expect(current.frames[3].actionLabel == "pour") // the current rules swap the bounds
    }

    /// caption-resolver: a reference of more digits than Int64 holds, negative, read as
    /// Int64.min and then "minus one" for the 1-based rule: an arithmetic-overflow trap.
    /// Python clamps it to the first frame.
    @Test("a huge negative frame reference clamps to the first frame")
    func hugeNegativeReference() throws {
        let json = captionJSON(segments: #"[{"Sub Task": "a", "start_frame": "-99999999999999999999", "end_frame": 3, "Current Action": [{"label": "x", "start_frame": "-99999999999999999999.jpg", "end_frame": 2}]}]"#)
        let table = CaptionTable(document: try CaptionDocument(json: json, file: "test"),
                                 frames: FrameReferenceIndex(names: Self.names), rules: .current)
        #expect(table.segmentBoundaries.map(\.start) == [0])
        #expect(table.frames[0].actionLabel == "x")
        #expect(table.unresolvedReferences.isEmpty)
    }

    /// hdf5-episode (finding 7): a chunked dataset whose layout message gives a chunk
    /// dimension of 0 made libhdf5 1.10 divide by zero (SIGFPE) as soon as the dataset was
    /// opened, even only to ask whether the path is a dataset. Paths are now classified from the
    /// object header's info, and the layout is read by our own parser before any open.
    @Test("a zero chunk dimension is refused before libhdf5 opens the dataset", .timeLimit(.minutes(1)))
    func zeroChunkDimension() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = try writeHDF5(folder) { w in
            try w.write("hand_mocap/left_translation", (0..<24).map(Float.init), shape: [8, 3], storage: .chunkedGzip(chunks: [2, 3], level: 1))
        }
        #expect(try HDF5File(path: path).info("hand_mocap/left_translation").chunks == [2, 3])  // the control reads

        // The version-3 chunked layout message: version 3, class 2, rank + 1 = 3, the B-tree
        // address, then the chunk dimensions 2, 3 and the element size 4 (4 bytes each).
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let dims: [UInt8] = [2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]
        let at = (0..<(bytes.count - 23)).filter { k in
            bytes[k] == 3 && bytes[k + 1] == 2 && bytes[k + 2] == 3 && Array(bytes[(k + 11)..<(k + 23)]) == dims
        }
        try #require(at.count == 1, "the layout message was not found exactly once: \(at)")
        bytes[at[0] + 11] = 0
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let file = try HDF5File(path: path)
        #expect(file.kind(of: "hand_mocap/left_translation") == .dataset)
        #expect(file.unsafeChunkLayout("hand_mocap/left_translation")?.contains("[0, 3, 4]") == true)
        #expect(throws: EpisodeError.self) { try file.info("hand_mocap/left_translation") }
        let report = EpisodeQualityReport.check(path: path)
        #expect(report.findings.contains { $0.dataset == "hand_mocap/left_translation" && $0.severity == .error },
                "\(report.findings.map(\.description))")
    }


    /// hdf5-episode: a dataspace message mutated to claim 0x0360000000000000 elements made
    /// `HDF5File.read` ask for an array of that size, which kills the process. The dataspace is
    /// now bounded by what the file can hold before anything is allocated.
    @Test("a dataspace claiming more elements than the file can hold is refused", .timeLimit(.minutes(1)))
    func hugeDataspace() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = try writeHDF5(folder) { w in try w.write("calibration/cam0/K", [395.0, 394.7, 536.1, 673.6], shape: [4]) }
        #expect(try HDF5File(path: path).read("calibration/cam0/K", as: Double.self) == [395.0, 394.7, 536.1, 673.6])

        // The dataspace message of a rank-1 dataset of 4: version 1 (rank 1, then 6 bytes,
        // then the size as 8 bytes) or version 2 (rank 1, flags, type 1, then the size).
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let four: [UInt8] = [4, 0, 0, 0, 0, 0, 0, 0]
        let v1 = (0..<(bytes.count - 16)).filter { k in bytes[k] == 1 && bytes[k + 1] == 1 && Array(bytes[(k + 8)..<(k + 16)]) == four }
        let v2 = (0..<(bytes.count - 12)).filter { k in bytes[k] == 2 && bytes[k + 1] == 1 && bytes[k + 3] == 1 && Array(bytes[(k + 4)..<(k + 12)]) == four }
        let at = v1.map { $0 + 8 } + v2.map { $0 + 4 }
        try #require(!at.isEmpty, "no dataspace message of size 4 found")
        for k in at { bytes[k + 7] = 0x03; bytes[k + 6] = 0x60 }   // 0x0360_0000_0000_0004
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let file = try HDF5File(path: path)
        #expect(throws: EpisodeError.self) { try file.read("calibration/cam0/K", as: Double.self) }
        let report = EpisodeQualityReport.check(path: path)
        #expect(report.findings.contains { $0.dataset == "calibration/cam0/K" && $0.severity == .error },
                "\(report.findings.map(\.description))")
    }

}
