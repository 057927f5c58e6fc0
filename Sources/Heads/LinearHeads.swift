import CBLAS
import Foundation
import XPCore

/// One entry of a training history.
public struct EpochRecord: Sendable, Equatable, Codable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Training loss of that epoch (see each head for its definition).
    public var loss: Double
    /// Training accuracy, for classifiers.
    public var accuracy: Double?
    /// Loss on the validation slice, when early stopping is on.
    public var validationLoss: Double?

    /// A history entry.
    public init(epoch: Int, loss: Double, accuracy: Double?, validationLoss: Double? = nil) {
        self.epoch = epoch
        self.loss = loss
        self.accuracy = accuracy
        self.validationLoss = validationLoss
    }
}

/// Configuration of the full-batch gradient-descent heads (§3 of the task-suite spec).
public struct LinearHeadConfig: Sendable, Equatable, Codable {
    /// Number of full-batch steps.
    public var epochs: Int
    /// Step size.
    public var learningRate: Float
    /// L2 penalty on the weights (not the bias).
    public var l2: Float
    /// Seed of the N(0, 0.01²) weight initialisation.
    public var seed: UInt64
    /// Inverse-frequency class weights (softmax only); the reference always uses them.
    public var classWeighting: Bool
    /// History every this many epochs, plus epoch 1 and the last epoch.
    public var historyInterval: Int
    /// How the full-batch iteration is evaluated (the iterates are the same in exact arithmetic).
    public var solver: GradientDescentSolver

    /// The softmax defaults of the reference suite: 400 epochs, lr 0.12, l2 2e-3, seed 7.
    public static let softmaxDefault = LinearHeadConfig(epochs: 400, learningRate: 0.12, l2: 2e-3, seed: 7, classWeighting: true, historyInterval: 40, solver: .automatic)
    /// The multi-label defaults of the reference suite: 400 epochs, lr 0.05 (fixed), l2 2e-3, seed 7.
    public static let multiLabelDefault = LinearHeadConfig(epochs: 400, learningRate: 0.05, l2: 2e-3, seed: 7, classWeighting: true, historyInterval: 40)

    /// A configuration; see the static defaults for the reference values.
    public init(epochs: Int, learningRate: Float, l2: Float, seed: UInt64, classWeighting: Bool = true, historyInterval: Int = 40,
                solver: GradientDescentSolver = .automatic) {
        self.solver = solver
        self.epochs = epochs
        self.learningRate = learningRate
        self.l2 = l2
        self.seed = seed
        self.classWeighting = classWeighting
        self.historyInterval = historyInterval
    }

    func validate() throws {
        guard epochs >= 1 else { throw HeadsError.invalidParameter(name: "epochs", expected: "≥ 1", found: "\(epochs)") }
        guard learningRate.isFinite, learningRate > 0 else { throw HeadsError.invalidParameter(name: "learningRate", expected: "finite and > 0", found: "\(learningRate)") }
        guard l2.isFinite, l2 >= 0 else { throw HeadsError.invalidParameter(name: "l2", expected: "finite and ≥ 0", found: "\(l2)") }
        guard historyInterval >= 1 else { throw HeadsError.invalidParameter(name: "historyInterval", expected: "≥ 1", found: "\(historyInterval)") }
    }

    func recordsHistory(atEpoch epoch: Int) -> Bool {
        epoch == 1 || epoch % historyInterval == 0 || epoch == epochs
    }
}

/// How full-batch gradient descent on a linear model is evaluated.
///
/// Each step is `W ← (1 − lr·l2)·W − lr·XᵀG`, `b ← b − lr·ΣG`, with G computed from the logits
/// `XW + b`. Both solvers produce the same iterates in exact arithmetic.
public enum GradientDescentSolver: String, Sendable, Equatable, Codable {
    /// Two skinny GEMMs on X per epoch (`XW` and `XᵀG`), all in Float32, as the reference.
    case direct
    /// The kernel form: with `K = XXᵀ` computed once, the logits follow
    /// `S ← (1 − lr·l2)·S − lr·K·G` and W is formed once at the end from the decayed sum of the
    /// G's, `W_T = (1 − lr·l2)ᵀ·W₀ − lr·Xᵀ·Σ_t (1 − lr·l2)^(T−1−t)·G_t`. Per epoch this costs
    /// 2n²C instead of 4ndC flops, a large saving when n ≪ d (801 rows × 8,546 features).
    /// K·G runs in Float32 (like the direct form); the recurrences accumulate in Float64.
    case gram
    /// `gram` when its flop count (n²d once plus 2n²C per epoch) is below the direct one.
    case automatic

