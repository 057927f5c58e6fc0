import Foundation
import Testing
import XPCore
import XPTestSupport

/// `xp-dense-index` end to end on a small hand-written sparse dataset.
@Suite("xp-dense-index")
struct DenseIndexToolTests {
    /// Two episodes: `s__ep1` with sparse windows [0, 19] and [60, 79] (train), `s__ep2` with
    /// [0, 9] only (test), shorter than every default window (three skip records).
    static let rows = [
        #"{"id": "s__ep1:qa:0", "episode_id": "s__ep1", "split": "train", "center_window": {"start_frame": 0, "end_frame": 19, "num_frames": 20}, "media": {"video_paths": [{"name": "fisheye_cam0.mp4", "path": "/abs/x.mp4"}], "mosaic_video_path": "m.mp4", "audio_path": null}, "sensor_feature_dim": 4430, "answer_json": {"action": "Hold cup", "subtask": "Cooking rice", "objects": ["cup"], "contact": "yes", "transition": "no", "next_action": "Walk"}, "label": "Hold cup"}"#,
        #"{"id": "s__ep1:qa:3", "episode_id": "s__ep1", "split": "train", "center_window": {"start_frame": 60, "end_frame": 79, "num_frames": 20}, "media": {"video_paths": []}, "sensor_feature_dim": 4430, "answer_json": {"action": "Walk to the door", "subtask": "Approach the desk", "objects": [], "contact": "no", "transition": "yes", "next_action": "Open door"}, "label": "Walk to the door"}"#,
        #"{"id": "s__ep2:qa:0", "episode_id": "s__ep2", "split": "test", "center_window": {"start_frame": 0, "end_frame": 9, "num_frames": 10}, "answer_json": {"action": "Café crème", "objects": []}}"#,
    ]

