import Foundation
import Pipeline
import Testing
import XPTestSupport

/// `xp-slurm` on a real one-node Slurm cluster (`scripts/slurm-cluster.sh start`): the plan of
/// xp-qa, xp-features and the Qwen export (plan job, array of parts, combine; no media, to keep
/// the suite short) over 12 tiny episodes (one with a corrupt annotation file) submitted as job
/// arrays, against run-local; one array task cancelled mid-way and resumed; failed episodes
/// kept as failed on --resume and rerun with --retry-failed.
/// The local cluster's Slurm commands when `sinfo` answers with a node up.
enum SlurmCluster {
    static let client: SlurmClient? = {
        guard let c = SlurmClient.find(), c.clusterAnswers() else { return nil }
        return c
    }()
}

@Suite("xp-slurm on a one-node cluster", .serialized, .enabled(if: SlurmCluster.client != nil, "sbatch is absent or the cluster does not answer sinfo (scripts/slurm-cluster.sh start)"))
struct SlurmToolTests {
    static let corrupt = "sess-d__ep3"

    struct Setup: Sendable {
        var base: URL
        var plan: URL
        var local: URL
        var localRun: ToolRun
    }

    /// One generated episode copied into 12 folders of 4 sessions (copies are distinct episodes
    /// to the pipeline, and generating 12 would take most of the budget); one annotation file
    /// truncated; xp-scan; the plan; the local run.
    static let setup: Result<Setup, ToolTestError> = {
        do {
            let base = try Scratch.folder("slurm")
            let seed = try SyntheticDatasets.make(count: 1, frames: 100, seed: 5, label: "slurm-seed")
            let fm = FileManager.default
            guard let session = try fm.contentsOfDirectory(atPath: seed.path).first(where: { !$0.hasPrefix(".") }) else {
                return .failure(.unexpected("no session in \(seed.path)"))
            }
            let source = seed.appendingPathComponent(session).appendingPathComponent("ep1")
            let root = base.appendingPathComponent("dataset")
            for s in ["a", "b", "c", "d"] {
                for k in 1...3 {
                    let ep = root.appendingPathComponent("sess-\(s)/ep\(k)")
                    try fm.createDirectory(at: ep.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try fm.copyItem(at: source, to: ep)
                }
            }
            let bad = root.appendingPathComponent("sess-d/ep3/annotation.hdf5")
            let handle = try FileHandle(forWritingTo: bad)
            try handle.truncate(atOffset: 4096)
            try handle.close()
            let scan = base.appendingPathComponent("scan"), plan = base.appendingPathComponent("plan"), local = base.appendingPathComponent("local")
            let scanRun = try Tools.run("xp-scan", [root.path, "--out", scan.path, "--quiet"])
            guard scanRun.status == 0 else { return .failure(.toolFailed(scanRun)) }
            let planRun = try Tools.run("xp-slurm", ["plan", root.path, "--manifest", scan.path, "--out", plan.path, "--steps", "qa,features,export",
                                                     "--cpus", "1", "--task-minutes", "0.02", "--max-tasks", "4", "--mem-mib", "512",
                                                     "--export-cpus", "1", "--shards", "2", "--export-arg=--cap", "--export-arg=2", "--export-arg=--no-media"])
            guard planRun.status == 0 else { return .failure(.toolFailed(planRun)) }
            let localRun = try Tools.run("xp-slurm", ["run-local", plan.path, "--out", local.path, "--jobs", "2", "--quiet"])
            return .success(Setup(base: base, plan: plan, local: local, localRun: localRun))
        } catch let e as ToolTestError { return .failure(e) } catch { return .failure(.unexpected("\(error)")) }
    }()

    /// The outputs a run folder holds (its control folder and the timings excluded).
    static func outputs(_ run: URL) -> [(String, Data)] {
        SyntheticDatasets.files(run, excluding: ["pipeline_timings.json"]).filter { !$0.0.hasPrefix(".pipeline/") }
    }

    static func expectSame(_ a: URL, _ b: URL) {
        let x = outputs(a), y = outputs(b)
        #expect(x.map(\.0) == y.map(\.0))
        #expect(x.count > 20, "\(x.map(\.0))")
        for ((name, d1), (_, d2)) in zip(x, y) where d1 != d2 { Issue.record("\(name) differs between \(a.path) and \(b.path)") }
    }

    @Test("the plan bins 12 episodes into 4 tasks per step, with the tools by absolute path")
    func plan() throws {
        let s = try Self.setup.get()
        let plan = try WorkPlan.read(s.plan)
        #expect(plan.episodes.count == 12)
        #expect(plan.steps.map(\.name) == ["qa", "features", "export-plan", "export", "combine"])
        let features = try plan.step("features")
        #expect(features.tasks.count == 4 && features.tasks.allSatisfy { $0.count == 3 })
        // The export's parts are an array like the features', chained to its plan job and the combine.
        let export = try plan.step("export")
        #expect(export.scope == .episode && export.tasks.count == 4 && export.after == ["export-plan"])
        #expect(try plan.step("combine").after == ["export"])
        #expect(plan.tools.values.allSatisfy { $0.path.hasPrefix("/") })
        let script = try String(contentsOf: SlurmScript.file("features", in: s.plan), encoding: .utf8)
        #expect(script.contains("exec '\(plan.driver.path)' task"))
    }

    @Test("run-local: 11 episodes complete, the corrupt one fails with its error, exit 1")
    func local() throws {
        let s = try Self.setup.get()
        #expect(s.localRun.status == 1, "\(s.localRun)")
        let summary = try String(contentsOf: s.local.appendingPathComponent("pipeline_summary.json"), encoding: .utf8)
        #expect(summary.contains("\"unit\": \"\(Self.corrupt)\""), "\(summary)")
        #expect(summary.contains("sess-d/ep3/annotation.hdf5"), "the error names the corrupt file: \(summary)")
        let features = try FileManager.default.contentsOfDirectory(atPath: s.local.appendingPathComponent("features").path).sorted()
        #expect(features.count == 11 && !features.contains(Self.corrupt))
        #expect(s.localRun.stderr.contains("features: 11/12 done, 1 failed, 0 missing"), "\(s.localRun)")
        // The corrupt episode is the export's skip (the scan's reason), and the combine holds the other 11.
        #expect(s.localRun.stderr.contains("export: 12/12 done, 0 failed, 0 missing") && s.localRun.stderr.contains("combine: 1/1 done"), "\(s.localRun)")
        let manifest = try String(contentsOf: s.local.appendingPathComponent("combine/dataset_manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"num_episodes\": 11") && manifest.contains("\"episode_key\": \"\(Self.corrupt)\""), "\(manifest.prefix(600))")
    }

    @Test("submit --wait: the Slurm run's outputs equal run-local's byte for byte")
    func slurmEqualsLocal() throws {
        let s = try Self.setup.get()
        let out = s.base.appendingPathComponent("slurm")
        let run = try Tools.run("xp-slurm", ["submit", s.plan.path, "--out", out.path, "--wait", "--poll", "0.5", "--timeout", "300"])
        #expect(run.status == 1, "one episode fails: \(run)")
        #expect(run.stderr.contains("features: 11/12 done, 1 failed, 0 missing"), "\(run)")
        Self.expectSame(s.local, out)
    }

    @Test("an array task cancelled mid-way leaves nothing half written; --resume completes it with identical outputs")
    func cancelAndResume() throws {
        let s = try Self.setup.get()
        let client = try #require(SlurmCluster.client)
        let out = s.base.appendingPathComponent("killed")
        // Start from the local run's folder (its markers hold, as keys do not name the run
        // folder) without task 1's features and without the merge, so only task 1 does work.
        let plan = try WorkPlan.read(s.plan)
        let featuresStep = try plan.step("features")
        let fm = FileManager.default
        try fm.copyItem(at: s.local, to: out)
        let run = RunFolder(out)
        for i in featuresStep.tasks[1] {
            let key = plan.episodes[i].key
            for u in [run.output(step: featuresStep, unit: key), run.marker(step: "features", unit: key), run.failure(step: "features", unit: key)] {
                try? fm.removeItem(at: u)
            }
        }
        for u in [run.summary, run.timings, out.appendingPathComponent("qa.jsonl")] { try fm.removeItem(at: u) }
        let submit = try Tools.run("xp-slurm", ["submit", s.plan.path, "--out", out.path])
        #expect(submit.status == 0, "\(submit)")
        let log = try #require(Records.read(SubmissionLog.self, at: RunFolder(out).submission))
        let features = try #require(log.submissions.last?.first { $0.step == "features" })
        let victim = "\(features.jobID)_1"
        // Wait (bounded) until the task runs and has started an episode, then cancel it.
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if try client.queue([features.jobID]).contains(where: { $0.id == victim && $0.state == "RUNNING" }) { break }
            Thread.sleep(forTimeInterval: 0.3)
        }
        Thread.sleep(forTimeInterval: 1)
        try client.cancel([victim])
        let waited = try SlurmSubmit.wait(log.latestIDs, client: client, timeout: 300, poll: 0.5)
        #expect(!waited.cancelledNeverSatisfied.isEmpty, "the merge job waits on the cancelled task and is cancelled")
        let partial = Merge.summarize(plan: plan, out: RunFolder(out))
        let step = try #require(partial.steps.first { $0.step == "features" })
        #expect(step.missingTasks == [1], "\(step.missing)")
        // Nothing half written: every output folder present has its marker.
        let folders = (try? fm.contentsOfDirectory(atPath: out.appendingPathComponent("features").path)) ?? []
        for f in folders where !f.hasPrefix(".") {
            #expect(fm.fileExists(atPath: run.marker(step: "features", unit: f).path), "\(f) has no marker")
        }
        let resume = try Tools.run("xp-slurm", ["submit", s.plan.path, "--out", out.path, "--resume", "--wait", "--poll", "0.5", "--timeout", "300"])
        #expect(resume.stderr.contains("submitted features: job") && resume.stderr.contains("[1]"), "only task 1 is resubmitted: \(resume)")
        #expect(!resume.stderr.contains("submitted qa"), "\(resume)")
        #expect(resume.stderr.contains("features: 11/12 done, 1 failed, 0 missing"), "\(resume)")
        #expect(resume.stderr.contains("stay failed") && resume.stderr.contains("--retry-failed runs them again"), "the failure is kept, and the flag named: \(resume)")
        Self.expectSame(s.local, out)
        let status = try Tools.run("xp-slurm", ["status", s.plan.path, "--out", out.path])
        #expect(status.status == 0 && status.stdout.contains("features: 11/12 done, 1 failed, 0 missing"), "\(status)")
    }

