// Scoring of generated JSON answers (a fine-tuned language model's predictions for the
// episode-understanding export): parsing with the evaluator's recovery rules, label matching,
// validity rate and per-field metrics.

import Foundation
import XPCore

/// A parsed answer object: XPCore's `JSONValue`s by key (a repeated key keeps its last value,
/// as `json.loads` does). Values compare as Python's do: `1 == 1.0`, objects regardless of key
/// order; unlike Python, `true` does not equal `1`.
public typealias JSONObject = [String: JSONValue]

/// The seven keys a valid answer object must contain.
public let requiredAnswerKeys = ["action", "subtask", "objects", "contact", "transition", "next_action", "evidence_window"]

/// Decodes `text` as JSON (XPCore's parser, which like Python's `json.loads` also reads `NaN`
/// and `Infinity`); nil when it is not valid JSON.
func decodeJSON(_ text: String) -> JSONValue? {
    try? JSONParser.parse(text)
}

/// Parses a generated answer the way the evaluator does (`parse_answer_json`):
///
/// 1. Strip whitespace. If the text starts with three backticks, remove a leading
///    "```json" (any case) or "```" and a trailing "```", then strip again.
/// 2. Parse the whole text as JSON.
/// 3. If that fails, parse the span from the first `{` to the last `}` (the greedy
///    `\{.*\}` match); if that fails too, the result is empty.
/// 4. A parsed value that is not an object gives an empty result.
public func parseAnswerJSON(_ raw: String) -> JSONObject {
    var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    if text.hasPrefix("```") {
        if text.count >= 7, text.prefix(7).lowercased() == "```json" {
            text.removeFirst(7)
        } else {
            text.removeFirst(3)
        }
        if text.hasSuffix("```") { text.removeLast(3) }
        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    let parsed: JSONValue?
    if let whole = decodeJSON(text) {
        parsed = whole
    } else if let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close {
        parsed = decodeJSON(String(text[open...close]))
    } else {
        parsed = nil
    }
    return parsed?.dictionaryValue ?? [:]
}

/// The evaluator's `normalize_label`: collapse whitespace runs to one space, then strip
/// backticks, quotes, periods and spaces from both ends.
public func normalizeLabel(_ text: String) -> String {
    let collapsed = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    let trimSet: Set<Character> = ["`", "'", "\"", ".", " "]
    guard let first = collapsed.firstIndex(where: { !trimSet.contains($0) }),
          let last = collapsed.lastIndex(where: { !trimSet.contains($0) }) else { return "" }
    return String(collapsed[first...last])
}

/// Maps a free-text prediction onto a label option (`match_label`):
/// 1. normalise it; 2. an exact option wins; 3. else the first option equal to it ignoring
/// case; 4. else the first option (in list order) whose lowercase form is a substring of the
/// lowercased prediction; 5. else the normalised prediction itself.
public func matchLabel(_ prediction: String, options: [String]) -> String {
    let normalised = normalizeLabel(prediction)
    if options.contains(normalised) { return normalised }
    let lower = normalised.lowercased()
    if let equal = options.first(where: { $0.lowercased() == lower }) { return equal }
    if let contained = options.first(where: { !$0.isEmpty && lower.contains($0.lowercased()) }) { return contained }
    return normalised
}

/// One generated answer to score: the model's raw text and the record's true answer object.
public struct GeneratedAnswer: Sendable {
    public var raw: String
    public var truth: JSONObject

    public init(raw: String, truth: JSONObject) {
        self.raw = raw
        self.truth = truth
    }
}

/// The per-row outcome (the evaluator's prediction row fields).
public struct ScoredGeneratedAnswer: Codable, Equatable, Sendable {
    /// The parsed answer (empty when nothing parsed).
    public var predJSON: JSONObject
    /// `truth["action"]`.
    public var trueLabel: String
    /// `matchLabel` of the predicted action, or of the whole raw text when the key is missing.
    public var predictedLabel: String
    public var correct: Bool
    public var trueLabelSeenInTrain: Bool
    /// Whether the parsed object holds all seven required keys.
    public var validJSON: Bool

    enum CodingKeys: String, CodingKey {
        case predJSON = "pred_json"
        case trueLabel = "true_label"
        case predictedLabel = "predicted_label"
        case correct
        case trueLabelSeenInTrain = "true_label_seen_in_train"
        case validJSON = "valid_json"
    }
}

/// Label counts in order of first appearance, encoded as a JSON object `{label: count}`.
/// `entries` keep the order; the key order in the JSON text is the encoder's (set
/// `.sortedKeys` on `JSONEncoder` for byte-stable files).
public struct OrderedCounts: Codable, Equatable, Sendable {
    public var entries: [(label: String, count: Int)]

    public static func == (a: OrderedCounts, b: OrderedCounts) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.label == $1.label && $0.count == $1.count }
    }

    init(_ labels: [String]) {
        var index: [String: Int] = [:]
        var entries: [(label: String, count: Int)] = []
        for l in labels {
            if let i = index[l] { entries[i].count += 1 } else { index[l] = entries.count; entries.append((l, 1)) }
        }
        self.entries = entries
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for e in entries { try c.encode(e.count, forKey: Key(stringValue: e.label)) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        entries = try c.allKeys.map { ($0.stringValue, try c.decode(Int.self, forKey: $0)) }
    }
}

