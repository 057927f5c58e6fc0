import Foundation
import XPCore
import Heads
import Metrics

/// Scoring shared by the single-label classification tasks (1, 2, 3, 4, 6): the reference's
/// metrics, the majority-class baseline, the strict seen-class metrics and the per-class,
/// confusion and per-window CSVs.
enum ClassificationScoring {
    /// The metric names of the contract, primary first.
    static let metrics = ["macro_f1", "accuracy", "balanced_accuracy", "weighted_f1", "majority_baseline_accuracy"]
    /// The files written beside metrics.json.
    static let artifacts = ["metrics.json", "per_class_metrics.csv", "confusion_matrix.csv", "predictions.csv", "model.safetensors"]
    /// The reference's neural `head` string.
    static let neuralHead = "z-score -> MLP softmax"

    /// Scores the predicted classes with macro-F1 as the primary metric. `extra` adds a
    /// task's own keys and files after the shared keys (task 3: boundary F1).
    static func score(_ s: TaskScoring, extra: ((inout TaskScoreParts) throws -> Void)? = nil) throws -> TaskScoreParts {
        guard case let .classes(ids, names) = s.problem.targets else { throw s.wrongTargets("classes") }
        let predictions = s.predictions, test = s.test, train = s.train, strict = s.strict
        var parts = TaskScoreParts()
        let truth = test.map { ids[$0] }
        let trainTruth = train.map { ids[$0] }
        let pred = predictions.predictedClass
        let report = try classificationMetrics(truth: truth, predicted: pred, classNames: names, trainTruth: trainTruth)
        let m = report.metrics
        parts.fields += [("accuracy", .num(m.accuracy)), ("balanced_accuracy", .num(m.balancedAccuracy)), ("macro_f1", .num(m.macroF1)),
                         ("weighted_f1", .num(m.weightedF1)), ("num_eval_windows", .int(m.numEvalWindows)), ("num_classes", .int(m.numClasses))]
        parts.fields += s.header(.windows)
        parts.fields += [("feature_dim", .int(s.featureDim)), ("majority_baseline_accuracy", .num(m.majorityBaselineAccuracy)),
                         ("train_final_accuracy", .num(predictions.trainFinalAccuracy)), ("train_final_loss", .num(predictions.trainFinalLoss)),
                         ("unseen_test_classes", .array((m.unseenTestClasses ?? []).map { .string($0) }))]
        parts.primary = m.macroF1
        // Majority-class baseline with the same metric.
        let majority = Statistics.mostCommon(trainTruth) ?? 0
        let base = try classificationMetrics(truth: truth, predicted: truth.map { _ in majority }, classNames: names, trainTruth: trainTruth)
        parts.baselines.append(BaselineScore(name: "majority_class", value: base.metrics.macroF1))
        parts.baselines.append(BaselineScore(name: "majority_class_accuracy", value: base.metrics.accuracy, metric: "accuracy"))
        if strict {
            let prior = priorRateBaseline(truth: truth, trainTruth: trainTruth, classCount: names.count)
            parts.baselines.append(BaselineScore(name: "prior_rate", value: prior.macroF1))
            parts.baselines.append(BaselineScore(name: "prior_rate_accuracy", value: prior.accuracy, metric: "accuracy"))
            parts.fields += [("seen_class_accuracy", .num(m.seenClassAccuracy)), ("seen_class_macro_f1", .num(m.seenClassMacroF1)),
                             ("unseen_class_ceiling", .num(m.unseenClassCeiling)), ("num_seen_class_windows", .int(m.numSeenClassWindows ?? 0))]
        }
        try extra?(&parts)
        // The label runs of the truth are the dependence blocks (one action lasts many windows).
        parts.segments = truth
        parts.resampled.insert(ResampledMetric(key: "primary") { idx in
            try? classificationMetrics(truth: idx.map { truth[$0] }, predicted: idx.map { pred[$0] }, classNames: names).metrics.macroF1
        }, at: 0)
        parts.files.append(("per_class_metrics.csv", Data(report.perClassCSV().utf8)))
        parts.files.append(("confusion_matrix.csv", Data(report.confusion.csv().utf8)))
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(s.episodeHeader + ["window_index", "start_frame", "end_frame", "center_frame", "true_label", "predicted_label", "confidence", "correct"])
        for (k, row) in test.enumerated() {
            let wi = s.window(row)
            csv.writeRow(s.episodeColumn(row) + [String(wi.index), String(wi.start), String(wi.end), String(wi.center), names[truth[k]],
                                                 names[pred[k]], "\(Double(predictions.confidence[k]))", truth[k] == pred[k] ? "1" : "0"])
        }
        parts.files.append(("predictions.csv", Data(csv.text.utf8)))
        return parts
    }
}

/// The expected score of guessing each class at its train frequency: class c is predicted
/// with probability p_c (train share) on a test set where it has share q_c, so its expected
/// precision is q_c and recall p_c; F1_c = 2·p_c·q_c/(p_c + q_c), averaged over the classes
/// present in the test truth (the macro average of the primary metric); accuracy Σ p_c·q_c.
func priorRateBaseline(truth: [Int], trainTruth: [Int], classCount: Int) -> (macroF1: Double, accuracy: Double) {
    guard !truth.isEmpty, !trainTruth.isEmpty, classCount > 0 else { return (0, 0) }
    var p = [Double](repeating: 0, count: classCount), q = [Double](repeating: 0, count: classCount)
    for t in trainTruth where t >= 0 && t < classCount { p[t] += 1 / Double(trainTruth.count) }
    for t in truth where t >= 0 && t < classCount { q[t] += 1 / Double(truth.count) }
    let present = (0..<classCount).filter { q[$0] > 0 }
    let f1 = present.map { c in p[c] + q[c] > 0 ? 2 * p[c] * q[c] / (p[c] + q[c]) : 0 }
    return (f1.reduce(0, +) / Double(max(present.count, 1)), zip(p, q).reduce(0) { $0 + $1.0 * $1.1 })
}
