import Foundation
import XPCore

/// One Xperience-10M episode: `annotation.hdf5` and, beside it, the six MP4 streams.
///
/// Opening is cheap: nothing is read until a modality is asked for, and depth is read a frame
/// range at a time. Every accessor validates dtype and shape against the release schema and
/// throws an ``EpisodeError`` naming the file and dataset when they do not match.
///
/// ```swift
/// let episode = try Episode(path: "xperience-10m-sample")
/// let timeline = try episode.timeline()
/// let captions = try episode.captions()
/// print(timeline.frameCount, captions.mainTask)
/// ```
public final class Episode: @unchecked Sendable {
    /// The episode folder (where the MP4s are looked for).
    public let directory: URL
    /// The `annotation.hdf5` path.
    public let annotationPath: String
    /// The open HDF5 file.
    public let file: HDF5File
    /// Where reads and media decodes are recorded (see ``EpisodeAccessLog``).
    public let accessLog: EpisodeAccessLog?

    /// Opens an episode folder, or an `annotation.hdf5` path directly. With `accessLog`, every
    /// dataset read and media decode of this episode is counted there.
    public init(path: String, accessLog: EpisodeAccessLog? = nil) throws(EpisodeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(file: path)
        }
        if isDirectory.boolValue {
            directory = URL(fileURLWithPath: path, isDirectory: true)
            annotationPath = directory.appendingPathComponent("annotation.hdf5").path
        } else {
            annotationPath = path
            directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        }
        file = try HDF5File(path: annotationPath)
        file.accessLog = accessLog
        self.accessLog = accessLog
        accessLog?.record("open " + URL(fileURLWithPath: annotationPath).lastPathComponent)
    }

    // MARK: Media streams

    /// The MP4 of `stream` (e.g. `fisheye_cam0`) beside the annotation.
    public func mediaURL(_ stream: String) -> URL {
        directory.appendingPathComponent(stream + ".mp4")
    }

    /// A video decoder for `stream`, recorded as `decode video <stream>.mp4`.
    public func videoDecoder(_ stream: String, options: VideoDecodeOptions) throws(MediaError) -> VideoDecoder {
        accessLog?.record("decode video \(stream).mp4")
        return try VideoDecoder(url: mediaURL(stream), options: options)
    }

    /// The audio track of `stream` decoded, recorded as `decode audio <stream>.mp4`.
    public func decodeAudioTrack(_ stream: String, options: AudioDecodeOptions) throws(MediaError) -> DecodedAudio {
        accessLog?.record("decode audio \(stream).mp4")
        return try decodeAudio(url: mediaURL(stream), options: options)
    }

    /// The container facts of `stream` (no frames decoded), recorded as `probe <stream>.mp4`.
    public func probeMedia(_ stream: String) throws(MediaError) -> MediaInfo {
        accessLog?.record("probe \(stream).mp4")
        return try MediaInfo.probe(mediaURL(stream))
    }

    // MARK: Validation helpers

    /// Checks that `dataset` exists with a numeric type and the given trailing dimensions
    /// (`nil` = any) and returns its shape.
    func requireNumeric(_ dataset: String, trailing: [Int?], type: HDF5DataType? = nil, allowLeadingOne: Bool = false) throws(EpisodeError) -> [Int] {
        let info = try file.info(dataset)
        guard info.type.isNumeric else {
            throw .wrongType(file: annotationPath, dataset: dataset, expected: type?.description ?? "a numeric type", found: info.type.description)
        }
        if let type, type != info.type {
            throw .wrongType(file: annotationPath, dataset: dataset, expected: type.description, found: info.type.description)
        }
        var shape = info.shape
        if allowLeadingOne, shape.count == trailing.count + 2, shape.first == 1 { shape.removeFirst() }
        let expected = "[N" + trailing.map { ", " + ($0.map(String.init) ?? "?") }.joined() + "]"
        guard shape.count == trailing.count + 1,
              zip(shape.dropFirst(), trailing).allSatisfy({ $1 == nil || $0 == $1 }) else {
            throw .wrongShape(file: annotationPath, dataset: dataset, expected: expected, found: info.shapeDescription)
        }
        return shape
    }

    func requireRows(_ dataset: String, shape: [Int], frames: Int) throws(EpisodeError) {
        guard shape.first == frames else {
            throw .wrongShape(file: annotationPath, dataset: dataset, expected: "first dimension N = \(frames)", found: HDF5DatasetInfo.describe(shape: shape))
        }
    }

    // MARK: Timeline

    /// Frame names: `slam/frame_names`, or `frame_%06d.jpg` for N taken from the first of
    /// the left hand, the right hand, depth, body keypoints (the toolkit's fallback when SLAM is absent).
    public func timeline() throws(EpisodeError) -> Timeline {
        var names: [String]
        var fallback = false
        if file.kind(of: "slam/frame_names") == .dataset {
            let info = try file.info("slam/frame_names")
            guard info.shape.count == 1 else {
                throw .wrongShape(file: annotationPath, dataset: "slam/frame_names", expected: "[N]", found: info.shapeDescription)
            }
            names = try file.readStrings("slam/frame_names")
        } else {
            var count: Int?
            for candidate in ["hand_mocap/left_joints_3d", "hand_mocap/right_joints_3d", "depth/depth", "full_body_mocap/keypoints"] where file.kind(of: candidate) == .dataset {
                var shape = try file.info(candidate).shape
                if candidate.hasSuffix("keypoints"), shape.count == 4, shape.first == 1 { shape.removeFirst() }
                count = shape.first
                break
            }
            guard let count else { throw .missingDataset(file: annotationPath, dataset: "slam/frame_names") }
            names = (0..<count).map { String(format: "frame_%06d.jpg", $0) }
            fallback = true
        }
        var timestamps: [Int64]? = nil
        if file.kind(of: "video/device_timestamp") == .dataset {
            let raw = try file.readStrings("video/device_timestamp")
            var parsed: [Int64] = []
            parsed.reserveCapacity(raw.count)
            for (i, text) in raw.enumerated() {
                guard let value = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                    throw .badValue(file: annotationPath, dataset: "video/device_timestamp", reason: "row \(i) is '\(text)', expected decimal nanoseconds")
                }
                parsed.append(value)
            }
            timestamps = parsed
        }
        return Timeline(frameNames: names, deviceTimestamps: timestamps, namesAreFallback: fallback)
    }

    /// N, the number of annotation frames.
    public func frameCount() throws(EpisodeError) -> Int { try timeline().frameCount }

    // MARK: Poses

    /// Camera-to-world poses: the SLAM pair is world→body, composed with
    /// `calibration/cam01/T_c0_b` into world→camera and inverted (spec §2.4). Quaternions are
    /// normalised first, as scipy's `Rotation.from_quat` does.
    ///
    /// Pass the episode's already-read `calibration` to take `T_c0_b` from it instead of
    /// reading the dataset again (the one-pass timeline does).
    public func cameraPoses(calibration: Calibration? = nil) throws(EpisodeError) -> CameraPoses {
        let qShape = try requireNumeric("slam/quat_wxyz", trailing: [4])
        let tShape = try requireNumeric("slam/trans_xyz", trailing: [3])
        try requireRows("slam/trans_xyz", shape: tShape, frames: qShape[0])
        let q: [Double] = try file.read("slam/quat_wxyz")
        let t: [Double] = try file.read("slam/trans_xyz")
        let cb: [Double]
        if let stored = calibration?.array("cam01", "T_c0_b"), stored.count == 16 { cb = stored } else { cb = try bodyToCamera() }
        let n = qShape[0]
        var rotation = [Double](repeating: 0, count: n * 9)
        var translation = [Double](repeating: 0, count: n * 3)
        var valid = [Bool](repeating: true, count: n)
        var badQuaternionRows: [Int] = [], nonFiniteTranslationRows: [Int] = []
        for i in 0..<n {
            var (w, x, y, z) = (q[i * 4], q[i * 4 + 1], q[i * 4 + 2], q[i * 4 + 3])
            let norm = (w * w + x * x + y * y + z * z).squareRoot()
            let tw = [t[i * 3], t[i * 3 + 1], t[i * 3 + 2]]
            let badQuaternion = !(norm > 1e-12) || !norm.isFinite
            let badTranslation = !tw.allSatisfy(\.isFinite)
            if badQuaternion { badQuaternionRows.append(i) }
            if badTranslation { nonFiniteTranslationRows.append(i) }
            if badQuaternion || badTranslation {
                valid[i] = false
                (w, x, y, z) = (1, 0, 0, 0)
            } else {
                (w, x, y, z) = (w / norm, x / norm, y / norm, z / norm)
            }
            let rwb = [
                1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
            ]
            let twb = valid[i] ? tw : [0, 0, 0]
            // T_w2c = T_c0_b · T_w2b
            var rwc = [Double](repeating: 0, count: 9)
            var twc = [Double](repeating: 0, count: 3)
            for r in 0..<3 {
                for c in 0..<3 {
                    var s = 0.0
                    for k in 0..<3 { s += cb[r * 4 + k] * rwb[k * 3 + c] }
                    rwc[r * 3 + c] = s
                }
                var s = cb[r * 4 + 3]
                for k in 0..<3 { s += cb[r * 4 + k] * twb[k] }
                twc[r] = s
            }
            // R_c2w = R_w2cᵀ, t_c2w = −R_c2w t_w2c
            for r in 0..<3 {
                var s = 0.0
                for c in 0..<3 {
                    rotation[i * 9 + r * 3 + c] = rwc[c * 3 + r]
                    s += rwc[c * 3 + r] * twc[c]
                }
                translation[i * 3 + r] = -s
            }
        }
        return CameraPoses(rotation: rotation, translation: translation, valid: valid,
                           badQuaternionRows: badQuaternionRows, nonFiniteTranslationRows: nonFiniteTranslationRows)
    }

    /// `calibration/cam01/T_c0_b`, row-major 4×4.
    func bodyToCamera() throws(EpisodeError) -> [Double] {
        let dataset = "calibration/cam01/T_c0_b"
        let info = try file.info(dataset)
        guard info.shape == [4, 4] else {
            throw .wrongShape(file: annotationPath, dataset: dataset, expected: "[4, 4]", found: info.shapeDescription)
        }
        return try file.read(dataset)
    }

    // MARK: Mocap

    /// Both hands, each read on its own: a missing `left_joints_3d` or `right_joints_3d` reads
    /// as zeros (never detected; ``Hands/leftStored`` and ``Hands/rightStored`` say which) and
    /// leaves the other hand as stored. Throws when neither is stored.
    public func hands() throws(EpisodeError) -> Hands {
        let leftName = "hand_mocap/left_joints_3d", rightName = "hand_mocap/right_joints_3d"
        let leftStored = file.kind(of: leftName) == .dataset
        let rightStored = file.kind(of: rightName) == .dataset
        // N comes from the left hand when it is stored (the right must then agree), else from the right.
        let shape = try requireNumeric(leftStored || !rightStored ? leftName : rightName, trailing: [21, 3], type: .float32)
        var left = [Float](repeating: 0, count: shape[0] * 63)
        if leftStored { left = try file.read(leftName) }
        var right = [Float](repeating: 0, count: left.count)
        if rightStored {
            if leftStored {
                let rightShape = try requireNumeric(rightName, trailing: [21, 3], type: .float32)
                try requireRows(rightName, shape: rightShape, frames: shape[0])
            }
            right = try file.read(rightName)
        }
        // Detected: some coordinate away from zero. A frame holding NaN or Inf is invalid, not a
        // detection (the quality pass reports it as `non_finite_rows`).
        func present(_ joints: [Float]) -> [Bool] {
            (0..<shape[0]).map { i in
                let frame = joints[(i * 63)..<(i * 63 + 63)]
                return frame.allSatisfy(\.isFinite) && frame.contains { abs($0) > 1e-8 }
            }
        }
        return Hands(left: left, right: right, leftPresent: present(left), rightPresent: present(right), leftStored: leftStored, rightStored: rightStored)
    }

    /// Body keypoints and contacts. A leading dimension of 1 (`[1, N, 52, 3]`) is squeezed, as
    /// the toolkit does.
    public func body() throws(EpisodeError) -> Body {
        let shape = try requireNumeric("full_body_mocap/keypoints", trailing: [52, 3], type: .float32, allowLeadingOne: true)
        let keypoints: [Float] = try file.read("full_body_mocap/keypoints")
        let n = shape[0]
        var contacts: [Float]? = nil
        if file.kind(of: "full_body_mocap/contacts") == .dataset {
            let cShape = try requireNumeric("full_body_mocap/contacts", trailing: [21], type: .float32, allowLeadingOne: true)
            try requireRows("full_body_mocap/contacts", shape: cShape, frames: n)
            contacts = try file.read("full_body_mocap/contacts")
        }
        let valid = (0..<n).map { i -> Bool in
            let frame = keypoints[(i * 156)..<(i * 156 + 156)]
            return frame.allSatisfy(\.isFinite) && frame.contains { $0 != 0 }
        }
        return Body(keypoints: keypoints, contacts: contacts, valid: valid)
    }

    // MARK: IMU

    /// The IMU stream; all of timestamps, accel and gyro are required, keyframe indices optional.
    public func imu() throws(EpisodeError) -> IMUData {
        let tsInfo = try file.info("imu/device_timestamp_ns")
        guard tsInfo.type.isNumeric, tsInfo.shape.count == 1 else {
            throw .wrongShape(file: annotationPath, dataset: "imu/device_timestamp_ns", expected: "[M] numeric", found: "\(tsInfo.type) \(tsInfo.shapeDescription)")
        }
        let m = tsInfo.shape[0]
        for name in ["imu/accel_xyz", "imu/gyro_xyz"] {
            let shape = try requireNumeric(name, trailing: [3])
            try requireRows(name, shape: shape, frames: m)
        }
        var keyframes: [Int64]? = nil
        if file.kind(of: "imu/keyframe_indices") == .dataset {
            let info = try file.info("imu/keyframe_indices")
            guard info.type.isNumeric else {
                throw .wrongType(file: annotationPath, dataset: "imu/keyframe_indices", expected: "int64", found: info.type.description)
            }
            keyframes = try file.read("imu/keyframe_indices") // flattened, as the toolkit
        }
        return IMUData(timestamps: try file.read("imu/device_timestamp_ns"),
                       accel: try file.read("imu/accel_xyz"),
                       gyro: try file.read("imu/gyro_xyz"),
                       keyframeIndices: keyframes)
    }

    // MARK: Depth

    /// Depth size and episode-level range; reads no frames.
    ///
    /// `depth/confidence`, when stored, must have the shape of `depth/depth`. Given `frames`
    /// (the episode's N), a disagreement is blamed on the dataset whose row count is not N:
    /// a depth array with extra rows beside an intact confidence names `depth/depth`.
    public func depthInfo(frames: Int? = nil) throws(EpisodeError) -> DepthInfo {
        let info = try file.info("depth/depth")
        guard info.type == .float32 else {
            throw .wrongType(file: annotationPath, dataset: "depth/depth", expected: "float32", found: info.type.description)
        }
        guard info.shape.count == 3 else {
            throw .wrongShape(file: annotationPath, dataset: "depth/depth", expected: "[N, H, W]", found: info.shapeDescription)
        }
        var hasConfidence = false
        if file.kind(of: "depth/confidence") == .dataset {
            let c = try file.info("depth/confidence")
            guard c.type.isNumeric else {
                throw .wrongType(file: annotationPath, dataset: "depth/confidence", expected: "uint8", found: c.type.description)
            }
            guard c.shape == info.shape else {
                if let frames, info.shape.first != frames, c.shape.first == frames, Array(c.shape.dropFirst()) == Array(info.shape.dropFirst()) {
                    throw .wrongShape(file: annotationPath, dataset: "depth/depth",
                                      expected: "first dimension N = \(frames), the episode's frame count (depth/confidence has \(frames) rows)",
                                      found: info.shapeDescription)
                }
                throw .wrongShape(file: annotationPath, dataset: "depth/confidence", expected: info.shapeDescription + " (as depth/depth)", found: c.shapeDescription)
            }
            hasConfidence = true
        }
        func scalar(_ name: String) -> Double? {
            file.kind(of: name) == .dataset ? try? file.readScalar(name) : nil
        }
        return DepthInfo(frames: info.shape[0], height: info.shape[1], width: info.shape[2], hasConfidence: hasConfidence,
                         scale: scalar("depth/scale"), depthMin: scalar("depth/depth_min"), depthMax: scalar("depth/depth_max"))
    }

    /// Reads depth (and confidence, when stored) for a range of frames only.
    public func depthFrames(_ range: Range<Int>, info: DepthInfo? = nil) throws(EpisodeError) -> DepthFrames {
        let resolved: DepthInfo
        if let info { resolved = info } else { resolved = try depthInfo() }
        let info = resolved
        let depth: [Float] = try file.readRows("depth/depth", rows: range)
        let confidence: [UInt8]? = info.hasConfidence ? try file.readRows("depth/confidence", rows: range) : nil
        return DepthFrames(range: range, height: info.height, width: info.width, depth: depth, confidence: confidence)
    }

    // MARK: Calibration, metadata, ground, point cloud

    /// The whole `calibration/` group (mandatory, as in the toolkit).
    public func calibration() throws(EpisodeError) -> Calibration {
        guard file.kind(of: "calibration") == .group else { throw .missingGroup(file: annotationPath, group: "calibration") }
        var cameras: [(camera: String, values: [(key: String, value: CalibrationValue)])] = []
        for camera in try file.children(of: "calibration").sorted(by: Calibration.pythonOrder) {
            let group = "calibration/" + camera
            guard file.kind(of: group) == .group else { continue }
            var values: [(key: String, value: CalibrationValue)] = []
            for key in try file.children(of: group).sorted(by: Calibration.pythonOrder) {
                let path = group + "/" + key
                guard file.kind(of: path) == .dataset else { continue } // nested groups are skipped
                let info = try file.info(path)
                switch info.type {
                case .variableString, .fixedString:
                    let text = try file.readStrings(path).first ?? ""
                    values.append((key, .string(text.replacingOccurrences(of: "\0", with: ""))))
                case let t where t.isNumeric:
                    let v: [Double] = try file.read(path)
                    values.append((key, info.shape.isEmpty ? .number(v.first ?? 0) : .array(v, shape: info.shape)))
                default:
                    throw .wrongType(file: annotationPath, dataset: path, expected: "numeric or string", found: info.type.description)
                }
            }
            cameras.append((camera, values))
        }
        return Calibration(cameras: cameras)
    }

    /// The `metadata/` scalars; absent ones are nil.
    public func metadata() throws(EpisodeError) -> EpisodeMetadata {
        func text(_ key: String) throws(EpisodeError) -> String? {
            file.kind(of: "metadata/" + key) == .dataset ? try file.readString("metadata/" + key) : nil
        }
        let report = try text("health_report")
        return EpisodeMetadata(
            bodyHeight: file.kind(of: "metadata/body_height") == .dataset ? try file.readScalar("metadata/body_height") : nil,
            deviceID: try text("device_id"), deviceVersion: try text("device_version"),
            timeCreated: try text("time_created"), other: try text("other"),
            healthReportText: report, healthReport: report.flatMap { try? JSONParser.parse($0) })
    }

    /// The floor height: top-level `ground_height`, `floor_z`, −`body_height`, then the same
    /// under `metadata/`, then −1.75 (spec §2.9).
    public func groundHeight() -> Double {
        for prefix in ["", "metadata/"] {
            if let v = try? file.readScalar(prefix + "ground_height") { return v }
            if let v = try? file.readScalar(prefix + "floor_z") { return v }
            if let v = try? file.readScalar(prefix + "body_height") { return -v }
        }
        return -1.75
    }

    /// The SLAM point cloud, raw and filtered to the 95th-percentile distance from the median.
    public func pointCloud() throws(EpisodeError) -> PointCloud {
        let info = try file.info("slam/point_cloud")
        guard info.type.isNumeric, info.shape.count == 2, info.shape[1] == 3 else {
            throw .wrongShape(file: annotationPath, dataset: "slam/point_cloud", expected: "[P, 3] numeric", found: "\(info.type) \(info.shapeDescription)")
        }
        let raw: [Double] = try file.read("slam/point_cloud")
        return PointCloud(raw: raw, filtered: Self.filterPointCloud(raw))
    }

    /// Keeps points whose distance from the per-axis median is at most the 95th percentile
    /// (linear interpolation) of those distances.
    public static func filterPointCloud(_ raw: [Double]) -> [Double] {
        let count = raw.count / 3
        guard count > 0 else { return [] }
        let median = (0..<3).map { axis in Statistics.median((0..<count).map { raw[$0 * 3 + axis] }) }
        let distances = (0..<count).map { i -> Double in
            let dx = raw[i * 3] - median[0], dy = raw[i * 3 + 1] - median[1], dz = raw[i * 3 + 2] - median[2]
            return (dx * dx + dy * dy + dz * dz).squareRoot()
        }
        let threshold = Statistics.percentile(distances, 95)
        var out: [Double] = []
        for i in 0..<count where distances[i] <= threshold { out.append(contentsOf: raw[(i * 3)..<(i * 3 + 3)]) }
        return out
    }

    // MARK: Captions

    /// The caption payload: `caption`, else `captions`; a payload that is not JSON is read as a
    /// path relative to the episode folder (spec §3.1).
    public func captionDocument() throws(EpisodeError) -> CaptionDocument {
        guard let key = ["caption", "captions"].first(where: { file.kind(of: $0) == .dataset }) else {
            throw .missingDataset(file: annotationPath, dataset: "caption")
        }
        let info = try file.info(key)
        let raw: String
        switch info.type {
        case .variableString, .fixedString: raw = try file.readStrings(key).joined()
        case .uint8, .int8:
            let bytes: [UInt8] = try file.read(key)
            raw = String(decoding: bytes, as: UTF8.self)
        default:
            throw .wrongType(file: annotationPath, dataset: key, expected: "a string holding JSON", found: info.type.description)
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .caption(file: annotationPath, field: key, reason: "the payload is empty") }
        if text.hasPrefix("{") || text.hasPrefix("[") {
            return try CaptionDocument(json: text, file: annotationPath)
        }
        let candidate = text.hasPrefix("/") ? URL(fileURLWithPath: text) : directory.appendingPathComponent(text)
        if FileManager.default.fileExists(atPath: candidate.path) {
            guard let data = FileManager.default.contents(atPath: candidate.path) else {
                throw .caption(file: candidate.path, field: key, reason: "the caption file cannot be read")
            }
            return try CaptionDocument(json: String(decoding: data, as: UTF8.self), file: candidate.path)
        }
        return try CaptionDocument(json: text, file: annotationPath)
    }

    /// The per-frame caption table, resolved against this episode's frame names or against
    /// `frameNames` (e.g. the full timeline of a trimmed file).
    ///
    /// - Throws: ``EpisodeError/caption(file:field:reason:)`` when the document has frame
    ///   references and not one of them resolves (the no-SLAM episodes of the release), unless
    ///   `allowUnresolved` is true.
    public func captions(rules: CaptionRules = .current, frameNames: [String]? = nil, allowUnresolved: Bool = false) throws(EpisodeError) -> CaptionTable {
        let document = try captionDocument()
        let names: [String]
        if let frameNames { names = frameNames } else { names = try timeline().frameNames }
        let table = CaptionTable(document: document, frames: FrameReferenceIndex(names: names), rules: rules)
        if !allowUnresolved, table.referenceCount > 0, table.segmentBoundaries.isEmpty {
            let example = table.unresolvedReferences.first ?? "?"
            throw .caption(file: annotationPath, field: "segments",
                           reason: "none of the \(table.referenceCount) frame references resolves against the \(names.count) frame names (first: \(example); names look like '\(names.first ?? "")'). Without slam/frame_names the timestamps cannot be matched; pass the episode's frame-name timeline")
        }
        return table
    }

    /// Reads a frame-name timeline file: one name per line, blank lines ignored.
    /// - Throws: ``EpisodeError/timeline(file:reason:)`` saying what is wrong with the file:
    ///   missing, a folder, unreadable or without names.
    public static func readTimeline(path: String) throws(EpisodeError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .timeline(file: path, reason: "the timeline file does not exist")
        }
        guard !isDirectory.boolValue else { throw .timeline(file: path, reason: "it is a folder, not a timeline file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .timeline(file: path, reason: "the timeline file cannot be read (check its permissions)")
        }
        let names = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw .timeline(file: path, reason: "it holds no names") }
        return names
    }
}

