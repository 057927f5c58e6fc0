import ArgumentParser
import Exporters
import Foundation
import ToolSupport
import XPCore

/// `xp-export-cosmos`: the Cosmos training sets built from a Qwen export's `dataset.jsonl`.
struct XPExportCosmos: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-export-cosmos",
        abstract: "Export Cosmos world-model data from an xp-export-qwen dataset: future-window pairs and camera-pose action targets.",
        discussion: """
            DATASET is an xp-export-qwen output folder or its dataset.jsonl (or .jsonl.zst). Each subcommand \
            reads it whole before writing anything: a line that is not a JSON object stops the run (exit 1) \
            naming file:line.

            Examples:
              xp-export-cosmos future export --out cosmos-future
              xp-export-cosmos pose export --out cosmos-pose --protocol strict
              xp-export-cosmos eval-future cosmos-future --out cosmos-eval
            """,
        subcommands: [Future.self, Pose.self, EvalFuture.self]
    )
}

/// Options every subcommand shares.
struct CosmosInput: ParsableArguments {
    @Argument(help: "An xp-export-qwen output folder, or its dataset.jsonl (.jsonl.zst accepted).")
    var dataset: String

    @Option(help: "Output folder (created; files in it are replaced).")
    var out: String

    /// The dataset file, and an output folder that is not the input's (which would replace it).
    func resolve() throws -> (dataset: URL, out: URL) {
        let url = try CosmosDataset.resolve(dataset)
        let outURL = URL(fileURLWithPath: out)
        try Tool.checkOutput(outURL, option: "--out")
        if outURL.standardizedFileURL.resolvingSymlinksInPath().path == url.deletingLastPathComponent().standardizedFileURL.resolvingSymlinksInPath().path {
            throw ToolError("--out \(out) is the folder of the input \(url.lastPathComponent), whose dataset.jsonl it would replace; choose another folder")
        }
        return (url, outURL)
    }
}

