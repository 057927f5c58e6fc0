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
            executes the identical task list, so both give the same outputs byte for byte. The Qwen export is \
            three steps: export-plan (one job: the scan, the split, the shards), export (an array: one part \
            per episode) and combine (one job: the parts linked and merged), whose folder equals a single \
            xp-export-qwen run's byte for byte; xp-index reads it.

            Examples:
              xp-scan dataset --out scan
              xp-slurm plan dataset --manifest scan --out plan --partition gpu --account lab
              xp-slurm submit plan --out run --wait
              xp-slurm status plan
              xp-slurm submit plan --out run --resume --retry-failed --wait
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
    if summary.failed > 0 {
        Tool.note("\(summary.failed) unit(s) failed and stay failed while their inputs and tool are unchanged (fix the input and rerun); "
                  + "--retry-failed runs them again as they are (xp-slurm submit --resume --retry-failed, or run-local --retry-failed)")
    }
    if !summary.complete && failIncomplete {
        if summary.missing > 0 { Tool.note("\(summary.missing) unit(s) missing: xp-slurm submit --resume (or run-local again) completes them") }
        throw ExitCode(1)
    }
}

/// The options of the commands that use a run folder.
struct RunOptions: ParsableArguments {
    @Argument(help: "Plan folder (from xp-slurm plan) or its plan.json.")
    var plan: String

    @Option(help: "Run folder (outputs, done markers, failures, logs).")
    var out: String
}

Tool.main(XPSlurm.self)