    /// The concrete solver for n rows, d features, c outputs and the given epochs.
    public func resolved(n: Int, d: Int, c: Int, epochs: Int) -> GradientDescentSolver {
        guard self == .automatic else { return self }
        let direct = Double(epochs) * 4 * Double(n) * Double(d) * Double(c)
        let gram = Double(n) * Double(n) * Double(d) + Double(epochs) * 2 * Double(n) * Double(n) * Double(c)
        return gram < direct ? .gram : .direct
    }
}

/// Full-batch gradient descent shared by the softmax and multi-label heads. `step` receives
/// the logits `XW + b` (n×c, row-major) for that epoch, must overwrite them with G, and may
/// call the norm closure (‖W‖² of the current iterate) when it records history.
func fullBatchGradientDescent(x: Matrix, outputs c: Int, config: LinearHeadConfig, initialWeights: Matrix? = nil,
                              step: (_ epoch: Int, _ logits: UnsafeMutableBufferPointer<Float>, _ weightNorm: () -> Double) -> Void)
    -> (weights: Matrix, bias: [Float]) {
    let n = x.rows, d = x.cols
    var w = initialWeights ?? initialLinearWeights(inputs: d, outputs: c, seed: config.seed)
    var b = [Float](repeating: 0, count: c)
    var buffer = [Float](repeating: 0, count: n * c)
    let lr = config.learningRate, l2 = config.l2

    switch config.solver.resolved(n: n, d: d, c: c, epochs: config.epochs) {
    case .direct, .automatic:
        // The skinny products run with the C outputs on BLAS's M side: Zᵀ = Wᵀ·Xᵀ (C×n) and
        // ∇Wᵀ = Gᵀ·X (C×d). OpenBLAS handles these shapes about twice as fast as X·W (n×C) and
        // Xᵀ·G (d×C), so Wᵀ is kept during training and transposed back at the end.
        var wt = w.transposed()
        var zt = [Float](repeating: 0, count: c * n)
        let decay = 1 - lr * l2
        for epoch in 1...config.epochs {
            for j in 0..<c { for i in 0..<n { zt[j * n + i] = b[j] } }
            x.storage.withUnsafeBufferPointer { xp in
                wt.storage.withUnsafeBufferPointer { wp in
                    zt.withUnsafeMutableBufferPointer { zp in
                        BLAS.sgemm(transA: false, transB: true, m: c, n: n, k: d, alpha: 1, a: wp.baseAddress, lda: d,
                                   b: xp.baseAddress, ldb: d, beta: 1, c: zp.baseAddress, ldc: n)
                    }
                }
            }
            for i in 0..<n { for j in 0..<c { buffer[i * c + j] = zt[j * n + i] } }
            buffer.withUnsafeMutableBufferPointer { z in
                step(epoch, z) { squaredNorm(wt.storage) }
            }
            // Wᵀ ← (1 − lr·l2)·Wᵀ − lr·Gᵀ·X in one sgemm; b ← b − lr·ΣG.
            x.storage.withUnsafeBufferPointer { xp in
                buffer.withUnsafeBufferPointer { gp in
                    wt.withUnsafeMutableStorage { wp in
                        BLAS.sgemm(transA: true, transB: false, m: c, n: d, k: n, alpha: -lr, a: gp.baseAddress, lda: c,
                                   b: xp.baseAddress, ldb: d, beta: decay, c: wp.baseAddress, ldc: d)
                    }
                }
            }
            for j in 0..<c {
                var sum: Float = 0
                for i in 0..<n { sum += buffer[i * c + j] }
                b[j] -= lr * sum
            }
        }
        return (wt.transposed(), b)

    case .gram:
        // K = XXᵀ (Float32 syrk, widened), S = XW₀ (the linear part of the logits).
        let kernel = gramMatrix(x)
        var s = [Double](repeating: 0, count: n * c)
        let zeroBias = [Float](repeating: 0, count: c)
        buffer.withUnsafeMutableBufferPointer { z in linearLogits(x, w, zeroBias, into: z) }
        for i in 0..<(n * c) { s[i] = Double(buffer[i]) }
        let s0 = s
        let w0Norm = squaredNorm(w.storage)
        var acc = [Double](repeating: 0, count: n * c)      // Σ decay^(t−1−s)·G_s
        var accF = [Float](repeating: 0, count: n * c)
        var kg = [Float](repeating: 0, count: n * c)
        var bias = [Double](repeating: 0, count: c)
        let decay = Double(1 - lr * l2)
        let lrD = Double(lr)
        var decayPower = 1.0                                 // decay^(epoch − 1)
        for epoch in 1...config.epochs {
            for i in 0..<n { for j in 0..<c { buffer[i * c + j] = Float(s[i * c + j] + bias[j]) } }
            buffer.withUnsafeMutableBufferPointer { z in
                step(epoch, z) {
                    // ‖W_t‖² = decay^(2(t−1))‖W₀‖² − 2·lr·decay^(t−1)⟨XW₀, A⟩ + lr²⟨A, KA⟩.
                    var cross = 0.0
                    for i in 0..<(n * c) { cross += s0[i] * acc[i] }
                    for i in 0..<(n * c) { accF[i] = Float(acc[i]) }
                    accF.withUnsafeBufferPointer { ap in
                        guard let a = ap.baseAddress else { return }
                        kernelProduct(kernel, n: n, a, c: c, into: &kg)
                    }
                    var quad = 0.0
                    for i in 0..<(n * c) { quad += acc[i] * Double(kg[i]) }
                    return decayPower * decayPower * w0Norm - 2 * lrD * decayPower * cross + lrD * lrD * quad
                }
            }
            // S ← decay·S − lr·K·G ; A ← decay·A + G ; b ← b − lr·ΣG (G is in `buffer`; the
            // product runs in Float32 like the direct form, the recurrences in Float64).
            buffer.withUnsafeBufferPointer { gp in
                guard let g = gp.baseAddress else { return }
                kernelProduct(kernel, n: n, g, c: c, into: &kg)
            }
            for i in 0..<(n * c) {
                s[i] = decay * s[i] - lrD * Double(kg[i])
                acc[i] = decay * acc[i] + Double(buffer[i])
            }
            for j in 0..<c {
                var sum = 0.0
                for i in 0..<n { sum += Double(buffer[i * c + j]) }
                bias[j] -= lrD * sum
            }
            decayPower *= decay
        }
        // W_T = decay^T·W₀ − lr·Xᵀ·A.
        for i in 0..<(n * c) { accF[i] = Float(acc[i]) }
        x.storage.withUnsafeBufferPointer { xp in
            accF.withUnsafeBufferPointer { ap in
                w.withUnsafeMutableStorage { wp in
                    BLAS.sgemm(transA: true, transB: false, m: d, n: c, k: n, alpha: -lr,
                               a: xp.baseAddress, lda: d, b: ap.baseAddress, ldb: c,
                               beta: Float(decayPower), c: wp.baseAddress, ldc: c)
                }
            }
        }
        return (w, bias.map { Float($0) })
    }
}