    @Test("--resume --retry-failed reruns only the failed episodes' tasks, which fail again with their error; status finds the run without --out")
    func retryFailed() throws {
        let s = try Self.setup.get()
        let out = s.base.appendingPathComponent("retry")
        let fm = FileManager.default
        try fm.copyItem(at: s.local, to: out)
        let plan = try WorkPlan.read(s.plan)
        let features = try plan.step("features")
        let corrupt = try #require(plan.episodes.firstIndex { $0.key == Self.corrupt })
        let task = try #require(features.tasks.firstIndex { $0.contains(corrupt) })
        // Without the flag nothing is missing, so nothing is resubmitted (no job runs at all).
        let summary = Merge.summarize(plan: plan, out: RunFolder(out))
        #expect(summary.missing == 0 && summary.steps.allSatisfy { $0.missingTasks.isEmpty }, "\(summary.steps.map(\.missing))")
        let retry = try Tools.run("xp-slurm", ["submit", s.plan.path, "--out", out.path, "--resume", "--retry-failed", "--wait", "--poll", "0.5", "--timeout", "300"])
        #expect(retry.stderr.contains("cleared") && retry.stderr.contains("features/\(Self.corrupt)"), "\(retry)")
        #expect(retry.stderr.contains("submitted features: job") && retry.stderr.contains("[\(task)]"), "only the corrupt episode's task: \(retry)")
        #expect(retry.status == 1 && retry.stderr.contains("features: 11/12 done, 1 failed, 0 missing"), "it fails again, with its error: \(retry)")
        Self.expectSame(s.local, out)
        let status = try Tools.run("xp-slurm", ["status", s.plan.path])
        #expect(status.status == 0 && status.stderr.contains("run folder \(out.path)") && status.stdout.contains("features: 11/12 done, 1 failed, 0 missing"), "\(status)")
    }
}

