// Scoring a set of generated answers against their records: the evaluator's prediction rows
// and `metrics.json` numbers (`eval_qwen3_omni_lora.py`, `merge_qwen3_omni_eval_shards.py`),
// bit for bit, plus the supported-class macro F1 labelled apart from the published one.

import XPCore

/// One generated answer to score: the model's raw text and the record's true answer.
public struct GeneratedAnswer: Sendable {
    public var raw: String
    /// The record's `answer_json`.
    public var truth: JSONObject
    /// The record's `label` (the true label when `answer_json` has no `action`, and the key
    /// `eval_label_counts` counts by, as the reference's `label_counts` does).
    public var label: String?
    /// Whether the true label occurs in train, when known row by row (re-scoring a package);
    /// nil to decide it from the train actions.
    public var seenInTrain: Bool?
    /// This row's own action options, when they differ from the shared list (the reference
    /// matches each row against its record's `action_options`).
    public var options: [String]?

    public init(raw: String, truth: JSONObject, label: String? = nil, seenInTrain: Bool? = nil, options: [String]? = nil) {
        self.raw = raw
        self.truth = truth
        self.label = label
        self.seenInTrain = seenInTrain
        self.options = options
    }

    /// `answer_json.action`, else the record's `label`, else "unknown"; a non-string action
    /// by its Python `str`.
    public var trueLabel: String {
        if let a = truth["action"] { return a.pythonString }
        return label ?? "unknown"
    }
}

/// The per-row outcome (the evaluator's prediction row fields).
public struct ScoredGeneratedAnswer: Sendable {
    /// The parsed answer as Python holds it (an object, empty when nothing parsed).
    public var predValue: JSONValue
    public var predJSON: JSONObject
    /// ``GeneratedAnswer/trueLabel``.
    public var trueLabel: String
    /// `match_label(str(pred_json.get("action", raw)), options)`: the whole raw text is
    /// matched when the key is missing.
    public var predictedLabel: String
    public var correct: Bool
    public var trueLabelSeenInTrain: Bool
    /// Whether the parsed object holds all seven required keys (values unchecked).
    public var validJSON: Bool
}

/// Label counts as Python's `dict(Counter(labels).most_common())`: count descending, ties
/// in order of first appearance.
public struct OrderedCounts: Equatable, Sendable {
    public var entries: [(label: String, count: Int)]

    public static func == (a: OrderedCounts, b: OrderedCounts) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.label == $1.label && $0.count == $1.count }
    }

    public init(_ labels: [String]) {
        entries = Statistics.mostCommonCounts(labels.map(CodePoints.init)).map { ($0.element.string, $0.count) }
    }
}

/// Metrics of a set of generated answers, named as the evaluator's `metrics.json` keys.
/// Undefined values are nil (null). Run metadata (paths, episode counts, coverage) belongs to
/// the caller.
public struct GeneratedAnswerMetrics: Equatable, Sendable {
    /// `num_samples`.
    public var numSamples: Int
    /// `accuracy`: action accuracy after label matching (0 for no rows, as the reference).
    public var accuracy: Double
    /// `macro_f1` = `action_macro_f1`: mean F1 over every class of `labels` (zero-support
    /// classes count as 0). The published definition.
    public var macroF1: Double
    /// Mean F1 over the classes with support > 0 in these rows: the definition of the
    /// 128-episode baselines' `compute_metrics`. Never to be mixed with ``macroF1``.
    public var supportedClassesMacroF1: Double
    /// Number of classes with support > 0.
    public var numSupportedClasses: Int
    /// `labels`: the option list, then labels seen only in the truth or the predictions, in
    /// order of appearance over the truth followed by the predictions.
    public var labels: [String]
    /// `unseen_eval_labels`: code-point-sorted true labels of rows not seen in train.
    public var unseenEvalLabels: [String]
    public var numUnseenLabelSamples: Int
    public var seenLabelAccuracy: Double?
    public var unseenLabelAccuracy: Double?
    public var evalLabelCounts: OrderedCounts
    /// Fraction of rows whose parsed object holds all seven keys; 0 for no rows.
    public var jsonValidityRate: Double
    /// Exact Python equality of the raw values (no normalisation) over rows whose true value
    /// is not the string "unknown" (a missing true value is kept, and equals a missing
    /// prediction, as `dict.get` gives None for both).
    public var subtaskAccuracy: Double?
    public var transitionAccuracy: Double?
    public var nextActionAccuracy: Double?
    public var contactAccuracy: Double?
    /// Micro F1 of the object sets over all rows; nil when tp + fp + fn = 0.
    public var objectMicroF1: Double?
}

/// The action classification: per-class rows and the confusion counts (dense, row = truth).
public struct ActionClassTable: Sendable {
    public var perClass: [ClassMetrics]
    /// `counts[t][p]` over `labels`.
    public var confusion: [[Int]]
}

/// Everything ``scoreGeneratedAnswers(_:labelOptions:trainActions:objectRule:)`` computes.
public struct GeneratedAnswerReport: Sendable {
    public var metrics: GeneratedAnswerMetrics
    public var rows: [ScoredGeneratedAnswer]
    /// Nil when there are no rows.
    public var actionTable: ActionClassTable?
}