/// K = XXᵀ (n×n, both triangles), computed by a Float32 syrk.
func gramMatrix(_ x: Matrix) -> [Float] {
    let n = x.rows, d = x.cols
    var k = [Float](repeating: 0, count: n * n)
    x.storage.withUnsafeBufferPointer { xp in
        k.withUnsafeMutableBufferPointer { kp in
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(d), 1, xp.baseAddress, Int32(d), 0, kp.baseAddress, Int32(n))
        }
    }
    for i in 0..<n { for j in 0..<i { k[i * n + j] = k[j * n + i] } }
    return k
}

/// out = K·m for K (n×n) and m (n×c), one Float32 GEMM.
func kernelProduct(_ k: [Float], n: Int, _ m: UnsafePointer<Float>, c: Int, into out: inout [Float]) {
    k.withUnsafeBufferPointer { kp in
        out.withUnsafeMutableBufferPointer { op in
            BLAS.sgemm(transA: false, transB: false, m: n, n: c, k: n, alpha: 1, a: kp.baseAddress, lda: n,
                       b: m, ldb: c, beta: 0, c: op.baseAddress, ldc: c)
        }
    }
}

/// Checks shared by every head's training entry point.
func validateTraining(_ x: Matrix, name: String = "training features") throws {
    try x.requireNonEmpty(name: name)
    try x.requireFinite(name: name)
}

