// Generated JSON answers (a fine-tuned language model's predictions for the episode-
// understanding export): parsing with the evaluator's recovery rules, label normalisation and
// matching, object sets and Python value equality. Scoring is in GeneratedAnswerScoring.swift.
// Every rule is the reference's (`qwen3_omni_dataset_utils.py`), on code points as Python
// works; see Docs/eval-json.md.

import XPCore

/// A parsed answer object: values by key (a repeated key keeps its last value, as
/// `json.loads` does).
public typealias JSONObject = [String: JSONValue]

/// The seven keys a valid answer object must contain.
public let requiredAnswerKeys = ["action", "subtask", "objects", "contact", "transition", "next_action", "evidence_window"]

/// Parses a generated answer as the evaluator does (`parse_answer_json`) and keeps the parsed
/// object as Python would hold it (keys in first-appearance order, each once with its last
/// value), for writing `pred_json` back:
///
/// 1. Strip whitespace (Python's `str.strip`). If the text starts with three backticks, remove
///    a leading "```" with an optional "json" in any case, strip, remove a trailing "```",
///    strip again.
/// 2. `json.loads` the whole text (``PythonJSON``).
/// 3. If that fails, `json.loads` the span from the first `{` to the last `}` after it (the
///    greedy DOTALL `\{.*\}` search); if there is none or it fails too, the result is empty.
/// 4. A parsed value that is not an object gives an empty result.
///
/// - Returns: an `.object` (empty when nothing parsed).
public func parseAnswerValue(_ raw: String) -> JSONValue {
    var text = pythonStrip(raw)
    if text.hasPrefix("```") {
        text = pythonStrip(String(text.unicodeScalars.dropFirst(3 + jsonTagLength(text.unicodeScalars.dropFirst(3)))))
        if text.utf8.count >= 3, text.utf8.suffix(3).elementsEqual("```".utf8) {
            text = pythonStrip(String(decoding: text.utf8.dropLast(3), as: UTF8.self))
        }
    }
    let parsed: JSONValue? = text.withUTF8 { bytes in
        if let whole = PythonJSON.loads(bytes: bytes) { return whole }
        guard let open = bytes.firstIndex(of: UInt8(ascii: "{")), let close = bytes.lastIndex(of: UInt8(ascii: "}")), open < close else { return nil }
        return PythonJSON.loads(bytes: UnsafeBufferPointer(rebasing: bytes[open...close]))
    }
    if case .object? = parsed, let parsed { return parsed }
    return .object([])
}

/// The length of a leading "json" matched case-insensitively as Python's `re.IGNORECASE`
/// does (`ſ`, U+017F, folds to `s`), or 0.
func jsonTagLength(_ s: Substring.UnicodeScalarView) -> Int {
    let allowed: [Set<UInt32>] = [[0x6A, 0x4A], [0x73, 0x53, 0x17F], [0x6F, 0x4F], [0x6E, 0x4E]]
    var i = s.startIndex
    for set in allowed {
        guard i < s.endIndex, set.contains(s[i].value) else { return 0 }
        i = s.index(after: i)
    }
    return 4
}

/// ``parseAnswerValue(_:)`` as a dictionary (empty when nothing parsed).
public func parseAnswerJSON(_ raw: String) -> JSONObject {
    parseAnswerValue(raw).dictionaryValue ?? [:]
}

/// The evaluator's `normalize_label`: strip, collapse each whitespace run to one space, then
/// strip backticks, quotes, periods and spaces from both ends (code points, Python's
/// whitespace).
public func normalizeLabel(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    var inSpace = false
    for s in pythonStrip(text).unicodeScalars {
        if pythonIsSpace(s) {
            if !inSpace { out.append(" ") }
            inSpace = true
        } else {
            out.append(s)
            inSpace = false
        }
    }
    return pythonStrip(String(out)) { $0 == "`" || $0 == "'" || $0 == "\"" || $0 == "." || $0 == " " }
}

/// The evaluator's `match_label` over a fixed option list, prepared once:
/// 1. normalise the prediction; 2. an exact (code-point) option wins; 3. else the option
/// equal to it after `lower()`, the **last** such option when several are (the reference
/// builds `{label.lower(): label}`); 4. else the first option in list order whose lowercase
/// form is a substring of the lowercased prediction (an empty option is in every text, as
/// in Python); 5. else the normalised prediction itself.
public struct LabelMatcher: Sendable {
    public let options: [String]
    let exact: Set<CodePoints>
    let byLower: [CodePoints: String]
    let lowerBytes: [[UInt8]]
    /// Per option, a 64-bit set of its byte pairs: an option with a pair the text lacks
    /// cannot be a substring of it, which skips most options without a search.
    let pairMasks: [UInt64]

    /// The byte pairs of `bytes` folded into 64 bits.
    static func pairMask<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8, C.Index == Int {
        var mask: UInt64 = 0
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex {
            mask |= 1 << ((UInt64(bytes[i]) &* 31 &+ UInt64(bytes[i + 1])) & 63)
            i += 1
        }
        return mask
    }

    public init(options: [String]) {
        self.options = options
        exact = Set(options.map(CodePoints.init))
        var byLower: [CodePoints: String] = [:]
        var lowerBytes: [[UInt8]] = []
        lowerBytes.reserveCapacity(options.count)
        for o in options {
            let l = pythonLower(o)
            byLower[CodePoints(l)] = o
            lowerBytes.append(Array(l.utf8))
        }
        self.byLower = byLower
        self.lowerBytes = lowerBytes
        pairMasks = lowerBytes.map { Self.pairMask($0) }
    }

