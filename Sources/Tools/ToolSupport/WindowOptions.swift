import ArgumentParser
import EpisodeIO
import WindowAlign

/// The window options every tool that windows an episode takes: `--window`, `--stride`,
/// `--min-fraction` or `--multiscale`, and `--timeline`.
public struct WindowOptions: ParsableArguments {
    @Option(help: "Frames per window.")
    public var window = 20

    @Option(help: "Frames between window starts.")
    public var stride = 5

    @Option(help: "Share of the labelled frames the majority label needs.")
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
        guard window > 0, stride > 0 else { throw ValidationError("--window and --stride must be positive") }
        guard (0...1).contains(minFraction) else { throw ValidationError("--min-fraction must lie in [0, 1]") }
        if let multiscale {
            do { _ = try MultiscaleSpec(parsing: multiscale) } catch { throw ValidationError(error.description) }
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
