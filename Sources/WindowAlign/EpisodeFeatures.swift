import EpisodeIO
import Foundation

/// Which contract a feature build follows (DESIGN.md, "Two protocols").
public enum FeatureProtocol: String, Sendable, Codable, CaseIterable {
    /// The published reference, reproduced exactly (index alignment, per-frame confidence
    /// scale, world pelvis subtracted from camera-frame hands).
    case reference
    /// The careful variant: hands moved to the world before the pelvis is subtracted and
    /// undetected hand frames masked, IMU and audio mapped by timestamps, video by pts,
    /// one confidence scale per episode (task-suite spec §7, weaknesses #5 and #16).
    case strict
}

/// One step of a long build, for progress display.
public struct FeatureProgress: Sendable, Equatable {
    /// What is being computed, e.g. `video fisheye_cam0` or `depth`.
    public var stage: String
    public var done: Int
    public var total: Int
}

/// How to build an episode's features.
public struct FeatureBuildOptions: Sendable {
    /// The protocol (default `strict`).
    public var featureProtocol: FeatureProtocol
    /// Where per-frame caches are kept; nil disables caching.
    public var cacheDirectory: URL?
    /// Rebuild caches even when a matching entry exists.
    public var force: Bool
    /// Decoder threads per video stream (0 = libavcodec's choice).
    public var decoderThreads: Int
    /// Frame names to resolve the caption against (e.g. the full timeline of an episode
    /// without `slam/frame_names`); nil = the episode's own.
    public var frameNames: [String]?
    /// Called from the building thread as work advances.
    public var progress: (@Sendable (FeatureProgress) -> Void)?

    public init(featureProtocol: FeatureProtocol = .strict, cacheDirectory: URL? = nil, force: Bool = false,
                decoderThreads: Int = 0, frameNames: [String]? = nil,
                progress: (@Sendable (FeatureProgress) -> Void)? = nil) {
        self.featureProtocol = featureProtocol
        self.cacheDirectory = cacheDirectory
        self.force = force
        self.decoderThreads = decoderThreads
        self.frameNames = frameNames
        self.progress = progress
    }
}

/// What happened to one input stream: where it came from, how it was aligned to the
/// annotation frames, and whether its cache was reused.
public struct StreamDiagnostics: Sendable, Codable, Equatable {
    /// The feature block (or blocks, for `hands`) the stream feeds.
    public var block: String
    /// Whether the stream contributed data.
    public var present: Bool
    /// The dataset or file read.
    public var source: String
    /// Why it is absent, or how it was aligned when that deserves a note.
    public var note: String?
    /// Rows (samples, video frames) in the source.
    public var sourceRows: Int?
    /// Annotation frames filled from the source.
    public var alignedFrames: Int
    /// Annotation frames filled by holding the last good vector (reference video).
    public var heldFrames: Int
    /// Annotation frames left zero (past the end of the source, unmatched or masked).
    public var zeroFrames: Int
    /// Strict video: median of (video pts time − device time) over matched frames, seconds.
    /// Strict audio: the audio track's start relative to the first video pts, seconds.
    public var offsetSeconds: Double?
    /// Strict video: the largest |pts time − device time| among matched frames, seconds.
    public var maxResidualSeconds: Double?
    /// Strict video: matched frames whose video index differs from the annotation index.
    public var indexMismatchFrames: Int?
    /// "hit", "built" or "off".
    public var cache: String
    /// Seconds spent on this stream.
    public var seconds: Double

    init(block: String, present: Bool, source: String, note: String? = nil, sourceRows: Int? = nil,
         alignedFrames: Int = 0, heldFrames: Int = 0, zeroFrames: Int = 0, cache: String = "off", seconds: Double = 0) {
        self.block = block
        self.present = present
        self.source = source
        self.note = note
        self.sourceRows = sourceRows
        self.alignedFrames = alignedFrames
        self.heldFrames = heldFrames
        self.zeroFrames = zeroFrames
        self.cache = cache
        self.seconds = seconds
    }
}

/// Audio facts for `available_modalities.json`.
public struct AudioSummary: Sendable, Codable, Equatable {
    public var source: String
    public var exists: Bool
    public var hasAudio: Bool
    public var sampleRate: Int
    /// The frame rate used to map frames to samples (container fps in `reference`).
    public var fps: Double
    public var numSamples: Int
}

/// Every per-frame cache and static vector of one episode, ready for window assembly.
public struct EpisodeFeatureCaches: Sendable {
    public var featureProtocol: FeatureProtocol
    /// N, the annotation frames.
    public var frameCount: Int
    /// The source of each schema block (absent blocks are `.absent`).
    public var sources: [String: BlockSource]
    /// One entry per input stream, in schema order.
    public var diagnostics: [StreamDiagnostics]
    /// Strict protocol: per frame, whether each hand frame is valid (detected, with a valid
    /// pose and pelvis). Masked frames are zero rows in the hand caches.
    public var handValid: [String: [Bool]]
    /// The episode's media files by stream name (present or not).
    public var mediaPaths: [String: String]
    public var audio: AudioSummary?
}

/// How windows are laid out.
public enum WindowPlan: Sendable, Equatable {
    /// One window size and stride.
    case single(WindowSpec)
    /// Several scales windowed independently, concatenated in scale order.
    case multiscale(MultiscaleSpec, minLabelFraction: Double)
}

/// The rows of one scale in a (multiscale) window list.
public struct WindowScaleSpan: Sendable, Codable, Equatable {
    public var scaleID: String
    public var size: Int
    public var stride: Int
    /// First row of this scale in the window list.
    public var firstRow: Int
    public var count: Int
}

