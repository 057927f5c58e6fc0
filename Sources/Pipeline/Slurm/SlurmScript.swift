import Foundation

/// The `sbatch` array scripts of a plan: one per step and one for the merge. A script takes
/// the run folder as its one argument and runs `xp-slurm task` by absolute path (a job's
/// `PATH` is not the login shell's), so the same scripts serve any number of runs.
public enum SlurmScript {
    /// Single-quotes `s` for bash.
    public static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The `#SBATCH` header lines shared by every script.
    static func header(plan: WorkPlan, name: String, resources: Resources) -> [String] {
        var lines = ["#!/bin/bash", "#SBATCH --job-name=\(plan.slurm.jobName)-\(name)",
                     "#SBATCH --cpus-per-task=\(resources.cpus)", "#SBATCH --mem=\(resources.memoryMiB)M",
                     "#SBATCH --time=\(resources.slurmTime)"]
        if let p = plan.slurm.partition { lines.append("#SBATCH --partition=\(p)") }
        if let a = plan.slurm.account { lines.append("#SBATCH --account=\(a)") }
        for extra in plan.slurm.extraLines { lines.append(extra.hasPrefix("#SBATCH") ? extra : "#SBATCH " + extra) }
        return lines
    }

    /// The array script of `step`: `--array=0-(tasks-1)`, each task `xp-slurm task`.
    public static func step(_ step: PlanStep, plan: WorkPlan, planFile: String) -> String {
        var lines = header(plan: plan, name: step.name, resources: step.resources)
        lines.append("#SBATCH --array=0-\(max(0, step.tasks.count - 1))")
        lines += ["# \(step.name): \(step.tasks.count) task(s) over \(plan.episodes.count) episodes, estimated "
                    + String(format: "%.0f s for the longest task", step.estimatedSeconds.max() ?? 0),
                  "set -euo pipefail",
                  "OUT=\"${1:?usage: sbatch \(step.name).sbatch RUN_FOLDER}\"",
                  "exec \(quote(plan.driver.path)) task \(quote(planFile)) --step \(step.name) --task \"${SLURM_ARRAY_TASK_ID:-0}\" --out \"$OUT\"", ""]
        return lines.joined(separator: "\n")
    }

    /// The merge job's script.
    public static func merge(plan: WorkPlan, planFile: String) -> String {
        var lines = header(plan: plan, name: "merge", resources: Resources(cpus: 1, memoryMiB: 1_024, timeMinutes: 30))
        lines += ["set -euo pipefail", "OUT=\"${1:?usage: sbatch merge.sbatch RUN_FOLDER}\"",
                  "exec \(quote(plan.driver.path)) merge \(quote(planFile)) --out \"$OUT\"", ""]
        return lines.joined(separator: "\n")
    }

    /// The script file of a step (or `merge`) in a plan folder.
    public static func file(_ name: String, in planFolder: URL) -> URL { planFolder.appendingPathComponent("slurm/\(name).sbatch") }

    /// Writes the plan and its scripts into `folder`.
    public static func writePlanFolder(_ plan: WorkPlan, to folder: URL) throws(PipelineError) {
        let planFile = WorkPlan.file(in: folder).standardizedFileURL.path
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw .cannotWrite(path: folder.path, reason: error.localizedDescription)
        }
        try plan.write(to: WorkPlan.file(in: folder))
        for step in plan.steps { try Merge.write(Self.step(step, plan: plan, planFile: planFile), to: file(step.name, in: folder)) }
        try Merge.write(merge(plan: plan, planFile: planFile), to: file("merge", in: folder))
    }
}