/// Metrics of a set of generated answers. JSON keys follow the evaluator's `metrics.json`;
/// undefined values are null. Run metadata (episode counts, coverage) belongs to the caller.
public struct GeneratedAnswerMetrics: Codable, Equatable, Sendable {
    public var numSamples: Int
    /// Fraction of rows whose parsed object holds all seven keys (values unchecked); 0 for no rows.
    public var jsonValidityRate: Double
    /// Action accuracy after label matching.
    public var accuracy: Double?
    /// Action macro F1 over every label in `labels` (zero-support labels count as 0).
    public var macroF1: Double?
    /// Exact, case-sensitive field accuracy over rows whose true value is not "unknown".
    public var subtaskAccuracy: Double?
    public var transitionAccuracy: Double?
    public var nextActionAccuracy: Double?
    public var contactAccuracy: Double?
    /// Micro F1 of the object sets over all rows; null when tp + fp + fn = 0.
    public var objectMicroF1: Double?
    /// The label list of the action confusion matrix: the options, then unseen labels.
    public var labels: [String]
    /// Code-point-sorted true action labels that never occur in train.
    public var unseenEvalLabels: [String]
    public var numUnseenLabelSamples: Int
    public var seenLabelAccuracy: Double?
    public var unseenLabelAccuracy: Double?
    public var evalLabelCounts: OrderedCounts

    enum CodingKeys: String, CodingKey {
        case numSamples = "num_samples"
        case jsonValidityRate = "json_validity_rate"
        case accuracy
        case macroF1 = "macro_f1"
        case actionMacroF1 = "action_macro_f1"
        case subtaskAccuracy = "subtask_accuracy"
        case transitionAccuracy = "transition_accuracy"
        case nextActionAccuracy = "next_action_accuracy"
        case contactAccuracy = "contact_accuracy"
        case objectMicroF1 = "object_micro_f1"
        case labels
        case unseenEvalLabels = "unseen_eval_labels"
        case numUnseenLabelSamples = "num_unseen_label_samples"
        case seenLabelAccuracy = "seen_label_accuracy"
        case unseenLabelAccuracy = "unseen_label_accuracy"
        case evalLabelCounts = "eval_label_counts"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        numSamples = try c.decode(Int.self, forKey: .numSamples)
        jsonValidityRate = try c.decode(Double.self, forKey: .jsonValidityRate)
        accuracy = try c.decodeIfPresent(Double.self, forKey: .accuracy)
        macroF1 = try c.decodeIfPresent(Double.self, forKey: .macroF1)
        subtaskAccuracy = try c.decodeIfPresent(Double.self, forKey: .subtaskAccuracy)
        transitionAccuracy = try c.decodeIfPresent(Double.self, forKey: .transitionAccuracy)
        nextActionAccuracy = try c.decodeIfPresent(Double.self, forKey: .nextActionAccuracy)
        contactAccuracy = try c.decodeIfPresent(Double.self, forKey: .contactAccuracy)
        objectMicroF1 = try c.decodeIfPresent(Double.self, forKey: .objectMicroF1)
        labels = try c.decode([String].self, forKey: .labels)
        unseenEvalLabels = try c.decode([String].self, forKey: .unseenEvalLabels)
        numUnseenLabelSamples = try c.decode(Int.self, forKey: .numUnseenLabelSamples)
        seenLabelAccuracy = try c.decodeIfPresent(Double.self, forKey: .seenLabelAccuracy)
        unseenLabelAccuracy = try c.decodeIfPresent(Double.self, forKey: .unseenLabelAccuracy)
        evalLabelCounts = try c.decode(OrderedCounts.self, forKey: .evalLabelCounts)
    }

