import EpisodeIO
import Foundation
import WindowAlign
import XPCore

/// One window scale of a Qwen export: windows of `window` frames every `stride`, a context of
/// `contextFrames` around each, at most `cap` records per episode (0 = all).
public struct QwenScale: Sendable, Equatable {
    /// Nil for a single-scale export; the component's id (`dense_20f_stride10`) in a multiscale one.
    public var scaleID: String?
    public var window: Int
    public var stride: Int
    public var contextFrames: Int
    public var cap: Int

    public init(scaleID: String? = nil, window: Int = 20, stride: Int = 20, contextFrames: Int = 120, cap: Int = 32) {
        self.scaleID = scaleID
        self.window = window
        self.stride = stride
        self.contextFrames = contextFrames
        self.cap = cap
    }

    /// The reference's context per window size in its multiscale runs (§2.8: 20→120, 40→160,
    /// 80→240); other sizes get 3·W, at least 120 frames. [UNC: the reference names only those
    /// three; see Docs/exporters.md.]
    public static func contextFrames(forWindow w: Int) -> Int {
        switch w {
        case 20: return 120
        case 40: return 160
        case 80: return 240
        default: return max(120, 3 * w)
        }
    }

    /// The scales of a multiscale spec (`multiscale_20s10_40s20_80s40`), cap 96 each as in v5/v6.
    public static func scales(_ spec: MultiscaleSpec, cap: Int = 96) -> [QwenScale] {
        spec.scales.map { QwenScale(scaleID: $0.scaleID, window: $0.size, stride: $0.stride, contextFrames: contextFrames(forWindow: $0.size), cap: cap) }
    }
}

/// Which records' labels make the option lists.
public enum OptionVocabulary: String, Sendable, CaseIterable {
    /// Every record of every split (the reference, §2.7: test-only labels appear in the lists).
    case allSplits = "all"
    /// Train records only: a test label never seen in training is not offered (strict).
    case train
}

/// How paths inside records are written.
public enum RecordPaths: String, Sendable, CaseIterable {
    /// Absolute paths (the reference).
    case absolute
    /// Output files relative to the export folder (portable: the folder can be moved, and two
    /// exports of the same inputs are byte-identical wherever they are written). Source
    /// episode paths stay absolute.
    case relative
}

/// Everything that decides a Qwen export's bytes (and its resume key), plus how it runs.
public struct QwenExportOptions: Sendable {
    public var scales: [QwenScale]
    /// The multiscale run's id, when ``scales`` came from a multiscale spec.
    public var multiscaleID: String?
    public var minLabelFraction: Double
    public var maxVideoFrames: Int
    /// Render the mosaic clip and WAV of each record (off: media paths are null).
    public var renderMedia: Bool
    public var mosaicLayout: MosaicLayout
    /// The x264 preset of the clips. `ultrafast` by default: on the tiny fixture it renders 2.3×
    /// faster than `veryfast` for clips about 35% larger at the same quality setting (crf 23).
    public var mosaicPreset: String
    /// The presets x264 accepts.
    public static let x264Presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"]
    /// The protocol of the sensor features (and of the option vocabulary's default).
    public var featureProtocol: FeatureProtocol
    /// nil = the protocol's default caption rules.
    public var captionRules: CaptionRules?
    public var prompt: QwenPrompt
    public var vocabulary: OptionVocabulary
    public var paths: RecordPaths
    /// Write `dataset.jsonl.zst` instead of `dataset.jsonl`.
    public var zstd: Bool
    /// Shards (the reference's workers): episodes of each split go round-robin to shards; the
    /// merge reads shards in order. The output depends on this number, not on ``jobs``.
    public var shards: Int
    /// Episodes exported at once (0 = one per core).
    public var jobs: Int
    public var runID: String

    public init(scales: [QwenScale] = [QwenScale()], multiscaleID: String? = nil, minLabelFraction: Double = 0.6, maxVideoFrames: Int = 16,
                renderMedia: Bool = true, mosaicLayout: MosaicLayout = .fixed, mosaicPreset: String = "ultrafast", featureProtocol: FeatureProtocol = .strict,
                captionRules: CaptionRules? = nil, prompt: QwenPrompt = .standard, vocabulary: OptionVocabulary? = nil,
                paths: RecordPaths = .absolute, zstd: Bool = false, shards: Int = 8, jobs: Int = 0, runID: String = "xperience10m_qwen3_omni") {
        self.scales = scales
        self.multiscaleID = multiscaleID
        self.minLabelFraction = minLabelFraction
        self.maxVideoFrames = maxVideoFrames
        self.renderMedia = renderMedia
        self.mosaicLayout = mosaicLayout
        self.mosaicPreset = mosaicPreset
        self.featureProtocol = featureProtocol
        self.captionRules = captionRules
        self.prompt = prompt
        self.vocabulary = vocabulary ?? (featureProtocol == .strict ? .train : .allSplits)
        self.paths = paths
        self.zstd = zstd
        self.shards = shards
        self.jobs = jobs
        self.runID = runID
    }

    public var resolvedCaptionRules: CaptionRules { captionRules ?? featureProtocol.defaultCaptionRules }

    /// Checks the values before any work.
    public func validate() throws(ExportError) {
        guard !scales.isEmpty else { throw .invalidOption("at least one window scale is needed") }
        for s in scales {
            guard s.window > 0, s.stride > 0 else { throw .invalidOption("window and stride must be positive (found \(s.window)/\(s.stride))") }
            guard s.contextFrames >= s.window else { throw .invalidOption("the context (\(s.contextFrames) frames) must cover the window (\(s.window))") }
            guard s.cap >= 0 else { throw .invalidOption("the per-episode cap must be ≥ 0 (found \(s.cap))") }
        }
        guard (0...1).contains(minLabelFraction) else { throw .invalidOption("the majority fraction must lie in [0, 1]") }
        guard (1...256).contains(maxVideoFrames) else { throw .invalidOption("video frames per clip must lie in 1...256") }
        guard (1...1000).contains(shards) else { throw .invalidOption("shards must lie in 1...1000") }
        guard Self.x264Presets.contains(mosaicPreset) else {
            throw .invalidOption("the mosaic preset must be one of \(Self.x264Presets.joined(separator: ", ")), found '\(mosaicPreset)'")
        }
    }

    /// The settings that decide the bytes, as JSON: stored in the export folder, and compared on
    /// resume so that a rerun with other settings never mixes two exports.
    public var settingsJSON: JSONValue {
        .object([
            ("run_id", .string(runID)),
            ("scales", .array(scales.map { s in .object([("scale_id", s.scaleID.map { .string($0) } ?? .null), ("window_frames", .int(s.window)),
                                                          ("stride_frames", .int(s.stride)), ("qwen_context_frames", .int(s.contextFrames)),
                                                          ("max_windows_per_episode", .int(s.cap))]) })),
            ("multiscale_run_id", multiscaleID.map { .string($0) } ?? .null),
            ("min_label_fraction", .double(minLabelFraction)), ("max_video_frames", .int(maxVideoFrames)),
            ("render_media", .bool(renderMedia)), ("mosaic_layout", .string(mosaicLayout.rawValue)),
            ("mosaic_preset", .string(mosaicPreset)), ("protocol", .string(featureProtocol.rawValue)), ("caption_rules", .string(resolvedCaptionRules.rawValue)),
            ("prompt", .string(prompt.name)), ("prompt_sha256", .string(prompt.contentHash)), ("option_vocabulary", .string(vocabulary.rawValue)), ("paths", .string(paths.rawValue)),
            ("zstd", .bool(zstd)), ("shards", .int(shards)),
        ])
    }
}
