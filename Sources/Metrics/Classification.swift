// Multi-class classification metrics (`compute_metrics` in the reference suite, plus the
// seen-class view that a chronological split with unseen test classes needs).

import XPCore

/// Which classes a macro average (macro F1, balanced accuracy) runs over.
public enum MacroAverage: String, Codable, Sendable, CaseIterable {
    /// Classes with test support > 0. The reference suite's `compute_metrics`.
    case supportedClasses = "supported_classes"
    /// Every class in the class list, including ones with no support and no predictions
    /// (they contribute F1 = 0). The generated-JSON evaluator's `class_metrics`.
    case allClasses = "all_classes"
    /// Classes that occur in the truth or in the predictions. The modality-ablation script.
    case trueOrPredictedClasses = "true_or_predicted_classes"
}

/// A confusion matrix `counts[true][predicted]` over a fixed class list.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    /// Class names; row and column `i` belong to `classNames[i]`.
    public var classNames: [String]
    /// `counts[t][p]` = number of items of true class `t` predicted as `p`.
    public var counts: [[Int]]

    enum CodingKeys: String, CodingKey {
        case classNames = "class_names"
        case counts
    }

    /// The reference's `confusion_matrix.csv`: header `true\pred,<names>`, then one row per
    /// true class. Fields that contain a comma, quote or newline are quoted as Python's
    /// `csv` module does.
    public func csv() -> String {
        var csv = CSVWriter(lineTerminator: .crlf)
        csv.writeRow(["true\\pred"] + classNames)
        for (name, row) in zip(classNames, counts) { csv.writeRow([name] + row.map(String.init)) }
        return csv.text
    }
}

/// One row of the reference's `per_class_metrics.csv`.
public struct ClassMetrics: Codable, Equatable, Sendable {
    public var classId: Int
    public var className: String
    /// Number of test items whose true class is this one.
    public var support: Int
    /// Number of test items predicted as this class.
    public var predicted: Int
    /// tp / predicted, 0 when nothing was predicted as this class.
    public var precision: Double
    /// tp / support, 0 when the class has no support.
    public var recall: Double
    /// 2PR/(P+R), 0 when P + R = 0.
    public var f1: Double

    enum CodingKeys: String, CodingKey {
        case classId = "class_id", className = "class_name"
        case support, predicted, precision, recall, f1
    }
}

/// Headline classification metrics. JSON keys follow the reference `metrics.json`; the
/// seen-class fields appear only when training labels were supplied.
public struct ClassificationMetrics: Codable, Equatable, Sendable {
    /// Fraction of test items predicted correctly.
    public var accuracy: Double
    /// Mean recall over the classes selected by `macroAverage`.
    public var balancedAccuracy: Double
    /// Mean per-class F1 over the classes selected by `macroAverage`.
    public var macroF1: Double
    /// Σ F1_c · support_c / Σ support.
    public var weightedF1: Double
    /// Number of test items.
    public var numEvalWindows: Int
    /// Number of classes in the class list (including classes absent from the test set).
    public var numClasses: Int
    /// Accuracy of always predicting the most common training class (ties: first seen).
    /// Nil when no training labels were given.
    public var majorityBaselineAccuracy: Double?
    /// Code-point-sorted names of test classes that never occur in the training labels.
    public var unseenTestClasses: [String]?
    /// Accuracy over the test items whose true class occurs in train (nil if there are none).
    public var seenClassAccuracy: Double?
    /// Macro F1 over the test items whose true class occurs in train, averaged over the
    /// seen classes with support there (nil if there are none).
    public var seenClassMacroF1: Double?
    /// Fraction of test items whose true class occurs in train: the best accuracy a
    /// closed-set classifier trained on this split can reach.
    public var unseenClassCeiling: Double?
    /// Number of test items whose true class occurs in train.
    public var numSeenClassWindows: Int?