func validateLabels(_ labels: [Int], rows: Int, classCount: Int) throws {
    guard labels.count == rows else {
        throw HeadsError.shapeMismatch(operation: "labels", expected: "\(rows) labels (one per row)", found: "\(labels.count)")
    }
    guard classCount >= 1 else { throw HeadsError.emptyData(what: "class set") }
    for label in labels where !(0..<classCount).contains(label) {
        throw HeadsError.invalidIndex(what: "class label", index: label, validRange: 0..<classCount)
    }
}

/// W ~ N(0, 0.01²) of shape d×c from the seed, row-major.
func initialLinearWeights(inputs d: Int, outputs c: Int, seed: UInt64) -> Matrix {
    var rng = SeededGenerator(seed: seed)
    return Matrix(uncheckedRows: d, cols: c, storage: rng.normalFloats(count: d * c, mean: 0, std: 0.01))
}

/// Logits `X·W + b` into `z` (n×c), bias broadcast first then one sgemm with beta = 1.
func linearLogits(_ x: Matrix, _ w: Matrix, _ b: [Float], into z: UnsafeMutableBufferPointer<Float>) {
    let n = x.rows, c = w.cols
    for r in 0..<n { for j in 0..<c { z[r * c + j] = b[j] } }
    x.storage.withUnsafeBufferPointer { xp in
        w.storage.withUnsafeBufferPointer { wp in
            BLAS.sgemm(transA: false, transB: false, m: n, n: c, k: x.cols, alpha: 1,
                       a: xp.baseAddress, lda: x.cols, b: wp.baseAddress, ldb: c,
                       beta: 1, c: z.baseAddress, ldc: c)
        }
    }
}

/// Logits `X·W + b` of rows to predict, after checking their width and finiteness; `then`
/// turns them into probabilities in place.
func predictedLinear(_ x: Matrix, _ w: Matrix, _ b: [Float], operation: String,
                     then activate: (UnsafeMutableBufferPointer<Float>) -> Void) throws -> Matrix {
    guard x.cols == w.rows else {
        throw HeadsError.shapeMismatch(operation: operation, expected: "\(w.rows) columns", found: "\(x.cols)")
    }
    try x.requireFinite(name: "features to predict")
    var p = [Float](repeating: 0, count: x.rows * w.cols)
    p.withUnsafeMutableBufferPointer { pp in
        linearLogits(x, w, b, into: pp)
        activate(pp)
    }
    return Matrix(uncheckedRows: x.rows, cols: w.cols, storage: p)
}

/// Row-wise softmax in place, the row maximum subtracted first.
func softmaxRowsInPlace(_ z: UnsafeMutableBufferPointer<Float>, rows: Int, cols: Int) {
    for r in 0..<rows {
        let base = r * cols
        var m = -Float.infinity
        for j in 0..<cols { m = max(m, z[base + j]) }
        var s: Float = 0
        for j in 0..<cols {
            let e = expf(z[base + j] - m)
            z[base + j] = e
            s += e
        }
        let inv = 1 / s
        for j in 0..<cols { z[base + j] *= inv }
    }
}

func squaredNorm(_ v: [Float]) -> Double {
    v.reduce(0.0) { $0 + Double($1) * Double($1) }
}

// MARK: - Softmax regression

/// The reference suite's minimal classifier: multinomial logistic regression trained by
/// full-batch gradient descent in Float32 (`train_softmax_classifier`).
public struct SoftmaxRegression: Sendable, Equatable {
    /// Weights, inputs × classes.
    public private(set) var weights: Matrix
    /// One bias per class.
    public private(set) var bias: [Float]
    /// Loss and train accuracy at epoch 1, every `historyInterval` epochs and the last epoch.
    public private(set) var history: [EpochRecord]
    /// The configuration it was trained with.
    public let config: LinearHeadConfig

    /// Number of classes (columns of `weights`).
    public var classCount: Int { weights.cols }
    /// Number of input features.
    public var inputCount: Int { weights.rows }

    /// Rebuilds a trained model from its parameters.
    public init(weights: Matrix, bias: [Float], config: LinearHeadConfig, history: [EpochRecord] = []) throws {
        guard bias.count == weights.cols else {
            throw HeadsError.shapeMismatch(operation: "SoftmaxRegression", expected: "\(weights.cols) biases", found: "\(bias.count)")
        }
        self.weights = weights
        self.bias = bias
        self.config = config
        self.history = history
    }

