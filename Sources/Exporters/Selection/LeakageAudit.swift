import EpisodeIO
import Foundation
import XPCore

// The leakage audit (spec §5.3, §2.7): what the reference's validator checks (no episode or
// session in two splits, records carrying their episode's split, future pairs inside one split
// and episode), plus the label-space leak the reference keeps on purpose (test-only labels in
// the global option lists), which is a failure under the strict protocol and a note under the
// reference protocol.

/// How label-space leakage is judged.
public enum LeakageProtocol: String, Sendable, CaseIterable {
    /// The published behaviour: option lists built over every split; test-only labels are noted.
    case reference
    /// Option lists must not hold labels seen only in held-out records: a failure.
    case strict
}

/// One exported record (a window) as the audit sees it.
public struct LeakageRecord: Sendable, Hashable {
    public var id: String
    public var episodeKey: EpisodeKey
    /// The split written in the record.
    public var split: String
    public var startFrame: Int
    public var endFrame: Int
    /// The end of the record's future target, when it has one.
    public var futureEndFrame: Int?
    public var action: String?
    public var subtask: String?

    public init(id: String, episodeKey: EpisodeKey, split: String, startFrame: Int, endFrame: Int, futureEndFrame: Int? = nil,
                action: String? = nil, subtask: String? = nil) {
        self.id = id
        self.episodeKey = episodeKey
        self.split = split
        self.startFrame = startFrame
        self.endFrame = endFrame
        self.futureEndFrame = futureEndFrame
        self.action = action
        self.subtask = subtask
    }
}

/// Two records used together in training: a future target (`kind` "future") or a negative
/// pair (any other kind, e.g. "negative").
public struct LeakagePair: Sendable, Hashable {
    public var fromID: String
    public var toID: String
    public var kind: String

    public init(fromID: String, toID: String, kind: String) {
        self.fromID = fromID
        self.toID = toID
        self.kind = kind
    }

    /// The kind whose two records must share their episode as well as their split.
    public static let future = "future"
}

/// A check's outcome.
public enum LeakageStatus: String, Sendable {
    case pass, fail
    /// Not a failure: a known, accepted surface (or a check without its input), with a note.
    case noted
}

/// One check: its name, status, what it checks, and the offending items (at most
/// ``LeakageAudit/offendingCap`` listed, `offendingCount` in all).
public struct LeakageCheck: Sendable, Equatable {
    public var name: String
    public var status: LeakageStatus
    public var description: String
    public var note: String?
    public var offendingCount: Int
    public var offending: [JSONValue]

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("name", .string(name)), ("status", .string(status.rawValue)), ("description", .string(description)),
            ("offending_count", .int(offendingCount)), ("offending", .array(offending)),
        ]
        if let note { pairs.append(("note", .string(note))) }
        return .object(pairs)
    }
}

/// The audit of one split and, optionally, the records exported from it.
///
/// ```swift
/// let audit = LeakageAudit(split: assignment, records: records, pairs: pairs,
///                          actionOptions: actions, subtaskOptions: subtasks, protocol: .strict)
/// audit.passed                       // false when any check fails
/// try audit.write(to: out.appendingPathComponent("leakage_audit.json"))
/// ```
public struct LeakageAudit: Sendable {
    /// Offending items listed per check (the count has them all).
    public static let offendingCap = 20

    public var auditProtocol: LeakageProtocol
    public var checks: [LeakageCheck]
    public var episodeCount: Int
    public var sessionCount: Int
    public var recordCount: Int?
    public var pairCount: Int?

    /// True when no check failed.
    public var passed: Bool { !checks.contains { $0.status == .fail } }

    public func check(_ name: String) -> LeakageCheck? { checks.first { $0.name == name } }