/// Windows with labels, and where each scale's rows are.
public struct EpisodeWindows: Sendable {
    /// Windows, indexed 0… across all scales.
    public var windows: [Window]
    /// One span per scale (a single span for `.single`).
    public var scales: [WindowScaleSpan]
    /// Why labels are empty, when the caption could not be used.
    public var labelNote: String?
}

/// The window feature matrix of one episode and everything needed to trust it.
public struct EpisodeFeatureResult: Sendable {
    public var featureProtocol: FeatureProtocol
    public var frameCount: Int
    public var windows: EpisodeWindows
    /// windows × `manifest` columns, row-major Float32.
    public var values: [Float]
    public var presence: PresenceMask
    public var manifest: FeatureManifest
    public var diagnostics: [StreamDiagnostics]
    /// Strict protocol: per hand block, the share of valid frames in each window.
    public var handValidFraction: [String: [Double]]
    public var mediaPaths: [String: String]
    public var audio: AudioSummary?
    public var dimension: Int { FeatureSchema.reference.dimension }
}

/// Builds the reference feature schema (18 blocks, 8,546 columns) from an episode on disk.
///
/// ```swift
/// let episode = try Episode(path: "xperience-10m-sample")
/// let options = FeatureBuildOptions(featureProtocol: .strict, cacheDirectory: cacheURL)
/// let result = try EpisodeFeatures.build(episode: episode, plan: .single(.reference), options: options)
/// try result.write(to: outputFolder)
/// ```
///
/// A missing or unreadable modality never changes the dimension and never stops the build:
/// its block is zero-filled, flagged absent in the presence mask and explained in the
/// diagnostics.
public enum EpisodeFeatures {
    /// Per-frame labels and windows for `plan`.
    public static func windows(episode: Episode, plan: WindowPlan, frameCount: Int? = nil,
                               frameNames: [String]? = nil) throws -> EpisodeWindows {
        let n = try frameCount ?? episode.frameCount()
        var actions = [String](repeating: "", count: n)
        var subtasks = [String](repeating: "", count: n)
        var note: String? = nil
        do {
            let table = try episode.captions(frameNames: frameNames)
            let a = table.labels(.action), t = table.labels(.subtask)
            for k in 0..<min(n, a.count) {
                actions[k] = a[k]
                subtasks[k] = t[k]
            }
        } catch {
            note = "labels are empty: \(error)"
        }
        var windows: [Window] = []
        var spans: [WindowScaleSpan] = []
        let scales: [WindowSpec]
        let ids: [String]
        switch plan {
        case .single(let spec):
            scales = [spec]
            ids = [WindowScale(size: spec.size, stride: spec.stride).scaleID]
        case .multiscale(let ms, let fraction):
            scales = ms.scales.map { $0.windowSpec(minLabelFraction: fraction) }
            ids = ms.scales.map(\.scaleID)
        }
        for (spec, id) in zip(scales, ids) {
            var part = try buildLabelledWindows(actionLabels: actions, subtaskLabels: subtasks, spec: spec)
            let first = windows.count
            for i in part.indices { part[i].index = first + i }
            spans.append(WindowScaleSpan(scaleID: id, size: spec.size, stride: spec.stride, firstRow: first, count: part.count))
            windows += part
        }
        return EpisodeWindows(windows: windows, scales: spans, labelNote: note)
    }

    /// Windows, caches and the assembled matrix in one call.
    public static func build(episode: Episode, plan: WindowPlan = .single(.reference),
                             options: FeatureBuildOptions = FeatureBuildOptions()) throws -> EpisodeFeatureResult {
        let caches = try buildCaches(episode: episode, options: options)
        let windows = try windows(episode: episode, plan: plan, frameCount: caches.frameCount, frameNames: options.frameNames)
        options.progress?(FeatureProgress(stage: "assembly", done: 0, total: windows.windows.count))
        let result = try assemble(caches, windows: windows)
        options.progress?(FeatureProgress(stage: "assembly", done: windows.windows.count, total: windows.windows.count))
        return result
    }

    /// The window matrix from prepared caches.
    public static func assemble(_ caches: EpisodeFeatureCaches, windows: EpisodeWindows) throws -> EpisodeFeatureResult {
        let schema = FeatureSchema.reference
        let assembler = try WindowFeatureAssembler(schema: schema, sources: caches.sources)
        let built = assembler.matrix(windows: windows.windows)
        var presence = built.presence
        var fractions: [String: [Double]] = [:]
        for (name, valid) in caches.handValid.sorted(by: { $0.key < $1.key }) {
            guard let b = schema.blocks.firstIndex(where: { $0.name == name }) else { continue }
            var f = [Double](repeating: 0, count: windows.windows.count)
            for (i, w) in windows.windows.enumerated() {
                let lo = max(w.start, 0), hi = min(w.end + 1, valid.count)
                let count = hi > lo ? valid[lo..<hi].reduce(0) { $0 + ($1 ? 1 : 0) } : 0
                f[i] = Double(count) / Double(max(w.end + 1 - w.start, 1))
                // A window without one valid hand frame carries no hand information.
                if count == 0 { presence.set(row: i, block: b, false) }
            }
            fractions[name] = f
        }
        return EpisodeFeatureResult(featureProtocol: caches.featureProtocol, frameCount: caches.frameCount, windows: windows,
                                    values: built.values, presence: presence, manifest: schema.manifest,
                                    diagnostics: caches.diagnostics, handValidFraction: fractions,
                                    mediaPaths: caches.mediaPaths, audio: caches.audio)
    }

    /// Builds every per-frame cache and static block. Only an unreadable timeline (no frame
    /// count) throws; every modality problem becomes an absent block with a note.
    public static func buildCaches(episode: Episode, options: FeatureBuildOptions = FeatureBuildOptions()) throws -> EpisodeFeatureCaches {
        var builder = CacheBuilder(episode: episode, options: options, timeline: try episode.timeline())
        return try builder.run()
    }
}