extension XPExportCosmos {
    struct Future: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "future",
            abstract: "Future-window pairs: each record with the one --horizon records later in its episode and split, into --out DIR.",
            discussion: """
                Contract xperience10m_future_window_world_model_v0 (spec exporters.md §3.1). Records are grouped by \
                episode_id (code-point order), stable-sorted by center_window.start_frame, and record i is paired \
                with record i + H unless that one is past the end or in another split. The horizon counts records, \
                not seconds: the manifest's horizon_gap_frames says how far apart the pairs are.

                Writes dataset.jsonl, dataset_manifest.json (episodes without a pair under skipped_episodes, with \
                the reason) and episode_manifest.json. --cosmos-model describes a model folder in the manifest \
                (its config files and listing; no weights are read).

                Examples:
                  xp-export-cosmos future export --out cosmos-future
                  xp-export-cosmos future export/dataset.jsonl --out cosmos-future --horizon 3 --max-pairs-per-episode 10
                """
        )

        @OptionGroup var input: CosmosInput

        @Option(parsing: .unconditional, help: "Records ahead, in \(Bounds.text(Limits.horizon)).")
        var horizon: Int = 5

        @Option(parsing: .unconditional, help: "Pairs kept per episode (the first ones), 0 for all, in \(Bounds.text(Limits.cap)).")
        var maxPairsPerEpisode: Int = 0

        @Option(help: "Run id in the manifests.")
        var runID: String = "xperience10m_cosmos3_future_window_dataset"

        @Option(help: ArgumentHelp("A Cosmos model folder to describe in the manifest.", valueName: "dir"))
        var cosmosModel: String?

        enum Limits {
            static let horizon = 1...100_000
            static let cap = 0...1_000_000
        }

        func validate() throws {
            try Bounds.check(horizon, "--horizon", in: Limits.horizon)
            try Bounds.check(maxPairsPerEpisode, "--max-pairs-per-episode", in: Limits.cap)
        }

        func run() throws {
            let (dataset, out) = try input.resolve()
            let options = FutureWindowOptions(horizon: horizon, maxPairsPerEpisode: maxPairsPerEpisode, runID: runID,
                                              cosmosModel: cosmosModel.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) })
            let summary = try FutureWindowExport.run(dataset: dataset, out: out, options: options)
            for s in summary.skipped { Tool.note("skipped \(s.episodeID) (\(s.records) records): \(FutureWindowExport.noPairReason): \(s.detail)") }
            let splits = summary.splitCounts.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            Tool.note("wrote \(summary.pairs) pairs (\(splits)) from \(summary.episodes) episodes at horizon \(horizon)")
            print(summary.datasetURL.path)
        }
    }

    struct Pose: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pose",
            abstract: "Camera-pose action targets from each episode's SLAM track, with --protocol reference or strict conditioning, into --out DIR.",
            discussion: """
                Target kind slam_camera_pose_delta_proxy_v1 (spec exporters.md §3.2). Each record is copied with \
                cosmos_action_target added: --chunk-size rows of 9 values [translation delta, rotation-vector delta, \
                displacement from the window start] over the record's label window, from annotation.hdf5's \
                slam/trans_xyz, slam/quat_wxyz and video/frame_number (read once per episode). Values are not \
                normalised.

                --protocol reference: conditioning is the record's own context mosaic, as published (its first \
                frames are not the action window). --protocol strict (default): conditioning is a chunk_size + 1 \
                frame mosaic of the frames the action chunk samples, rendered into --out/conditioning/ from the \
                episode's videos, and a window whose SLAM poses are non-finite or zero is skipped with an issue.

                A record whose episode_path or annotation is missing or unreadable is skipped with an issue in \
                target_manifest.json; the run fails (exit 1) only when no record gets a target.

                Examples:
                  xp-export-cosmos pose export --out cosmos-pose
                  xp-export-cosmos pose export --out cosmos-pose --protocol reference --chunk-size 8
                """
        )

        @OptionGroup var input: CosmosInput

        @Option(help: ArgumentHelp("reference or strict (see above).", valueName: "protocol"))
        var `protocol`: String = "strict"

        @Option(parsing: .unconditional, help: "Transitions per window, in \(Bounds.text(Limits.chunk)).")
        var chunkSize: Int = 8

        @Option(parsing: .unconditional, help: "Resolution tier written in the target: 256, 480, 704 or 720.")
        var resolutionTier: Int = 480

        @Option(help: "View point written in the target.")
        var viewPoint: String = "ego_view"

        @Option(parsing: .unconditional, help: "Records read (the first ones), 0 for all, in \(Bounds.text(Limits.records)).")
        var maxRecords: Int = 0

        @Option(help: ArgumentHelp("x264 preset of the strict clips (ultrafast ... placebo).", valueName: "preset"))
        var mosaicPreset: String = "ultrafast"

        @Option(parsing: .unconditional, help: "Episodes whose strict clips render at once (default: one per core), in \(Bounds.text(Limits.jobs)).")
        var jobs: Int?

        @Flag(help: "No progress on stderr.")
        var quiet = false

        enum Limits {
            static let chunk = 1...1_000
            static let records = 0...100_000_000
            static let jobs = 1...256
        }

        func validate() throws {
            guard CameraPoseProtocol(rawValue: `protocol`) != nil else { throw ValidationError("--protocol must be reference or strict, found '\(`protocol`)'") }
            try Bounds.check(chunkSize, "--chunk-size", in: Limits.chunk)
            try Bounds.check(maxRecords, "--max-records", in: Limits.records)
            try Bounds.check(jobs, "--jobs", in: Limits.jobs)
            guard CameraPoseOptions.resolutionTiers.contains(resolutionTier) else {
                throw ValidationError("--resolution-tier must be one of 256, 480, 704, 720, found \(resolutionTier)")
            }
            guard QwenExportOptions.x264Presets.contains(mosaicPreset) else {
                throw ValidationError("--mosaic-preset must be one of \(QwenExportOptions.x264Presets.joined(separator: ", ")), found '\(mosaicPreset)'")
            }
        }

        func run() throws {
            let (dataset, out) = try input.resolve()
            let options = CameraPoseOptions(protocol: CameraPoseProtocol(rawValue: `protocol`) ?? .strict, chunkSize: chunkSize,
                                            resolutionTier: resolutionTier, viewPoint: viewPoint, maxRecords: maxRecords,
                                            mosaic: MosaicOptions(preset: mosaicPreset), jobs: jobs ?? 0)
            let progress = ProgressBox(quiet: quiet)
            let summary = try CameraPoseTargets.run(dataset: dataset, out: out, options: options) { done, total in progress.update(done, total) }
            for issue in summary.issues.prefix(20) {
                Tool.note("\(issue.skipped ? "skipped" : "warning:") row \(issue.rowIndex) (\(issue.id.pythonString)): [\(issue.kind.rawValue)] \(issue.reason)")
            }
            if summary.issues.count > 20 { Tool.note("... \(summary.issues.count - 20) more issues in \(summary.manifestURL.path)") }
            Tool.note("\(summary.rowsAugmented) of \(summary.rowsSeen) records got a target (\(options.protocol.rawValue) protocol, \(summary.annotationFilesRead) annotation files read\(options.protocol == .strict ? ", \(summary.clipsWritten) aligned clips" : ""))")
            print(summary.datasetURL.path)
            if !summary.passed {
                Tool.note("error: no record got a target; see \(summary.manifestURL.path)")
                throw ExitCode(1)
            }
        }
    }
}

