import ArgumentParser
import Foundation
import Pipeline
import ToolSupport
import XPCore

/// `xp-slurm`: the per-episode steps as Slurm job arrays over a whole dataset, or the same
/// plan on one machine.
struct XPSlurm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-slurm",
        abstract: "Plan, submit, watch and resume the per-episode steps (xp-qa, xp-features, xp-export-qwen, xp-index) as Slurm job arrays, or run the same plan locally.",
        discussion: """
            A plan bins a scanned dataset's episodes by estimated cost (frames × streams) into at most 1,000 \
            array tasks per step, records the tools by absolute path, and writes one sbatch script per step \
            plus a merge job. Every episode's outputs are committed whole with a done marker keyed by its \
            inputs and the tool's version: a rerun skips what is done, a killed task leaves nothing half \
            written, and a failing episode is recorded with its error while the rest complete. run-local \
            executes the identical task list, so both give the same outputs byte for byte.

            Examples:
              xp-scan dataset --out scan
              xp-slurm plan dataset --manifest scan --out plan --partition gpu --account lab
              xp-slurm submit plan --out run --wait
              xp-slurm status plan --out run
              xp-slurm submit plan --out run --resume --wait
              xp-slurm run-local plan --out run-local --jobs 4
            """,
        subcommands: [PlanCommand.self, SubmitCommand.self, StatusCommand.self, RunLocalCommand.self, TaskCommand.self, MergeCommand.self]
    )
}

/// Loads a plan folder's plan, as a tool error.
func loadPlan(_ path: String) throws -> WorkPlan {
    do { return try WorkPlan.read(URL(fileURLWithPath: path)) } catch { throw ToolError("\(error)") }
}

