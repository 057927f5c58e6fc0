import EpisodeIO
import Foundation

extension CacheBuilder {
    // MARK: Camera

    mutating func buildCamera(poses: CameraPoses?) {
        guard let poses else {
            let reason = posesNote ?? "unavailable"
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
        let note = poses.invalidNote.map { "\(invalid) frames carry the identity SLAM pose: \($0)" }
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

}
