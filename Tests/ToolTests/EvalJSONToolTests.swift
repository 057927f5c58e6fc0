import Foundation
import Testing
import XPCore
import XPTestSupport

/// `xp-eval-json` end to end on a small hand-written dataset.jsonl and predictions.
@Suite("xp-eval-json end to end")
struct EvalJSONToolTests {
    static let options = #"["Close lid", "Open lid", "Pour water"]"#

    static func record(_ id: String, _ split: String, _ action: String, _ objects: String) -> String {
        #"{"id": "\#(id)", "episode_id": "\#(id.prefix(1))", "split": "\#(split)", "target": "episode_qa", "center_window": {"start_frame": 0, "end_frame": 19, "num_frames": 20}, "answer_json": {"action": "\#(action)", "subtask": "Make tea", "objects": \#(objects), "contact": "yes", "transition": "no", "next_action": "\#(action)", "evidence_window": {"start_frame": 0, "end_frame": 19}}, "label": "\#(action)", "action_options": \#(options), "subtask_options": ["Make tea"], "label_options": \#(options)}"#
    }

    static let dataset = [
        record("t:qa:0", "train", "Open lid", #"["lid"]"#),
        record("e:qa:0", "test", "Open lid", #"["lid", "kettle"]"#),
        record("e:qa:20", "test", "Close lid", #"["lid"]"#),
    ]

    static func prediction(_ id: String, _ raw: String) -> String {
        JSONValue.object([("id", .string(id)), ("raw_prediction", .string(raw))]).pythonJSON(.unicode)
    }

    static let good = prediction("e:qa:0", #"{"action": "Open lid", "subtask": "Make tea", "objects": ["lid"], "contact": "yes", "transition": "no", "next_action": "Open lid", "evidence_window": {"start_frame": 0, "end_frame": 19}}"#)
    static let fenced = prediction("e:qa:20", "```json\n{\"action\": \"close lid\"}\n```")

    func scratch() throws -> URL {
        let folder = try Scratch.folder("eval-json")
        try Data(Self.dataset.map { $0 + "\n" }.joined().utf8).write(to: folder.appendingPathComponent("dataset.jsonl"))
        return folder
    }

    func write(_ lines: [String], _ name: String, _ folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: url)
        return url.path
    }

    @Test func scoresAndWritesThePackage() throws {
        let folder = try scratch()
        let a = try write([Self.fenced], "a.jsonl", folder), b = try write([Self.good], "b.jsonl", folder)
        let out = folder.appendingPathComponent("eval").path
        let run = try Tools.run("xp-eval-json", ["--dataset", folder.path, "--predictions", a, b, "--out", out])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == out + "\n")
        #expect(Scratch.entries(URL(fileURLWithPath: out)) == ["RUN_REPORT.md", "confusion_matrix.csv", "metrics.json", "per_class_metrics.csv", "predictions.csv", "predictions.jsonl"])
        let metrics = try JSONParser.parse(try String(contentsOfFile: out + "/metrics.json", encoding: .utf8))
        // Both right ("close lid" matches "Close lid" ignoring case); only the first has seven keys.
        #expect(metrics["accuracy"] == .double(1) && metrics["json_validity_rate"] == .double(0.5))
        // Objects: {lid, kettle} vs {lid} (tp 1, fn 1); {lid} vs nothing (fn 1) → P 1, R 1/3 → F1 0.5.
        #expect(metrics["object_micro_f1"] == .double(0.5))
        #expect(metrics["protocol"] == .string("strict") && metrics["strict"] != nil)
        #expect(metrics["unseen_eval_labels"] == .array([.string("Close lid")]))
        let csv = try String(contentsOfFile: out + "/predictions.csv", encoding: .utf8)
        // center_window as a Python dict repr; the fenced raw text quoted over two lines.
        #expect(csv.contains(#",e,"{'start_frame': 0, 'end_frame': 19, 'num_frames': 20}",Open lid,"#))
        #expect(csv.contains("\"```json\n{\"\"action\"\": \"\"close lid\"\"}\n```\",Close lid,1,0\n"))
        let report = try String(contentsOfFile: out + "/RUN_REPORT.md", encoding: .utf8)
        #expect(report.contains("Action macro-F1, all `3` labels (published definition)") && report.contains("`2` supported classes (baseline definition)"))
    }

    @Test func malformedLineExitsOneAndWritesNothing() throws {
        let folder = try scratch()
        let bad = try write([Self.good, #"{"id": "e:qa:20", "raw_prediction": "x""#], "bad.jsonl", folder)
        let out = folder.appendingPathComponent("eval")
        let run = try Tools.run("xp-eval-json", ["--dataset", folder.appendingPathComponent("dataset.jsonl").path, "--predictions", bad, "--out", out.path])
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("bad.jsonl:2"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(Scratch.entries(folder) == ["bad.jsonl", "dataset.jsonl"])
    }

    @Test func missingPredictionsNeedAllowMissing() throws {
        let folder = try scratch()
        let only = try write([Self.good], "only.jsonl", folder)
        let out = folder.appendingPathComponent("eval")
        let refused = try Tools.run("xp-eval-json", ["--dataset", folder.path, "--predictions", only, "--out", out.path, "--protocol", "reference"])
        #expect(refused.status == 1 && refused.stderr.contains("1 of 2 eval records have no prediction (first: e:qa:20)") && refused.stderr.contains("--allow-missing"), "\(refused)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let allowed = try Tools.run("xp-eval-json", ["--dataset", folder.path, "--predictions", only, "--out", out.path, "--protocol", "reference", "--allow-missing"])
        #expect(allowed.status == 0, "\(allowed)")
        #expect(try String(contentsOf: out.appendingPathComponent("missing_predictions.txt"), encoding: .utf8) == "e:qa:20\n")
        let metrics = try JSONParser.parse(try String(contentsOf: out.appendingPathComponent("metrics.json"), encoding: .utf8))
        #expect(metrics["num_samples"] == .int(2) && metrics["coverage"]?["missing_prediction_rows"] == .int(1) && metrics["strict"] == nil)
    }

    @Test func usageErrors() throws {
        let folder = try scratch()
        for (args, message) in [(["--out", "x"], "give --dataset and --predictions"),
                                (["--dataset", folder.path, "--out", "x"], "needs at least one --predictions"),
                                (["--rescore", "p.jsonl", "--out", "x"], "--rescore needs --labels"),
                                (["--dataset", folder.path, "--predictions", "p", "--out", "x", "--protocol", "loose"], "--protocol must be reference or strict")] {
            let run = try Tools.run("xp-eval-json", args, in: folder)
            #expect(run.status == 2 && run.stderr.contains(message), "\(run)")
        }
    }

    @Test(.sharedFixtures("reference-128ep/qwen-v3/eval/predictions.jsonl", "reference-128ep/qwen-v3/eval/metrics.json", "reference-128ep/qwen-v3/eval/per_class_metrics.csv"))
    func rescoresThePublishedPackage() throws {
        let eval = SharedFixtures.root.appendingPathComponent("reference-128ep/qwen-v3/eval")
        let out = try Scratch.folder("rescore").appendingPathComponent("out")
        let run = try Tools.run("xp-eval-json", ["--rescore", eval.appendingPathComponent("predictions.jsonl").path,
                                                  "--labels", eval.appendingPathComponent("metrics.json").path, "--out", out.path, "--protocol", "reference"])
        #expect(run.status == 0, "\(run)")
        #expect(try Data(contentsOf: out.appendingPathComponent("per_class_metrics.csv")) == Data(contentsOf: eval.appendingPathComponent("per_class_metrics.csv")))
        #expect(try Data(contentsOf: out.appendingPathComponent("predictions.jsonl")) == Data(contentsOf: eval.appendingPathComponent("predictions.jsonl")))
    }
}
