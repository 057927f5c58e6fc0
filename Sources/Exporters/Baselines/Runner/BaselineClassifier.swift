import Foundation
import Heads
import TaskContracts
import XPCore

/// Train, validation and test rows of a baseline table (rows whose split is none of these,
/// such as `unspecified`, are in no split, as in the reference's `split_indices`).
public struct BaselineSplits: Sendable, Equatable {
    public var train: [Int]
    public var val: [Int]
    public var test: [Int]

    public init(train: [Int], val: [Int], test: [Int]) {
        self.train = train
        self.val = val
        self.test = test
    }

    /// Rows by their split name (`train`, `val`, `test`).
    public init(splits: [String]) {
        var t: [Int] = [], v: [Int] = [], s: [Int] = []
        for (i, name) in splits.enumerated() {
            switch name {
            case "train": t.append(i)
            case "val": v.append(i)
            case "test": s.append(i)
            default: break
            }
        }
        self.init(train: t, val: v, test: s)
    }

    public var counts: [(String, Int)] { [("train", train.count), ("val", val.count), ("test", test.count)] }
}

/// The settings of one classification baseline.
public struct ClassifierSettings: Sendable {
    /// Full-batch epochs of the softmax (80 in the published metadata run, 220 dense).
    public var epochs: Int
    public var learningRate: Float = 0.16
    public var l2: Float = 2e-3
    /// Seed of the softmax initialisation and of the MLP (7 metadata, 11 dense).
    public var seed: UInt64
    /// Above this many train classes the centroid model replaces the softmax.
    public var softmaxMaxTrainClasses = 256
    /// The neural MLP's configuration; nil runs no neural model.
    public var neural: MLPConfig?

    public init(epochs: Int, seed: UInt64, neural: MLPConfig?) {
        self.epochs = epochs
        self.seed = seed
        self.neural = neural
    }

    /// The MLP of the baselines: the suite's two-hidden-layer network with the given width,
    /// epochs and batch, AdamW 1e-3 / 1e-4, dropout 0.1, class-weighted loss.
    public static func mlp(hidden: Int, epochs: Int, batch: Int, seed: UInt64) -> MLPConfig {
        var c = MLPConfig()
        c.hidden = hidden
        c.epochs = epochs
        c.batchSize = batch
        c.learningRate = 1e-3
        c.weightDecay = 1e-4
        c.dropout = 0.1
        c.seed = seed
        c.classWeighting = true
        return c
    }

    /// The softmax's gradient-descent configuration (history at epoch 1, every epochs/10, last).
    var linear: LinearHeadConfig {
        LinearHeadConfig(epochs: epochs, learningRate: learningRate, l2: l2, seed: seed, classWeighting: true,
                         historyInterval: max(1, epochs / 10))
    }
}

/// The simple model of a classification baseline.
public enum SimpleClassifier: Sendable {
    case softmax(SoftmaxRegression)
    case centroid(CentroidClassifier)

    /// `softmax` or `centroid` (the `model_family` is `simple_<kind>_<source>`).
    public var kind: String {
        switch self {
        case .softmax: return "softmax"
        case .centroid: return "centroid"
        }
    }

    /// Predicted class and confidence per row, in chunks of 8,192 rows.
    public func predict(_ x: Matrix) throws -> (classes: [Int], confidence: [Float]) {
        switch self {
        case .centroid(let c): return try c.predict(x)
        case .softmax(let s):
            var classes: [Int] = [], confidence: [Float] = []
            var start = 0
            while start < x.rows {
                let end = min(start + 8192, x.rows)
                let (c, p) = try s.predict(x.gatherRows(start..<end))
                classes += c
                confidence += p
                start = end
            }
            return (classes, confidence)
        }
    }
}

/// One fitted classification baseline: the train-first classes, the train-only standardiser,
/// the simple model, and (when configured) the neural MLP's test predictions.
public struct ClassificationBaseline: Sendable {
    public var encoding: TrainFirstEncoding
    public var standardiser: Standardiser
    /// All rows, standardised with the train statistics.
    public var standardised: Matrix
    public var simple: SimpleClassifier
    /// `history` of metrics.json: the softmax's epochs, or the centroid's one-line record.
    public var simpleHistory: JSONValue
    public var simpleSeconds: Double
    public var neural: NeuralResult?

    public struct NeuralResult: Sendable {
        public var model: MLP?
        public var testClasses: [Int]
        public var testConfidence: [Float]
        public var history: JSONValue
        public var seconds: Double
        /// Set when training failed (the reference then writes `status: failed`).
        public var error: String?
    }

