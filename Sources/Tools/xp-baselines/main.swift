import ArgumentParser
import Exporters
import Foundation
import Heads
import TaskContracts
import ToolSupport
import XPCore

/// `xp-baselines`: the multi-episode simple and neural baselines.
struct XPBaselines: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-baselines",
        abstract: "Simple and neural baselines on an exported dataset.jsonl (metadata) or a dense multiscale index (dense).",
        discussion: """
            metadata: the 128-episode baselines of the twelve task ids on the records' metadata \
            (394 features, answer_json never an input), with --raw-suite the task suite's raw-feature \
            heads for the four tasks the metadata cannot score, side by side. dense: the baselines \
            of the eight hierarchical targets of an xp-dense-index folder. Docs/baselines.md has the \
            outputs and every choice.

            Examples:
              xp-baselines metadata export
              xp-baselines dense dense_index
            """,
        subcommands: [Metadata.self, Dense.self]
    )
}

/// Options both subcommands share.
struct CommonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("reference (the published scripts) or strict (leak surfaces removed, baselines beside every score).", valueName: "protocol"))
    var `protocol`: String = "strict"

    @Flag(help: "Replace an existing output folder.")
    var overwrite = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        guard BaselineProtocol(rawValue: `protocol`) != nil else { throw ValidationError("--protocol must be reference or strict, found '\(`protocol`)'") }
    }

    var baselineProtocol: BaselineProtocol { BaselineProtocol(rawValue: `protocol`) ?? .strict }

    var say: @Sendable (String) -> Void {
        let q = quiet
        return { message in if !q { Tool.note(message) } }
    }
}

/// The bounds of the numeric options.
enum Limits {
    static let epochs = 1...100_000
    static let neuralEpochs = 0...10_000
    static let concurrentTasks = 1...64
}

