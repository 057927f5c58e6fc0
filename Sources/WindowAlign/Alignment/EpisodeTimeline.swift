import EpisodeIO
import Foundation

/// Per-frame labels from a caption table: normalised action and subtask labels, objects and
/// interaction, one entry per annotation frame.
public struct FrameLabels: Sendable, Equatable {
    /// Normalised action label per frame (`""` when unlabelled); empty when the caption could
    /// not be used.
    public var actions: [String]
    /// Normalised subtask (theme) label per frame.
    public var subtasks: [String]
    /// Caption objects per frame (empty where none).
    public var objects: [[String]]
    /// Caption interaction text per frame (`""` where none).
    public var interactions: [String]
    /// Why the labels are empty, when they are.
    public var note: String?

    /// Labels for `frameCount` frames; frames past the table (or all, without a table) stay
    /// unlabelled. A table whose length differs from `frameCount` leaves the per-frame
    /// arrays empty (targets then report not applicable) but still labels the windows, as
    /// the feature build always did.
    init(table: CaptionTable?, frameCount n: Int, note: String?) {
        self.note = note.map { "labels are empty: \($0)" }
        guard let table else {
            actions = []; subtasks = []; objects = []; interactions = []
            return
        }
        let a = table.labels(.action), t = table.labels(.subtask)
        var actions = [String](repeating: "", count: n)
        var subtasks = [String](repeating: "", count: n)
        var objects = [[String]](repeating: [], count: n)
        var interactions = [String](repeating: "", count: n)
        for k in 0..<min(n, a.count, t.count, table.frames.count) {
            actions[k] = a[k]
            subtasks[k] = t[k]
            objects[k] = table.frames[k].objects ?? []
            interactions[k] = table.frames[k].interaction ?? ""
        }
        self.actions = actions
        self.subtasks = subtasks
        self.objects = objects
        self.interactions = interactions
        tableMatchesFrames = a.count == n
    }

    /// Whether the caption table has exactly one row per annotation frame (per-frame targets
    /// need that; windows do not).
    public private(set) var tableMatchesFrames = false

    /// True when at least one frame has an action label.
    public var hasLabels: Bool { actions.contains { !$0.isEmpty } }
}

/// One episode in time, built in **one pass**: every dataset of `annotation.hdf5` read once and
/// every media stream decoded once, then kept as per-frame values on the annotation clock.
///
/// Features and task targets are both derived from it, so the two can never follow different
/// rules: the hands a forecast head predicts are exactly the hands its input features were
/// built from (in the protocol's frame, with the same validity mask), and the caption rules
/// that label the windows also fill the text block.
///
/// ```swift
/// let timeline = try EpisodeTimeline.build(episodeAt: folder, options: FeatureBuildOptions(featureProtocol: .strict))
/// let result = try timeline.features(plan: .single(.reference))   // windows × 8,546
/// let labels = timeline.labels.actions                            // per frame
/// ```
public struct EpisodeTimeline: Sendable {
    /// The protocol the per-frame values follow.
    public var featureProtocol: FeatureProtocol
    /// The caption rules the labels and the text block follow.
    public var captionRules: CaptionRules
    /// N, the annotation frames.
    public var frameCount: Int
    /// The episode folder.
    public var directory: URL
    /// Per-frame labels, objects and interaction.
    public var labels: FrameLabels
    /// N × 126: left then right hand joints (21 × 3 each) in the protocol's frame minus the
    /// pelvis of the same frame (reference: camera-frame joints minus the world pelvis;
    /// strict: world-frame joints minus the world pelvis, invalid frames zero). Nil unless
    /// both hands and the body have N rows.
    public var hands: [Float]?
    /// N × 2: whether each hand frame counts. Reference: detected. Strict: detected, with a
    /// valid camera pose and a valid pelvis (the feature build's mask).
    public var handValid: [Bool]?
    /// N × 21 body contact values, when stored with N rows.
    public var contacts: [Float]?
    /// Camera-to-world poses, when SLAM is readable.
    public var cameraPoses: CameraPoses?
    /// Every per-frame feature cache and static block, with per-stream diagnostics.
    public var caches: EpisodeFeatureCaches

    /// Opens the episode folder (or `annotation.hdf5`) and builds its timeline. With
    /// `accessLog`, every read is counted there.
    public static func build(episodeAt url: URL, options: FeatureBuildOptions = FeatureBuildOptions(),
                             accessLog: EpisodeAccessLog? = nil) throws -> EpisodeTimeline {
        try build(episode: Episode(path: url.path, accessLog: accessLog), options: options)
    }

    /// Builds the timeline of an open episode. Only an unreadable frame timeline throws; every
    /// modality problem becomes an absent block with a note in the diagnostics.
    public static func build(episode: Episode, options: FeatureBuildOptions = FeatureBuildOptions()) throws -> EpisodeTimeline {
        var builder = CacheBuilder(episode: episode, options: options, timeline: try episode.timeline())
        let caches = try builder.run()
        let n = builder.n
        return EpisodeTimeline(featureProtocol: options.featureProtocol, captionRules: options.resolvedCaptionRules, frameCount: n,
                               directory: episode.directory,
                               labels: FrameLabels(table: builder.captionTable, frameCount: n, note: builder.captionNote),
                               hands: builder.targetHands, handValid: builder.targetHandValid, contacts: builder.contacts,
                               cameraPoses: builder.poses, caches: caches)
    }

    /// Windows with their majority labels for `plan`.
    public func windows(plan: WindowPlan = .single(.reference)) throws -> EpisodeWindows {
        try EpisodeWindows.build(labels: labels, frameCount: frameCount, plan: plan)
    }

    /// The window feature matrix for `plan`.
    public func features(plan: WindowPlan = .single(.reference), progress: (@Sendable (FeatureProgress) -> Void)? = nil) throws -> EpisodeFeatureResult {
        let windows = try windows(plan: plan)
        progress?(FeatureProgress(stage: "assembly", done: 0, total: windows.windows.count))
        var result = try EpisodeFeatures.assemble(caches, windows: windows)
        result.captionRules = captionRules
        progress?(FeatureProgress(stage: "assembly", done: windows.windows.count, total: windows.windows.count))
        return result
    }
}

extension EpisodeWindows {
    /// Windows for `plan` over per-frame labels (unlabelled frames where `labels` is empty).
    static func build(labels: FrameLabels, frameCount n: Int? = nil, plan: WindowPlan) throws -> EpisodeWindows {
        let count = n ?? labels.actions.count
        let actions = labels.actions.isEmpty ? [String](repeating: "", count: count) : labels.actions
        let subtasks = labels.subtasks.isEmpty ? [String](repeating: "", count: count) : labels.subtasks
        var windows: [Window] = []
        var spans: [WindowScaleSpan] = []
        let scales: [WindowSpec]
        let ids: [String]
        switch plan {
        case .single(let spec):
            scales = [spec]
            ids = [WindowScale(size: spec.size, stride: spec.stride).scaleID]
        case .multiscale(let ms, let fraction):
            scales = ms.scales.map { $0.windowSpec(minLabelFraction: fraction) }
            ids = ms.scales.map(\.scaleID)
        }
        for (spec, id) in zip(scales, ids) {
            var part = try buildLabelledWindows(actionLabels: actions, subtaskLabels: subtasks, spec: spec)
            let first = windows.count
            for i in part.indices { part[i].index = first + i }
            spans.append(WindowScaleSpan(scaleID: id, size: spec.size, stride: spec.stride, firstRow: first, count: part.count))
            windows += part
        }
        return EpisodeWindows(windows: windows, scales: spans, labelNote: labels.note)
    }
}
