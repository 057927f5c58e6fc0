import Foundation
import XPCore
import Heads
import Metrics

/// Scoring shared by the two-class pair tasks (11, 12): binary F1 as the primary metric (AUROC
/// in strict), the coin-flip, always-positive and chance-accuracy baselines (strict: also
/// always-negative and prior-rate, in both metrics), and one CSV row per pair.
enum BinaryPairScoring {
    /// The metric names of the contract, primary first.
    static let metrics = ["f1", "accuracy", "precision", "recall"]
    /// The files written beside metrics.json.
    static let artifacts = ["metrics.json", "predictions.csv", "model.safetensors"]
    /// The reference's neural `head` string.
    static let neuralHead = "z-score -> MLP binary softmax"
    /// The class names: the label is 1 for the true pair (in order, aligned), 0 for the other.
    static let classNames = ["0", "1"]

    static func score(_ s: TaskScoring) throws -> TaskScoreParts {
        guard case let .classes(ids, _) = s.problem.targets else { throw s.wrongTargets("classes") }
        let predictions = s.predictions, test = s.test, strict = s.strict
        var parts = TaskScoreParts()
        let truth = test.map { ids[$0] }
        let pred = predictions.predictedClass
        let scores = predictions.probabilityOfClass1.map(Double.init)
        let b = try binaryMetrics(truth: truth, predicted: pred, scores: strict && scores.count == truth.count ? scores : nil)
        parts.fields += [("accuracy", .num(b.accuracy)), ("precision", .num(b.precision)), ("recall", .num(b.recall)), ("f1", .num(b.f1)),
                         ("tp", .int(b.tp)), ("tn", .int(b.tn)), ("fp", .int(b.fp)), ("fn", .int(b.fn)),
                         ("positive_rate_true", .num(b.positiveRateTrue)), ("positive_rate_pred", .num(b.positiveRatePred))]
        parts.fields += s.header(.samples)
        if predictions.head == .neural { parts.fields.append(("feature_dim", .int(s.featureDim))) }
        parts.fields.append(("train_final_accuracy", .num(predictions.trainFinalAccuracy)))
        if strict { parts.fields.append(("auroc", .num(b.auroc))) }
        // A coin flip scores F1 = p/(p + 0.5) in expectation (precision p, recall 0.5).
        let p = b.positiveRateTrue
        if strict {
            // Strict: AUROC is primary (F1 rewards predicting one class: all-positive scores
            // 2p/(1 + p)); every constant or score-free rule ranks at chance, 0.5.
            parts.primary = b.auroc
            for name in ["always_positive", "always_negative", "prior_rate"] { parts.baselines.append(BaselineScore(name: name, value: 0.5)) }
            parts.baselines += [BaselineScore(name: "always_positive", value: 2 * p / (1 + p), metric: "f1"),
                                BaselineScore(name: "always_negative", value: 0, metric: "f1"),
                                // Positive with probability p: precision p, recall p.
                                BaselineScore(name: "prior_rate", value: p, metric: "f1"),
                                BaselineScore(name: "random_guess", value: p / (p + 0.5), metric: "f1"),
                                BaselineScore(name: "chance_accuracy", value: max(p, 1 - p), metric: "accuracy")]
            let sc = scores.count == truth.count ? scores : pred.map(Double.init)
            parts.resampled.append(ResampledMetric(key: "primary") { idx in
                try? auroc(truth: idx.map { truth[$0] }, scores: idx.map { sc[$0] })
            })
        } else {
            parts.primary = b.f1
            parts.baselines.append(BaselineScore(name: "random_guess", value: p / (p + 0.5)))
            parts.baselines.append(BaselineScore(name: "always_positive", value: 2 * p / (1 + p)))
            parts.baselines.append(BaselineScore(name: "chance_accuracy", value: max(p, 1 - p), metric: "accuracy"))
            parts.resampled.append(ResampledMetric(key: "primary") { idx in
                try? binaryMetrics(truth: idx.map { truth[$0] }, predicted: idx.map { pred[$0] }).f1
            })
        }
        // A pair spans two windows: blocks are at least twice as long.
        parts.pairBlocks = true
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(["sample_index", "true", "predicted", "prob_positive"])
        for (k, row) in test.enumerated() {
            let prob = k < predictions.probabilityOfClass1.count ? Double(predictions.probabilityOfClass1[k]) : Double(pred[k])
            csv.writeRow(["\(row)", "\(truth[k])", "\(pred[k])", "\(prob)"])
        }
        parts.files.append(("predictions.csv", Data(csv.text.utf8)))
        return parts
    }
}
