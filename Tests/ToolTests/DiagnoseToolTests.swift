import Foundation
import Testing

/// `xp-diagnose` end to end on the shared tiny episode (57 windows) and its xp-features folder:
/// the files the report reads, with their columns and the row counts the run implies.
@Suite("xp-diagnose", .serialized)
struct DiagnoseToolTests {
    @Test("--help has an abstract, a discussion and examples")
    func help() throws {
        let run = try Tools.run("xp-diagnose", ["--help"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("OVERVIEW: Modality ablation"), "\(run)")
        #expect(run.stdout.contains("Examples:"), "\(run)")
        #expect(run.stdout.contains("--only"), "\(run)")
    }

    @Test("usage errors exit 2 before any work", arguments: [
        ["--out", "x", "--protocol", "loose"], ["--out", "x", "--only", "ablation,timing"], ["--out", "x", "--features", "/"],
        ["--out", "x", "--seeds", ""], ["--out", "x", "--tasks", "no_such_task"],
    ])
    func usage(_ arguments: [String]) throws {
        let work = try Scratch.folder("diagnose-usage")
        let run = try Tools.run("xp-diagnose", arguments, in: work)
        #expect(run.status == 2, "\(run)")
        #expect(Scratch.entries(work).isEmpty, "a usage error wrote \(Scratch.entries(work))")
    }

    @Test("strict run: every diagnostic's file, columns and row counts")
    func strictRun() throws {
        let out = try Scratch.folder("diagnose").appendingPathComponent("diag")
        let cache = try Scratch.folder("diagnose-cache")
        let run = try Tools.run("xp-diagnose", ["--episode", try SharedEpisode.episode().path, "--features", try SharedEpisode.featureFolder().path,
                                                "--out", out.path, "--cache", cache.path, "--tasks", "cross_modal_retrieval",
                                                "--only", "ablation,alignment,missing-views,audio,probes", "--quiet"])
        #expect(run.status == 0, "\(run)")
        func lines(_ name: String) throws -> [String] {
            try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let ablation = try lines("ablation_metrics.csv")
        #expect(ablation.first?.hasSuffix(",num_queries,protocol,seed,mode,baseline_name,baseline_score") == true)
        // One task × two modes (strict: removed and only) × nine groups.
        #expect(ablation.count == 1 + 2 * 9)
        let alignment = try lines("alignment_shift_metrics.csv")
        #expect(alignment.first == "query_group,query_display,target_group,shift_windows,shift_frames,status,mrr,top1_accuracy,top5_accuracy,top10_accuracy,median_rank,mean_rank,num_queries,protocol,seed,baseline_mrr,task,auroc,macro_f1,accuracy,num_pairs,baseline_name,baseline_score")
        // Retrieval: 57 windows, split point 40, 17 test windows; shifts up to ±10 leave pairs,
        // ±20 and ±40 none; six query groups. Misalignment: 49 left windows (57 − the shift of
        // 8) make 98 pairs, whose purged strict split leaves fewer than 10 test left windows:
        // shifts 0 and ±5 only, six groups again.
        #expect(alignment.count == 1 + 6 * 5 + 6 * 3)
        #expect(alignment.filter { $0.contains(",misalignment_detection,") }.count == 6 * 3)
        let missing = try lines("missing_views.csv")
        #expect(missing.first == "task,task_display,view,metric,score_full,score_without,drop,baseline_name,baseline_score,protocol,seed")
        let audio = try lines("audio_ablation_metrics.csv")
        #expect(audio.count == 1 + 6)
        #expect(try lines("audio_delta_summary.csv").count == 1 + 1)
        for name in ["diagnostics.json", "raw_logmel_features.npy", "probes/probes_summary.json",
                     "probes/body_motion_intensity_minimal_predictions.csv", "probes/multi_view_consistency_minimal_ranks.csv"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) missing")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("diagnostics.json"))) as? [String: Any]
        #expect(json?["protocol"] as? String == "strict")
        #expect((json?["files"] as? [String: Any])?["ablation"] as? String == "ablation_metrics.csv")
        #expect((json?["groups"] as? [String: Any])?["all_features"] as? Int == 8546)
        // The misalignment curve per query group: the shifts it has rows for, one AUROC each.
        let curves = (json?["misalignment_shift"] as? [String: Any])?["groups"] as? [String: Any]
        #expect(curves?.count == 6)
        let inertial = curves?["inertial"] as? [String: Any]
        #expect(inertial?["shift_windows"] as? [Int] == [-5, 0, 5], "\(String(describing: inertial))")
        #expect((inertial?["auroc"] as? [Any])?.count == 3)
        // The raw log-mel rows: 57 × 588 float32, and for every row the frame count (column
        // 587) follows from the segment length (column 586 × 16000): 1 + (n − 512) // 160.
        let npy = try Data(contentsOf: out.appendingPathComponent("raw_logmel_features.npy"))
        let headerLength = Int(npy[8]) | Int(npy[9]) << 8
        let header = String(decoding: npy[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'shape': (57, 588)"), "\(header)")
        let body = npy.subdata(in: (10 + headerLength)..<npy.count)
        let values = body.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(values.count == 57 * 588)
        for r in 0..<57 {
            let n = Int((Double(values[r * 588 + 586]) * 16000).rounded())
            #expect(Double(values[r * 588 + 587]) == Double(1 + max(0, n - 512) / 160), "row \(r): n \(n), frames \(values[r * 588 + 587])")
        }
    }
}
