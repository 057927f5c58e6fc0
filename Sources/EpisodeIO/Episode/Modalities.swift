import XPCore
/// The frame timeline: names, device timestamps and the frame rate they imply.
public struct Timeline: Sendable, Equatable {
    /// One name per annotation frame (`<timestamp>.jpg`, or `frame_%06d.jpg` when SLAM is absent).
    public var frameNames: [String]
    /// `video/device_timestamp` decoded to integers (ns), when present.
    public var deviceTimestamps: [Int64]?
    /// True when the names are the `frame_%06d.jpg` fallback (no `slam/frame_names`).
    public var namesAreFallback: Bool

    public var frameCount: Int { frameNames.count }

    /// Frames per second from the device timestamps: (N − 1) / (t_last − t_0).
    public var fpsEstimate: Double? {
        guard let ts = deviceTimestamps, ts.count > 1, let first = ts.first, let last = ts.last, last > first else { return nil }
        return Double(ts.count - 1) / (Double(last - first) / 1e9)
    }

    /// (t_last − t_0) in seconds.
    public var durationSeconds: Double? {
        guard let ts = deviceTimestamps, let first = ts.first, let last = ts.last else { return nil }
        return Double(last - first) / 1e9
    }
}

/// Camera-to-world poses of the rectified stereo-left camera, one per frame (spec §2.4).
public struct CameraPoses: Sendable, Equatable {
    /// Row-major 3×3 rotations, 9 per frame.
    public var rotation: [Double]
    /// Camera centres in the world, 3 per frame.
    public var translation: [Double]
    /// False for frames whose quaternion is zero or non-finite, or whose translation is
    /// non-finite (the identity pose is stored there).
    public var valid: [Bool]
    /// Rows of `slam/quat_wxyz` that are zero or non-finite.
    public var badQuaternionRows: [Int] = []
    /// Rows of `slam/trans_xyz` with a non-finite coordinate.
    public var nonFiniteTranslationRows: [Int] = []
    public var count: Int { valid.count }

    /// What makes the invalid frames invalid, naming the dataset and rows of each cause
    /// (e.g. `slam/trans_xyz is non-finite at rows 3–5`), or nil when every frame is valid.
    public var invalidNote: String? {
        var causes: [String] = []
        if !badQuaternionRows.isEmpty {
            causes.append("slam/quat_wxyz is zero or non-finite at \(Self.describeRows(badQuaternionRows))")
        }
        if !nonFiniteTranslationRows.isEmpty {
            causes.append("slam/trans_xyz is non-finite at \(Self.describeRows(nonFiniteTranslationRows))")
        }
        return causes.isEmpty ? nil : causes.joined(separator: "; ")
    }

    /// `row 7`, or ascending runs such as `rows 3–5, 9 (4 rows)`: at most `limit` runs, then `…`.
    static func describeRows(_ rows: [Int], limit: Int = 6) -> String {
        if rows.count == 1 { return "row \(rows[0])" }
        var runs: [(first: Int, last: Int)] = []
        for r in rows.sorted() {
            if let last = runs.last, r == last.last + 1 { runs[runs.count - 1].last = r } else if runs.last?.last != r { runs.append((r, r)) }
        }
        let shown = runs.prefix(limit).map { $0.first == $0.last ? "\($0.first)" : "\($0.first)–\($0.last)" }
        return "rows " + shown.joined(separator: ", ") + (runs.count > limit ? ", …" : "") + " (\(rows.count) rows)"
    }

    /// The 3×3 rotation of frame `i` as rows.
    public func rotation(_ i: Int) -> [[Double]] {
        (0..<3).map { r in Array(rotation[(i * 9 + r * 3)..<(i * 9 + r * 3 + 3)]) }
    }
}

/// Both hands' 21 joints in the stereo-left camera frame.
public struct Hands: Sendable, Equatable {
    /// N × 21 × 3, metres.
    public var left: [Float]
    public var right: [Float]
    /// False where the hand was not detected (every coordinate zero).
    public var leftPresent: [Bool]
    public var rightPresent: [Bool]
    /// False when `left_joints_3d` is missing from the file (zeros are substituted, never detected).
    public var leftStored: Bool = true
    /// False when `right_joints_3d` is missing from the file (zeros are substituted, as the toolkit).
    public var rightStored: Bool
    public var count: Int { leftPresent.count }
}

/// SMPL-H body keypoints (world frame, z-up) and per-joint contacts.
public struct Body: Sendable, Equatable {
    /// N × 52 × 3, metres, world frame.
    public var keypoints: [Float]
    /// N × 21 contact values for body joints 1…21, or nil when absent.
    public var contacts: [Float]?
    /// False for frames with a non-finite or all-zero skeleton.
    public var valid: [Bool]
    public var count: Int { valid.count }
}

/// The 200 Hz IMU stream on the device clock.
public struct IMUData: Sendable, Equatable {
    /// Device timestamps in ns (stored as float64 in the file).
    public var timestamps: [Double]
    /// M × 3 accelerometer, m/s².
    public var accel: [Double]
    /// M × 3 gyroscope, rad/s.
    public var gyro: [Double]
    /// For each annotation frame, the nearest IMU sample; nil when the file has none.
    public var keyframeIndices: [Int64]?
    public var count: Int { timestamps.count }
}

/// Episode-level depth facts.
public struct DepthInfo: Sendable, Equatable {
    public var frames: Int
    public var height: Int
    public var width: Int
    public var hasConfidence: Bool
    /// `depth/scale` (stored size = image size × scale); 0.5 in the release.
    public var scale: Double?
    /// `depth/depth_min`, `depth/depth_max` when stored.
    public var depthMin: Double?
    public var depthMax: Double?
}

/// A block of consecutive depth frames, read with one hyperslab per dataset.
public struct DepthFrames: Sendable, Equatable {
    public var range: Range<Int>
    public var height: Int
    public var width: Int
    /// range.count × height × width metres; 0 = invalid.
    public var depth: [Float]
    /// range.count × height × width confidence 0…255, when stored.
    public var confidence: [UInt8]?

    public init(range: Range<Int>, height: Int, width: Int, depth: [Float], confidence: [UInt8]?) {
        self.range = range
        self.height = height
        self.width = width
        self.depth = depth
        self.confidence = confidence
    }

    /// Depth values of one frame of the block (absolute frame index).
    public func depth(frame: Int) -> ArraySlice<Float> {
        let k = (frame - range.lowerBound) * height * width
        return depth[k..<(k + height * width)]
    }
}

/// The SLAM map, raw and filtered.
public struct PointCloud: Sendable, Equatable {
    /// P × 3, world metres.
    public var raw: [Double]
    /// Points within the 95th-percentile distance of the per-axis median (the toolkit's filter).
    public var filtered: [Double]
    public var rawCount: Int { raw.count / 3 }
    public var filteredCount: Int { filtered.count / 3 }
}

/// The `metadata/` group.
public struct EpisodeMetadata: Sendable, Equatable {
    public var bodyHeight: Double?
    public var deviceID: String?
    public var deviceVersion: String?
    public var timeCreated: String?
    public var other: String?
    /// `metadata/health_report` as stored.
    public var healthReportText: String?
    /// The health report parsed, when it is valid JSON.
    public var healthReport: JSONValue?
}
