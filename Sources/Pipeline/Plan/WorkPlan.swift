import Foundation
import XPCore

/// A built tool the plan runs, by absolute path, with the version its done markers record.
///
/// The path is resolved when the plan is made, because a Slurm job's `PATH` is not the login
/// shell's; the version is the binary's size and modification time (a rebuilt tool is a new
/// version, and its outputs are redone).
public struct ToolBinary: Codable, Sendable, Equatable {
    public var path: String
    public var version: String

    public init(path: String, version: String) {
        self.path = path
        self.version = version
    }

    /// The binary at `path`, which must be an executable file.
    public static func resolve(_ path: String) throws(PipelineError) -> ToolBinary {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        guard FileManager.default.isExecutableFile(atPath: absolute) else {
            throw .badInput(file: absolute, detail: "expected an executable tool, found none; build the package (swift build) or pass --tools DIR")
        }
        var key = ContentKey()
        key.add(ContentKey.stamp(path: absolute, name: URL(fileURLWithPath: absolute).lastPathComponent))
        return ToolBinary(path: absolute, version: key.hex)
    }
}

/// One episode of the plan: where it is and what its cost is estimated from.
public struct PlanEpisode: Codable, Sendable, Equatable {
    /// `<session>__<epN>`, the key every output is named by.
    public var key: String
    /// The episode folder (absolute).
    public var folder: String
    /// Annotation frames (0 when the manifest does not know).
    public var frames: Int
    /// Video streams present.
    public var streams: Int
    /// Bytes of the episode's files.
    public var bytes: Int

    public init(key: String, folder: String, frames: Int, streams: Int, bytes: Int) {
        self.key = key
        self.folder = folder
        self.frames = frames
        self.streams = streams
        self.bytes = bytes
    }
}

/// What one array task asks Slurm for.
public struct Resources: Codable, Sendable, Equatable {
    public var cpus: Int
    public var memoryMiB: Int
    public var timeMinutes: Int

    public init(cpus: Int, memoryMiB: Int, timeMinutes: Int) {
        self.cpus = cpus
        self.memoryMiB = memoryMiB
        self.timeMinutes = timeMinutes
    }

    /// Slurm's `--time` value, `D-HH:MM:00`.
    public var slurmTime: String {
        let m = max(1, timeMinutes)
        return String(format: "%d-%02d:%02d:00", m / 1440, (m % 1440) / 60, m % 60)
    }
}

/// Whether a step runs once per episode or once over the whole dataset.
public enum StepScope: String, Codable, Sendable {
    case episode
    case dataset
}

/// One step of the plan: a tool's command line, its array tasks and their resources.
///
/// Arguments are a template: `{episode}` is the episode folder, `{out}` the unit's (empty)
/// output folder, `{root}` the dataset root, `{cpus}` the task's CPUs, `{step:NAME}` the
/// finished output folder of the dataset step NAME.
public struct PlanStep: Codable, Sendable, Equatable {
    public var name: String
    /// A key of ``WorkPlan/tools``.
    public var tool: String
    public var scope: StepScope
    public var arguments: [String]
    /// When set, the tool's stdout is the output, saved under this name in `{out}`.
    public var stdoutFile: String?
    /// JSON keys holding run times (e.g. `seconds`): removed from the outputs' JSON files and
    /// kept in the done marker, so that two runs' outputs are byte-identical.
    public var volatileKeys: [String]
    /// Steps whose array must finish first (`--dependency=afterok`).
    public var after: [String]
    /// Episode indices (into ``WorkPlan/episodes``) per array task; one task `[all]` for a
    /// dataset step.
    public var tasks: [[Int]]
    /// The plan's estimate of each task's wall time, seconds.
    public var estimatedSeconds: [Double]
    public var resources: Resources

    public init(name: String, tool: String, scope: StepScope, arguments: [String], stdoutFile: String? = nil,
                volatileKeys: [String] = [], after: [String] = [], tasks: [[Int]] = [], estimatedSeconds: [Double] = [],
                resources: Resources) {
        self.name = name
        self.tool = tool
        self.scope = scope
        self.arguments = arguments
        self.stdoutFile = stdoutFile
        self.volatileKeys = volatileKeys
        self.after = after
        self.tasks = tasks
        self.estimatedSeconds = estimatedSeconds
        self.resources = resources
    }
}

