import Foundation
import XPCore

extension SyntheticEpisode {
    /// The device timestamps of a synthetic episode: 20 fps with jitter, 14 digits.
    public static func timestamps(frames: Int, seed: UInt64) -> [Int64] {
        var rng = SplitMix64(seed: seed).fork(0x7157_A3B5)
        var t: Int64 = 72_857_807_732_824 + Int64(seed % 1000) * 1_000_000_000
        var out: [Int64] = []
        out.reserveCapacity(frames)
        for _ in 0..<frames {
            out.append(t)
            t += 50_000_000 + Int64(rng.normal() * 300_000)
        }
        return out
    }

    /// Writes `annotation.hdf5` (and, when `media` is given, the MP4s) into `folder`, which is
    /// created. Same config, same bytes.
    @discardableResult
    public static func write(_ config: SyntheticEpisodeConfig, to folder: URL,
                             media: ((SyntheticEpisode, SyntheticMotionView) throws -> Void)? = nil) throws -> SyntheticEpisode {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let plan = SyntheticPlan(frameCount: config.frames, grid: config.grid, seed: config.seed)
        let timestamps = timestamps(frames: config.frames, seed: config.seed)
        let caption = config.variant == .noCaption ? nil : plan.captionJSON(timestamps: timestamps, seed: config.seed)
        let episode = SyntheticEpisode(folder: folder, config: config, plan: plan, timestamps: timestamps, caption: caption)
        let motion = SyntheticMotion(plan: plan, timestamps: timestamps, seed: config.seed)
        try AnnotationWriter(config: config, plan: plan, timestamps: timestamps, caption: caption, motion: motion)
            .write(to: episode.annotationPath)
        if config.variant == .truncated {
            let url = URL(fileURLWithPath: episode.annotationPath)
            let data = try Data(contentsOf: url)
            try data.prefix(data.count * 6 / 10).write(to: url)
        }
        if config.variant != .noVideo, let media {
            try media(episode, SyntheticMotionView(motion: motion, config: config))
        }
        return episode
    }
}

/// What the media writer needs to draw and voice the synthetic episode.
public struct SyntheticMotionView: Sendable {
    let motion: SyntheticMotion
    let config: SyntheticEpisodeConfig

    /// The scripted action of frame `i` (index into ``PourOverCoffee/activities``) and the
    /// fraction of it already done.
    public func activity(_ i: Int) -> (index: Int, phase: Double) { (motion.activity[i], motion.phase[i]) }
    public func seconds(_ i: Int) -> Double { motion.seconds[i] }
    public var frameCount: Int { motion.n }
    public func leftHandVisible(_ i: Int) -> Bool { motion.leftPresent[i] }
    public func rightHandVisible(_ i: Int) -> Bool { motion.rightPresent[i] }
    public func yaw(_ i: Int) -> Double { motion.yaw[i] }
    /// The action's tone in Hz (what the audio track plays while it lasts).
    public func tone(_ activity: Int) -> Double { ActivitySignature.all[activity].tone }
    /// The action's scene colour (hue in [0, 1)), stripe angle and frequency.
    public func look(_ activity: Int) -> (hue: Double, stripeAngle: Double, stripeFrequency: Double) {
        let s = ActivitySignature.all[activity]
        return (s.hue, s.stripeAngle, s.stripeFrequency)
    }
}

/// Writes the 65 datasets.
struct AnnotationWriter {
    let config: SyntheticEpisodeConfig
    let plan: SyntheticPlan
    let timestamps: [Int64]
    let caption: JSONValue?
    let motion: SyntheticMotion

    var n: Int { plan.frameCount }
    var storage: HDF5Writer.Storage { .contiguous }
    func chunked(_ shape: [Int]) -> HDF5Writer.Storage {
        config.gzip ? .chunkedGzip(chunks: [1] + shape.dropFirst().map { min($0, 64) }, level: 4) : .contiguous
    }

    func write(to path: String) throws {
        let w = try HDF5Writer(path: path)
        let v = config.variant
        try writeCalibration(w)
        if let caption { try w.writeString("caption", caption.pythonJSON()) }
        if v != .noDepth { try writeDepth(w) }
        try writeBody(w, keypointsAndContacts: v != .noSlamBody)
        if v != .noHands { try writeHands(w) }
        if v != .noIMU { try writeIMU(w) }
        try writeMetadata(w)
        if v != .noSlamBody { try writeSLAM(w) }
        try writeVideo(w)
        try w.finish()
    }

