import EpisodeIO
import Foundation
import Heads
import WindowAlign

/// Reads what the suite needs from an episode folder: the per-frame facts for targets, and
/// (when no `xp-features` output is given) a feature matrix from the streams that need no
/// media decoding.
public enum EpisodeLoader {
    /// Per-frame labels, objects, hands minus body root and contacts. Missing modalities are
    /// left empty or nil (tasks that need them then report not applicable); a malformed file
    /// still throws.
    /// `worldFrameHands` (the strict protocol): hands are moved from the stereo-left camera
    /// frame to the world with the frame's camera pose before the world pelvis is subtracted,
    /// as the strict feature build does; the reference subtracts the world pelvis from
    /// camera-frame joints.
    public static func frameData(_ episode: Episode, worldFrameHands: Bool = false) throws -> FrameData {
        let n = try episode.frameCount()
        var data = FrameData(frameCount: n)
        if let captions = try? episode.captions() {
            data.actionLabels = captions.labels(.action)
            data.subtaskLabels = captions.labels(.subtask)
            data.objects = captions.frames.map { $0.objects ?? [] }
            if data.actionLabels.count != n { data.actionLabels = []; data.subtaskLabels = []; data.objects = [] }
        }
        let hands = try? episode.hands()
        let body = try? episode.body()
        let poses = worldFrameHands ? try? episode.cameraPoses() : nil
        if let hands, let body, hands.count == n, body.count == n {
            var out = [Float](repeating: 0, count: n * 126)
            func toWorld(_ x: Float, _ y: Float, _ z: Float, frame f: Int) -> (Float, Float, Float) {
                guard let poses, poses.count == n else { return (x, y, z) }
                let r = f * 9, t = f * 3
                let R = poses.rotation, T = poses.translation
                let px = Double(x), py = Double(y), pz = Double(z)
                return (Float(R[r] * px + R[r + 1] * py + R[r + 2] * pz + T[t]),
                        Float(R[r + 3] * px + R[r + 4] * py + R[r + 5] * pz + T[t + 1]),
                        Float(R[r + 6] * px + R[r + 7] * py + R[r + 8] * pz + T[t + 2]))
            }
            var present = [Bool](repeating: false, count: n * 2)
            for f in 0..<n {
                let root = (body.keypoints[f * 156], body.keypoints[f * 156 + 1], body.keypoints[f * 156 + 2])
                for j in 0..<21 {
                    for (side, joints) in [hands.left, hands.right].enumerated() {
                        let src = f * 63 + j * 3
                        let dst = f * 126 + side * 63 + j * 3
                        let p = toWorld(joints[src], joints[src + 1], joints[src + 2], frame: f)
                        out[dst] = p.0 - root.0
                        out[dst + 1] = p.1 - root.1
                        out[dst + 2] = p.2 - root.2
                    }
                }
                present[f * 2] = hands.leftPresent[f]
                present[f * 2 + 1] = hands.rightPresent[f]
            }
            data.handsMinusRoot = out
            data.handPresent = present
        }
        if let body, body.count == n, let contacts = body.contacts, contacts.count == n * 21 { data.contacts = contacts }
        return data
    }

    /// Windows with their majority labels (empty labels when the episode has no caption).
    public static func windows(_ frames: FrameData, spec: WindowSpec = .reference) throws -> [Window] {
        if frames.actionLabels.count == frames.frameCount, frames.frameCount > 0 {
            return try buildLabelledWindows(actionLabels: frames.actionLabels, subtaskLabels: frames.subtaskLabels, spec: spec)
        }
        return try buildWindows(frameCount: frames.frameCount, spec: spec)
    }