/// What needs no cluster: help, option validation before any work, and the plan's refusal of a
/// manifest it cannot use.
@Suite("xp-slurm: help and usage")
struct SlurmUsageTests {
    @Test("every subcommand's --help has an abstract and an example", arguments: ["plan", "submit", "status", "run-local", "task", "merge"])
    func help(_ sub: String) throws {
        let run = try Tools.run("xp-slurm", [sub, "--help"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("USAGE: xp-slurm \(sub)") && run.stdout.contains("Example"), "\(run)")
    }

    @Test("bad options exit 2 with the option, the value and the range, before any work",
          arguments: [(["plan", "root", "--manifest", "m", "--out", "p", "--max-tasks", "1001"], "--max-tasks must lie in [1, 1000], found 1001"),
                      (["plan", "root", "--manifest", "m", "--out", "p", "--steps", "qa,decode"], "--steps: unknown step 'decode'"),
                      (["submit", "plan", "--out", "run", "--poll", "0"], "--poll must lie in [0.2, 600] (a finite number), found 0.0"),
                      (["run-local", "plan", "--out", "run", "--jobs", "0"], "--jobs must lie in [1, 256], found 0")])
    func usage(_ arguments: [String], _ message: String) throws {
        let scratch = try Scratch.folder("slurm-usage")
        let run = try Tools.run("xp-slurm", arguments, in: scratch)
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains(message), "\(run)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "nothing is written")
    }

    /// A plan of the qa step over two episode folders whose xp-qa is a script that fails while
    /// a flag file exists (a transient failure: the inputs do not change when it is removed).
    static func flakyPlan(_ scratch: URL) throws -> (plan: URL, flag: URL) {
        let fm = FileManager.default
        let tools = scratch.appendingPathComponent("tools"), flag = scratch.appendingPathComponent("fail-now")
        try fm.createDirectory(at: tools, withIntermediateDirectories: true)
        let qa = tools.appendingPathComponent("xp-qa")
        try Data("#!/bin/sh\nif [ -f '\(flag.path)' ]; then echo \"error: $1: the file system is away\" >&2; exit 1; fi\necho '{\"ok\": true}'\n".utf8).write(to: qa)
        chmod(qa.path, 0o755)
        var rows: [String] = []
        for k in 1...2 {
            let ep = scratch.appendingPathComponent("data/s/ep\(k)")
            try fm.createDirectory(at: ep, withIntermediateDirectories: true)
            rows.append(#"{"episode_key": "s__ep\#(k)", "path": "\#(ep.path)", "frame_count": 10}"#)
        }
        try Data(#"{"episodes": [\#(rows.joined(separator: ", "))]}"#.utf8).write(to: scratch.appendingPathComponent("episode_manifest.json"))
        try Data().write(to: flag)
        let plan = scratch.appendingPathComponent("plan")
        let run = try Tools.run("xp-slurm", ["plan", scratch.appendingPathComponent("data").path, "--manifest", scratch.appendingPathComponent("episode_manifest.json").path,
                                             "--out", plan.path, "--steps", "qa", "--tools", tools.path])
        guard run.status == 0 else { throw ToolTestError.toolFailed(run) }
        return (plan, flag)
    }

    @Test("run-local: a failed episode stays failed once its cause is gone, until --retry-failed; status finds the run, or says how")
    func runLocalRetryFailed() throws {
        let scratch = try Scratch.folder("slurm-retry")
        let (plan, flag) = try Self.flakyPlan(scratch)
        let unknown = try Tools.run("xp-slurm", ["status", plan.path])
        #expect(unknown.status == 0 && unknown.stderr.contains("no run folder is known") && unknown.stderr.contains("--out DIR"), "\(unknown)")
        let out = scratch.appendingPathComponent("run")
        let first = try Tools.run("xp-slurm", ["run-local", plan.path, "--out", out.path, "--quiet"])
        #expect(first.status == 1 && first.stderr.contains("qa: 0/2 done, 2 failed, 0 missing"), "\(first)")
        try FileManager.default.removeItem(at: flag)
        let again = try Tools.run("xp-slurm", ["run-local", plan.path, "--out", out.path, "--quiet"])
        #expect(again.status == 1 && again.stderr.contains("qa: 0/2 done, 2 failed, 0 missing"), "the failures are kept: \(again)")
        #expect(again.stderr.contains("--retry-failed runs them again") && again.stderr.contains("the file system is away"), "\(again)")
        let retry = try Tools.run("xp-slurm", ["run-local", plan.path, "--out", out.path, "--quiet", "--retry-failed"])
        #expect(retry.status == 0 && retry.stderr.contains("cleared 2 failure record(s): qa/s__ep1, qa/s__ep2"), "\(retry)")
        #expect(retry.stderr.contains("qa: 2/2 done, 0 failed, 0 missing"), "\(retry)")
        #expect(try String(contentsOf: out.appendingPathComponent("qa.jsonl"), encoding: .utf8) == "{\"ok\": true}\n{\"ok\": true}\n")
        let status = try Tools.run("xp-slurm", ["status", plan.path])
        #expect(status.status == 0 && status.stderr.contains("run folder \(out.standardizedFileURL.path)") && status.stdout.contains("qa: 2/2 done, 0 failed, 0 missing"), "\(status)")
    }

    @Test("a missing manifest is a failure (exit 1) that says to run xp-scan")
    func missingManifest() throws {
        let scratch = try Scratch.folder("slurm-nomanifest")
        let run = try Tools.run("xp-slurm", ["plan", scratch.path, "--manifest", scratch.appendingPathComponent("scan").path, "--out", scratch.appendingPathComponent("plan").path])
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("scan: expected an episode manifest; run xp-scan ROOT --out SCAN first"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("plan").path))
    }
}