    static func dataset(in work: URL) throws -> URL {
        let folder = work.appendingPathComponent("export")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try (rows.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("dataset.jsonl"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test("reference: counts, provenance, skip records, files; the dataset path as given")
    func reference() throws {
        let work = try Scratch.folder("dense")
        _ = try Self.dataset(in: work)
        let run = try Tools.run("xp-dense-index", ["export", "--out", "dense", "--protocol", "reference", "--created-at", "2026-06-08T00:00:00+00:00"], in: work)
        #expect(run.status == 0, "\(run)")
        let out = work.appendingPathComponent("dense")
        #expect(Scratch.entries(out) == ["RUN_REPORT.md", "dataset_manifest.json", "dense_multiscale_windows.jsonl", "hierarchical_label_stats.json", "split_scale_counts.csv"])
        let lines = try String(contentsOf: out.appendingPathComponent("dense_multiscale_windows.jsonl"), encoding: .utf8).split(separator: "\n")
        // s__ep1, max_end 79: 20/10 → starts 0…60 (7), 40/20 → 0…40 (3), 80/40 → 0 (1). s__ep2 (max_end 9): all skipped.
        #expect(lines.count == 11)
        let rows = try lines.map { try JSONParser.parse(String($0)) }
        // 20/10: [10, 29] overlaps [0, 19]; [20, 39] and [30, 49] (a tie at 30, no overlap: the first)
        // are gaps from [0, 19], [40, 59] a gap from [60, 79]; [50, 69] overlaps it. 40/20: [20, 59] is a
        // tie without overlap (a gap). 80/40: [0, 79] is a tie overlapping both by 20 (the first).
        let (e, o, g) = ("exact_sparse_window", "overlap_nearest_sparse_window", "gap_nearest_sparse_window")
        #expect(rows.map { $0["source_sparse_window"]?["kind"]?.stringValue ?? "" } == [e, o, g, g, g, o, e, o, g, o, o])
        #expect(rows.map { $0["source_sparse_window"]?["source_window_id"]?.stringValue ?? "" }
                == ["s__ep1:qa:0", "s__ep1:qa:0", "s__ep1:qa:0", "s__ep1:qa:0", "s__ep1:qa:3", "s__ep1:qa:3", "s__ep1:qa:3",
                    "s__ep1:qa:0", "s__ep1:qa:0", "s__ep1:qa:3", "s__ep1:qa:0"])
        #expect(rows[0]["labels"]?["action_family"]?.stringValue == "reach_grasp_release")
        #expect(rows[0]["labels"]?["subtask_family"]?.stringValue == "household_clean_cook", "\"cook\" ⊂ \"Cooking rice\"")
        #expect(rows[6]["labels"]?["subtask_family"]?.stringValue == "navigation_setup")
        #expect(rows[0]["source_media_names"] == .array([.string("fisheye_cam0.mp4")]))
        #expect(rows[0]["label_weight"] == nil)
        let manifest = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("dataset_manifest.json"), encoding: .utf8))
        #expect(manifest["source"]?["dataset_jsonl"]?.stringValue == "export/dataset.jsonl")
        #expect(manifest["num_samples"] == .int(11) && manifest["num_episodes"] == .int(2))
        #expect(manifest["skipped"]?.arrayValue?.count == 3)
        #expect(manifest["skipped"]?.arrayValue?.first?["reason"]?.stringValue == "episode shorter than requested window")
        #expect(manifest["label_provenance_counts"] == .object([("exact_sparse_window", .int(2)), ("gap_nearest_sparse_window", .int(4)),
                                                                ("overlap_nearest_sparse_window", .int(5))]))
        #expect(try String(contentsOf: out.appendingPathComponent("split_scale_counts.csv"), encoding: .utf8)
                == "split,scale_id,windows\ntrain,dense_20f_stride10,7\ntrain,long_80f_stride40,1\ntrain,medium_40f_stride20,3\n")
        let report = try String(contentsOf: out.appendingPathComponent("RUN_REPORT.md"), encoding: .utf8)
        #expect(report.contains("- Split counts: `{'train': 11}`"))
        // No absolute path of this machine anywhere in the outputs.
        for name in Scratch.entries(out) {
            #expect(!(try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)).contains(work.path), "\(name) holds an absolute path")
        }
    }

    @Test("strict: label_weight on every row, provenance counts in the manifest and a CSV; a non-empty --out needs --force")
    func strict() throws {
        let work = try Scratch.folder("dense-strict")
        _ = try Self.dataset(in: work)
        let first = try Tools.run("xp-dense-index", ["export/dataset.jsonl", "--out", "dense", "--scale", "s:20:20"], in: work)
        #expect(first.status == 0, "\(first)")
        let out = work.appendingPathComponent("dense")
        let rows = try String(contentsOf: out.appendingPathComponent("dense_multiscale_windows.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try JSONParser.parse(String($0)) }
        // starts 0, 20, 40, 60: exact, gap ([20, 39] is 20 from [0, 19] and 40 from [60, 79]), gap, exact.
        #expect(rows.map { $0["label_weight"] } == [.int(1), .int(0), .int(0), .int(1)])
        let manifest = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("dataset_manifest.json"), encoding: .utf8))
        #expect(manifest["protocol"]?.stringValue == "strict")
        #expect(manifest["label_weight"]?["weighted_samples"] == .int(2))
        #expect(manifest["taxonomies"]?["action_family"]?.stringValue == "dense_action_families_v1+words")
        #expect(try String(contentsOf: out.appendingPathComponent("split_scale_provenance_counts.csv"), encoding: .utf8)
                == "split,scale_id,kind,windows,label_weight\ntrain,s,exact_sparse_window,2,1\ntrain,s,gap_nearest_sparse_window,2,0\n")
        #expect(try String(contentsOf: out.appendingPathComponent("RUN_REPORT.md"), encoding: .utf8).contains("## Label Provenance (strict protocol)"))
        let again = try Tools.run("xp-dense-index", ["export", "--out", "dense"], in: work)
        #expect(again.status == 1 && again.stderr.contains("--force"), "\(again)")
        let forced = try Tools.run("xp-dense-index", ["export", "--out", "dense", "--force", "--protocol", "reference"], in: work)
        #expect(forced.status == 0, "\(forced)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("split_scale_provenance_counts.csv").path),
                "a reference run over a strict one leaves no strict-only file")
    }

    @Test("bad inputs: a malformed line names file:line; bad scales are usage errors")
    func badInputs() throws {
        let work = try Scratch.folder("dense-bad")
        try (Self.rows[0] + "\nnot json\n").write(to: work.appendingPathComponent("d.jsonl"), atomically: true, encoding: .utf8)
        let run = try Tools.run("xp-dense-index", ["d.jsonl", "--out", "dense"], in: work)
        #expect(run.status == 1 && run.stderr.contains("d.jsonl:2:"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("dense").path))
        for scale in ["a:20", "a:0:10", "a:20:x", "a:20:10,b"] {
            let usage = try Tools.run("xp-dense-index", ["d.jsonl", "--out", "dense", "--scale", scale], in: work)
            #expect(usage.status == 2, "\(usage)")
        }
        let duplicate = try Tools.run("xp-dense-index", ["d.jsonl", "--out", "dense", "--scale", "a:20:10", "--scale", "a:40:20"], in: work)
        #expect(duplicate.status == 2, "\(duplicate)")
    }
}

