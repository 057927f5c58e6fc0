import XPCore

/// The episode's clocks: frame names and `video/device_timestamp` (monotonic, unique, equal to
/// each other), the IMU clock (monotonic, keyframe indices in range) and the offset between the
/// IMU and the frames.
extension QualityPass {
    /// Rows where a sequence goes backwards, and rows that repeat the previous value.
    static func order<T: Comparable>(_ values: [T]) -> (backwards: [Int], repeats: [Int]) {
        var backwards: [Int] = [], repeats: [Int] = []
        for i in values.indices.dropFirst() {
            if values[i] < values[i - 1] { backwards.append(i) } else if values[i] == values[i - 1] { repeats.append(i) }
        }
        return (backwards, repeats)
    }

    func checkOrder<T: Comparable>(_ values: [T], dataset: String, modality: Modality, clock: String) {
        let (backwards, repeats) = Self.order(values)
        if !backwards.isEmpty {
            add(.nonMonotonicTimestamps, .error, dataset: dataset, modality: modality, rows: backwards, totalRows: values.count,
                expected: "\(clock) increasing row by row", found: "values earlier than the row before",
                action: "Frames cannot be put in time order; alignment to this clock is unreliable. Re-export the episode.")
        }
        if !repeats.isEmpty {
            add(.duplicateTimestamps, .warning, dataset: dataset, modality: modality, rows: repeats, totalRows: values.count,
                expected: "one \(clock) per row", found: "values equal to the row before",
                action: "Lookups by timestamp resolve to one of the repeated rows only.")
        }
    }

    func checkTimeline() {
        guard let timeline = try? episode.timeline() else {
            if datasets["slam/frame_names"] != nil || frames == nil {
                add(.noFrames, .error, dataset: "slam/frame_names", modality: .timeline, expected: "a readable frame timeline",
                    found: "no frame names and no per-frame dataset to count frames", action: "Nothing can be aligned to frames; the episode is unusable.")
            }
            return
        }
        checked.append("slam/frame_names")
        names = timeline.frameNames
        if timeline.frameCount == 0 {
            add(.noFrames, .error, dataset: "slam/frame_names", modality: .timeline, rowsAffected: 0, expected: "at least one frame name",
                found: "0 frames", action: "Nothing can be aligned to frames; the episode is unusable.")
            return
        }
        var nameStamps: [Int64?] = []
        if !timeline.namesAreFallback {
            nameStamps = names.map { Int64(FrameReferenceIndex.stem($0)) }
            let bad = nameStamps.indices.filter { nameStamps[$0] == nil }
            if !bad.isEmpty {
                add(.timestampMismatch, .error, dataset: "slam/frame_names", modality: .timeline, rows: bad, totalRows: names.count,
                    expected: "names like 72857807732824.jpg (device nanoseconds)", found: "'\(names[bad[0]])' in row \(bad[0])",
                    action: "Caption references cannot be matched to these frames.")
            }
            let stamps = nameStamps.compactMap { $0 }
            if stamps.count == nameStamps.count { checkOrder(stamps, dataset: "slam/frame_names", modality: .timeline, clock: "frame timestamp") }
        }
        // video/device_timestamp: parsed here row by row so a bad row is named, not fatal.
        guard datasets["video/device_timestamp"] != nil, !malformed.contains("video/device_timestamp"),
              let raw = try? episode.file.readStrings("video/device_timestamp") else { return }
        checked.append("video/device_timestamp")
        var parsed: [Int64?] = raw.map { Int64($0.trimmingCharacters(in: .whitespaces)) }
        let unparsed = parsed.indices.filter { parsed[$0] == nil }
        if !unparsed.isEmpty {
            add(.timestampMismatch, .error, dataset: "video/device_timestamp", modality: .timeline, rows: unparsed, totalRows: raw.count,
                expected: "decimal nanoseconds", found: "'\(raw[unparsed[0]])' in row \(unparsed[0])",
                action: "Readers refuse the frame timeline of this episode. Re-export the episode.")
            parsed = []
        }
        let device = parsed.compactMap { $0 }
        guard device.count == raw.count, !device.isEmpty else { return }
        frameTimestamps = device
        checkOrder(device, dataset: "video/device_timestamp", modality: .timeline, clock: "device timestamp")
        if nameStamps.count == device.count {
            let differ = device.indices.filter { i in nameStamps[i].map { $0 != device[i] } ?? false }
            if !differ.isEmpty {
                let r = differ[0]
                add(.timestampMismatch, .error, dataset: "video/device_timestamp", modality: .timeline, rows: differ, totalRows: device.count,
                    expected: "the same timestamp as slam/frame_names in every row", found: "row \(r): \(device[r]) against '\(names[r])'",
                    action: "The two frame clocks disagree; caption references and video alignment may land on the wrong frames.")
            }
        }
    }