    func writeCalibration(_ w: HDF5Writer) throws {
        try w.write("calibration/cam0/D", SampleCalibration.cam0D, shape: [4])
        try w.write("calibration/cam0/K", SampleCalibration.cam0K, shape: [4])
        try w.write("calibration/cam0/T_c_b", SampleCalibration.cam0Tcb, shape: [4, 4])
        try w.writeString("calibration/cam0/camera_model", "pinhole")
        try w.writeString("calibration/cam0/distortion_model", "equidistant")
        try w.write("calibration/cam01/K", SampleCalibration.stereoK, shape: [4])
        try w.write("calibration/cam01/T_c0_b", SampleCalibration.stereoTc0b, shape: [4, 4])
        try w.writeScalar("calibration/cam01/baseline", SampleCalibration.baseline)
        for c in 1...3 {
            try w.write("calibration/cam\(c)/D", SampleCalibration.camD[c - 1], shape: [4])
            try w.write("calibration/cam\(c)/K", SampleCalibration.camK[c - 1], shape: [4])
            try w.write("calibration/cam\(c)/T_cn_cnm1", SampleCalibration.chain(c), shape: [4, 4])
            try w.writeString("calibration/cam\(c)/camera_model", "pinhole")
            try w.writeString("calibration/cam\(c)/distortion_model", "equidistant")
        }
    }

    /// Depth: a table plane seen from above, the action's object nearer, invalid zeros along a
    /// border band and in scattered pixels; confidence falls with distance. Written in blocks.
    func writeDepth(_ w: HDF5Writer) throws {
        let d = config.depthSize
        try w.create("depth/depth", of: Float.self, shape: [n, d, d], storage: chunked([n, d, d]))
        try w.create("depth/confidence", of: UInt8.self, shape: [n, d, d], storage: chunked([n, d, d]))
        var rng = SplitMix64(seed: config.seed).fork(0xDE97_0001)
        var minimum = Float.greatestFiniteMagnitude
        var maximum: Float = 0
        let block = max(1, min(n, 4_000_000 / (d * d)))
        var start = 0
        while start < n {
            let end = min(n, start + block)
            var depth = [Float](repeating: 0, count: (end - start) * d * d)
            var confidence = [UInt8](repeating: 0, count: depth.count)
            for i in start..<end {
                let sig = ActivitySignature.all[motion.activity[i]]
                let base = 1.2 + 0.6 * (motion.pitch[i] - 0.25)
                let (cx, cy) = (sig.objectCentre.0 + 0.05 * sin(motion.seconds[i]), sig.objectCentre.1)
                let r2 = sig.objectRadius * sig.objectRadius
                let noiseSeed = rng.next()
                let o = (i - start) * d * d
                for y in 0..<d {
                    let v = (Double(y) + 0.5) / Double(d)
                    let row = base + 1.1 * (0.5 - v)
                    for x in 0..<d {
                        let u = (Double(x) + 0.5) / Double(d)
                        var z = row
                        let du = u - cx, dv = v - cy
                        if du * du + dv * dv < r2 { z = sig.objectDepth + 0.15 * (du * du + dv * dv) / r2 }
                        // Deterministic per-pixel noise and invalid pixels.
                        var h = noiseSeed ^ UInt64(y &* 73_856_093) ^ UInt64(x &* 19_349_663)
                        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
                        let unit = Double(h >> 11) * 0x1.0p-53
                        z += (unit - 0.5) * 0.01
                        let invalid = y < max(1, d / 32) || unit < 0.03
                        let k = o + y * d + x
                        if invalid {
                            depth[k] = 0
                            confidence[k] = UInt8(28 + Int(unit * 1000) % 20)
                        } else {
                            let value = Float(min(max(z, 0.165), 2.6))
                            depth[k] = value
                            minimum = min(minimum, value)
                            maximum = max(maximum, value)
                            confidence[k] = UInt8(max(28, min(205, Int(215 - 60 * Double(value) + unit * 20))))
                        }
                    }
                }
            }
            try w.writeRows("depth/depth", depth, rows: start..<end)
            try w.writeRows("depth/confidence", confidence, rows: start..<end)
            start = end
        }
        try w.writeScalar("depth/depth_max", Double(maximum))
        try w.writeScalar("depth/depth_min", Double(minimum))
        try w.writeScalar("depth/scale", 0.5)
    }

