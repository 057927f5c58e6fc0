import EpisodeIO
import Foundation
import XPCore

/// The kinds of bad input of the matrix (issue 12, item 5): each makes a copy of
/// ``CorruptionBase`` broken in one way and says which finding, severity and exit codes it must
/// give.
public enum CorruptionKind: String, CaseIterable, Sendable, CustomStringConvertible {
    // Values
    case nanHandRows = "nan-hand-rows"
    case nanIMURows = "nan-imu-rows"
    case infGyroRows = "inf-gyro-rows"
    case zeroIMURows = "zero-imu-rows"
    case nanDepthRows = "nan-depth-rows"
    case negativeDepth = "negative-depth"
    case nanBodyKeypoints = "nan-body-keypoints"
    case infTranslation = "inf-slam-translation"
    case zeroQuaternions = "zero-quaternions"
    case imuKeyframePastEnd = "imu-keyframe-past-end"
    case nanCalibrationK = "nan-calibration-k"
    // Time
    case nonMonotonicFrameTimestamps = "non-monotonic-frame-timestamps"
    case duplicateFrameTimestamps = "duplicate-frame-timestamps"
    case nonMonotonicIMUTimestamps = "non-monotonic-imu-timestamps"
    case duplicateIMUTimestamps = "duplicate-imu-timestamps"
    case frameNamesDisagree = "frame-names-disagree"
    case deviceTimestampNotNumber = "device-timestamp-not-a-number"
    case zeroFrameNames = "zero-frame-names"
    // Shapes and types
    case depthExtraRows = "depth-extra-rows"
    case confidenceShortRows = "confidence-short-rows"
    case handsFloat64 = "hands-float64"
    case handsWrongShape = "hands-wrong-shape"
    case deletedLeftHand = "deleted-left-hand"
    // Captions
    case emptySegments = "caption-empty-segments"
    case missingSegmentsKey = "caption-missing-segments-key"
    case emptyActionLists = "caption-empty-action-lists"
    case captionInvalidUTF8 = "caption-invalid-utf8"
    case captionNotJSON = "caption-not-json"
    case captionEmpty = "caption-empty"
    case captionNotObject = "caption-not-object"
    case captionMissing = "caption-missing"
    case captionUnresolvedName = "caption-unresolved-name"
    case captionFramePastEnd = "caption-frame-past-end"
    case captionFarTimestamp = "caption-far-timestamp"
    case captionReversedRange = "caption-reversed-range"
    // Files and structure
    case zeroByteAnnotation = "zero-byte-annotation"
    case lfsPointer = "lfs-pointer"
    case truncatedAnnotation = "truncated-annotation"
    case corruptRootGroup = "corrupt-root-group"
    case corruptGroupTable = "corrupt-hand-group-table"
    // Media
    case videoWrongResolution = "video-wrong-resolution"
    case videoFewerFrames = "video-fewer-frames"
    case missingMP4 = "missing-mp4"
    case garbageMP4 = "garbage-mp4"
    case missingAudio = "missing-audio"
    case shortAudio = "short-audio"

    public var description: String { rawValue }

    /// Makes a fresh corrupted copy of the base.
    public func make() throws -> CorruptedEpisode {
        let base = try CorruptionBase.base()
        let folder = try CorruptionBase.copy(rawValue)
        return try Maker(kind: self, base: base, folder: folder).make()
    }
}

/// Builds one corrupted copy.
struct Maker {
    let kind: CorruptionKind
    let base: CorruptionBase.Base
    let folder: URL
    var annotation: String { folder.appendingPathComponent("annotation.hdf5").path }
    var n: Int { base.timestamps.count }
    var m: Int { base.imuRows }

    func dataset(_ path: String) throws -> StoredDataset { try HDF5Rewrite.read(base.annotation, dataset: path) }