    func checkIMU() {
        guard let info = scannable("imu/device_timestamp_ns"), info.shape.count == 1,
              let stamps: [Double] = try? episode.file.read("imu/device_timestamp_ns") else { return }
        checked.append("imu/device_timestamp_ns")
        let scan = RowScan.of(stamps, width: 1)
        if !scan.nonFiniteRows.isEmpty {
            add(.nonFiniteRows, .warning, dataset: "imu/device_timestamp_ns", modality: .imu, rows: scan.nonFiniteRows, totalRows: stamps.count,
                expected: "finite nanoseconds", found: "NaN or Inf", action: "Those IMU samples are left out of the alignment.")
        }
        let finite = stamps.filter(\.isFinite)
        if finite.count == stamps.count { checkOrder(stamps, dataset: "imu/device_timestamp_ns", modality: .imu, clock: "IMU timestamp") }

        guard let kinfo = scannable("imu/keyframe_indices"), let keys: [Int64] = try? episode.file.read("imu/keyframe_indices") else { return }
        checked.append("imu/keyframe_indices")
        let outside = keys.indices.filter { keys[$0] < 0 || keys[$0] >= Int64(stamps.count) }
        if !outside.isEmpty {
            add(.outOfRange, .warning, dataset: "imu/keyframe_indices", modality: .imu, rows: outside, totalRows: keys.count,
                expected: "indices into the \(stamps.count) IMU samples (0..<\(stamps.count))", found: "\(keys[outside[0]]) in row \(outside[0])",
                action: "Those frames get no IMU sample by index; alignment falls back to timestamps.")
        }
        // IMU clock against the frame clock, through the keyframe indices.
        guard let frameTimestamps, keys.count == frameTimestamps.count, kinfo.shape.count == 1 else { return }
        var offsets: [Double] = []
        var rows: [Int] = []
        var far: [Int] = []
        for (i, k) in keys.enumerated() where k >= 0 && k < Int64(stamps.count) && stamps[Int(k)].isFinite {
            let offset = (stamps[Int(k)] - Double(frameTimestamps[i])) / 1e9
            offsets.append(offset)
            rows.append(i)
            if abs(offset) > options.driftToleranceSeconds { far.append(i) }
        }
        guard !offsets.isEmpty else { return }
        let absolute = offsets.map(abs)
        let offset = ClockOffset(clocks: "imu-frame_timestamps", medianSeconds: Statistics.median(offsets), maxSeconds: absolute.max() ?? 0, samples: offsets.count)
        clockOffsets.append(offset)
        if !far.isEmpty {
            add(.clockDrift, .warning, dataset: "imu/keyframe_indices", modality: .imu, rows: far, totalRows: keys.count,
                expected: "the IMU sample of each frame within \(options.driftToleranceSeconds) s of the frame's device timestamp",
                found: String(format: "median offset %.4f s, largest %.4f s", offset.medianSeconds, offset.maxSeconds),
                action: "The IMU and the frames drift apart; IMU features of those frames describe another moment.")
        }
    }
}