    /// Body keypoints in the world (z-up, floor at −body height), wrists and fingers where the
    /// hands are, contacts with feet down and hands touching during grasps.
    func writeBody(_ w: HDF5Writer, keypointsAndContacts: Bool) throws {
        var rng = SplitMix64(seed: config.seed).fork(0xB0D7_0001)
        var keypoints = [Float](repeating: 0, count: n * 156)
        var contacts = [Float](repeating: 0, count: n * 21)
        var cpf = [Float](repeating: 0, count: n * 7)
        var root = [Float](repeating: 0, count: n * 7)
        var bodyQuats = [Float](repeating: 0, count: n * 84)
        var leftQuats = [Float](repeating: 0, count: n * 60)
        var rightQuats = [Float](repeating: 0, count: n * 60)
        var betas = [Float](repeating: 0, count: n * 16)
        let shape = (0..<16).map { _ in Float(rng.normal() * 0.5) }
        for i in 0..<n {
            let yawR = Geometry.rz(motion.yaw[i])
            let pelvis = zip(motion.position[i], Geometry.apply(yawR, [0, -0.08, -0.87])).map { $0 + $1 }
            var joints = BodyTemplate.joints.map { j in zip(pelvis, Geometry.apply(yawR, j)).map { $0 + $1 } }
            if motion.leftPresent[i] {
                joints[20] = motion.toWorld(i, Array(motion.left[i][0..<3]))
                for c in 0..<5 { for k in 0..<3 { let h = 1 + 4 * c + k; joints[22 + 3 * c + k] = motion.toWorld(i, Array(motion.left[i][(h * 3)..<(h * 3 + 3)])) } }
            }
            if motion.rightPresent[i] {
                joints[21] = motion.toWorld(i, Array(motion.right[i][0..<3]))
                for c in 0..<5 { for k in 0..<3 { let h = 1 + 4 * c + k; joints[37 + 3 * c + k] = motion.toWorld(i, Array(motion.right[i][(h * 3)..<(h * 3 + 3)])) } }
            }
            for (shoulder, elbow, wrist) in [(16, 18, 20), (17, 19, 21)] {
                let s = joints[shoulder], h = joints[wrist]
                joints[elbow] = [0.5 * (s[0] + h[0]), 0.5 * (s[1] + h[1]), 0.5 * (s[2] + h[2]) - 0.12]
            }
            for (j, p) in joints.enumerated() { for a in 0..<3 { keypoints[i * 156 + j * 3 + a] = Float(p[a]) } }
            // Contacts: index j is body joint j + 1. Feet (6, 7, 9, 10) down, alternating when walking.
            let walking = PourOverCoffee.activities[motion.activity[i]].walks
            let gait = sin(2 * Double.pi * 0.9 * motion.seconds[i])
            for c in 0..<21 { contacts[i * 21 + c] = Float(rng.normal() * 0.0004) }
            for (c, side) in [(6, 1.0), (9, 1.0), (7, -1.0), (10, -1.0)] {
                let down = !walking || gait * side > -0.3
                contacts[i * 21 + c] = (down ? 1 : 0) + Float(rng.normal() * 0.0004)
            }
            if PourOverCoffee.activities[motion.activity[i]].grasp {
                if motion.leftPresent[i] { contacts[i * 21 + 19] = 1 + Float(rng.normal() * 0.0004) }
                if motion.rightPresent[i] { contacts[i * 21 + 20] = 1 + Float(rng.normal() * 0.0004) }
            }
            let cq = Geometry.quaternion(motion.cameraRotation[i])
            let centre = motion.cameraCentre[i]
            for a in 0..<4 { cpf[i * 7 + a] = Float(cq[a]) }
            for a in 0..<3 { cpf[i * 7 + 4 + a] = Float(centre[a] + [0.02, -0.03, 0.04][a]) }
            let rq = Geometry.quaternion(yawR)
            for a in 0..<4 { root[i * 7 + a] = Float(rq[a]) }
            for a in 0..<3 { root[i * 7 + 4 + a] = Float(pelvis[a]) }
            func smallQuat() -> [Float] {
                let v = (0..<3).map { _ in rng.normal() * 0.1 }
                let angle = v.map { $0 * $0 }.reduce(0, +).squareRoot()
                let s = angle > 0 ? sin(angle / 2) / angle : 0.5
                return [Float(cos(angle / 2)), Float(v[0] * s), Float(v[1] * s), Float(v[2] * s)]
            }
            for j in 0..<21 { bodyQuats.replaceSubrange((i * 84 + j * 4)..<(i * 84 + j * 4 + 4), with: smallQuat()) }
            for j in 0..<15 {
                leftQuats.replaceSubrange((i * 60 + j * 4)..<(i * 60 + j * 4 + 4), with: smallQuat())
                rightQuats.replaceSubrange((i * 60 + j * 4)..<(i * 60 + j * 4 + 4), with: smallQuat())
            }
            betas.replaceSubrange((i * 16)..<(i * 16 + 16), with: shape)
        }
        if config.variant == .invalidEnds {
            for i in 0..<min(3, n) { for k in 0..<156 { keypoints[i * 156 + k] = .nan } }
        }
        try w.write("full_body_mocap/Ts_world_cpf", cpf, shape: [n, 7], storage: chunked([n, 7]))
        try w.write("full_body_mocap/Ts_world_root", root, shape: [n, 7], storage: chunked([n, 7]))
        try w.write("full_body_mocap/betas", betas, shape: [n, 16], storage: chunked([n, 16]))
        try w.write("full_body_mocap/body_quats", bodyQuats, shape: [n, 21, 4], storage: chunked([n, 21, 4]))
        if keypointsAndContacts {
            try w.write("full_body_mocap/contacts", contacts, shape: [n, 21], storage: chunked([n, 21]))
        }
        try w.write("full_body_mocap/frame_nums", (0..<n).map { Int64($0) }, shape: [n], storage: chunked([n]))
        if keypointsAndContacts {
            try w.write("full_body_mocap/keypoints", keypoints, shape: [n, 52, 3], storage: chunked([n, 52, 3]))
        }
        try w.write("full_body_mocap/left_hand_quats", leftQuats, shape: [n, 15, 4], storage: chunked([n, 15, 4]))
        try w.write("full_body_mocap/right_hand_quats", rightQuats, shape: [n, 15, 4], storage: chunked([n, 15, 4]))
    }

