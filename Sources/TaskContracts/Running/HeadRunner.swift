import Foundation
import Heads
import Metrics
import WindowAlign
import XPCore

/// How the heads are configured for a run.
public struct HeadSettings: Sendable, Equatable {
    /// Minimal softmax head (tasks 1–4, 6, 11, 12).
    public var softmax: LinearHeadConfig = .softmaxDefault
    /// Minimal multi-label head (task 7).
    public var multiLabel: LinearHeadConfig = .multiLabelDefault
    /// The neural head.
    public var mlp: MLPConfig = MLPConfig()
    /// Ridge penalty of the minimal regression and projection heads.
    public var ridgeLambda: Double = 10
    /// When the split has validation samples (the validation episodes of a held-out-episode
    /// split), the MLP stops early on them and keeps its best epoch (patience from
    /// `mlp.earlyStopping`, else 10 epochs).
    public var earlyStoppingOnValidationSplit = false
    public init() {}

    /// The defaults of `protocol`. Both train the MLP for up to 80 epochs. `strict` stops
    /// early on validation episodes when the split has them; on a single episode there are
    /// none, and it does not carve a tail out of train instead: the chronological tail is a
    /// different activity, and selecting on it stopped at epoch 3 and underfit every task.
    /// The reference never stops early.
    public static func defaults(for p: SuiteProtocol) -> HeadSettings {
        var s = HeadSettings()
        s.earlyStoppingOnValidationSplit = p == .strict
        return s
    }
}

/// The output of one head on one task: test-set predictions plus what was learned.
public struct HeadPredictions: Sendable {
    public var task: TaskID
    public var head: HeadKind
    public var seed: UInt64
    /// Sample rows (into the problem) that were scored, in order.
    public var testRows: [Int]
    /// Classification: predicted class per test row, its probability, and P(class 1) when two classes.
    public var predictedClass: [Int] = []
    public var confidence: [Float] = []
    public var probabilityOfClass1: [Float] = []
    /// Multi-label decisions per test row.
    public var predictedLabels: [[Bool]] = []
    /// Regression or projection outputs, test rows × targets.
    public var values: Matrix?
    public var trainFinalLoss: Double?
    public var trainFinalAccuracy: Double?
    public var history: [EpochRecord] = []
    /// The MLP's kept epoch when it stopped early on the validation split.
    public var bestEpoch: Int?
    /// Validation samples the MLP stopped early on (0 when it did not).
    public var validationSamples = 0
    /// The model and its standardiser as a safetensors archive.
    public var model: SafetensorsArchive?
    /// Target statistics over train (for strict retrieval and reconstruction in z-space).
    public var targetMean: [Float] = []
    public var targetStd: [Float] = []
    /// Strict: the target standardiser fitted on the training targets (constant columns
    /// dropped, std floored, z clipped), in which retrieval and reconstruction are scored.
    public var targetScaler: Standardiser?
    /// P(class 1) of the two-class heads on each of the `extraInputs` passed to ``HeadRunner/run(_:head:seed:settings:shuffleTrainLabels:extraInputs:)``
    /// (the strict controls), in order.
    public var extraProbabilityOfClass1: [[Float]] = []
}