extension XPBaselines {
    struct Metadata: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "metadata",
            abstract: "The 128-episode baselines of the twelve task ids on an exported dataset.jsonl.",
            discussion: """
                DATASET is an xp-export-qwen folder or its dataset.jsonl (.zst). --manifest (xp-scan's \
                episode_manifest.json, or the selection manifest) supplies each episode's main_task. The \
                output folder holds windows.csv, metadata_feature_matrix.npz, a folder per task, \
                neural_mlp/<task>/, summary_report.json, task_metrics.csv and BASELINE_ALIGNMENT_REPORT.md; \
                with --raw-suite also raw_suite/ (the suite's artifact tree for the four raw-feature tasks, \
                on the records' episodes, each in the split its records carry).

                Examples:
                  xp-baselines metadata export --manifest scan/episode_manifest.json --out baselines
                  xp-baselines metadata export/dataset.jsonl --manifest episode_manifest.json --out baselines --protocol reference --expect-split-counts 2848,512,448
                  xp-baselines metadata export --manifest scan/episode_manifest.json --out baselines --raw-suite --data-root /data/xperience-10m
                """
        )

        @Argument(help: "Export folder or dataset.jsonl.")
        var dataset: String

        @Option(help: "episode_manifest.json with each episode's main_task (optional: without it the rows carry no main_task text).")
        var manifest: String?

        @Option(help: "Output folder (default: outputs/xp-baselines-metadata, numbered if it exists).")
        var out: String?

        @Option(parsing: .unconditional, help: "Softmax epochs (the published run: 80), in \(Bounds.text(Limits.epochs)).")
        var epochs: Int = 80

        @Option(parsing: .unconditional, help: "MLP epochs (the published run: 4; 0 skips the neural models), in \(Bounds.text(Limits.neuralEpochs)).")
        var neuralEpochs: Int = 4

        @Option(help: ArgumentHelp("Fail unless the split window counts are these (the reference asserts 2848,512,448).", valueName: "train,val,test"))
        var expectSplitCounts: String?

        @Flag(help: "Score the four raw-feature tasks with the task suite's heads on the records' episodes.")
        var rawSuite = false

        @Option(help: ArgumentHelp("With --raw-suite: the dataset root to find <session>/<epN> in when a record's episode_path does not exist here.", valueName: "dir"))
        var dataRoot: String?

        @Option(help: ArgumentHelp("With --raw-suite: the folder of the per-frame feature caches.", valueName: "dir"))
        var cache: String = SuiteCache.defaultFolder

        @Option(parsing: .unconditional, help: ArgumentHelp("With --raw-suite: comma-separated seeds of the suite's heads (default: 7 for reference, 7,8,9 for strict).", valueName: "seeds"))
        var rawSeeds: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("With --raw-suite: MLP epochs of the suite's neural head (default: the suite's 80), in \(Bounds.text(Limits.epochs)).", valueName: "n"))
        var rawNeuralEpochs: Int?

        @Option(parsing: .unconditional, help: ArgumentHelp("With --raw-suite: tasks side by side, in \(Bounds.text(Limits.concurrentTasks)).", valueName: "n"))
        var concurrentTasks: Int = min(SuiteConfiguration.defaultConcurrentTasks, 4)

        @OptionGroup var common: CommonOptions

        func validate() throws {
            try Bounds.check(epochs, "--epochs", in: Limits.epochs)
            try Bounds.check(neuralEpochs, "--neural-epochs", in: Limits.neuralEpochs)
            try Bounds.check(concurrentTasks, "--concurrent-tasks", in: Limits.concurrentTasks)
            if let expectSplitCounts { _ = try Self.splitCounts(expectSplitCounts) }
            if !rawSuite, dataRoot != nil || rawSeeds != nil || rawNeuralEpochs != nil {
                throw ValidationError("--data-root, --raw-seeds and --raw-neural-epochs need --raw-suite")
            }
            if let rawNeuralEpochs { try Bounds.check(rawNeuralEpochs, "--raw-neural-epochs", in: Limits.epochs) }
            if let rawSeeds { _ = try SeedList.parse(rawSeeds, option: "--raw-seeds", count: 1...32) }
        }

        static func splitCounts(_ text: String) throws -> (train: Int, val: Int, test: Int) {
            let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 3, let t = parts[0], let v = parts[1], let s = parts[2], t >= 0, v >= 0, s >= 0 else {
                throw ValidationError("--expect-split-counts must be three counts train,val,test (e.g. 2848,512,448), found '\(text)'")
            }
            return (t, v, s)
        }

        func run() throws {
            BLASConfiguration.shortenIdleSpin()
            let output = URL(fileURLWithPath: out ?? defaultOutput("metadata"))
            try Tool.checkNewOutputFolder(output, option: "--out", overwrite: common.overwrite)
            let url = URL(fileURLWithPath: try JSONOutput.datasetPath(dataset))
            let say = common.say
            say("reading \(url.path)")
            let read = try MetadataRecord.read(url)
            let records = read.records, fullOptions = (actions: read.actionOptions, subtasks: read.subtaskOptions)
            var episodes: [String: EpisodeContext] = [:]
            if let manifest { episodes = try EpisodeContext.read(manifest: URL(fileURLWithPath: manifest)) }
            var options = MetadataBaselineOptions()
            options.baselineProtocol = common.baselineProtocol
            options.epochs = epochs
            options.neuralEpochs = neuralEpochs
            options.expectedSplitCounts = try expectSplitCounts.map(Self.splitCounts)
            options.datasetLabel = DenseBaselines.portable(url)
            options.manifestLabel = manifest.map { DenseBaselines.portable(URL(fileURLWithPath: $0)) }
            options.overwrite = common.overwrite
            options.progress = say
            if rawSuite {
                var raw = RawSuiteOptions(cache: URL(fileURLWithPath: cache))
                raw.dataRoot = dataRoot.map(URL.init(fileURLWithPath:))
                raw.datasetFolder = url.deletingLastPathComponent()
                raw.seeds = try rawSeeds.map { try SeedList.parse($0, option: "--raw-seeds", count: 1...32) }
                raw.concurrentTasks = concurrentTasks
                raw.neuralEpochs = rawNeuralEpochs
                options.rawSuite = raw
            }
            let start = Date()
            let report = try MetadataBaselines.run(records: records, episodes: episodes, fullOptions: fullOptions, options: options, out: output)
            say(String(format: "baselines finished in %.1f s; artifacts in %@", Date().timeIntervalSince(start), output.path))
            print(report.markdown)
        }
    }

    struct Dense: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dense",
            abstract: "The dense/multiscale hierarchical baselines of the eight targets of an xp-dense-index folder.",
            discussion: """
                DENSE_DIR is an xp-dense-index output folder (dense_multiscale_windows.jsonl and \
                dataset_manifest.json) or the JSONL itself. The output folder holds simple/<target>/, \
                neural_mlp/<target>/, summary_report.json (sorted keys) and RUN_REPORT.md.

                Examples:
                  xp-baselines dense dense_index --out dense_baselines
                  xp-baselines dense dense_index/dense_multiscale_windows.jsonl --out dense_baselines --protocol reference --epochs 220 --neural-epochs 45
                """
        )

        @Argument(help: "xp-dense-index folder or dense_multiscale_windows.jsonl.")
        var denseDir: String

        @Option(help: "Output folder (default: outputs/xp-baselines-dense, numbered if it exists).")
        var out: String?

        @Option(parsing: .unconditional, help: "Softmax epochs, in \(Bounds.text(Limits.epochs)).")
        var epochs: Int = 220

        @Option(parsing: .unconditional, help: "MLP epochs (0 skips the neural models), in \(Bounds.text(Limits.neuralEpochs)).")
        var neuralEpochs: Int = 45

        @Option(help: "Run id in the summary.")
        var runID: String = DenseBaselineOptions().runID

        @OptionGroup var common: CommonOptions

        func validate() throws {
            try Bounds.check(epochs, "--epochs", in: Limits.epochs)
            try Bounds.check(neuralEpochs, "--neural-epochs", in: Limits.neuralEpochs)
        }

        func run() throws {
            BLASConfiguration.shortenIdleSpin()
            let output = URL(fileURLWithPath: out ?? defaultOutput("dense"))
            try Tool.checkNewOutputFolder(output, option: "--out", overwrite: common.overwrite)
            let url = URL(fileURLWithPath: try JSONOutput.datasetPath(denseDir, name: "dense_multiscale_windows.jsonl"))
            let say = common.say
            say("reading \(url.path)")
            let rows = try DenseRow.read(url)
            var options = DenseBaselineOptions()
            options.baselineProtocol = common.baselineProtocol
            options.epochs = epochs
            options.neuralEpochs = neuralEpochs
            options.runID = runID
            options.overwrite = common.overwrite
            options.progress = say
            options.datasetLabel = common.baselineProtocol == .strict ? DenseBaselines.portable(url) : url.path
            let manifest = url.deletingLastPathComponent().appendingPathComponent("dataset_manifest.json")
            if FileManager.default.fileExists(atPath: manifest.path) { options.datasetManifest = try JSONOutput.read(manifest) }
            let start = Date()
            let report = try DenseBaselines.run(rows: rows, options: options, out: output)
            say(String(format: "dense baselines finished in %.1f s; artifacts in %@", Date().timeIntervalSince(start), output.path))
            print(report.markdown)
        }
    }
}

/// `outputs/xp-baselines-<sub>`, numbered when it exists.
func defaultOutput(_ sub: String) -> String {
    var candidate = "outputs/xp-baselines-\(sub)"
    var n = 2
    while FileManager.default.fileExists(atPath: candidate) {
        candidate = "outputs/xp-baselines-\(sub)-\(n)"
        n += 1
    }
    return candidate
}

Tool.main(XPBaselines.self)