    /// Hands in the camera frame with MANO-style parameters; every `<side>_*` row is zero where
    /// the hand is absent.
    func writeHands(_ w: HDF5Writer) throws {
        var rng = SplitMix64(seed: config.seed).fork(0x4A4D_0001)
        for (side, joints, present) in [("left", motion.left, motion.leftPresent), ("right", motion.right, motion.rightPresent)] {
            var j3d = [Float](repeating: 0, count: n * 63)
            var translation = [Float](repeating: 0, count: n * 3)
            var pose = [Float](repeating: 0, count: n * 135)
            var orient = [Float](repeating: 0, count: n * 9)
            var betas = [Float](repeating: 0, count: n * 10)
            let shape = (0..<10).map { _ in Float(rng.normal() * 0.3) }
            for i in 0..<n where present[i] {
                for k in 0..<63 { j3d[i * 63 + k] = Float(joints[i][k]) }
                for a in 0..<3 { translation[i * 3 + a] = Float(joints[i][a] + [0.01, 0.02, -0.01][a]) }
                let curl = 0.3 + 0.4 * sin(motion.seconds[i])
                for f in 0..<15 {
                    let r = Geometry.rx(curl * Double(1 + f % 3) / 3)
                    for k in 0..<9 { pose[i * 135 + f * 9 + k] = Float(r[k]) }
                }
                let g = Geometry.mul(Geometry.rz(motion.yaw[i] * 0.1), Geometry.rx(0.4))
                for k in 0..<9 { orient[i * 9 + k] = Float(g[k]) }
                betas.replaceSubrange((i * 10)..<(i * 10 + 10), with: shape)
            }
            try w.write("hand_mocap/\(side)_joints_3d", j3d, shape: [n, 21, 3], storage: chunked([n, 21, 3]))
            try w.write("hand_mocap/\(side)_mano_hand_betas", betas, shape: [n, 10], storage: chunked([n, 10]))
            try w.write("hand_mocap/\(side)_mano_hand_global_orient", orient, shape: [n, 9], storage: chunked([n, 9]))
            try w.write("hand_mocap/\(side)_mano_hand_pose", pose, shape: [n, 135], storage: chunked([n, 135]))
            try w.write("hand_mocap/\(side)_translation", translation, shape: [n, 3], storage: chunked([n, 3]))
        }
    }

