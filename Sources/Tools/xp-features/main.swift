import ArgumentParser
import EpisodeIO
import Foundation
import ToolSupport
import WindowAlign

/// `xp-features`: the 8,546-column window feature matrix of an episode and its companions.
struct XPFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-features",
        abstract: "Build the window feature matrix (windows × 8,546 float32) of an episode.",
        discussion: """
            Writes into --out: features.npy, feature_manifest.json (identical to the reference), \
            presence.json (which blocks each window has, per-stream alignment diagnostics), \
            windows.csv and available_modalities.json. A missing modality is zero-filled and \
            reported, never a change of dimension.

            --protocol strict (default) moves hands to the world before subtracting the pelvis and \
            masks undetected hand frames, maps IMU and audio by device time and video by pts, and \
            scales depth confidence once per episode. --protocol reference reproduces the \
            published pipeline.

            --caption-rules picks the caption's frame-reference rules (default: release with \
            --protocol reference, as the reference suite's features were built; current with \
            strict). They differ where a segment's end frame does not resolve: the release \
            loader keeps its objects and interaction on the keyed frame only. presence.json \
            records the choice.

            Per-frame depth, video and audio features are cached in --cache (default: a \
            feature_cache folder beside --out), keyed by the content of their inputs and the \
            parameters; --force rebuilds them.

            Examples:
              xp-features ~/data/xperience-10m-sample --out features/
              xp-features ep1 --out ref/ --protocol reference
              xp-features ep1 --out ref-current/ --protocol reference --caption-rules current
              xp-features ep1 --out ms/ --multiscale multiscale_20s10_40s20_80s40 --cache /tmp/xp-cache
            """
    )

    @Argument(help: "Episode folder or annotation.hdf5 path.")
    var episode: String

    @OptionGroup var windowing: WindowOptions

    @Option(help: "Output folder (created).")
    var out: String

    @Option(help: "reference or strict.")
    var `protocol`: String = FeatureProtocol.strict.rawValue


    @Option(help: "Cache folder for per-frame features (default: OUT/../feature_cache).")
    var cache: String?

    @Flag(help: "Do not use caches at all.")
    var noCache = false

    @Flag(help: "Rebuild cached per-frame features.")
    var force = false

    /// The allowed values of the numeric options (checked in `validate()`).
    enum Limits {
        /// Decoder threads per video stream; libavcodec gains nothing past a few dozen, and
        /// every thread costs a stack and frame buffers per stream.
        static let threads = 0...64
    }

    @Option(parsing: .unconditional, help: "Decoder threads per video stream (0 = automatic), in \(Bounds.text(Limits.threads)).")
    var threads = 0

    @Option(help: "Video decode for the 98 video features: automatic (reference: exact; strict: fast), exact (OpenCV's bytes) or fast (strict only: area before colour) or fast-skip-deblocking (strict only: also no deblocking filter). Recorded in presence.json.")
    var videoDecode = "automatic"

    @Flag(help: "No progress on stderr (data-quality findings are always shown).")
    var quiet = false

    @OptionGroup var badData: BadDataOptions

    func validate() throws {
        guard FeatureProtocol(rawValue: `protocol`) != nil else {
            throw ValidationError("--protocol must be reference or strict, found '\(`protocol`)'")
        }
        try Bounds.check(threads, "--threads", in: Limits.threads)
        guard let setting = VideoDecodeSetting(rawValue: videoDecode) else {
            throw ValidationError("--video-decode must be automatic, exact, fast or fast-skip-deblocking, found '\(videoDecode)'")
        }
        if setting == .fast || setting == .fastSkipDeblocking, `protocol` == FeatureProtocol.reference.rawValue {
            throw ValidationError("--video-decode fast is for --protocol strict; the reference protocol needs OpenCV's exact bytes")
        }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        let cacheURL = noCache ? nil : URL(fileURLWithPath: cache ?? outURL.standardizedFileURL.deletingLastPathComponent()
            .appendingPathComponent("feature_cache").path)
        // Before any work (the episode is not opened, no cache entry is written): the output
        // folder and the cache folder must be usable, and an existing output folder may hold
        // only what a build writes (it is replaced whole).
        try Tool.checkOutput(outURL, option: "--out")
        do { try EpisodeFeatureResult.checkOutputFolder(outURL) } catch { throw ToolError("--out \(error)") }
        if let cacheURL { try Tool.checkOutput(cacheURL, option: cache == nil ? "the feature cache (beside --out; see --cache)" : "--cache") }
        let names = try windowing.frameNames()
        let plan = try windowing.plan()
        // Findings first: with --on-bad-data error nothing is built or cached.
        let findings = DataFindings.check(episode, frameNames: names,
                                           captionRules: windowing.chosenCaptionRules ?? (FeatureProtocol(rawValue: `protocol`) ?? .strict).defaultCaptionRules)
        try DataFindings.report(findings, mode: badData.onBadData)
        let ep = try Episode(path: episode)
        let reporter = ProgressReporter(quiet: quiet)
        let options = FeatureBuildOptions(featureProtocol: FeatureProtocol(rawValue: `protocol`) ?? .strict, cacheDirectory: cacheURL,
                                          force: force, decoderThreads: threads, frameNames: names,
                                          captionRules: windowing.chosenCaptionRules, progress: { reporter.report($0) },
                                          videoDecode: VideoDecodeSetting(rawValue: videoDecode) ?? .automatic)
        let start = Date()
        var result = try EpisodeFeatures.build(episode: ep, plan: plan, options: options)
        result.dataFindings = findings
        if result.windows.windows.isEmpty {
            throw ToolError("\(ep.annotationPath): no window fits: the episode has \(result.frameCount) frames, shorter than one window of \(plan.smallestWindow) frames (see --window). Nothing was written.")
        }
        try result.write(to: outURL)
        if !quiet {
            for d in result.diagnostics {
                var line = "  \(d.block): " + (d.present ? "present" : "ABSENT")
                line += ", aligned \(d.alignedFrames), held \(d.heldFrames), zero \(d.zeroFrames), cache \(d.cache)" + String(format: ", %.2f s", d.seconds)
                if let o = d.offsetSeconds { line += String(format: ", offset %.6f s", o) }
                if let note = d.note { line += " — \(note)" }
                Tool.note(line)
            }
            Tool.note(String(format: "xp-features: %d windows × %d (%@) in %.1f s → %@", result.windows.windows.count, result.dimension,
                             result.featureProtocol.rawValue, Date().timeIntervalSince(start), outURL.path))
        }
    }
}

/// Turns builder progress into one `Progress` line printer per stage.
final class ProgressReporter: @unchecked Sendable {
    let quiet: Bool
    var stage = ""
    var current: ToolSupport.Progress?
    let lock = NSLock()

    init(quiet: Bool) { self.quiet = quiet }

    func report(_ p: FeatureProgress) {
        lock.lock()
        defer { lock.unlock() }
        if p.stage != stage {
            stage = p.stage
            current = ToolSupport.Progress("xp-features: " + p.stage, total: p.total, quiet: quiet)
        }
        current?.update(p.done)
    }
}

Tool.main(XPFeatures.self)
