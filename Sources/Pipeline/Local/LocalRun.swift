import Foundation
import XPCore

/// The plan without Slurm: the identical task list, steps in order, `jobs` tasks at a time,
/// then the merge. Outputs equal a Slurm run's byte for byte (only `pipeline_timings.json` and
/// the control folder differ).
public enum LocalRun {
    /// Runs every step's tasks; returns the merge's summary.
    public static func run(plan: WorkPlan, out: RunFolder, jobs: Int, progress: (@Sendable (UnitOutcome) -> Void)? = nil) throws(PipelineError) -> RunSummary {
        for step in plan.steps {
            let results = Parallel.map(step.tasks.count, width: max(1, jobs)) { t -> Result<[UnitOutcome], PipelineError> in
                do throws(PipelineError) {
                    return .success(try TaskRunner.run(plan: plan, stepName: step.name, index: t, out: out) { progress?($0) })
                } catch { return .failure(error) }
            }
            for r in results { if case .failure(let e) = r { throw e } }
        }
        return try Merge.run(plan: plan, out: out)
    }
}