    enum CodingKeys: String, CodingKey {
        case accuracy
        case balancedAccuracy = "balanced_accuracy"
        case macroF1 = "macro_f1"
        case weightedF1 = "weighted_f1"
        case numEvalWindows = "num_eval_windows"
        case numClasses = "num_classes"
        case majorityBaselineAccuracy = "majority_baseline_accuracy"
        case unseenTestClasses = "unseen_test_classes"
        case seenClassAccuracy = "seen_class_accuracy"
        case seenClassMacroF1 = "seen_class_macro_f1"
        case unseenClassCeiling = "unseen_class_ceiling"
        case numSeenClassWindows = "num_seen_class_windows"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accuracy, forKey: .accuracy)
        try c.encode(balancedAccuracy, forKey: .balancedAccuracy)
        try c.encode(macroF1, forKey: .macroF1)
        try c.encode(weightedF1, forKey: .weightedF1)
        try c.encode(numEvalWindows, forKey: .numEvalWindows)
        try c.encode(numClasses, forKey: .numClasses)
        // The train-dependent block is all or nothing; inside it an undefined value is an
        // explicit null rather than a missing key.
        guard let ceiling = unseenClassCeiling else { return }
        try c.encode(majorityBaselineAccuracy, forKey: .majorityBaselineAccuracy)
        try c.encode(unseenTestClasses ?? [], forKey: .unseenTestClasses)
        try c.encode(seenClassAccuracy, forKey: .seenClassAccuracy)
        try c.encode(seenClassMacroF1, forKey: .seenClassMacroF1)
        try c.encode(ceiling, forKey: .unseenClassCeiling)
        try c.encode(numSeenClassWindows ?? 0, forKey: .numSeenClassWindows)
    }
}

/// Everything `classificationMetrics` computes: the headline numbers, the per-class table
/// and the confusion matrix.
public struct ClassificationReport: Codable, Equatable, Sendable {
    public var metrics: ClassificationMetrics
    public var perClass: [ClassMetrics]
    public var confusion: ConfusionMatrix

    enum CodingKeys: String, CodingKey {
        case metrics
        case perClass = "per_class"
        case confusion = "confusion_matrix"
    }

    /// The reference's `per_class_metrics.csv`
    /// (`class_id,class_name,support,predicted,precision,recall,f1`). The generated-answer
    /// evaluator writes the same table without the `class_id` column
    /// (`includeClassID: false`).
    public func perClassCSV(includeClassID: Bool = true) -> String {
        let header = ["class_name", "support", "predicted", "precision", "recall", "f1"]
        var csv = CSVWriter(lineTerminator: .crlf)
        csv.writeRow((includeClassID ? ["class_id"] : []) + header)
        for m in perClass {
            let fields = [m.className, String(m.support), String(m.predicted), "\(m.precision)", "\(m.recall)", "\(m.f1)"]
            csv.writeRow((includeClassID ? [String(m.classId)] : []) + fields)
        }
        return csv.text
    }
}

/// Per-class counts and scores of one (truth, prediction) set; ids already validated.
struct ClassTable {
    var counts: [[Int]]
    var support: [Int]
    var predicted: [Int]
    var precision: [Double]
    var recall: [Double]
    var f1: [Double]
    var correct: Int
    var n: Int

    init(truth: [Int], predicted pred: [Int], classCount c: Int) {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: c), count: c)
        var correct = 0
        for (t, p) in zip(truth, pred) {
            counts[t][p] += 1
            if t == p { correct += 1 }
        }
        var support = [Int](repeating: 0, count: c)
        var predicted = [Int](repeating: 0, count: c)
        for t in 0..<c {
            for p in 0..<c {
                support[t] += counts[t][p]
                predicted[p] += counts[t][p]
            }
        }
        var precision = [Double](repeating: 0, count: c)
        var recall = [Double](repeating: 0, count: c)
        var f1 = [Double](repeating: 0, count: c)
        for k in 0..<c {
            precision[k] = ratioOrZero(counts[k][k], predicted[k])
            recall[k] = ratioOrZero(counts[k][k], support[k])
            f1[k] = harmonicF1(precision[k], recall[k])
        }
        self.counts = counts
        self.support = support
        self.predicted = predicted
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.correct = correct
        self.n = truth.count
    }

    /// Classes that a macro average runs over.
    func macroClasses(_ average: MacroAverage) -> [Int] {
        let all = Array(0..<support.count)
        switch average {
        case .supportedClasses: return all.filter { support[$0] > 0 }
        case .allClasses: return all
        case .trueOrPredictedClasses: return all.filter { support[$0] > 0 || predicted[$0] > 0 }
        }
    }

    func macro(_ values: [Double], over classes: [Int]) -> Double {
        guard !classes.isEmpty else { return 0 }
        return classes.reduce(0.0) { $0 + values[$1] } / Double(classes.count)
    }
}

