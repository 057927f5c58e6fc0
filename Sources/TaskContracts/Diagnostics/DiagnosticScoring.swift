import Foundation
import Heads
import Metrics
import WindowAlign
import XPCore

/// One diagnostic score: the reference's ablation metric columns (`analysis-and-report.md`
/// §5.2) with the trivial baseline scored the same way beside it.
public struct DiagnosticScore: Sendable, Equatable {
    /// `score`: macro-F1 (classification and pairs), micro-F1 (objects), MRR (retrieval) or
    /// 1/(1 + MAE) (regression, MAE in z units), so that higher is better for every task.
    public var score: Double
    /// The metric name behind `score` (`macro_f1`, `micro_f1`, `mrr`, `mae`).
    public var primaryMetric: String
    /// The metric itself (MAE for regression, else `score`).
    public var primaryValue: Double
    /// Metric columns by reference name (`accuracy`, `mse`, `top5_accuracy`, ...).
    public var metrics: [String: Double] = [:]
    public var numClasses: Int?
    /// Test classes never seen in train, in class-id order.
    public var unseenTestClasses: [String]?
    public var numObjects: Int?
    public var numQueries: Int?
    public var numTrain: Int
    public var numTest: Int
    /// The trivial predictor (`majority_class`, `chance`, `label_frequency`, `train_mean`)
    /// scored as `score` is.
    public var baselineName: String
    public var baselineScore: Double
}

/// Scores ridge predictions on a problem's test rows with the ablation metrics of the
/// protocol: the reference's (macro-F1 over the union of true and predicted classes, exact
/// diagonal retrieval) or strict's (macro-F1 over supported classes, retrieval positives
/// within ± the tolerance in the same episode, caption groups for grounding).
enum DiagnosticScoring {
    static func score(problem: TaskProblem, test: [Int], predicted: Matrix, zTargets: Matrix?, model: DiagnosticModel,
                      parameters: TaskParameters) throws -> DiagnosticScore {
        let p = problem.contract.suiteProtocol
        let train = problem.trainRows
        switch problem.targets {
        case let .classes(ids, names):
            let truth = test.map { ids[$0] }
            let pred = predicted.argmaxPerRow()
            let macro: MacroAverage = p == .reference ? .trueOrPredictedClasses : .supportedClasses
            let trainTruth = train.map { ids[$0] }
            let report = try classificationMetrics(truth: truth, predicted: pred, classNames: names, trainTruth: trainTruth, macroAverage: macro)
            let m = report.metrics
            let trainSet = Set(trainTruth)
            var unseen: [Int] = []
            for t in truth where !trainSet.contains(t) && !unseen.contains(t) { unseen.append(t) }
            // Baseline: the train majority class for every test row; a pair task is balanced
            // by construction, where a coin flip (macro-F1 0.5) is the stronger trivial rule.
            let majority = Statistics.mostCommon(trainTruth) ?? 0
            let base = try classificationMetrics(truth: truth, predicted: [Int](repeating: majority, count: truth.count), classNames: names,
                                                 macroAverage: macro).metrics.macroF1
            let pairs = problem.contract.task.kind == .binaryPairs
            let baseline = pairs && base < 0.5 ? ("chance", 0.5) : ("majority_class", base)
            return DiagnosticScore(score: m.macroF1, primaryMetric: "macro_f1", primaryValue: m.macroF1,
                                   metrics: ["accuracy": m.accuracy, "macro_f1": m.macroF1, "balanced_accuracy": m.balancedAccuracy],
                                   numClasses: names.count, unseenTestClasses: unseen.sorted().map { names[$0] },
                                   numTrain: train.count, numTest: test.count, baselineName: baseline.0, baselineScore: baseline.1)
        case let .multiLabel(rows, vocab):
            let truth = test.map { rows[$0] }
            let pred = (0..<predicted.rows).map { r -> [Bool] in
                let row = Array(predicted.row(r))
                var on = row.map { $0 >= 0.5 }
                // At least one label: the highest score when none passes the threshold.
                if !on.contains(true), let best = row.indices.max(by: { row[$0] < row[$1] }) { on[best] = true }
                return on
            }
            let m = try multiLabelMetrics(truth: truth, predicted: pred)
            let freq = try labelFrequencyBaseline(train: train.map { rows[$0] })
            let base = try multiLabelMetrics(truth: truth, predicted: [[Bool]](repeating: freq, count: truth.count)).microF1
            return DiagnosticScore(score: m.microF1, primaryMetric: "micro_f1", primaryValue: m.microF1,
                                   metrics: ["micro_f1": m.microF1, "macro_f1": m.macroF1, "exact_match": m.exactMatch,
                                             "precision": m.precision, "recall": m.recall],
                                   numObjects: vocab.count, numTrain: train.count, numTest: test.count,
                                   baselineName: "label_frequency", baselineScore: base)
        case .values:
            guard let z = zTargets else { throw SuiteError.shapeMismatch(what: "diagnostic targets", expected: "z-scored values", found: "none") }
            if problem.contract.task.kind == .retrieval {
                return try retrieval(problem: problem, test: test, predicted: predicted, candidates: z, parameters: parameters)
            }
            let truth = z.storage.map(Double.init), pred = predicted.storage.map(Double.init)
            let r = try regressionMetrics(truth: truth, predicted: pred, columns: z.cols)
            // The train-mean predictor is zero in z units.
            let base = try regressionMetrics(truth: truth, predicted: [Double](repeating: 0, count: truth.count), columns: z.cols)
            return DiagnosticScore(score: 1 / (1 + r.mae), primaryMetric: "mae", primaryValue: r.mae,
                                   metrics: ["mse": r.mse, "mae": r.mae, "r2": r.r2], numTrain: train.count, numTest: test.count,
                                   baselineName: "train_mean", baselineScore: 1 / (1 + base.mae))
        }
    }

