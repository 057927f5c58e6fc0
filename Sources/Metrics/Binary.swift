// Binary detection metrics (`binary_metrics` in the reference suite) and AUROC for the
// strict protocol, where a threshold-free score is reported beside the thresholded one.

/// Binary metrics with positive class 1. JSON keys follow the reference `metrics.json`.
public struct BinaryMetrics: Codable, Equatable, Sendable {
    public var tp: Int
    public var tn: Int
    public var fp: Int
    public var fn: Int
    public var accuracy: Double
    /// tp / (tp + fp), 0 when nothing was predicted positive.
    public var precision: Double
    /// tp / (tp + fn), 0 when there are no positives.
    public var recall: Double
    /// 2PR/(P+R), 0 when P + R = 0.
    public var f1: Double
    /// Fraction of test items whose true label is 1.
    public var positiveRateTrue: Double
    /// Fraction of test items predicted 1.
    public var positiveRatePred: Double
    /// Area under the ROC curve of the scores; present only when scores were given and both
    /// classes occur in the truth.
    public var auroc: Double?

    enum CodingKeys: String, CodingKey {
        case tp, tn, fp, fn, accuracy, precision, recall, f1
        case positiveRateTrue = "positive_rate_true"
        case positiveRatePred = "positive_rate_pred"
        case auroc
    }
}

/// Binary metrics over 0/1 labels.
///
/// - Parameters:
///   - truth: true labels, each 0 or 1.
///   - predicted: predicted labels, each 0 or 1.
///   - scores: optional scores for class 1 (probability or logit; higher means more
///     positive). When given, `auroc` is filled in if both classes occur in `truth`.
/// - Throws: `MetricsError` for empty or mismatched inputs, labels other than 0/1 and
///   non-finite scores.
public func binaryMetrics(truth: [Int], predicted: [Int], scores: [Double]? = nil) throws(MetricsError) -> BinaryMetrics {
    try requireNonEmpty("test labels", count: truth.count)
    try requireSameLength("predicted labels", expected: truth.count, found: predicted.count)
    try requireLabels("test labels", truth, classCount: 2)
    try requireLabels("predicted labels", predicted, classCount: 2)
    var tp = 0, tn = 0, fp = 0, fn = 0
    for (t, p) in zip(truth, predicted) {
        switch (t, p) {
        case (1, 1): tp += 1
        case (0, 0): tn += 1
        case (0, 1): fp += 1
        default: fn += 1
        }
    }
    let n = truth.count
    let precision = ratioOrZero(tp, tp + fp)
    let recall = ratioOrZero(tp, tp + fn)
    var result = BinaryMetrics(
        tp: tp, tn: tn, fp: fp, fn: fn,
        accuracy: ratioOrZero(tp + tn, n),
        precision: precision, recall: recall, f1: harmonicF1(precision, recall),
        positiveRateTrue: ratioOrZero(tp + fn, n),
        positiveRatePred: ratioOrZero(tp + fp, n),
        auroc: nil)
    if let scores {
        result.auroc = try auroc(truth: truth, scores: scores)
    }
    return result
}

/// Area under the ROC curve: the probability that a random positive scores above a random
/// negative, ties counting one half (Mann–Whitney U with mid-ranks; equals
/// `sklearn.metrics.roc_auc_score`).
///
/// - Returns: nil when `truth` holds only one class (AUROC is undefined then).
/// - Throws: `MetricsError` for empty or mismatched inputs, labels other than 0/1 and
///   non-finite scores.
public func auroc(truth: [Int], scores: [Double]) throws(MetricsError) -> Double? {
    try requireNonEmpty("test labels", count: truth.count)
    try requireSameLength("scores", expected: truth.count, found: scores.count)
    try requireLabels("test labels", truth, classCount: 2)
    try requireFinite("scores", scores)
    let positives = truth.reduce(0, +)
    let negatives = truth.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    // Mid-ranks (1-based) over the sorted scores; tied scores share the mean of their ranks.
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSumPositive = 0.0
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
        let midRank = Double(i + j + 2) / 2
        for k in i...j where truth[order[k]] == 1 { rankSumPositive += midRank }
        i = j + 1
    }
    let p = Double(positives), q = Double(negatives)
    return (rankSumPositive - p * (p + 1) / 2) / (p * q)
}