    init(numSamples: Int, jsonValidityRate: Double, labels: [String], unseenEvalLabels: [String],
         numUnseenLabelSamples: Int, evalLabelCounts: OrderedCounts) {
        self.numSamples = numSamples
        self.jsonValidityRate = jsonValidityRate
        self.labels = labels
        self.unseenEvalLabels = unseenEvalLabels
        self.numUnseenLabelSamples = numUnseenLabelSamples
        self.evalLabelCounts = evalLabelCounts
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(numSamples, forKey: .numSamples)
        try c.encode(jsonValidityRate, forKey: .jsonValidityRate)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(macroF1, forKey: .macroF1)
        try c.encode(macroF1, forKey: .actionMacroF1)
        try c.encode(subtaskAccuracy, forKey: .subtaskAccuracy)
        try c.encode(transitionAccuracy, forKey: .transitionAccuracy)
        try c.encode(nextActionAccuracy, forKey: .nextActionAccuracy)
        try c.encode(contactAccuracy, forKey: .contactAccuracy)
        try c.encode(objectMicroF1, forKey: .objectMicroF1)
        try c.encode(labels, forKey: .labels)
        try c.encode(unseenEvalLabels, forKey: .unseenEvalLabels)
        try c.encode(numUnseenLabelSamples, forKey: .numUnseenLabelSamples)
        try c.encode(seenLabelAccuracy, forKey: .seenLabelAccuracy)
        try c.encode(unseenLabelAccuracy, forKey: .unseenLabelAccuracy)
        try c.encode(evalLabelCounts, forKey: .evalLabelCounts)
    }
}

/// Everything `scoreGeneratedAnswers` computes.
public struct GeneratedAnswerReport: Sendable {
    public var metrics: GeneratedAnswerMetrics
    public var rows: [ScoredGeneratedAnswer]
    /// The action classification over `metrics.labels` (per-class table and confusion
    /// matrix); nil when there are no rows.
    public var actionClassification: ClassificationReport?
}

/// The set of object names of an answer's `objects` field. A list contributes its string
/// elements (other elements by their `pythonString`); a single string counts as one object
/// (Python would split it into characters, which is never what an answer means); anything
/// else is the empty set.
func objectSet(_ value: JSONValue?) -> Set<String> {
    switch value {
    case let .array(items)?: return Set(items.map { $0.stringValue ?? $0.pythonString })
    case let .string(s)? where !s.isEmpty: return [s]
    default: return []
    }
}