/// Where the Slurm jobs go: partition, account and any extra `#SBATCH` lines.
public struct SlurmSettings: Codable, Sendable, Equatable {
    public var partition: String?
    public var account: String?
    public var extraLines: [String]
    /// Prefix of the job names (`<prefix>-<step>`).
    public var jobName: String

    public init(partition: String? = nil, account: String? = nil, extraLines: [String] = [], jobName: String = "xp") {
        self.partition = partition
        self.account = account
        self.extraLines = extraLines
        self.jobName = jobName
    }
}

/// The work plan: episodes, steps with their array tasks, the tools by absolute path, and the
/// Slurm settings. Written as `plan.json` by `xp-slurm plan`; everything else reads it.
public struct WorkPlan: Codable, Sendable, Equatable {
    /// The plan file format; a reader refuses another one.
    public static let formatVersion = 1
    /// Debian's default `MaxArraySize` is 1001: indices 0...1000, so at most 1,000 tasks.
    public static let maxArrayTasks = 1_000

    public var format: Int
    public var datasetRoot: String
    public var manifest: String
    /// The plan's own tool (`xp-slurm`), which runs each array task.
    public var driver: ToolBinary
    public var tools: [String: ToolBinary]
    public var episodes: [PlanEpisode]
    public var steps: [PlanStep]
    public var slurm: SlurmSettings
    public var costModel: CostModel

    public init(datasetRoot: String, manifest: String, driver: ToolBinary, tools: [String: ToolBinary], episodes: [PlanEpisode],
                steps: [PlanStep], slurm: SlurmSettings, costModel: CostModel) {
        format = Self.formatVersion
        self.datasetRoot = datasetRoot
        self.manifest = manifest
        self.driver = driver
        self.tools = tools
        self.episodes = episodes
        self.steps = steps
        self.slurm = slurm
        self.costModel = costModel
    }

    /// The step named `name`.
    public func step(_ name: String) throws(PipelineError) -> PlanStep {
        guard let s = steps.first(where: { $0.name == name }) else {
            throw .badPlan(detail: "no step '\(name)'; the plan has \(steps.map(\.name).joined(separator: ", "))")
        }
        return s
    }

    /// The plan's file inside a plan folder.
    public static func file(in folder: URL) -> URL { folder.appendingPathComponent("plan.json") }

    /// Reads `plan.json` from a plan folder (or the file itself).
    public static func read(_ url: URL) throws(PipelineError) -> WorkPlan {
        var isDirectory: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue ? Self.file(in: url) : url
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw .badInput(file: file.path, detail: "expected a plan written by xp-slurm plan, found no readable file")
        }
        let plan: WorkPlan
        do { plan = try JSONDecoder().decode(WorkPlan.self, from: data) } catch {
            throw .badInput(file: file.path, detail: "not a work plan (\(error)); make it again with xp-slurm plan")
        }
        guard plan.format == Self.formatVersion else {
            throw .badInput(file: file.path, detail: "plan format \(plan.format), expected \(Self.formatVersion); make it again with this xp-slurm")
        }
        try plan.check(file: file.path)
        return plan
    }

    /// Checks what a hand-edited or damaged plan could get wrong: task indices in range, every
    /// tool named, dependencies on earlier steps, array sizes within Slurm's default limit.
    public func check(file: String) throws(PipelineError) {
        var seen: Set<String> = []
        for s in steps {
            guard tools[s.tool] != nil else { throw .badInput(file: file, detail: "step \(s.name) names tool \(s.tool), which the plan does not list") }
            for a in s.after where !seen.contains(a) {
                throw .badInput(file: file, detail: "step \(s.name) runs after \(a), which is not an earlier step")
            }
            guard (1...Self.maxArrayTasks).contains(s.tasks.count) else {
                throw .badInput(file: file, detail: "step \(s.name) has \(s.tasks.count) tasks, expected 1...\(Self.maxArrayTasks)")
            }
            for (t, task) in s.tasks.enumerated() {
                for i in task where !episodes.indices.contains(i) {
                    throw .badInput(file: file, detail: "step \(s.name) task \(t) names episode \(i), but the plan has \(episodes.count)")
                }
            }
            seen.insert(s.name)
        }
    }

    /// Writes the plan as sorted, indented JSON (a diffable, deterministic file).
    public func write(to url: URL) throws(PipelineError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(self)
            data.append(0x0A)
            try AtomicFile.write(data, to: url)
        } catch let e as OutputError {
            throw .cannotWrite(path: url.path, reason: e.reason)
        } catch {
            throw .cannotWrite(path: url.path, reason: "\(error)")
        }
    }
}