extension PresenceMask {
    mutating func set(row: Int, block: Int, _ value: Bool) {
        setFlag(row * blockNames.count + block, value)
    }
}

// MARK: - The builder

/// Mutable state of one cache build; each modality adds its sources and diagnostics.
struct CacheBuilder {
    let episode: Episode
    let options: FeatureBuildOptions
    let timeline: Timeline
    let n: Int
    let store: FeatureCacheStore?
    var sources: [String: BlockSource] = [:]
    var diagnostics: [StreamDiagnostics] = []
    var handValid: [String: [Bool]] = [:]
    var mediaPaths: [String: String] = [:]
    var audio: AudioSummary? = nil
    var strict: Bool { options.featureProtocol == .strict }

    init(episode: Episode, options: FeatureBuildOptions, timeline: Timeline) {
        self.episode = episode
        self.options = options
        self.timeline = timeline
        self.n = timeline.frameCount
        self.store = options.cacheDirectory.map { FeatureCacheStore(directory: $0, force: options.force) }
    }

    mutating func run() throws -> EpisodeFeatureCaches {
        let poses = try? episode.cameraPoses()
        buildHandsAndBody(poses: poses)
        buildCamera(poses: poses)
        buildIMU()
        buildDepth()
        for name in episodeVideoStreamNames { buildVideo(stream: name) }
        buildAudio()
        buildText()
        buildStatic()
        let order = FeatureSchema.reference.blocks.map(\.name)
        diagnostics.sort { (order.firstIndex(of: $0.block) ?? order.count) < (order.firstIndex(of: $1.block) ?? order.count) }
        return EpisodeFeatureCaches(featureProtocol: options.featureProtocol, frameCount: n, sources: sources,
                                    diagnostics: diagnostics, handValid: handValid, mediaPaths: mediaPaths, audio: audio)
    }

    func progress(_ stage: String, _ done: Int, _ total: Int) {
        options.progress?(FeatureProgress(stage: stage, done: done, total: total))
    }

