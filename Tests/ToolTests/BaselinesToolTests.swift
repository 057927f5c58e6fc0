import Foundation
import Testing
import XPCore
import XPTestSupport

/// `xp-baselines` end to end: a tiny hand-made dataset.jsonl and dense index, a malformed
/// line, and `--raw-suite` on a tiny real export (xp-fixture → xp-scan → xp-export-qwen).
@Suite("xp-baselines", .serialized)
struct BaselinesToolTests {
    static let actions = ["Cut the paper", "Fold the box", "Stack the tiles"]

    /// 6 episodes (4 train, 1 val, 1 test) × 10 records; the question names the action.
    static func datasetLines() -> [String] {
        var lines: [String] = []
        for (e, split) in ["train", "train", "train", "train", "val", "test"].enumerated() {
            let episode = "cccc000\(e)-0000-4000-8000-000000000000__ep1"
            for i in 0..<10 {
                let a = (i + e) % 3, next = (i + e + 1) % 3
                let record: JSONValue = .object([
                    ("id", .string("\(episode):qa:\(i)")), ("episode_id", .string(episode)), ("split", .string(split)),
                    ("prompt_type", .string("json_episode_understanding")),
                    ("center_window", .object([("start_frame", .int(20 * i)), ("end_frame", .int(20 * i + 19)), ("num_frames", .int(20))])),
                    ("media", .object([("video_paths", .array([.object([("name", .string("fisheye_cam0")), ("path", .string("x.mp4"))])])),
                                       ("context_start_frame", .int(20 * i)), ("context_end_frame", .int(20 * i + 19))])),
                    ("sensor_feature_index", .int(i)), ("sensor_feature_dim", .int(4430)),
                    ("question", .string("Identify the current embodied episode state. Cue: \(["alpha", "bravo", "charlie"][a]).")),
                    ("answer_json", .object([("action", .string(actions[a])), ("subtask", .string("Task")), ("objects", .array([.string("paper")])),
                                             ("contact", .string(a == 0 ? "yes" : "no")), ("transition", .string("yes")), ("next_action", .string(actions[next]))])),
                    ("action_options", .array(actions.map { .string($0) })), ("subtask_options", .array([.string("Task")])),
                ])
                lines.append(record.pythonJSON(.unicode))
            }
        }
        return lines
    }

    /// A dense index in the §2.1 schema: 3 episodes (train, val, test) at two scales.
    static func denseLines() -> [String] {
        var lines: [String] = []
        for (e, split) in ["train", "val", "test"].enumerated() {
            let episode = "dddd000\(e)-0000-4000-8000-000000000000__ep1"
            for (scale, w, s, action) in [("dense_20f_stride10", 20, 10, "Cut the paper"), ("medium_40f_stride20", 40, 20, "Fold the box")] {
                for start in stride(from: 0, to: 200 - w + 1, by: s) {
                    let row: JSONValue = .object([
                        ("center_window", .object([("end_frame", .int(start + w - 1)), ("num_frames", .int(w)), ("start_frame", .int(start))])),
                        ("episode_id", .string(episode)), ("id", .string("\(episode):ms:\(scale):\(start)")),
                        ("labels", .object([("action", .string(action)), ("action_family", .string("tool_cut_mark_write")), ("contact", .string("yes")),
                                            ("next_action", .string(action)), ("next_action_family", .string("unknown")), ("subtask", .string("Task")),
                                            ("subtask_family", .string("other_fine_subtask")), ("transition", .string("no"))])),
                        ("objects", .array([])), ("run_id", .string("r")), ("scale_id", .string(scale)), ("sensor_feature_dim", .int(4430)),
                        ("source_has_audio", .bool(false)), ("source_has_mosaic", .bool(true)), ("source_media_names", .array([.string("fisheye_cam0")])),
                        ("source_sparse_window", .object([("center_distance_frames", .double(0)), ("kind", .string(start % 20 == 0 ? "exact_sparse_window" : "overlap_nearest_sparse_window")),
                                                          ("overlap_fraction_of_dense", .double(1)), ("overlap_fraction_of_source", .double(1)), ("overlap_frames", .int(w))])),
                        ("split", .string(split)), ("stride_frames", .int(s)), ("window_frames", .int(w)),
                    ])
                    lines.append(row.pythonJSON(.unicode))
                }
            }
        }
        return lines
    }

