import Foundation
import Testing
import XPCore
@testable import Pipeline

/// The unit runner and the local run with a tiny shell tool standing in for an `xp-*` step, so
/// the marker, resume, failure and commit rules are checked without building episodes.
@Suite("Pipeline: units, markers, failures and the local run", .serialized)
struct UnitRunnerTests {
    /// A scratch folder with three episodes (one "corrupt"), the fake tool and a plan of one step.
    struct Setup {
        var base: URL
        var plan: WorkPlan
        var episodes: [URL]
    }

    static func setup() throws -> Setup {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("xp-pipeline-units-\(UUID().uuidString)")
        try fm.createDirectory(at: base, withIntermediateDirectories: true)
        let tool = base.appendingPathComponent("fake-tool")
        // Writes OUT/result.json with its output path and a time, or fails on a "bad" episode.
        let script = """
            #!/bin/sh
            if [ -f "$1/bad" ]; then echo "reading $1/bad" >&2; echo "error: $1/bad: not an HDF5 file" >&2; exit 1; fi
            printf '{"seconds": %s, "out": "%s/x", "n": "%s"}\\n' "$$" "$2" "$(cat "$1/n")" > "$2/result.json"
            """
        try Data(script.utf8).write(to: tool)
        chmod(tool.path, 0o755)
        var episodes: [URL] = []
        var planEpisodes: [PlanEpisode] = []
        for k in 1...3 {
            let ep = base.appendingPathComponent("data/s/ep\(k)")
            try fm.createDirectory(at: ep, withIntermediateDirectories: true)
            try Data("\(k)".utf8).write(to: ep.appendingPathComponent("n"))
            if k == 2 { try Data().write(to: ep.appendingPathComponent("bad")) }
            episodes.append(ep)
            planEpisodes.append(PlanEpisode(key: "s__ep\(k)", folder: ep.path, frames: 100 * k, streams: 6, bytes: 1))
        }
        let binary = try ToolBinary.resolve(tool.path)
        let step = PlanStep(name: "fake", tool: "fake-tool", scope: .episode, arguments: ["{episode}", "{out}"], volatileKeys: ["seconds"],
                            tasks: [[0, 2], [1]], estimatedSeconds: [1, 1], resources: Resources(cpus: 1, memoryMiB: 100, timeMinutes: 5))
        let plan = WorkPlan(datasetRoot: base.appendingPathComponent("data").path, manifest: "", driver: binary, tools: ["fake-tool": binary],
                            episodes: planEpisodes, steps: [step], slurm: SlurmSettings(), costModel: .standard)
        return Setup(base: base, plan: plan, episodes: episodes)
    }

