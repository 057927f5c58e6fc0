import Foundation

/// What `xp-slurm plan` decides: which steps, their extra arguments, the size of a task and the
/// resources of each.
public struct PlanOptions: Sendable {
    /// Steps in run order, from ``PlanBuilder/standardSteps``.
    public var steps: [String] = PlanBuilder.standardSteps
    /// The aimed-for wall time of one array task.
    public var taskMinutes: Double = 30
    /// At most this many tasks per array (≤ ``WorkPlan/maxArrayTasks``).
    public var maxTasks: Int = WorkPlan.maxArrayTasks
    /// CPUs per task of the episode steps (QA uses one).
    public var cpus: Int = 2
    /// CPUs of the export's plan job (the scan of every episode, `--jobs` of them at once).
    public var exportCPUs: Int = 8
    public var memoryMiB: Int = 4_096
    /// The time limit is the estimate times this, plus 10 minutes.
    public var timeSafety: Double = 3
    /// Extra arguments per step (e.g. `features: ["--window", "40"]`).
    public var extraArguments: [String: [String]] = [:]
    /// Shards of the Qwen export.
    public var exportShards: Int = 8
    public var costModel: CostModel = .standard
    public var slurm = SlurmSettings()

    public init() {}
}

/// Builds a ``WorkPlan`` from an episode manifest and the tools' folder.
public enum PlanBuilder {
    /// The steps a user chooses from, in run order (`export` brings its plan and combine steps).
    public static let standardSteps = ["qa", "features", "export", "index"]
    /// The Qwen export as three plan steps: the plan (scan, split, shards: one job), the
    /// episodes' parts (an array like qa and features) and the combine (one job, the export).
    public static let exportSteps = ["export-plan", "export", "combine"]
    /// The tool each step runs.
    public static let stepTools = ["qa": "xp-qa", "features": "xp-features", "export-plan": "xp-export-qwen", "export": "xp-export-qwen",
                                   "combine": "xp-export-qwen", "index": "xp-index"]

    /// The plan: episodes from the manifest, each step's tasks binned by estimated cost, the
    /// tools resolved to absolute paths in `toolsFolder`, and `driver` (xp-slurm) recorded.
    public static func build(manifest: URL, datasetRoot: URL, toolsFolder: URL, driver: String, options: PlanOptions) throws(PipelineError) -> WorkPlan {
        let episodes = try EpisodeManifest.read(manifest)
        guard (1...WorkPlan.maxArrayTasks).contains(options.maxTasks) else {
            throw .badPlan(detail: "at most 1...\(WorkPlan.maxArrayTasks) tasks per array (Slurm's default MaxArraySize is 1001), found \(options.maxTasks)")
        }
        var tools: [String: ToolBinary] = [:]
        var steps: [PlanStep] = []
        for name in options.steps where !standardSteps.contains(name) {
            throw .badPlan(detail: "unknown step '\(name)'; the steps are \(standardSteps.joined(separator: ", "))")
        }
        if options.steps.contains("index"), !options.steps.contains("export") { throw .badPlan(detail: "step index reads the export; add the export step") }
        let planSteps = options.steps.flatMap { $0 == "export" ? exportSteps : [$0] }
        for name in planSteps {
            guard let toolName = stepTools[name] else { throw .badPlan(detail: "unknown step '\(name)'") }
            tools[toolName] = try ToolBinary.resolve(toolsFolder.appendingPathComponent(toolName).path)
            let cost = options.costModel.cost(of: name)
            let costs = episodes.map { cost.seconds(frames: $0.frames, streams: $0.streams) }
            var step = template(name, tool: toolName, options: options)
            if step.scope == .episode {
                let bins = Binning.binCount(costs: costs, targetSeconds: options.taskMinutes * 60, maxBins: options.maxTasks)
                step.tasks = Binning.pack(costs: costs, bins: bins)
            } else {
                step.tasks = [Array(episodes.indices)]
            }
            // A dataset step uses its CPUs in parallel (the export's --jobs).
            let parallel = step.scope == .dataset ? Double(max(1, step.resources.cpus)) : 1
            step.estimatedSeconds = step.tasks.map { t in t.reduce(0) { $0 + costs[$1] } / parallel }
            let longest = step.estimatedSeconds.max() ?? 0
            step.resources.timeMinutes = Int((longest * options.timeSafety / 60).rounded(.up)) + 10
            steps.append(step)
        }
        let plan = WorkPlan(datasetRoot: datasetRoot.standardizedFileURL.path, manifest: manifest.standardizedFileURL.path,
                            driver: try ToolBinary.resolve(driver), tools: tools, episodes: episodes, steps: steps,
                            slurm: options.slurm, costModel: options.costModel)
        try plan.check(file: "the new plan")
        return plan
    }

    /// The command line of each standard step (see ``PlanStep`` for the placeholders). The
    /// three export steps take the same export options (`extraArguments["export"]`), since the
    /// part and combine modes check them against the plan's settings.
    static func template(_ name: String, tool: String, options: PlanOptions) -> PlanStep {
        let extra = options.extraArguments[exportSteps.contains(name) ? "export" : name] ?? []
        let exportCommon = ["{root}", "--out", "{out}", "--relative-paths", "--quiet", "--shards", "\(options.exportShards)"]
        let episodeResources = Resources(cpus: options.cpus, memoryMiB: options.memoryMiB, timeMinutes: 60)
        switch name {
        case "qa":
            // The QA report is the output (findings are data, not a failure: --fail-on never).
            return PlanStep(name: name, tool: tool, scope: .episode, arguments: ["{episode}", "--json", "--fail-on", "never", "--quiet"] + extra,
                            stdoutFile: "qa.json", volatileKeys: ["seconds"],
                            resources: Resources(cpus: 1, memoryMiB: options.memoryMiB, timeMinutes: 60))
        case "features":
            // No shared cache: tasks on many nodes must not write one folder.
            return PlanStep(name: name, tool: tool, scope: .episode,
                            arguments: ["{episode}", "--out", "{out}", "--no-cache", "--quiet", "--threads", "{cpus}"] + extra,
                            volatileKeys: ["seconds"], resources: episodeResources)
        case "export-plan":
            // The scan (no frame read), the split and the shards, once for all parts.
            return PlanStep(name: name, tool: tool, scope: .dataset, arguments: exportCommon + ["--plan-only", "--jobs", "{cpus}"] + extra,
                            resources: Resources(cpus: options.exportCPUs, memoryMiB: options.memoryMiB, timeMinutes: 60))
        case "export":
            return PlanStep(name: name, tool: tool, scope: .episode,
                            arguments: exportCommon + ["--from-plan", "{step:export-plan}", "--episode", "{episode}"] + extra,
                            after: ["export-plan"], resources: episodeResources)
        case "combine":
            // Links the parts and merges: one process, memory for every record of the merge.
            return PlanStep(name: name, tool: tool, scope: .dataset,
                            arguments: exportCommon + ["--combine", "{step:export-plan}", "--parts", "{step:export}"] + extra,
                            after: ["export"], resources: Resources(cpus: 1, memoryMiB: options.memoryMiB * 2, timeMinutes: 60))
        default:
            return PlanStep(name: name, tool: tool, scope: .dataset, arguments: ["{step:combine}", "--out", "{out}"] + extra,
                            after: ["combine"], resources: Resources(cpus: 1, memoryMiB: options.memoryMiB, timeMinutes: 60))
        }
    }
}
