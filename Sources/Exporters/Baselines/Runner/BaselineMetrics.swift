import Foundation
import Metrics
import TaskContracts
import XPCore

/// `compute_metrics` of the baselines and the files written beside it, plus the strict
/// protocol's additions (the all-options macro-F1, the seen-class view, the majority and
/// prior-rate baselines).
public struct SplitScore: Sendable {
    /// The reference's six keys: accuracy, balanced_accuracy, macro_f1 (over the classes with
    /// support in the split), weighted_f1, num_eval_windows, num_classes.
    public var accuracy: Double
    public var balancedAccuracy: Double
    public var macroF1: Double
    public var weightedF1: Double
    public var count: Int
    public var classCount: Int
    /// The full report (nil for an empty split).
    public var report: ClassificationReport?
    /// Strict additions, as JSON fields (empty in reference).
    public var extra: [(String, JSONValue)] = []

    /// The split's `metrics` object: the reference's six keys, then the strict additions.
    public var json: JSONValue {
        .object([("accuracy", .num(accuracy)), ("balanced_accuracy", .num(balancedAccuracy)), ("macro_f1", .num(macroF1)),
                 ("weighted_f1", .num(weightedF1)), ("num_eval_windows", .int(count)), ("num_classes", .int(classCount))] + extra)
    }
}

public enum BaselineMetrics {
    /// Scores `predicted` against `truth` (class ids into `classNames`). With `strict`, adds
    /// the labelled variants: `macro_f1_supported_classes` (= `macro_f1`),
    /// `macro_f1_all_options` over `allOptions` (the class list plus every option label not in
    /// it; the generated-answer evaluator's average, zero-support classes counting 0), the
    /// seen-class accuracy and macro-F1, and the majority-class and prior-rate baselines.
    public static func score(truth: [Int], predicted: [Int], classNames: [String], trainTruth: [Int],
                             strict: Bool, allOptions: [String]? = nil) throws -> SplitScore {
        guard !truth.isEmpty else {
            return SplitScore(accuracy: 0, balancedAccuracy: 0, macroF1: 0, weightedF1: 0, count: 0, classCount: classNames.count, report: nil)
        }
        let report = try classificationMetrics(truth: truth, predicted: predicted, classNames: classNames,
                                               trainTruth: trainTruth, macroAverage: .supportedClasses)
        let m = report.metrics
        var score = SplitScore(accuracy: m.accuracy, balancedAccuracy: m.balancedAccuracy, macroF1: m.macroF1, weightedF1: m.weightedF1,
                               count: truth.count, classCount: classNames.count, report: report)
        guard strict else { return score }
        var extra: [(String, JSONValue)] = [("macro_f1_supported_classes", .num(m.macroF1)),
                                            ("macro_f1_supported_class_count", .int(report.perClass.filter { $0.support > 0 }.count))]
        // The all-options list: the class list, then option labels it lacks (in their order).
        var names = classNames
        if let allOptions {
            var known = Set(classNames)
            for o in allOptions where known.insert(o).inserted { names.append(o) }
        }
        let all = try classificationMetrics(truth: truth, predicted: predicted, classNames: names, macroAverage: .allClasses)
        extra.append(("macro_f1_all_options", .num(all.metrics.macroF1)))
        extra.append(("macro_f1_all_options_class_count", .int(names.count)))
        extra.append(("seen_class_accuracy", .num(m.seenClassAccuracy)))
        extra.append(("seen_class_macro_f1", .num(m.seenClassMacroF1)))
        extra.append(("num_seen_class_windows", .int(m.numSeenClassWindows ?? 0)))
        extra.append(("unseen_class_ceiling", .num(m.unseenClassCeiling)))
        extra.append(("baselines", baselines(truth: truth, classNames: classNames, trainTruth: trainTruth)))
        score.extra = extra
        return score
    }