/// Classification metrics over integer class ids.
///
/// - Parameters:
///   - truth: true class id of each test item, in `0..<classNames.count`.
///   - predicted: predicted class id of each test item.
///   - classNames: the task's class list (all C classes, including ones absent from test).
///   - trainTruth: the training labels. When given, the majority baseline, the unseen test
///     classes and the seen-class metrics are filled in.
///   - macroAverage: which classes macro F1 and balanced accuracy average over; the
///     reference suite uses `.supportedClasses`.
/// - Throws: `MetricsError` for empty or mismatched inputs and out-of-range ids.
public func classificationMetrics(
    truth: [Int], predicted: [Int], classNames: [String],
    trainTruth: [Int]? = nil, macroAverage: MacroAverage = .supportedClasses
) throws(MetricsError) -> ClassificationReport {
    try requireNonEmpty("test labels", count: truth.count)
    try requireSameLength("predicted labels", expected: truth.count, found: predicted.count)
    let c = classNames.count
    try requireLabels("test labels", truth, classCount: c)
    try requireLabels("predicted labels", predicted, classCount: c)
    if let trainTruth { try requireLabels("train labels", trainTruth, classCount: c) }

    let table = ClassTable(truth: truth, predicted: predicted, classCount: c)
    let macroSet = table.macroClasses(macroAverage)
    let n = Double(truth.count)
    let weighted = (0..<c).reduce(0.0) { $0 + table.f1[$1] * Double(table.support[$1]) } / n

    var metrics = ClassificationMetrics(
        accuracy: Double(table.correct) / n,
        balancedAccuracy: table.macro(table.recall, over: macroSet),
        macroF1: table.macro(table.f1, over: macroSet),
        weightedF1: weighted,
        numEvalWindows: truth.count,
        numClasses: c)

    if let trainTruth {
        var trainCount = [Int](repeating: 0, count: c)
        for t in trainTruth { trainCount[t] += 1 }
        if let majority = Statistics.mostCommon(trainTruth) {
            metrics.majorityBaselineAccuracy = Double(truth.filter { $0 == majority }.count) / n
        }
        metrics.unseenTestClasses = (0..<c)
            .filter { table.support[$0] > 0 && trainCount[$0] == 0 }
            .map { classNames[$0] }
            .sorted(by: codePointLess)
        let seen = truth.indices.filter { trainCount[truth[$0]] > 0 }
        metrics.numSeenClassWindows = seen.count
        metrics.unseenClassCeiling = Double(seen.count) / n
        if !seen.isEmpty {
            let sub = ClassTable(truth: seen.map { truth[$0] }, predicted: seen.map { predicted[$0] }, classCount: c)
            metrics.seenClassAccuracy = Double(sub.correct) / Double(seen.count)
            metrics.seenClassMacroF1 = sub.macro(sub.f1, over: sub.macroClasses(macroAverage))
        }
    }

    let perClass = (0..<c).map { k in
        ClassMetrics(classId: k, className: classNames[k], support: table.support[k],
                     predicted: table.predicted[k], precision: table.precision[k],
                     recall: table.recall[k], f1: table.f1[k])
    }
    return ClassificationReport(
        metrics: metrics, perClass: perClass,
        confusion: ConfusionMatrix(classNames: classNames, counts: table.counts))
}

/// Classification metrics over string labels. Classes are numbered in order of first
/// appearance over `train`, then `truth`, then `predicted`, which reproduces the reference's
/// class order when train precedes test chronologically.
///
/// - Throws: `MetricsError` for empty or mismatched inputs.
public func classificationMetrics(
    truth: [String], predicted: [String], train: [String]? = nil,
    macroAverage: MacroAverage = .supportedClasses
) throws(MetricsError) -> ClassificationReport {
    try requireNonEmpty("test labels", count: truth.count)
    try requireSameLength("predicted labels", expected: truth.count, found: predicted.count)
    let trainLabels = train ?? []
    let encoding = LabelEncoding(trainLabels + truth + predicted)
    let ids = encoding.ids
    let nTrain = trainLabels.count, nTest = truth.count
    return try classificationMetrics(
        truth: Array(ids[nTrain..<(nTrain + nTest)]),
        predicted: Array(ids[(nTrain + nTest)...]),
        classNames: encoding.classNames,
        trainTruth: train == nil ? nil : Array(ids[0..<nTrain]),
        macroAverage: macroAverage)
}
