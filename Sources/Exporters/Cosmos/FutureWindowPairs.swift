import Foundation
import XPCore

/// Same-episode future-window pairs for a Cosmos world model (spec exporters.md §3.1, the
/// reference's `export_cosmos3_future_window_dataset.py`, contract
/// `xperience10m_future_window_world_model_v0`): each record of a Qwen export paired with the
/// record `horizon` places later in its episode, never across an episode or a split.
///
/// The horizon is counted in **records**, not seconds (§9 item 5): over a sparse export of
/// 32 windows an episode, h5 lands anywhere from a few seconds to minutes ahead. The manifest's
/// `horizon_gap_frames` says how far, measured on the pairs written.
///
/// ```swift
/// let dataset = try CosmosDataset.resolve("export")
/// let summary = try FutureWindowExport.run(dataset: dataset, out: URL(fileURLWithPath: "cosmos-future"),
///                                          options: FutureWindowOptions(horizon: 5))
/// ```
public struct FutureWindowOptions: Sendable, Equatable {
    /// Records ahead (`--horizon-windows`, the published 5).
    public var horizon: Int
    /// Pairs kept per episode, the first ones in window order; 0 = all.
    public var maxPairsPerEpisode: Int
    public var runID: String
    /// A Cosmos model folder to describe in the manifest (`cosmos_model`); nil = none given.
    public var cosmosModel: URL?

    public init(horizon: Int = 5, maxPairsPerEpisode: Int = 0, runID: String = "xperience10m_cosmos3_future_window_dataset",
                cosmosModel: URL? = nil) {
        self.horizon = horizon
        self.maxPairsPerEpisode = maxPairsPerEpisode
        self.runID = runID
        self.cosmosModel = cosmosModel
    }

    public func validate() throws(ExportError) {
        guard horizon >= 1 else { throw .invalidOption("the horizon must be at least 1 record, found \(horizon)") }
        guard maxPairsPerEpisode >= 0 else { throw .invalidOption("the pair cap must be 0 (none) or positive, found \(maxPairsPerEpisode)") }
    }
}

public enum FutureWindowExport {
    public static let contract = "xperience10m_future_window_world_model_v0"
    /// The reference's reason for an episode without a pair.
    public static let noPairReason = "no future pair at requested horizon"

    /// File names in the output folder.
    public enum Layout {
        public static let dataset = "dataset.jsonl"
        public static let manifest = "dataset_manifest.json"
        public static let episodes = "episode_manifest.json"
    }

    /// The source records of one episode, in the order pairs are made.
    public struct EpisodeGroup: Sendable {
        /// `str(episode_id)`, the grouping and sorting key.
        public var episodeID: String
        /// Records stable-sorted by `center_window.start_frame`.
        public var rows: [JSONValue]
        public var pairs: [JSONValue]
        /// Why the episode has no pair (nil when it has some).
        public var skipDetail: String?
    }

    /// The pairing of §3.1 over decoded records.
    public struct Pairing: Sendable {
        /// Episodes in code-point order of `str(episode_id)`.
        public var episodes: [EpisodeGroup]
        public var pairs: [JSONValue] { episodes.flatMap(\.pairs) }
    }

    /// What a run wrote.
    public struct Summary: Sendable {
        public var pairs: Int
        public var episodes: Int
        public var skipped: [(episodeID: String, records: Int, detail: String)]
        public var splitCounts: [(String, Int)]
        public var datasetURL: URL
        public var manifestURL: URL
        public var episodeManifestURL: URL
    }

    /// `int((row.get("center_window") or {}).get("start_frame", 0) or 0)`.
    static func windowStart(_ row: JSONValue) -> Int {
        let value = row.get("center_window").orEmptyObject.get("start_frame", .int(0))
        return value.pythonTruthy ? (value.pythonInt ?? 0) : 0
    }