    public init(split: EpisodeSplitAssignment, records: [LeakageRecord]? = nil, pairs: [LeakagePair]? = nil,
                actionOptions: [String]? = nil, subtaskOptions: [String]? = nil, protocol auditProtocol: LeakageProtocol = .reference) {
        self.auditProtocol = auditProtocol
        let entries = split.entries
        episodeCount = Set(entries.map(\.key)).count
        sessionCount = Set(entries.map(\.session)).count
        recordCount = records?.count
        pairCount = pairs?.count
        var checks: [LeakageCheck] = []
        func make(_ name: String, _ description: String, _ offending: [JSONValue], failing: Bool = true, note: String? = nil) -> LeakageCheck {
            LeakageCheck(name: name, status: offending.isEmpty ? .pass : (failing ? .fail : .noted), description: description, note: note,
                         offendingCount: offending.count, offending: Array(offending.prefix(Self.offendingCap)))
        }
        func notChecked(_ name: String, _ description: String, _ missing: String) -> LeakageCheck {
            LeakageCheck(name: name, status: .noted, description: description, note: "not checked: \(missing)", offendingCount: 0, offending: [])
        }
        func splitList(_ set: Set<String>) -> JSONValue { .array(SplitNames.ordered(set).map { .string($0) }) }

        // 1. Episodes in one split.
        var splitsOfKey: [EpisodeKey: Set<String>] = [:]
        for e in entries { splitsOfKey[e.key, default: []].insert(e.split) }
        let episodeLeaks = splitsOfKey.filter { $0.value.count > 1 }.keys.sorted()
            .map { JSONValue.object([("episode_key", .string($0.text)), ("splits", splitList(splitsOfKey[$0]!))]) }
        checks.append(make("episode_in_one_split", "no episode is assigned to two splits", episodeLeaks))

        // 2. Sessions in one split.
        var splitsOfSession: [String: Set<String>] = [:]
        for e in entries { splitsOfSession[e.session, default: []].insert(e.split) }
        let sessionLeaks = splitsOfSession.filter { $0.value.count > 1 }.keys.sorted(by: PythonNumbers.codePointLess)
            .map { JSONValue.object([("session", .string($0)), ("splits", splitList(splitsOfSession[$0]!))]) }
        checks.append(make("session_in_one_split", "no session has episodes in two splits", sessionLeaks))

        // 3. Records carry their episode's split.
        let recordDescription = "every record's split equals its episode's split"
        if let records {
            let leaks = records.compactMap { r -> JSONValue? in
                let expected = split.split(of: r.episodeKey)
                guard expected != r.split else { return nil }
                return .object([("id", .string(r.id)), ("episode_key", .string(r.episodeKey.text)), ("record_split", .string(r.split)),
                                ("episode_split", expected.map { .string($0) } ?? .null)])
            }
            checks.append(make("record_split_matches_episode", recordDescription, leaks))
        } else {
            checks.append(notChecked("record_split_matches_episode", recordDescription, "no exported records were supplied"))
        }

        // 4. Pairs stay inside one split (and future pairs inside one episode).
        let pairDescription = "no pair of records crosses splits, and no future target leaves its episode"
        if let pairs, let records {
            var byID: [String: LeakageRecord] = [:]
            for r in records where byID[r.id] == nil { byID[r.id] = r }
            let leaks = pairs.compactMap { p -> JSONValue? in
                guard let from = byID[p.fromID], let to = byID[p.toID] else {
                    return .object([("from_id", .string(p.fromID)), ("to_id", .string(p.toID)), ("kind", .string(p.kind)),
                                    ("reason", .string("references a record that was not supplied"))])
                }
                let crossesSplit = from.split != to.split
                let crossesEpisode = p.kind == LeakagePair.future && from.episodeKey != to.episodeKey
                guard crossesSplit || crossesEpisode else { return nil }
                return .object([("from_id", .string(p.fromID)), ("to_id", .string(p.toID)), ("kind", .string(p.kind)),
                                ("from_split", .string(from.split)), ("to_split", .string(to.split)),
                                ("from_episode", .string(from.episodeKey.text)), ("to_episode", .string(to.episodeKey.text)),
                                ("reason", .string(crossesSplit ? "crosses splits" : "future target in another episode"))])
            }
            checks.append(make("pairs_within_split", pairDescription, leaks))
        } else {
            checks.append(notChecked("pairs_within_split", pairDescription, pairs == nil ? "no record pairs were supplied" : "no exported records were supplied"))
        }

        // 5. Label space: option labels seen in test records and in no train record.
        for (field, options, label) in [("action", actionOptions, { (r: LeakageRecord) in r.action }),
                                        ("subtask", subtaskOptions, { (r: LeakageRecord) in r.subtask })] {
            let name = "no_test_only_\(field)_labels_in_options"
            let description = "no \(field) option appears only in test records (absent from every train record)"
            guard let options, let records else {
                checks.append(notChecked(name, description, options == nil ? "no \(field) option list was supplied" : "no exported records were supplied"))
                continue
            }
            var train = Set<String>(), test = Set<String>()
            for r in records {
                guard let l = label(r), l != "unknown" else { continue }
                if r.split == "train" { train.insert(l) } else if r.split == "test" { test.insert(l) }
            }
            let offending = Array(Set(options)).filter { test.contains($0) && !train.contains($0) }
                .sorted(by: PythonNumbers.codePointLess).map { JSONValue.string($0) }
            if auditProtocol == .strict {
                checks.append(make(name, description, offending))
            } else {
                let note = offending.isEmpty ? nil
                    : "\(offending.count) \(field) option\(offending.count == 1 ? "" : "s") of \(Set(options).count) occur only in test records; the published behaviour builds the option lists over all splits and keeps them (spec §2.7: label-space leakage, not content leakage)"
                checks.append(make(name, description, offending, failing: false, note: note))
            }
        }
        self.checks = checks
    }

    /// `leakage_audit.json`: version, protocol, status, counts, the checks in order.
    public var json: JSONValue {
        var counts: [(String, JSONValue)] = [("episodes", .int(episodeCount)), ("sessions", .int(sessionCount))]
        counts.append(("records", recordCount.map { .int($0) } ?? .null))
        counts.append(("pairs", pairCount.map { .int($0) } ?? .null))
        return .object([
            ("version", .int(1)),
            ("protocol", .string(auditProtocol.rawValue)),
            ("status", .string(passed ? "pass" : "fail")),
            ("counts", .object(counts)),
            ("failed_checks", .array(checks.filter { $0.status == .fail }.map { .string($0.name) })),
            ("checks", .array(checks.map(\.json))),
        ])
    }

    /// Writes `leakage_audit.json` atomically (`json.dumps(indent=2, ensure_ascii=False)`
    /// layout is not available with an indent, so `json.dumps(indent=2)`, and a newline).
    public func write(to url: URL) throws(OutputError) {
        try AtomicFile.write(Data((json.pythonJSON(indent: 2) + "\n").utf8), to: url)
    }
}

extension SplitNames {
    /// The names of `set`: train, val, test first, any other name after in code-point order.
    static func ordered(_ set: Set<String>) -> [String] {
        all.filter(set.contains) + set.subtracting(all).sorted(by: PythonNumbers.codePointLess)
    }
}
