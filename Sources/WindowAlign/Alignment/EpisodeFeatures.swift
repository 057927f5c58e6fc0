import EpisodeIO
import Foundation

/// diagnostics.
public enum EpisodeFeatures {
    /// Per-frame labels and windows for `plan`.
    public static func windows(episode: Episode, plan: WindowPlan, frameCount: Int? = nil,
                               frameNames: [String]? = nil) throws -> EpisodeWindows {
        let n = try frameCount ?? episode.frameCount()
        var actions = [String](repeating: "", count: n)
        var subtasks = [String](repeating: "", count: n)
        var note: String? = nil
        do {
            let table = try episode.captions(frameNames: frameNames)
            let a = table.labels(.action), t = table.labels(.subtask)
            for k in 0..<min(n, a.count) {
                actions[k] = a[k]
                subtasks[k] = t[k]
            }
        } catch {
            note = "labels are empty: \(error)"
        }
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
        return EpisodeWindows(windows: windows, scales: spans, labelNote: note)
    }

    /// Windows, caches and the assembled matrix in one call.
    public static func build(episode: Episode, plan: WindowPlan = .single(.reference),
                             options: FeatureBuildOptions = FeatureBuildOptions()) throws -> EpisodeFeatureResult {
        let caches = try buildCaches(episode: episode, options: options)
        let windows = try windows(episode: episode, plan: plan, frameCount: caches.frameCount, frameNames: options.frameNames)
        options.progress?(FeatureProgress(stage: "assembly", done: 0, total: windows.windows.count))
        let result = try assemble(caches, windows: windows)
        options.progress?(FeatureProgress(stage: "assembly", done: windows.windows.count, total: windows.windows.count))
        return result
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
        var builder = CacheBuilder(episode: episode, options: options, timeline: try episode.timeline())
        return try builder.run()
    }
}

extension PresenceMask {
    mutating func set(row: Int, block: Int, _ value: Bool) {
        setFlag(row * blockNames.count + block, value)
    }
}