    /// Rewrites the annotation with `edits`; the verification re-reads it and checks that every
    /// dataset not edited is unchanged and each edited one satisfies its predicate (nil = dropped).
    func rewrite(_ edits: [String: DatasetEdit],
                 check: @escaping @Sendable ([String: StoredDataset]) -> [String]) throws -> @Sendable () throws -> [String] {
        try HDF5Rewrite.rewrite(base.annotation, to: annotation, edits: edits)
        let basePath = base.annotation, path = annotation
        let edited = Set(edits.keys)
        return {
            let before = try HDF5Rewrite.readAll(basePath)
            let after = try HDF5Rewrite.readAll(path)
            var problems: [String] = []
            let afterByPath = Dictionary(after.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
            for d in before where !edited.contains(d.path) {
                guard let a = afterByPath[d.path] else { problems.append("\(d.path) disappeared"); continue }
                if a.shape != d.shape || !a.values.sameContent(as: d.values) { problems.append("\(d.path) changed although not edited") }
            }
            for path in edited {
                if let a = afterByPath[path], let d = before.first(where: { $0.path == path }),
                   a.shape == d.shape, a.values.sameContent(as: d.values) {
                    problems.append("\(path) is unchanged")
                }
            }
            if Set(after.map(\.path)).subtracting(before.map(\.path)).count > 0 { problems.append("datasets were added") }
            return problems + check(afterByPath)
        }
    }

    /// Rewrites the caption with `text`.
    func caption(_ text: String?) throws -> @Sendable () throws -> [String] {
        let edit: DatasetEdit = text.map { .replace(StoredDataset(path: "caption", values: .string($0), shape: [])) } ?? .drop
        return try rewrite(["caption": edit]) { after in
            guard let text else { return after["caption"] == nil ? [] : ["caption still present"] }
            return after["caption"]?.values == .string(text) ? [] : ["caption reads back as something else"]
        }
    }

    /// The caption JSON with `transform` applied to it.
    func captionJSON(_ transform: (JSONValue) -> JSONValue) throws -> @Sendable () throws -> [String] {
        try caption(transform(base.caption).pythonJSON())
    }

    func expect(_ check: QualityCheck, _ severity: QualitySeverity, _ dataset: String?, _ area: DataArea,
                rows: [Int]? = nil, rowsAffected: Int? = nil, totalRows: Int? = nil, mentions: [String] = [],
                file: String = "annotation.hdf5", alsoDatasets: [String] = []) -> ExpectedFinding {
        var modality: Modality? = nil
        if case .modality(let m) = area { modality = m }
        return ExpectedFinding(check, severity, file: file, datasets: dataset.map { [$0] + alsoDatasets } ?? (area == .file ? [] : nil),
                               modality: modality, rows: rows, rowsAffected: rowsAffected, totalRows: totalRows, mentions: mentions)
    }

    func make() throws -> CorruptedEpisode {
        var unusable: Set<EpisodeTool> = []
        var frames = FramesExpectation.count(n)
        let expected: ExpectedFinding
        let area: DataArea
        let verify: @Sendable () throws -> [String]
        let all = Set(EpisodeTool.allCases)
        // Without action labels xp-train has nothing to train (it exits 1 on a task that is not
        // applicable); xp-suite reports such a task as not applicable and succeeds.
        let labelled: Set<EpisodeTool> = [.train]

        switch kind {
        // MARK: Values
        case .nanHandRows:
            // Two frames whose left hand is detected in the base: masking them must lower the
            // detected share, so they must not be frames without a hand already.
            guard let r1 = base.leftHandFrames.first(where: { $0 >= 3 }), let r2 = base.leftHandFrames.first(where: { $0 >= r1 + 4 }) else {
                throw CorruptionError.base("fewer than two left-hand frames after frame 3: \(base.leftHandFrames)")
            }
            let path = "hand_mocap/left_joints_3d"
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: [r1, r2], to: .nan))]) { after in
                nonFiniteRows(after[path]) == [r1, r2] ? [] : ["non-finite rows of \(path): \(nonFiniteRows(after[path])), expected [\(r1), \(r2)]"]
            }
            area = .modality(.hands)
            expected = expect(.nonFiniteRows, .warning, path, area, rows: [r1, r2], totalRows: n)
        case .nanIMURows:
            let path = "imu/accel_xyz", rows = [10, m * 3 / 4]
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: rows, columns: [0], to: .nan))]) { after in
                nonFiniteRows(after[path]) == rows ? [] : ["non-finite rows of \(path): \(nonFiniteRows(after[path]))"]
            }
            area = .modality(.imu)
            expected = expect(.nonFiniteRows, .warning, path, area, rows: rows, totalRows: m)
        case .infGyroRows:
            let path = "imu/gyro_xyz", rows = [50, 51, 52]
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: rows, columns: [2], to: .infinity))]) { after in
                nonFiniteRows(after[path]) == rows ? [] : ["non-finite rows of \(path): \(nonFiniteRows(after[path]))"]
            }
            area = .modality(.imu)
            expected = expect(.nonFiniteRows, .warning, path, area, rows: rows, totalRows: m)
        case .zeroIMURows:
            // Zero acceleration is impossible under gravity; 60% of the rows is past any normal share.
            let path = "imu/accel_xyz", rows = Array(0..<(m * 6 + 9) / 10)
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: rows, to: 0))]) { after in
                zeroRows(after[path]) == rows ? [] : ["zero rows of \(path): \(zeroRows(after[path]).count), expected \(rows.count)"]
            }
            area = .modality(.imu)
            expected = expect(.zeroRows, .warning, path, area, rows: rows, totalRows: m)
        case .nanDepthRows:
            let path = "depth/depth", rows = [5, 9]
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: rows, columns: [100], to: .nan))]) { after in
                nonFiniteRows(after[path]) == rows ? [] : ["non-finite rows of \(path): \(nonFiniteRows(after[path]))"]
            }
            area = .modality(.depth)
            expected = expect(.nonFiniteRows, .warning, path, area, rows: rows, totalRows: n)
        case .negativeDepth:
            let path = "depth/depth", rows = [2, 6]
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: rows, columns: [200], to: -0.25))]) { after in
                negativeRows(after[path]) == rows ? [] : ["negative rows of \(path): \(negativeRows(after[path]))"]
            }
            area = .modality(.depth)
            expected = expect(.outOfRange, .warning, path, area, rows: rows, totalRows: n)
        case .nanBodyKeypoints:
            let path = "full_body_mocap/keypoints", rows = [6, 13]
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: rows, to: .nan))]) { after in
                nonFiniteRows(after[path]) == rows ? [] : ["non-finite rows of \(path): \(nonFiniteRows(after[path]))"]
            }
            area = .modality(.body)
            expected = expect(.nonFiniteRows, .warning, path, area, rows: rows, totalRows: n)
        case .infTranslation:
            let path = "slam/trans_xyz", rows = [20]
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: rows, columns: [0], to: .infinity))]) { after in
                nonFiniteRows(after[path]) == rows ? [] : ["non-finite rows of \(path): \(nonFiniteRows(after[path]))"]
            }
            area = .modality(.cameraPoses)
            expected = expect(.nonFiniteRows, .warning, path, area, rows: rows, totalRows: n)
        case .zeroQuaternions:
            let path = "slam/quat_wxyz", rows = [4, 9]
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: rows, to: 0))]) { after in
                zeroRows(after[path]) == rows ? [] : ["zero rows of \(path): \(zeroRows(after[path]))"]
            }
            area = .modality(.cameraPoses)
            expected = expect(.badQuaternion, .warning, path, area, rows: rows, totalRows: n)
        case .imuKeyframePastEnd:
            let path = "imu/keyframe_indices", rows = [n - 2, n - 1]
            var d = try dataset(path)
            guard case .int64(var v) = d.values else { throw CorruptionError.unsupported("\(path) is not int64") }
            v[n - 2] = Int64(m + 3)
            v[n - 1] = Int64(m + 7)
            d.values = .int64(v)
            let limit = m
            verify = try rewrite([path: .replace(d)]) { after in
                guard case .int64(let k)? = after[path]?.values else { return ["\(path) is not int64"] }
                let past = k.indices.filter { k[$0] >= Int64(limit) }
                return past == rows ? [] : ["rows of \(path) past M = \(limit): \(past)"]
            }
            area = .modality(.imu)
            expected = expect(.outOfRange, .warning, path, area, rows: rows, totalRows: n)
        case .nanCalibrationK:
            let path = "calibration/cam01/K"
            verify = try rewrite([path: .replace(try dataset(path).setting(rows: [0], to: .nan))]) { after in
                (after[path]?.values.doubles?.first?.isNaN ?? false) ? [] : ["\(path)[0] is not NaN"]
            }
            area = .modality(.calibration)
            expected = expect(.badCalibration, .warning, path, area)

        // MARK: Time
        case .nonMonotonicFrameTimestamps:
            // Rows 10 and 11 swapped in both clocks (they still agree): row 11 goes backwards.
            var ts = base.timestamps
            ts.swapAt(10, 11)
            verify = try rewriteTimeline(ts, names: ts.map { "\($0).jpg" })
            area = .modality(.timeline)
            expected = expect(.nonMonotonicTimestamps, .error, "video/device_timestamp", area, rows: [11], totalRows: n,
                              alsoDatasets: ["slam/frame_names"])
        case .duplicateFrameTimestamps:
            var ts = base.timestamps
            ts[12] = ts[11]
            verify = try rewriteTimeline(ts, names: ts.map { "\($0).jpg" })
            area = .modality(.timeline)
            expected = expect(.duplicateTimestamps, .warning, "video/device_timestamp", area, rowsAffected: 1, totalRows: n,
                              alsoDatasets: ["slam/frame_names"])
        case .nonMonotonicIMUTimestamps:
            let path = "imu/device_timestamp_ns"
            var d = try dataset(path)
            guard case .float64(var t) = d.values else { throw CorruptionError.unsupported("\(path) is not float64") }
            t.swapAt(100, 101)
            d.values = .float64(t)
            verify = try rewrite([path: .replace(d)]) { after in
                let back = backwardsRows(after[path])
                return back == [101] ? [] : ["backward rows of \(path): \(back)"]
            }
            area = .modality(.imu)
            expected = expect(.nonMonotonicTimestamps, .warning, path, area, rows: [101], totalRows: m)
        case .duplicateIMUTimestamps:
            let path = "imu/device_timestamp_ns"
            var d = try dataset(path)
            guard case .float64(var t) = d.values else { throw CorruptionError.unsupported("\(path) is not float64") }
            t[101] = t[100]
            d.values = .float64(t)
            verify = try rewrite([path: .replace(d)]) { after in
                guard case .float64(let v)? = after[path]?.values else { return ["\(path) is not float64"] }
                let repeats = (1..<v.count).filter { v[$0] == v[$0 - 1] }
                return repeats == [101] ? [] : ["repeated rows of \(path): \(repeats)"]
            }
            area = .modality(.imu)
            expected = expect(.duplicateTimestamps, .warning, path, area, rowsAffected: 1, totalRows: m)
        case .frameNamesDisagree:
            // Row 5's name is 1 µs off its device timestamp (still between its neighbours).
            var names = base.timestamps.map { "\($0).jpg" }
            names[5] = "\(base.timestamps[5] + 1000).jpg"
            verify = try rewriteTimeline(base.timestamps, names: names)
            area = .modality(.timeline)
            expected = expect(.timestampMismatch, .error, "slam/frame_names", area, rows: [5], totalRows: n,
                              alsoDatasets: ["video/device_timestamp"])
        case .deviceTimestampNotNumber:
            let path = "video/device_timestamp"
            var text = base.timestamps.map(String.init)
            text[4] = "not-a-number!!"
            verify = try rewrite([path: .replace(StoredDataset(path: path, values: .fixedStrings(text, length: 14), shape: [n]))]) { after in
                guard case .fixedStrings(let v, _)? = after[path]?.values else { return ["\(path) is not a fixed string array"] }
                let bad = v.indices.filter { Int64(v[$0]) == nil }
                return bad == [4] ? [] : ["rows of \(path) that are not numbers: \(bad)"]
            }
            area = .modality(.timeline)
            expected = expect(.timestampMismatch, .error, path, area, rows: [4], totalRows: n)
        case .zeroFrameNames:
            let path = "slam/frame_names"
            verify = try rewrite([path: .replace(StoredDataset(path: path, values: .fixedStrings([], length: 18), shape: [0]))]) { after in
                after[path]?.shape == [0] ? [] : ["\(path) has shape \(after[path]?.shape ?? [])"]
            }
            area = .modality(.timeline)
            expected = expect(.noFrames, .error, path, area)
            unusable = [.windows, .features, .suite, .train]
            frames = .any

        // MARK: Shapes and types
        case .depthExtraRows:
            let path = "depth/depth"
            verify = try rewrite([path: .replace(try dataset(path).appendingCopiesOfLastRow(100))]) { after in
                after[path]?.rows == 140 ? [] : ["\(path) has \(after[path]?.rows ?? 0) rows"]
            }
            area = .modality(.depth)
            expected = expect(.rowCountMismatch, .error, path, area, mentions: ["\(n + 100)", "\(n)"])
        case .confidenceShortRows:
            let path = "depth/confidence"
            verify = try rewrite([path: .replace(try dataset(path).rows(0..<(n - 1)))]) { after in
                after[path]?.rows == 39 ? [] : ["\(path) has \(after[path]?.rows ?? 0) rows"]
            }
            area = .modality(.confidence)
            expected = expect(.rowCountMismatch, .error, path, area, mentions: ["\(n - 1)", "\(n)"])
        case .handsFloat64:
            let path = "hand_mocap/left_joints_3d"
            verify = try rewrite([path: .replace(try dataset(path).asFloat64)]) { after in
                if case .float64? = after[path]?.values { return [] }
                return ["\(path) is not float64"]
            }
            area = .modality(.hands)
            expected = expect(.wrongType, .error, path, area, mentions: ["float64", "float32"])
        case .handsWrongShape:
            // [N, 20, 3]: the last joint of every frame left out.
            let path = "hand_mocap/left_joints_3d"
            let d = try dataset(path)
            guard case .float32(let v) = d.values else { throw CorruptionError.unsupported("\(path) is not float32") }
            let cut = (0..<n).flatMap { v[($0 * 63)..<($0 * 63 + 60)] }
            verify = try rewrite([path: .replace(StoredDataset(path: path, values: .float32(cut), shape: [n, 20, 3]))]) { after in
                after[path]?.shape == [n, 20, 3] ? [] : ["\(path) has shape \(after[path]?.shape ?? [])"]
            }
            area = .modality(.hands)
            expected = expect(.wrongShape, .error, path, area, mentions: ["20", "21"])
        case .deletedLeftHand:
            let paths = ["hand_mocap/left_joints_3d", "hand_mocap/left_translation", "hand_mocap/left_mano_hand_pose",
                         "hand_mocap/left_mano_hand_global_orient", "hand_mocap/left_mano_hand_betas"]
            verify = try rewrite(Dictionary(uniqueKeysWithValues: paths.map { ($0, DatasetEdit.drop) })) { after in
                paths.filter { after[$0] != nil }.map { "\($0) still present" }
            }
            area = .modality(.hands)
            expected = expect(.missingDataset, .warning, "hand_mocap/left_joints_3d", area)

        // MARK: Captions
        case .emptySegments:
            verify = try captionJSON { $0.setting("segments", to: .array([])) }
            area = .modality(.captions)
            expected = expect(.captionNoSegments, .warning, "caption", area)
            unusable = labelled
        case .missingSegmentsKey:
            verify = try captionJSON { $0.removing("segments") }
            area = .modality(.captions)
            expected = expect(.captionNoSegments, .warning, "caption", area)
            unusable = labelled
        case .emptyActionLists:
            verify = try captionJSON { caption in
                caption.setting("segments", to: .array((caption["segments"]?.arrayValue ?? []).map { $0.setting("Current Action", to: .array([])) }))
            }
            area = .modality(.captions)
            expected = expect(.captionEmptyActions, .warning, "caption", area)
            unusable = labelled
        case .captionInvalidUTF8:
            verify = try invalidUTF8Caption()
            area = .modality(.captions)
            expected = expect(.captionInvalidUTF8, .error, "caption", area)
        case .captionNotJSON:
            verify = try caption("Making pour-over coffee: this caption is not JSON {")
            area = .modality(.captions)
            expected = expect(.captionUnparseable, .error, "caption", area)
            unusable = labelled
        case .captionEmpty:
            verify = try caption("")
            area = .modality(.captions)
            expected = expect(.captionUnparseable, .error, "caption", area)
            unusable = labelled
        case .captionNotObject:
            verify = try caption("[1, 2, 3]")
            area = .modality(.captions)
            expected = expect(.captionUnparseable, .error, "caption", area)
            unusable = labelled
        case .captionMissing:
            // Absent, not wrong: a warning (the release has such episodes).
            verify = try caption(nil)
            area = .modality(.captions)
            expected = expect(.captionUnparseable, .warning, "caption", area)
            unusable = labelled
        case .captionUnresolvedName:
            verify = try captionJSON { $0.editingFirstAction { $0.setting("start_frame", to: .string("kettle-on-the-table")) } }
            area = .modality(.captions)
            expected = expect(.captionUnresolvedReferences, .warning, "caption", area)
        case .captionFramePastEnd:
            // frame_%07d is 1-based; the release's last segment ends at N + 1, which is normal.
            verify = try captionJSON { $0.editingFirstAction { $0.setting("end_frame", to: .string(String(format: "frame_%07d", 500))) } }
            area = .modality(.captions)
            expected = expect(.captionUnresolvedReferences, .warning, "caption", area)
        case .captionFarTimestamp:
            // An action ending an hour after the last frame: the nearest frame is the last one,
            // 3,600 s away (the end, so that the range is not also reversed).
            let far = (base.timestamps.last ?? 0) + 3_600_000_000_000
            verify = try captionJSON { $0.editingFirstAction { $0.setting("end_frame", to: .int(far)) } }
            area = .modality(.captions)
            expected = expect(.captionFarReferences, .warning, "caption", area)
        case .captionReversedRange:
            verify = try captionJSON { caption in
                caption.editingFirstAction { action in
                    guard let s = action["start_frame"], let e = action["end_frame"] else { return action }
                    return action.setting("start_frame", to: e).setting("end_frame", to: s)
                }
            }
            area = .modality(.captions)
            expected = expect(.captionReversedRange, .warning, "caption", area)

        // MARK: Files and structure
        case .zeroByteAnnotation:
            try Data().write(to: URL(fileURLWithPath: annotation))
            let path = annotation
            verify = { (try Data(contentsOf: URL(fileURLWithPath: path))).isEmpty ? [] : ["not empty"] }
            area = .file
            expected = expect(.unreadableFile, .error, nil, area)
            unusable = all
            frames = .null
        case .lfsPointer:
            let text = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 1932735283\n"
            try Data(text.utf8).write(to: URL(fileURLWithPath: annotation))
            let path = annotation
            verify = { String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) == text ? [] : ["not the pointer"] }
            area = .file
            expected = expect(.unreadableFile, .error, nil, area, mentions: ["LFS"])
            unusable = all
            frames = .null
        case .truncatedAnnotation:
            let data = try Data(contentsOf: URL(fileURLWithPath: base.annotation))
            try data.prefix(data.count * 6 / 10).write(to: URL(fileURLWithPath: annotation))
            let path = annotation, full = data.count
            verify = {
                var problems: [String] = []
                let size = (try Data(contentsOf: URL(fileURLWithPath: path))).count
                if size != full * 6 / 10 { problems.append("size \(size), expected \(full * 6 / 10)") }
                if (try? HDF5File(path: path)) != nil { problems.append("the truncated file still opens") }
                return problems
            }
            area = .file
            expected = expect(.unreadableFile, .error, nil, area)
            unusable = all
            frames = .null
        case .corruptRootGroup:
            verify = try corruptLocalHeap(holding: "hand_mocap", group: "")
            area = .file
            expected = ExpectedFinding(.corruptStructure, .error, datasets: nil)
            unusable = all
            frames = .null
        case .corruptGroupTable:
            verify = try corruptLocalHeap(holding: "left_joints_3d", group: "hand_mocap")
            area = .modality(.hands)
            expected = expect(.corruptStructure, .error, "hand_mocap", area)

        // MARK: Media
        case .videoWrongResolution:
            // fisheye_cam2 at 48×64 while the other fisheye streams are 64×80.
            let url = folder.appendingPathComponent("fisheye_cam2.mp4")
            try MediaRewrite.write(url, width: 48, height: 64, timestamps: base.timestamps, frames: n + 1, audio: nil)
            verify = { try MediaRewrite.probeProblems(url) { $0.video?.width == 48 && $0.video?.height == 64 } }
            area = .video
            expected = expect(.videoResolution, .warning, nil, area, mentions: ["48"], file: "fisheye_cam2.mp4")
        case .videoFewerFrames:
            let url = folder.appendingPathComponent("stereo_left.mp4")
            let size = base.config.stereoSize
            try MediaRewrite.write(url, width: size.width, height: size.height, timestamps: base.timestamps, frames: n / 2, audio: nil)
            let count = n / 2
            verify = { try MediaRewrite.probeProblems(url) { $0.video?.frameCount == count } }
            area = .video
            expected = expect(.videoFrameCount, .error, nil, area, mentions: ["\(n / 2)"], file: "stereo_left.mp4")
        case .missingMP4:
            let url = folder.appendingPathComponent("fisheye_cam1.mp4")
            try FileManager.default.removeItem(at: url)
            verify = { FileManager.default.fileExists(atPath: url.path) ? ["still present"] : [] }
            area = .video
            expected = expect(.mediaMissing, .warning, nil, area, file: "fisheye_cam1.mp4")
        case .garbageMP4:
            let url = folder.appendingPathComponent("stereo_right.mp4")
            try Data(MediaRewrite.garbage(count: 8192)).write(to: url)
            verify = { (try? MediaInfo.probe(url)) == nil ? [] : ["the garbage still probes as media"] }
            area = .video
            expected = expect(.mediaUnreadable, .warning, nil, area, file: "stereo_right.mp4")
        case .missingAudio:
            let url = folder.appendingPathComponent("fisheye_cam0.mp4")
            let size = base.config.fisheyeSize
            try MediaRewrite.write(url, width: size.width, height: size.height, timestamps: base.timestamps, frames: n + 1, audio: nil)
            verify = { try MediaRewrite.probeProblems(url) { !$0.hasAudio && $0.video?.frameCount == n + 1 } }
            area = .audio
            expected = expect(.audioMissing, .warning, nil, area, file: "fisheye_cam0.mp4")
        case .shortAudio:
            // Audio for the first 30% of the episode only.
            let url = folder.appendingPathComponent("fisheye_cam0.mp4")
            let size = base.config.fisheyeSize
            let duration = Double((base.timestamps.last ?? 0) - (base.timestamps.first ?? 0)) / 1e9 + 0.05
            try MediaRewrite.write(url, width: size.width, height: size.height, timestamps: base.timestamps, frames: n + 1,
                                   audio: (base.config.audioSampleRate, duration * 0.3))
            verify = { try MediaRewrite.probeProblems(url) { ($0.audio?.durationSeconds ?? 99) < duration * 0.5 } }
            area = .audio
            expected = expect(.audioLength, .warning, nil, area, file: "fisheye_cam0.mp4")
        }
        return CorruptedEpisode(kind: kind, folder: folder, expected: expected, area: area, unusableFor: unusable, frames: frames, verify: verify)
    }

    /// Writes `video/device_timestamp` and `slam/frame_names` as given.
    func rewriteTimeline(_ ts: [Int64], names: [String]) throws -> @Sendable () throws -> [String] {
        let text = ts.map(String.init)
        let edits: [String: DatasetEdit] = [
            "video/device_timestamp": .replace(StoredDataset(path: "video/device_timestamp", values: .fixedStrings(text, length: 14), shape: [ts.count])),
            "slam/frame_names": .replace(StoredDataset(path: "slam/frame_names", values: .fixedStrings(names, length: 18), shape: [names.count])),
        ]
        let unchanged = text == base.timestamps.map(String.init)
        return try rewrite(unchanged ? ["slam/frame_names": edits["slam/frame_names"]!] : edits) { after in
            var problems: [String] = []
            if after["video/device_timestamp"]?.values != .fixedStrings(text, length: 14) { problems.append("device timestamps read back differently") }
            if after["slam/frame_names"]?.values != .fixedStrings(names, length: 18) { problems.append("frame names read back differently") }
            return problems
        }
    }

    /// The caption with one `Main Task` byte pair made invalid UTF-8 (0xFF 0xFE), patched in the
    /// file's bytes: Swift strings cannot hold invalid UTF-8, so it is written as a marker first.
    func invalidUTF8Caption() throws -> @Sendable () throws -> [String] {
        let marker = "XQBADUTF8MARKERXQ"
        let patched = base.caption.setting("config", to: (base.caption["config"] ?? .object([])).setting("Main Task", to: .string(marker)))
        try HDF5Rewrite.rewrite(base.annotation, to: annotation, edits: ["caption": .replace(StoredDataset(path: "caption", values: .string(patched.pythonJSON()), shape: []))])
        let url = URL(fileURLWithPath: annotation)
        var bytes = [UInt8](try Data(contentsOf: url))
        let needle = Array(marker.utf8)
        let hits = ByteSearch.all(needle, in: bytes)
        guard hits.count == 1, let at = hits.first else { throw CorruptionError.notFound("the caption marker occurs \(hits.count) times in \(annotation)") }
        bytes[at] = 0xFF
        bytes[at + 1] = 0xFE
        try Data(bytes).write(to: url)
        let path = annotation
        return {
            var problems: [String] = []
            let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            if ByteSearch.all([0xFF, 0xFE] + Array(marker.utf8.dropFirst(2)), in: data).count != 1 { problems.append("the invalid bytes are not in the file") }
            let text = try HDF5File(path: path).readString("caption")
            if !text.contains("\u{FFFD}") { problems.append("the caption reads back without a replacement character") }
            return problems
        }
    }

    /// Overwrites the signature of the local heap (the link-name table) of `group` ("" for the
    /// root), found as the `HEAP` block whose data segment holds the child name `child`: the
    /// file still opens, but the group's members can neither be listed nor looked up.
    func corruptLocalHeap(holding child: String, group: String) throws -> @Sendable () throws -> [String] {
        let url = URL(fileURLWithPath: annotation)
        var bytes = [UInt8](try Data(contentsOf: url))
        let name = Array(child.utf8) + [0]
        var target: Int?
        for at in ByteSearch.all(Array("HEAP".utf8), in: bytes) {
            // HEAP, version, 3 reserved, data segment size (8), free list offset (8), data address (8).
            guard at + 32 <= bytes.count, bytes[at + 4] == 0 else { continue }
            let size = Int(ByteSearch.uint64(bytes, at + 8)), address = Int(ByteSearch.uint64(bytes, at + 24))
            guard address >= 0, size > 0, address + size <= bytes.count else { continue }
            let segment = Array(bytes[address..<(address + size)])
            // A name starts the segment or follows a NUL.
            if ByteSearch.all(name, in: segment).contains(where: { $0 == 0 || segment[$0 - 1] == 0 }) {
                guard target == nil else { throw CorruptionError.notFound("two local heaps hold '\(child)'") }
                target = at
            }
        }
        guard let target else { throw CorruptionError.notFound("no local heap holds '\(child)' in \(annotation)") }
        bytes.replaceSubrange(target..<(target + 4), with: Array("XXXX".utf8))
        try Data(bytes).write(to: url)
        let path = annotation, basePath = base.annotation
        return {
            var problems: [String] = []
            // The reader may throw or (the bug this kind is about) return fewer members.
            let members = try HDF5File(path: basePath).children(of: group)
            let file = try HDF5File(path: path)
            let listed = (try? file.children(of: group)) ?? []
            if listed.count >= members.count { problems.append("group '\(group)' still lists its \(members.count) members") }
            if group.isEmpty {
                if file.kind(of: "slam/frame_names") == .dataset { problems.append("slam/frame_names still opens by path") }
            } else {
                if file.kind(of: group + "/" + child) == .dataset { problems.append("\(group)/\(child) still opens by path") }
                if (try? file.children(of: ""))?.count != 9 { problems.append("the root no longer lists its 9 members") }
                if (try? file.info("imu/accel_xyz")) == nil { problems.append("imu/accel_xyz no longer opens") }
            }
            return problems
        }
    }
}

