import Foundation
import Testing
@testable import EpisodeIO

/// Each kind of bad input gives a typed error that names the file and the dataset or field.
@Suite("Bad input")
struct BadInputTests {
    @Test("a missing path")
    func missing() {
        #expect(throws: EpisodeError.fileNotFound(file: "/nonexistent/ep1")) { try Episode(path: "/nonexistent/ep1") }
    }

    @Test("a file that is not HDF5")
    func notHDF5() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.path("annotation.hdf5")
        // Text that is not HDF5 (a Git LFS pointer has its own error: OpenErrorTests).
        try "episode notes, not an annotation file\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: EpisodeError.notHDF5(file: path)) { try Episode(path: folder.url.path) }
        let error = EpisodeError.notHDF5(file: path)
        #expect(error.description.contains(path) && error.description.contains("not an HDF5 file"))
    }

    @Test("a truncated file", .sharedFixtures("real-sample-trim8/annotation.hdf5"))
    func truncated() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let source = try SharedFixtures.url("real-sample-trim8/annotation.hdf5")
        let data = try Data(contentsOf: source)
        let path = folder.path("annotation.hdf5")
        try data.prefix(data.count / 3).write(to: URL(fileURLWithPath: path))
        // Either the open fails, or reads of what was cut off fail; never a crash.
        do {
            let episode = try Episode(path: path)
            var failures = 0
            for read in [{ _ = try episode.depthFrames(0..<8) }, { _ = try episode.timeline() }, { _ = try episode.imu() }, { _ = try episode.calibration() }] as [() throws -> Void] {
                do { try read() } catch let error as EpisodeError {
                    failures += 1
                    #expect(error.description.contains(path))
                }
            }
            #expect(failures > 0)
            _ = episode.schemaReport()
        } catch let error as EpisodeError {
            switch error {
            case .unreadable(let file, _), .notHDF5(let file): #expect(file == path)
            default: Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test("a missing required group or dataset")
    func missingParts() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = try writeHDF5(folder) { w in
            try w.write("hand_mocap/left_joints_3d", [Float](repeating: 0.1, count: 4 * 63), shape: [4, 21, 3])
        }
        let episode = try Episode(path: path)
        #expect(throws: EpisodeError.missingGroup(file: path, group: "calibration")) { try episode.calibration() }
        #expect(throws: EpisodeError.missingDataset(file: path, dataset: "imu/device_timestamp_ns")) { try episode.imu() }
        #expect(throws: EpisodeError.missingDataset(file: path, dataset: "caption")) { try episode.captionDocument() }
        // The timeline falls back to frame_%06d.jpg names counted from the hands.
        let timeline = try episode.timeline()
        #expect(timeline.namesAreFallback && timeline.frameNames == ["frame_000000.jpg", "frame_000001.jpg", "frame_000002.jpg", "frame_000003.jpg"])
        let report = episode.schemaReport()
        #expect(report.presentCount == 1)
        #expect(report.entry("slam/quat_wxyz")?.status == .absent)
        #expect(!report.usable(.cameraPoses) && report.usable(.hands) && report.usable(.timeline))
        #expect(!report.isComplete)
    }

    @Test("a dataset of the wrong shape or dtype")
    func wrongShapeAndType() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = try writeHDF5(folder) { w in
            try w.write("hand_mocap/left_joints_3d", [Float](repeating: 0, count: 4 * 60), shape: [4, 20, 3])
            try w.write("full_body_mocap/keypoints", [Double](repeating: 0, count: 4 * 156), shape: [4, 52, 3])
            try w.writeFixedStrings("slam/frame_names", ["1.jpg", "2.jpg", "3.jpg", "4.jpg"], length: 18)
            try w.writeFixedStrings("video/device_timestamp", ["1", "2", "x3", "4"], length: 14)
        }
        let episode = try Episode(path: path)
        #expect(throws: EpisodeError.wrongShape(file: path, dataset: "hand_mocap/left_joints_3d", expected: "[N, 21, 3]", found: "[4, 20, 3]")) { try episode.hands() }
        #expect(throws: EpisodeError.wrongType(file: path, dataset: "full_body_mocap/keypoints", expected: "float32", found: "float64")) { try episode.body() }
        #expect(throws: EpisodeError.badValue(file: path, dataset: "video/device_timestamp", reason: "row 2 is 'x3', expected decimal nanoseconds")) { try episode.timeline() }
        let report = episode.schemaReport()
        #expect(report.entry("hand_mocap/left_joints_3d")?.status == .wrongShape)
        #expect(report.entry("full_body_mocap/keypoints")?.status == .wrongType)
    }

    func episode(caption: String, in folder: TemporaryFolder) throws -> Episode {
        let path = try writeHDF5(folder) { w in
            try w.writeFixedStrings("slam/frame_names", ["1000.jpg", "1001.jpg", "1002.jpg", "1003.jpg"], length: 18)
            try w.writeString("caption", caption)
        }
        return try Episode(path: path)
    }

    @Test("caption JSON that is malformed, not an object, or has fields of the wrong type")
    func badCaptions() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let file = folder.path("annotation.hdf5")
        let cases: [(String, String)] = [
            (#"{"segments": [}"#, "caption"),
            (#"[{"segments": []}]"#, "caption"),
            (captionJSON(segments: #"{"a": 1}"#), "segments"),
            (captionJSON(segments: #"[3]"#), "segments[0]"),
            (captionJSON(segments: #"[{"Sub Task": 7}]"#), "segments[0].Sub Task"),
            (captionJSON(segments: #"[{"Sub Task": "s", "Current Action": {"label": "x"}}]"#), "segments[0].Current Action"),
            (captionJSON(segments: #"[{"Current Action": [{"label": ["x"], "start_frame": 1000, "end_frame": 1001}]}]"#), "segments[0].Current Action[0].label"),
            (captionJSON(segments: #"[{"Current Action": [{"label": "x", "start_frame": [1], "end_frame": 1001}]}]"#), "segments[0].Current Action[0].start_frame"),
            (captionJSON(segments: #"[{"objects": {"1000": 5}}]"#), "segments[0].objects[1000]"),
            (captionJSON(segments: #"[{"interaction": ["x"]}]"#), "segments[0].interaction"),
        ]
        for (json, field) in cases {
            let sub = try TemporaryFolder()
            defer { sub.cleanup() }
            let episode = try episode(caption: json, in: sub)
            do {
                _ = try episode.captions()
                Issue.record("caption \(json) must be rejected")
            } catch {
                guard case .caption(let f, let name, _) = error else { Issue.record("unexpected \(error)"); continue }
                #expect(f == episode.annotationPath)
                #expect(name == field, "for \(json)")
            }
        }
        _ = file
    }

    @Test("frame references that resolve to nothing")
    func unresolved() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        // Names without digits (a no-SLAM-like timeline) and references that are not names.
        let path = try writeHDF5(folder) { w in
            try w.writeFixedStrings("slam/frame_names", ["a.jpg", "b.jpg"], length: 18)
            try w.writeString("caption", captionJSON(segments: #"[{"Sub Task": "s", "start_frame": "x", "end_frame": "y", "Current Action": [{"label": "l", "start_frame": "zz", "end_frame": "qq"}], "objects": {"nope": ["cup"]}}]"#))
        }
        let episode = try Episode(path: path)
        do {
            _ = try episode.captions()
            Issue.record("unresolvable references must throw")
        } catch {
            guard case .caption(let file, let field, let reason) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == path && field == "segments")
            #expect(reason.contains("zz"))
        }
        let table = try episode.captions(allowUnresolved: true)
        #expect(table.segmentBoundaries.isEmpty)
        #expect(table.labels(.action) == ["", ""])
        #expect(table.unresolvedReferences.count == 3)
        #expect(!episode.schemaReport().usable(.captions))
    }

    @Test("a caption stored as a relative path to a JSON file is followed")
    func captionPath() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        try captionJSON(segments: #"[{"Sub Task": "s", "start_frame": "1000", "end_frame": "1003", "Current Action": [{"label": "l", "start_frame": 1000, "end_frame": 1003}]}]"#)
            .write(toFile: folder.path("caption.json"), atomically: true, encoding: .utf8)
        let episode = try episode(caption: "caption.json", in: folder)
        let table = try episode.captions()
        #expect(table.mainTask == "Test task")
        #expect(table.labels(.action) == ["l", "l", "l", "l"])
    }
}
