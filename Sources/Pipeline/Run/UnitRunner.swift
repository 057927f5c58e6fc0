import Foundation
import XPCore

/// What happened to one unit in a task.
public enum UnitStatus: String, Codable, Sendable {
    /// Run now and committed.
    case done
    /// Already done with the same inputs and tool version: skipped.
    case alreadyDone = "already_done"
    /// The tool failed; a ``FailureRecord`` holds its error.
    case failed
    /// Failed before with the same inputs and tool version: not rerun, its record kept (a
    /// changed input reruns it; ``Records/clearFailures(plan:run:)`` — `--retry-failed` —
    /// reruns it as it is).
    case failedBefore = "failed_before"
}

/// One unit's result.
public struct UnitOutcome: Codable, Sendable, Equatable {
    public var step: String
    public var unit: String
    public var status: UnitStatus
    public var seconds: Double
    public var error: String?
}

/// Runs one unit: decides from its done marker whether it is done, runs the tool into a
/// staging folder, normalises and commits the outputs whole, then writes the marker; or
/// records the failure. A killed unit leaves only its staging folder, which the next attempt
/// removes first.
public struct UnitRunner: Sendable {
    public let plan: WorkPlan
    public let run: RunFolder

    public init(plan: WorkPlan, run: RunFolder) {
        self.plan = plan
        self.run = run
    }

    /// The command line with the placeholders resolved; `{out}` becomes `out`, `{step:NAME}`
    /// the folder of step NAME's outputs (a dataset step's output, or an episode step's folder
    /// of `<episode key>/` outputs).
    public func arguments(step: PlanStep, episodes: [PlanEpisode], out: String) -> [String] {
        step.arguments.map { a in
            var s = a
            if s.contains("{episode}") { s = s.replacingOccurrences(of: "{episode}", with: episodes.first?.folder ?? "") }
            s = s.replacingOccurrences(of: "{out}", with: out)
            s = s.replacingOccurrences(of: "{root}", with: plan.datasetRoot)
            s = s.replacingOccurrences(of: "{cpus}", with: "\(step.resources.cpus)")
            for other in plan.steps where s.contains("{step:\(other.name)}") {
                s = s.replacingOccurrences(of: "{step:\(other.name)}", with: run.stepFolder(other).path)
            }
            return s
        }
    }

    /// The unit's content key: tool version, command template, the inputs' listings and the
    /// keys of the dataset steps it reads.
    public func contentKey(step: PlanStep, episodes: [PlanEpisode]) -> String {
        var key = ContentKey()
        key.add(plan.tools[step.tool]?.version ?? "?")
        for a in step.arguments { key.add(a) }
        key.add("\(step.resources.cpus)")
        for e in episodes {
            key.add(e.key)
            for row in ContentKey.listing(of: URL(fileURLWithPath: e.folder)) { key.add(row) }
        }
        // A step that reads another's outputs is redone when any of its units is redone
        // (e.g. the combine after an export part that failed before and now succeeded).
        for other in plan.steps where step.arguments.contains(where: { $0.contains("{step:\(other.name)}") }) {
            for unit in RunFolder.units(of: other, in: plan).joined() {
                key.add(unit)
                key.add(Records.read(DoneMarker.self, at: run.marker(step: other.name, unit: unit))?.contentKey ?? "not done")
            }
        }
        return key.hex
    }

    /// True when the unit's marker matches `key` and its outputs exist.
    public func isDone(step: PlanStep, unit: String, key: String) -> Bool {
        guard let marker = Records.read(DoneMarker.self, at: run.marker(step: step.name, unit: unit)) else { return false }
        return marker.contentKey == key && marker.toolVersion == (plan.tools[step.tool]?.version ?? "")
            && FileManager.default.fileExists(atPath: run.output(step: step, unit: unit).path)
    }

