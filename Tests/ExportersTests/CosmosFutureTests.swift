import Exporters
import Foundation
import Testing
import XPCore

/// The Cosmos future-window pairs (spec exporters.md §3.1) on hand-made Qwen records.
@Suite("Cosmos future-window pairs")
struct CosmosFutureTests {
    /// A Qwen-shaped record with the fields the pairing reads and minimal media/sensor ones.
    static func record(_ episode: String, _ index: Int, split: String, start: Int, action: String? = nil) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("id", .string("\(episode):qa:\(index)")), ("episode_id", .string(episode)), ("split", .string(split)),
            ("center_window", .object([("start_frame", .int(start)), ("end_frame", .int(start + 19)), ("num_frames", .int(20))])),
            ("media", .object([("video_paths", .array([])), ("context_start_frame", .int(max(0, start - 50))), ("context_end_frame", .int(start + 69)),
                               ("max_video_frames", .int(16)), ("mosaic_video_path", .string("m/\(episode)_w\(index).mp4")), ("audio_path", .null)])),
            ("sensor_feature_path", .string("f/\(episode).npz")), ("sensor_feature_index", .int(index)), ("sensor_feature_dim", .int(4430)),
            ("question", .string("Q")),
        ]
        if let action {
            fields.append(("answer_json", .object([("action", .string(action)), ("subtask", .string("s-\(action)")), ("objects", .array([.string("cup")])),
                                                   ("contact", .string("yes")), ("transition", .string("no")), ("next_action", .string("n-\(action)")),
                                                   ("evidence_window", .object([("start_frame", .int(start)), ("end_frame", .int(start + 19))]))])))
            fields.append(("label", .string(action)))
        }
        fields.append(("label_options", .array([.string("a"), .string("b")])))
        return .object(fields)
    }

    static func folder(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("xp-cosmos-\(label)-\(UUID().uuidString.prefix(8))")
    }

    static func write(_ rows: [JSONValue], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(rows.map { $0.pythonJSON(.unicode) + "\n" }.joined().utf8).write(to: url)
    }

    /// Episode "b__ep1": 8 records, unsorted in the file, train for windows 0–4 and test from 5;
    /// "a__ep2": 3 records (fewer than H + 1); "c__ep1": 7 records, all val. H = 2.
    static var handMade: [JSONValue] {
        let starts = [140, 0, 60, 20, 100, 40, 120, 80]  // b's windows, shuffled
        var rows: [JSONValue] = []
        for (k, s) in starts.enumerated() {
            let w = s / 20
            rows.append(record("b__ep1", k, split: w < 5 ? "train" : "test", start: s, action: "b\(w)"))
            if k < 3 { rows.append(record("a__ep2", k, split: "train", start: 20 * k, action: "a\(k)")) }
        }
        for w in (0..<7).reversed() { rows.append(record("c__ep1", w, split: "val", start: 20 * w, action: "c\(w)")) }
        return rows
    }

    @Test("Pairs never cross an episode or a split; episodes in code-point order, rows by window start; ids and ordinals by hand")
    func pairsByHand() throws {
        let pairing = FutureWindowExport.pair(Self.handMade, horizon: 2)
        #expect(pairing.episodes.map(\.episodeID) == ["a__ep2", "b__ep1", "c__ep1"])
        // a: 3 records, H = 2: index 0 → 2 only.
        let a = pairing.episodes[0]
        #expect(a.pairs.map { $0["id"]?.stringValue } == ["a__ep2:future:00000:h2"])
        // b sorted by start: windows 0..7; train 0–4, test 5–7. Pairs i → i+2 within a split:
        // 0→2, 1→3, 2→4 (train); 3→5, 4→6 cross; 5→7 (test).
        let b = pairing.episodes[1]
        #expect(b.rows.map { FutureWindowExportTestHooks.start($0) } == [0, 20, 40, 60, 80, 100, 120, 140])
        let bPairs = b.pairs.map { ($0["window"]?["start_frame"]?.numberValue ?? -1, $0["future_window"]?["start_frame"]?.numberValue ?? -1) }
        #expect(bPairs.map(\.0) == [0, 20, 40, 100] && bPairs.map(\.1) == [40, 60, 80, 140])
        #expect(b.pairs.map { $0["id"]?.stringValue ?? "" } == (0..<4).map { "b__ep1:future:\(String(format: "%05d", $0)):h2" })
        #expect(b.pairs.map { $0["split"]?.stringValue ?? "" } == ["train", "train", "train", "test"])
        for p in pairing.pairs {
            let episode = try #require(p["episode_id"]?.stringValue)
            #expect(p["context_record_id"]?.stringValue?.hasPrefix(episode + ":qa:") == true)
            #expect(p["future_record_id"]?.stringValue?.hasPrefix(episode + ":qa:") == true)
        }
        // c: 7 val records: 5 pairs.
        #expect(pairing.episodes[2].pairs.count == 5)
        #expect(pairing.pairs.count == 1 + 4 + 5)
        // The record: the spec's fields in order, the future's answer, the context's conditioning.
        let first = b.pairs[0]
        #expect(first.objectValue?.map(\.0) == ["id", "episode_id", "split", "target", "prompt_type", "window", "future_window", "horizon_windows",
                                                 "context_record_id", "future_record_id", "media", "future_media", "sensor_feature_path",
                                                 "sensor_feature_index", "future_sensor_feature_path", "future_sensor_feature_index",
                                                 "sensor_feature_dim", "conditioning", "future_target", "answer_json", "messages",
                                                 "label_options", "adapter_views"])
        #expect(first["conditioning"]?["action"] == .string("b0") && first["conditioning"]?["question"] == .string("Q"))
        #expect(first["future_target"]?["action"] == .string("b2") && first["answer_json"]?["action"] == .string("b2"))
        #expect(first["future_target"]?.objectValue?.map(\.0) == ["action", "subtask", "objects", "contact", "transition", "next_action"])
        #expect(first["media"]?.objectValue?.map(\.0) == ["mosaic_video_path", "audio_path", "video_paths", "context_start_frame", "context_end_frame", "max_video_frames"])
        // The future of window 0 is window 2 (start 40), the file's record 5.
        #expect(first["future_record_id"] == .string("b__ep1:qa:5") && first["future_media"]?["mosaic_video_path"] == .string("m/b__ep1_w5.mp4"))
        #expect(first["media"]?["mosaic_video_path"] == .string("m/b__ep1_w1.mp4"))
        #expect(first["future_sensor_feature_index"] != first["sensor_feature_index"])
        #expect(first["messages"] == .array([]) && first["horizon_windows"] == .int(2))
        #expect(first["adapter_views"]?["cosmos3_nano"]?["target_modalities"]?.arrayValue?.count == 4)
    }

    @Test("The cap keeps each episode's first pairs; H = 5 leaves episodes of ≤ 5 records without a pair")
    func capAndSkips() throws {
        let capped = FutureWindowExport.pair(Self.handMade, horizon: 2, maxPairsPerEpisode: 2)
        #expect(capped.episodes.map { $0.pairs.count } == [1, 2, 2])
        #expect(capped.episodes[1].pairs.map { $0["id"]?.stringValue } == ["b__ep1:future:00000:h2", "b__ep1:future:00001:h2"])
        let h5 = FutureWindowExport.pair(Self.handMade, horizon: 5)
        // a: 3 records; b: 8 (0→5 crosses, 1→6 crosses, 2→7 crosses); c: 7 (0→5, 1→6).
        #expect(h5.episodes.map { $0.pairs.count } == [0, 0, 2])
        #expect(h5.episodes[0].skipDetail == "3 records, fewer than horizon + 1 = 6")
        #expect(h5.episodes[1].skipDetail?.contains("crosses a split") == true)
    }

    @Test("A record without answer_json conditions on its label; ties in window start keep file order")
    func fallbacksAndTies() throws {
        let rows = (0..<4).map { k -> JSONValue in
            guard case .object(let f) = Self.record("t__ep1", k, split: "train", start: 20 * (k / 2), action: nil) else { return .null }
            return .object(f + [("label", .string("L\(k)"))])
        }
        let pairs = FutureWindowExport.pair(rows, horizon: 1).pairs
        // Sorted by start with ties in file order: records 0, 1 (start 0), 2, 3 (start 20).
        #expect(pairs.map { $0["context_record_id"]?.stringValue } == ["t__ep1:qa:0", "t__ep1:qa:1", "t__ep1:qa:2"])
        #expect(pairs[0]["conditioning"]?["action"] == .string("L0") && pairs[0]["conditioning"]?["subtask"] == .string("unknown"))
        #expect(pairs[0]["answer_json"]?["evidence_window"]?["start_frame"] == .int(0))
    }

    @Test("The published shape: 119 episodes × 32 records, 89/16/14 episodes → 3,213 pairs, train 2,403 / val 432 / test 378")
    func publishedCounts() throws {
        var rows: [JSONValue] = []
        for e in 0..<119 {
            let split = e < 89 ? "train" : e < 105 ? "val" : "test"
            let key = String(format: "%08x-0000-4000-8000-000000000000__ep%d", e * 7919, e % 3 + 1)
            // Sparse windows, in a shuffled order within the episode.
            for w in (0..<32).map({ ($0 * 13) % 32 }) { rows.append(Self.record(key, w, split: split, start: 180 * w + e % 20)) }
        }
        #expect(rows.count == 3_808)
        let out = Self.folder("published")
        defer { try? FileManager.default.removeItem(at: out) }
        let dataset = out.appendingPathComponent("source/dataset.jsonl")
        try Self.write(rows, to: dataset)
        let summary = try FutureWindowExport.run(dataset: dataset, out: out.appendingPathComponent("future"), options: FutureWindowOptions())
        #expect(summary.pairs == 3_213)
        #expect(summary.episodes == 119)
        #expect(summary.skipped.isEmpty)
        let manifest = try JSONOutput.read(summary.manifestURL)
        #expect(manifest["num_samples"] == .int(3_213))
        #expect(manifest["split_counts"] == .object([("train", .int(2_403)), ("val", .int(432)), ("test", .int(378))]))
        #expect(manifest["split_counts"]?.objectValue?.map(\.0) == ["train", "val", "test"])
        #expect(manifest["episode_split_counts"] == .object([("train", .int(89)), ("val", .int(16)), ("test", .int(14))]))
        #expect(manifest["dataset_contract"] == .string("xperience10m_future_window_world_model_v0"))
        #expect(manifest["horizon_windows"] == .int(5) && manifest["max_pairs_per_episode"] == .int(0))
        #expect(manifest["cosmos_model"] == .object([("available", .bool(false)), ("reason", .string("cosmos model dir not provided"))]))
        #expect(manifest["source_dataset_manifest"] == .null)
        let keys = try #require(manifest.objectValue?.map(\.0))
        #expect(Array(keys.prefix(15)) == ["run_id", "dataset_path", "source_dataset_jsonl", "source_dataset_manifest", "dataset_contract", "num_samples",
                                            "num_episodes", "split_counts", "episode_split_counts", "horizon_windows", "max_pairs_per_episode",
                                            "cosmos_model", "source_dataset_summary", "skipped_episodes", "notes"])
        let lines = try JSONOutput.readLines(summary.datasetURL)
        #expect(lines.count == 3_213)
        let episodes = try JSONOutput.read(summary.episodeManifestURL)
        #expect(episodes["episodes"]?.arrayValue?.count == 119)
        #expect(episodes["episodes"]?.arrayValue?.first?["source_record_count"] == .int(32))
    }

    @Test("A malformed line stops the run naming file:line and writes nothing; so do a record without episode_id and a dataset without pairs")
    func badInputs() throws {
        let root = Self.folder("bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let dataset = root.appendingPathComponent("in/dataset.jsonl")
        let good = Self.handMade.map { $0.pythonJSON(.unicode) }
        try FileManager.default.createDirectory(at: dataset.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Line 3 is blank (skipped, but counted), line 5 is broken.
        try Data((good[0] + "\n" + good[1] + "\n\n" + good[2] + "\n{\"id\": \n" + good[3] + "\n").utf8).write(to: dataset)
        let out = root.appendingPathComponent("out")
        do {
            _ = try FutureWindowExport.run(dataset: dataset, out: out, options: FutureWindowOptions(horizon: 1))
            Issue.record("a malformed line was accepted")
        } catch {
            #expect("\(error)".hasPrefix("\(dataset.path):5: not JSON"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))

        try Data((good[0] + "\n[1, 2]\n").utf8).write(to: dataset)
        #expect(throws: ExportError.self) { try FutureWindowExport.run(dataset: dataset, out: out, options: FutureWindowOptions(horizon: 1)) }

        try Data((good[0] + "\n" + #"{"id": "x", "split": "train"}"# + "\n").utf8).write(to: dataset)
        do {
            _ = try FutureWindowExport.run(dataset: dataset, out: out, options: FutureWindowOptions(horizon: 1))
            Issue.record("a record without episode_id was accepted")
        } catch {
            #expect("\(error)".contains("\(dataset.path):2: the record has no episode_id"), "\(error)")
        }
        try Self.write(Array(Self.handMade.prefix(2)), to: dataset)
        #expect(throws: ExportError.self) { try FutureWindowExport.run(dataset: dataset, out: out, options: FutureWindowOptions(horizon: 5)) }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("The manifest names the source manifest and a Cosmos model folder's config files; output is the reference's bytes layout")
    func manifestAndModel() throws {
        let root = Self.folder("model")
        defer { try? FileManager.default.removeItem(at: root) }
        let dataset = root.appendingPathComponent("in/dataset.jsonl")
        try Self.write(Self.handMade, to: dataset)
        try JSONOutput.write(.object([("num_samples", .int(18)), ("num_episodes", .int(3)), ("split_counts", .object([("train", .int(8))]))]),
                             to: root.appendingPathComponent("in/dataset_manifest.json"))
        let model = root.appendingPathComponent("cosmos3-nano")
        try JSONOutput.write(.object([("architectures", .array([.string("Cosmos3")])),
                                      ("model", .object([("config", .object([("lora_rank", .int(16)), ("resolution", .int(480))]))]))]),
                             to: model.appendingPathComponent("config.json"))
        try Data("{not json".utf8).write(to: model.appendingPathComponent("model_index.json"))
        let summary = try FutureWindowExport.run(dataset: dataset, out: root.appendingPathComponent("out"),
                                                 options: FutureWindowOptions(horizon: 2, runID: "run-é", cosmosModel: model))
        let text = try String(contentsOf: summary.manifestURL, encoding: .utf8)
        // json.dumps(indent=2) with ASCII escapes, a trailing newline.
        #expect(text.contains(#""run_id": "run-\u00e9""#) && text.hasSuffix("}\n"))
        let manifest = try JSONOutput.read(summary.manifestURL)
        #expect(manifest["source_dataset_manifest"] == .string(root.appendingPathComponent("in/dataset_manifest.json").path))
        #expect(manifest["source_dataset_summary"]?["num_episodes"] == .int(3))
        let info = try #require(manifest["cosmos_model"])
        #expect(info["available"] == .bool(true))
        #expect(info["files"] == .object([("config.json", .bool(true)), ("model_index.json", .bool(true)), ("generation_config.json", .bool(false))]))
        #expect(info["architectures"] == .array([.string("Cosmos3")]) && info["lora_rank_default"] == .int(16) && info["resolution"] == .int(480))
        #expect(info["lora_enabled_default"] == .null && info["pipeline_class"] == nil)
        #expect(info["listing"] == .array([.string("config.json"), .string("model_index.json")]))
        let skipped = try #require(manifest["skipped_episodes"]?.arrayValue)
        #expect(skipped.isEmpty)
        // The JSONL keeps non-ASCII text (ensure_ascii=False) and the spec's separators.
        let line = try #require(try JSONOutput.readLines(summary.datasetURL).first)
        #expect(line.hasPrefix(#"{"id": "a__ep2:future:00000:h2", "episode_id": "a__ep2", "split": "train", "target": "future_window_world_model""#))
    }
}

/// Reads a record's window start the way the pairing does (test-side, by hand).
enum FutureWindowExportTestHooks {
    static func start(_ row: JSONValue) -> Int { Int(row["center_window"]?["start_frame"]?.numberValue ?? -1) }
}
