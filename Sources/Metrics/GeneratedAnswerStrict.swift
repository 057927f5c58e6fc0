// The strict view of generated answers (analysis-and-report.md §6, items 3 and 5): what a
// careful reviewer adds beside the published numbers, each defined so it cannot be mistaken
// for them. Docs/eval-json.md explains each.

import XPCore

/// One field's rate under a strict rule.
public struct StrictFieldRate: Equatable, Sendable {
    public var field: String
    /// hits / scored; nil when no row is scored (or the options are unknown).
    public var rate: Double?
    /// Rows scored (true value present and not unknown).
    public var scored: Int
    /// Rows left out because the true value is missing, null, empty or "unknown" after
    /// normalisation.
    public var excludedUnknownTruths: Int
}

/// The strict block of an evaluation.
public struct StrictAnswerMetrics: Equatable, Sendable {
    /// Per field (action, subtask, contact, transition, next_action): prediction and truth
    /// both normalised (`normalize_label`, then `lower()`), compared exactly.
    public var normalisedFieldAccuracy: [StrictFieldRate]
    /// subtask over the subtask options, next_action over the action options: the predicted
    /// value mapped by `match_label`, compared with the true value. A missing prediction is
    /// wrong.
    public var optionMatchedRates: [StrictFieldRate]
    /// Object micro F1 with the coerced object rule (``ObjectRule/strict``) and names
    /// stripped and lowercased; nil when tp + fp + fn = 0.
    public var objectMicroF1: Double?
    public var objectCounts: (tp: Int, fp: Int, fn: Int)
    /// Accuracy over the rows whose true label occurs in train.
    public var seenClassAccuracy: Double?
    /// Macro F1 over those rows, averaged over the seen classes with support there.
    public var seenClassMacroF1: Double?
    /// Share of rows whose true label occurs in train: the best accuracy a model that only
    /// outputs train labels can reach.
    public var unseenClassCeiling: Double?
    public var numSeenRows: Int
    /// Fraction of rows whose parsed object has all seven keys with the schema's types
    /// (strings, a list of strings, an evidence window of two integers).
    public var schemaValidRate: Double

    public static func == (a: StrictAnswerMetrics, b: StrictAnswerMetrics) -> Bool {
        a.normalisedFieldAccuracy == b.normalisedFieldAccuracy && a.optionMatchedRates == b.optionMatchedRates
            && a.objectMicroF1 == b.objectMicroF1 && a.objectCounts == b.objectCounts && a.seenClassAccuracy == b.seenClassAccuracy
            && a.seenClassMacroF1 == b.seenClassMacroF1 && a.unseenClassCeiling == b.unseenClassCeiling
            && a.numSeenRows == b.numSeenRows && a.schemaValidRate == b.schemaValidRate
    }
}

/// `normalize_label` then `lower()`.
func foldedLabel(_ v: JSONValue) -> String { pythonLower(normalizeLabel(v.pythonString)) }

/// Whether a parsed answer has the seven keys with the schema's value types.
public func answerMatchesSchema(_ pred: JSONObject) -> Bool {
    for key in ["action", "subtask", "contact", "transition", "next_action"] {
        guard case .string? = pred[key] else { return false }
    }
    guard case .array(let objects)? = pred["objects"], objects.allSatisfy({ $0.stringValue != nil }) else { return false }
    guard case .object? = pred["evidence_window"], let w = pred["evidence_window"]?.dictionaryValue,
          case .int? = w["start_frame"], case .int? = w["end_frame"] else { return false }
    return true
}

/// Computes the strict block from the scored report.
///
/// - Parameters:
///   - subtaskOptions: the records' `subtask_options`; nil when unknown (re-scoring without
///     a manifest), which leaves the subtask option-matched rate nil.
public func strictGeneratedAnswerMetrics(
    _ answers: [GeneratedAnswer], report: GeneratedAnswerReport, labelOptions: [String], subtaskOptions: [String]?
) -> StrictAnswerMetrics {
    let rows = report.rows
    let n = rows.count

    func normalised(_ field: String) -> StrictFieldRate {
        var scored = 0, hits = 0, excluded = 0
        for (a, r) in zip(answers, rows) {
            let truth = a.truth[field].map(foldedLabel) ?? ""
            guard !truth.isEmpty, truth != "unknown", a.truth[field] != .null else { excluded += 1; continue }
            scored += 1
            if let p = r.predJSON[field], CodePoints(foldedLabel(p)) == CodePoints(truth) { hits += 1 }
        }
        return StrictFieldRate(field: field, rate: scored > 0 ? Double(hits) / Double(scored) : nil, scored: scored, excludedUnknownTruths: excluded)
    }

    func optionMatched(_ field: String, _ options: [String]?) -> StrictFieldRate {
        let matcher = options.map(LabelMatcher.init(options:))
        var scored = 0, hits = 0, excluded = 0
        for (a, r) in zip(answers, rows) {
            guard let truthValue = a.truth[field], truthValue != .null else { excluded += 1; continue }
            let folded = foldedLabel(truthValue)
            guard !folded.isEmpty, folded != "unknown" else { excluded += 1; continue }
            scored += 1
            if let matcher, let p = r.predJSON[field], CodePoints(matcher.match(p.pythonString)) == CodePoints(truthValue.pythonString) { hits += 1 }
        }
        let rate: Double? = matcher == nil || scored == 0 ? nil : Double(hits) / Double(scored)
        return StrictFieldRate(field: field, rate: rate, scored: scored, excludedUnknownTruths: excluded)
    }

    var tp = 0, fp = 0, fn = 0
    for (a, r) in zip(answers, rows) {
        let ts = objectSet(a.truth["objects"], rule: .strict, foldNames: true)
        let ps = objectSet(r.predJSON["objects"], rule: .strict, foldNames: true)
        let common = ts.intersection(ps).count
        tp += common
        fp += ps.count - common
        fn += ts.count - common
    }

    let seen = rows.filter(\.trueLabelSeenInTrain)
    var seenMacro: Double?
    if !seen.isEmpty {
        let encoding = LabelEncoding(seen.map(\.trueLabel) + seen.map(\.predictedLabel))
        let k = seen.count
        seenMacro = try? classificationMetrics(truth: Array(encoding.ids[..<k]), predicted: Array(encoding.ids[k...]),
                                               classNames: encoding.classNames, macroAverage: .supportedClasses).metrics.macroF1
    }
    return StrictAnswerMetrics(
        normalisedFieldAccuracy: ["action", "subtask", "contact", "transition", "next_action"].map(normalised),
        optionMatchedRates: [optionMatched("subtask", subtaskOptions), optionMatched("next_action", labelOptions)],
        objectMicroF1: tp + fp + fn > 0 ? harmonicF1(ratioOrZero(tp, tp + fp), ratioOrZero(tp, tp + fn)) : nil,
        objectCounts: (tp, fp, fn),
        seenClassAccuracy: seen.isEmpty ? nil : Double(seen.filter(\.correct).count) / Double(seen.count),
        seenClassMacroF1: seenMacro,
        unseenClassCeiling: n > 0 ? Double(seen.count) / Double(n) : nil,
        numSeenRows: seen.count,
        schemaValidRate: n > 0 ? Double(rows.filter { answerMatchesSchema($0.predJSON) }.count) / Double(n) : 0)
}