    static func write(_ lines: [String], _ url: URL) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    @Test("metadata on a tiny hand-made dataset.jsonl: exit 0, the reference's files, the twelve tasks")
    func metadataEndToEnd() throws {
        let work = try Scratch.folder("baselines-meta")
        try Self.write(Self.datasetLines(), work.appendingPathComponent("dataset.jsonl"))
        let run = try Tools.run("xp-baselines", ["metadata", "dataset.jsonl", "--out", "out", "--neural-epochs", "2", "--epochs", "40", "--quiet"], in: work)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("| task | metric | metadata simple | metadata neural | raw-feature minimal head | raw-feature MLP | notes |"), "\(run)")
        let out = work.appendingPathComponent("out")
        for f in ["windows.csv", "metadata_feature_matrix.npz", "summary_report.json", "task_metrics.csv", "BASELINE_ALIGNMENT_REPORT.md",
                  "timeline_action/metrics.json", "timeline_action/predictions.csv", "timeline_action/per_class_metrics.csv",
                  "timeline_action/confusion_matrix.csv", "timeline_action/model.npz", "neural_mlp/timeline_action/metrics.json",
                  "object_relevance/object_vocab.json", "neural_mlp/object_relevance/metrics.json", "caption_grounding/ranks.csv",
                  "temporal_order/metrics.json", "hand_trajectory_forecast/metrics.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), "missing \(f)")
        }
        let summary = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("summary_report.json"), encoding: .utf8))
        #expect(summary["tasks"]?.arrayValue?.count == 12)
        #expect(summary["protocol"]?.stringValue == "strict")
        #expect(summary["split_counts"]?["train"]?.numberValue == 40)
        let action = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("timeline_action/metrics.json"), encoding: .utf8))
        #expect((action["primary_score"]?.numberValue ?? 0) > 0.9, "\(action.pythonJSON().prefix(400))")
    }

    @Test("dense on a tiny hand-made index: exit 0, simple/ and neural_mlp/ per target, sorted summary")
    func denseEndToEnd() throws {
        let work = try Scratch.folder("baselines-dense")
        let dir = work.appendingPathComponent("dense_index")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.write(Self.denseLines(), dir.appendingPathComponent("dense_multiscale_windows.jsonl"))
        try Data(#"{"num_samples": 96, "run_id": "tiny_dense"}"#.utf8).write(to: dir.appendingPathComponent("dataset_manifest.json"))
        let run = try Tools.run("xp-baselines", ["dense", "dense_index", "--out", "out", "--neural-epochs", "2", "--epochs", "60", "--protocol", "reference", "--quiet"], in: work)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("Dataset: `tiny_dense`"), "\(run)")
        let out = work.appendingPathComponent("out")
        for t in ["action_family", "action", "subtask_family", "subtask", "next_action_family", "next_action", "contact", "transition"] {
            for f in ["simple/\(t)/metrics.json", "simple/\(t)/model.npz", "simple/\(t)/predictions.csv", "neural_mlp/\(t)/metrics.json"] {
                #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), "missing \(f)")
            }
        }
        let summary = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("summary_report.json"), encoding: .utf8))
        let shape = summary["feature_shape"]?.arrayValue?.compactMap(\.numberValue) ?? []
        let expectedShape: [Double] = [Double(Self.denseLines().count), 59]  // 10 + 3 + 2 scales + 8 + 32 + 4
        #expect(shape == expectedShape)
        #expect(summary["dataset_manifest"]?["run_id"]?.stringValue == "tiny_dense")
        let action = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("simple/action/metrics.json"), encoding: .utf8))
        #expect(action["primary_score"]?.numberValue == 1, "the scale one-hot names the action")
    }

    @Test("A malformed line: exit 1 naming file:line, and nothing written")
    func malformedLine() throws {
        let work = try Scratch.folder("baselines-bad")
        var lines = Self.datasetLines()
        lines[2] = "{\"id\": \"broken\", \"episode_id\": "
        try Self.write(lines, work.appendingPathComponent("dataset.jsonl"))
        let run = try Tools.run("xp-baselines", ["metadata", "dataset.jsonl", "--out", "out", "--quiet"], in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("dataset.jsonl:3"), "\(run)")
        #expect(Scratch.entries(work) == ["dataset.jsonl"], "written: \(Scratch.entries(work))")
        // A usage error (exit 2) writes nothing either.
        let usage = try Tools.run("xp-baselines", ["metadata", "dataset.jsonl", "--out", "out", "--protocol", "loose"], in: work)
        #expect(usage.status == 2, "\(usage)")
        #expect(usage.stderr.contains("--protocol must be reference or strict"), "\(usage)")
        #expect(Scratch.entries(work) == ["dataset.jsonl"])
        // --expect-split-counts that do not match: exit 1, nothing written.
        try Self.write(Self.datasetLines(), work.appendingPathComponent("dataset.jsonl"))
        let counts = try Tools.run("xp-baselines", ["metadata", "dataset.jsonl", "--out", "out", "--expect-split-counts", "2848,512,448", "--quiet"], in: work)
        #expect(counts.status == 1, "\(counts)")
        #expect(counts.stderr.contains("expected 2848 / 512 / 448"), "\(counts)")
        #expect(Scratch.entries(work) == ["dataset.jsonl"])
    }

    @Test("xp-bench baselines --help exits 0 with an example")
    func benchHelp() throws {
        let run = try Tools.run("xp-bench", ["baselines", "--help"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("USAGE: xp-bench baselines"), "\(run)")
        #expect(run.stdout.contains("Example"), "\(run)")
    }

    @Test("--raw-suite on a tiny real export: the four raw tasks get numeric scores beside the metadata columns")
    func rawSuite() throws {
        let base = try Scratch.folder("baselines-raw")
        let root = base.appendingPathComponent("dataset")
        let fixture = try Tools.run("xp-fixture", ["--size", "tiny", "--frames", "200", "--dataset", "4", "--seed", "9", "--out", root.path])
        try #require(fixture.status == 0, "\(fixture)")
        // Two sessions (3 + 1 episodes): the first trains, the second is held out for test.
        let sessions = Scratch.entries(root).filter { !$0.hasPrefix(".") }
        try #require(sessions.count == 2, "\(sessions)")
        var entries: [JSONValue] = []
        for session in sessions {
            let episodes = Scratch.entries(root.appendingPathComponent(session)).filter { $0.hasPrefix("ep") }
            let split = episodes.count > 1 ? "train" : "test"
            for ep in episodes { entries.append(.object([("episode_key", .string("\(session)__\(ep)")), ("session", .string(session)), ("split", .string(split))])) }
        }
        try #require(entries.count == 4)
        let splitFile = base.appendingPathComponent("split.json")
        try Data(JSONValue.object([("version", .int(1)), ("method", .string("test")), ("episodes", .array(entries))]).pythonJSON(indent: 2).utf8).write(to: splitFile)
        let scan = try Tools.run("xp-scan", [root.path, "--out", base.appendingPathComponent("scan").path])
        try #require(scan.status == 0, "\(scan)")
        let export = try Tools.run("xp-export-qwen", [root.path, "--split", splitFile.path, "--out", base.appendingPathComponent("export").path,
                                                      "--no-media", "--cap", "6", "--quiet"])
        try #require(export.status == 0, "\(export)")
        let run = try Tools.run("xp-baselines", ["metadata", base.appendingPathComponent("export").path,
                                                 "--manifest", base.appendingPathComponent("scan/episode_manifest.json").path,
                                                 "--out", base.appendingPathComponent("out").path, "--raw-suite", "--protocol", "reference",
                                                 "--epochs", "20", "--neural-epochs", "1", "--raw-neural-epochs", "3", "--cache", base.appendingPathComponent("cache").path, "--quiet"], in: base)
        #expect(run.status == 0, "\(run)")
        let out = base.appendingPathComponent("out")
        let summary = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("summary_report.json"), encoding: .utf8))
        let raw = try #require(summary["raw_suite"]?["tasks"], "\(summary.pythonJSON().prefix(500))")
        for task in ["hand_trajectory_forecast", "cross_modal_retrieval", "modality_reconstruction", "misalignment_detection"] {
            #expect(raw[task]?["status"]?.stringValue == "ok", "\(task): \(raw[task]?.pythonJSON() ?? "missing")")
            #expect(raw[task]?["minimal"]?.numberValue != nil, "\(task)")
            #expect(raw[task]?["neural_mlp"]?.numberValue != nil, "\(task)")
            // The metadata side stays unsupported; the comparison row carries both.
            let row = summary["comparison"]?.arrayValue?.first { $0["task"]?.stringValue == task }
            #expect(row?["metadata_simple"] == .null)
            #expect(row?["raw_feature_minimal"]?.numberValue != nil)
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("raw_suite/\(task)/metrics.json").path), "\(task)")
        }
        #expect(summary["raw_suite"]?["episode_counts"]?["test"]?.numberValue == 1)
        // The classification tasks have metadata scores in the same table.
        let action = summary["comparison"]?.arrayValue?.first { $0["task"]?.stringValue == "timeline_action" }
        #expect(action?["metadata_simple"]?.numberValue != nil)
        let csv = try String(contentsOf: out.appendingPathComponent("task_metrics.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").first?.hasSuffix("raw_feature_status,raw_feature_primary_metric,raw_feature_minimal_score,raw_feature_mlp_score,notes") == true, "\(csv.prefix(300))")
        let report = try String(contentsOf: out.appendingPathComponent("BASELINE_ALIGNMENT_REPORT.md"), encoding: .utf8)
        #expect(report.contains("| task | metric | metadata simple | metadata neural | raw-feature minimal head | raw-feature MLP | notes |"))
        let line = report.split(separator: "\n").first { $0.hasPrefix("| `misalignment_detection` |") }.map(String.init) ?? ""
        let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(cells.count >= 8 && !cells[5].isEmpty && !cells[6].isEmpty && cells[3].isEmpty, "\(line)")
    }
}
