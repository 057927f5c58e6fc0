import EpisodeIO
import Foundation
import TaskContracts
import ToolSupport
import XPCore

/// Finds the episodes a path names: itself when it is an episode folder or a file, else every
/// folder below it (hidden ones skipped) that holds an `annotation.hdf5`, in path order.
enum EpisodeDiscovery {
    static func episodes(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ToolError("\(path): no such file or folder. Pass an episode folder, an annotation.hdf5 file or a dataset root.")
        }
        let root = URL(fileURLWithPath: path)
        if !isDirectory.boolValue || FileManager.default.fileExists(atPath: root.appendingPathComponent("annotation.hdf5").path) { return [path] }
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]) else {
            throw ToolError("\(path): the folder cannot be listed.")
        }
        var found: [String] = []
        for case let url as URL in walker where url.lastPathComponent == "annotation.hdf5" {
            found.append(url.deletingLastPathComponent().path)
        }
        guard !found.isEmpty else {
            throw ToolError("\(path): no annotation.hdf5 in this folder or below it. Pass an episode folder or a dataset root.")
        }
        return found.sorted()
    }
}

/// What a set of episode reports says together: findings by kind, episodes usable per task,
/// and per session.
struct DatasetSummary {
    struct Kind { var check: QualityCheck; var severity: QualitySeverity; var episodes: Int; var findings: Int }
    struct Session { var name: String; var episodes: Int; var withErrors: Int; var withWarnings: Int; var usableAllTasks: Int }

    var episodes: Int
    var bySeverity: [(QualitySeverity, Int)]
    var kinds: [Kind]
    var usablePerTask: [(TaskID, Int)]
    var sessions: [Session]

    init(reports: [EpisodeQualityReport], root: String) {
        episodes = reports.count
        bySeverity = QualitySeverity.allCases.reversed().map { s in (s, reports.filter { $0.worstSeverity == s }.count) }
        var kinds: [String: Kind] = [:]
        for report in reports {
            for (key, group) in Dictionary(grouping: report.findings, by: { "\($0.check.rawValue)|\($0.severity.rawValue)" }) {
                var k = kinds[key] ?? Kind(check: group[0].check, severity: group[0].severity, episodes: 0, findings: 0)
                k.episodes += 1
                k.findings += group.count
                kinds[key] = k
            }
        }
        self.kinds = kinds.values.sorted { a, b in a.severity != b.severity ? a.severity > b.severity : (a.episodes != b.episodes ? a.episodes > b.episodes : a.check < b.check) }
        func usable(_ report: EpisodeQualityReport, _ task: TaskID) -> Bool { task.blockingFindings(in: report.findings).isEmpty }
        usablePerTask = TaskID.allCases.map { task in (task, reports.filter { usable($0, task) }.count) }
        var sessions: [String: Session] = [:]
        for report in reports {
            let name = URL(fileURLWithPath: report.episode).deletingLastPathComponent().lastPathComponent
            var s = sessions[name] ?? Session(name: name, episodes: 0, withErrors: 0, withWarnings: 0, usableAllTasks: 0)
            s.episodes += 1
            if report.worstSeverity == .error { s.withErrors += 1 }
            if report.worstSeverity == .warning { s.withWarnings += 1 }
            if TaskID.allCases.allSatisfy({ usable(report, $0) }) { s.usableAllTasks += 1 }
            sessions[name] = s
        }
        self.sessions = sessions.values.sorted { $0.name < $1.name }
    }

    var json: JSONValue {
        .object([
            ("episodes", .int(Int64(episodes))),
            ("episodes_by_worst_severity", .object(bySeverity.map { ($0.0.rawValue, .int(Int64($0.1))) } + [("clean", .int(Int64(episodes - bySeverity.map(\.1).reduce(0, +))))])),
            ("by_check", .array(kinds.map { .object([("check", .string($0.check.rawValue)), ("severity", .string($0.severity.rawValue)),
                                                     ("episodes", .int(Int64($0.episodes))), ("findings", .int(Int64($0.findings)))]) })),
            ("usable_per_task", .object(usablePerTask.map { ($0.0.rawValue, .int(Int64($0.1))) })),
            ("sessions", .array(sessions.map { .object([("session", .string($0.name)), ("episodes", .int(Int64($0.episodes))),
                                                        ("with_errors", .int(Int64($0.withErrors))), ("with_warnings", .int(Int64($0.withWarnings))),
                                                        ("usable_for_every_task", .int(Int64($0.usableAllTasks)))]) })),
        ])
    }

    var lines: [String] {
        var out = ["Summary  \(episodes) episodes: " + bySeverity.map { "\($0.1) with \($0.0.rawValue)s" }.joined(separator: ", ")]
        out.append("Findings by kind")
        for k in kinds {
            out.append("  " + k.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + k.check.rawValue.padding(toLength: 32, withPad: " ", startingAt: 0)
                       + "\(k.episodes) episodes, \(k.findings) findings")
        }
        out.append("Episodes usable per task")
        for (task, n) in usablePerTask { out.append("  " + task.rawValue.padding(toLength: 28, withPad: " ", startingAt: 0) + "\(n)/\(episodes)") }
        out.append("Sessions")
        for s in sessions {
            out.append("  " + s.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                       + "\(s.episodes) episodes, \(s.withErrors) with errors, \(s.withWarnings) with warnings, \(s.usableAllTasks) usable for every task")
        }
        return out
    }
}
