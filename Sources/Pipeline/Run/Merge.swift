import Foundation
import XPCore

/// The state of one step after a run, from its markers and failure records.
public struct StepSummary: Sendable, Equatable {
    public var step: String
    public var tool: String
    public var units: Int
    public var done: [String]
    /// Unit → error.
    public var failed: [(unit: String, exitStatus: Int32, error: String)]
    public var missing: [String]
    /// Per task: estimated and measured seconds (the sum of its units' tool times).
    public var estimated: [Double]
    public var measured: [Double]

    public static func == (a: StepSummary, b: StepSummary) -> Bool {
        a.step == b.step && a.done == b.done && a.missing == b.missing && a.failed.map(\.unit) == b.failed.map(\.unit)
    }

    /// Array task indices with a unit neither done nor failed: what `--resume` resubmits.
    public var missingTasks: [Int] = []
}

/// A run's summary: each step's done, failed and missing units.
public struct RunSummary: Sendable {
    public var steps: [StepSummary]

    public var complete: Bool { steps.allSatisfy { $0.missing.isEmpty && $0.failed.isEmpty } }
    public var missing: Int { steps.reduce(0) { $0 + $1.missing.count } }
    public var failed: Int { steps.reduce(0) { $0 + $1.failed.count } }
}

/// The deterministic merge: `pipeline_summary.json` (every step's units in plan order, the
/// failures with their errors), one `<step>.jsonl` per step whose output is its stdout (each
/// unit's JSON on one line, in plan order), and `pipeline_timings.json` (estimates against
/// measured times).
public enum Merge {
    /// Reads the state of every unit without writing anything.
    public static func summarize(plan: WorkPlan, out: RunFolder) -> RunSummary {
        let runner = UnitRunner(plan: plan, run: out)
        var steps: [StepSummary] = []
        for step in plan.steps {
            var s = StepSummary(step: step.name, tool: step.tool, units: 0, done: [], failed: [], missing: [], estimated: step.estimatedSeconds, measured: [])
            for (t, units) in RunFolder.units(of: step, in: plan).enumerated() {
                var measured = 0.0
                var taskMissing = false
                for unit in units {
                    s.units += 1
                    let fm = FileManager.default
                    if let m = Records.read(DoneMarker.self, at: out.marker(step: step.name, unit: unit)),
                       m.toolVersion == runner.plan.tools[step.tool]?.version, fm.fileExists(atPath: out.output(step: step, unit: unit).path) {
                        s.done.append(unit)
                        measured += m.seconds
                    } else if let f = Records.read(FailureRecord.self, at: out.failure(step: step.name, unit: unit)) {
                        s.failed.append((unit, f.exitStatus, f.error))
                        measured += f.seconds
                    } else {
                        s.missing.append(unit)
                        taskMissing = true
                    }
                }
                s.measured.append(measured)
                if taskMissing { s.missingTasks.append(t) }
            }
            steps.append(s)
        }
        return RunSummary(steps: steps)
    }

    /// Summarises and writes the merged files.
    @discardableResult
    public static func run(plan: WorkPlan, out: RunFolder) throws(PipelineError) -> RunSummary {
        let summary = summarize(plan: plan, out: out)
        var stepRows: [JSONValue] = []
        for s in summary.steps {
            stepRows.append(.object([
                ("step", .string(s.step)), ("tool", .string(s.tool)), ("units", .int(s.units)), ("done", .int(s.done.count)),
                ("failed", .array(s.failed.map { .object([("unit", .string($0.unit)), ("exit_status", .int(Int($0.exitStatus))), ("error", .string($0.error))]) })),
                ("missing", .array(s.missing.map { .string($0) })),
            ]))
        }
        let document: JSONValue = .object([
            ("dataset_root", .string(plan.datasetRoot)), ("episodes", .int(plan.episodes.count)),
            ("complete", .bool(summary.complete)), ("steps", .array(stepRows)),
        ])
        try write(document.pythonJSON(indent: 2) + "\n", to: out.summary)
        for step in plan.steps where step.scope == .episode {
            guard let name = step.stdoutFile else { continue }
            var lines = ""
            for e in plan.episodes where summary.steps.first(where: { $0.step == step.name })?.done.contains(e.key) == true {
                let url = out.output(step: step, unit: e.key).appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: url.path) else { continue }
                let text = String(decoding: data, as: UTF8.self)
                if let json = try? JSONParser.parse(text) { lines += json.pythonJSON() + "\n" }
                else { throw .badInput(file: url.path, detail: "expected the step's JSON output, found text that does not parse; rerun the step") }
            }
            try write(lines, to: out.url.appendingPathComponent("\(step.name).jsonl"))
        }
        try writeTimings(plan: plan, summary: summary, out: out)
        return summary
    }

    static func writeTimings(plan: WorkPlan, summary: RunSummary, out: RunFolder) throws(PipelineError) {
        var rows: [JSONValue] = []
        for s in summary.steps {
            let est = s.estimated.reduce(0, +), got = s.measured.reduce(0, +)
            rows.append(.object([("step", .string(s.step)), ("tasks", .int(s.measured.count)),
                                 ("estimated_seconds", .double(est)), ("measured_seconds", .double(got)),
                                 ("measured_over_estimated", got > 0 && est > 0 ? .double(got / est) : .null),
                                 ("task_estimated_seconds", .array(s.estimated.map { .double($0) })),
                                 ("task_measured_seconds", .array(s.measured.map { .double($0) }))]))
        }
        try write(JSONValue.object([("steps", .array(rows))]).pythonJSON(indent: 2) + "\n", to: out.timings)
    }

    static func write(_ text: String, to url: URL) throws(PipelineError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(Data(text.utf8), to: url)
        } catch let e as OutputError { throw .cannotWrite(path: url.path, reason: e.reason) } catch {
            throw .cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}
