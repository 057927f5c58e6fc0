import Foundation
import XPCore

/// An `xp-suite` run folder: `summary_report.json`, and per task and head its folder
/// (`<task>/` for the minimal head, `neural_mlp/<task>/` for the neural head) with
/// `metrics.json`, `predictions.csv`, `per_class_metrics.csv`, `confusion_matrix.csv`, ….
public struct SuiteRun: Sendable {
    public var root: URL
    public var summary: JSONValue
    /// `strict` or `reference` (`summary_report.json` `protocol`; reference when absent, as
    /// the reference's own files carry no protocol).
    public var suiteProtocol: String
    /// The heads present, in order (`minimal`, `neural`).
    public var heads: [String]
    /// The task ids in the summary's order.
    public var tasks: [String]
    /// Scores by head then task.
    public var scores: [String: [ReportedScore]]

    public var isStrict: Bool { suiteProtocol == "strict" }

    /// The folder of one head's task.
    public func folder(head: String, task: String) -> URL {
        head == "minimal" ? root.appendingPathComponent(task) : root.appendingPathComponent("neural_mlp").appendingPathComponent(task)
    }

    /// Reads the run; per-task `metrics.json` files win over the summary's copies (they carry
    /// the strict-II keys), and a missing one falls back to the summary entry.
    public static func read(_ root: URL) throws(ReportError) -> SuiteRun {
        let summaryURL = root.appendingPathComponent("summary_report.json")
        guard let summary = try readJSONFile(summaryURL), summary.objectValue != nil else {
            throw .unreadable(path: summaryURL.path, line: nil, expected: "a JSON object (summary_report.json)", found: "something else")
        }
        let p = summary["protocol"]?.stringValue ?? "reference"
        var run = SuiteRun(root: root, summary: summary, suiteProtocol: p, heads: [], tasks: [], scores: [:])
        for (head, key) in [("minimal", "tasks"), ("neural", "neural_tasks")] {
            guard let entries = summary[key]?.objectValue else { continue }
            run.heads.append(head)
            var list: [ReportedScore] = []
            for (task, entry) in entries {
                if !run.tasks.contains(task) { run.tasks.append(task) }
                let file = run.folder(head: head, task: task).appendingPathComponent("metrics.json")
                let metrics = (try? readJSONFile(file)).flatMap { $0 } ?? entry
                list.append(ReportedScore(task: task, head: head, metrics: metrics, strict: run.isStrict))
            }
            run.scores[head] = list
        }
        // Suite order, unknown ids after the known ones in their own order.
        let known = SuiteTasks.order.map(\.id)
        run.tasks = known.filter(run.tasks.contains) + run.tasks.filter { !known.contains($0) }
        for head in run.heads {
            run.scores[head] = run.tasks.compactMap { t in run.scores[head]?.first { $0.task == t } }
        }
        return run
    }

    /// The score of one head's task.
    public func score(head: String, task: String) -> ReportedScore? { scores[head]?.first { $0.task == task } }
}