    /// 200 Hz IMU on the video clock: gravity in the body frame, walking bob and the action's
    /// vibration; gyro from the yaw rate; keyframe indices = nearest sample to each frame.
    func writeIMU(_ w: HDF5Writer) throws {
        var rng = SplitMix64(seed: config.seed).fork(0x1AD0_0001)
        let t0 = timestamps[0]
        let last = timestamps[n - 1]
        var ts: [Double] = []
        var t = t0 + 3_280_000
        while t <= last + 10_000_000 {
            ts.append(Double(t))
            t += 5_000_000 + Int64(rng.normal() * 250_000)
        }
        let m = ts.count
        var accel = [Double](repeating: 0, count: m * 3)
        var gyro = [Double](repeating: 0, count: m * 3)
        var frame = 0
        for k in 0..<m {
            while frame + 1 < n, Double(timestamps[frame + 1]) <= ts[k] { frame += 1 }
            let s = (ts[k] - Double(t0)) / 1e9
            let sig = ActivitySignature.all[motion.activity[frame]]
            let g = Geometry.apply(Geometry.transpose(motion.bodyToWorld[frame]), [0, 0, 9.81])
            let walking = PourOverCoffee.activities[motion.activity[frame]].walks
            let vib = sig.vibration * sin(2 * Double.pi * sig.vibrationFrequency * s)
            let bob = walking ? 1.2 * sin(2 * Double.pi * 1.8 * s) : 0
            for a in 0..<3 {
                accel[k * 3 + a] = g[a] + vib * [0.6, 0.3, 1.0][a] + (a == 2 ? bob : 0) + rng.normal() * 0.03
            }
            let yawRate = frame > 0 ? (motion.yaw[frame] - motion.yaw[frame - 1]) / max(motion.seconds[frame] - motion.seconds[frame - 1], 1e-3) : 0
            gyro[k * 3] = 0.3 * vib + rng.normal() * 0.01
            gyro[k * 3 + 1] = 0.1 * cos(2 * Double.pi * sig.vibrationFrequency * s) * sig.vibration + rng.normal() * 0.01
            gyro[k * 3 + 2] = yawRate + rng.normal() * 0.01
        }
        // Nearest IMU sample for each frame (ties to the earlier sample, as numpy's argmin).
        var keyframes = [Int64](repeating: 0, count: n)
        var j = 0
        for i in 0..<n {
            let target = Double(timestamps[i])
            while j + 1 < m, abs(ts[j + 1] - target) < abs(ts[j] - target) { j += 1 }
            keyframes[i] = Int64(j)
        }
        try w.write("imu/accel_xyz", accel, shape: [m, 3], storage: chunked([m, 3]))
        try w.write("imu/device_timestamp_ns", ts, shape: [m], storage: chunked([m]))
        try w.write("imu/gyro_xyz", gyro, shape: [m, 3], storage: chunked([m, 3]))
        try w.write("imu/keyframe_indices", keyframes, shape: [n], storage: chunked([n]))
    }

    func writeMetadata(_ w: HDF5Writer) throws {
        let bodyHeight = 1.78
        try w.writeScalar("metadata/body_height", bodyHeight)
        try w.writeString("metadata/device_id", String(7_211_577_584 + config.seed % 1000))
        try w.writeString("metadata/device_version", "v2")
        try w.writeString("metadata/time_created", isoTimestamp(1_741_543_574.358989 + Double(config.seed % 1000) * 3600) + "+00:00")
        try w.writeString("metadata/other", "{}")
        try w.writeString("metadata/health_report", healthReport().pythonJSON(indent: 2))
    }

