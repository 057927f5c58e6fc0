import EpisodeIO
import Foundation
import WindowAlign
import XPCore

/// The Qwen3-Omni JSON-QA export of many episodes (§2): episodes go round-robin to shards by
/// split, are exported in parallel (each episode's outputs committed with a done marker), then
/// merged in shard order into `dataset.jsonl` and `dataset_manifest.json`.
///
/// Resumable: an interrupted export, run again with the same settings, skips the episodes
/// whose markers exist, redoes the one that was cut off (and any that failed), and merges; the result is the same
/// bytes as an uninterrupted run. A finished export run again does nothing.
///
/// ```swift
/// let plan = QwenExportPlan(episodes: folders, split: assignment, shards: 8)
/// let summary = try QwenExport.run(plan: plan, out: URL(fileURLWithPath: "export"), options: QwenExportOptions())
/// ```
public enum QwenExport {
    /// File names inside an export folder.
    public enum Layout {
        public static let settings = "export_settings.json"
        public static let plan = "export_plan.json"
        public static let manifest = "dataset_manifest.json"
        public static func dataset(zstd: Bool) -> String { zstd ? "dataset.jsonl.zst" : "dataset.jsonl" }
        public static func shard(_ k: Int) -> String { "shards/shard_\(String(format: "%02d", k))" }
    }

    /// What a run did.
    public struct Summary: Sendable {
        public var outcomes: [QwenEpisodeOutcome]
        /// Episodes exported by this run (the rest were done before).
        public var exportedNow: Int
        public var records: Int
        public var datasetURL: URL
        public var manifestURL: URL
        /// True when everything was already done and nothing was written.
        public var nothingToDo: Bool
        public var failed: [QwenEpisodeOutcome] { outcomes.filter { $0.status == .failed } }
        public var skipped: [QwenEpisodeOutcome] { outcomes.filter { $0.status == .skipped } }
    }

    /// Runs (or resumes) the export of `plan` into `out`.
    /// `progress(done, total)` after each episode (one call at a time).
    public static func run(plan: QwenExportPlan, out: URL, options: QwenExportOptions,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ExportError) -> Summary {
        try options.validate()
        let fm = FileManager.default
        try prepare(out: out, settings: options.settingsJSON, plan: plan.json)
        let datasetURL = out.appendingPathComponent(Layout.dataset(zstd: options.zstd))
        let manifestURL = out.appendingPathComponent(Layout.manifest)

        // 1. Episodes without a marker, and those that failed before (a failure may be
        // transient: a file being copied, a full disk), in parallel; skipped ones stay skipped.
        let items = plan.items
        let existing = items.map { readMarker(out: out, item: $0) }
        let pending = items.indices.filter { (existing[$0]?.status ?? .failed) == .failed }
        let already = items.count - pending.count
        let total = items.count
        let completed: (@Sendable (Int) -> Void)? = progress.map { report in { @Sendable done in report(already + done, total) } }
        let fresh = Parallel.map(pending.count, width: Parallel.width(requested: options.jobs, jobs: pending.count), completed: completed) { p in
            let item = items[pending[p]]
            let shardFolder = out.appendingPathComponent(Layout.shard(item.shard))
            let outcome = item.skipReason.map {
                QwenEpisodeOutcome(key: item.key, path: item.folder.path, split: item.split, shard: item.shard, status: .skipped,
                                   reason: $0, records: 0, labelledWindows: [], modalities: .null)
            } ?? QwenEpisodeExport(folder: item.folder, key: item.key, split: item.split, shard: item.shard,
                                   shardFolder: shardFolder, exportFolder: out, options: options).run()
            return Result { () throws(ExportError) -> QwenEpisodeOutcome in
                try JSONOutput.write(outcome.markerJSON, to: shardFolder.appendingPathComponent("done/\(item.key.text).json"), indent: nil)
                return outcome
            }
        }

        // 2. Merge, unless a finished merge of exactly these markers exists.
        var found = existing
        for (p, result) in zip(pending, fresh) { found[p] = try result.get() }
        // Every index holds an outcome now: the others had a marker, the pending ones were just run.
        let outcomes = found.compactMap { $0 }
        let records = outcomes.reduce(0) { $0 + $1.records }
        if pending.isEmpty, fm.fileExists(atPath: manifestURL.path), fm.fileExists(atPath: datasetURL.path) {
            return Summary(outcomes: outcomes, exportedNow: 0, records: records, datasetURL: datasetURL, manifestURL: manifestURL, nothingToDo: true)
        }
        let merged = try merge(out: out, plan: plan, outcomes: outcomes, options: options)
        try JSONOutput.writeLines(merged.lines, to: datasetURL, zstd: options.zstd)
        try JSONOutput.write(merged.manifest, to: manifestURL, indent: 2)
        return Summary(outcomes: outcomes, exportedNow: pending.count, records: merged.lines.count, datasetURL: datasetURL,
                       manifestURL: manifestURL, nothingToDo: false)
    }

