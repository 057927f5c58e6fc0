import ArgumentParser
import Foundation
import Pipeline
import ToolSupport
import XPCore

/// `xp-slurm plan`.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Write a work plan (plan.json) and the sbatch array scripts for a dataset.",
        discussion: """
            The episodes come from xp-scan's episode_manifest.json (--manifest, default ROOT/../scan). Each \
            step's episodes are packed into tasks of about --task-minutes by the cost model (--costs: the JSON \
            of xp-bench slurm; default: this machine's measurement). The tools are taken from --tools (default: \
            the folder of this xp-slurm) and recorded by absolute path. The step export becomes three: \
            export-plan (one job of --export-cpus: the scan, the split, the shards), export (an array of \
            per-episode parts, --cpus each) and combine (one job: the parts linked and merged into \
            RUN/combine, which xp-index reads); every --export-arg goes to all three.

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

    @Option(parsing: .unconditional, help: "CPUs of the export's plan job (its scan), in \(Bounds.text(Limits.cpus)).")
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
