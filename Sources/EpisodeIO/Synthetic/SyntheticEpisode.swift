import Foundation
import XPCore

/// Degraded forms of the synthetic episode, for testing how every layer copes.
public enum SyntheticVariant: String, Sendable, CaseIterable, Codable {
    /// All 65 datasets, six MP4s, audio.
    case complete
    /// The release's "no slam/body" episodes: no `slam/` group, no body keypoints or contacts;
    /// frame names fall back and the caption does not resolve.
    case noSlamBody = "no-slam-body"
    /// No `caption` dataset.
    case noCaption = "no-caption"
    /// No `imu/` group.
    case noIMU = "no-imu"
    /// No `depth/` group.
    case noDepth = "no-depth"
    /// No `hand_mocap/` group.
    case noHands = "no-hands"
    /// NaN body keypoints in the first frames, all-zero SLAM rows in the last frames.
    case invalidEnds = "invalid-ends"
    /// `annotation.hdf5` only, no MP4s.
    case noVideo = "no-video"
    /// MP4s without an audio track.
    case noAudio = "no-audio"
    /// `annotation.hdf5` cut short.
    case truncated
}

/// What to generate.
public struct SyntheticEpisodeConfig: Sendable, Equatable {
    public enum Size: String, Sendable, CaseIterable { case tiny, sample }

    public var frames: Int
    public var seed: UInt64
    /// Caption grid (sampled-frame spacing) in frames: 40 in the release.
    public var grid: Int
    public var depthSize: Int
    public var stereoSize: (width: Int, height: Int)
    public var fisheyeSize: (width: Int, height: Int)
    public var pointCount: Int
    public var audioSampleRate: Int
    public var variant: SyntheticVariant
    /// Per-frame arrays contiguous (the release) or gzip-chunked (like the published trim).
    public var gzip: Bool

    public static func == (a: Self, b: Self) -> Bool {
        a.frames == b.frames && a.seed == b.seed && a.grid == b.grid && a.depthSize == b.depthSize
            && a.stereoSize == b.stereoSize && a.fisheyeSize == b.fisheyeSize && a.pointCount == b.pointCount
            && a.audioSampleRate == b.audioSampleRate && a.variant == b.variant && a.gzip == b.gzip
    }

    /// A few hundred frames with small images: seconds to generate, for tests.
    public static func tiny(seed: UInt64 = 7, frames: Int = 1200, variant: SyntheticVariant = .complete) -> Self {
        Self(frames: frames, seed: seed, grid: 8, depthSize: 32, stereoSize: (64, 64), fisheyeSize: (64, 80),
             pointCount: 400, audioSampleRate: 48_000, variant: variant, gzip: false)
    }

    /// The real shapes: 5,821 frames, depth 256×256, stereo 512×512, fisheye 1088×1280.
    public static func sample(seed: UInt64 = 7, frames: Int = 5821, variant: SyntheticVariant = .complete) -> Self {
        Self(frames: frames, seed: seed, grid: 40, depthSize: 256, stereoSize: (512, 512), fisheyeSize: (1088, 1280),
             pointCount: 4089, audioSampleRate: 48_000, variant: variant, gzip: false)
    }

    public static func preset(_ size: Size, seed: UInt64, frames: Int? = nil, variant: SyntheticVariant = .complete) -> Self {
        switch size {
        case .tiny: return tiny(seed: seed, frames: frames ?? 1200, variant: variant)
        case .sample: return sample(seed: seed, frames: frames ?? 5821, variant: variant)
        }
    }
}

/// A generated episode and its ground truth.
public struct SyntheticEpisode: Sendable {
    public var folder: URL
    public var config: SyntheticEpisodeConfig
    public var plan: SyntheticPlan
    public var timestamps: [Int64]
    /// The caption written (nil for `no-caption`).
    public var caption: JSONValue?
    public var annotationPath: String { folder.appendingPathComponent("annotation.hdf5").path }
}
