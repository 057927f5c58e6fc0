// Multi-label set prediction metrics (`multilabel_metrics` in the reference suite, used by
// object relevance), with the strict protocol's macro average over labels present in test.

/// Which labels the multi-label macro F1 averages over.
public enum MultiLabelMacro: String, Codable, Sendable, CaseIterable {
    /// Every label of the vocabulary; labels absent from the test truth contribute F1 = 0.
    /// The reference suite's choice.
    case wholeVocabulary = "whole_vocabulary"
    /// Only labels with at least one positive in the test truth (strict protocol, §7 #10).
    case labelsPresentInTruth = "labels_present_in_truth"
}

/// Multi-label metrics. JSON keys follow the reference `metrics.json`; `precision` and
/// `recall` are the micro averages.
public struct MultiLabelMetrics: Codable, Equatable, Sendable {
    /// F1 from tp, fp, fn summed over all cells.
    public var microF1: Double
    /// Mean per-label F1 over the labels selected by the macro policy (0 if none).
    public var macroF1: Double
    /// Fraction of rows whose predicted label set equals the true set.
    public var exactMatch: Double
    /// Micro precision: Σtp / (Σtp + Σfp), 0 when nothing was predicted.
    public var precision: Double
    /// Micro recall: Σtp / (Σtp + Σfn), 0 when nothing is true.
    public var recall: Double
    /// Number of labels the macro F1 averaged over.
    public var macroF1NumLabels: Int

    enum CodingKeys: String, CodingKey {
        case microF1 = "micro_f1"
        case macroF1 = "macro_f1"
        case exactMatch = "exact_match"
        case precision, recall
        case macroF1NumLabels = "macro_f1_num_labels"
    }
}

func requireRectangular(_ what: String, _ rows: [[Bool]], width: Int) throws(MetricsError) {
    for (i, row) in rows.enumerated() where row.count != width {
        throw .shapeMismatch(what: what, expected: "\(width) labels per row", found: "\(row.count) in row \(i)")
    }
}

/// Multi-label metrics over multi-hot rows (one `Bool` per vocabulary label).
///
/// - Parameters:
///   - truth: true multi-hot rows; all rows have the vocabulary's width.
///   - predicted: predicted rows, same shape.
///   - macroAverage: `.wholeVocabulary` (reference) or `.labelsPresentInTruth` (strict).
/// - Throws: `MetricsError` for empty, ragged or mismatched inputs.
public func multiLabelMetrics(
    truth: [[Bool]], predicted: [[Bool]], macroAverage: MultiLabelMacro = .wholeVocabulary
) throws(MetricsError) -> MultiLabelMetrics {
    try requireNonEmpty("true label rows", count: truth.count)
    try requireSameLength("predicted label rows", expected: truth.count, found: predicted.count)
    let width = truth[0].count
    guard width > 0 else { throw .empty(what: "label vocabulary") }
    try requireRectangular("true label rows", truth, width: width)
    try requireRectangular("predicted label rows", predicted, width: width)

    var tp = [Int](repeating: 0, count: width)
    var fp = [Int](repeating: 0, count: width)
    var fn = [Int](repeating: 0, count: width)
    var exact = 0
    for (t, p) in zip(truth, predicted) {
        if t == p { exact += 1 }
        for k in 0..<width {
            switch (t[k], p[k]) {
            case (true, true): tp[k] += 1
            case (false, true): fp[k] += 1
            case (true, false): fn[k] += 1
            case (false, false): break
            }
        }
    }
    let sumTP = tp.reduce(0, +), sumFP = fp.reduce(0, +), sumFN = fn.reduce(0, +)
    let precision = ratioOrZero(sumTP, sumTP + sumFP)
    let recall = ratioOrZero(sumTP, sumTP + sumFN)
    let labels: [Int]
    switch macroAverage {
    case .wholeVocabulary: labels = Array(0..<width)
    case .labelsPresentInTruth: labels = (0..<width).filter { tp[$0] + fn[$0] > 0 }
    }
    // Per-label F1 = 2tp / (2tp + fp + fn), 0 when the label is never true nor predicted;
    // this equals 2PR/(P+R) with the zero conventions.
    let macro = labels.isEmpty ? 0 : labels.reduce(0.0) { acc, k in
        acc + ratioOrZero(2 * tp[k], 2 * tp[k] + fp[k] + fn[k])
    } / Double(labels.count)
    return MultiLabelMetrics(
        microF1: harmonicF1(precision, recall), macroF1: macro,
        exactMatch: Double(exact) / Double(truth.count),
        precision: precision, recall: recall, macroF1NumLabels: labels.count)
}

/// The label-frequency baseline: one fixed label set, predicted for every test row. It holds
/// the labels that are positive in at least `minFrequency` of the training rows. With
/// `atLeastOne` (the default), when no label reaches that, the single most frequent training
/// label is used instead (the first one on a tie), mirroring the heads' "at least one label"
/// rule; the multi-episode baseline's constant prior (frequency ≥ 0.10) has no such fallback.
/// All false if no training row has a label.
///
/// - Throws: `MetricsError` for empty or ragged training rows or a frequency outside (0, 1].
public func labelFrequencyBaseline(
    train: [[Bool]], minFrequency: Double = 0.5, atLeastOne: Bool = true
) throws(MetricsError) -> [Bool] {
    try requireNonEmpty("train label rows", count: train.count)
    let width = train[0].count
    try requireRectangular("train label rows", train, width: width)
    guard minFrequency > 0, minFrequency <= 1 else {
        throw .invalidParameter(name: "minFrequency", expected: "a fraction in (0, 1]", found: "\(minFrequency)")
    }
    var counts = [Int](repeating: 0, count: width)
    for row in train {
        for k in 0..<width where row[k] { counts[k] += 1 }
    }
    let n = Double(train.count)
    var chosen = counts.map { Double($0) / n >= minFrequency }
    if atLeastOne, !chosen.contains(true), let top = counts.indices.max(by: { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }), counts[top] > 0 {
        chosen[top] = true
    }
    return chosen
}