    /// A feature matrix from the streams that need no media decoding: hands and body minus
    /// root, contacts, camera translation (re-zeroed per window) and rotation, IMU, caption
    /// text, point cloud and calibration. Video, depth and audio blocks are absent (zeros,
    /// flagged in the presence set). Used when no `xp-features` output is given.
    public static func sensorFeatures(_ episode: Episode, frames: FrameData, windows: [Window],
                                      schema: FeatureSchema = .reference) throws -> (features: Matrix, presentBlocks: Set<String>) {
        let n = frames.frameCount
        var sources: [String: BlockSource] = [:]
        if let h = frames.handsMinusRoot {
            var left = [Float](repeating: 0, count: n * 63), right = [Float](repeating: 0, count: n * 63)
            for f in 0..<n {
                for k in 0..<63 { left[f * 63 + k] = h[f * 126 + k]; right[f * 63 + k] = h[f * 126 + 63 + k] }
            }
            sources["hand_left_joints"] = .perFrame(try PerFrameCache(values: left, rows: n, cols: 63))
            sources["hand_right_joints"] = .perFrame(try PerFrameCache(values: right, rows: n, cols: 63))
        }
        if let body = try? episode.body(), body.count == n {
            var rel = body.keypoints
            for f in 0..<n {
                let r = (body.keypoints[f * 156], body.keypoints[f * 156 + 1], body.keypoints[f * 156 + 2])
                for j in 0..<52 { rel[f * 156 + j * 3] -= r.0; rel[f * 156 + j * 3 + 1] -= r.1; rel[f * 156 + j * 3 + 2] -= r.2 }
            }
            sources["body_joints"] = .perFrame(try PerFrameCache(values: rel.map { $0.isFinite ? $0 : 0 }, rows: n, cols: 156))
        }
        if let c = frames.contacts { sources["body_contacts"] = .perFrame(try PerFrameCache(values: c, rows: n, cols: 21)) }
        if let poses = try? episode.cameraPoses(), poses.count == n {
            sources["camera_translation"] = .perFrame(try PerFrameCache(values: poses.translation.map { Float($0) }, rows: n, cols: 3), rezeroAtWindowStart: true)
            sources["camera_rotation_matrix"] = .perFrame(try PerFrameCache(values: poses.rotation.map { Float($0) }, rows: n, cols: 9))
        }
        if let imu = try? episode.imu(), let kf = imu.keyframeIndices, imu.count > 0 {
            var values = [Float](repeating: 0, count: imu.count * 6)
            for i in 0..<imu.count {
                for k in 0..<3 { values[i * 6 + k] = Float(imu.accel[i * 3 + k]); values[i * 6 + 3 + k] = Float(imu.gyro[i * 3 + k]) }
            }
            sources["imu_accel_gyro"] = .keyframed(try PerFrameCache(values: values, rows: imu.count, cols: 6),
                                                   keyframes: kf.map { min(max(Int($0), 0), imu.count - 1) })
        }
        if frames.objects.count == n, let captions = try? episode.captions() {
            var text = [Float](repeating: 0, count: n * 128)
            for f in 0..<n {
                let info = captions.frames[f]
                let v = hashedTextFeatures(frameCaptionText(objects: info.objects ?? [], interaction: info.interaction ?? ""), dimensions: 128)
                for k in 0..<128 { text[f * 128 + k] = v[k] }
            }
            sources["caption_objects_interaction_text"] = .perFrame(try PerFrameCache(values: text, rows: n, cols: 128))
        }
        if let cloud = try? episode.pointCloud(), cloud.filteredCount > 0 {
            sources["slam_point_cloud"] = .staticVector(try PointCloudStats.features(cloud.filtered.map { Float($0) }))
        }
        if let calibration = try? episode.calibration() {
            let v = calibration.canonicalVector
            if v.count == 117 { sources["calibration"] = .staticVector(v) }
        }
        let assembler = try WindowFeatureAssembler(schema: schema, sources: sources)
        let (values, presence) = assembler.matrix(windows: windows)
        var present = Set<String>()
        for (b, name) in presence.blockNames.enumerated() where (0..<presence.rows).contains(where: { presence.isPresent(row: $0, block: b) }) {
            present.insert(name)
        }
        return (try Matrix(rows: windows.count, cols: schema.dimension, storage: values), present)
    }

    /// Where an episode's feature matrix comes from.
    public enum FeatureSource: Sendable {
        /// The full `EpisodeFeatures` build (video, depth, audio decoded) in a protocol, with
        /// per-frame caches under `cache` when given.
        case episodeFeatures(FeatureProtocol, cache: URL?)
        /// An `xp-features` output folder.
        case folder(URL)
        /// ``sensorFeatures``: no media decoding (video, depth and audio blocks absent).
        case sensorsOnly
    }

    /// One episode for the suite: per-frame facts from `folder` (hands in the world frame in
    /// `strict`), features from `source`.
    public static func load(folder: URL, source: FeatureSource, suiteProtocol: SuiteProtocol = .strict, session: String? = nil,
                            spec: WindowSpec = .reference, progress: (@Sendable (String) -> Void)? = nil) throws -> SuiteEpisode {
        let episode = try Episode(path: folder.path)
        let frames = try frameData(episode, worldFrameHands: suiteProtocol == .strict)
        let name = folder.lastPathComponent
        switch source {
        case .folder(let features):
            let loaded = try SuiteEpisode.loadFeatures(folder: features)
            return try SuiteEpisode(name: name, session: session, windows: loaded.windows, features: loaded.features,
                                    presentBlocks: loaded.presentBlocks, frames: frames)
        case .episodeFeatures(let p, let cache):
            let result = try buildFeatures(episode, protocol: p, cache: cache, spec: spec, progress: progress)
            return try suiteEpisode(result, name: name, session: session, frames: frames)
        case .sensorsOnly:
            let wins = try windows(frames, spec: spec)
            let built = try sensorFeatures(episode, frames: frames, windows: wins)
            return try SuiteEpisode(name: name, session: session, windows: wins, features: built.features,
                                    presentBlocks: built.presentBlocks, frames: frames)
        }
    }

    /// The `EpisodeFeatures` build of `episode` with progress lines.
    public static func buildFeatures(_ episode: Episode, protocol p: FeatureProtocol, cache: URL?, spec: WindowSpec = .reference,
                                     progress: (@Sendable (String) -> Void)? = nil) throws -> EpisodeFeatureResult {
        var options = FeatureBuildOptions(featureProtocol: p, cacheDirectory: cache)
        if let say = progress {
            let report: @Sendable (FeatureProgress) -> Void = { step in
                if step.done == step.total || step.done == 0 { say("features: \(step.stage) \(step.done)/\(step.total)") }
            }
            options.progress = report
        }
        return try EpisodeFeatures.build(episode: episode, plan: .single(spec), options: options)
    }

    /// A suite episode from a feature build.
    public static func suiteEpisode(_ result: EpisodeFeatureResult, name: String, session: String?, frames: FrameData) throws -> SuiteEpisode {
        var present = Set<String>()
        let mask = result.presence
        for (b, block) in mask.blockNames.enumerated() where (0..<mask.rows).contains(where: { mask.isPresent(row: $0, block: b) }) {
            present.insert(block)
        }
        let matrix = try Matrix(rows: result.windows.windows.count, cols: result.dimension, storage: result.values)
        return try SuiteEpisode(name: name, session: session, windows: result.windows.windows, features: matrix,
                                presentBlocks: present, frames: frames)
    }

    /// Compatibility form: features from an `xp-features` folder when given, else sensors only.
    public static func load(folder: URL, features: URL? = nil, session: String? = nil, spec: WindowSpec = .reference) throws -> SuiteEpisode {
        try load(folder: folder, source: features.map { .folder($0) } ?? .sensorsOnly, session: session, spec: spec)
    }
}
