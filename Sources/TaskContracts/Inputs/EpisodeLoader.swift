import Foundation
import Heads
import WindowAlign

extension FrameData {
    /// The per-frame facts the targets need, taken from the episode's one-pass timeline, so
    /// targets and features follow one rule (the hands in the protocol's frame with the
    /// feature build's validity mask; the caption rules that labelled the windows).
    public init(_ timeline: EpisodeTimeline) {
        let labels = timeline.labels
        let usable = labels.tableMatchesFrames
        self.init(frameCount: timeline.frameCount,
                  actionLabels: usable ? labels.actions : [],
                  subtaskLabels: usable ? labels.subtasks : [],
                  objects: usable ? labels.objects : [],
                  handsMinusRoot: timeline.hands,
                  handPresent: timeline.handValid,
                  contacts: timeline.contacts)
    }
}

/// Loads episodes for the suite: one pass over each episode (``EpisodeTimeline``) gives both
/// the per-frame target facts and, unless an `xp-features` folder is given, the features.
public enum EpisodeLoader {
    /// Where an episode's feature matrix comes from.
    public enum FeatureSource: Sendable {
        /// Built from the episode in a protocol (video, depth and audio decoded), with
        /// per-frame caches under `cache` when given.
        case episodeFeatures(FeatureProtocol, cache: URL?)
        /// An `xp-features` output folder (the episode is read for targets only: no media).
        case folder(URL)
        /// Only the blocks that need no depth frames and no media decoding (video, depth and
        /// audio blocks absent).
        case sensorsOnly
    }

    /// The timeline options of a protocol, with progress lines at each stage's start and end.
    public static func timelineOptions(_ featureProtocol: FeatureProtocol, cache: URL? = nil, captionRules: CaptionRuleSet? = nil,
                                       includeMediaBlocks: Bool = true,
                                       progress: (@Sendable (String) -> Void)? = nil) -> FeatureBuildOptions {
        var options = FeatureBuildOptions(featureProtocol: featureProtocol, cacheDirectory: cache,
                                          captionRules: captionRules, includeMediaBlocks: includeMediaBlocks)
        if let say = progress {
            options.progress = { step in
                if step.done == step.total || step.done == 0 { say("features: \(step.stage) \(step.done)/\(step.total)") }
            }
        }
        return options
    }

    /// One episode for the suite. The episode is opened once and each of its files read
    /// once: per-frame facts and (for `.episodeFeatures` and `.sensorsOnly`) the features come
    /// from the same timeline. The timeline follows `suiteProtocol` (hands in the world frame
    /// in `strict`) and `captionRules` (nil = the protocol's default).
    public static func load(folder: URL, source: FeatureSource = .sensorsOnly, suiteProtocol: SuiteProtocol = .strict, session: String? = nil,
                            spec: WindowSpec = .reference, captionRules: CaptionRuleSet? = nil, accessLog: TimelineAccessLog? = nil,
                            progress: (@Sendable (String) -> Void)? = nil) throws -> SuiteEpisode {
        let name = folder.lastPathComponent
        switch source {
        case .folder(let features):
            let options = timelineOptions(suiteProtocol.featureProtocol, captionRules: captionRules, includeMediaBlocks: false)
            let timeline = try EpisodeTimeline.build(episodeAt: folder, options: options, accessLog: accessLog)
            let loaded = try SuiteEpisode.loadFeatures(folder: features)
            return try SuiteEpisode(name: name, session: session, windows: loaded.windows, features: loaded.features,
                                    presentBlocks: loaded.presentBlocks, frames: FrameData(timeline))
        case .episodeFeatures(let p, let cache):
            let options = timelineOptions(p, cache: cache, captionRules: captionRules, progress: progress)
            let timeline = try EpisodeTimeline.build(episodeAt: folder, options: options, accessLog: accessLog)
            return try suiteEpisode(timeline, name: name, session: session, spec: spec, progress: options.progress).episode
        case .sensorsOnly:
            let options = timelineOptions(suiteProtocol.featureProtocol, captionRules: captionRules, includeMediaBlocks: false)
            let timeline = try EpisodeTimeline.build(episodeAt: folder, options: options, accessLog: accessLog)
            return try suiteEpisode(timeline, name: name, session: session, spec: spec).episode
        }
    }

    /// A suite episode (and the feature result it was made from) from a timeline: windows of
    /// `spec`, the assembled matrix, the blocks present in at least one window.
    public static func suiteEpisode(_ timeline: EpisodeTimeline, name: String, session: String?, spec: WindowSpec = .reference,
                                    progress: (@Sendable (FeatureProgress) -> Void)? = nil) throws -> (episode: SuiteEpisode, result: EpisodeFeatureResult) {
        let result = try timeline.features(plan: .single(spec), progress: progress)
        var present = Set<String>()
        let mask = result.presence
        for (b, block) in mask.blockNames.enumerated() where (0..<mask.rows).contains(where: { mask.isPresent(row: $0, block: b) }) {
            present.insert(block)
        }
        let matrix = try Matrix(rows: result.windows.windows.count, cols: result.dimension, storage: result.values)
        let episode = try SuiteEpisode(name: name, session: session, windows: result.windows.windows, features: matrix,
                                       presentBlocks: present, frames: FrameData(timeline))
        return (episode, result)
    }

    /// Compatibility form: features from an `xp-features` folder when given, else sensors only.
    public static func load(folder: URL, features: URL?, session: String? = nil, spec: WindowSpec = .reference) throws -> SuiteEpisode {
        try load(folder: folder, source: features.map { .folder($0) } ?? .sensorsOnly, session: session, spec: spec)
    }
}
