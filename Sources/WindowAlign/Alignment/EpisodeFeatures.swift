import EpisodeIO
import Foundation

/// Builds the reference feature schema (18 blocks, 8,546 columns) from an episode on disk.
///
/// ```swift
/// let episode = try Episode(path: "xperience-10m-sample")
/// let options = FeatureBuildOptions(featureProtocol: .strict, cacheDirectory: cacheURL)
/// let result = try EpisodeFeatures.build(episode: episode, plan: .single(.reference), options: options)
/// try result.write(to: outputFolder)
/// ```
///
/// A missing or unreadable modality never changes the dimension and never stops the build:
/// its block is zero-filled, flagged absent in the presence mask and explained in the
/// diagnostics.
public enum EpisodeFeatures {
    /// Per-frame labels and windows for `plan`, reading only the timeline and the caption
    /// (what `xp-windows` needs). A caption that cannot be used leaves the labels empty and
    /// says why in ``EpisodeWindows/labelNote``.
    public static func windows(episode: Episode, plan: WindowPlan, frameCount: Int? = nil,
                               frameNames: [String]? = nil, captionRules: CaptionRules = .current) throws -> EpisodeWindows {
        // The frame names are read once: for N and, unless given, for resolving the caption.
        let timeline = try episode.timeline()
        let n = frameCount ?? timeline.frameCount
        var table: CaptionTable? = nil
        var note: String? = nil
        do { table = try episode.captions(rules: captionRules, frameNames: frameNames ?? timeline.frameNames) } catch { note = "\(error)" }
        let labels = FrameLabels(table: table, frameCount: n, note: note)
        return try EpisodeWindows.build(labels: labels, frameCount: n, plan: plan)
    }

    /// The per-frame labels, objects and interaction of an episode (timeline and caption
    /// only), with the frame count. A caption that cannot be used leaves them empty and says
    /// why in ``FrameLabels/note``.
    public static func frameLabels(episode: Episode, captionRules: CaptionRules = .current) throws -> (labels: FrameLabels, frameCount: Int) {
        let timeline = try episode.timeline()
        var table: CaptionTable? = nil
        var note: String? = nil
        do { table = try episode.captions(rules: captionRules, frameNames: timeline.frameNames) } catch { note = "\(error)" }
        return (FrameLabels(table: table, frameCount: timeline.frameCount, note: note), timeline.frameCount)
    }

    /// Windows, caches and the assembled matrix in one call.
    public static func build(episode: Episode, plan: WindowPlan = .single(.reference),
                             options: FeatureBuildOptions = FeatureBuildOptions()) throws -> EpisodeFeatureResult {
        try EpisodeTimeline.build(episode: episode, options: options).features(plan: plan, progress: options.progress)
    }

    /// The window matrix from prepared caches.
    public static func assemble(_ caches: EpisodeFeatureCaches, windows: EpisodeWindows) throws -> EpisodeFeatureResult {
        let schema = FeatureSchema.reference
        let assembler = try WindowFeatureAssembler(schema: schema, sources: caches.sources)
        let built = assembler.matrix(windows: windows.windows)
        var presence = built.presence
        var fractions: [String: [Double]] = [:]
        for (name, valid) in caches.handValid.sorted(by: { $0.key < $1.key }) {
            guard let b = schema.blocks.firstIndex(where: { $0.name == name }) else { continue }
            var f = [Double](repeating: 0, count: windows.windows.count)
            for (i, w) in windows.windows.enumerated() {
                let lo = max(w.start, 0), hi = min(w.end + 1, valid.count)
                let count = hi > lo ? valid[lo..<hi].reduce(0) { $0 + ($1 ? 1 : 0) } : 0
                f[i] = Double(count) / Double(max(w.end + 1 - w.start, 1))
                // A window without one valid hand frame carries no hand information.
                if count == 0 { presence.set(row: i, block: b, false) }
            }
            fractions[name] = f
        }
        return EpisodeFeatureResult(featureProtocol: caches.featureProtocol, frameCount: caches.frameCount, windows: windows,
                                    values: built.values, presence: presence, manifest: schema.manifest,
                                    diagnostics: caches.diagnostics, handValidFraction: fractions,
                                    mediaPaths: caches.mediaPaths, audio: caches.audio)
    }

    /// Builds every per-frame cache and static block. Only an unreadable timeline (no frame
    /// count) throws; every modality problem becomes an absent block with a note.
    public static func buildCaches(episode: Episode, options: FeatureBuildOptions = FeatureBuildOptions()) throws -> EpisodeFeatureCaches {
        try EpisodeTimeline.build(episode: episode, options: options).caches
    }
}

extension PresenceMask {
    mutating func set(row: Int, block: Int, _ value: Bool) {
        setFlag(row * blockNames.count + block, value)
    }
}