/// Scores generated answers against their records, as the reference evaluator does.
///
/// - Parameters:
///   - answers: the evaluation rows in dataset order.
///   - labelOptions: the first eval record's `label_options` (code-point sorted, as exported);
///     also the match options of rows without their own.
///   - trainActions: the action labels of the train split (for rows whose seen flag is not
///     given).
///   - objectRule: how `objects` values become sets for `object_micro_f1`; `.reference`
///     reproduces the published numbers.
public func scoreGeneratedAnswers(
    _ answers: [GeneratedAnswer], labelOptions: [String], trainActions: Set<String>, objectRule: ObjectRule = .reference
) -> GeneratedAnswerReport {
    let shared = LabelMatcher(options: labelOptions)
    let train = Set(trainActions.map(CodePoints.init))
    var rows: [ScoredGeneratedAnswer] = []
    rows.reserveCapacity(answers.count)
    for a in answers {
        let value = parseAnswerValue(a.raw)
        let pred = value.dictionaryValue ?? [:]
        let trueLabel = a.trueLabel
        let predictedText = pred["action"].map(\.pythonString) ?? a.raw
        let predicted = (a.options.map(LabelMatcher.init(options:)) ?? shared).match(predictedText)
        rows.append(ScoredGeneratedAnswer(
            predValue: value, predJSON: pred, trueLabel: trueLabel, predictedLabel: predicted,
            correct: CodePoints(predicted) == CodePoints(trueLabel),
            trueLabelSeenInTrain: a.seenInTrain ?? train.contains(CodePoints(trueLabel)),
            validJSON: requiredAnswerKeys.allSatisfy { pred[$0] != nil }))
    }
    let n = rows.count

    // The label list and the class of every row (code-point keys, as Python's list.index).
    var labels = labelOptions
    var index: [CodePoints: Int] = [:]
    for (i, l) in labels.enumerated() where index[CodePoints(l)] == nil { index[CodePoints(l)] = i }
    func classOf(_ l: String) -> Int {
        if let i = index[CodePoints(l)] { return i }
        index[CodePoints(l)] = labels.count
        labels.append(l)
        return labels.count - 1
    }
    let t = rows.map { classOf($0.trueLabel) }
    let p = rows.map { classOf($0.predictedLabel) }

    var table: ActionClassTable?
    var accuracy = 0.0, macro = 0.0, supportedMacro = 0.0, supported = 0
    if n > 0, let all = try? classificationMetrics(truth: t, predicted: p, classNames: labels, macroAverage: .allClasses),
       let onlySupported = try? classificationMetrics(truth: t, predicted: p, classNames: labels, macroAverage: .supportedClasses) {
        accuracy = all.metrics.accuracy
        macro = all.metrics.macroF1
        supportedMacro = onlySupported.metrics.macroF1
        supported = all.perClass.filter { $0.support > 0 }.count
        table = ActionClassTable(perClass: all.perClass, confusion: all.confusion.counts)
    }

    func fieldAccuracy(_ field: String) -> Double? {
        var total = 0, hits = 0
        for (a, r) in zip(answers, rows) {
            let truth = a.truth[field]
            if case .string(let s)? = truth, s == "unknown" { continue }
            total += 1
            if pythonEqual(r.predJSON[field], truth) { hits += 1 }
        }
        return total > 0 ? Double(hits) / Double(total) : nil
    }

    var tp = 0, fp = 0, fn = 0
    for (a, r) in zip(answers, rows) {
        let ts = objectSet(a.truth["objects"], rule: objectRule), ps = objectSet(r.predJSON["objects"], rule: objectRule)
        let common = ts.intersection(ps).count
        tp += common
        fp += ps.count - common
        fn += ts.count - common
    }

    let seen = rows.filter(\.trueLabelSeenInTrain), unseen = rows.filter { !$0.trueLabelSeenInTrain }
    let unseenLabels = Set(unseen.map { CodePoints($0.trueLabel) }).map(\.string).sorted(by: codePointLess)
    let metrics = GeneratedAnswerMetrics(
        numSamples: n, accuracy: accuracy, macroF1: macro,
        supportedClassesMacroF1: supportedMacro, numSupportedClasses: supported,
        labels: labels, unseenEvalLabels: unseenLabels, numUnseenLabelSamples: unseen.count,
        seenLabelAccuracy: seen.isEmpty ? nil : Double(seen.filter(\.correct).count) / Double(seen.count),
        unseenLabelAccuracy: unseen.isEmpty ? nil : Double(unseen.filter(\.correct).count) / Double(unseen.count),
        evalLabelCounts: OrderedCounts(answers.map { $0.label ?? $0.trueLabel }),
        jsonValidityRate: n > 0 ? Double(rows.filter(\.validJSON).count) / Double(n) : 0,
        subtaskAccuracy: fieldAccuracy("subtask"), transitionAccuracy: fieldAccuracy("transition"),
        nextActionAccuracy: fieldAccuracy("next_action"), contactAccuracy: fieldAccuracy("contact"),
        objectMicroF1: tp + fp + fn > 0 ? harmonicF1(ratioOrZero(tp, tp + fp), ratioOrZero(tp, tp + fn)) : nil)
    return GeneratedAnswerReport(metrics: metrics, rows: rows, actionTable: table)
}
