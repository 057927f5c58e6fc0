import EpisodeIO
import Foundation

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
    // What the timeline keeps besides the caches (read once here, shared with the targets).
    var captionTable: CaptionTable? = nil
    var captionNote: String? = nil
    var calibration: Calibration? = nil
    var calibrationNote: String? = nil
    var poses: CameraPoses? = nil
    var posesNote: String? = nil
    var targetHands: [Float]? = nil
    var targetHandValid: [Bool]? = nil
    var contacts: [Float]? = nil
    var strict: Bool { options.featureProtocol == .strict }

    init(episode: Episode, options: FeatureBuildOptions, timeline: Timeline) {
        self.episode = episode
        self.options = options
        self.timeline = timeline
        self.n = timeline.frameCount
        self.store = options.cacheDirectory.map { FeatureCacheStore(directory: $0, force: options.force) }
    }

    /// Reads every modality once and builds every cache. The order matters only for reuse:
    /// calibration before poses (T_c0_b comes from it), captions before text.
    mutating func run() throws -> EpisodeFeatureCaches {
        readShared()
        buildHandsAndBody(poses: poses)
        buildCamera(poses: poses)
        buildIMU()
        if options.includeMediaBlocks {
            buildDepth()
            if options.includeVideoBlocks { buildVideoStreams(episodeVideoStreamNames) } else { skipVideoBlocks() }
            buildAudio()
        } else {
            skipMediaBlocks()
        }
        buildText()
        buildStatic()
        let order = FeatureSchema.reference.blocks.map(\.name)
        diagnostics.sort { (order.firstIndex(of: $0.block) ?? order.count) < (order.firstIndex(of: $1.block) ?? order.count) }
        return EpisodeFeatureCaches(featureProtocol: options.featureProtocol, frameCount: n, sources: sources,
                                    diagnostics: diagnostics, handValid: handValid, mediaPaths: mediaPaths, audio: audio)
    }

    /// The datasets more than one block (or a task target) needs, read once.
    mutating func readShared() {
        do { calibration = try episode.calibration() } catch { calibrationNote = "\(error)" }
        do { poses = try episode.cameraPoses(calibration: calibration) } catch { posesNote = "\(error)" }
        do {
            captionTable = try episode.captions(rules: options.resolvedCaptionRules,
                                                frameNames: options.frameNames ?? timeline.frameNames)
        } catch {
            captionNote = "\(error)"
        }
    }

    /// A sensors-only build: the blocks that need depth frames or the MP4s are absent.
    mutating func skipMediaBlocks() {
        let note = "not built (sensors-only run)"
        diagnostics.append(StreamDiagnostics(block: "depth_confidence", present: false, source: "depth/depth", note: note, zeroFrames: n))
        for name in episodeVideoStreamNames {
            mediaPaths[name] = episode.mediaURL(name).path
            diagnostics.append(StreamDiagnostics(block: "video_" + name, present: false, source: name + ".mp4", note: note, zeroFrames: n))
        }
        diagnostics.append(StreamDiagnostics(block: "audio_fisheye_cam0_aac", present: false, source: "fisheye_cam0.mp4", note: note, zeroFrames: n))
    }

    /// A build without the video blocks (depth and audio are still built).
    mutating func skipVideoBlocks() {
        for name in episodeVideoStreamNames {
            mediaPaths[name] = episode.mediaURL(name).path
            diagnostics.append(StreamDiagnostics(block: "video_" + name, present: false, source: name + ".mp4",
                                                 note: "not built (video blocks off)", zeroFrames: n))
        }
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
            if let contacts = body.contacts, contacts.count == n * 21 { self.contacts = contacts }
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
        // The task targets use exactly the feature rule (one hand rule for both): per hand the
        // protocol-frame joints and, in strict, the validity mask; in reference, detection.
        var targetParts: [(values: [Float], valid: [Bool])] = []
        for (block, joints, detected, dataset, stored) in [("hand_left_joints", hands.left, hands.leftPresent, "hand_mocap/left_joints_3d", hands.leftStored),
                                                           ("hand_right_joints", hands.right, hands.rightPresent, "hand_mocap/right_joints_3d", hands.rightStored)] {
            var out = [Float](repeating: 0, count: rows * 63)
            var d = StreamDiagnostics(block: block, present: true, source: dataset, sourceRows: rows,
                                      alignedFrames: min(rows, n), zeroFrames: max(0, n - rows))
            if !stored {
                // No feature block; the target keeps the reference arithmetic on the stored
                // zeros (camera-frame zeros minus the pelvis), never valid.
                var zeros = [Float](repeating: 0, count: rows * 63)
                if !strict, let body, body.count == rows {
                    for i in 0..<rows { for j in 0..<21 { for a in 0..<3 { zeros[i * 63 + j * 3 + a] = 0 - body.keypoints[i * 156 + a] } } }
                }
                targetParts.append((zeros, [Bool](repeating: false, count: rows)))
                d.present = false
                d.note = "dataset absent: the hand reads as zeros, never detected"
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
                targetParts.append((out, detected))
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
                // The targets never fall back silently to the camera frame: without camera
                // poses no target frame is valid (the forecast task then says why), while
                // the feature block keeps its camera-frame rows and says so in its note.
                targetParts.append((out, posesUsable ? valid : [Bool](repeating: false, count: rows)))
                let masked = valid.prefix(n).filter { !$0 }.count
                d.alignedFrames = min(rows, n) - masked
                d.zeroFrames = max(0, n - rows) + masked
                if posesUsable && bodyUsable {
                    d.note = "world-frame joints (R_c2w·h + t_c2w) minus world pelvis; \(masked) undetected or invalid frames masked to zero rows"
                } else if posesUsable {
                    d.note = "no body: world-oriented joints relative to the camera centre; \(masked) frames masked"
                } else {
                    d.note = "no camera poses: camera-frame joints as stored in the feature block; \(masked) frames masked; no forecast target frame is valid (a world-frame target needs the poses)"
                }
            }
            if let cache = try? PerFrameCache(values: out, rows: rows, cols: 63) {
                sources[block] = .perFrame(cache)
            }
            d.seconds = Self.elapsed(since: start)
            diagnostics.append(d)
        }
        // Targets need both hands and the pelvis on every annotation frame.
        if rows == n, body?.count == n, targetParts.count == 2 {
            var joined = [Float](repeating: 0, count: n * 126)
            var valid = [Bool](repeating: false, count: n * 2)
            for f in 0..<n {
                for side in 0..<2 {
                    joined.replaceSubrange((f * 126 + side * 63)..<(f * 126 + side * 63 + 63),
                                           with: targetParts[side].values[(f * 63)..<(f * 63 + 63)])
                    valid[f * 2 + side] = targetParts[side].valid[f]
                }
            }
            targetHands = joined
            targetHandValid = valid
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