    /// Creates `out` with its settings and plan, or checks that an existing export folder was
    /// made with the same ones (a resume).
    static func prepare(out: URL, settings: JSONValue, plan: JSONValue) throws(ExportError) {
        let fm = FileManager.default
        let settingsURL = out.appendingPathComponent(Layout.settings), planURL = out.appendingPathComponent(Layout.plan)
        if fm.fileExists(atPath: settingsURL.path) {
            let old = try JSONOutput.read(settingsURL)
            guard old == settings else { throw .settingsChanged(folder: out.path, detail: "\(Layout.settings) differs") }
            let oldPlan = try JSONOutput.read(planURL)
            guard oldPlan == plan else { throw .settingsChanged(folder: out.path, detail: "the episodes, their splits or shards differ from \(Layout.plan)") }
            return
        }
        if let names = try? fm.contentsOfDirectory(atPath: out.path), !names.filter({ !$0.hasPrefix(".") }).isEmpty {
            throw .settingsChanged(folder: out.path, detail: "the folder is not empty and holds no \(Layout.settings)")
        }
        try JSONOutput.write(plan, to: planURL, indent: 2)
        try JSONOutput.write(settings, to: settingsURL, indent: 2)
    }

    static func readMarker(out: URL, item: QwenExportPlan.Item) -> QwenEpisodeOutcome? {
        let url = out.appendingPathComponent(Layout.shard(item.shard)).appendingPathComponent("done/\(item.key.text).json")
        guard let json = try? JSONOutput.read(url), let o = QwenEpisodeOutcome(marker: json), o.key == item.key else { return nil }
        return o
    }

    /// The merged lines and the manifest.
    static func merge(out: URL, plan: QwenExportPlan, outcomes: [QwenEpisodeOutcome],
                      options: QwenExportOptions) throws(ExportError) -> (lines: [String], manifest: JSONValue) {
        // Records by episode, read once.
        var partials: [[JSONValue]] = []
        for o in outcomes {
            if o.status == .exported {
                partials.append(try JSONOutput.readObjects(out.appendingPathComponent(Layout.shard(o.shard)).appendingPathComponent("records/\(o.key.text).jsonl")))
            } else {
                partials.append([])
            }
        }
        // Scale-major, then shard, then the shard's episodes in plan order (the reference's
        // component-then-shard concatenation).
        let order = outcomes.indices.sorted { (outcomes[$0].shard, plan.position(of: outcomes[$0].key)) < (outcomes[$1].shard, plan.position(of: outcomes[$1].key)) }
        var ordered: [(JSONValue, Int)] = []
        for scale in options.scales {
            for i in order {
                for r in partials[i] where r["scale_id"]?.stringValue == scale.scaleID { ordered.append((r, outcomes[i].shard)) }
            }
        }
        let vocabularySource = ordered.filter { options.vocabulary == .allSplits || $0.0["split"]?.stringValue == "train" }
        let actionOptions = optionList(vocabularySource.compactMap { $0.0["answer_json"]?["action"]?.stringValue })
        let subtaskOptions = optionList(vocabularySource.compactMap { $0.0["answer_json"]?["subtask"]?.stringValue })
        var lines: [String] = []
        lines.reserveCapacity(ordered.count)
        for (partial, shard) in ordered {
            let record = try QwenRecordMerge.complete(partial, shard: shard, actionOptions: actionOptions, subtaskOptions: subtaskOptions,
                                                      prompt: options.prompt, multiscaleID: options.multiscaleID)
            lines.append(record.pythonJSON(.unicode))
        }
        let manifest = manifestJSON(out: out, plan: plan, outcomes: outcomes, records: ordered.map(\.0), options: options,
                                    actionOptions: actionOptions, subtaskOptions: subtaskOptions)
        return (lines, manifest)
    }

