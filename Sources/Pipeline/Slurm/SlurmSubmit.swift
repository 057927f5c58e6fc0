import Foundation

/// One submitted array (or the merge job).
public struct SubmittedJob: Codable, Sendable, Equatable {
    public var step: String
    public var jobID: String
    /// The array indices submitted (all, or the missing ones on `--resume`).
    public var tasks: [Int]
    public var dependsOn: [String]
}

/// A run's submissions, newest last (`DIR/.pipeline/submission.json`).
public struct SubmissionLog: Codable, Sendable, Equatable {
    public var submissions: [[SubmittedJob]]

    /// The newest submission's job ids.
    public var latestIDs: [String] { submissions.last?.map(\.jobID) ?? [] }
}

/// How a wait ended.
public struct WaitOutcome: Sendable, Equatable {
    /// Jobs cancelled because a dependency can never be satisfied (a task upstream failed or
    /// was cancelled): `--resume` resubmits them.
    public var cancelledNeverSatisfied: [String]
    public var seconds: Double
}

/// Submitting a plan to Slurm, waiting for it, resuming it.
public enum SlurmSubmit {
    /// Array indices with `ranges` compressed: `[0,1,2,5]` → `0-2,5`.
    public static func arraySpec(_ tasks: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        let t = tasks.sorted()
        while i < t.count {
            var j = i
            while j + 1 < t.count && t[j + 1] == t[j] + 1 { j += 1 }
            parts.append(i == j ? "\(t[i])" : "\(t[i])-\(t[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// Submits every step's array (only the tasks with missing units when `resume`), each
    /// after the steps it reads (`--dependency=afterok`), then the merge job after all of them.
    /// On a resume, a step after a resubmitted one is resubmitted whole (its units whose inputs
    /// did not change are skipped in seconds; the others, such as the combine after a redone
    /// export part, are redone). `retryFailed` first clears the failure records, so failed
    /// units count as missing. Records the submission in the run folder, and the run folder in
    /// the plan folder (``PlanRuns``), and returns it.
    public static func submit(plan: WorkPlan, planFolder: URL, out: RunFolder, client: SlurmClient, resume: Bool,
                              retryFailed: Bool = false) throws(PipelineError) -> [SubmittedJob] {
        let logFile = out.submission
        let log = Records.read(SubmissionLog.self, at: logFile) ?? SubmissionLog(submissions: [])
        try ensureIdle(out: out, client: client)
        if retryFailed { try Records.clearFailures(plan: plan, run: out) }
        let summary = Merge.summarize(plan: plan, out: out)
        do { try FileManager.default.createDirectory(at: out.slurmLogs, withIntermediateDirectories: true) } catch {
            throw .cannotWrite(path: out.slurmLogs.path, reason: error.localizedDescription)
        }
        var jobs: [SubmittedJob] = []
        var ids: [String: String] = [:]
        for step in plan.steps {
            let upstream = step.after.contains { ids[$0] != nil }
            let tasks = resume && !upstream ? (summary.steps.first { $0.step == step.name }?.missingTasks ?? []) : Array(step.tasks.indices)
            guard !tasks.isEmpty else { continue }
            let deps = step.after.compactMap { ids[$0] }
            var options = ["--array=\(arraySpec(tasks))", "--output=\(out.slurmLogs.path)/\(step.name)-%A_%a.out"]
            if !deps.isEmpty { options.append("--dependency=afterok:" + deps.joined(separator: ":")) }
            let id = try client.submit(script: SlurmScript.file(step.name, in: planFolder), arguments: [out.url.path], options: options)
            ids[step.name] = id
            jobs.append(SubmittedJob(step: step.name, jobID: id, tasks: tasks, dependsOn: deps))
        }
        let all = jobs.map(\.jobID)
        var mergeOptions = ["--output=\(out.slurmLogs.path)/merge-%j.out"]
        if !all.isEmpty { mergeOptions.append("--dependency=afterok:" + all.joined(separator: ":")) }
        let mergeID = try client.submit(script: SlurmScript.file("merge", in: planFolder), arguments: [out.url.path], options: mergeOptions)
        jobs.append(SubmittedJob(step: "merge", jobID: mergeID, tasks: [], dependsOn: all))
        var updated = log
        updated.submissions.append(jobs)
        try Records.write(updated, to: logFile)
        PlanRuns.record(out, planFolder: planFolder)
        return jobs
    }

    /// Throws when a job of the run folder's last submission is still queued or running: a
    /// second submission (or clearing its failure records) would race with it.
    public static func ensureIdle(out: RunFolder, client: SlurmClient) throws(PipelineError) {
        let log = Records.read(SubmissionLog.self, at: out.submission) ?? SubmissionLog(submissions: [])
        if let queued = try? client.queue(log.latestIDs), !queued.isEmpty {
            throw .badPlan(detail: "\(queued.count) job(s) of the last submission to \(out.url.path) are still queued or running (\(queued.prefix(5).map(\.id).joined(separator: ", "))); wait for them or scancel them first")
        }
    }

    /// Waits until none of `jobs` is queued or running, at most `timeout` seconds, polling every
    /// `poll` seconds. A job left pending only because a dependency can never be satisfied is
    /// cancelled (so nothing waits forever) and reported.
    public static func wait(_ jobs: [String], client: SlurmClient, timeout: Double, poll: Double,
                            progress: (([SlurmClient.QueueRow]) -> Void)? = nil) throws(PipelineError) -> WaitOutcome {
        let start = Date()
        var cancelled: [String] = []
        while true {
            let rows = try client.queue(jobs)
            if rows.isEmpty { return WaitOutcome(cancelledNeverSatisfied: cancelled, seconds: Date().timeIntervalSince(start)) }
            let stuck = rows.filter { $0.state == "PENDING" && $0.reason.contains("DependencyNeverSatisfied") }
            if !stuck.isEmpty {
                try client.cancel(stuck.map(\.id))
                cancelled += stuck.map(\.id)
            }
            progress?(rows)
            if Date().timeIntervalSince(start) > timeout {
                throw .command(command: "xp-slurm submit --wait", detail: "\(rows.count) job(s) still queued after \(Int(timeout)) s (\(rows.prefix(5).map { "\($0.id) \($0.state)" }.joined(separator: ", "))); see xp-slurm status, or raise --timeout")
            }
            Thread.sleep(forTimeInterval: poll)
        }
    }
}