    /// Groups `rows` by episode (code-point order of `str(episode_id)`), stable-sorts each by
    /// window start, and pairs record i with record i + horizon unless that is past the end or
    /// its `split` or `episode_id` differs; then keeps the first `maxPairsPerEpisode` (0 = all).
    public static func pair(_ rows: [JSONValue], horizon: Int, maxPairsPerEpisode: Int = 0) -> Pairing {
        var order: [String] = []
        var groups: [String: [JSONValue]] = [:]
        for row in rows {
            let key = row.get("episode_id").pythonString
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(row)
        }
        let keys = order.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        var episodes: [EpisodeGroup] = []
        for key in keys {
            let source = groups[key] ?? []
            // A stable sort: ties keep file order.
            let sorted = source.enumerated().map { ($0.offset, windowStart($0.element), $0.element) }
                .sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.2)
            var pairs: [JSONValue] = []
            var crossings = 0
            for (i, current) in sorted.enumerated() {
                let j = i + horizon
                guard j < sorted.count else { continue }
                let future = sorted[j]
                guard future.get("split") == current.get("split"), future.get("episode_id") == current.get("episode_id") else {
                    crossings += 1
                    continue
                }
                pairs.append(record(current: current, future: future, horizon: horizon, ordinal: pairs.count))
            }
            if maxPairsPerEpisode > 0, pairs.count > maxPairsPerEpisode { pairs.removeLast(pairs.count - maxPairsPerEpisode) }
            var detail: String? = nil
            if pairs.isEmpty {
                detail = sorted.count <= horizon
                    ? "\(sorted.count) record\(sorted.count == 1 ? "" : "s"), fewer than horizon + 1 = \(horizon + 1)"
                    : "each of the \(crossings) candidate pairs at horizon \(horizon) crosses a split (or episode_id) change"
            }
            episodes.append(EpisodeGroup(episodeID: key, rows: sorted, pairs: pairs, skipDetail: detail))
        }
        return Pairing(episodes: episodes)
    }

    /// `compact_media(row)`.
    static func compactMedia(_ row: JSONValue) -> JSONValue {
        let media = row.get("media").orEmptyObject
        return .object([
            ("mosaic_video_path", media.get("mosaic_video_path")), ("audio_path", media.get("audio_path")),
            ("video_paths", media.get("video_paths", .array([]))), ("context_start_frame", media.get("context_start_frame")),
            ("context_end_frame", media.get("context_end_frame")), ("max_video_frames", media.get("max_video_frames")),
        ])
    }

    /// `answer(row)`: the record's `answer_json`, or one built from `label` when it is absent
    /// or empty.
    static func answer(_ row: JSONValue) -> JSONValue {
        let stored = row.get("answer_json")
        if stored.pythonTruthy { return stored }
        return .object([
            ("action", row.get("label", .string("unknown"))), ("subtask", .string("unknown")), ("objects", .array([])),
            ("contact", .string("unknown")), ("transition", .string("unknown")), ("next_action", .string("unknown")),
            ("evidence_window", row.get("center_window", .object([]))),
        ])
    }

    /// One pair record, the reference's `make_pair` field for field.
    public static func record(current: JSONValue, future: JSONValue, horizon: Int, ordinal: Int) -> JSONValue {
        let now = answer(current), next = answer(future)
        let unknown = JSONValue.string("unknown")
        let id = "\(current.get("episode_id").pythonString):future:\(String(format: "%05d", ordinal)):h\(horizon)"
        let conditioning: JSONValue = .object([
            ("question", current.get("question")), ("action", now.get("action", unknown)), ("subtask", now.get("subtask", unknown)),
            ("objects", now.get("objects", .array([]))), ("contact", now.get("contact", unknown)),
            ("transition", now.get("transition", unknown)), ("next_action", now.get("next_action", unknown)),
        ])
        let target: JSONValue = .object([
            ("action", next.get("action", unknown)), ("subtask", next.get("subtask", unknown)), ("objects", next.get("objects", .array([]))),
            ("contact", next.get("contact", unknown)), ("transition", next.get("transition", unknown)),
            ("next_action", next.get("next_action", unknown)),
        ])
        let nano: JSONValue = .object([
            ("sample_contract", .string("context video/audio/text/action metadata -> future window target")),
            ("target_modalities", .array(["future_sensor_features", "future_action", "future_contact", "future_transition"].map { .string($0) })),
            ("model_role", .string("Cosmos3-Nano compatibility and future-window world-model branch")),
        ])
        return .object([
            ("id", .string(id)), ("episode_id", current.get("episode_id")), ("split", current.get("split", .string("unspecified"))),
            ("target", .string("future_window_world_model")), ("prompt_type", .string("cosmos3_future_window")),
            ("window", current.get("center_window", .object([]))), ("future_window", future.get("center_window", .object([]))),
            ("horizon_windows", .int(horizon)),
            ("context_record_id", current.get("id")), ("future_record_id", future.get("id")),
            ("media", compactMedia(current)), ("future_media", compactMedia(future)),
            ("sensor_feature_path", current.get("sensor_feature_path")), ("sensor_feature_index", current.get("sensor_feature_index")),
            ("future_sensor_feature_path", future.get("sensor_feature_path")), ("future_sensor_feature_index", future.get("sensor_feature_index")),
            ("sensor_feature_dim", current.get("sensor_feature_dim")),
            ("conditioning", conditioning), ("future_target", target),
            ("answer_json", next), ("messages", .array([])), ("label_options", current.get("label_options", .array([]))),
            ("adapter_views", .object([("cosmos3_nano", nano)])),
        ])
    }

    /// Reads `dataset`, pairs its records and writes `dataset.jsonl`, `dataset_manifest.json`
    /// and `episode_manifest.json` into `out`. Nothing is written when the dataset cannot be
    /// read, a record has no `episode_id`, or no pair can be made.
    public static func run(dataset: URL, out: URL, options: FutureWindowOptions) throws(ExportError) -> Summary {
        try options.validate()
        let rows = try CosmosDataset.read(dataset)
        guard !rows.isEmpty else { throw .badInput(file: dataset.path, detail: "no records") }
        for row in rows where row.value.get("episode_id") == .null {
            throw .badInput(file: "\(dataset.path):\(row.line)", detail: "the record has no episode_id, so it cannot be paired within its episode")
        }
        let pairing = pair(rows.map(\.value), horizon: options.horizon, maxPairsPerEpisode: options.maxPairsPerEpisode)
        let pairs = pairing.pairs
        guard !pairs.isEmpty else {
            throw .badInput(file: dataset.path, detail: "no future-window pairs at horizon \(options.horizon): every episode has fewer than \(options.horizon + 1) records or changes split; check --horizon and the dataset")
        }
        let datasetURL = out.appendingPathComponent(Layout.dataset)
        let manifestURL = out.appendingPathComponent(Layout.manifest)
        let episodesURL = out.appendingPathComponent(Layout.episodes)
        let sourceManifestURL = CosmosDataset.manifestBeside(dataset)
        let sourceManifest: JSONValue = sourceManifestURL.flatMap { try? JSONOutput.read($0) } ?? .object([])

        var splitCounts = InsertionCounter()
        var episodeSplits: [String] = []
        var episodesBySplit: [String: Set<String>] = [:]
        for p in pairs {
            let split = p.get("split", .string("unspecified")).pythonString
            splitCounts.add(split)
            if episodesBySplit[split] == nil { episodeSplits.append(split) }
            episodesBySplit[split, default: []].insert(p.get("episode_id").pythonString)
        }
        let pairedEpisodes = Set(pairs.map { $0.get("episode_id").pythonRepr }).count
        let skipped = pairing.episodes.filter { $0.pairs.isEmpty }

        var gaps: [Int] = []
        for p in pairs { gaps.append(windowStart(.object([("center_window", p.get("future_window"))])) - windowStart(.object([("center_window", p.get("window"))]))) }
        gaps.sort()
        let median: JSONValue = gaps.isEmpty ? .null : gaps.count % 2 == 1
            ? .double(Double(gaps[gaps.count / 2])) : .double(Double(gaps[gaps.count / 2 - 1] + gaps[gaps.count / 2]) / 2)

        let manifest: JSONValue = .object([
            ("run_id", .string(options.runID)), ("dataset_path", .string(datasetURL.path)),
            ("source_dataset_jsonl", .string(dataset.path)), ("source_dataset_manifest", sourceManifestURL.map { .string($0.path) } ?? .null),
            ("dataset_contract", .string(contract)),
            ("num_samples", .int(pairs.count)), ("num_episodes", .int(pairedEpisodes)),
            ("split_counts", splitCounts.json),
            ("episode_split_counts", .object(episodeSplits.map { ($0, .int(episodesBySplit[$0]?.count ?? 0)) })),
            ("horizon_windows", .int(options.horizon)), ("max_pairs_per_episode", .int(options.maxPairsPerEpisode)),
            ("cosmos_model", CosmosModelInfo.describe(options.cosmosModel)),
            ("source_dataset_summary", .object([("num_samples", sourceManifest.get("num_samples")),
                                                ("num_episodes", sourceManifest.get("num_episodes")),
                                                ("split_counts", sourceManifest.get("split_counts"))])),
            ("skipped_episodes", .array(skipped.map { e in
                .object([("episode_id", .string(e.episodeID)), ("source_record_count", .int(e.rows.count)), ("reason", .string(noPairReason)),
                         ("detail", .string(e.skipDetail ?? ""))])
            })),
            ("notes", .array([
                .string("Records contain derived paths and labels only; raw media is referenced for local training but not copied into public packages."),
                .string("The target is a same-episode future window, preserving train/val/test episode boundaries."),
                .string("This is the Cosmos3-Nano compatibility dataset used before full diffusion fine-tuning."),
                .string("The horizon is counted in source records, not seconds: horizon_gap_frames gives the frames between the paired label windows' starts."),
                .string("Paths are copied from the source records as they are; relative ones are relative to the source export folder."),
            ])),
            ("horizon_gap_frames", .object([("measure", .string("future window start_frame - context window start_frame")),
                                            ("min", gaps.first.map { .int($0) } ?? .null), ("median", median),
                                            ("max", gaps.last.map { .int($0) } ?? .null)])),
            ("episode_manifest_path", .string(episodesURL.path)),
        ])
        let episodeManifest: JSONValue = .object([
            ("run_id", .string(options.runID)), ("source_dataset_jsonl", .string(dataset.path)),
            ("episodes", .array(pairing.episodes.map { e in
                let splits = Set(e.rows.map { $0.get("split", .string("unspecified")).pythonString })
                    .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
                return .object([("episode_id", .string(e.episodeID)), ("split", .string(splits.first ?? "unspecified")),
                                ("source_record_count", .int(e.rows.count))])
            })),
        ])
        try JSONOutput.writeLines(pairs.map { $0.pythonJSON(.unicode) }, to: datasetURL)
        // The reference writes both manifests with json.dumps(indent=2): ASCII escapes.
        try writeJSON(episodeManifest, to: episodesURL, style: .standard)
        try writeJSON(manifest, to: manifestURL, style: .standard)
        return Summary(pairs: pairs.count, episodes: pairedEpisodes,
                       skipped: skipped.map { ($0.episodeID, $0.rows.count, $0.skipDetail ?? "") },
                       splitCounts: splitCounts.keys.map { ($0, splitCounts[$0]) },
                       datasetURL: datasetURL, manifestURL: manifestURL, episodeManifestURL: episodesURL)
    }

    static func writeJSON(_ value: JSONValue, to url: URL, style: PythonJSONStyle) throws(ExportError) {
        try JSONOutput.writeData(Data((value.pythonJSON(style, indent: 2) + "\n").utf8), to: url)
    }
}