    /// The option `prediction` maps to, or the normalised prediction.
    public func match(_ prediction: String) -> String {
        let normalised = normalizeLabel(prediction)
        if exact.contains(CodePoints(normalised)) { return normalised }
        let lower = pythonLower(normalised)
        if let equal = byLower[CodePoints(lower)] { return equal }
        var text = lower
        let hit: Int? = text.withUTF8 { hay in
            let hayMask = Self.pairMask(hay)
            for (i, needle) in lowerBytes.enumerated() {
                if needle.isEmpty { return i }
                if needle.count > hay.count || pairMasks[i] & ~hayMask != 0 { continue }
                if needle.withUnsafeBufferPointer({ contains(hay, $0) }) { return i }
            }
            return nil
        }
        if let hit { return options[hit] }
        return normalised
    }
}

/// Whether `needle` (non-empty) occurs in `hay`: a first-byte scan, then a compare. UTF-8
/// substring search equals code-point substring search (no code point's encoding starts
/// inside another's).
@inline(__always)
func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
    let m = needle.count, last = hay.count - m
    guard m > 0, last >= 0 else { return m == 0 }
    let first = needle[0]
    var i = 0
    while i <= last {
        if hay[i] == first {
            var j = 1
            while j < m, hay[i + j] == needle[j] { j += 1 }
            if j == m { return true }
        }
        i += 1
    }
    return false
}

/// `match_label(prediction, options)`; prepare a ``LabelMatcher`` to match many.
public func matchLabel(_ prediction: String, options: [String]) -> String {
    LabelMatcher(options: options).match(prediction)
}

/// How an answer's `objects` value becomes a set of names.
public enum ObjectRule: String, Sendable, CaseIterable {
    /// Python's `set(value or [])`, mirrored deliberately: a list gives its elements (values
    /// equal in Python, such as `1`, `1.0` and `true`, are one element), a string its
    /// characters (code points), an object its keys; a falsy value (null, false, 0, "", [],
    /// {}) nothing. Where Python raises (a non-zero number or `true`), the set is empty.
    case reference
    /// Coerced: a list stays (non-string elements by their Python `str`), a string is one
    /// object, anything else is no object.
    case strict
}

/// The set of object names of an answer's `objects` value under `rule`, as code-point keys.
/// With `foldNames` (the strict block), names are stripped and lowercased and empty ones
/// dropped.
public func objectSet(_ value: JSONValue?, rule: ObjectRule, foldNames: Bool = false) -> Set<CodePoints> {
    func fold(_ s: String) -> String? {
        guard foldNames else { return s }
        let f = pythonLower(pythonStrip(s))
        return f.isEmpty ? nil : f
    }
    switch rule {
    case .strict:
        switch value {
        case .array(let items)?: return Set(items.compactMap { fold($0.pythonString) }.map(CodePoints.init))
        case .string(let s)?: return Set([fold(s)].compactMap { $0 }.map(CodePoints.init))
        default: return []
        }
    case .reference:
        switch value {
        case .array(let items)?: return Set(items.map { CodePoints(pythonSetKey($0)) })
        case .string(let s)?: return Set(s.unicodeScalars.map { CodePoints("s" + String($0)) })
        case .object(let pairs)?: return Set(pairs.map { CodePoints("s" + $0.0) })
        default: return []
        }
    }
}

/// A key equal for values Python's set would merge: strings by text, numbers and booleans by
/// value (`True == 1 == 1.0`), None, and containers by their repr (Python cannot hash them).
func pythonSetKey(_ v: JSONValue) -> String {
    switch v {
    case .string(let s): return "s" + s
    case .bool(let b): return "n" + (b ? "1.0" : "0.0")
    case .int(let i): return "n" + (Double(exactly: i).map { pythonFloatRepr($0 == 0 ? 0 : $0) } ?? String(i))
    case .double(let d): return "n" + pythonFloatRepr(d == 0 ? 0 : d)
    case .null: return "z"
    case .array, .object: return "r" + v.pythonRepr
    }
}

/// Python's `==` between two values as `dict.get` returns them: a missing key is `None`, so
/// it equals JSON null and another missing key; booleans equal the numbers 0 and 1; strings
/// compare by code point; lists element by element; dicts by key set and values. NaN equals
/// nothing.
public func pythonEqual(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
    let x = a ?? .null, y = b ?? .null
    func number(_ v: JSONValue) -> (int: Int64?, double: Double)? {
        switch v {
        case .bool(let b): return (b ? 1 : 0, b ? 1 : 0)
        case .int(let i): return (i, Double(i))
        case .double(let d): return (nil, d)
        default: return nil
        }
    }
    switch (x, y) {
    case (.null, .null): return true
    case (.string(let s), .string(let t)): return s.utf8.elementsEqual(t.utf8)
    case (.array(let s), .array(let t)): return s.count == t.count && zip(s, t).allSatisfy { pythonEqual($0, $1) }
    case (.object, .object):
        guard let s = x.dictionaryValue, let t = y.dictionaryValue, s.count == t.count else { return false }
        return s.allSatisfy { key, value in t[key].map { pythonEqual(value, $0) } ?? false }
    default:
        guard let p = number(x), let q = number(y) else { return false }
        if let i = p.int, let j = q.int { return i == j }
        // An int against a float compares exactly, as Python does.
        if let i = p.int { return Double(exactly: i).map { $0 == q.double } ?? false }
        if let j = q.int { return Double(exactly: j).map { $0 == p.double } ?? false }
        return p.double == q.double
    }
}
