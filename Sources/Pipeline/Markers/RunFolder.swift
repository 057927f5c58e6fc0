import Foundation

/// The layout of a run's output folder `DIR`:
///
/// - `DIR/<step>/<episode key>/` — an episode step's outputs, committed whole;
/// - `DIR/<step>/` — a dataset step's outputs;
/// - `DIR/.pipeline/done/<step>/<unit>.json` — done markers (``DoneMarker``);
/// - `DIR/.pipeline/failed/<step>/<unit>.json` — failures with their error (``FailureRecord``);
/// - `DIR/.pipeline/staging/`, `DIR/.pipeline/logs/` — work in progress and Slurm's logs;
/// - `DIR/pipeline_summary.json`, `DIR/<step>.jsonl` — the merge (deterministic);
///   `DIR/pipeline_timings.json` — the run's times (the one file that differs between runs).
public struct RunFolder: Sendable {
    /// The unit name of a dataset step.
    public static let datasetUnit = "dataset"

    public let url: URL

    public init(_ url: URL) { self.url = url.standardizedFileURL }

    var control: URL { url.appendingPathComponent(".pipeline") }

    /// Where a unit's outputs are committed.
    public func output(step: PlanStep, unit: String) -> URL {
        step.scope == .dataset ? url.appendingPathComponent(step.name) : url.appendingPathComponent(step.name).appendingPathComponent(unit)
    }

    /// The folder of a step's outputs: a dataset step's output, or the folder holding an
    /// episode step's `<episode key>/` outputs (what `{step:NAME}` names).
    public func stepFolder(_ step: PlanStep) -> URL { url.appendingPathComponent(step.name) }

    /// The output path relative to the run folder (what output files say instead of absolute paths).
    public func relativeOutput(step: PlanStep, unit: String) -> String {
        step.scope == .dataset ? step.name : step.name + "/" + unit
    }

    public func marker(step: String, unit: String) -> URL { control.appendingPathComponent("done/\(step)/\(unit).json") }
    public func failure(step: String, unit: String) -> URL { control.appendingPathComponent("failed/\(step)/\(unit).json") }
    public func staging(step: String, unit: String) -> URL { control.appendingPathComponent("staging/\(step)/\(unit)") }
    public func stderrLog(step: String, unit: String) -> URL { control.appendingPathComponent("logs/\(step)/\(unit).stderr") }
    public var slurmLogs: URL { control.appendingPathComponent("logs/slurm") }
    public var submission: URL { control.appendingPathComponent("submission.json") }
    public var summary: URL { url.appendingPathComponent("pipeline_summary.json") }
    public var timings: URL { url.appendingPathComponent("pipeline_timings.json") }

    /// The units of a step, in plan order: every episode of its tasks, or the one dataset unit.
    public static func units(of step: PlanStep, in plan: WorkPlan) -> [[String]] {
        step.tasks.map { task in
            step.scope == .dataset ? [datasetUnit] : task.compactMap { plan.episodes.indices.contains($0) ? plan.episodes[$0].key : nil }
        }
    }
}