// MARK: - Helpers

func nonFiniteRows(_ d: StoredDataset?) -> [Int] { rowsWhere(d) { $0.contains { !$0.isFinite } } }
func zeroRows(_ d: StoredDataset?) -> [Int] { rowsWhere(d) { $0.allSatisfy { $0 == 0 } } }
func negativeRows(_ d: StoredDataset?) -> [Int] { rowsWhere(d) { $0.contains { $0 < 0 } } }
func backwardsRows(_ d: StoredDataset?) -> [Int] {
    guard let v = d?.values.doubles, v.count > 1 else { return [] }
    return (1..<v.count).filter { v[$0] < v[$0 - 1] }
}

func rowsWhere(_ d: StoredDataset?, _ predicate: (ArraySlice<Double>) -> Bool) -> [Int] {
    guard let d, let v = d.values.doubles else { return [] }
    let r = d.rowSize
    return (0..<d.rows).filter { predicate(v[($0 * r)..<($0 * r + r)]) }
}

enum ByteSearch {
    /// Every offset where `needle` starts in `haystack`.
    static func all(_ needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        guard let first = needle.first, needle.count <= haystack.count else { return [] }
        var out: [Int] = []
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { out.append(i) }
            i += 1
        }
        return out
    }

    static func uint64(_ bytes: [UInt8], _ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[at + $1]) << (8 * UInt64($1)) }
    }
}

