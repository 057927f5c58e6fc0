import ArgumentParser
import EpisodeIO
import WindowAlign

/// The window options every tool that windows an episode takes: `--window`, `--stride`,
/// `--min-fraction` or `--multiscale`, and `--timeline`.
public struct WindowOptions: ParsableArguments {
    /// The allowed values (also for each `{W}s{S}` component of `--multiscale`).
    public enum Limits {
        /// Frames per window: more than any episode of the release holds.
        public static let window = 1...100_000
        /// Frames between window starts.
        public static let stride = 1...100_000
        /// Share of the labelled frames.
        public static let minFraction = 0.0...1.0
    }

    @Option(parsing: .unconditional, help: "Frames per window, in \(Bounds.text(Limits.window)).")
    public var window = 20

    @Option(parsing: .unconditional, help: "Frames between window starts, in \(Bounds.text(Limits.stride)).")
    public var stride = 5

    @Option(parsing: .unconditional, help: "Share of the labelled frames the majority label needs, in \(Bounds.text(Limits.minFraction)).")
    public var minFraction = 0.6

    @Option(help: "A multiscale spec such as multiscale_20s10_40s20_80s40 (replaces --window/--stride).")
    public var multiscale: String?

    @Option(help: "Resolve the caption against this frame-name file (one name per line).")
    public var timeline: String?

    @Option(help: ArgumentHelp("Caption frame-reference rules: current (the toolkit's resolver) or release (the first public release's loader). Default: release with --protocol reference, current otherwise.",
                               valueName: "rules"))
    public var captionRules: String?

    public init() {}

    public func validate() throws {
        try Bounds.check(window, "--window", in: Limits.window)
        try Bounds.check(stride, "--stride", in: Limits.stride)
        try Bounds.check(minFraction, "--min-fraction", in: Limits.minFraction)
        if let multiscale {
            let spec: MultiscaleSpec
            do { spec = try MultiscaleSpec(parsing: multiscale) } catch { throw ValidationError(error.description) }
            for scale in spec.scales {
                try Bounds.check(scale.size, "--multiscale window \(scale.size)s\(scale.stride)", in: Limits.window)
                try Bounds.check(scale.stride, "--multiscale stride \(scale.size)s\(scale.stride)", in: Limits.stride)
            }
        }
        if let captionRules, CaptionRules(rawValue: captionRules) == nil {
            throw ValidationError("--caption-rules must be current or release, found '\(captionRules)'")
        }
    }

    /// The caption rules of `--caption-rules`, or nil for the protocol's default.
    public var chosenCaptionRules: CaptionRules? { captionRules.flatMap(CaptionRules.init(rawValue:)) }

    /// The window plan these options describe.
    public func plan() throws(WindowAlignError) -> WindowPlan {
        if let multiscale { return .multiscale(try MultiscaleSpec(parsing: multiscale), minLabelFraction: minFraction) }
        return .single(WindowSpec(size: window, stride: stride, minLabelFraction: minFraction))
    }

    /// The frame names of `--timeline`, when given.
    public func frameNames() throws(EpisodeError) -> [String]? {
        guard let timeline else { return nil }
        return try Episode.readTimeline(path: timeline)
    }
}