/// The manifest's `cosmos_model`: what a Cosmos model folder holds, read from its
/// `config.json` and `model_index.json` (the reference's `model_metadata`). No weights are read.
public enum CosmosModelInfo {
    public static func describe(_ folder: URL?) -> JSONValue {
        guard let folder else { return .object([("available", .bool(false)), ("reason", .string("cosmos model dir not provided"))]) }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: folder.path, isDirectory: &isDirectory)
        let names = ["config.json", "model_index.json", "generation_config.json"]
        var fields: [(String, JSONValue)] = [
            ("available", .bool(exists)), ("path", .string(folder.path)),
            ("files", .object(names.map { ($0, .bool(fm.fileExists(atPath: folder.appendingPathComponent($0).path))) })),
        ]
        for name in names {
            let url = folder.appendingPathComponent(name)
            guard fm.fileExists(atPath: url.path), let data = try? JSONOutput.read(url) else { continue }
            if name == "model_index.json" {
                fields = PythonDict.setting(fields, "pipeline_class", data.get("_class_name"))
                fields = PythonDict.setting(fields, "diffusers_version", data.get("_diffusers_version"))
            }
            if name == "config.json" {
                let config = data.get("model").orEmptyObject.get("config").orEmptyObject
                fields = PythonDict.setting(fields, "architectures", data.get("architectures"))
                fields = PythonDict.setting(fields, "lora_enabled_default", config.get("lora_enabled"))
                fields = PythonDict.setting(fields, "lora_rank_default", config.get("lora_rank"))
                fields = PythonDict.setting(fields, "lora_target_modules_default", config.get("lora_target_modules"))
                fields = PythonDict.setting(fields, "resolution", config.get("resolution"))
            }
        }
        if exists {
            // Beyond the reference: the folder's top-level entries, so a reader sees what is there.
            let entries = ((try? fm.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }
                .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            fields.append(("listing", .array(entries.map { .string($0) })))
        }
        return .object(fields)
    }
}
