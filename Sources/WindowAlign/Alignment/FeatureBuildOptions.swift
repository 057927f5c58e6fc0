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

    /// The caption rules a build follows unless told otherwise. `reference` uses the first
    /// public release's loader, as the reference suite's feature build does (an action whose
    /// `end_frame` does not resolve keeps its objects and interaction on the keyed frame
    /// only); `strict` uses the current toolkit's resolver. Docs/captions.md says why.
    public var defaultCaptionRules: CaptionRules {
        switch self {
        case .reference: return .release
        case .strict: return .current
        }
    }
}

extension FeatureBuildOptions {
    /// The caption rules this build follows.
    public var resolvedCaptionRules: CaptionRules { captionRules ?? featureProtocol.defaultCaptionRules }
}

/// How video frames are decoded for the 98 per-frame video features.
public enum VideoDecodeSetting: String, Sendable, Codable, CaseIterable {
    /// The protocol's default: `exact` in `reference`, `fast` in `strict`.
    case automatic
    /// OpenCV's bytes: the frame converted to RGB by libswscale as OpenCV's `VideoCapture` gets
    /// it, then INTER_AREA to 32×32. The only setting `reference` uses.
    case exact
    /// `strict` only: INTER_AREA applied to the Y, U, V planes before a BT.601 conversion of
    /// the 32×32 means, instead of converting every pixel first. Features differ from the exact
    /// ones by the conversion's rounding and clipping (Docs/features.md, "Feature build against
    /// the decode floor").
    case fast
    /// `strict` only: `fast`, and H.264's deblocking loop filter skipped. Cheaper on streams
    /// where deblocking costs much (a quarter of the 512×512 stereo decode here, nothing
    /// measurable on the fisheye streams), but the pictures drift from the encoder's until the
    /// next keyframe, so features move further (mean colour up to 0.06 on the stereo streams).
    case fastSkipDeblocking = "fast-skip-deblocking"
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
    /// Decoder threads per video stream (0 = automatic: one per stream while several streams
    /// are decoded at once, libavcodec's choice when one is).
    public var decoderThreads: Int
    /// Video streams decoded at once (0 = one per core; 1 = one after another).
    public var videoStreamsAtOnce: Int
    /// How video is decoded (`strict` only; `reference` always decodes exactly). Recorded in each
    /// video stream's diagnostics note.
    public var videoDecode: VideoDecodeSetting
    /// Frame names to resolve the caption against (e.g. the full timeline of an episode
    /// without `slam/frame_names`); nil = the episode's own.
    public var frameNames: [String]?
    /// The caption's frame-reference rules; nil = the protocol's default
    /// (``FeatureProtocol/defaultCaptionRules``).
    public var captionRules: CaptionRules?
    /// Build the blocks that need the MP4s or the depth frames (video, audio, depth). Off, the
    /// timeline holds only what the annotation's small datasets give (a sensors-only run);
    /// the absent blocks are zero-filled and flagged as usual.
    public var includeMediaBlocks: Bool
    /// Build the six video blocks (needs every frame of every MP4 decoded). Off, depth and
    /// audio are still built while the video blocks are absent: the exporters' sensor
    /// features (the 4,430-dim schema has no video blocks) never pay for a video decode.
    public var includeVideoBlocks: Bool = true
    /// Called as work advances: from the building thread, or from a video worker while the
    /// streams are decoded at once (one call at a time).
    public var progress: (@Sendable (FeatureProgress) -> Void)?

    public init(featureProtocol: FeatureProtocol = .strict, cacheDirectory: URL? = nil, force: Bool = false,
                decoderThreads: Int = 0, frameNames: [String]? = nil, captionRules: CaptionRules? = nil,
                includeMediaBlocks: Bool = true, progress: (@Sendable (FeatureProgress) -> Void)? = nil,
                videoStreamsAtOnce: Int = 0, videoDecode: VideoDecodeSetting = .automatic) {
        self.captionRules = captionRules
        self.includeMediaBlocks = includeMediaBlocks
        self.videoStreamsAtOnce = videoStreamsAtOnce
        self.videoDecode = videoDecode
        self.featureProtocol = featureProtocol
        self.cacheDirectory = cacheDirectory
        self.force = force
        self.decoderThreads = decoderThreads
        self.frameNames = frameNames
        self.progress = progress
    }
}