/// Scores generated answers against their records.
///
/// - Parameters:
///   - answers: the evaluation rows in file order.
///   - labelOptions: the action option list (code-point sorted, as exported).
///   - trainActions: the action labels that occur in the training split.
public func scoreGeneratedAnswers(
    _ answers: [GeneratedAnswer], labelOptions: [String], trainActions: Set<String>
) -> GeneratedAnswerReport {
    var rows: [ScoredGeneratedAnswer] = []
    rows.reserveCapacity(answers.count)
    for a in answers {
        let pred = parseAnswerJSON(a.raw)
        let trueLabel = a.truth["action"].map { $0.stringValue ?? $0.pythonString } ?? "unknown"
        let predictedText = pred["action"].map { $0.stringValue ?? $0.pythonString } ?? a.raw
        let predicted = matchLabel(predictedText, options: labelOptions)
        rows.append(ScoredGeneratedAnswer(
            predJSON: pred, trueLabel: trueLabel, predictedLabel: predicted,
            correct: predicted == trueLabel, trueLabelSeenInTrain: trainActions.contains(trueLabel),
            validJSON: requiredAnswerKeys.allSatisfy { pred[$0] != nil }))
    }
    let n = rows.count
    let truths = rows.map(\.trueLabel), preds = rows.map(\.predictedLabel)

    // Label list: the options, then labels seen only in the truth or predictions, in order
    // of appearance over truth followed by predictions.
    var labels = labelOptions
    var known = Set(labelOptions)
    for l in truths + preds where !known.contains(l) {
        known.insert(l)
        labels.append(l)
    }
    let unseen = Set(truths).subtracting(trainActions).sorted(by: codePointLess)
    var metrics = GeneratedAnswerMetrics(
        numSamples: n,
        jsonValidityRate: n > 0 ? Double(rows.filter(\.validJSON).count) / Double(n) : 0,
        labels: labels, unseenEvalLabels: unseen,
        numUnseenLabelSamples: rows.filter { !$0.trueLabelSeenInTrain }.count,
        evalLabelCounts: OrderedCounts(truths))

    var classification: ClassificationReport?
    if n > 0 {
        var index: [String: Int] = [:]
        for (i, l) in labels.enumerated() where index[l] == nil { index[l] = i }
        // Every truth and prediction is in `labels` by construction.
        let t = truths.map { index[$0] ?? 0 }, p = preds.map { index[$0] ?? 0 }
        classification = try? classificationMetrics(truth: t, predicted: p, classNames: labels, macroAverage: .allClasses)
        metrics.accuracy = classification?.metrics.accuracy
        metrics.macroF1 = classification?.metrics.macroF1
    }

    func fieldAccuracy(_ field: String) -> Double? {
        var total = 0, hits = 0
        for (a, r) in zip(answers, rows) {
            guard let truth = a.truth[field], truth != .string("unknown") else { continue }
            total += 1
            if r.predJSON[field] == truth { hits += 1 }
        }
        return total > 0 ? Double(hits) / Double(total) : nil
    }
    metrics.subtaskAccuracy = fieldAccuracy("subtask")
    metrics.transitionAccuracy = fieldAccuracy("transition")
    metrics.nextActionAccuracy = fieldAccuracy("next_action")
    metrics.contactAccuracy = fieldAccuracy("contact")

    var tp = 0, fp = 0, fn = 0
    for (a, r) in zip(answers, rows) {
        let t = objectSet(a.truth["objects"]), p = objectSet(r.predJSON["objects"])
        tp += t.intersection(p).count
        fp += p.subtracting(t).count
        fn += t.subtracting(p).count
    }
    if tp + fp + fn > 0 {
        metrics.objectMicroF1 = harmonicF1(ratioOrZero(tp, tp + fp), ratioOrZero(tp, tp + fn))
    }

    let seen = rows.filter(\.trueLabelSeenInTrain), unseenRows = rows.filter { !$0.trueLabelSeenInTrain }
    metrics.seenLabelAccuracy = seen.isEmpty ? nil : Double(seen.filter(\.correct).count) / Double(seen.count)
    metrics.unseenLabelAccuracy = unseenRows.isEmpty ? nil : Double(unseenRows.filter(\.correct).count) / Double(unseenRows.count)
    return GeneratedAnswerReport(metrics: metrics, rows: rows, actionClassification: classification)
}