/// The chain's own outputs: an xp-export-qwen folder seeds the dense index, and prediction
/// rows made from its records (perfect answers) go through xp-error-analysis with the xp-scan
/// manifest.
@Suite("Dense index and error analysis on the export chain's outputs")
struct ChainAnalysisTests {
    @Test("xp-dense-index on an xp-export-qwen folder")
    func denseOnExport() throws {
        let chain = try ExportChainTests.chain.get()
        let work = try Scratch.folder("dense-chain")
        let run = try Tools.run("xp-dense-index", [chain.export.path, "--out", "dense"], in: work)
        #expect(run.status == 0, "\(run)")
        let records = try String(contentsOf: chain.export.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n")
        let manifest = try JSONParser.parse(String(contentsOf: work.appendingPathComponent("dense/dataset_manifest.json"), encoding: .utf8))
        #expect(manifest["source"]?["num_seed_windows"] == .int(records.count))
        #expect(manifest["source"]?["dataset_jsonl"]?.stringValue == chain.export.appendingPathComponent("dataset.jsonl").path)
        #expect(manifest["label_provenance_counts"]?["exact_sparse_window"] == .int(records.count), "every 20/20 sparse window is a 20/10 dense one")
        // Splits carry over per episode.
        var splitOf: [String: String] = [:]
        for line in records {
            let r = try JSONParser.parse(String(line))
            splitOf[r["episode_id"]?.stringValue ?? ""] = r["split"]?.stringValue
        }
        let rows = try String(contentsOf: work.appendingPathComponent("dense/dense_multiscale_windows.jsonl"), encoding: .utf8).split(separator: "\n")
        for line in rows.prefix(500) {
            let r = try JSONParser.parse(String(line))
            #expect(splitOf[r["episode_id"]?.stringValue ?? ""] == r["split"]?.stringValue)
        }
    }

    @Test("xp-error-analysis with the xp-scan manifest: perfect answers score 1, states from our manifest")
    func analysisOnExport() throws {
        let chain = try ExportChainTests.chain.get()
        let work = try Scratch.folder("errana-chain")
        let eval = work.appendingPathComponent("eval")
        try FileManager.default.createDirectory(at: eval, withIntermediateDirectories: true)
        var lines: [String] = []
        for line in try String(contentsOf: chain.export.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n") {
            let r = try JSONParser.parse(String(line))
            guard r["split"]?.stringValue == "test" || r["split"]?.stringValue == "val" else { continue }
            let answer = r["answer_json"] ?? .object([])
            let row: JSONValue = .object([("id", r["id"] ?? .null), ("episode_id", r["episode_id"] ?? .null), ("true_json", answer), ("pred_json", answer),
                                          ("true_label", answer["action"] ?? .null), ("predicted_label", answer["action"] ?? .null),
                                          ("raw_prediction", .string(answer.pythonJSON())), ("correct", .int(1)), ("true_label_seen_in_train", .int(1))])
            lines.append(row.pythonJSON())
        }
        try #require(!lines.isEmpty)
        try (lines.joined(separator: "\n") + "\n").write(to: eval.appendingPathComponent("predictions.jsonl"), atomically: true, encoding: .utf8)
        try #"{"json_validity_rate": 1.0}"#.write(to: eval.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
        let manifestPath = chain.scan.appendingPathComponent("episode_manifest.json").path
        for proto in ["reference", "strict"] {
            let run = try Tools.run("xp-error-analysis", ["eval", "--manifest", manifestPath, "--out", proto, "--protocol", proto], in: work)
            #expect(run.status == 0, "\(run)")
            let summary = try JSONParser.parse(String(contentsOf: work.appendingPathComponent("\(proto)/error_analysis_summary.json"), encoding: .utf8))
            #expect(summary["computed"]?["samples"] == .int(lines.count))
            #expect(summary["computed"]?["parsed_prediction_rate"] == .double(1))
            #expect(summary["computed"]?["action_exact_rate"] == .double(1))
            // The scan lists every episode it found, so none is episode_manifest_missing.
            let states = summary["missing_modality_groups"]?.arrayValue?.compactMap { $0["group"]?.stringValue } ?? []
            #expect(!states.isEmpty && !states.contains("episode_manifest_missing"), "\(states)")
        }
    }
}