    static func elapsed(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// Device time of each annotation frame relative to frame 0 (seconds), plus one more
    /// entry for the end of the last frame (one median frame interval later).
    var frameTimes: [Double]? {
        guard let ts = timeline.deviceTimestamps, ts.count == n, n > 0 else { return nil }
        var t = ts.map { Double($0 - ts[0]) / 1e9 }
        var gaps = zip(t.dropFirst(), t).map { $0 - $1 }.sorted()
        if gaps.isEmpty { gaps = [0.05] }
        t.append(t[n - 1] + gaps[gaps.count / 2])
        return t
    }

    // MARK: Hands, body, contacts

    mutating func buildHandsAndBody(poses: CameraPoses?) {
        let start = ContinuousClock.now
        var body: Body? = nil
        var bodyNote: String? = nil
        do { body = try episode.body() } catch { bodyNote = "\(error)" }

        if let body {
            let rows = body.count
            var rel = [Float](repeating: 0, count: rows * 156)
            for i in 0..<rows {
                for j in 0..<52 {
                    for a in 0..<3 { rel[i * 156 + j * 3 + a] = body.keypoints[i * 156 + j * 3 + a] - body.keypoints[i * 156 + a] }
                }
            }
            if let cache = try? PerFrameCache(values: rel, rows: rows, cols: 156) {
                sources["body_joints"] = .perFrame(cache)
            }
            var d = StreamDiagnostics(block: "body_joints", present: true, source: "full_body_mocap/keypoints", sourceRows: rows,
                                      alignedFrames: min(rows, n), zeroFrames: max(0, n - rows))
            d.note = "keypoints minus joint 0 (pelvis), world frame"
            diagnostics.append(d)
            if let contacts = body.contacts, let cache = try? PerFrameCache(values: contacts, rows: rows, cols: 21) {
                sources["body_contacts"] = .perFrame(cache)
                diagnostics.append(StreamDiagnostics(block: "body_contacts", present: true, source: "full_body_mocap/contacts",
                                                     sourceRows: rows, alignedFrames: min(rows, n), zeroFrames: max(0, n - rows)))
            } else {
                diagnostics.append(StreamDiagnostics(block: "body_contacts", present: false, source: "full_body_mocap/contacts",
                                                     note: "dataset absent", zeroFrames: n))
            }
        } else {
            for (block, source) in [("body_joints", "full_body_mocap/keypoints"), ("body_contacts", "full_body_mocap/contacts")] {
                diagnostics.append(StreamDiagnostics(block: block, present: false, source: source, note: bodyNote, zeroFrames: n))
            }
        }

        let hands: Hands
        do { hands = try episode.hands() } catch {
            for block in ["hand_left_joints", "hand_right_joints"] {
                diagnostics.append(StreamDiagnostics(block: block, present: false, source: "hand_mocap", note: "\(error)", zeroFrames: n))
            }
            return
        }
        let rows = hands.count
        for (block, joints, detected, dataset) in [("hand_left_joints", hands.left, hands.leftPresent, "hand_mocap/left_joints_3d"),
                                                   ("hand_right_joints", hands.right, hands.rightPresent, "hand_mocap/right_joints_3d")] {
            var out = [Float](repeating: 0, count: rows * 63)
            var d = StreamDiagnostics(block: block, present: true, source: dataset, sourceRows: rows,
                                      alignedFrames: min(rows, n), zeroFrames: max(0, n - rows))
            if block == "hand_right_joints", !hands.rightStored {
                d.present = false
                d.note = "dataset absent"
                d.alignedFrames = 0
                d.zeroFrames = n
                diagnostics.append(d)
                continue
            }
            if !strict {
                // Reference: the world pelvis subtracted from camera-frame joints, when the body
                // has as many rows; otherwise the joints as stored.
                let subtract = body.map { $0.count == rows } ?? false
                for i in 0..<rows {
                    for j in 0..<21 {
                        for a in 0..<3 {
                            let root = subtract ? (body?.keypoints[i * 156 + a] ?? 0) : 0
                            out[i * 63 + j * 3 + a] = joints[i * 63 + j * 3 + a] - root
                        }
                    }
                }
                d.note = subtract ? "camera-frame joints minus world pelvis (reference)" : "camera-frame joints as stored (no body rows to subtract)"
            } else {
                var valid = [Bool](repeating: false, count: rows)
                let posesUsable = poses.map { $0.count >= rows } ?? false
                let bodyUsable = body.map { $0.count >= rows } ?? false
                for i in 0..<rows {
                    guard detected[i] else { continue }
                    if posesUsable, let p = poses, !p.valid[i] { continue }
                    if bodyUsable, let b = body, !b.valid[i] { continue }
                    valid[i] = true
                    for j in 0..<21 {
                        let h = (0..<3).map { Double(joints[i * 63 + j * 3 + $0]) }
                        var w = h
                        if posesUsable, let p = poses {
                            for r in 0..<3 {
                                var s = p.translation[i * 3 + r]
                                for c in 0..<3 { s += p.rotation[i * 9 + r * 3 + c] * h[c] }
                                w[r] = s
                            }
                        }
                        for a in 0..<3 {
                            var root = 0.0
                            if posesUsable, bodyUsable, let b = body { root = Double(b.keypoints[i * 156 + a]) }
                            else if posesUsable, let p = poses { root = p.translation[i * 3 + a] }
                            out[i * 63 + j * 3 + a] = Float(w[a] - root)
                        }
                    }
                }
                handValid[block] = Array(valid.prefix(n)) + [Bool](repeating: false, count: max(0, n - rows))
                let masked = valid.prefix(n).filter { !$0 }.count
                d.alignedFrames = min(rows, n) - masked
                d.zeroFrames = max(0, n - rows) + masked
                if posesUsable && bodyUsable {
                    d.note = "world-frame joints (R_c2w·h + t_c2w) minus world pelvis; \(masked) undetected or invalid frames masked to zero rows"
                } else if posesUsable {
                    d.note = "no body: world-oriented joints relative to the camera centre; \(masked) frames masked"
                } else {
                    d.note = "no camera poses: camera-frame joints as stored; \(masked) frames masked"
                }
            }
            if let cache = try? PerFrameCache(values: out, rows: rows, cols: 63) {
                sources[block] = .perFrame(cache)
            }
            d.seconds = Self.elapsed(since: start)
            diagnostics.append(d)
        }
    }

    // MARK: Camera

    mutating func buildCamera(poses: CameraPoses?) {
        guard let poses else {
            let reason: String
            do { _ = try episode.cameraPoses(); reason = "unavailable" } catch { reason = "\(error)" }
            diagnostics.append(StreamDiagnostics(block: "camera_translation", present: false, source: "slam/trans_xyz", note: reason, zeroFrames: n))
            diagnostics.append(StreamDiagnostics(block: "camera_rotation_matrix", present: false, source: "slam/quat_wxyz", note: reason, zeroFrames: n))
            return
        }
        let rows = poses.count
        if let t = try? PerFrameCache(values: poses.translation.map { Float($0) }, rows: rows, cols: 3),
           let r = try? PerFrameCache(values: poses.rotation.map { Float($0) }, rows: rows, cols: 9) {
            sources["camera_translation"] = .perFrame(t, rezeroAtWindowStart: true)
            sources["camera_rotation_matrix"] = .perFrame(r)
        }
        let invalid = poses.valid.filter { !$0 }.count
        let note = invalid > 0 ? "\(invalid) frames with a zero or non-finite quaternion carry the identity SLAM pose" : nil
        diagnostics.append(StreamDiagnostics(block: "camera_translation", present: true, source: "slam/trans_xyz", note: note,
                                             sourceRows: rows, alignedFrames: min(rows, n), zeroFrames: max(0, n - rows)))
        diagnostics.append(StreamDiagnostics(block: "camera_rotation_matrix", present: true, source: "slam/quat_wxyz", note: note,
                                             sourceRows: rows, alignedFrames: min(rows, n), zeroFrames: max(0, n - rows)))
    }

    // MARK: IMU

    mutating func buildIMU() {
        let start = ContinuousClock.now
        let imu: IMUData
        do { imu = try episode.imu() } catch {
            diagnostics.append(StreamDiagnostics(block: "imu_accel_gyro", present: false, source: "imu", note: "\(error)", zeroFrames: n))
            return
        }
        let m = imu.count
        var values = [Float](repeating: 0, count: m * 6)
        for k in 0..<m {
            for a in 0..<3 {
                values[k * 6 + a] = Float(imu.accel[k * 3 + a])
                values[k * 6 + 3 + a] = Float(imu.gyro[k * 3 + a])
            }
        }
        guard let cache = try? PerFrameCache(values: values, rows: m, cols: 6) else { return }
        var d = StreamDiagnostics(block: "imu_accel_gyro", present: true, source: "imu/accel_xyz, imu/gyro_xyz", sourceRows: m)
        let keyframes = imu.keyframeIndices.map { $0.map { Int(clamping: $0) } }
        if strict, let times = frameTimes, let t0 = timeline.deviceTimestamps?.first {
            // Rows whose device time lies in [t_f, t_{f+1}) belong to frame f.
            var bounds = [Int](repeating: 0, count: n + 1)
            var j = 0
            for f in 0...n {
                let edge = Double(t0) + times[f] * 1e9
                while j < m, imu.timestamps[j] < edge { j += 1 }
                bounds[f] = j
            }
            sources["imu_accel_gyro"] = .rowRanges(cache, boundaries: bounds)
            let covered = (0..<n).filter { bounds[$0 + 1] > bounds[$0] }.count
            d.alignedFrames = covered
            d.zeroFrames = n - covered
            d.note = "samples by device timestamp: frame f owns samples with t in [t_f, t_{f+1})"
        } else if let keyframes {
            sources["imu_accel_gyro"] = .keyframed(cache, keyframes: keyframes)
            d.alignedFrames = min(keyframes.count, n)
            d.zeroFrames = max(0, n - keyframes.count)
            d.note = strict ? "no video/device_timestamp: keyframe_indices rule used" : "keyframe_indices rule (reference)"
        } else {
            d.present = false
            d.note = "imu/keyframe_indices absent" + (strict ? " and no frame timestamps" : "")
            d.zeroFrames = n
        }
        d.seconds = Self.elapsed(since: start)
        diagnostics.append(d)
    }

    // MARK: Depth

    struct DepthMeta: Codable { var rows: Int; var sourceRows: Int; var scaling: String }

    mutating func buildDepth() {
        let start = ContinuousClock.now
        let block = "depth_confidence"
        let reader: DepthReader
        do { reader = try episode.depthReader() } catch {
            diagnostics.append(StreamDiagnostics(block: block, present: false, source: "depth/depth", note: "\(error)", zeroFrames: n))
            return
        }
        let info = reader.info
        // The release stores confidence as uint8 0…255, so one episode-wide factor is 1/255.
        let scaling: ConfidenceScaling = strict ? .fixed(1.0 / 255) : .perFrame
        let scalingName = strict ? "episode-1/255" : "per-frame"
        let rows = min(n, info.frames)
        var d = StreamDiagnostics(block: block, present: true, source: "depth/depth" + (info.hasConfidence ? ", depth/confidence" : ""),
                                  sourceRows: info.frames, alignedFrames: rows, zeroFrames: n - rows)
        d.note = "confidence scale: \(scalingName)" + (info.hasConfidence ? "" : "; no confidence (zeros)")
        var key: String? = nil
        if let store {
            do {
                var parts = ["depth-v1", "n=\(n)", "shape=\(info.frames)x\(info.height)x\(info.width)", "conf=\(info.hasConfidence)",
                             "min=\(info.depthMin.map { "\($0)" } ?? "-")", "max=\(info.depthMax.map { "\($0)" } ?? "-")",
                             "scaling=\(scalingName)", "grid=\(DepthFeatures.gridSize)"]
                let samples = min(16, info.frames)
                for s in 0..<samples {
                    let row = samples > 1 ? (info.frames - 1) * s / (samples - 1) : 0
                    let f = try reader.read(row..<(row + 1))
                    parts.append(ContentFingerprint.hex(ContentFingerprint.bytes(f.depth) + (f.confidence ?? [])))
                }
                key = ContentFingerprint.key(parts)
                if let key, let hit = store.load(kind: "depth", key: key, cols: DepthFeatures.dimension, as: DepthMeta.self), hit.cache.rows == n {
                    sources[block] = .perFrame(hit.cache)
                    d.cache = "hit"
                    d.seconds = Self.elapsed(since: start)
                    diagnostics.append(d)
                    return
                }
            } catch {
                d.note = (d.note ?? "") + "; cache key failed: \(error)"
            }
        }
        var out = [Float](repeating: 0, count: n * DepthFeatures.dimension)
        // One extractor per core: the frames of a block are split between them (reading stays
        // on this thread, the HDF5 library being serial).
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let extractors = ExtractorPool((0..<workers).map { _ in
            DepthFeatureExtractor(depthMin: info.depthMin ?? DepthFeatures.defaultDepthMin,
                                  depthMax: info.depthMax ?? DepthFeatures.defaultDepthMax, confidenceScaling: scaling)
        })
        let hw = info.height * info.width
        let blockSize = 64
        var failed: String? = nil
        var k = 0
        let dim = DepthFeatures.dimension
        // Two buffers: while the cores compute block i, a reader thread fills block i + 1 (the
        // HDF5 calls stay serial behind the library's lock).
        let empty = DepthFrames(range: 0..<0, height: info.height, width: info.width, depth: [], confidence: nil)
        var current = DepthBlockBuffer(empty)
        var upcoming = DepthBlockBuffer(empty)
        let readQueue = DispatchQueue(label: "depth-prefetch")
        if rows > 0 { current.fill(reader, 0..<min(rows, blockSize)) }
        while k < rows {
            let range = k..<min(rows, k + blockSize)
            if let error = current.error {
                failed = "rows from \(range.lowerBound) unreadable: \(error)"
                break
            }
            let nextRange = range.upperBound..<min(rows, range.upperBound + blockSize)
            let prefetch = DispatchGroup()
            if !nextRange.isEmpty {
                let buffer = upcoming
                readQueue.async(group: prefetch) { buffer.fill(reader, nextRange) }
            }
            let block = current.frames
            let errors = LockedErrors()
            out.withUnsafeMutableBufferPointer { ob in
                let target = UncheckedPointer(ob.baseAddress)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    let extractor = extractors.items[w]
                    var f = range.lowerBound + w
                    while f < range.upperBound {
                        let o = (f - range.lowerBound) * hw
                        do {
                            let v = try extractor.features(depth: block.depth[o..<(o + hw)], width: info.width, height: info.height,
                                                           confidence: block.confidence.map { $0[o..<(o + hw)] })
                            if let base = target.pointer {
                                for i in 0..<dim { base[f * dim + i] = v[i] }
                            }
                        } catch {
                            errors.add("frame \(f): \(error)")
                        }
                        f += workers
                    }
                }
            }
            prefetch.wait()
            if let first = errors.first {
                failed = first
                break
            }
            k = range.upperBound
            swap(&current, &upcoming)
            progress("depth", k, rows)
        }
        if let failed {
            d.note = (d.note ?? "") + "; " + failed
            d.alignedFrames = k
            d.zeroFrames = n - k
        }
        guard let cache = try? PerFrameCache(values: out, rows: n, cols: DepthFeatures.dimension) else { return }
        sources[block] = .perFrame(cache)
        if let store, let key, failed == nil {
            do {
                try store.store(kind: "depth", key: key, cache: cache, meta: DepthMeta(rows: n, sourceRows: info.frames, scaling: scalingName))
                d.cache = "built"
            } catch { d.note = (d.note ?? "") + "; cache not written: \(error)" }
        }
        d.seconds = Self.elapsed(since: start)
        diagnostics.append(d)
    }