extension JSONValue {
    /// The object with `key` set to `value` (replaced in place, or appended).
    func setting(_ key: String, to value: JSONValue) -> JSONValue {
        guard case .object(var pairs) = self else { return self }
        if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        return .object(pairs)
    }

    func removing(_ key: String) -> JSONValue {
        guard case .object(let pairs) = self else { return self }
        return .object(pairs.filter { $0.0 != key })
    }

    /// The caption with one action passed through `edit`: the first whose start and end
    /// references differ (or else the first action).
    func editingFirstAction(_ edit: (JSONValue) -> JSONValue) -> JSONValue {
        var segments = self["segments"]?.arrayValue ?? []
        func text(_ v: JSONValue?) -> String { v.map { $0.stringValue ?? $0.pythonJSON() } ?? "" }
        var candidates: [(segment: Int, action: Int, distinct: Bool)] = []
        for (s, segment) in segments.enumerated() {
            for (a, action) in (segment["Current Action"]?.arrayValue ?? []).enumerated() {
                candidates.append((s, a, text(action["start_frame"]) != text(action["end_frame"])))
            }
        }
        guard let target = candidates.first(where: \.distinct) ?? candidates.first,
              var actions = segments[target.segment]["Current Action"]?.arrayValue else { return self }
        actions[target.action] = edit(actions[target.action])
        segments[target.segment] = segments[target.segment].setting("Current Action", to: .array(actions))
        return setting("segments", to: .array(segments))
    }
}