/// Trains one head on a problem and predicts its test rows.
public enum HeadRunner {
    /// Trains `head` on `problem`'s train rows with `seed` and predicts its test rows.
    /// `shuffleTrainLabels` permutes the training targets (a control: a head that still beats
    /// its baseline then is reading structure it should not).
    /// `extraInputs`: further rows in the problem's input layout (unstandardised) that the
    /// trained two-class head also scores, into `extraProbabilityOfClass1` (the controls).
    public static func run(_ problem: TaskProblem, head: HeadKind, seed: UInt64, settings: HeadSettings,
                           shuffleTrainLabels: Bool = false, extraInputs: [Matrix] = []) throws -> HeadPredictions {
        let p = problem.contract.suiteProtocol
        // Samples whose targets are invalid (strict: an undetected hand in the forecast
        // horizon) train nothing; they still count as train rows in the split and audit.
        let train = problem.fitRows
        let test = problem.testRows
        let mode: Standardiser.Mode = p == .reference ? .reference : .strict(.init(blocks: problem.inputBlocks))
        let scaler = try Standardiser.fit(problem.x, rows: train, mode: mode)
        let xTrain = try scaler.transform(problem.x.gatherRows(train))
        let xTest = try scaler.transform(problem.x.gatherRows(test))
        var out = HeadPredictions(task: problem.contract.task, head: head, seed: seed, testRows: test)
        var permutation = Array(0..<train.count)
        if shuffleTrainLabels {
            var rng = SeededGenerator(seed: seed &+ 0x5EED)
            permutation = rng.permutation(train.count)
        }
        let trainTargetRows = permutation.map { train[$0] }
        // The validation split, standardised with the train statistics, for the MLP's early stop.
        let validationRows = head == .neural && settings.earlyStoppingOnValidationSplit ? problem.validationRows : []
        let xValidation = validationRows.isEmpty ? nil : try scaler.transform(problem.x.gatherRows(validationRows))
        func neuralValidation(_ targets: () throws -> MLPTargets) throws -> MLPValidation? {
            guard let xValidation else { return nil }
            return MLPValidation(x: xValidation, targets: try targets())
        }
        func keep(_ model: MLP) {
            out.history = model.history
            out.bestEpoch = model.bestEpoch
            out.validationSamples = model.bestEpoch == nil ? 0 : validationRows.count
        }

        switch problem.targets {
        case let .classes(ids, names):
            let yTrain = trainTargetRows.map { ids[$0] }
            let c = names.count
            let proba: Matrix
            var extraProba: [Matrix] = []
            switch head {
            case .minimal:
                var config = settings.softmax
                config.seed = seed
                let model = try SoftmaxRegression.train(x: xTrain, labels: yTrain, classCount: c, config: config)
                proba = try model.predictProba(xTest)
                extraProba = try extraInputs.map { try model.predictProba(try scaler.transform($0)) }
                out.history = model.history
                out.model = try model.archive(classNames: names, standardiser: scaler)
            case .neural:
                var config = settings.mlp
                config.seed = seed
                let model = try MLP.train(x: xTrain, targets: .classes(yTrain, classCount: c), config: config,
                                          validation: neuralValidation { .classes(validationRows.map { ids[$0] }, classCount: c) })
                proba = try model.predictProba(xTest)
                extraProba = try extraInputs.map { try model.predictProba(try scaler.transform($0)) }
                keep(model)
                out.model = try model.archive(classNames: names, standardiser: scaler)
            }
            let cls = proba.argmaxPerRow()
            out.predictedClass = cls
            out.confidence = cls.enumerated().map { proba[$0.offset, $0.element] }
            if c == 2 { out.probabilityOfClass1 = (0..<proba.rows).map { proba[$0, 1] } }
            if c == 2 { out.extraProbabilityOfClass1 = extraProba.map { pr in (0..<pr.rows).map { pr[$0, 1] } } }
        case let .multiLabel(rows, vocab):
            let y = try Matrix(rows: train.count, cols: vocab.count,
                               storage: trainTargetRows.flatMap { rows[$0].map { $0 ? Float(1) : 0 } })
            let decided: Matrix
            switch head {
            case .minimal:
                var config = settings.multiLabel
                config.seed = seed
                let model = try MultiLabelLogistic.train(x: xTrain, targets: y, config: config)
                decided = try model.predict(xTest)
                out.history = model.history
                out.model = try model.archive(classNames: vocab, standardiser: scaler)
            case .neural:
                var config = settings.mlp
                config.seed = seed
                let model = try MLP.train(x: xTrain, targets: .multiLabel(y), config: config, validation: neuralValidation {
                    .multiLabel(try Matrix(rows: validationRows.count, cols: vocab.count,
                                           storage: validationRows.flatMap { rows[$0].map { $0 ? Float(1) : 0 } }))
                })
                decided = try model.predictLabels(xTest)
                keep(model)
                out.model = try model.archive(classNames: vocab, standardiser: scaler)
            }
            out.predictedLabels = (0..<decided.rows).map { r in decided.row(r).map { $0 >= 0.5 } }
        case let .values(y):
            let yTrain = try y.gatherRows(trainTargetRows)
            let (m, s) = columnMoments(yTrain)
            out.targetMean = m.map { Float($0) }
            out.targetStd = s.map { $0 < 1e-6 ? Float(1) : Float($0) }
            // Strict: with every train column constant (a one-caption text block) there is
            // nothing to standardise; scoring then keeps the plain z-units and says so.
            if p == .strict, let scaler = try? Standardiser.fit(y, rows: train, mode: .strict(.init())), !scaler.keptColumns.isEmpty {
                out.targetScaler = scaler
            }
            switch head {
            case .minimal:
                let model = p == .reference
                    ? try RidgeRegression.fitReference(x: xTrain, y: yTrain, lambda: Float(settings.ridgeLambda))
                    : try RidgeRegression.fitStrict(x: xTrain, y: yTrain, lambda: settings.ridgeLambda)
                out.values = try model.predict(xTest)
                out.model = try model.archive(standardiser: scaler)
            case .neural:
                var config = settings.mlp
                config.seed = seed
                let model = try MLP.train(x: xTrain, targets: .regression(yTrain), config: config,
                                          validation: neuralValidation { .regression(try y.gatherRows(validationRows)) })
                out.values = try model.predictValues(xTest)
                keep(model)
                out.model = try model.archive(standardiser: scaler)
            }
        }
        if let last = out.history.last {
            out.trainFinalLoss = last.loss
            out.trainFinalAccuracy = last.accuracy
        }
        return out
    }
}

/// Column means and population stds of a matrix, accumulated in Float64.
func columnMoments(_ x: Matrix) -> (mean: [Double], std: [Double]) {
    let n = x.rows, d = x.cols
    var sum = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
    x.storage.withUnsafeBufferPointer { p in
        for i in 0..<n { for j in 0..<d { sum[j] += Double(p[i * d + j]) } }
        let mean = sum.map { $0 / Double(max(n, 1)) }
        for i in 0..<n { for j in 0..<d { let e = Double(p[i * d + j]) - mean[j]; sq[j] += e * e } }
        sum = mean
    }
    return (sum, sq.map { ($0 / Double(max(n, 1))).squareRoot() })
}