    /// Fits the simple model on the train rows of `x` (standardised with train statistics,
    /// std < 1e-6 → 1): the softmax when K_train ≤ `softmaxMaxTrainClasses`, else the centroid
    /// model. With `settings.neural`, also trains the MLP on the train rows and predicts `test`.
    public static func fit(x: Matrix, labels: [String], splits: BaselineSplits, settings: ClassifierSettings,
                           centroidReason: (Int) -> String) throws -> ClassificationBaseline {
        guard !splits.train.isEmpty else { throw ExportError.invalidOption("no train rows: a baseline needs a train split") }
        let encoding = TrainFirstEncoding(labels, trainRows: splits.train)
        let standardiser = try Standardiser.fit(x, rows: splits.train, mode: .reference)
        let xs = try standardiser.transform(x)
        let k = encoding.trainClassCount
        let start = Date()
        let simple: SimpleClassifier
        let history: JSONValue
        if k <= settings.softmaxMaxTrainClasses {
            let model = try SoftmaxRegression.train(x: xs.gatherRows(splits.train), labels: splits.train.map { encoding.ids[$0] },
                                                    classCount: k, config: settings.linear)
            simple = .softmax(model)
            history = .array(model.history.map { .object([("epoch", .int($0.epoch)), ("loss", .num($0.loss)), ("train_accuracy", .num($0.accuracy))]) })
        } else {
            simple = .centroid(CentroidClassifier.fit(x: xs, labels: encoding.ids, trainRows: splits.train, classCount: k))
            history = .array([.object([("method", .string("train_class_centroid_cosine")), ("reason", .string(centroidReason(k)))])])
        }
        var out = ClassificationBaseline(encoding: encoding, standardiser: standardiser, standardised: xs, simple: simple,
                                         simpleHistory: history, simpleSeconds: Date().timeIntervalSince(start), neural: nil)
        if let config = settings.neural {
            out.neural = neural(xs: xs, ids: encoding.ids, classCount: k, splits: splits, config: config)
        }
        return out
    }

    /// The MLP on the standardised rows: trained on train, predicting test. A failure is kept
    /// as the result's `error` (the reference records `status: failed` and carries on).
    static func neural(xs: Matrix, ids: [Int], classCount: Int, splits: BaselineSplits, config: MLPConfig) -> NeuralResult {
        let start = Date()
        do {
            let model = try MLP.train(x: xs.gatherRows(splits.train), targets: .classes(splits.train.map { ids[$0] }, classCount: classCount), config: config)
            let (c, p) = splits.test.isEmpty ? ([], []) : try model.predictClasses(xs.gatherRows(splits.test))
            return NeuralResult(model: model, testClasses: c, testConfidence: p, history: mlpHistory(model.history, accuracy: true),
                                seconds: Date().timeIntervalSince(start), error: nil)
        } catch {
            return NeuralResult(model: nil, testClasses: [], testConfidence: [], history: .array([]), seconds: Date().timeIntervalSince(start), error: "\(error)")
        }
    }

    /// The MLP history as the reference writes it: `{epoch, loss[, train_accuracy]}`.
    static func mlpHistory(_ h: [EpochRecord], accuracy: Bool) -> JSONValue {
        .array(h.map { r in
            var f: [(String, JSONValue)] = [("epoch", .int(r.epoch)), ("loss", .num(r.loss))]
            if accuracy { f.append(("train_accuracy", .num(r.accuracy))) }
            return .object(f)
        })
    }

    /// The `model.npz` of the simple model: softmax `mean, std, W, b, class_names`; centroid
    /// `mean, std, centroids, priors, class_names`; then `train_class_count` when asked (the
    /// metadata script writes it, the dense one does not). `class_names` is a NumPy unicode
    /// array (`<U…`), which loads with plain `np.load`; the reference saved a pickled object
    /// array that needs `allow_pickle=True`.
    public func modelArchive(trainClassCount: Bool) throws -> NPZArchive {
        var npz = NPZArchive()
        let d = standardiser.inputColumns
        try npz.add("mean", float32: standardiser.mean, shape: [d])
        try npz.add("std", float32: standardiser.scale, shape: [d])
        switch simple {
        case .softmax(let s):
            try npz.add("W", float32: s.weights.storage, shape: [s.weights.rows, s.weights.cols])
            try npz.add("b", float32: s.bias, shape: [s.bias.count])
        case .centroid(let c):
            try npz.add("centroids", float32: c.centroids.storage, shape: [c.centroids.rows, c.centroids.cols])
            try npz.add("priors", float32: c.priors, shape: [c.priors.count])
        }
        try npz.add("class_names", strings: encoding.classNames)
        if trainClassCount { try npz.add("train_class_count", int64: [Int64(encoding.trainClassCount)], shape: []) }
        return npz
    }
}