    /// One depth block being read or computed on; a class so the prefetching thread can fill it.
    final class DepthBlockBuffer: @unchecked Sendable {
        var frames: DepthFrames
        var error: String?
        init(_ frames: DepthFrames) { self.frames = frames }
        func fill(_ reader: DepthReader, _ range: Range<Int>) {
            do throws(EpisodeError) { try reader.read(range, into: &frames); error = nil } catch { self.error = "\(error)" }
        }
    }

    // MARK: Video

    /// What a video cache entry holds besides the M × 98 features.
    struct VideoMeta: Codable {
        var frames: Int
        var pts: [Int64]
        var timeBaseNumerator: Int
        var timeBaseDenominator: Int
        var fps: Double?
        var error: String?
    }

    /// Features of every decodable frame of one MP4 (cached by content).
    mutating func decodeVideo(url: URL, stage: String) throws -> (cache: PerFrameCache, meta: VideoMeta, cacheState: String) {
        var key: String? = nil
        if let store {
            key = ContentFingerprint.key(["video-v1", "img=\(VideoFeatures.imageSize)", "grid=\(VideoFeatures.gridSize)",
                                          "hist=\(VideoFeatures.histogramBins)", "rgb24-area", try ContentFingerprint.file(url)])
            if let key, let hit = store.load(kind: "video", key: key, cols: VideoFeatures.dimension, as: VideoMeta.self),
               hit.meta.pts.count == hit.cache.rows {
                return (hit.cache, hit.meta, "hit")
            }
        }
        let size = VideoFeatures.imageSize
        let decoder = try VideoDecoder(url: url, options: VideoDecodeOptions(output: .rgb24, size: .area(width: size, height: size),
                                                                              threads: options.decoderThreads))
        var values: [Float] = []
        values.reserveCapacity((decoder.declaredFrameCount ?? n) * VideoFeatures.dimension)
        var pts: [Int64] = []
        var frame = VideoFrame()
        var error: String? = nil
        let expected = decoder.declaredFrameCount ?? n
        do {
            while try decoder.nextFrame(into: &frame) {
                values += VideoFeatures.thumbnailFeatures(frame.pixels)
                pts.append(frame.pts)
                if pts.count % 50 == 0 { progress(stage, pts.count, expected) }
            }
        } catch let e {
            // The reference stops at a failed read and holds the last good vector.
            error = "\(e)"
        }
        progress(stage, pts.count, max(expected, pts.count))
        let meta = VideoMeta(frames: pts.count, pts: pts, timeBaseNumerator: decoder.timeBase.numerator,
                             timeBaseDenominator: decoder.timeBase.denominator, fps: decoder.fps, error: error)
        let cache = try PerFrameCache(values: values, rows: pts.count, cols: VideoFeatures.dimension)
        var state = "off"
        if let store, let key, error == nil {
            do {
                try store.store(kind: "video", key: key, cache: cache, meta: meta)
                state = "built"
            } catch let e {
                // A cache that cannot be written costs time next run, not this result.
                state = "not written: \(e)"
            }
        }
        return (cache, meta, state)
    }