    /// Per-sample weights: `w_c = n / max(count_c, 1) / C`, each sample gets `w_{y_i}`, then
    /// they are divided by their mean so that they average 1. All ones when disabled.
    public static func sampleWeights(labels: [Int], classCount: Int, enabled: Bool) -> [Float] {
        guard enabled, !labels.isEmpty else { return [Float](repeating: 1, count: labels.count) }
        var counts = [Int](repeating: 0, count: classCount)
        for y in labels { counts[y] += 1 }
        let n = Double(labels.count), c = Double(classCount)
        let classWeight = counts.map { n / Double(max($0, 1)) / c }
        let raw = labels.map { classWeight[$0] }
        let mean = raw.reduce(0, +) / n
        return raw.map { Float($0 / mean) }
    }

    /// Trains on `x` (n×d, already standardised) with labels in 0..<classCount. `classCount`
    /// counts every class of the task, including classes absent from the training rows.
    public static func train(x: Matrix, labels: [Int], classCount: Int, config: LinearHeadConfig = .softmaxDefault) throws -> SoftmaxRegression {
        try train(x: x, labels: labels, classCount: classCount, config: config, initialWeights: nil)
    }

    /// As the public entry point, with the initial weights given (for hand-worked tests).
    static func train(x: Matrix, labels: [Int], classCount: Int, config: LinearHeadConfig, initialWeights: Matrix?) throws -> SoftmaxRegression {
        try config.validate()
        if let w0 = initialWeights, w0.rows != x.cols || w0.cols != classCount {
            throw HeadsError.shapeMismatch(operation: "initial weights", expected: "\(x.cols)x\(classCount)", found: w0.shapeDescription)
        }
        try validateTraining(x)
        try validateLabels(labels, rows: x.rows, classCount: classCount)
        let n = x.rows, c = classCount
        let sw = sampleWeights(labels: labels, classCount: c, enabled: config.classWeighting)
        var history: [EpochRecord] = []
        let invN = 1 / Float(n)
        let (w, b) = fullBatchGradientDescent(x: x, outputs: c, config: config, initialWeights: initialWeights) { epoch, p, weightNorm in
            softmaxRowsInPlace(p, rows: n, cols: c)
            if config.recordsHistory(atEpoch: epoch) {
                var nll = 0.0, correct = 0
                for i in 0..<n {
                    nll -= Double(sw[i]) * log(Double(max(p[i * c + labels[i]], 1e-9)))
                    var best = 0
                    for j in 1..<max(c, 1) where p[i * c + j] > p[i * c + best] { best = j }
                    if best == labels[i] { correct += 1 }
                }
                let loss = nll / Double(n) + 0.5 * Double(config.l2) * weightNorm()
                history.append(EpochRecord(epoch: epoch, loss: loss, accuracy: Double(correct) / Double(n)))
            }
            // G = (P − Y)·sw/n, in place.
            for i in 0..<n {
                let scale = sw[i] * invN
                p[i * c + labels[i]] -= 1
                for j in 0..<c { p[i * c + j] *= scale }
            }
        }
        return try SoftmaxRegression(weights: w, bias: b, config: config, history: history)
    }

    /// Class probabilities, n×C.
    public func predictProba(_ x: Matrix) throws -> Matrix {
        try predictedLinear(x, weights, bias, operation: "SoftmaxRegression.predict") { softmaxRowsInPlace($0, rows: x.rows, cols: classCount) }
    }

    /// The argmax class of each row and its probability (the confidence).
    public func predict(_ x: Matrix) throws -> (classes: [Int], confidence: [Float]) {
        let p = try predictProba(x)
        let classes = p.argmaxPerRow()
        return (classes, classes.enumerated().map { p[$0.offset, $0.element] })
    }
}

// MARK: - Multi-label logistic

/// The reference suite's minimal multi-label head (`train_multilabel_logistic`): independent
/// logistic outputs trained by full-batch gradient descent in Float32 with positive weights.
public struct MultiLabelLogistic: Sendable, Equatable {
    /// Weights, inputs × labels.
    public private(set) var weights: Matrix
    /// One bias per label.
    public private(set) var bias: [Float]
    /// Positive weights used in training, one per label.
    public let positiveWeights: [Float]
    /// Loss at epoch 1, every `historyInterval` epochs and the last epoch: the positive-weighted
    /// binary cross-entropy averaged over all cells, plus `0.5·l2·‖W‖²`. (The reference records
    /// no history for this head; this one is for diagnostics.)
    public private(set) var history: [EpochRecord]
    /// The configuration it was trained with.
    public let config: LinearHeadConfig

