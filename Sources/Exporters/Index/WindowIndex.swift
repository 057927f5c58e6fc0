import Foundation
import XPCore

/// The model-neutral window index (§4): one record per Qwen record, naming the same window's
/// media, sensor features, language and supervision, with a view per backbone (Qwen3-Omni
/// LoRA, a Cosmos world model, a policy/VLA branch), so any trainer reads the same windows.
public enum WindowIndex {
    /// What the index was made from and where it went.
    public struct Summary: Sendable {
        public var records: Int
        public var episodes: Int
        public var indexURL: URL
        public var manifestURL: URL
    }

    /// Reads `dataset` (a `dataset.jsonl`, `.zst` accepted) and its `dataset_manifest.json`
    /// beside it (optional), writes `window_index.jsonl` and `window_index_manifest.json` into
    /// `out` (default: the dataset's folder).
    public static func build(dataset: URL, out: URL? = nil, runID: String = "xperience10m_window_index") throws(ExportError) -> Summary {
        let folder = out ?? dataset.deletingLastPathComponent()
        let rows = try JSONOutput.readObjects(dataset)
        guard !rows.isEmpty else { throw .badInput(file: dataset.path, detail: "no records") }
        var lines: [String] = []
        lines.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            guard row["id"]?.stringValue != nil, row["episode_id"]?.stringValue != nil else {
                throw .badInput(file: dataset.path, detail: "record \(i + 1) has no id or episode_id")
            }
            lines.append(record(row).pythonJSON(.unicode))
        }
        let indexURL = folder.appendingPathComponent("window_index.jsonl")
        try JSONOutput.writeLines(lines, to: indexURL)
        let manifestURL = dataset.deletingLastPathComponent().appendingPathComponent(QwenExport.Layout.manifest)
        let source: JSONValue = FileManager.default.fileExists(atPath: manifestURL.path) ? try JSONOutput.read(manifestURL) : .null
        let summary = manifest(rows: rows, runID: runID, dataset: dataset, sourceManifest: source,
                               sourceManifestPath: source == .null ? nil : manifestURL, output: indexURL)
        let outManifest = folder.appendingPathComponent("window_index_manifest.json")
        try JSONOutput.write(summary, to: outManifest, indent: 2)
        return Summary(records: rows.count, episodes: Set(rows.compactMap { $0["episode_id"]?.stringValue }).count,
                       indexURL: indexURL, manifestURL: outManifest)
    }

    /// The neutral record of one Qwen row.
    public static func record(_ row: JSONValue) -> JSONValue {
        let media = row["media"]
        let answer = row["answer_json"]
        let mosaic = media?["mosaic_video_path"] ?? .null
        let audio = media?["audio_path"] ?? .null
        let sensorPath = row["sensor_feature_path"] ?? .null
        let messages = row["messages"]?.arrayValue ?? []
        func field(_ key: String, _ fallback: JSONValue) -> JSONValue { answer?[key] ?? fallback }
        func known(_ key: String) -> Bool { (answer?[key]?.stringValue).map { $0 != "unknown" && !$0.isEmpty } ?? false }
        var conditioning: [JSONValue] = []
        if mosaic != .null { conditioning.append(.string("video")) }
        if audio != .null { conditioning.append(.string("audio")) }
        if sensorPath != .null { conditioning.append(.string("sensor_features")) }
        if row["question"]?.stringValue != nil { conditioning.append(.string("language")) }
        if known("action") { conditioning.append(.string("action_label")) }
        if known("next_action") { conditioning.append(.string("next_action_label")) }
        let window: JSONValue = row["center_window"] ?? .null
        let keys = (row.objectValue ?? []).map(\.0).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        func strings(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }
        let contextWindow: JSONValue = .object([("start_frame", media?["context_start_frame"] ?? .null),
                                                ("end_frame", media?["context_end_frame"] ?? .null),
                                                ("max_video_frames", media?["max_video_frames"] ?? .null)])
        let mediaView: JSONValue = .object([("video_streams", media?["video_paths"] ?? .array([])), ("mosaic_video_path", mosaic),
                                            ("audio_path", audio), ("context_window", contextWindow)])
        let sensorView: JSONValue = .object([("path", sensorPath), ("index", row["sensor_feature_index"] ?? .null),
                                             ("dim", row["sensor_feature_dim"] ?? .null)])
        let languageView: JSONValue = .object([("question", row["question"] ?? .null), ("action_options", row["action_options"] ?? .array([])),
                                               ("subtask_options", row["subtask_options"] ?? .array([]))])
        let supervision: JSONValue = .object([
            ("json_answer", answer ?? .object([])), ("action", field("action", .string("unknown"))), ("subtask", field("subtask", .string("unknown"))),
            ("objects", field("objects", .array([]))), ("contact", field("contact", .string("unknown"))),
            ("transition", field("transition", .string("unknown"))), ("next_action", field("next_action", .string("unknown"))),
            ("evidence_window", field("evidence_window", .object([]))),
        ])
        let qwen: JSONValue = .object([("sample_contract", .string("video/audio/text/messages -> strict JSON answer")),
                                       ("messages_available", .bool(!messages.isEmpty)),
                                       ("direct_modalities", strings(["mosaic_video", "audio", "language_prompt"])),
                                       ("bridged_modalities", strings(["sensor_features_npz"]))])
        let cosmosContext: JSONValue = .object([("start_frame", media?["context_start_frame"] ?? .null), ("end_frame", media?["context_end_frame"] ?? .null)])
        let cosmos: JSONValue = .object([("sample_contract", .string("context window conditioning -> future window / future state targets")),
                                         ("context_window", cosmosContext), ("available_conditioning", .array(conditioning)),
                                         ("candidate_targets", strings(["future_window", "future_sensor_features", "transition", "contact", "next_action"])),
                                         ("requires_new_exporter", .bool(true))])
        let policy: JSONValue = .object([("sample_contract", .string("observation window -> action / action chunk targets")),
                                         ("observation_window", window),
                                         ("candidate_targets", strings(["action", "next_action", "contact", "objects", "hand_trajectory_chunk", "retargeted_action_token"])),
                                         ("requires_action_space_design", .bool(true))])
        let provenance: JSONValue = .object([("dataset_record_fields", strings(keys)), ("parallel_export_shard", row["parallel_export_shard"] ?? .null)])
        var fields: [(String, JSONValue)] = [
            ("id", row["id"] ?? .null), ("source_record_id", row["id"] ?? .null), ("episode_id", row["episode_id"] ?? .null),
            ("split", row["split"] ?? .string("unspecified")), ("target", row["target"] ?? .null), ("prompt_type", row["prompt_type"] ?? .null),
            ("window", window),
        ]
        fields.append(("modalities", .object([("media", mediaView), ("sensor_features", sensorView), ("language", languageView)])))
        fields.append(("supervision", supervision))
        fields.append(("adapter_views", .object([("qwen3_omni_lora", qwen), ("cosmos_world_model", cosmos), ("policy_vla_branch", policy)])))
        fields.append(("provenance", provenance))
        return .object(fields)
    }

    static func manifest(rows: [JSONValue], runID: String, dataset: URL, sourceManifest: JSONValue, sourceManifestPath: URL?, output: URL) -> JSONValue {
        func counter(_ items: [String]) -> JSONValue { .object(mostCommon(items).map { ($0.0, .int($0.1)) }) }
        var episodeSplit: [(String, String)] = []
        var seen = Set<String>()
        for r in rows {
            guard let e = r["episode_id"]?.stringValue, seen.insert(e).inserted else { continue }
            episodeSplit.append((e, r["split"]?.stringValue ?? "unspecified"))
        }
        func has(_ r: JSONValue, _ path: [String]) -> Bool {
            var v: JSONValue? = r
            for p in path { v = v?[p] }
            if let v, v != .null { return true }
            return false
        }
        return .object([
            ("run_id", .string(runID)), ("source_dataset_jsonl", .string(dataset.path)),
            ("source_dataset_manifest", sourceManifestPath.map { .string($0.path) } ?? .null), ("output_jsonl", .string(output.path)),
            ("num_records", .int(rows.count)), ("num_episodes", .int(episodeSplit.count)),
            ("sample_split_counts", counter(rows.map { $0["split"]?.stringValue ?? "unspecified" })),
            ("episode_split_counts", counter(episodeSplit.map(\.1))),
            ("modality_record_counts", .object([
                ("mosaic_video", .int(rows.filter { has($0, ["media", "mosaic_video_path"]) }.count)),
                ("audio", .int(rows.filter { has($0, ["media", "audio_path"]) }.count)),
                ("sensor_features", .int(rows.filter { has($0, ["sensor_feature_path"]) }.count)),
                ("language", .int(rows.filter { has($0, ["question"]) }.count)),
            ])),
            ("adapter_contracts", .object([
                ("qwen3_omni_lora", .string("ready: records carry messages and media")),
                ("cosmos_world_model", .string("index only: needs the future-window exporter")),
                ("policy_vla_branch", .string("index only: needs an action-space design")),
            ])),
            ("source_dataset_summary", sourceManifest),
        ])
    }
}