    @Test("a unit is committed with its marker, skipped when unchanged, redone when its input changes")
    func markerAndResume() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.base) }
        let run = RunFolder(s.base.appendingPathComponent("run"))
        let runner = UnitRunner(plan: s.plan, run: run)
        let step = s.plan.steps[0]
        let first = try runner.runUnit(step: step, unit: "s__ep1", episodes: [s.plan.episodes[0]])
        #expect(first.status == .done)
        let result = run.url.appendingPathComponent("fake/s__ep1/result.json")
        // The staging path became the output's relative path; the time is gone.
        #expect(String(decoding: try Data(contentsOf: result), as: UTF8.self) == "{\n  \"out\": \"fake/s__ep1/x\",\n  \"n\": \"1\"\n}\n")
        #expect(FileManager.default.fileExists(atPath: run.marker(step: "fake", unit: "s__ep1").path))
        #expect(try runner.runUnit(step: step, unit: "s__ep1", episodes: [s.plan.episodes[0]]).status == .alreadyDone)
        try Data("11".utf8).write(to: s.episodes[0].appendingPathComponent("n"))
        #expect(try runner.runUnit(step: step, unit: "s__ep1", episodes: [s.plan.episodes[0]]).status == .done)
        #expect(String(decoding: try Data(contentsOf: result), as: UTF8.self).contains("\"n\": \"11\""))
    }

    @Test("a failing unit records its error and exit status and leaves no output; a killed attempt's staging is cleared")
    func failureAndKilled() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.base) }
        let run = RunFolder(s.base.appendingPathComponent("run"))
        let runner = UnitRunner(plan: s.plan, run: run)
        let step = s.plan.steps[0]
        let failed = try runner.runUnit(step: step, unit: "s__ep2", episodes: [s.plan.episodes[1]])
        #expect(failed.status == .failed)
        let record = try #require(Records.read(FailureRecord.self, at: run.failure(step: "fake", unit: "s__ep2")))
        #expect(record.exitStatus == 1)
        #expect(record.error == "reading \(s.episodes[1].path)/bad\nerror: \(s.episodes[1].path)/bad: not an HDF5 file")
        #expect(!FileManager.default.fileExists(atPath: run.url.appendingPathComponent("fake/s__ep2").path))
        // A killed attempt left a partial file in staging: the next attempt starts clean.
        let staging = run.staging(step: "fake", unit: "s__ep3")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try Data("half".utf8).write(to: staging.appendingPathComponent("partial.bin"))
        #expect(try runner.runUnit(step: step, unit: "s__ep3", episodes: [s.plan.episodes[2]]).status == .done)
        let files = try FileManager.default.contentsOfDirectory(atPath: run.url.appendingPathComponent("fake/s__ep3").path)
        #expect(files == ["result.json"])
        #expect(!FileManager.default.fileExists(atPath: staging.path))
    }

    @Test("a failed unit is not rerun while its inputs are unchanged; clearing its record (--retry-failed) reruns it")
    func failedStaysFailed() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.base) }
        let run = RunFolder(s.base.appendingPathComponent("run"))
        let runner = UnitRunner(plan: s.plan, run: run)
        let step = s.plan.steps[0]
        #expect(try runner.runUnit(step: step, unit: "s__ep2", episodes: [s.plan.episodes[1]]).status == .failed)
        let again = try runner.runUnit(step: step, unit: "s__ep2", episodes: [s.plan.episodes[1]])
        #expect(again.status == .failedBefore && again.error?.contains("not an HDF5 file") == true, "\(again)")
        #expect(Records.read(FailureRecord.self, at: run.failure(step: "fake", unit: "s__ep2")) != nil, "the record is kept")
        #expect(try Records.clearFailures(plan: s.plan, run: run) == ["fake/s__ep2"])
        #expect(Merge.summarize(plan: s.plan, out: run).steps[0].missing.contains("s__ep2"), "a cleared failure is missing")
        #expect(try runner.runUnit(step: step, unit: "s__ep2", episodes: [s.plan.episodes[1]]).status == .failed, "run again")
        // A changed input is a new unit of work: it runs without clearing anything.
        try FileManager.default.removeItem(at: s.episodes[1].appendingPathComponent("bad"))
        #expect(try runner.runUnit(step: step, unit: "s__ep2", episodes: [s.plan.episodes[1]]).status == .done)
        #expect(Records.read(FailureRecord.self, at: run.failure(step: "fake", unit: "s__ep2")) == nil)
        #expect(try Records.clearFailures(plan: s.plan, run: run).isEmpty)
    }

    @Test("the local run merges in plan order: the summary lists the failure with its error; a second run changes nothing")
    func localRun() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.base) }
        let run = RunFolder(s.base.appendingPathComponent("run"))
        let summary = try LocalRun.run(plan: s.plan, out: run, jobs: 2)
        #expect(summary.steps[0].done == ["s__ep1", "s__ep3"])
        #expect(summary.steps[0].failed.map(\.unit) == ["s__ep2"])
        #expect(summary.steps[0].missing.isEmpty && !summary.complete)
        let text = String(decoding: try Data(contentsOf: run.summary), as: UTF8.self)
        #expect(text.contains("\"error\": \"reading \(s.episodes[1].path)/bad\\nerror: \(s.episodes[1].path)/bad: not an HDF5 file\""), "\(text)")
        let before = try Data(contentsOf: run.summary)
        let again = try LocalRun.run(plan: s.plan, out: run, jobs: 1)
        #expect(again.steps[0].done == ["s__ep1", "s__ep3"])
        #expect(try Data(contentsOf: run.summary) == before)
        // Removing a marker makes the unit missing, and its task the one to resubmit.
        try FileManager.default.removeItem(at: run.marker(step: "fake", unit: "s__ep3"))
        let partial = Merge.summarize(plan: s.plan, out: run)
        #expect(partial.steps[0].missing == ["s__ep3"] && partial.steps[0].missingTasks == [0])
    }

    @Test("the sbatch script names the tools by absolute path, the resources, partition, account and extra lines")
    func script() throws {
        let s = try Self.setup()
        defer { try? FileManager.default.removeItem(at: s.base) }
        var plan = s.plan
        plan.slurm = SlurmSettings(partition: "gpu", account: "lab", extraLines: ["--qos=long"], jobName: "xk")
        let text = SlurmScript.step(plan.steps[0], plan: plan, planFile: "/p/plan.json")
        for line in ["#SBATCH --job-name=xk-fake", "#SBATCH --array=0-1", "#SBATCH --cpus-per-task=1", "#SBATCH --mem=100M",
                     "#SBATCH --time=0-00:05:00", "#SBATCH --partition=gpu", "#SBATCH --account=lab", "#SBATCH --qos=long",
                     "exec '\(plan.driver.path)' task '/p/plan.json' --step fake --task \"${SLURM_ARRAY_TASK_ID:-0}\" --out \"$OUT\""] {
            #expect(text.contains(line + "\n"), "missing \(line) in\n\(text)")
        }
        #expect(text.hasPrefix("#!/bin/bash\n"))
    }
}
