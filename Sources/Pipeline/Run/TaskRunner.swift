import Foundation

/// Runs one array task of one step: its units in plan order. The same code runs under Slurm
/// (`xp-slurm task`, one process per array task) and locally (`xp-slurm run-local`), which is
/// why both give the same outputs.
public enum TaskRunner {
    /// Runs task `index` of `stepName`. `progress` is told each unit's outcome.
    public static func run(plan: WorkPlan, stepName: String, index: Int, out: RunFolder,
                           progress: ((UnitOutcome) -> Void)? = nil) throws(PipelineError) -> [UnitOutcome] {
        let step = try plan.step(stepName)
        guard step.tasks.indices.contains(index) else {
            throw .badPlan(detail: "step \(stepName) has tasks 0...\(step.tasks.count - 1), asked for task \(index)")
        }
        let runner = UnitRunner(plan: plan, run: out)
        let members = step.tasks[index].compactMap { plan.episodes.indices.contains($0) ? plan.episodes[$0] : nil }
        var outcomes: [UnitOutcome] = []
        if step.scope == .dataset {
            let o = try runner.runUnit(step: step, unit: RunFolder.datasetUnit, episodes: members)
            progress?(o)
            outcomes.append(o)
        } else {
            for episode in members {
                let o = try runner.runUnit(step: step, unit: episode.key, episodes: [episode])
                progress?(o)
                outcomes.append(o)
            }
        }
        return outcomes
    }
}