    mutating func buildVideo(stream: String) {
        let start = ContinuousClock.now
        let block = "video_" + stream
        let url = episode.directory.appendingPathComponent(stream + ".mp4")
        mediaPaths[stream] = url.path
        guard FileManager.default.fileExists(atPath: url.path) else {
            diagnostics.append(StreamDiagnostics(block: block, present: false, source: url.lastPathComponent, note: "file absent", zeroFrames: n))
            return
        }
        var d = StreamDiagnostics(block: block, present: true, source: url.lastPathComponent)
        let decoded: (cache: PerFrameCache, meta: VideoMeta, cacheState: String)
        do { decoded = try decodeVideo(url: url, stage: "video " + stream) } catch {
            d.present = false
            d.note = "\(error)"
            d.zeroFrames = n
            diagnostics.append(d)
            return
        }
        let (cache, meta, cacheState) = decoded
        d.cache = cacheState
        d.sourceRows = meta.frames
        let m = meta.frames
        guard m > 0 else {
            d.present = false
            d.note = "no decodable frames" + (meta.error.map { ": \($0)" } ?? "")
            d.zeroFrames = n
            diagnostics.append(d)
            return
        }
        let dim = VideoFeatures.dimension
        var out = [Float](repeating: 0, count: n * dim)
        var notes: [String] = []
        if let e = meta.error { notes.append("decoding stopped after \(m) frames: \(e)") }
        let tb = Double(meta.timeBaseNumerator) / Double(max(meta.timeBaseDenominator, 1))
        if strict, let times = frameTimes {
            // Nearest video frame by time since the first pts, within half a frame interval.
            let v = meta.pts.map { Double($0 - meta.pts[0]) * tb }
            let tolerance = 0.5 * (times[n] - times[n - 1])
            var j = 0
            var residuals: [Double] = []
            var mismatches = 0
            for k in 0..<n {
                while j + 1 < m, abs(v[j + 1] - times[k]) < abs(v[j] - times[k]) { j += 1 }
                let r = v[j] - times[k]
                guard abs(r) <= tolerance else { continue }
                residuals.append(r)
                if j != k { mismatches += 1 }
                out.replaceSubrange((k * dim)..<((k + 1) * dim), with: cache.values[(j * dim)..<((j + 1) * dim)])
            }
            d.alignedFrames = residuals.count
            d.zeroFrames = n - residuals.count
            let sorted = residuals.sorted()
            d.offsetSeconds = sorted.isEmpty ? nil : sorted[sorted.count / 2]
            d.maxResidualSeconds = residuals.map(abs).max()
            d.indexMismatchFrames = mismatches
            notes.append(String(format: "aligned by pts: first pts %.6f s taken as device frame 0", Double(meta.pts[0]) * tb))
        } else {
            // Reference: video frame k ↔ annotation frame k; past the end the last good vector is held.
            for k in 0..<n {
                let j = min(k, m - 1)
                out.replaceSubrange((k * dim)..<((k + 1) * dim), with: cache.values[(j * dim)..<((j + 1) * dim)])
            }
            d.alignedFrames = min(n, m)
            d.heldFrames = max(0, n - m)
            if strict { notes.append("no video/device_timestamp: index alignment used") }
            if d.heldFrames > 0 { notes.append("last decoded frame held for \(d.heldFrames) frames") }
        }
        d.note = notes.isEmpty ? nil : notes.joined(separator: "; ")
        if let c = try? PerFrameCache(values: out, rows: n, cols: dim) { sources[block] = .perFrame(c) }
        d.seconds = Self.elapsed(since: start)
        diagnostics.append(d)
    }