    /// Retrieval: each prediction ranks the standardised test targets by cosine.
    static func retrieval(problem: TaskProblem, test: [Int], predicted: Matrix, candidates: Matrix,
                          parameters: TaskParameters) throws -> DiagnosticScore {
        let positives = retrievalPositives(problem: problem, test: test, parameters: parameters)
        let ranks = try retrievalRanks(queries: predicted.storage, candidates: candidates.storage, dimension: candidates.cols, positives: positives)
        let m = try retrievalMetrics(ranks: ranks, candidates: test.count)
        let chance = try positives.map { try RetrievalMetrics.chance(candidates: test.count, positivesPerQuery: $0.map(\.count)).mrr }
            ?? RetrievalMetrics.chance(candidates: test.count).mrr
        return retrievalScore(m, numTrain: problem.trainRows.count, numTest: test.count, chance: chance)
    }

    static func retrievalScore(_ m: RetrievalMetrics, numTrain: Int, numTest: Int, chance: Double) -> DiagnosticScore {
        DiagnosticScore(score: m.mrr, primaryMetric: "mrr", primaryValue: m.mrr,
                        metrics: ["mrr": m.mrr, "top1_accuracy": m.top1Accuracy, "top5_accuracy": m.top5Accuracy,
                                  "top10_accuracy": m.top10Accuracy, "median_rank": m.medianRank, "mean_rank": m.meanRank],
                        numQueries: m.numQueries, numTrain: numTrain, numTest: numTest, baselineName: "chance", baselineScore: chance)
    }

    /// nil in `reference` (the positive of query i is candidate i); in `strict`, the test
    /// rows of the same episode within ± the tolerance, and for caption grounding also every
    /// row with the same caption text.
    static func retrievalPositives(problem: TaskProblem, test: [Int], parameters: TaskParameters) -> [[Int]]? {
        guard problem.contract.suiteProtocol == .strict else { return nil }
        let tol = parameters.retrievalToleranceWindows
        let samples = problem.samples
        return test.map { q in
            let sq = samples[q]
            return test.indices.filter { j in
                let sj = samples[test[j]]
                if let g = problem.groups, g[q] == g[test[j]] { return true }
                return sj.episode == sq.episode && abs(sj.window - sq.window) <= tol
            }
        }
    }
}
