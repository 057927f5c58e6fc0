import Foundation
import Testing
import XPCore
import XPTestSupport

/// `xp-error-analysis` end to end: the reference's published analysis reproduced through the
/// tool, a strict run, and a malformed input.
@Suite("xp-error-analysis")
struct ErrorAnalysisToolTests {
    static let v3 = "reference-128ep/qwen-v3"
    static let v3Package = "xperience10m_qwen3_omni_128ep_structured_json_v3_strict_label_prompt_reuse_lora_eval_test_full"
    static let published = ["error_analysis_summary.json", "episode_error_analysis.csv", "action_family_error_analysis.csv", "train_seen_error_analysis.csv",
                            "missing_modality_error_analysis.csv", "object_category_error_analysis.csv", "ERROR_ANALYSIS.md"]

    @Test("the v3 package with its manifest reproduces the published analysis/ byte for byte",
          .sharedFixtures("reference-128ep/qwen-v3/eval/predictions.jsonl", "reference-128ep/qwen-v3/dataset/episode_manifest.json"))
    func v3Parity() throws {
        let package = try SharedFixtures.url(Self.v3)
        let work = try Scratch.folder("error-analysis")
        let base = "results/omni_finetune/verified_public/\(Self.v3Package)"
        let run = try Tools.run("xp-error-analysis", [
            package.appendingPathComponent("eval").path, "--manifest", package.appendingPathComponent("dataset/episode_manifest.json").path,
            "--out", "analysis", "--protocol", "reference", "--model-label", "Qwen3-Omni strict-label v3",
            "--source-package", Self.v3Package, "--source-eval-dir", base + "/eval", "--source-episode-manifest", base + "/dataset/episode_manifest.json",
        ], in: work)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == "analysis\n", "\(run)")
        for name in Self.published {
            let ours = try Data(contentsOf: work.appendingPathComponent("analysis/\(name)"))
            let theirs = try Data(contentsOf: package.appendingPathComponent("analysis/\(name)"))
            #expect(ours == theirs, "\(name) differs from the published file")
        }
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("analysis/action_family_hierarchical_summary.csv").path))
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("analysis/action_family_dense_summary.csv").path))
    }

    @Test("defaults write no absolute path: source_eval_dir as given, source_package the parent's name; strict names its protocol",
          .sharedFixtures("reference-128ep/qwen-v3/eval/predictions.jsonl", "reference-128ep/qwen-v3/dataset/episode_manifest.json"))
    func strictDefaults() throws {
        let fixtures = try SharedFixtures.url("reference-128ep")
        let work = try Scratch.folder("error-analysis-strict")
        // Run from the fixtures' folder with relative paths; the manifest is found beside eval/.
        let out = work.appendingPathComponent("strict").path
        let run = try Tools.run("xp-error-analysis", ["qwen-v3/eval", "--out", out], in: fixtures)
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("using the episode manifest qwen-v3/dataset/episode_manifest.json"), "\(run)")
        let summary = try JSONParser.parse(String(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("error_analysis_summary.json"), encoding: .utf8))
        #expect(summary["protocol"]?.stringValue == "strict")
        #expect(summary["source_package"]?.stringValue == "qwen-v3")
        #expect(summary["source_eval_dir"]?.stringValue == "qwen-v3/eval")
        #expect(summary["source_episode_manifest"]?.stringValue == "qwen-v3/dataset/episode_manifest.json")
        #expect(summary["taxonomies"]?["action_families"]?.stringValue == "error_analysis_action_families_v1+words")
        #expect(summary["episode_groups"]?.arrayValue?.count == 14)
        let report = try String(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("ERROR_ANALYSIS.md"), encoding: .utf8)
        #expect(report.contains("(strict protocol)"))
        #expect(report.contains("| no_object_label |"), "strict tables are complete (the reference cuts the 10 categories to 8)")
    }

    @Test("a malformed predictions line exits 1 naming file:line and writes nothing")
    func malformedLine() throws {
        let work = try Scratch.folder("error-analysis-bad")
        let eval = work.appendingPathComponent("eval")
        try FileManager.default.createDirectory(at: eval, withIntermediateDirectories: true)
        let good = #"{"id": "a", "episode_id": "e", "true_json": {"action": "x"}, "pred_json": {"action": "x"}}"#
        try (good + "\n\n" + good + "\n" + #"{"id": "b", "episode_id": "#  + "\n").write(to: eval.appendingPathComponent("predictions.jsonl"), atomically: true, encoding: .utf8)
        try #"{"json_validity_rate": 1.0}"#.write(to: eval.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)
        let out = work.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let run = try Tools.run("xp-error-analysis", ["eval", "--out", "out"], in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("eval/predictions.jsonl:4:"), "the blank line 2 still counts: \(run)")
        #expect(!run.stderr.contains("Usage:"), "\(run)")
        #expect(Scratch.entries(out).isEmpty, "left \(Scratch.entries(out))")
        // A missing metrics.json names it too.
        try FileManager.default.removeItem(at: eval.appendingPathComponent("metrics.json"))
        try (good + "\n").write(to: eval.appendingPathComponent("predictions.jsonl"), atomically: true, encoding: .utf8)
        let missing = try Tools.run("xp-error-analysis", ["eval", "--out", "out"], in: work)
        #expect(missing.status == 1 && missing.stderr.contains("eval/metrics.json"), "\(missing)")
        #expect(Scratch.entries(out).isEmpty)
    }

    @Test("usage errors exit 2: an unknown protocol, --sort-by under reference, a negative --max-examples")
    func usage() throws {
        for arguments in [["eval", "--out", "o", "--protocol", "loose"], ["eval", "--out", "o", "--protocol", "reference", "--sort-by", "object_f1"],
                          ["eval", "--out", "o", "--sort-by", "nope"], ["eval", "--out", "o", "--max-examples", "-1"]] {
            let run = try Tools.run("xp-error-analysis", arguments)
            #expect(run.status == 2, "\(run)")
        }
    }
}