    // MARK: Audio

    struct AudioMeta: Codable { var numSamples: Int; var fps: Double; var offsetSeconds: Double? }

    mutating func buildAudio() {
        let start = ContinuousClock.now
        let block = "audio_fisheye_cam0_aac"
        let url = episode.directory.appendingPathComponent("fisheye_cam0.mp4")
        let sr = AudioFeatures.referenceSampleRate
        var d = StreamDiagnostics(block: block, present: false, source: url.lastPathComponent)
        guard FileManager.default.fileExists(atPath: url.path) else {
            d.note = "file absent"
            d.zeroFrames = n
            audio = AudioSummary(source: url.lastPathComponent, exists: false, hasAudio: false, sampleRate: sr, fps: 0, numSamples: 0)
            diagnostics.append(d)
            return
        }
        do {
            let info = try MediaInfo.probe(url)
            guard info.hasAudio else {
                d.note = "no audio track"
                d.zeroFrames = n
                audio = AudioSummary(source: url.lastPathComponent, exists: true, hasAudio: false, sampleRate: sr, fps: info.fps ?? 0, numSamples: 0)
                diagnostics.append(d)
                return
            }
            // Strict: sample time = device time since frame 0 + (first video pts − audio start).
            let times = strict ? frameTimes : nil
            let offset = (info.video?.startTimeSeconds ?? 0) - (info.audio?.startTimeSeconds ?? 0)
            var key: String? = nil
            if let store {
                var parts = ["audio-v1", "sr=\(sr)", "bands=\(AudioFeatures.bandCount)", "n=\(n)", try ContentFingerprint.file(url)]
                if let times { parts += ["strict", "offset=\(offset)", ContentFingerprint.hex(ContentFingerprint.bytes(times))] }
                else { parts.append("reference") }
                key = ContentFingerprint.key(parts)
                if let key, let hit = store.load(kind: "audio", key: key, cols: AudioFeatures.dimension, as: AudioMeta.self), hit.cache.rows == n {
                    sources[block] = .perFrame(hit.cache)
                    d.present = true
                    d.cache = "hit"
                    d.sourceRows = hit.meta.numSamples
                    d.offsetSeconds = hit.meta.offsetSeconds
                    fillAudioCounts(&d, numSamples: hit.meta.numSamples, fps: hit.meta.fps, times: times, offset: offset)
                    audio = AudioSummary(source: url.lastPathComponent, exists: true, hasAudio: true, sampleRate: sr, fps: hit.meta.fps, numSamples: hit.meta.numSamples)
                    d.seconds = Self.elapsed(since: start)
                    diagnostics.append(d)
                    return
                }
            }
            progress("audio", 0, n)
            let decoded = try decodeAudio(url: url, options: AudioDecodeOptions(sampleRate: sr, channels: 1))
            let count = decoded.samples.count
            let fps = info.fps ?? fallbackAudioFPS(frameCount: n, sampleCount: count, sampleRate: sr)
            let ranges = audioRanges(numSamples: count, fps: fps, times: times, offset: offset)
            var out = [Float](repeating: 0, count: n * AudioFeatures.dimension)
            var plans: [Int: PowerSpectrumPlan] = [:]
            for k in 0..<n {
                let r = ranges[k]
                guard !r.isEmpty else { continue }
                let plan: PowerSpectrumPlan
                if let p = plans[r.count] { plan = p } else {
                    plan = PowerSpectrumPlan(n: r.count)
                    plans[r.count] = plan
                }
                let f = AudioFeatures.segmentFeatures(decoded.samples[r], sampleRate: sr, plan: plan)
                out.replaceSubrange((k * AudioFeatures.dimension)..<((k + 1) * AudioFeatures.dimension), with: f)
                if k % 500 == 0 { progress("audio", k, n) }
            }
            progress("audio", n, n)
            let cache = try PerFrameCache(values: out, rows: n, cols: AudioFeatures.dimension)
            sources[block] = .perFrame(cache)
            d.present = true
            d.sourceRows = count
            if times != nil { d.offsetSeconds = offset }
            fillAudioCounts(&d, numSamples: count, fps: fps, times: times, offset: offset)
            audio = AudioSummary(source: url.lastPathComponent, exists: true, hasAudio: true, sampleRate: sr, fps: fps, numSamples: count)
            if let store, let key {
                do {
                    try store.store(kind: "audio", key: key, cache: cache, meta: AudioMeta(numSamples: count, fps: fps, offsetSeconds: times != nil ? offset : nil))
                    d.cache = "built"
                } catch { d.cache = "not written: \(error)" }
            }
        } catch {
            d.note = "\(error)"
            if !d.present { d.zeroFrames = n }
        }
        d.seconds = Self.elapsed(since: start)
        diagnostics.append(d)
    }

