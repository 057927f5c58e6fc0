import Foundation
import WindowAlign
import XPCore

/// The 7-key answer of one record (§2.2 `answer_json`) and its canonical training target.
public struct QwenAnswer: Sendable, Equatable {
    public var action: String
    public var subtask: String
    /// Every non-empty object string of the window's frames, `most_common()` order, not capped
    /// and not lowercased (the target caps and normalises; §9 #1).
    public var objects: [String]
    /// yes / no / unknown.
    public var contact: String
    /// yes / no.
    public var transition: String
    public var nextAction: String
    public var evidenceStart: Int
    public var evidenceEnd: Int

    /// `answer_json`, keys in the reference's order.
    public var json: JSONValue {
        .object([
            ("action", .string(action)), ("subtask", .string(subtask)), ("objects", .array(objects.map { .string($0) })),
            ("contact", .string(contact)), ("transition", .string(transition)), ("next_action", .string(nextAction)),
            ("evidence_window", .object([("start_frame", .int(evidenceStart)), ("end_frame", .int(evidenceEnd))])),
        ])
    }

    /// The answer of a window [start, endExclusive) (§2.2). `actions`/`subtasks` are the
    /// normalised per-frame labels, `objects` the per-frame caption objects, `contacts` the
    /// N × 21 contact values when stored. `windowSize` is W (the next-action span's length).
    public static func build(start: Int, endExclusive: Int, windowSize: Int, minLabelFraction: Double,
                             actions: [String], subtasks: [String], objects: [[String]], contacts: [Float]?) -> QwenAnswer {
        let n = actions.count
        let range = start..<min(endExclusive, n)
        let action = majorityLabel(actions[range], minFraction: minLabelFraction).label
        let subtask = majorityLabel(subtasks[range], minFraction: minLabelFraction).label
        var items: [String] = []
        for k in range where k < objects.count {
            for o in objects[k] { let s = o.trimmingPythonWhitespace(); if !s.isEmpty { items.append(s) } }
        }
        var contact = "unknown"
        if let contacts, contacts.count >= 21 {
            let rows = contacts.count / 21
            if start < rows {
                let hi = min(endExclusive, rows)
                contact = contacts[(start * 21)..<(hi * 21)].contains { $0 > 0 } ? "yes" : "no"
            }
        }
        let distinct = Set(actions[range].filter { !$0.isEmpty })
        let nextRange = endExclusive..<min(endExclusive + windowSize, n)
        let next = nextRange.isEmpty ? "" : majorityLabel(actions[nextRange], minFraction: minLabelFraction).label
        return QwenAnswer(action: action.isEmpty ? "unknown" : action, subtask: subtask.isEmpty ? "unknown" : subtask,
                          objects: mostCommon(items).map(\.0), contact: contact, transition: distinct.count > 1 ? "yes" : "no",
                          nextAction: next.isEmpty ? "unknown" : next, evidenceStart: start, evidenceEnd: endExclusive - 1)
    }

    /// The assistant target: the canonical answer as sorted compact JSON
    /// (`json.dumps(canonical_answer(a), ensure_ascii=False, sort_keys=True, separators=(",",":"))`).
    public var targetText: String { canonical.json.pythonJSON(.sortedCompact) }

    /// The answer as the target states it (§2.6 `canonical_answer`): labels normalised (empty →
    /// unknown), contact and transition lowercased, objects normalised, de-duplicated without
    /// case and capped at 8.
    public var canonical: QwenAnswer {
        var seen = Set<String>()
        var objs: [String] = []
        for o in objects {
            let s = Self.normalizeLabel(o)
            guard !s.isEmpty, seen.insert(s.lowercased()).inserted else { continue }
            objs.append(s)
            if objs.count == 8 { break }
        }
        func label(_ s: String) -> String { let t = Self.normalizeLabel(s); return t.isEmpty ? "unknown" : t }
        return QwenAnswer(action: label(action), subtask: label(subtask), objects: objs, contact: Self.normalizeLabel(contact).lowercased(),
                          transition: Self.normalizeLabel(transition).lowercased(), nextAction: label(nextAction),
                          evidenceStart: evidenceStart, evidenceEnd: evidenceEnd)
    }

    /// `normalize_label`: whitespace runs become one space, then the characters `` ` `` `'` `"`
    /// `.` and space are stripped from both ends.
    public static func normalizeLabel(_ s: String) -> String {
        let collapsed = s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        let strip: Set<Character> = ["`", "'", "\"", ".", " "]
        var scalars = Substring(collapsed)
        while let f = scalars.first, strip.contains(f) { scalars.removeFirst() }
        while let l = scalars.last, strip.contains(l) { scalars.removeLast() }
        return String(scalars)
    }

    /// Parses an `answer_json` object back (the inverse of ``json``); nil when a key is missing
    /// or of the wrong type.
    public init?(json: JSONValue) {
        guard let a = json["action"]?.stringValue, let s = json["subtask"]?.stringValue,
              let o = json["objects"]?.arrayValue, let c = json["contact"]?.stringValue,
              let t = json["transition"]?.stringValue, let nx = json["next_action"]?.stringValue,
              let ew = json["evidence_window"], let es = ew["start_frame"]?.numberValue, let ee = ew["end_frame"]?.numberValue
        else { return nil }
        self.init(action: a, subtask: s, objects: o.compactMap(\.stringValue), contact: c, transition: t, nextAction: nx,
                  evidenceStart: Int(es), evidenceEnd: Int(ee))
    }

    public init(action: String, subtask: String, objects: [String], contact: String, transition: String, nextAction: String,
                evidenceStart: Int, evidenceEnd: Int) {
        self.action = action
        self.subtask = subtask
        self.objects = objects
        self.contact = contact
        self.transition = transition
        self.nextAction = nextAction
        self.evidenceStart = evidenceStart
        self.evidenceEnd = evidenceEnd
    }
}

/// The per-episode cap (§2.2 `stratified_cap`): when there are more than `cap` windows, take
/// them round-robin over the action labels (labels in code-point order, each label's windows
/// earliest first) until `cap` are chosen; returns the chosen positions in ascending order.
/// `cap` ≤ 0 keeps every window.
public func stratifiedCap(labels: [String], cap: Int) -> [Int] {
    guard cap > 0, labels.count > cap else { return Array(labels.indices) }
    var buckets: [String: [Int]] = [:]
    for (i, l) in labels.enumerated() { buckets[l, default: []].append(i) }
    let order = buckets.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var cursor = [String: Int]()
    var chosen: [Int] = []
    while chosen.count < cap {
        var progressed = false
        for label in order {
            let k = cursor[label, default: 0]
            guard let bucket = buckets[label], k < bucket.count else { continue }
            chosen.append(bucket[k])
            cursor[label] = k + 1
            progressed = true
            if chosen.count == cap { break }
        }
        if !progressed { break }
    }
    return chosen.sorted()
}
