import ArgumentParser
import Foundation
import Report
import TaskContracts
import ToolSupport

/// `xp-bench report`: xp-report's wall time and file size on a suite run of the sample-size
/// synthetic episode and on a diagnose-like folder of the reference's sizes.
struct BenchReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Benchmark xp-report on a sample-size suite run and a diagnose-like folder.",
        discussion: """
            Without --run, generates (once, under the cache folder) the sample-size synthetic \
            episode and its features, runs the suite once (seed 7, both heads) into a temporary \
            folder, and times the report of it (with and without the per-block feature energy of \
            features.npy). Then writes a diagnose-like folder (the reference's 12 tasks × 9 groups \
            ablation rows for 3 seeds and both protocols, 6 groups × 9 shifts, 12 × 8 missing \
            views) and times its report. Each timing is the median of --repeats runs after \
            --warmup untimed ones; the file size is the report's bytes.

            Examples:
              swift run -c release xp-bench report
              swift run -c release xp-bench report --run outputs/xp-suite-strict
            """)

    @Option(name: .customLong("run"), help: "An existing suite run folder to time (default: one made here).") var runFolder: String?
    @Option(help: "Its xp-features folder, for the feature-energy timing.") var features: String?
    @Option(parsing: .unconditional, help: "Frames of the synthetic episode, in 200...50000.") var frames = 5821
    @Option(help: "Cache folder.") var cache = SuiteCache.defaultFolder
    @Option(help: "Untimed runs first, 0...10.") var warmup = 1
    @Option(help: "Timed runs, 1...20.") var repeats = 5

    func validate() throws {
        guard (200...50_000).contains(frames) else { throw ValidationError("--frames must be in 200...50000, found \(frames)") }
        guard (0...10).contains(warmup), (1...20).contains(repeats) else { throw ValidationError("--warmup must be in 0...10 and --repeats in 1...20") }
        if let run = runFolder, !FileManager.default.fileExists(atPath: URL(fileURLWithPath: run).appendingPathComponent("summary_report.json").path) {
            throw ValidationError("--run \(run) has no summary_report.json; pass an xp-suite output folder")
        }
    }

    /// Median seconds and the bytes of one render.
    func time(_ options: RunReport.Options) throws -> (seconds: Double, bytes: Int, runs: [Double]) {
        var runs: [Double] = []
        var bytes = 0
        for i in 0..<(warmup + repeats) {
            let start = Date()
            bytes = Data(try RunReport.render(options).utf8).count
            if i >= warmup { runs.append(Date().timeIntervalSince(start)) }
        }
        return (benchMedian(runs), bytes, runs)
    }

    func run() throws {
        let note: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("xp-bench-report-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var suiteFolder = runFolder.map { URL(fileURLWithPath: $0) }
        var featureFolder = features.map { URL(fileURLWithPath: $0) }
        var suiteSeconds: Double? = nil
        if suiteFolder == nil {
            try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache")
            let made = try SuiteCache.syntheticEpisode(cache: URL(fileURLWithPath: cache), frames: frames, featureProtocol: .strict, progress: note)
            let episode = try EpisodeLoader.load(folder: made.episode, source: .folder(made.features), suiteProtocol: .strict)
            var config = SuiteConfiguration(protocol: .strict, seeds: [7])
            config.progress = note
            let start = Date()
            let out = scratch.appendingPathComponent("suite")
            _ = try SuiteRunner.run(episodes: [episode], configuration: config, output: out)
            suiteSeconds = Date().timeIntervalSince(start)
            suiteFolder = out
            featureFolder = made.features
        }
        guard let suiteFolder else { return }
        note("timing the suite report")
        let plain = try time(RunReport.Options(folder: suiteFolder))
        var result: [String: Any] = [
            "area": "report", "suite_run": runFolder ?? "sample-size synthetic episode (\(frames) frames), strict, seed 7, both heads",
            "suite": ["median_seconds": plain.seconds, "runs": plain.runs, "bytes": plain.bytes] as [String: Any],
            "warmup": warmup, "repeats": repeats, "note": "single run on a shared 2-core machine",
        ]
        if let suiteSeconds { result["suite_run_seconds"] = suiteSeconds }
        if let featureFolder {
            let energy = try time(RunReport.Options(folder: suiteFolder, features: featureFolder))
            result["suite_with_feature_energy"] = ["median_seconds": energy.seconds, "runs": energy.runs, "bytes": energy.bytes] as [String: Any]
        }
        let diagnose = scratch.appendingPathComponent("diagnose")
        let rows = try writeDiagnoseLike(diagnose)
        note("timing the diagnose report")
        let d = try time(RunReport.Options(folder: diagnose))
        result["diagnose_like"] = ["median_seconds": d.seconds, "runs": d.runs, "bytes": d.bytes, "csv_rows": rows] as [String: Any]
        result["peak_rss_mb"] = benchPeakRSSMegabytes()
        print(benchJSON(result))
    }

    /// A folder with xp-diagnose's files at the reference's sizes; returns the CSV row count.
    func writeDiagnoseLike(_ folder: URL) throws -> Int {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tasks = ["timeline_action", "timeline_subtask", "transition_detection", "next_action", "hand_trajectory_forecast", "contact_prediction",
                     "object_relevance", "caption_grounding", "cross_modal_retrieval", "modality_reconstruction", "temporal_order", "misalignment_detection"]
        let groups = ["all_features", "video", "depth", "pose_slam", "motion_capture", "inertial", "audio", "language", "no_language"]
        var count = 0
        var a = "task,modality_group,status,score,primary_metric,target_source_overlap,protocol,seed,mode,baseline_name,baseline_score\n"
        for p in ["reference", "strict"] {
            for seed in [7, 8, 9] {
                for (ti, t) in tasks.enumerated() {
                    for (gi, g) in groups.enumerated() {
                        let score = Double((ti * 31 + gi * 17 + seed) % 100) / 100
                        a += "\(t),\(g),computed,\(score),macro_f1,\(gi == 0),\(p),\(seed),removed,majority,0.1\n"
                        count += 1
                    }
                }
            }
        }
        try Data(a.utf8).write(to: folder.appendingPathComponent("ablation_metrics.csv"))
        var s = "query_group,target_group,shift_windows,shift_frames,status,mrr,num_queries,protocol,seed,baseline_mrr\n"
        for g in ["motion_capture", "pose_slam", "inertial", "language", "motion_pose_inertial", "audio"] {
            for shift in [-40, -20, -10, -5, 0, 5, 10, 20, 40] {
                s += "\(g),depth_plus_video,\(shift),\(shift * 5),computed,\(0.4 / (1 + Double(abs(shift)))),\(348 - abs(shift)),strict,7,0.02\n"
                count += 1
            }
        }
        try Data(s.utf8).write(to: folder.appendingPathComponent("alignment_shift_metrics.csv"))
        var m = "task,view,metric,score_full,score_without,drop,baseline_name,baseline_score\n"
        for t in tasks {
            for v in ["fisheye_cam0", "fisheye_cam1", "fisheye_cam2", "fisheye_cam3", "stereo_left", "stereo_right", "audio", "imu"] {
                m += "\(t),\(v),macro_f1,0.5,0.4,0.1,majority,0.1\n"
                count += 1
            }
        }
        try Data(m.utf8).write(to: folder.appendingPathComponent("missing_views.csv"))
        return count
    }
}