/// Prints the run's summary on stderr; throws exit 1 when something failed or is missing.
func report(_ summary: RunSummary, out: RunFolder, failIncomplete: Bool = true) throws {
    for s in summary.steps {
        Tool.note("\(s.step): \(s.done.count)/\(s.units) done, \(s.failed.count) failed, \(s.missing.count) missing")
        for f in s.failed { Tool.note("  failed \(f.unit) (exit \(f.exitStatus)): \(f.error.split(separator: "\n").last ?? "")") }
    }
    print(out.summary.path)
    if !summary.complete && failIncomplete {
        if summary.missing > 0 { Tool.note("\(summary.missing) unit(s) missing: xp-slurm submit --resume (or run-local again) completes them") }
        throw ExitCode(1)
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Write a work plan (plan.json) and the sbatch array scripts for a dataset.",
        discussion: """
            The episodes come from xp-scan's episode_manifest.json (--manifest, default ROOT/../scan). Each \
            step's episodes are packed into tasks of about --task-minutes by the cost model (--costs: the JSON \
            of xp-bench slurm; default: this machine's measurement). The tools are taken from --tools (default: \
            the folder of this xp-slurm) and recorded by absolute path.

            Examples:
              xp-slurm plan dataset --manifest scan --out plan
              xp-slurm plan /data/xperience-10m --manifest scan --out plan --steps qa,features --task-minutes 60 --cpus 4
              xp-slurm plan dataset --manifest scan --out plan --features-arg=--window --features-arg=40 --sbatch-line "--qos=long"
            """
    )

    @Argument(help: "Dataset root.")
    var root: String

    @Option(help: "xp-scan's output folder or its episode_manifest.json.")
    var manifest: String

    @Option(help: "Plan folder (created; plan.json and slurm/*.sbatch).")
    var out: String

    @Option(help: "Steps in order, comma-separated, from qa, features, export, index.")
    var steps: String = PlanBuilder.standardSteps.joined(separator: ",")

    @Option(help: "Folder of the built xp-* tools (default: this xp-slurm's folder).")
    var tools: String?

    @Option(help: "A cost model (xp-bench slurm's JSON).")
    var costs: String?

    @Option(help: "Aimed-for minutes per array task, in [0.001, 10080].")
    var taskMinutes: Double = 30

    @Option(parsing: .unconditional, help: "Most tasks per array, in \(Bounds.text(Limits.tasks)).")
    var maxTasks: Int = WorkPlan.maxArrayTasks

    @Option(parsing: .unconditional, help: "CPUs per task of the episode steps, in \(Bounds.text(Limits.cpus)).")
    var cpus: Int = 2

    @Option(parsing: .unconditional, help: "CPUs of the export job, in \(Bounds.text(Limits.cpus)).")
    var exportCpus: Int = 8

    @Option(parsing: .unconditional, help: "Memory per task, MiB, in \(Bounds.text(Limits.memory)).")
    var memMib: Int = 4_096

    @Option(parsing: .unconditional, help: "Shards of the Qwen export, in \(Bounds.text(Limits.shards)).")
    var shards: Int = 8

    @Option(help: "Slurm partition.")
    var partition: String?

    @Option(help: "Slurm account.")
    var account: String?

    @Option(help: ArgumentHelp("An extra #SBATCH line (repeatable), e.g. --sbatch-line=--qos=long.", valueName: "line"))
    var sbatchLine: [String] = []

    @Option(help: ArgumentHelp("An extra argument of xp-qa (repeatable).", valueName: "arg"))
    var qaArg: [String] = []
    @Option(help: ArgumentHelp("An extra argument of xp-features (repeatable).", valueName: "arg"))
    var featuresArg: [String] = []
    @Option(help: ArgumentHelp("An extra argument of xp-export-qwen (repeatable).", valueName: "arg"))
    var exportArg: [String] = []

    @Option(help: "Job name prefix.")
    var jobName: String = "xp"

    enum Limits {
        static let tasks = 1...WorkPlan.maxArrayTasks
        static let cpus = 1...256
        static let memory = 64...4_194_304
        static let shards = 1...1_000
    }

    func validate() throws {
        try Bounds.check(maxTasks, "--max-tasks", in: Limits.tasks)
        try Bounds.check(cpus, "--cpus", in: Limits.cpus)
        try Bounds.check(exportCpus, "--export-cpus", in: Limits.cpus)
        try Bounds.check(memMib, "--mem-mib", in: Limits.memory)
        try Bounds.check(shards, "--shards", in: Limits.shards)
        try Bounds.check(taskMinutes, "--task-minutes", in: 0.001...10_080)
        for s in stepList where !PlanBuilder.standardSteps.contains(s) {
            throw ValidationError("--steps: unknown step '\(s)'; choose from \(PlanBuilder.standardSteps.joined(separator: ", "))")
        }
        guard !stepList.isEmpty, Set(stepList).count == stepList.count else { throw ValidationError("--steps must name each step once, found '\(steps)'") }
        for line in sbatchLine where line.contains("\n") { throw ValidationError("--sbatch-line must be one line, found '\(line)'") }
        guard !jobName.isEmpty, jobName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("--job-name must be letters, digits, - or _, found '\(jobName)'")
        }
    }

    var stepList: [String] { steps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        try Tool.checkOutput(outURL, option: "--out")
        let driver = URL(fileURLWithPath: CommandLine.arguments.first ?? "xp-slurm").standardizedFileURL.resolvingSymlinksInPath()
        let driverPath = FileManager.default.isExecutableFile(atPath: driver.path) ? driver.path : (ProcessRunnerPath.which("xp-slurm") ?? driver.path)
        var options = PlanOptions()
        options.steps = stepList
        options.taskMinutes = taskMinutes
        options.maxTasks = maxTasks
        options.cpus = cpus
        options.exportCPUs = exportCpus
        options.memoryMiB = memMib
        options.exportShards = shards
        options.extraArguments = ["qa": qaArg, "features": featuresArg, "export": exportArg]
        options.slurm = SlurmSettings(partition: partition, account: account, extraLines: sbatchLine, jobName: jobName)
        do {
            if let costs { options.costModel = try CostModel.read(URL(fileURLWithPath: costs)) }
            let toolsFolder = tools.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: driverPath).deletingLastPathComponent()
            let plan = try PlanBuilder.build(manifest: URL(fileURLWithPath: manifest), datasetRoot: URL(fileURLWithPath: root),
                                             toolsFolder: toolsFolder, driver: driverPath, options: options)
            try SlurmScript.writePlanFolder(plan, to: outURL)
            for s in plan.steps {
                Tool.note(String(format: "%@: %d task(s), longest estimated %.0f s, %d CPU(s), %d MiB, time %@", s.name, s.tasks.count,
                                 s.estimatedSeconds.max() ?? 0, s.resources.cpus, s.resources.memoryMiB, s.resources.slurmTime))
            }
        } catch { throw ToolError("\(error)") }
        print(WorkPlan.file(in: outURL).path)
    }
}

