import EpisodeIO
import Foundation

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

    /// The frames of the smallest window of the plan: an episode shorter than this has no window.
    public var smallestWindow: Int {
        switch self {
        case .single(let spec): return spec.size
        case .multiscale(let ms, _): return ms.scales.map(\.size).min() ?? 0
        }
    }
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
    /// The caption rules the labels and the text block followed (recorded in `presence.json`).
    public var captionRules: CaptionRules?
    /// The data-quality findings about the episode's inputs (recorded in `presence.json`).
    public var dataFindings: [QualityFinding] = []
    public var dimension: Int { FeatureSchema.reference.dimension }
}
