import Foundation

/// The Slurm commands, by absolute path: `sbatch`, `squeue`, `sacct`, `scancel`, `sinfo`.
public struct SlurmClient: Sendable {
    public var sbatch: String
    public var squeue: String
    public var sacct: String
    public var scancel: String
    public var sinfo: String

    /// The commands found on `PATH`, or nil when `sbatch` is not there.
    public static func find() -> SlurmClient? {
        guard let sbatch = ProcessRunner.which("sbatch") else { return nil }
        let dir = URL(fileURLWithPath: sbatch).deletingLastPathComponent()
        func tool(_ n: String) -> String { ProcessRunner.which(n) ?? dir.appendingPathComponent(n).path }
        return SlurmClient(sbatch: sbatch, squeue: tool("squeue"), sacct: tool("sacct"), scancel: tool("scancel"), sinfo: tool("sinfo"))
    }

    /// True when the controller answers and a node is up.
    public func clusterAnswers() -> Bool {
        guard let r = try? ProcessRunner.capture(sinfo, ["-h", "-o", "%T"]), r.status == 0 else { return false }
        return r.stdout.split(separator: "\n").contains { ["idle", "mixed", "allocated", "completing"].contains($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Submits `script` with `arguments`; returns the job id (`sbatch --parsable`).
    public func submit(script: URL, arguments: [String], options: [String]) throws(PipelineError) -> String {
        let r = try ProcessRunner.capture(sbatch, ["--parsable"] + options + [script.path] + arguments)
        let id = r.stdout.split(separator: "\n").first.map { String($0.split(separator: ";").first ?? "") } ?? ""
        guard r.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw .command(command: "sbatch \(script.path)", detail: "expected a job id, found exit \(r.status): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)); check the partition, account and limits")
        }
        return id
    }

    /// One row of `squeue`: a job or array task still known to the controller.
    public struct QueueRow: Sendable, Equatable {
        public var id: String
        public var state: String
        public var reason: String
        /// The job's name, when the query asked for it (``queue(names:)``).
        public var name: String = ""
    }

    /// The queued and running jobs (and array tasks) among `jobs`.
    public func queue(_ jobs: [String]) throws(PipelineError) -> [QueueRow] {
        guard !jobs.isEmpty else { return [] }
        let r = try ProcessRunner.capture(squeue, ["-h", "-r", "-j", jobs.joined(separator: ","), "-o", "%i|%T|%r"])
        // squeue exits 1 with "Invalid job id" once every job has left the queue.
        if r.status != 0 {
            if r.stderr.contains("Invalid job id") { return [] }
            throw .command(command: "squeue", detail: "exit \(r.status): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return Self.parseQueue(r.stdout)
    }

    /// The queued and running jobs (and array tasks) named one of `names` (`squeue -n`), for a
    /// status without the run folder's submission records.
    public func queue(names: [String]) throws(PipelineError) -> [QueueRow] {
        guard !names.isEmpty else { return [] }
        let r = try ProcessRunner.capture(squeue, ["-h", "-r", "-n", names.joined(separator: ","), "-o", "%i|%T|%r|%j"])
        guard r.status == 0 else { throw .command(command: "squeue", detail: "exit \(r.status): \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))") }
        return Self.parseQueue(r.stdout)
    }

    /// Parses `squeue -o "%i|%T|%r"` output (and a fourth field, the job name, when present).
    public static func parseQueue(_ text: String) -> [QueueRow] {
        text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count >= 3, !f[0].isEmpty else { return nil }
            return QueueRow(id: f[0], state: f[1], reason: f[2], name: f.count > 3 ? f[3] : "")
        }
    }

    /// `sacct`'s JobID|State|ExitCode rows for `jobs`, or nil when accounting is not available
    /// (a cluster without slurmdbd).
    public func accounting(_ jobs: [String]) -> [[String]]? {
        guard !jobs.isEmpty, let r = try? ProcessRunner.capture(sacct, ["-n", "-P", "-X", "-j", jobs.joined(separator: ","), "-o", "JobID,State,ExitCode"]),
              r.status == 0 else { return nil }
        return r.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Cancels `ids` (jobs or `JOB_TASK` array tasks).
    public func cancel(_ ids: [String]) throws(PipelineError) {
        guard !ids.isEmpty else { return }
        let r = try ProcessRunner.capture(scancel, ids)
        guard r.status == 0 else { throw .command(command: "scancel \(ids.joined(separator: " "))", detail: r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