/// `which` for the driver when argv[0] is a bare name.
enum ProcessRunnerPath {
    static func which(_ name: String) -> String? { Pipeline.ProcessRunner.which(name) }
}

/// The options of the commands that use a run folder.
struct RunOptions: ParsableArguments {
    @Argument(help: "Plan folder (from xp-slurm plan) or its plan.json.")
    var plan: String

    @Option(help: "Run folder (outputs, done markers, failures, logs).")
    var out: String
}

struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit the plan's arrays (chained with --dependency=afterok) and the merge job.",
        discussion: """
            --resume submits only the array tasks with an episode neither done nor failed. --wait polls \
            squeue until every job has left the queue (cancelling jobs whose dependency can never be met), \
            then prints the summary; exit 1 when an episode failed or is missing.

            Examples:
              xp-slurm submit plan --out run
              xp-slurm submit plan --out run --wait --timeout 7200
              xp-slurm submit plan --out run --resume --wait
            """
    )

    @OptionGroup var target: RunOptions

    @Flag(help: "Submit only the tasks with missing outputs.")
    var resume = false

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

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's jobs (squeue, sacct when accounting is on) and its episodes done, failed and missing.",
        discussion: """
            Prints one line per job of the last submission and per step; --json prints the summary as JSON.

            Examples:
              xp-slurm status plan --out run
              xp-slurm status plan --out run --json
            """
    )

    @OptionGroup var target: RunOptions

    @Flag(help: "Print JSON on stdout.")
    var json = false

    func run() throws {
        let plan = try loadPlan(target.plan)
        let out = RunFolder(URL(fileURLWithPath: target.out))
        let summary = Merge.summarize(plan: plan, out: out)
        let log = Records.read(SubmissionLog.self, at: out.submission)
        var jobRows: [JSONValue] = []
        if let client = SlurmClient.find(), let jobs = log?.submissions.last {
            let queue = (try? client.queue(jobs.map(\.jobID))) ?? []
            let accounting = client.accounting(jobs.map(\.jobID)) ?? []
            for j in jobs {
                let queued = queue.filter { $0.id == j.jobID || $0.id.hasPrefix(j.jobID + "_") }
                let states = Dictionary(grouping: queued, by: \.state).map { "\($0.value.count) \($0.key.lowercased())" }.sorted()
                let acct = accounting.filter { ($0.first ?? "") == j.jobID || ($0.first ?? "").hasPrefix(j.jobID + "_") }
                    .compactMap { $0.count > 1 ? $0[1] : nil }
                let line = "job \(j.jobID) \(j.step): " + (states.isEmpty ? "not in the queue" : states.joined(separator: ", ")) + (acct.isEmpty ? "" : "; sacct: \(Set(acct).sorted().joined(separator: ", "))")
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
            print(JSONValue.object([("jobs", .array(jobRows)), ("steps", .array(steps)), ("complete", .bool(summary.complete))]).pythonJSON(indent: 2))
        } else {
            for s in summary.steps { print("\(s.step): \(s.done.count)/\(s.units) done, \(s.failed.count) failed, \(s.missing.count) missing") }
        }
    }
}

struct RunLocalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-local",
        abstract: "Run the plan's identical task list on this machine, then merge.",
        discussion: """
            Steps run in order, --jobs array tasks at a time. Done episodes are skipped, so a killed run \
            continues where it stopped. Exit 1 when an episode failed.

            Examples:
              xp-slurm run-local plan --out run
              xp-slurm run-local plan --out run --jobs 4
            """
    )

    @OptionGroup var target: RunOptions

    @Option(parsing: .unconditional, help: "Tasks at once, in \(Bounds.text(1...256)).")
    var jobs: Int = 1

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
            let summary = try LocalRun.run(plan: plan, out: out, jobs: jobs) { _ in progress.update(counter.next()) }
            try report(summary, out: out)
        } catch let e as PipelineError { throw ToolError("\(e)") }
    }
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
        let failed = outcomes.filter { $0.status == .failed }.count
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

Tool.main(XPSlurm.self)
