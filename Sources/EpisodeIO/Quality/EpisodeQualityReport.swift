import Foundation
import XPCore

/// What the quality pass checks and how strictly.
public struct QualityOptions: Sendable, Equatable {
    /// Decode every video frame and the audio track (slow) instead of probing the containers.
    public var decode: Bool
    /// Resolve caption references against these frame names (a trimmed file's full timeline).
    public var frameNames: [String]?
    /// The caption rules whose resolution is checked.
    public var captionRules: CaptionRules
    /// All-zero rows of IMU, body, poses or depth beyond this share of N are a warning (hands
    /// are exempt: an undetected hand is stored as zeros).
    public var zeroRowShare: Double
    /// Offsets between two clocks above this many seconds are a warning.
    public var driftToleranceSeconds: Double
    /// The MP4 streams looked for beside the annotation.
    public var mediaStreams: [String]
    /// The release's video resolution (width, height), checked when the video is probed.
    public var expectedResolution: (width: Int, height: Int)?
    /// Progress of a long pass (the `decode` check): stage, done, total.
    public var progress: (@Sendable (String, Int, Int) -> Void)?
    /// Datasets holding more bytes than this are checked for structure and shape but their
    /// values are not scanned (nil: scan all). A dataset scan for many episodes sets it so
    /// that it never reads the depth frames (1.5 GB an episode); `checked` names what was skipped.
    public var maxScanBytes: Int?

    public init(decode: Bool = false, frameNames: [String]? = nil, captionRules: CaptionRules = .current,
                zeroRowShare: Double = 0.5, driftToleranceSeconds: Double = 0.1,
                mediaStreams: [String] = episodeVideoStreamNames, expectedResolution: (width: Int, height: Int)? = nil,
                progress: (@Sendable (String, Int, Int) -> Void)? = nil, maxScanBytes: Int? = nil) {
        self.maxScanBytes = maxScanBytes
        self.decode = decode
        self.frameNames = frameNames
        self.captionRules = captionRules
        self.zeroRowShare = zeroRowShare
        self.driftToleranceSeconds = driftToleranceSeconds
        self.mediaStreams = mediaStreams
        self.expectedResolution = expectedResolution
        self.progress = progress
    }

    public static func == (a: QualityOptions, b: QualityOptions) -> Bool {
        a.decode == b.decode && a.frameNames == b.frameNames && a.captionRules == b.captionRules && a.zeroRowShare == b.zeroRowShare
            && a.driftToleranceSeconds == b.driftToleranceSeconds && a.mediaStreams == b.mediaStreams
            && a.maxScanBytes == b.maxScanBytes && a.expectedResolution?.width == b.expectedResolution?.width && a.expectedResolution?.height == b.expectedResolution?.height
    }
}

/// Offsets between the episode's clocks, in seconds (median and largest absolute value).
public struct ClockOffset: Sendable, Equatable, Codable {
    /// e.g. `video_pts-frame_timestamps`, `imu-frame_timestamps`.
    public var clocks: String
    public var medianSeconds: Double
    public var maxSeconds: Double
    public var samples: Int

    enum CodingKeys: String, CodingKey {
        case clocks, samples
        case medianSeconds = "median_seconds", maxSeconds = "max_seconds"
    }

    var json: JSONValue {
        .object([("clocks", .string(clocks)), ("median_seconds", .double(medianSeconds)),
                 ("max_seconds", .double(maxSeconds)), ("samples", .int(Int64(samples)))])
    }
}

/// The value-level quality of one episode: every finding, the clock offsets measured, and
/// what was checked.
public struct EpisodeQualityReport: Sendable, Equatable {
    /// The episode folder.
    public var episode: String
    /// The `annotation.hdf5` path.
    public var annotation: String
    /// N, when the frame timeline could be read.
    public var frames: Int?
    public var findings: [QualityFinding]
    public var clockOffsets: [ClockOffset]
    /// The datasets and streams that were read, in order.
    public var checked: [String]
    public var seconds: Double

    public init(episode: String, annotation: String, frames: Int? = nil, findings: [QualityFinding] = [],
                clockOffsets: [ClockOffset] = [], checked: [String] = [], seconds: Double = 0) {
        self.episode = episode
        self.annotation = annotation
        self.frames = frames
        self.findings = findings
        self.clockOffsets = clockOffsets
        self.checked = checked
        self.seconds = seconds
    }

    public var worstSeverity: QualitySeverity? { findings.worstSeverity }

    /// Findings at `severity` or worse.
    public func findings(atLeast severity: QualitySeverity) -> [QualityFinding] { findings.filter { $0.severity >= severity } }

    public var json: JSONValue {
        .object([
            ("episode", .string(episode)), ("annotation", .string(annotation)),
            ("frames", frames.map { .int(Int64($0)) } ?? .null),
            ("worst", worstSeverity.map { .string($0.rawValue) } ?? .null),
            ("findings", .array(findings.ordered.map(\.json))),
            ("clock_offsets", .array(clockOffsets.map(\.json))),
            ("checked", .array(checked.map { .string($0) })),
            ("seconds", .double(seconds)),
        ])
    }
}