    static func manifestJSON(out: URL, plan: QwenExportPlan, outcomes: [QwenEpisodeOutcome], records: [JSONValue], options: QwenExportOptions,
                             actionOptions: [String], subtaskOptions: [String]) -> JSONValue {
        func counter(_ items: [String]) -> JSONValue { .object(mostCommon(items).map { ($0.0, .int($0.1)) }) }
        let datasetPath = options.paths == .relative ? Layout.dataset(zstd: options.zstd) : out.appendingPathComponent(Layout.dataset(zstd: options.zstd)).path
        let exported = outcomes.filter { $0.status == .exported }
        let single = options.scales[0]
        var clip: [(String, JSONValue)] = []
        if options.scales.count == 1 {
            clip += [("window_frames", .int(single.window)), ("stride_frames", .int(single.stride)),
                     ("qwen_context_frames", .int(single.contextFrames)), ("max_windows_per_episode", .int(single.cap))]
        } else {
            clip += [("multiscale", .bool(true)), ("component_scales", .array(options.scales.map { s in
                .object([("scale_id", .string(s.scaleID ?? "")), ("window_frames", .int(s.window)), ("stride_frames", .int(s.stride)),
                         ("qwen_context_frames", .int(s.contextFrames)), ("max_windows_per_episode", .int(s.cap))]) }))]
        }
        clip += [("label_window_frames", .int(single.window)), ("max_video_frames", .int(options.maxVideoFrames)),
                 ("audio_span", .string("same_as_video_context")), ("mosaic", .string("2x3 multi-camera grid")),
                 ("mosaic_layout", .string(options.mosaicLayout.rawValue)), ("mosaic_fps", .double(8)), ("audio_sample_rate", .int(16_000))]
        var fields: [(String, JSONValue)] = [
            ("run_id", .string(options.runID)), ("dataset_path", .string(datasetPath)),
            ("num_samples", .int(records.count)), ("num_episodes", .int(exported.count)),
            ("split_counts", counter(records.compactMap { $0["split"]?.stringValue })),
            ("episode_split_counts", counter(exported.map(\.split))),
            ("label_counts", counter(records.compactMap { $0["label"]?.stringValue })),
        ]
        if options.scales.count > 1 {
            fields.append(("scale_counts", counter(records.compactMap { $0["scale_id"]?.stringValue })))
            fields.append(("multiscale_run_id", .string(options.multiscaleID ?? "")))
        }
        fields += [
            ("action_option_count", .int(actionOptions.count)), ("subtask_option_count", .int(subtaskOptions.count)),
            ("action_options", .array(actionOptions.map { .string($0) })), ("subtask_options", .array(subtaskOptions.map { .string($0) })),
            ("option_vocabulary", .string(options.vocabulary.rawValue)),
            ("clip_policy", .object(clip)),
            ("feature_manifest", SensorFeatures.manifestJSON),
            ("sensor_feature_dim", .int(SensorFeatures.dimension)),
            ("available_modalities", .array(exported.map(\.modalities))),
            ("skipped_episodes", .array(outcomes.filter { $0.status == .skipped }.map { o in
                .object([("episode_path", .string(o.path)), ("episode_key", .string(o.key.text)), ("split", .string(o.split)),
                         ("reason", .string(o.reason ?? "")), ("shard_index", .int(o.shard))]) })),
            ("failed_episodes", .array(outcomes.filter { $0.status == .failed }.map { o in
                .object([("episode_path", .string(o.path)), ("episode_key", .string(o.key.text)), ("error", .string(o.reason ?? "")),
                         ("shard_index", .int(o.shard))]) })),
            ("parallel_export", .object([("num_workers", .int(plan.shards)), ("shards", .array((0..<plan.shards).map { k in
                let mine = outcomes.filter { $0.shard == k }
                return .object([("shard_index", .int(k)), ("output_dir", .string(Layout.shard(k))), ("num_episodes", .int(mine.count)),
                                ("records", .int(mine.reduce(0) { $0 + $1.records }))])
            }))])),
            ("settings", options.settingsJSON),
            ("notes", .array([
                .string("Sensor features are NPZ pointers (4,430 columns: the reference schema without its video blocks); annotation.hdf5 is not copied."),
                .string("Each record's sensor_feature_zero_blocks names the blocks that are absent or all zero in its window: a zero block is not signal."),
                .string(options.vocabulary == .allSplits
                        ? "Option lists hold every split's labels, as the reference does (test-only labels appear in them; see leakage_audit.json)."
                        : "Option lists hold train labels only: a test label never seen in training is not offered."),
                .string("Mosaic tiles keep their camera's position; a missing camera is a black tile listed in media.missing_cameras."),
            ])),
        ]
        return .object(fields)
    }
}