    /// Runs `unit` of `step` over `episodes` (one for an episode step, all for a dataset step).
    /// Throws only when the run folder cannot be written; a tool's failure is an outcome.
    public func runUnit(step: PlanStep, unit: String, episodes: [PlanEpisode]) throws(PipelineError) -> UnitOutcome {
        guard let tool = plan.tools[step.tool] else { throw .badPlan(detail: "step \(step.name) names tool \(step.tool), which the plan does not list") }
        let key = contentKey(step: step, episodes: episodes)
        if isDone(step: step, unit: unit, key: key) { return UnitOutcome(step: step.name, unit: unit, status: .alreadyDone, seconds: 0) }
        if let f = Records.read(FailureRecord.self, at: run.failure(step: step.name, unit: unit)), f.contentKey == key, f.toolVersion == tool.version {
            return UnitOutcome(step: step.name, unit: unit, status: .failedBefore, seconds: 0, error: f.error)
        }
        let fm = FileManager.default
        let staging = run.staging(step: step.name, unit: unit)
        let stderrURL = run.stderrLog(step: step.name, unit: unit)
        // A killed attempt's leftovers go first; then an empty staging folder.
        try? fm.removeItem(at: staging)
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            try fm.createDirectory(at: stderrURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch { throw .cannotWrite(path: staging.path, reason: error.localizedDescription) }
        let args = arguments(step: step, episodes: episodes, out: staging.path)
        let template = arguments(step: step, episodes: episodes, out: "{out}")
        let stdoutURL = step.stdoutFile.map { staging.appendingPathComponent($0) } ?? stderrURL.deletingPathExtension().appendingPathExtension("stdout")
        let started = Date()
        let status = try ProcessRunner.run(executable: tool.path, arguments: args, stdout: stdoutURL, stderr: stderrURL, directory: staging)
        let seconds = Date().timeIntervalSince(started)
        let relative = run.relativeOutput(step: step, unit: unit)
        if status != 0 {
            let tail = Self.errorText(stderr: stderrURL, stdout: stdoutURL)
            let error = OutputNormalizer.relocate(tail, staging: staging.path, relative: relative, runFolder: run.url.path)
            try? fm.removeItem(at: staging)
            // A failed unit has no outputs: an older result for other inputs is withdrawn.
            try? fm.removeItem(at: run.marker(step: step.name, unit: unit))
            try? fm.removeItem(at: run.output(step: step, unit: unit))
            try Records.write(FailureRecord(step: step.name, unit: unit, contentKey: key, toolVersion: tool.version, command: template,
                                            exitStatus: status, error: error, seconds: seconds), to: run.failure(step: step.name, unit: unit))
            return UnitOutcome(step: step.name, unit: unit, status: .failed, seconds: seconds, error: error)
        }
        try OutputNormalizer.normalize(folder: staging, staging: staging.path, relative: relative, runFolder: run.url.path, volatileKeys: step.volatileKeys)
        try commit(staging: staging, to: run.output(step: step, unit: unit))
        try Records.write(DoneMarker(step: step.name, unit: unit, contentKey: key, toolVersion: tool.version, command: template, seconds: seconds),
                          to: run.marker(step: step.name, unit: unit))
        try? fm.removeItem(at: run.failure(step: step.name, unit: unit))
        return UnitOutcome(step: step.name, unit: unit, status: .done, seconds: seconds)
    }

    /// Moves the staging folder's entries into a folder committed whole at `destination`.
    func commit(staging: URL, to destination: URL) throws(PipelineError) {
        let fm = FileManager.default
        do {
            try AtomicFolder.write(to: destination) { target in
                for name in try fm.contentsOfDirectory(atPath: staging.path) {
                    try fm.moveItem(at: staging.appendingPathComponent(name), to: target.appendingPathComponent(name))
                }
            }
        } catch {
            throw .cannotWrite(path: destination.path, reason: "\(error)")
        }
        try? fm.removeItem(at: staging)
    }

    /// The last 20 lines of stderr, or of stdout when stderr is empty.
    static func errorText(stderr: URL, stdout: URL) -> String {
        for url in [stderr, stdout] {
            let text = String(decoding: FileManager.default.contents(atPath: url.path) ?? Data(), as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            if !lines.isEmpty { return lines.suffix(20).joined(separator: "\n") }
        }
        return "the tool exited with an error and printed nothing"
    }
}