    /// Sample ranges per frame. Reference: `[round(k/fps·sr), round((k+1)/fps·sr))` clipped.
    /// Strict: the same rounding and clipping on device times shifted by `offset`.
    func audioRanges(numSamples: Int, fps: Double, times: [Double]?, offset: Double) -> [Range<Int>] {
        let sr = Double(AudioFeatures.referenceSampleRate)
        guard let times else {
            return (0..<n).map { frameSampleRange(frame: $0, fps: fps, sampleRate: AudioFeatures.referenceSampleRate, sampleCount: numSamples) }
        }
        func position(_ t: Double) -> Int {
            let r = ((t + offset) * sr).rounded(.toNearestOrEven)
            guard r.isFinite else { return 0 }
            return Int(max(min(r, Double(Int.max / 2)), Double(Int.min / 2)))
        }
        return (0..<n).map { k in
            let s = min(max(position(times[k]), 0), numSamples)
            let e = min(max(position(times[k + 1]), s + 1), numSamples)
            return s..<max(e, s)
        }
    }

    func fillAudioCounts(_ d: inout StreamDiagnostics, numSamples: Int, fps: Double, times: [Double]?, offset: Double) {
        let ranges = audioRanges(numSamples: numSamples, fps: fps, times: times, offset: offset)
        let filled = ranges.filter { !$0.isEmpty }.count
        d.alignedFrames = filled
        d.zeroFrames = n - filled
        d.note = times != nil ? "samples by device time from the first video pts (audio start offset applied)"
                              : String(format: "samples by frame index at the container fps %.8f", fps)
    }

    // MARK: Text

    mutating func buildText() {
        let start = ContinuousClock.now
        let block = "caption_objects_interaction_text"
        do {
            let table = try episode.captions(frameNames: options.frameNames)
            var memo: [String: [Float]] = [:]
            var out = [Float](repeating: 0, count: n * 128)
            let rows = min(n, table.frames.count)
            for k in 0..<rows {
                let info = table.frames[k]
                let text = frameCaptionText(objects: info.objects ?? [], interaction: info.interaction ?? "")
                let v: [Float]
                if let m = memo[text] { v = m } else {
                    v = hashedTextFeatures(text, dimensions: 128)
                    memo[text] = v
                }
                out.replaceSubrange((k * 128)..<((k + 1) * 128), with: v)
            }
            let cache = try PerFrameCache(values: out, rows: n, cols: 128)
            sources[block] = .perFrame(cache)
            diagnostics.append(StreamDiagnostics(block: block, present: true, source: "caption (objects, interaction)", sourceRows: table.frames.count,
                                                 alignedFrames: rows, zeroFrames: n - rows, seconds: Self.elapsed(since: start)))
        } catch {
            diagnostics.append(StreamDiagnostics(block: block, present: false, source: "caption", note: "\(error)", zeroFrames: n))
        }
    }

    // MARK: Static blocks

    mutating func buildStatic() {
        do {
            let cloud = try episode.pointCloud()
            let features = try PointCloudStats.features(cloud.filtered.map { Float($0) })
            sources["slam_point_cloud"] = .staticVector(features)
            diagnostics.append(StreamDiagnostics(block: "slam_point_cloud", present: true, source: "slam/point_cloud",
                                                 note: "\(cloud.filteredCount) of \(cloud.rawCount) points within the 95th-percentile distance",
                                                 sourceRows: cloud.rawCount, alignedFrames: n))
        } catch {
            diagnostics.append(StreamDiagnostics(block: "slam_point_cloud", present: false, source: "slam/point_cloud", note: "\(error)", zeroFrames: n))
        }
        do {
            let vector = try episode.calibration().canonicalVector
            if vector.count == Calibration.canonicalLength {
                sources["calibration"] = .staticVector(vector)
                diagnostics.append(StreamDiagnostics(block: "calibration", present: true, source: "calibration/", sourceRows: vector.count, alignedFrames: n))
            } else {
                diagnostics.append(StreamDiagnostics(block: "calibration", present: false, source: "calibration/",
                                                     note: "expected \(Calibration.canonicalLength) numbers, found \(vector.count); zero-filled to keep the schema",
                                                     sourceRows: vector.count, zeroFrames: n))
            }
        } catch {
            diagnostics.append(StreamDiagnostics(block: "calibration", present: false, source: "calibration/", note: "\(error)", zeroFrames: n))
        }
    }
}

/// A raw pointer handed to parallel workers that write disjoint elements.
struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>?
    init(_ pointer: UnsafeMutablePointer<Float>?) { self.pointer = pointer }
}

/// Error messages collected from parallel workers.
final class LockedErrors: @unchecked Sendable {
    private var messages: [String] = []
    private let lock = NSLock()
    func add(_ message: String) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }
    var first: String? {
        lock.lock()
        defer { lock.unlock() }
        return messages.sorted().first
    }
}

/// Depth extractors, one per worker; each is used by exactly one worker at a time.
final class ExtractorPool: @unchecked Sendable {
    let items: [DepthFeatureExtractor]
    init(_ items: [DepthFeatureExtractor]) { self.items = items }
}