    /// A capture health report shaped like the release's (spec §2.9).
    func healthReport() -> JSONValue {
        let duration = Double(timestamps[n - 1] - timestamps[0]) / 1e9
        func drops(_ fps: Double, _ samples: Int) -> JSONValue {
            let interval = Int64(1e9 / fps)
            return .object([("avg_interval_ns", .int(interval - 7000)), ("drop_event_count", .int(0)), ("drop_events", .array([])),
                            ("drop_rate", .double(0)), ("expected_fps", .double(fps)), ("expected_interval_ns", .int(interval)),
                            ("max_interval_ns", .int(interval + 900_000)), ("min_interval_ns", .int(interval - 900_000)), ("ok", .bool(true)),
                            ("threshold_ns", .int(interval * 4)), ("total_samples", .int(Int64(samples)))])
        }
        let files: [JSONValue] = ["imu.csv", "metadata.json", "mjpeg.bin", "audio.wav"].map { name in
            .object([("details", .string("")), ("error", .null), ("ext", .string(String(name.split(separator: ".").last ?? ""))),
                     ("ok", .bool(true)), ("path", .string(name)), ("size", .int(1024)), ("size_human", .string("1.0 KB"))])
        }
        let recording: JSONValue = .object([
            ("failures", .array([])),
            ("file_integrity", .object([("complete", .bool(true)),
                                        ("expected", .object([("files", .array([.string("imu.csv"), .string("metadata.json"), .string("mjpeg.bin")])),
                                                              ("missing", .array([])), ("wav_found", .array([.string("audio.wav")])),
                                                              ("wav_missing", .bool(false)), ("wav_required", .bool(true))])),
                                        ("failed", .int(0)), ("files", .array(files)), ("ok", .bool(true)), ("total", .int(4)),
                                        ("wav_files", .array([.string("audio.wav")]))])),
            ("frame_drops", .object([("cam", drops(20, n)), ("imu", drops(200, n * 10))])),
            ("min_frame_drop_events_for_failure", .int(3)),
            ("mjpeg_corruption", .object([("corrupted_count", .int(0)), ("corrupted_frames", .array([])), ("duration_sec", .double(duration)),
                                          ("errors", .array([])), ("max_consecutive_corrupted", .int(0)), ("ok", .bool(true)),
                                          ("path", .string("mjpeg.bin")), ("total_frames", .int(Int64(n))), ("truncated", .bool(false)), ("version", .int(2))])),
            ("ok", .bool(true)), ("path", .string("recording")),
            ("wav_mjpeg_overlap", .object([("errors", .array([])), ("gap_sec", .double(0)), ("mjpeg_time_range_host_ns", .array([.int(timestamps[0]), .int(timestamps[n - 1])])),
                                           ("ok", .bool(true)), ("overlap_sec", .double(duration)),
                                           ("wav_time_range_host_ns", .array([.int(timestamps[0]), .int(timestamps[n - 1])]))])),
        ])
        return .object([("generated_at", .string("2026-03-09T18:06:14")), ("recordings", .array([recording])), ("root", .string("recordings"))])
    }

    /// SLAM: world→body poses, frame names, and a map of table and wall points with far outliers.
    func writeSLAM(_ w: HDF5Writer) throws {
        var rng = SplitMix64(seed: config.seed).fork(0x51A4_0001)
        try w.writeFixedStrings("slam/frame_names", timestamps.map { "\($0).jpg" }, length: 18, storage: chunked([n]))
        var points: [Double] = []
        for k in 0..<config.pointCount {
            if k % 50 == 49 {
                points += [rng.uniform(-100, 100), rng.uniform(-100, 100), rng.uniform(-20, 20)]
            } else if k % 3 == 0 {
                points += [rng.uniform(-1.5, 1.5), rng.uniform(2.0, 2.1), rng.uniform(-1.7, 0.6)]
            } else {
                points += [rng.uniform(-0.8, 0.8), rng.uniform(0.3, 1.2), -0.9 + rng.normal() * 0.01]
            }
        }
        try w.write("slam/point_cloud", points, shape: [config.pointCount, 3], storage: config.gzip ? .chunkedGzip(chunks: [1023, 1], level: 4) : .contiguous)
        var quats = [Double](repeating: 0, count: n * 4)
        var trans = [Double](repeating: 0, count: n * 3)
        for i in 0..<n {
            let rw2b = Geometry.transpose(motion.bodyToWorld[i])
            let q = Geometry.quaternion(rw2b)
            let t = Geometry.apply(rw2b, motion.position[i]).map { -$0 }
            for a in 0..<4 { quats[i * 4 + a] = q[a] }
            for a in 0..<3 { trans[i * 3 + a] = t[a] }
        }
        if config.variant == .invalidEnds {
            for i in max(0, n - 3)..<n {
                for a in 0..<4 { quats[i * 4 + a] = 0 }
                for a in 0..<3 { trans[i * 3 + a] = 0 }
            }
        }
        try w.write("slam/quat_wxyz", quats, shape: [n, 4], storage: chunked([n, 4]))
        try w.write("slam/trans_xyz", trans, shape: [n, 3], storage: chunked([n, 3]))
    }

    func writeVideo(_ w: HDF5Writer) throws {
        try w.writeFixedStrings("video/device_timestamp", timestamps.map(String.init), length: 14, storage: chunked([n]))
        try w.write("video/frame_number", (0..<n).map { Int64($0) }, shape: [n], storage: chunked([n]))
        try w.writeScalar("video/length_sec", Double(timestamps[n - 1] - timestamps[0]) / 1e9)
    }
}
