import EpisodeIO
import Exporters
import Foundation
import Testing
import XPCore

/// The Cosmos camera-pose targets (spec exporters.md §3.2), checked against formulas written
/// here independently of the library's: rotation matrices instead of quaternion products.
@Suite("Cosmos camera-pose targets")
struct CosmosPoseTests {
    static func folder(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("xp-cosmos-pose-\(label)-\(UUID().uuidString.prefix(8))")
    }

    /// An annotation with only the three datasets the export reads.
    static func writeTrack(_ url: URL, trans: [Double], quats: [Double], frames: [Int64]) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let w = try HDF5Writer(path: url.path)
        try w.write("slam/trans_xyz", trans, shape: [trans.count / 3, 3])
        try w.write("slam/quat_wxyz", quats, shape: [quats.count / 4, 4])
        try w.write("video/frame_number", frames, shape: [frames.count])
        try w.finish()
    }

    static func row(_ id: String, episodePath: String?, start: Int, end: Int) -> JSONValue {
        var fields: [(String, JSONValue)] = [("id", .string(id)), ("episode_id", .string("s__ep1"))]
        if let episodePath { fields.append(("episode_path", .string(episodePath))) }
        fields += [("split", .string("train")),
                   ("center_window", .object([("start_frame", .int(start)), ("end_frame", .int(end)), ("num_frames", .int(end - start + 1))])),
                   ("media", .object([("video_paths", .array([])), ("context_start_frame", .int(0)), ("context_end_frame", .int(119)),
                                      ("max_video_frames", .int(16)), ("mosaic_video_path", .string("ctx.mp4")), ("audio_path", .null)]))]
        return .object(fields)
    }

    static func writeRows(_ rows: [JSONValue], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(rows.map { $0.pythonJSON(.unicode) + "\n" }.joined().utf8).write(to: url)
    }

    // MARK: Frames

    @Test("Chunk points: 0–19 → 0,2,5,7,10,12,14,17,19; halves round to even; end ≤ start becomes start + 8; r ≤ l becomes l + 1")
    func chunkPoints() {
        #expect(CameraPoseTrack.chunkPoints(start: 0, end: 19, chunkSize: 8) == [0, 2, 5, 7, 10, 12, 14, 17, 19])
        // linspace(0, 4, 9) = 0, .5, 1, 1.5, 2, 2.5, 3, 3.5, 4: halves go to the even neighbour.
        #expect(CameraPoseTrack.chunkPoints(start: 0, end: 4, chunkSize: 8) == [0, 0, 1, 2, 2, 2, 3, 4, 4])
        #expect(CameraPoseTrack.chunkPoints(start: 7, end: 7, chunkSize: 8) == Array(7...15))
        #expect(CameraPoseTrack.chunkPoints(start: 7, end: 3, chunkSize: 8) == Array(7...15))
        #expect(CameraPoseTrack.chunkPoints(start: 440, end: 459, chunkSize: 8) == [440, 442, 445, 447, 450, 452, 454, 457, 459])
        // linspace(0, 3, 9) rounds to 0,0,1,1,2,2,2,3,3.
        let pairs = CameraPoseTrack.framePairs(start: 0, end: 3, chunkSize: 8)
        #expect(pairs.map(\.left) == [0, 0, 1, 1, 2, 2, 2, 3])
        #expect(pairs.map(\.right) == [1, 1, 2, 2, 3, 3, 3, 4])
        #expect(CameraPoseTrack.framePairs(start: 0, end: 19, chunkSize: 8).count == 8)
        #expect(CameraPoseTrack.chunkPoints(start: 0, end: 10, chunkSize: 4) == [0, 2, 5, 8, 10])  // 2.5 → 2, 7.5 → 8
    }

    @Test("nearest_index is the first index whose frame number is ≥ f, 0 at or below the first, the last at or above the last")
    func nearestIndex() {
        let fn: [Int64] = [5, 6, 7, 9, 12]
        #expect(CameraPoseTrack.nearestIndex(fn, -3) == 0)
        #expect(CameraPoseTrack.nearestIndex(fn, 5) == 0)
        #expect(CameraPoseTrack.nearestIndex(fn, 6) == 1)
        #expect(CameraPoseTrack.nearestIndex(fn, 8) == 3)   // first ≥ 8 is 9
        #expect(CameraPoseTrack.nearestIndex(fn, 10) == 4)  // 9 is nearer, but 12 is the first ≥ 10
        #expect(CameraPoseTrack.nearestIndex(fn, 12) == 4)
        #expect(CameraPoseTrack.nearestIndex(fn, 1_000) == 4)
        #expect(CameraPoseTrack.nearestIndex([], 3) == nil)
        #expect(CameraPoseTrack.nearestIndex([4], 3) == 0 && CameraPoseTrack.nearestIndex([4], 9) == 0)
    }

    // MARK: Quaternions

    @Test("Quaternions are L2-normalised (a zero row stays zero) and made sign-continuous in order; a flipped sign changes no target")
    func signFlip() throws {
        let c = cos(0.05), s = sin(0.05)
        // Row 1 is row 0 rotated a little with its sign flipped and scaled by 2; row 2 is zero;
        // row 3 follows the zero row (dot 0: not flipped), row 4 is flipped against row 3.
        let stored: [Double] = [1, 0, 0, 0, -2 * c, -2 * s, 0, 0, 0, 0, 0, 0, -c, 0, -s, 0, c, 0, s, 0]
        let q = CameraPoseTrack.normalised(stored)
        let expected: [Double] = [1, 0, 0, 0, c, s, 0, 0, 0, 0, 0, 0, -c, 0, -s, 0, -c, 0, -s, 0]
        for (a, b) in zip(q, expected) { #expect(abs(a - b) < 1e-15, "\(q)") }
        let track = CameraPoseTrack(translation: Array(repeating: 0, count: 15), storedQuaternion: stored, frameNumbers: [0, 1, 2, 3, 4])
        #expect(track.badQuaternionRows == [2])
        // The same rotations with every stored sign positive give the same targets.
        let positive: [Double] = [1, 0, 0, 0, c, s, 0, 0, 0, 0, 0, 0, c, 0, s, 0, c, 0, s, 0]
        let other = CameraPoseTrack(translation: Array(repeating: 0, count: 15), storedQuaternion: positive, frameNumbers: [0, 1, 2, 3, 4])
        for (start, end) in [(0, 1), (3, 4), (0, 4)] {
            let a = try track.actions(start: start, end: end, chunkSize: 1)[0], b = try other.actions(start: start, end: end, chunkSize: 1)[0]
            #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-7 }, "\(start)-\(end): \(a) vs \(b)")
        }
        // Rotation 0 → 1 is 0.1 rad about x.
        let r = try track.actions(start: 0, end: 1, chunkSize: 1)[0]
        #expect(abs(Double(r[3]) - 0.1) < 1e-7 && r[4] == 0 && r[5] == 0)
    }

    // MARK: Against independent formulas

    /// R(q) for a unit (w, x, y, z), written out here.
    static func matrix(_ q: [Double]) -> [[Double]] {
        let n = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).squareRoot()
        let (w, x, y, z) = (q[0] / n, q[1] / n, q[2] / n, q[3] / n)
        return [[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]]
    }

    /// The rotation vector of R_r · R_lᵀ from its trace and skew part.
    static func rotationVector(left: [Double], right: [Double]) -> [Double] {
        let a = matrix(right), b = matrix(left)
        var d = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { d[i][j] += a[i][k] * b[j][k] } } }
        let v = [(d[2][1] - d[1][2]) / 2, (d[0][2] - d[2][0]) / 2, (d[1][0] - d[0][1]) / 2]
        let sinAngle = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).squareRoot()
        let angle = atan2(sinAngle, (d[0][0] + d[1][1] + d[2][2] - 1) / 2)
        return sinAngle < 1e-12 ? v : v.map { $0 / sinAngle * angle }
    }

    @Test("The 9-D rows of a synthetic episode's windows match Δt, the rotation vector of R_r·R_lᵀ and the displacement recomputed here")
    func syntheticEpisode() throws {
        let root = Self.folder("synthetic")
        defer { try? FileManager.default.removeItem(at: root) }
        let episode = try SyntheticEpisode.write(.tiny(seed: 21, frames: 300), to: root.appendingPathComponent("s/ep1"))
        // The arrays, read in the test through EpisodeIO.
        let file = try HDF5File(path: episode.annotationPath)
        let trans: [Double] = try file.read("slam/trans_xyz")
        let quats: [Double] = try file.read("slam/quat_wxyz")
        let frames: [Int64] = try file.read("video/frame_number")
        #expect(frames == (0..<300).map(Int64.init))
        let windows = [(0, 19), (40, 59), (280, 299), (290, 320), (100, 100)]
        let rows = windows.enumerated().map { Self.row("s__ep1:qa:\($0.offset)", episodePath: episode.folder.path, start: $0.element.0, end: $0.element.1) }
        let dataset = root.appendingPathComponent("export/dataset.jsonl")
        try Self.writeRows(rows, to: dataset)
        let summary = try CameraPoseTargets.run(dataset: dataset, out: root.appendingPathComponent("pose"), options: CameraPoseOptions(protocol: .reference))
        #expect(summary.rowsAugmented == windows.count && summary.annotationFilesRead == 1 && summary.issues.isEmpty)
        let out = try JSONOutput.readLines(summary.datasetURL).map { try JSONParser.parse($0) }
        #expect(out.count == windows.count)
        func t(_ i: Int) -> [Double] { Array(trans[(i * 3)..<(i * 3 + 3)]) }
        func q(_ i: Int) -> [Double] { Array(quats[(i * 4)..<(i * 4 + 4)]) }
        func index(_ f: Int) -> Int { min(max(f, 0), 299) }  // frame numbers are 0..<300
        var compared = 0
        for ((start, end), record) in zip(windows, out) {
            let target = try #require(record["cosmos_action_target"])
            let raw = try #require(target["raw_actions"]?.arrayValue).map { $0.arrayValue?.compactMap(\.numberValue) ?? [] }
            #expect(raw.count == 8 && raw.allSatisfy { $0.count == 9 })
            // Points by hand: linspace then round half to even.
            let stop = end <= start ? start + 8 : end
            let points = (0...8).map { k -> Int in k == 8 ? stop : Int((Double(start) + Double(k) * Double(stop - start) / 8).rounded(.toNearestOrEven)) }
            let origin = t(index(start))
            for k in 0..<8 {
                let l = points[k], r = points[k + 1] <= l ? l + 1 : points[k + 1]
                let li = index(l), ri = index(r)
                let rv = Self.rotationVector(left: q(li), right: q(ri))
                let expected = [t(ri)[0] - t(li)[0], t(ri)[1] - t(li)[1], t(ri)[2] - t(li)[2], rv[0], rv[1], rv[2],
                                t(ri)[0] - origin[0], t(ri)[1] - origin[1], t(ri)[2] - origin[2]]
                for (got, want) in zip(raw[k], expected) {
                    #expect(abs(got - want) <= 2e-7 + 1e-6 * abs(want), "window \(start)-\(end) row \(k): \(raw[k]) vs \(expected)")
                    compared += 1
                }
                // Each value is a float32 widened to a double.
                #expect(raw[k].allSatisfy { Double(Float($0)) == $0 })
            }
            #expect(target["source"]?["frame_range"] == .object([("start_frame", .int(start)), ("end_frame", .int(end))]))
            #expect(target["source"]?["annotation_hdf5"] == .string(episode.annotationPath))
        }
        #expect(compared == windows.count * 72)
        // The camera moves in this episode: some rotation and displacement is not zero.
        let all = out.flatMap { $0["cosmos_action_target"]?["raw_actions"]?.arrayValue ?? [] }.flatMap { $0.arrayValue ?? [] }.compactMap(\.numberValue)
        #expect(all.contains { abs($0) > 1e-3 })
    }

    @Test("The JSON holds float(np.float32(x)): 0.1 is written 0.10000000149011612; the target keys are the spec's, in order")
    func float32Repr() throws {
        let root = Self.folder("repr")
        defer { try? FileManager.default.removeItem(at: root) }
        let n = 12
        let trans: [Double] = (0..<n).flatMap { i -> [Double] in [Double(i) * 0.1, 0, -0.25 * Double(i)] }
        let quats: [Double] = (0..<n).flatMap { _ -> [Double] in [1, 0, 0, 0] }
        try Self.writeTrack(root.appendingPathComponent("s/ep1/annotation.hdf5"), trans: trans, quats: quats, frames: (0..<n).map { Int64($0) })
        let dataset = root.appendingPathComponent("in/dataset.jsonl")
        try Self.writeRows([Self.row("s__ep1:qa:0", episodePath: root.appendingPathComponent("s/ep1").path + "/", start: 0, end: 8)], to: dataset)
        let summary = try CameraPoseTargets.run(dataset: dataset, out: root.appendingPathComponent("out"), options: CameraPoseOptions(protocol: .reference))
        let line = try #require(try JSONOutput.readLines(summary.datasetURL).first)
        // 0 → 8 in 8 steps of one frame: Δt = (0.1, 0, −0.25), displacement k·Δt.
        #expect(line.contains(#""raw_actions": [[0.10000000149011612, 0.0, -0.25, 0.0, 0.0, 0.0, 0.10000000149011612, 0.0, -0.25], [0.10000000149011612, 0.0, -0.25, 0.0, 0.0, 0.0, 0.20000000298023224, 0.0, -0.5]"#), "\(line.prefix(400))")
        let record = try JSONParser.parse(line)
        #expect(record.objectValue?.map(\.0).last == "cosmos_action_target")
        let target = try #require(record["cosmos_action_target"])
        #expect(target.objectValue?.map(\.0) == ["mode", "domain_name", "chunk_size", "raw_action_dim", "raw_actions", "resolution_tier", "view_point", "source", "conditioning"])
        #expect(target["source"]?.objectValue?.map(\.0) == ["kind", "annotation_hdf5", "frame_range", "fields", "units"])
        #expect(target["source"]?["kind"] == .string("slam_camera_pose_delta_proxy_v1"))
        // pathlib drops the trailing slash.
        #expect(target["source"]?["annotation_hdf5"] == .string(root.appendingPathComponent("s/ep1/annotation.hdf5").path))
        #expect(target["conditioning"] == .object([("mosaic_video_path", .string("ctx.mp4")), ("video_paths", .array([])),
                                                   ("context_start_frame", .int(0)), ("context_end_frame", .int(119))]))
        let manifest = try JSONOutput.read(summary.manifestURL)
        #expect(manifest["status"] == .string("pass") && manifest["protocol"] == .string("reference"))
        #expect(manifest["counts"] == .object([("rows_seen", .int(1)), ("rows_augmented", .int(1))]))
        #expect(manifest["limitations"]?.arrayValue?.contains(.string("Fit any normalization on train episodes only before a full publishable Cosmos adapter run.")) == true)
    }

    @Test("Rows without episode_path, with a missing, unreadable or SLAM-less annotation are skipped with typed issues naming row and file; the rest are written")
    func skippedRows() throws {
        let root = Self.folder("skips")
        defer { try? FileManager.default.removeItem(at: root) }
        let n = 30
        let good = root.appendingPathComponent("s/ep1")
        try Self.writeTrack(good.appendingPathComponent("annotation.hdf5"), trans: (0..<(n * 3)).map { Double($0) * 0.01 },
                            quats: (0..<n).flatMap { _ -> [Double] in [1, 0, 0, 0] }, frames: (0..<n).map { Int64($0) })
        let garbage = root.appendingPathComponent("s/ep2")
        try FileManager.default.createDirectory(at: garbage, withIntermediateDirectories: true)
        try Data("not an HDF5 file".utf8).write(to: garbage.appendingPathComponent("annotation.hdf5"))
        let noSLAM = root.appendingPathComponent("s/ep3")
        try FileManager.default.createDirectory(at: noSLAM, withIntermediateDirectories: true)
        let w = try HDF5Writer(path: noSLAM.appendingPathComponent("annotation.hdf5").path)
        try w.write("video/frame_number", (0..<n).map { Int64($0) }, shape: [n])
        try w.finish()
        let rows = [
            Self.row("r0", episodePath: good.path, start: 0, end: 19),
            Self.row("r1", episodePath: nil, start: 0, end: 19),
            Self.row("r2", episodePath: root.appendingPathComponent("s/ep9").path, start: 0, end: 19),
            Self.row("r3", episodePath: garbage.path, start: 0, end: 19),
            Self.row("r4", episodePath: noSLAM.path, start: 0, end: 19),
            Self.row("r5", episodePath: garbage.path, start: 20, end: 29),
            Self.row("r6", episodePath: good.path, start: 10, end: 29),
        ]
        let dataset = root.appendingPathComponent("in/dataset.jsonl")
        try Self.writeRows(rows, to: dataset)
        let summary = try CameraPoseTargets.run(dataset: dataset, out: root.appendingPathComponent("out"), options: CameraPoseOptions(protocol: .reference))
        #expect(summary.passed && summary.rowsSeen == 7 && summary.rowsAugmented == 2)
        #expect(summary.annotationFilesRead == 1)
        let kinds = summary.issues.map { "\($0.rowIndex):\($0.kind.rawValue)" }
        #expect(kinds == ["1:missing_source_fields", "2:missing_annotation", "3:unreadable_annotation", "4:unreadable_annotation", "5:unreadable_annotation"])
        #expect(summary.issues[1].file == root.appendingPathComponent("s/ep9/annotation.hdf5").path)
        #expect(summary.issues[1].reason == "missing \(root.appendingPathComponent("s/ep9/annotation.hdf5").path)")
        #expect(summary.issues[3].reason.contains("slam/trans_xyz"), "\(summary.issues[3].reason)")
        let manifest = try JSONOutput.read(summary.manifestURL)
        #expect(manifest["counts"]?.objectValue?.map(\.0) == ["rows_seen", "rows_augmented", "rows_skipped_missing_source_fields",
                                                             "rows_skipped_missing_annotation", "rows_skipped_unreadable_annotation"])
        #expect(manifest["counts"]?["rows_skipped_unreadable_annotation"] == .int(3))
        let issue = try #require(manifest["issues"]?.arrayValue?.first)
        #expect(issue.objectValue?.map(\.0) == ["row_index", "id", "reason", "kind", "file", "skipped"])
        #expect(issue["id"] == .string("r1") && issue["reason"] == .string("missing episode_path or center_window"))
        let written = try JSONOutput.readLines(summary.datasetURL).map { try JSONParser.parse($0)["id"] }
        #expect(written == [.string("r0"), .string("r6")])

        // Nothing usable: status fail.
        try Self.writeRows([rows[1], rows[2]], to: dataset)
        let none = try CameraPoseTargets.run(dataset: dataset, out: root.appendingPathComponent("out2"), options: CameraPoseOptions(protocol: .reference))
        #expect(!none.passed)
        #expect(try JSONOutput.read(none.manifestURL)["status"] == .string("fail"))
    }

    @Test("Non-finite or zero SLAM rows: reference writes NaN with a warning; strict skips the window with an invalid_pose issue")
    func invalidPoses() throws {
        let root = Self.folder("invalid")
        defer { try? FileManager.default.removeItem(at: root) }
        let n = 40
        var trans = (0..<(n * 3)).map { Double($0) * 0.01 }
        trans[5 * 3 + 1] = .nan
        var quats: [Double] = (0..<n).flatMap { _ -> [Double] in [1, 0, 0, 0] }
        for a in 0..<4 { quats[30 * 4 + a] = 0 }
        let episode = root.appendingPathComponent("s/ep1")
        try Self.writeTrack(episode.appendingPathComponent("annotation.hdf5"), trans: trans, quats: quats, frames: (0..<n).map { Int64($0) })
        let rows = [Self.row("bad-t", episodePath: episode.path, start: 0, end: 19),      // reads row 5
                    Self.row("fine", episodePath: episode.path, start: 10, end: 19),      // rows 10–19
                    Self.row("bad-q", episodePath: episode.path, start: 22, end: 39)]     // reads row 30 (points 22..39)
        let dataset = root.appendingPathComponent("in/dataset.jsonl")
        try Self.writeRows(rows, to: dataset)

        let reference = try CameraPoseTargets.run(dataset: dataset, out: root.appendingPathComponent("ref"), options: CameraPoseOptions(protocol: .reference))
        #expect(reference.rowsAugmented == 3)
        #expect(reference.issues.map(\.kind) == [.invalidPoseWritten, .invalidPoseWritten] && reference.issues.allSatisfy { !$0.skipped })
        #expect(reference.issues[0].reason.contains("slam/trans_xyz is non-finite at rows [5]"), "\(reference.issues[0].reason)")
        #expect(reference.issues[1].reason.contains("slam/quat_wxyz is zero or non-finite at rows [30]"), "\(reference.issues[1].reason)")
        let text = try String(contentsOf: reference.datasetURL, encoding: .utf8)
        #expect(text.contains("NaN"))  // as Python's json.dumps writes it
        let manifest = try JSONOutput.read(reference.manifestURL)
        #expect(manifest["counts"] == .object([("rows_seen", .int(3)), ("rows_augmented", .int(3))]))

        // Strict: the bad windows are findings; the fine one has no camera to render, which is a finding too (not a silent fallback).
        let strict = try CameraPoseTargets.run(dataset: dataset, out: root.appendingPathComponent("strict"), options: CameraPoseOptions(protocol: .strict))
        #expect(strict.rowsAugmented == 0 && !strict.passed)
        #expect(strict.issues.map(\.kind) == [.invalidPose, .conditioningClip, .invalidPose])
        #expect(strict.issues[1].reason.contains("no camera opens"), "\(strict.issues[1].reason)")
        let strictManifest = try JSONOutput.read(strict.manifestURL)
        #expect(strictManifest["protocol"] == .string("strict") && strictManifest["status"] == .string("fail"))
        #expect(strictManifest["counts"]?["rows_skipped_invalid_pose"] == .int(2))
    }

    @Test("A strict row's conditioning is a 9-frame clip of the chunk's frames, decoded back at 960×480")
    func strictClip() throws {
        let root = Self.folder("clip")
        defer { try? FileManager.default.removeItem(at: root) }
        let episode = try SyntheticEpisode.write(.tiny(seed: 23, frames: 120), to: root.appendingPathComponent("s/ep1"), media: SyntheticMedia.writer)
        let dataset = root.appendingPathComponent("in/dataset.jsonl")
        try Self.writeRows([Self.row("s__ep1:qa:1", episodePath: episode.folder.path, start: 20, end: 39),
                            Self.row("s__ep1:qa:1-again", episodePath: episode.folder.path, start: 20, end: 39)], to: dataset)
        let summary = try CameraPoseTargets.run(dataset: dataset, out: root.appendingPathComponent("out"),
                                                options: CameraPoseOptions(protocol: .strict, mosaic: MosaicOptions(preset: "ultrafast")))
        #expect(summary.rowsAugmented == 2 && summary.clipsWritten == 1, "\(summary.issues)")
        let records = try JSONOutput.readLines(summary.datasetURL).map { try JSONParser.parse($0) }
        let conditioning = try #require(records[0]["cosmos_action_target"]?["conditioning"])
        #expect(conditioning["frame_indices"] == .array([20, 22, 25, 27, 30, 32, 34, 37, 39].map { .int($0) }))
        #expect(conditioning["context_start_frame"] == .int(20) && conditioning["context_end_frame"] == .int(39))
        #expect(conditioning["aligned_with_action_window"] == .bool(true))
        #expect(conditioning["record_context_mosaic_video_path"] == .string("ctx.mp4"))
        let path = try #require(conditioning["mosaic_video_path"]?.stringValue)
        #expect(records[1]["cosmos_action_target"]?["conditioning"]?["mosaic_video_path"] == .string(path))
        let decoder = try VideoDecoder(url: URL(fileURLWithPath: path))
        var frames = 0
        while let f = try decoder.nextFrame() { frames += 1; #expect(f.width == 960 && f.height == 480) }
        #expect(frames == 9)
        // The renderer's explicit frames: a repeated frame is written twice; a decreasing list is refused.
        let renderer = MosaicRenderer(episodeFolder: episode.folder, options: MosaicOptions(preset: "ultrafast"))
        let results = try renderer.render([MosaicRequest(contextStart: 0, contextEnd: 3, output: root.appendingPathComponent("r/a.mp4"), frames: [1, 1, 3]),
                                           MosaicRequest(contextStart: 0, contextEnd: 5, output: root.appendingPathComponent("r/b.mp4"), frames: [5, 3])])
        #expect(results[0].framesWritten == 3 && results[0].frameIndices == [1, 1, 3])
        #expect(results[1].output == nil && results[1].reason?.contains("not non-decreasing") == true)
    }
}