extension XPExportCosmos {
    struct EvalFuture: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval-future",
            abstract: "Closed-form future-window compatibility metrics of a future export (no Cosmos weights tuned).",
            discussion: """
                DATASET is an xp-export-cosmos future output (or its dataset.jsonl). The adapter predicts each eval \
                pair's future sensor vector as the standardised context vector plus the train mean of \
                (z(future) - z(context)), and ranks every eval pair's true future by Euclidean distance to it \
                (spec exporters.md §3.1): MRR, recall@k, temporal consistency (top-1 from the same episode), \
                feature reconstruction error, and the top-1 candidate's transition, contact and action accuracy.

                Writes metrics.json, future_predictions.jsonl, retrieval_rankings.csv (top k per query), \
                temporal_consistency.csv (per episode) and qualitative_examples.json. Relative NPZ paths are \
                resolved against --base (default: the source export's folder named in the dataset's manifest).

                Examples:
                  xp-export-cosmos eval-future cosmos-future --out cosmos-eval
                  xp-export-cosmos eval-future cosmos-future --out cosmos-eval --eval-split val --top-k 10
                """
        )

        @OptionGroup var input: CosmosInput

        @Option(help: "Split the adapter is fitted on.")
        var trainSplit = "train"

        @Option(help: "Split counted as validation (reported only).")
        var valSplit = "val"

        @Option(help: "Split evaluated.")
        var evalSplit = "test"

        @Option(parsing: .unconditional, help: "Train pairs used (the first ones), 0 for all, in \(Bounds.text(Limits.samples)).")
        var maxTrainSamples: Int = 0

        @Option(parsing: .unconditional, help: "Eval pairs used (the first ones), 0 for all, in \(Bounds.text(Limits.samples)).")
        var maxEvalSamples: Int = 0

        @Option(parsing: .unconditional, help: "Candidates kept per query and the recall cut-off, in \(Bounds.text(Limits.topK)).")
        var topK: Int = 5

        @Option(help: ArgumentHelp("Folder relative sensor_feature_path values are resolved against.", valueName: "dir"))
        var base: String?

        @Option(help: ArgumentHelp("A Cosmos model folder to describe in metrics.json.", valueName: "dir"))
        var cosmosModel: String?

        enum Limits {
            static let samples = 0...100_000_000
            static let topK = 1...10_000
        }

        func validate() throws {
            try Bounds.check(maxTrainSamples, "--max-train-samples", in: Limits.samples)
            try Bounds.check(maxEvalSamples, "--max-eval-samples", in: Limits.samples)
            try Bounds.check(topK, "--top-k", in: Limits.topK)
        }

        func run() throws {
            let (dataset, out) = try input.resolve()
            let options = FutureWindowEval.Options(trainSplit: trainSplit, valSplit: valSplit, evalSplit: evalSplit,
                                                   maxTrainSamples: maxTrainSamples, maxEvalSamples: maxEvalSamples, topK: topK,
                                                   base: base.map(URL.init(fileURLWithPath:)),
                                                   cosmosModel: cosmosModel.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) })
            let summary = try FutureWindowEval.run(dataset: dataset, out: out, options: options)
            let m = summary.metrics
            Tool.note(String(format: "%d eval pairs (adapter fitted on %d): MRR %.5f, recall@%d %.5f, temporal consistency %.5f, reconstruction error %.4g",
                             summary.evalSamples, summary.trainSamples, m.mrr, topK, m.recallAtK, m.temporalConsistency, m.featureReconstructionError))
            print(summary.metricsURL.path)
        }
    }
}

/// Progress of the strict clips, made on first report (the total is known then).
final class ProgressBox: @unchecked Sendable {
    let quiet: Bool
    let lock = NSLock()
    var progress: ToolSupport.Progress?
    init(quiet: Bool) { self.quiet = quiet }

    func update(_ done: Int, _ total: Int) {
        lock.lock()
        if progress == nil { progress = ToolSupport.Progress("xp-export-cosmos pose clips", total: total, quiet: quiet || total < 2) }
        let p = progress
        lock.unlock()
        p?.update(done)
    }
}

Tool.main(XPExportCosmos.self)
