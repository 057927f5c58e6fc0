import Foundation

/// The run folders a plan was submitted or run into, newest last (`PLAN/runs.json`): how
/// `xp-slurm status PLAN` finds the run without `--out`.
public struct PlanRuns: Codable, Sendable, Equatable {
    /// Absolute run folder paths, each once, the most recently used last.
    public var runs: [String]

    public init(runs: [String]) { self.runs = runs }

    /// The record's file in a plan folder.
    public static func file(in planFolder: URL) -> URL { planFolder.appendingPathComponent("runs.json") }

    /// The most recently used run folder of the plan, or nil when none is recorded.
    public static func latest(planFolder: URL) -> String? { Records.read(PlanRuns.self, at: file(in: planFolder))?.runs.last }

    /// Records `run` as the plan's most recent run folder. Best effort: a read-only plan folder
    /// only means that `status` needs `--out`, so a failure to write is not the run's failure.
    public static func record(_ run: RunFolder, planFolder: URL) {
        let url = file(in: planFolder)
        var runs = Records.read(PlanRuns.self, at: url)?.runs ?? []
        runs.removeAll { $0 == run.url.path }
        runs.append(run.url.path)
        try? Records.write(PlanRuns(runs: runs), to: url)
    }
}
