import EpisodeIO
import Foundation
import TaskContracts
import WindowAlign
import XPCore

/// The built-in synthetic episode of `xp-suite` and `xp-bench suite`, generated once and
/// cached with its features. It lives with the tools, not in TaskContracts, because
/// generating an episode is EpisodeIO's business and TaskContracts stays above WindowAlign.
public enum SuiteCache {
    /// The default cache folder name (relative to the working directory; git-ignored).
    public static let defaultFolder = ".xp-cache"

    /// Frames of the default synthetic episode (797 windows), sized so that the strict
    /// default run (12 tasks, both heads, three seeds, tasks side by side) takes about two
    /// minutes on a 2-core machine in release: 109 s measured from the cache, 117 s with the
    /// first generation. Fewer frames leave test classes unseen in train under the
    /// chronological split and the heads stop beating their baselines.
    public static let defaultFrames = 4000

    /// The synthetic episode folder and its features folder (the `EpisodeFeatures` build in
    /// `protocol`, as `xp-features` writes it) under `cache`, generating and building them
    /// when absent. Media are written with the small `tiny` stream sizes.
    public static func syntheticEpisode(cache: URL, frames: Int = defaultFrames, seed: UInt64 = 7, featureProtocol: FeatureProtocol = .strict,
                                        captionRules: CaptionRuleSet? = nil,
                                        progress: (@Sendable (String) -> Void)? = nil) throws -> (episode: URL, features: URL, built: SuiteEpisode?) {
        let base = cache.appendingPathComponent("synthetic-\(frames)f-seed\(seed)")
        let episodeDir = base.appendingPathComponent("episode")
        // The folder names the caption rules when they are not the protocol's default, so
        // that the two never share a cached matrix.
        let rules = captionRules.map { $0 == featureProtocol.defaultCaptionRules ? "" : "-captions-\($0.rawValue)" } ?? ""
        let featuresDir = base.appendingPathComponent("features-\(featureProtocol.rawValue)\(rules)")
        let fm = FileManager.default
        if !fm.fileExists(atPath: episodeDir.appendingPathComponent("annotation.hdf5").path) {
            progress?("generating the synthetic episode (\(frames) frames) in \(episodeDir.path)")
            try AtomicFolder.write(to: episodeDir) { staging in
                _ = try SyntheticEpisode.write(.tiny(seed: seed, frames: frames), to: staging, media: SyntheticMedia.writer)
            }
        }
        let built = try features(of: episodeDir, into: featuresDir, protocol: featureProtocol, frameCaches: base.appendingPathComponent("frame-caches"),
                                 captionRules: captionRules, progress: progress)
        return (episodeDir, featuresDir, built)
    }

    /// Builds the `protocol` features of the episode in `episodeDir` into `featuresDir` (as
    /// `xp-features` writes them) unless `featuresDir/features.npy` exists; the folder appears
    /// whole or not at all. When it builds, it also returns the suite episode made from the
    /// same timeline, so the caller need not read back what was just written (nor open the
    /// episode a second time for the targets).
    @discardableResult
    public static func features(of episodeDir: URL, into featuresDir: URL, protocol featureProtocol: FeatureProtocol, frameCaches: URL,
                                captionRules: CaptionRuleSet? = nil, progress: (@Sendable (String) -> Void)? = nil) throws -> SuiteEpisode? {
        let fm = FileManager.default
        guard !fm.fileExists(atPath: featuresDir.appendingPathComponent("features.npy").path) else { return nil }
        progress?("building \(featureProtocol.rawValue) features into \(featuresDir.path)")
        let options = EpisodeLoader.timelineOptions(featureProtocol, cache: frameCaches,
                                                    captionRules: captionRules, progress: progress)
        let timeline = try EpisodeTimeline.build(episodeAt: episodeDir, options: options)
        let (episode, result) = try EpisodeLoader.suiteEpisode(timeline, name: episodeDir.lastPathComponent, session: nil,
                                                              progress: options.progress)
        // `write(to:)` commits the folder whole (and replaces a partial one left by an old run).
        try? fm.removeItem(at: featuresDir)
        try result.write(to: featuresDir)
        return episode
    }
}
