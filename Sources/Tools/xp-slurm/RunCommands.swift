import ArgumentParser
import Foundation
import Pipeline
import ToolSupport
import XPCore

/// `xp-slurm submit`: the arrays and the merge job on Slurm.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit the plan's arrays (chained with --dependency=afterok) and the merge job.",
        discussion: """
            --resume submits only the array tasks with an episode neither done nor failed, and the steps \
            after them. A failed episode stays failed (a task does not rerun it while its inputs and tool are \
            unchanged); --retry-failed clears the failure records first, so those episodes run again. --wait \
            polls squeue until every job has left the queue (cancelling jobs whose dependency can never be \
            met), then prints the summary; exit 1 when an episode failed or is missing. The run folder is \
            recorded in the plan folder (runs.json), so xp-slurm status PLAN finds it.

            Examples:
              xp-slurm submit plan --out run
              xp-slurm submit plan --out run --wait --timeout 7200
              xp-slurm submit plan --out run --resume --wait
              xp-slurm submit plan --out run --resume --retry-failed --wait
            """
    )

    @OptionGroup var target: RunOptions

    @Flag(help: "Submit only the tasks with missing outputs.")
    var resume = false

    @Flag(help: "Clear the failure records first, so failed episodes run again.")
    var retryFailed = false

    @Flag(help: "Wait until the jobs have left the queue, then report.")
    var wait = false

    @Option(help: "Longest wait, seconds, in [1, 604800].")
    var timeout: Double = 86_400

    @Option(help: "Seconds between squeue polls, in [0.2, 600].")
    var poll: Double = 5

    func validate() throws {
        try Bounds.check(timeout, "--timeout", in: 1...604_800)
        try Bounds.check(poll, "--poll", in: 0.2...600)
    }

    func run() throws {
        let plan = try loadPlan(target.plan)
        let outURL = URL(fileURLWithPath: target.out)
        try Tool.prepareOutputFolder(outURL, option: "--out")
        guard let client = SlurmClient.find() else { throw ToolError("sbatch is not on PATH; on a machine without Slurm use xp-slurm run-local") }
        let folder = planFolder(target.plan)
        let out = RunFolder(outURL)
        do {
            if retryFailed {
                try SlurmSubmit.ensureIdle(out: out, client: client)
                noteCleared(try Records.clearFailures(plan: plan, run: out))
            }
            let jobs = try SlurmSubmit.submit(plan: plan, planFolder: folder, out: out, client: client, resume: resume)
            for j in jobs { Tool.note("submitted \(j.step): job \(j.jobID)" + (j.tasks.isEmpty ? "" : " [\(SlurmSubmit.arraySpec(j.tasks))]") + (j.dependsOn.isEmpty ? "" : " after \(j.dependsOn.joined(separator: ","))")) }
            guard wait else {
                print(jobs.map(\.jobID).joined(separator: " "))
                return
            }
            let outcome = try SlurmSubmit.wait(jobs.map(\.jobID), client: client, timeout: timeout, poll: poll)
            for c in outcome.cancelledNeverSatisfied { Tool.note("cancelled \(c): a job it depends on did not finish (see xp-slurm status; --resume resubmits)") }
            try report(try Merge.run(plan: plan, out: out), out: out)
        } catch let e as PipelineError { throw ToolError("\(e)") }
    }
}

/// The folder holding plan.json.
func planFolder(_ path: String) -> URL {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    return url.lastPathComponent == "plan.json" ? url.deletingLastPathComponent() : url
}

struct RunLocalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-local",
        abstract: "Run the plan's identical task list on this machine, then merge.",
        discussion: """
            Steps run in order, --jobs array tasks at a time. Done episodes are skipped, so a killed run \
            continues where it stopped. A failed episode stays failed while its inputs and tool are \
            unchanged; --retry-failed runs it again. Exit 1 when an episode failed.

            Examples:
              xp-slurm run-local plan --out run
              xp-slurm run-local plan --out run --jobs 4
              xp-slurm run-local plan --out run --retry-failed
            """
    )

    @OptionGroup var target: RunOptions

    @Option(parsing: .unconditional, help: "Tasks at once, in \(Bounds.text(1...256)).")
    var jobs: Int = 1

    @Flag(help: "Clear the failure records first, so failed episodes run again.")
    var retryFailed = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws { try Bounds.check(jobs, "--jobs", in: 1...256) }

    func run() throws {
        let plan = try loadPlan(target.plan)
        let outURL = URL(fileURLWithPath: target.out)
        try Tool.prepareOutputFolder(outURL, option: "--out")
        let out = RunFolder(outURL)
        let total = plan.steps.reduce(0) { $0 + RunFolder.units(of: $1, in: plan).joined().count }
        let progress = Progress("xp-slurm run-local", total: total, quiet: quiet)
        let counter = Counter()
        do {
            if retryFailed { noteCleared(try Records.clearFailures(plan: plan, run: out)) }
            PlanRuns.record(out, planFolder: planFolder(target.plan))
            let summary = try LocalRun.run(plan: plan, out: out, jobs: jobs) { _ in progress.update(counter.next()) }
            try report(summary, out: out)
        } catch let e as PipelineError { throw ToolError("\(e)") }
    }
}

/// Says which failure records `--retry-failed` cleared.
func noteCleared(_ units: [String]) {
    Tool.note(units.isEmpty ? "--retry-failed: no failure records to clear" : "--retry-failed: cleared \(units.count) failure record(s): \(units.prefix(5).joined(separator: ", "))\(units.count > 5 ? ", ..." : "")")
}

/// A thread-safe count.
final class Counter: @unchecked Sendable {
    private var n = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        n += 1
        return n
    }
}

struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Run one array task of one step (what each Slurm array task runs).",
        discussion: """
            Exit 0 when every episode of the task is done or recorded as failed; 1 when the run folder \
            cannot be written (Slurm then holds the steps that depend on it).

            Example:
              xp-slurm task plan/plan.json --step features --task 3 --out run
            """
    )

    @OptionGroup var target: RunOptions

    @Option(help: "Step name.")
    var step: String

    @Option(parsing: .unconditional, help: "Array task index, from 0.")
    var task: Int

    func validate() throws { guard task >= 0 else { throw ValidationError("--task must be ≥ 0, found \(task)") } }

    func run() throws {
        let plan = try loadPlan(target.plan)
        let out = RunFolder(URL(fileURLWithPath: target.out))
        let outcomes: [UnitOutcome]
        do { outcomes = try TaskRunner.run(plan: plan, stepName: step, index: task, out: out, progress: Self.note) } catch {
            throw ToolError("\(error)")
        }
        let failed = outcomes.filter { $0.status == .failed || $0.status == .failedBefore }.count
        Tool.note("task \(step)[\(task)]: \(outcomes.count - failed) done, \(failed) failed")
    }

    static func note(_ o: UnitOutcome) {
        Tool.note(String(format: "%@ %@: %@ (%.2f s)", o.step, o.unit, o.status.rawValue, o.seconds) + (o.error.map { "\n" + $0 } ?? ""))
    }
}

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Write the run's deterministic summary and merged files (the final job of a submission).",
        discussion: """
            Example:
              xp-slurm merge plan --out run
            """
    )

    @OptionGroup var target: RunOptions

    func run() throws {
        let plan = try loadPlan(target.plan)
        let out = RunFolder(URL(fileURLWithPath: target.out))
        do { try report(try Merge.run(plan: plan, out: out), out: out, failIncomplete: false) } catch let e as PipelineError { throw ToolError("\(e)") }
    }
}
