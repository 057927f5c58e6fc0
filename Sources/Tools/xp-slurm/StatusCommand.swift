import ArgumentParser
import Foundation
import Pipeline
import ToolSupport
import XPCore

/// `xp-slurm status PLAN [--out DIR]`: the Slurm side of a run and its episodes' state.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's jobs (squeue, sacct when accounting is on) and its episodes done, failed and missing.",
        discussion: """
            The run folder is --out, or else the one submit or run-local last used with this plan (recorded \
            in PLAN/runs.json). With a run folder: one line per job of its last submission and per step. \
            Without one: the plan's jobs in squeue, found by their names (<job-name>-<step>), and how to get \
            each episode's state. --json prints the same as JSON.

            Examples:
              xp-slurm status plan
              xp-slurm status plan --out run
              xp-slurm status plan --out run --json
            """
    )

    @Argument(help: "Plan folder (from xp-slurm plan) or its plan.json.")
    var plan: String

    @Option(help: "Run folder (default: the plan's last, from PLAN/runs.json).")
    var out: String?

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func run() throws {
        let plan = try loadPlan(self.plan)
        let folder = planFolder(self.plan)
        let client = SlurmClient.find()
        guard let outPath = out ?? PlanRuns.latest(planFolder: folder) else { return try slurmOnly(plan: plan, client: client) }
        if out == nil && !json { Tool.note("run folder \(outPath) (the last submit or run-local with this plan; --out chooses another)") }
        let out = RunFolder(URL(fileURLWithPath: outPath))
        let summary = Merge.summarize(plan: plan, out: out)
        let log = Records.read(SubmissionLog.self, at: out.submission)
        var jobRows: [JSONValue] = []
        if let client, let jobs = log?.submissions.last {
            let queue = (try? client.queue(jobs.map(\.jobID))) ?? []
            let accounting = client.accounting(jobs.map(\.jobID)) ?? []
            for j in jobs {
                let queued = queue.filter { $0.id == j.jobID || $0.id.hasPrefix(j.jobID + "_") }
                let acct = accounting.filter { ($0.first ?? "") == j.jobID || ($0.first ?? "").hasPrefix(j.jobID + "_") }
                    .compactMap { $0.count > 1 ? $0[1] : nil }
                let line = "job \(j.jobID) \(j.step): " + Self.states(queued) + (acct.isEmpty ? "" : "; sacct: \(Set(acct).sorted().joined(separator: ", "))")
                jobRows.append(.object([("step", .string(j.step)), ("job_id", .string(j.jobID)), ("queue", .array(queued.map { .string("\($0.id) \($0.state) \($0.reason)") }))]))
                if !json { Tool.note(line) }
            }
        }
        if json {
            let steps: [JSONValue] = summary.steps.map { s in
                .object([("step", .string(s.step)), ("units", .int(s.units)), ("done", .int(s.done.count)),
                         ("failed", .array(s.failed.map { .object([("unit", .string($0.unit)), ("error", .string($0.error))]) })),
                         ("missing", .array(s.missing.map { .string($0) })), ("missing_tasks", .array(s.missingTasks.map { .int($0) }))])
            }
            print(JSONValue.object([("run_folder", .string(out.url.path)), ("jobs", .array(jobRows)), ("steps", .array(steps)),
                                    ("complete", .bool(summary.complete))]).pythonJSON(indent: 2))
        } else {
            for s in summary.steps { print("\(s.step): \(s.done.count)/\(s.units) done, \(s.failed.count) failed, \(s.missing.count) missing") }
            if summary.failed > 0 { Tool.note("failed units stay failed on --resume; --retry-failed runs them again") }
        }
    }

    /// `2 running, 1 pending`, or `not in the queue`.
    static func states(_ rows: [SlurmClient.QueueRow]) -> String {
        let states = Dictionary(grouping: rows, by: \.state).map { "\($0.value.count) \($0.key.lowercased())" }.sorted()
        return states.isEmpty ? "not in the queue" : states.joined(separator: ", ")
    }

    /// No run folder is known: the plan's jobs in the queue, by name, and what to do for more.
    func slurmOnly(plan: WorkPlan, client: SlurmClient?) throws {
        let names = plan.steps.map { "\(plan.slurm.jobName)-\($0.name)" } + ["\(plan.slurm.jobName)-merge"]
        let hint = "no run folder is known for \(self.plan) (no --out, and no submit or run-local recorded one in its runs.json): "
            + "each episode's state needs the run folder, xp-slurm status \(self.plan) --out DIR"
        var rows: [SlurmClient.QueueRow] = []
        var slurm = "sbatch is not on PATH: no Slurm side to show"
        if let client {
            do {
                rows = try client.queue(names: names)
                slurm = "Slurm's queue, jobs named \(names.joined(separator: ","))"
            } catch { slurm = "squeue did not answer: \(error)" }
        }
        if json {
            print(JSONValue.object([("run_folder", .null), ("note", .string(hint)), ("slurm", .string(slurm)),
                                    ("queue", .array(rows.map { .object([("job_id", .string($0.id)), ("name", .string($0.name)), ("state", .string($0.state)), ("reason", .string($0.reason))]) }))]).pythonJSON(indent: 2))
            return
        }
        Tool.note(hint)
        Tool.note(slurm)
        for name in names where client != nil {
            print("\(name): " + Self.states(rows.filter { $0.name == name }))
        }
    }
}