/// Which episodes go to which shard (§2.8 `shard_episodes`): for each split in the order
/// train, val, test, unspecified (then any other name in code-point order), that split's
/// episodes in key order go round-robin to `shards` shards.
public struct QwenExportPlan: Sendable {
    public struct Item: Sendable {
        public var folder: URL
        public var key: EpisodeKey
        public var split: String
        public var shard: Int
        /// Set when the episode is known to be unusable before export (a scan's skip reason):
        /// it is listed as skipped with this reason and not opened.
        public var skipReason: String?
    }
    public var items: [Item]
    public var shards: Int
    private var positions: [EpisodeKey: Int]

    /// `split(key)` gives each episode's split (nil = `unspecified`).
    public init(episodes: [URL], split: (EpisodeKey) -> String?, shards: Int, skipReasons: [EpisodeKey: String] = [:]) {
        let keyed = episodes.map { (folder: $0, key: EpisodeKey(folder: $0)) }.sorted { $0.key < $1.key }
        let withSplit = keyed.map { ($0.folder, $0.key, split($0.key) ?? "unspecified") }
        let known = ["train", "val", "test", "unspecified"]
        let others = Set(withSplit.map(\.2)).subtracting(known).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let workers = max(1, min(shards, max(1, episodes.count)))
        var items: [Item] = []
        for name in known + others {
            let mine = withSplit.filter { $0.2 == name }
            for (i, e) in mine.enumerated() { items.append(Item(folder: e.0, key: e.1, split: name, shard: i % workers, skipReason: skipReasons[e.1])) }
        }
        self.items = items
        self.shards = workers
        var pos: [EpisodeKey: Int] = [:]
        for (i, it) in items.enumerated() { pos[it.key] = i }
        self.positions = pos
    }

    func position(of key: EpisodeKey) -> Int { positions[key] ?? Int.max }

    /// The plan as stored in the export folder (episodes, splits, shards; no absolute paths
    /// beyond the episodes' own).
    public var json: JSONValue {
        .object([("shards", .int(shards)), ("episodes", .array(items.map {
            .object([("episode_key", .string($0.key.text)), ("episode_path", .string($0.folder.standardizedFileURL.path)),
                     ("split", .string($0.split)), ("shard", .int($0.shard)), ("skip_reason", $0.skipReason.map { .string($0) } ?? .null)])
        }))])
    }
}