    /// Number of labels.
    public var labelCount: Int { weights.cols }
    /// Number of input features.
    public var inputCount: Int { weights.rows }

    /// Rebuilds a trained model from its parameters.
    public init(weights: Matrix, bias: [Float], positiveWeights: [Float], config: LinearHeadConfig, history: [EpochRecord] = []) throws {
        guard bias.count == weights.cols, positiveWeights.count == weights.cols else {
            throw HeadsError.shapeMismatch(operation: "MultiLabelLogistic", expected: "\(weights.cols) biases and positive weights", found: "\(bias.count) and \(positiveWeights.count)")
        }
        self.weights = weights
        self.bias = bias
        self.positiveWeights = positiveWeights
        self.config = config
        self.history = history
    }

    /// `clip((n − count_j) / max(count_j, 1), 1, 20)` where count_j is the column sum of Y.
    public static func positiveWeights(targets y: Matrix) -> [Float] {
        let n = Double(y.rows)
        return (0..<y.cols).map { j in
            var count = 0.0
            for i in 0..<y.rows { count += Double(y[i, j]) }
            return Float(min(max((n - count) / max(count, 1), 1), 20))
        }
    }

    /// Trains on `x` (n×d, standardised) and 0/1 targets `y` (n×L).
    public static func train(x: Matrix, targets y: Matrix, config: LinearHeadConfig = .multiLabelDefault) throws -> MultiLabelLogistic {
        try config.validate()
        try validateTraining(x)
        try validateTraining(y, name: "multi-label targets")
        guard y.rows == x.rows else {
            throw HeadsError.shapeMismatch(operation: "MultiLabelLogistic.train", expected: "\(x.rows) target rows", found: "\(y.rows)")
        }
        let n = x.rows, c = y.cols
        let pw = positiveWeights(targets: y)
        var history: [EpochRecord] = []
        let invN = 1 / Float(n)
        let (w, b) = fullBatchGradientDescent(x: x, outputs: c, config: config) { epoch, g, weightNorm in
            if config.recordsHistory(atEpoch: epoch) {
                var total = 0.0
                for i in 0..<(n * c) {
                    let z = Double(g[i]), t = Double(y.storage[i])
                    let weight = t > 0 ? Double(pw[i % c]) : 1
                    // softplus(−z) = −log σ(z), softplus(z) = −log(1 − σ(z)).
                    total += weight * (t * softplus(-z) + (1 - t) * softplus(z))
                }
                let loss = total / Double(n * c) + 0.5 * Double(config.l2) * weightNorm()
                history.append(EpochRecord(epoch: epoch, loss: loss, accuracy: nil))
            }
            for i in 0..<(n * c) {
                let t = y.storage[i]
                let s = 1 / (1 + expf(-g[i]))
                g[i] = (s - t) * (t > 0 ? pw[i % c] : 1) * invN
            }
        }
        return try MultiLabelLogistic(weights: w, bias: b, positiveWeights: pw, config: config, history: history)
    }

    /// Label probabilities σ(XW + b), n×L.
    public func predictProba(_ x: Matrix) throws -> Matrix {
        try predictedLinear(x, weights, bias, operation: "MultiLabelLogistic.predict") { pp in
            for i in 0..<pp.count { pp[i] = 1 / (1 + expf(-pp[i])) }
        }
    }

    /// 0/1 predictions: σ ≥ 0.5, and a row with no positive gets its most probable label set.
    public func predict(_ x: Matrix) throws -> Matrix {
        try Self.decide(probabilities: predictProba(x))
    }

    /// The decision rule alone: threshold 0.5 plus the at-least-one-label rule.
    public static func decide(probabilities p: Matrix) -> Matrix {
        var out = Matrix(rows: p.rows, cols: p.cols)
        let best = p.argmaxPerRow()
        for i in 0..<p.rows {
            var any = false
            for j in 0..<p.cols where p[i, j] >= 0.5 {
                out[i, j] = 1
                any = true
            }
            if !any, p.cols > 0 { out[i, best[i]] = 1 }
        }
        return out
    }
}

/// log(1 + eˣ) without overflow.
@inline(__always)
func softplus(_ x: Double) -> Double {
    x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
}