    /// The majority-class predictor (the most common train class, ties to the first seen)
    /// and the prior-rate predictor (a class drawn at the train class frequencies, scored by
    /// its expectation: accuracy Σ p_c·q_c, and per supported class precision p_c and recall
    /// q_c, so F1_c = 2·p_c·q_c/(p_c + q_c)).
    public static func baselines(truth: [Int], classNames: [String], trainTruth: [Int]) -> JSONValue {
        let c = classNames.count
        var trainCount = [Int](repeating: 0, count: c), testCount = [Int](repeating: 0, count: c)
        for t in trainTruth where t < c { trainCount[t] += 1 }
        for t in truth where t < c { testCount[t] += 1 }
        var fields: [(String, JSONValue)] = []
        if let majority = mostCommonFirst(trainTruth) {
            let pred = [Int](repeating: majority, count: truth.count)
            let r = try? classificationMetrics(truth: truth, predicted: pred, classNames: classNames, macroAverage: .supportedClasses)
            fields.append(("majority_class", .object([("label", .string(classNames[majority])), ("accuracy", .num(r?.metrics.accuracy)),
                                                      ("macro_f1", .num(r?.metrics.macroF1))])))
        }
        let nTrain = Double(max(trainTruth.count, 1)), nTest = Double(max(truth.count, 1))
        var accuracy = 0.0, f1Sum = 0.0, supported = 0
        for k in 0..<c {
            let q = Double(trainCount[k]) / nTrain, p = Double(testCount[k]) / nTest
            accuracy += p * q
            if testCount[k] > 0 {
                supported += 1
                f1Sum += p + q > 0 ? 2 * p * q / (p + q) : 0
            }
        }
        fields.append(("prior_rate", .object([("accuracy", .num(accuracy)), ("macro_f1", .num(supported > 0 ? f1Sum / Double(supported) : 0)),
                                              ("note", .string("expected score of a class drawn at the train class frequencies"))])))
        return .object(fields)
    }

    /// `Counter(values).most_common(1)[0][0]`: the most frequent value, ties to the first seen.
    static func mostCommonFirst(_ values: [Int]) -> Int? {
        var counts: [Int: Int] = [:], order: [Int] = []
        for v in values {
            if counts[v] == nil { order.append(v) }
            counts[v, default: 0] += 1
        }
        var best: Int?
        for v in order where best == nil || counts[v]! > counts[best!]! { best = v }
        return best
    }

    // MARK: Files

    /// `per_class_metrics.csv` as the baselines write it (`csv.DictWriter`, `\n` line ends):
    /// `class_id,class_name,support,predicted,precision,recall,f1`.
    public static func perClassCSV(_ report: ClassificationReport?, classNames: [String]) -> String {
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(["class_id", "class_name", "support", "predicted", "precision", "recall", "f1"])
        if let report {
            for m in report.perClass {
                csv.writeRow([String(m.classId), m.className, String(m.support), String(m.predicted),
                              pythonFloatRepr(m.precision), pythonFloatRepr(m.recall), pythonFloatRepr(m.f1)])
            }
        } else {
            for (i, n) in classNames.enumerated() { csv.writeRow([String(i), n, "0", "0", "0.0", "0.0", "0.0"]) }
        }
        return csv.text
    }

    /// `confusion_matrix.csv`: header `true\pred` and every class name, then one row per
    /// true class (`\n` line ends).
    public static func confusionCSV(_ report: ClassificationReport?, classNames: [String]) -> String {
        var out = CSVWriter.row(["true\\pred"] + classNames, lineTerminator: .lf)
        out.reserveCapacity(classNames.count * classNames.count * 2)
        let zeros = [Int](repeating: 0, count: classNames.count)
        for (k, name) in classNames.enumerated() {
            let row = report?.confusion.counts[k] ?? zeros
            out += CSVWriter.field(name)
            for v in row { out += ","; out += String(v) }
            out += "\n"
        }
        return out
    }

    /// The strict protocol's sparse confusion matrix: `true,predicted,count` for the non-zero
    /// cells, rows in class-id order (a 1,187-class dense matrix is 1.4 M cells of zeros).
    public static func sparseConfusionCSV(_ report: ClassificationReport?, classNames: [String]) -> String {
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(["true_label", "predicted_label", "count"])
        guard let report else { return csv.text }
        for (t, row) in report.confusion.counts.enumerated() {
            for (p, v) in row.enumerated() where v > 0 { csv.writeRow([classNames[t], classNames[p], String(v)]) }
        }
        return csv.text
    }
}

/// CSV cells as Python's `csv` module prints values: floats by `repr`, ints bare, None empty.
enum PyCell {
    static func float(_ v: Double?) -> String { v.map(pythonFloatRepr) ?? "" }
    static func float32(_ v: Float) -> String { pythonFloatRepr(Double(v)) }
}

/// `csv.DictWriter(..., lineterminator="\n")` of rows with the given columns.
func lfCSV(_ header: [String], _ rows: [[String]]) -> String {
    var csv = CSVWriter(lineTerminator: .lf)
    csv.writeRow(header)
    for r in rows { csv.writeRow(r) }
    return csv.text
}
