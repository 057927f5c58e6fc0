import ArgumentParser
import Foundation
import Pipeline

/// `xp-bench slurm`: the figures of the scale-out plan (Docs/scale-out.md): each step's cost on
/// the sample-size episode (and the cost model fitted from it), the scheduling overhead per array
/// task on the local Slurm cluster, and the measured time of a 12-episode plan against its estimate.
struct BenchSlurm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Benchmark the scale-out: per-episode step costs, Slurm overhead per array task, estimate vs measured.",
        discussion: """
            Runs the built tools (beside this xp-bench) as the pipeline does. Step costs: xp-qa, xp-features \
            (no cache), xp-export-qwen and xp-index on the sample-size synthetic episode (generated with \
            xp-fixture --size sample into --cache once, or --episode). Overhead: --tasks array tasks doing \
            nothing, submitted to the local cluster (skipped with a note when sbatch is absent or the \
            cluster does not answer). Estimate vs measured: a 12-episode tiny dataset planned with the \
            fitted cost model and run (on Slurm when it answers, else locally); the ratio is measured over \
            estimated seconds per step. The JSON's cost_model object is what xp-slurm plan --costs reads.

            Examples:
              scripts/slurm-cluster.sh start
              swift run -c release xp-bench slurm > slurm.json
              swift run -c release xp-bench slurm --episode fixtures/<session>/ep1 --tasks 16
            """)

    @Option(help: "Sample-size episode folder (default: generate one in --cache).")
    var episode: String?

    @Option(help: "Folder for generated data (reused when present).")
    var cache: String = ".build/xp-bench-cache/slurm"

    @Option(help: "Array tasks for the overhead figure, 1...1000.")
    var tasks: Int = 8

    @Option(help: "Frames of each of the 12 tiny episodes, 100...1200.")
    var frames: Int = 100

    @Flag(help: "Skip the sample-size step costs (use the built-in cost model).")
    var skipSample = false

    func validate() throws {
        guard (1...1000).contains(tasks) else { throw ValidationError("--tasks must be in 1...1000, found \(tasks)") }
        guard (100...1200).contains(frames) else { throw ValidationError("--frames must be in 100...1200, found \(frames)") }
    }

    var toolsFolder: URL {
        URL(fileURLWithPath: CommandLine.arguments.first ?? "xp-bench").standardizedFileURL.resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// Runs a built tool; returns its wall time, or throws with its stderr.
    func timedTool(_ name: String, _ arguments: [String]) throws -> Double {
        let scratch = URL(fileURLWithPath: cache).appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let err = scratch.appendingPathComponent("\(name).stderr")
        let start = Date()
        let status = try ProcessRunner.run(executable: toolsFolder.appendingPathComponent(name).path, arguments: arguments,
                                           stdout: scratch.appendingPathComponent("\(name).stdout"), stderr: err)
        let seconds = Date().timeIntervalSince(start)
        guard status == 0 else {
            throw ValidationError("\(name) \(arguments.joined(separator: " ")) failed (exit \(status)): \(String(decoding: FileManager.default.contents(atPath: err.path) ?? Data(), as: UTF8.self).suffix(800))")
        }
        return seconds
    }

    func run() throws {
        let fm = FileManager.default
        let base = URL(fileURLWithPath: cache).standardizedFileURL
        try fm.createDirectory(at: base, withIntermediateDirectories: true)
        var result: [String: Any] = ["area": "slurm", "cores": ProcessInfo.processInfo.activeProcessorCount, "load_average": benchLoadAverage()]
        var model = CostModel.standard

        // 1. Step costs on the sample-size episode.
        if !skipSample {
            let root = base.appendingPathComponent("sample-root")
            let ep: URL
            if let episode {
                ep = URL(fileURLWithPath: episode).standardizedFileURL
            } else {
                let made = base.appendingPathComponent("sample")
                if !fm.fileExists(atPath: made.path) {
                    _ = try timedTool("xp-fixture", ["--size", "sample", "--seed", "7", "--dataset", "1", "--out", made.path])
                }
                guard let session = try fm.contentsOfDirectory(atPath: made.path).first(where: { !$0.hasPrefix(".") }) else {
                    throw ValidationError("no episode in \(made.path); remove it and run again")
                }
                ep = made.appendingPathComponent(session).appendingPathComponent("ep1")
            }
            // A one-episode dataset root for the export (a symlink, no copy).
            try? fm.removeItem(at: root)
            try fm.createDirectory(at: root.appendingPathComponent("sess"), withIntermediateDirectories: true)
            try fm.createSymbolicLink(at: root.appendingPathComponent("sess/ep1"), withDestinationURL: ep)
            let frames = try framesOf(ep)
            let streams = ["fisheye_cam0", "fisheye_cam1", "fisheye_cam2", "fisheye_cam3", "stereo_left", "stereo_right"]
                .filter { fm.fileExists(atPath: ep.appendingPathComponent($0 + ".mp4").path) }.count
            let work = base.appendingPathComponent("sample-work")
            try? fm.removeItem(at: work)
            var steps: [String: Double] = [:]
            steps["qa"] = try timedTool("xp-qa", [ep.path, "--json", "--fail-on", "never", "--quiet"])
            steps["features"] = try timedTool("xp-features", [ep.path, "--out", work.appendingPathComponent("features").path, "--no-cache", "--quiet"])
            steps["export"] = try timedTool("xp-export-qwen", [root.path, "--out", work.appendingPathComponent("export").path, "--relative-paths", "--quiet", "--shards", "1"])
            steps["index"] = try timedTool("xp-index", [work.appendingPathComponent("export").path, "--out", work.appendingPathComponent("index").path])
            result["sample_episode"] = ["path": ep.path, "frames": frames, "streams": streams]
            result["step_seconds_per_episode"] = steps
            model = fit(steps, frames: frames, streams: streams)
        }
        result["cost_model"] = ["steps": model.steps.mapValues { ["perEpisode": $0.perEpisode, "perFrame": $0.perFrame, "perFrameStream": $0.perFrameStream] }]

        // 2. Scheduling overhead per array task.
        let client = SlurmClient.find().flatMap { $0.clusterAnswers() ? $0 : nil }
        if let client {
            let script = base.appendingPathComponent("noop.sbatch")
            try Data("#!/bin/bash\n#SBATCH --job-name=xp-bench-noop\n#SBATCH --cpus-per-task=1\n#SBATCH --mem=64M\ntrue\n".utf8).write(to: script)
            let start = Date()
            let id = try client.submit(script: script, arguments: [], options: ["--array=0-\(tasks - 1)", "--output=/dev/null"])
            _ = try SlurmSubmit.wait([id], client: client, timeout: 600, poll: 0.2)
            let wall = Date().timeIntervalSince(start)
            result["slurm_overhead"] = ["tasks": tasks, "wall_seconds": wall, "seconds_per_task": wall / Double(tasks),
                                        "node_cpus": ProcessInfo.processInfo.activeProcessorCount,
                                        "note": "sbatch to the last task's end, tasks running `true`, one node"]
        } else {
            result["slurm_overhead"] = NSNull()
            result["slurm_note"] = "sbatch absent or the cluster does not answer sinfo (scripts/slurm-cluster.sh start)"
        }

        // 3. Estimate vs measured on 12 tiny episodes.
        let tiny = base.appendingPathComponent("tiny12-\(frames)")
        if !fm.fileExists(atPath: tiny.appendingPathComponent(".complete").path) {
            try? fm.removeItem(at: tiny)
            _ = try timedTool("xp-fixture", ["--size", "tiny", "--frames", "\(frames)", "--dataset", "12", "--seed", "3", "--out", tiny.path])
            _ = fm.createFile(atPath: tiny.appendingPathComponent(".complete").path, contents: Data())
        }
        let scan = base.appendingPathComponent("tiny12-scan"), planDir = base.appendingPathComponent("tiny12-plan"), out = base.appendingPathComponent("tiny12-run")
        for u in [scan, planDir, out] { try? fm.removeItem(at: u) }
        let costs = base.appendingPathComponent("cost_model.json")
        try Data(benchJSON(["cost_model": result["cost_model"] ?? [:]]).utf8).write(to: costs)
        _ = try timedTool("xp-scan", [tiny.path, "--out", scan.path, "--quiet"])
        _ = try timedTool("xp-slurm", ["plan", tiny.path, "--manifest", scan.path, "--out", planDir.path, "--steps", "qa,features",
                                       "--cpus", "1", "--costs", costs.path, "--task-minutes", "0.05", "--max-tasks", "4"])
        let runStart = Date()
        if client != nil {
            _ = try timedTool("xp-slurm", ["submit", planDir.path, "--out", out.path, "--wait", "--poll", "0.5", "--timeout", "1800"])
        } else {
            _ = try timedTool("xp-slurm", ["run-local", planDir.path, "--out", out.path, "--jobs", "2", "--quiet"])
        }
        let runWall = Date().timeIntervalSince(runStart)
        let plan = try WorkPlan.read(planDir)
        let summary = Merge.summarize(plan: plan, out: RunFolder(out))
        var rows: [[String: Any]] = []
        for s in summary.steps {
            let est = s.estimated.reduce(0, +), got = s.measured.reduce(0, +)
            rows.append(["step": s.step, "tasks": s.measured.count, "estimated_seconds": est, "measured_seconds": got,
                         "measured_over_estimated": est > 0 ? got / est : 0])
        }
        let est = summary.steps.reduce(0.0) { $0 + $1.estimated.reduce(0, +) }, got = summary.steps.reduce(0.0) { $0 + $1.measured.reduce(0, +) }
        result["twelve_episode_run"] = ["runner": client != nil ? "slurm" : "local", "frames_per_episode": frames, "wall_seconds": runWall,
                                        "steps": rows, "estimated_seconds": est, "measured_seconds": got,
                                        "measured_over_estimated": est > 0 ? got / est : 0]
        result["peak_rss_mb"] = benchPeakRSSMegabytes()
        print(benchJSON(result))
    }

    /// The episode's frame count, from xp-qa's JSON report.
    func framesOf(_ ep: URL) throws -> Int {
        let scratch = URL(fileURLWithPath: cache).appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let out = scratch.appendingPathComponent("frames.json")
        _ = try ProcessRunner.run(executable: toolsFolder.appendingPathComponent("xp-qa").path, arguments: [ep.path, "--json", "--fail-on", "never", "--quiet"],
                                  stdout: out, stderr: scratch.appendingPathComponent("frames.stderr"))
        guard let data = FileManager.default.contents(atPath: out.path), let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let episodes = json["episodes"] as? [[String: Any]], let frames = episodes.first?["frames"] as? Int else {
            throw ValidationError("cannot read the frame count of \(ep.path) from xp-qa --json")
        }
        return frames
    }

    /// A cost model from one episode: the decode-bound steps (features, export) cost per frame and
    /// stream, the others per frame; a small fixed part per episode from the tiny runs' floor.
    func fit(_ s: [String: Double], frames: Int, streams: Int) -> CostModel {
        let f = Double(max(1, frames)), fs = Double(max(1, frames * max(1, streams)))
        func perFrame(_ v: Double?, fixed: Double) -> StepCost { StepCost(perEpisode: fixed, perFrame: max(0, ((v ?? fixed) - fixed) / f)) }
        func perStream(_ v: Double?, fixed: Double) -> StepCost { StepCost(perEpisode: fixed, perFrameStream: max(0, ((v ?? fixed) - fixed) / fs)) }
        return CostModel(steps: ["qa": perFrame(s["qa"], fixed: 0.2), "features": perStream(s["features"], fixed: 0.5),
                                 "export": perStream(s["export"], fixed: 0.5), "index": perFrame(s["index"], fixed: 0.01)])
    }
}