/// Streams depth (and confidence) frame blocks with the datasets held open and the buffers
/// reused: the way to visit every depth frame without holding the array in memory.
public final class DepthReader: @unchecked Sendable {
    public let info: DepthInfo
    let depth: HDF5Dataset
    let confidence: HDF5Dataset?

    init(episode: Episode, frames: Int?) throws(EpisodeError) {
        info = try episode.depthInfo(frames: frames)
        depth = try episode.file.dataset("depth/depth")
        confidence = info.hasConfidence ? try episode.file.dataset("depth/confidence") : nil
    }

    /// Reads `range` into `frames`, reusing its storage.
    public func read(_ range: Range<Int>, into frames: inout DepthFrames) throws(EpisodeError) {
        try depth.readRows(range, into: &frames.depth)
        if let confidence {
            var buffer = frames.confidence ?? []
            try confidence.readRows(range, into: &buffer)
            frames.confidence = buffer
        } else {
            frames.confidence = nil
        }
        frames.range = range
        frames.height = info.height
        frames.width = info.width
    }

    /// Reads `range` into new storage.
    public func read(_ range: Range<Int>) throws(EpisodeError) -> DepthFrames {
        var frames = DepthFrames(range: range, height: info.height, width: info.width, depth: [], confidence: nil)
        try read(range, into: &frames)
        return frames
    }
}

extension Episode {
    /// A reader for streaming depth frame blocks. `frames` (the episode's N) names the right
    /// dataset when depth and confidence disagree (``depthInfo(frames:)``).
    public func depthReader(frames: Int? = nil) throws(EpisodeError) -> DepthReader { try DepthReader(episode: self, frames: frames) }
}
