import Foundation
import XPCore

/// Configuration of the neural head (§5 of the task-suite spec). Defaults are the reference's.
public struct MLPConfig: Sendable, Equatable, Codable {
    /// Width of both hidden layers.
    public var hidden: Int = 128
    /// Dropout probability after each GELU (training mode only).
    public var dropout: Float = 0.1
    /// Passes over the training rows.
    public var epochs: Int = 80
    /// Rows per step; the last partial batch is kept.
    public var batchSize: Int = 128
    /// AdamW step size.
    public var learningRate: Float = 1e-3
    /// AdamW first-moment decay.
    public var beta1: Float = 0.9
    /// AdamW second-moment decay.
    public var beta2: Float = 0.999
    /// AdamW denominator epsilon.
    public var epsilon: Float = 1e-8
    /// Decoupled weight decay, applied to every parameter (as the reference does).
    public var weightDecay: Float = 1e-4
    /// LayerNorm epsilon.
    public var layerNormEpsilon: Float = 1e-5
    /// Seed of the initialisation, the per-epoch permutations (seed + epoch) and dropout.
    public var seed: UInt64 = 7
    /// Inverse-frequency class weights in the classification loss.
    public var classWeighting: Bool = true
    /// Optional early stopping on a validation slice; off by default (the reference has none).
    public var earlyStopping: EarlyStopping? = nil

    /// Early stopping: the last `validationFraction` of the training rows (in the given order,
    /// so a chronological split stays chronological) are held out; training stops when the
    /// validation loss has not improved for `patience` epochs and the best weights are restored.
    public struct EarlyStopping: Sendable, Equatable, Codable {
        /// Fraction of the training rows held out, in (0, 1).
        public var validationFraction: Double
        /// Epochs without improvement before stopping.
        public var patience: Int
        /// Early-stopping settings.
        public init(validationFraction: Double = 0.15, patience: Int = 10) {
            self.validationFraction = validationFraction
            self.patience = patience
        }
    }

    /// The reference configuration (80 epochs, batch 128, AdamW 1e-3 / 1e-4, dropout 0.1).
    public init() {}

    func validate() throws {
        guard hidden >= 1 else { throw HeadsError.invalidParameter(name: "hidden", expected: "≥ 1", found: "\(hidden)") }
        guard dropout >= 0, dropout < 1 else { throw HeadsError.invalidParameter(name: "dropout", expected: "in [0, 1)", found: "\(dropout)") }
        guard epochs >= 1 else { throw HeadsError.invalidParameter(name: "epochs", expected: "≥ 1", found: "\(epochs)") }
        guard batchSize >= 1 else { throw HeadsError.invalidParameter(name: "batchSize", expected: "≥ 1", found: "\(batchSize)") }
        guard learningRate.isFinite, learningRate > 0 else { throw HeadsError.invalidParameter(name: "learningRate", expected: "finite and > 0", found: "\(learningRate)") }
        if let es = earlyStopping {
            guard es.validationFraction > 0, es.validationFraction < 1 else {
                throw HeadsError.invalidParameter(name: "earlyStopping.validationFraction", expected: "in (0, 1)", found: "\(es.validationFraction)")
            }
            guard es.patience >= 1 else { throw HeadsError.invalidParameter(name: "earlyStopping.patience", expected: "≥ 1", found: "\(es.patience)") }
        }
    }
}

/// What the network predicts, which fixes its output width and loss.
public enum MLPTask: Sendable, Equatable {
    /// Softmax over `classCount` classes, class-weighted cross entropy.
    case classification(classCount: Int)
    /// Independent sigmoids, BCE with logits and positive weights.
    case multiLabel(labelCount: Int)
    /// Real-valued outputs, MSE on train-z-scored targets; predictions are de-standardised.
    case regression(targetCount: Int)

    /// Width of the last layer.
    public var outputCount: Int {
        switch self {
        case .classification(let c): return c
        case .multiLabel(let l): return l
        case .regression(let k): return k
        }
    }

    var name: String {
        switch self {
        case .classification: return "classification"
        case .multiLabel: return "multi_label"
        case .regression: return "regression"
        }
    }
}

/// Training targets for ``MLP/train(x:targets:config:)``.
public enum MLPTargets: Sendable {
    /// Class indices in 0..<classCount (classCount includes classes absent from train).
    case classes([Int], classCount: Int)
    /// A 0/1 matrix, rows × labels.
    case multiLabel(Matrix)
    /// Real targets, rows × outputs.
    case regression(Matrix)
}

/// A validation set for early stopping, kept apart from the training rows (for example the
/// validation episodes of a held-out-episode split). Its inputs are standardised like the
/// training inputs; regression targets are raw (the trainer z-scores them with the train
/// statistics).
public struct MLPValidation: Sendable {
    /// Inputs, rows × d.
    public var x: Matrix
    /// Targets of the same kind as the training targets.
    public var targets: MLPTargets
    /// A validation set.
    public init(x: Matrix, targets: MLPTargets) {
        self.x = x
        self.targets = targets
    }
}

/// Offsets of each tensor inside the flat parameter buffer, in PyTorch `nn.Sequential` order:
/// LayerNorm (0), Linear (1), GELU (2), Dropout (3), Linear (4), GELU (5), Dropout (6), Linear (7).
struct MLPLayout: Sendable, Equatable {
    let d: Int, h: Int, o: Int
    var lnWeight: Int { 0 }
    var lnBias: Int { d }
    var w1: Int { 2 * d }
    var b1: Int { w1 + h * d }
    var w2: Int { b1 + h }
    var b2: Int { w2 + h * h }
    var w3: Int { b2 + h }
    var b3: Int { w3 + o * h }
    var count: Int { b3 + o }

    /// (safetensors name, offset, shape) of every tensor.
    var tensors: [(name: String, offset: Int, shape: [Int])] {
        [("net.0.weight", lnWeight, [d]), ("net.0.bias", lnBias, [d]),
         ("net.1.weight", w1, [h, d]), ("net.1.bias", b1, [h]),
         ("net.4.weight", w2, [h, h]), ("net.4.bias", b2, [h]),
         ("net.7.weight", w3, [o, h]), ("net.7.bias", b3, [o])]
    }
}

/// The reference suite's neural head: `LayerNorm(d) → Linear(d,h) → GELU → Dropout →
/// Linear(h,h) → GELU → Dropout → Linear(h,out)`, trained with AdamW on mini-batches.
///
/// Inputs are expected to be standardised already (see ``Standardiser``).
public struct MLP: Sendable {
    /// The configuration it was trained with.
    public let config: MLPConfig
    /// What it predicts.
    public let task: MLPTask
    /// Input width d.
    public let inputCount: Int
    /// All parameters, flat, in the order of the safetensors tensors.
    public internal(set) var parameters: [Float]
    /// Class weights of the classification loss (normalised to mean 1), if any.
    public let classWeights: [Float]?
    /// Positive weights of the multi-label loss, if any.
    public let positiveWeights: [Float]?
    /// Train mean and std of regression targets (std < 1e-6 → 1), if any.
    public let targetMean: [Float]?
    /// See ``targetMean``.
    public let targetStd: [Float]?
    /// Loss (and train-mode accuracy for classifiers) at epoch 1 and every epochs/5 epochs.
    public internal(set) var history: [EpochRecord]
    /// With early stopping: the epoch whose weights were kept.
    public internal(set) var bestEpoch: Int?

    var layout: MLPLayout { MLPLayout(d: inputCount, h: config.hidden, o: task.outputCount) }

    /// Rebuilds a model from stored parameters.
    public init(config: MLPConfig, task: MLPTask, inputCount: Int, parameters: [Float], classWeights: [Float]? = nil,
                positiveWeights: [Float]? = nil, targetMean: [Float]? = nil, targetStd: [Float]? = nil,
                history: [EpochRecord] = [], bestEpoch: Int? = nil) throws {
        let expected = MLPLayout(d: inputCount, h: config.hidden, o: task.outputCount).count
        guard parameters.count == expected else {
            throw HeadsError.shapeMismatch(operation: "MLP parameters", expected: "\(expected) values", found: "\(parameters.count)")
        }
        self.config = config
        self.task = task
        self.inputCount = inputCount
        self.parameters = parameters
        self.classWeights = classWeights
        self.positiveWeights = positiveWeights
        self.targetMean = targetMean
        self.targetStd = targetStd
        self.history = history
        self.bestEpoch = bestEpoch
    }

    /// PyTorch's default initialisation: Linear weights and biases U(±1/√fan_in)
    /// (kaiming_uniform with a = √5 gives exactly that bound), LayerNorm weight 1 and bias 0.
    static func initialParameters(layout l: MLPLayout, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        var p = [Float](repeating: 0, count: l.count)
        for c in 0..<l.d { p[l.lnWeight + c] = 1 }
        func fill(_ offset: Int, _ count: Int, fanIn: Int) {
            let bound = 1 / Double(fanIn).squareRoot()
            for i in 0..<count { p[offset + i] = Float(-bound + 2 * bound * rng.uniform()) }
        }
        fill(l.w1, l.h * l.d, fanIn: l.d); fill(l.b1, l.h, fanIn: l.d)
        fill(l.w2, l.h * l.h, fanIn: l.h); fill(l.b2, l.h, fanIn: l.h)
        fill(l.w3, l.o * l.h, fanIn: l.h); fill(l.b3, l.o, fanIn: l.h)
        return p
    }

    /// Trains a network on `x` (n×d, standardised).
    ///
    /// With `validation`, training stops early on that set (patience from
    /// `config.earlyStopping`, 10 epochs when it is nil; its `validationFraction` is then
    /// unused) and the weights of the best validation epoch are kept. Without it,
    /// `config.earlyStopping` holds out the last rows of `x` instead.
    public static func train(x: Matrix, targets: MLPTargets, config: MLPConfig = MLPConfig(),
                             validation: MLPValidation? = nil) throws -> MLP {
        try config.validate()
        try validateTraining(x)
        let n = x.rows
        let task: MLPTask
        var labels: [Int] = []
        var yFlat: [Float] = []
        var classWeights: [Float]? = nil, positiveWeights: [Float]? = nil
        var targetMean: [Float]? = nil, targetStd: [Float]? = nil
        switch targets {
        case let .classes(l, classCount):
            try validateLabels(l, rows: n, classCount: classCount)
            task = .classification(classCount: classCount)
            labels = l
            classWeights = Self.classWeights(labels: l, classCount: classCount, enabled: config.classWeighting)
        case let .multiLabel(y):
            try validateTraining(y, name: "multi-label targets")
            guard y.rows == n else { throw HeadsError.shapeMismatch(operation: "MLP.train", expected: "\(n) target rows", found: "\(y.rows)") }
            task = .multiLabel(labelCount: y.cols)
            yFlat = y.storage
            positiveWeights = MultiLabelLogistic.positiveWeights(targets: y)
        case let .regression(y):
            try validateTraining(y, name: "regression targets")
            guard y.rows == n else { throw HeadsError.shapeMismatch(operation: "MLP.train", expected: "\(n) target rows", found: "\(y.rows)") }
            task = .regression(targetCount: y.cols)
            let (m, s) = Standardiser.columnMoments(y)
            let mean = m.map { Float($0) }, std = s.map { $0 < 1e-6 ? Float(1) : Float($0) }
            targetMean = mean
            targetStd = std
            yFlat = y.storage
            for i in 0..<n { for j in 0..<y.cols { yFlat[i * y.cols + j] = (yFlat[i * y.cols + j] - mean[j]) / std[j] } }
        }
        let layout = MLPLayout(d: x.cols, h: config.hidden, o: task.outputCount)
        var model = try MLP(config: config, task: task, inputCount: x.cols,
                            parameters: initialParameters(layout: layout, seed: config.seed),
                            classWeights: classWeights, positiveWeights: positiveWeights,
                            targetMean: targetMean, targetStd: targetStd)
        var held: MLPTrainer.Validation? = nil
        if let validation {
            held = try MLPTrainer.Validation(validation, task: task, inputCount: x.cols, targetMean: targetMean, targetStd: targetStd)
        }
        let trainer = MLPTrainer(layout: layout, config: config, task: task, x: x, labels: labels, targets: yFlat,
                                 classWeights: classWeights, positiveWeights: positiveWeights, heldOut: held)
        try trainer.run(model: &model)
        return model
    }

    /// Class weights `w_c = N/max(count_c, 1)/C`, divided by their mean over classes.
    public static func classWeights(labels: [Int], classCount: Int, enabled: Bool) -> [Float] {
        guard enabled, classCount > 0 else { return [Float](repeating: 1, count: classCount) }
        var counts = [Int](repeating: 0, count: classCount)
        for y in labels { counts[y] += 1 }
        let n = Double(labels.count), c = Double(classCount)
        let w = counts.map { n / Double(max($0, 1)) / c }
        let mean = w.reduce(0, +) / c
        return w.map { Float($0 / mean) }
    }

    /// Raw outputs of the last layer in evaluation mode (no dropout), n×out.
    public func logits(_ x: Matrix) throws -> Matrix {
        guard x.cols == inputCount else {
            throw HeadsError.shapeMismatch(operation: "MLP.predict", expected: "\(inputCount) columns", found: "\(x.cols)")
        }
        try x.requireFinite(name: "features to predict")
        let l = layout
        let chunk = max(1, min(config.batchSize, max(x.rows, 1)))
        let ws = MLPWorkspace(layout: l, maxRows: chunk)
        var out = [Float](repeating: 0, count: x.rows * l.o)
        var rng = SeededGenerator(seed: 0)
        parameters.withUnsafeBufferPointer { p in
            x.storage.withUnsafeBufferPointer { xs in
                out.withUnsafeMutableBufferPointer { o in
                    guard let pb = p.baseAddress, let xb = xs.baseAddress, let ob = o.baseAddress else { return }
                    var start = 0
                    while start < x.rows {
                        let rows = min(chunk, x.rows - start)
                        ws.forward(params: pb, input: xb + start * l.d, rows: rows, eps: config.layerNormEpsilon,
                                   dropout: 0, rng: &rng)
                        (ob + start * l.o).update(from: ws.out, count: rows * l.o)
                        start += rows
                    }
                }
            }
        }
        return Matrix(uncheckedRows: x.rows, cols: l.o, storage: out)
    }

    /// Classification: softmax probabilities; multi-label: sigmoids.
    public func predictProba(_ x: Matrix) throws -> Matrix {
        var z = try logits(x)
        let c = z.cols
        switch task {
        case .classification:
            z.withUnsafeMutableStorage { softmaxRowsInPlace($0, rows: x.rows, cols: c) }
        case .multiLabel:
            z.withUnsafeMutableStorage { p in for i in 0..<p.count { p[i] = 1 / (1 + expf(-p[i])) } }
        case .regression:
            throw HeadsError.incompatibleArchive(expected: "a classification or multi-label MLP", found: "a regression MLP")
        }
        return z
    }

    /// Classification: argmax class and its probability.
    public func predictClasses(_ x: Matrix) throws -> (classes: [Int], confidence: [Float]) {
        guard case .classification = task else {
            throw HeadsError.incompatibleArchive(expected: "a classification MLP", found: "a \(task.name) MLP")
        }
        let p = try predictProba(x)
        let classes = p.argmaxPerRow()
        return (classes, classes.enumerated().map { p[$0.offset, $0.element] })
    }

    /// Multi-label: σ ≥ 0.5 with the at-least-one-label rule.
    public func predictLabels(_ x: Matrix) throws -> Matrix {
        guard case .multiLabel = task else {
            throw HeadsError.incompatibleArchive(expected: "a multi-label MLP", found: "a \(task.name) MLP")
        }
        return try MultiLabelLogistic.decide(probabilities: predictProba(x))
    }

    /// Regression: de-standardised outputs.
    public func predictValues(_ x: Matrix) throws -> Matrix {
        guard case .regression = task, let mean = targetMean, let std = targetStd else {
            throw HeadsError.incompatibleArchive(expected: "a regression MLP", found: "a \(task.name) MLP")
        }
        var z = try logits(x)
        let k = z.cols
        z.withUnsafeMutableStorage { p in
            for i in 0..<x.rows { for j in 0..<k { p[i * k + j] = p[i * k + j] * std[j] + mean[j] } }
        }
        return z
    }
}

/// Per-batch buffers, allocated once per training run (the hot loop allocates nothing).
final class MLPWorkspace {
    let l: MLPLayout
    let maxRows: Int
    let xhat, rstd, lnOut, h1, a1, m1, h2, a2, m2, out, dOut, dA2, dA1, dLn, firstLayer, hiddenSum, cdf1, cdf2: UnsafeMutablePointer<Float>

    init(layout: MLPLayout, maxRows: Int) {
        l = layout
        self.maxRows = maxRows
        func alloc(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(n, 1))
            p.initialize(repeating: 0, count: max(n, 1))
            return p
        }
        let b = maxRows
        xhat = alloc(b * l.d); rstd = alloc(b); lnOut = alloc(b * l.d)
        h1 = alloc(b * l.h); a1 = alloc(b * l.h); m1 = alloc(b * l.h)
        h2 = alloc(b * l.h); a2 = alloc(b * l.h); m2 = alloc(b * l.h)
        out = alloc(b * l.o); dOut = alloc(b * l.o)
        dA2 = alloc(b * l.h); dA1 = alloc(b * l.h); dLn = alloc(b * l.d)
        firstLayer = alloc(l.h * l.d); hiddenSum = alloc(l.h)
        cdf1 = alloc(b * l.h); cdf2 = alloc(b * l.h)
    }

    deinit {
        for p in [xhat, rstd, lnOut, h1, a1, m1, h2, a2, m2, out, dOut, dA2, dA1, dLn, firstLayer, hiddenSum, cdf1, cdf2] { p.deallocate() }
    }

    /// Forward pass of `rows` contiguous input rows. With dropout > 0 (training mode) the kept
    /// units are scaled by 1/(1 − p); `a1`/`a2` then hold the dropped-out activations.
    func forward(params p: UnsafePointer<Float>, input: UnsafePointer<Float>, rows: Int, eps: Float, dropout: Float,
                 rng: inout SeededGenerator) {
        layerNormForward(x: input, rows: rows, d: l.d, gamma: p + l.lnWeight, beta: p + l.lnBias, eps: eps,
                         xhat: xhat, rstd: rstd, y: lnOut)
        forwardAfterLayerNorm(params: p, rows: rows, dropout: dropout, rng: &rng)
    }

    /// Training's batch load: copies the rows `order` of the normalised inputs `xhatAll` (see
    /// ``layerNormNormalise(x:rows:d:eps:xhat:rstd:)``) into `xhat` and applies the affine
    /// half into `lnOut` in the same pass; the values equal ``forward``'s.
    func loadNormalisedBatch(xhatAll: UnsafePointer<Float>, order: UnsafePointer<Int>, rows: Int, params p: UnsafePointer<Float>) {
        let d = l.d, gamma = p + l.lnWeight, beta = p + l.lnBias
        let xhat = self.xhat, lnOut = self.lnOut
        parallelChunks(rows, work: rows * d) { range in
            for r in range {
                let src = xhatAll + order[r] * d, dst = xhat + r * d
                dst.update(from: src, count: d)
                layerNormAffine(xhat: src, d: d, gamma: gamma, beta: beta, y: lnOut + r * d)
            }
        }
    }

    /// The layers after LayerNorm, from `lnOut`.
    func forwardAfterLayerNorm(params p: UnsafePointer<Float>, rows: Int, dropout: Float, rng: inout SeededGenerator) {
        linearForward(x: lnOut, rows: rows, inF: l.d, outF: l.h, w: p + l.w1, b: p + l.b1, out: h1)
        activate(h: h1, a: a1, mask: m1, cdf: cdf1, count: rows * l.h, dropout: dropout, rng: &rng)
        linearForward(x: a1, rows: rows, inF: l.h, outF: l.h, w: p + l.w2, b: p + l.b2, out: h2)
        activate(h: h2, a: a2, mask: m2, cdf: cdf2, count: rows * l.h, dropout: dropout, rng: &rng)
        linearForward(x: a2, rows: rows, inF: l.h, outF: l.o, w: p + l.w3, b: p + l.b3, out: out)
    }

    /// GELU (and dropout) of `count` pre-activations; keeps Φ(h) so the backward pass needs
    /// no second erf.
    private func activate(h: UnsafeMutablePointer<Float>, a: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
                          cdf: UnsafeMutablePointer<Float>, count: Int, dropout: Float, rng: inout SeededGenerator) {
        let keepScale = 1 / (1 - dropout)
        let p = Double(dropout)
        for i in 0..<count {
            let phi = standardNormalCDF(h[i])
            cdf[i] = phi
            let m: Float = dropout > 0 ? (rng.uniform() < p ? 0 : keepScale) : 1
            mask[i] = m
            a[i] = h[i] * phi * m
        }
    }

    /// Backward pass from `dOut` (already filled by the loss); accumulates into `grad`
    /// (which the caller zeroes). `dInput`, when given, receives the input gradient.
    func backward(params p: UnsafePointer<Float>, grad g: UnsafeMutablePointer<Float>, rows: Int,
                  dInput: UnsafeMutablePointer<Float>? = nil) {
        backwardToFirstLayer(params: p, grad: g, rows: rows)
        firstLayerBackward(params: p, grad: g, rows: rows)
        if let dInput {
            // Only gradient checks ask for the input gradient: dLn = dA1·W1, then LayerNorm's dx.
            BLAS.sgemm(transA: false, transB: false, m: rows, n: l.d, k: l.h, alpha: 1, a: dA1, lda: l.h, b: p + l.w1, ldb: l.d,
                       beta: 0, c: dLn, ldc: l.d)
            var scratchGamma = [Float](repeating: 0, count: l.d), scratchBeta = scratchGamma
            layerNormBackward(dy: dLn, rows: rows, d: l.d, xhat: xhat, rstd: rstd, gamma: p + l.lnWeight,
                              dGamma: &scratchGamma, dBeta: &scratchBeta, dx: dInput)
        }
    }

    /// The last two layers' gradients (into `grad`) and `dA1`, the gradient at the first
    /// layer's output.
    func backwardToFirstLayer(params p: UnsafePointer<Float>, grad g: UnsafeMutablePointer<Float>, rows: Int) {
        linearBackward(dOut: dOut, x: a2, rows: rows, inF: l.h, outF: l.o, w: p + l.w3, dW: g + l.w3, db: g + l.b3, dx: dA2)
        for i in 0..<(rows * l.h) { dA2[i] *= m2[i] * geluDerivative(h2[i], cdf: cdf2[i]) }
        linearBackward(dOut: dA2, x: a1, rows: rows, inF: l.h, outF: l.h, w: p + l.w2, dW: g + l.w2, db: g + l.b2, dx: dA1)
        for i in 0..<(rows * l.h) { dA1[i] *= m1[i] * geluDerivative(h1[i], cdf: cdf1[i]) }
    }

    /// Gradients of the first Linear layer and of LayerNorm's affine parameters with ONE d-wide
    /// GEMM instead of two. With `ln = xhat·γ + β` (γ, β broadcast over rows), `s = Σ_rows dA1`
    /// and `M = dA1ᵀ·xhat` (h×d):
    /// `dW1 = dA1ᵀ·ln = M·diag(γ) + s βᵀ`, `db1 = s`,
    /// `dγ_c = Σ_rows dLn·xhat = Σ_j W1[j,c]·M[j,c]` and `dβ_c = Σ_rows dLn = Σ_j s_j·W1[j,c]`
    /// (because `dLn = dA1·W1`), so `dLn` itself is never formed.
    ///
    /// With `optimiser` (training), W1's gradient (h×d, nearly all the parameters) is never
    /// stored: each element's gradient is formed, used for dγ and dβ with the weight before its
    /// update, and handed straight to AdamW, so a step reads and writes the h×d tensors once
    /// instead of three times. The result equals accumulating the gradient and then calling
    /// ``AdamW/update(params:grad:count:)``, bit for bit. `g` still receives dγ, dβ and db1;
    /// the caller applies AdamW to them.
    func firstLayerBackward(params p: UnsafePointer<Float>, grad g: UnsafeMutablePointer<Float>, rows: Int,
                            optimiser: FusedAdamW? = nil) {
        let h = l.h, d = l.d
        BLAS.sgemm(transA: true, transB: false, m: h, n: d, k: rows, alpha: 1, a: dA1, lda: h, b: xhat, ldb: d,
                   beta: 0, c: firstLayer, ldc: d)
        for j in 0..<h { hiddenSum[j] = 0 }
        for r in 0..<rows { for j in 0..<h { hiddenSum[j] += dA1[r * h + j] } }
        for j in 0..<h { g[l.b1 + j] += hiddenSum[j] }
        let gamma = p + l.lnWeight, beta = p + l.lnBias, w1 = p + l.w1
        let gW1 = g + l.w1, dGamma = g + l.lnWeight, dBeta = g + l.lnBias
        let m = firstLayer, s = hiddenSum
        // Each core owns a range of columns, so the dγ/dβ sums never race.
        parallelChunks(d, work: h * d) { columns in
            guard let lo = columns.first, !columns.isEmpty else { return }
            let width = columns.count
            let ga = gamma + lo, be = beta + lo, dg = dGamma + lo, db = dBeta + lo
            for j in 0..<h {
                let sj = s[j]
                let off = j * d + lo
                let mRow = m + off, wRow = w1 + off
                var c = 0
                if let o = optimiser {
                    // Eight columns at a time (the same operations as the scalar tail, lane by lane).
                    let newW = o.weights + off, m1 = o.moment1 + off, m2 = o.moment2 + off
                    let sj8 = SIMD8<Float>(repeating: sj)
                    while c + 8 <= width {
                        let mv = SIMD8<Float>(loading: mRow + c), w = SIMD8<Float>(loading: wRow + c)
                        let grad = 0 + (mv * SIMD8(loading: ga + c) + sj8 * SIMD8(loading: be + c))
                        (SIMD8(loading: dg + c) + w * mv).store(to: dg + c)
                        (SIMD8(loading: db + c) + sj8 * w).store(to: db + c)
                        var mom1 = SIMD8<Float>(loading: m1 + c), mom2 = SIMD8<Float>(loading: m2 + c)
                        o.step.apply(param: w, grad: grad, moment1: &mom1, moment2: &mom2).store(to: newW + c)
                        mom1.store(to: m1 + c)
                        mom2.store(to: m2 + c)
                        c += 8
                    }
                    while c < width {
                        let mv = mRow[c], w = wRow[c]
                        dg[c] += w * mv
                        db[c] += sj * w
                        newW[c] = o.step.apply(param: w, grad: 0 + (mv * ga[c] + sj * be[c]), moment1: &m1[c], moment2: &m2[c])
                        c += 1
                    }
                } else {
                    let gRow = gW1 + off
                    while c < width {
                        let mv = mRow[c]
                        gRow[c] += mv * ga[c] + sj * be[c]
                        dg[c] += wRow[c] * mv
                        db[c] += sj * wRow[c]
                        c += 1
                    }
                }
            }
        }
    }

    /// Fills `dOut` from `out` and returns the batch loss.
    func loss(task: MLPTask, rows: Int, labels: UnsafePointer<Int>, targets: UnsafePointer<Float>,
              classWeights: UnsafePointer<Float>?, positiveWeights: UnsafePointer<Float>?) -> Double {
        switch task {
        case .classification(let c):
            guard let w = classWeights else { return 0 }
            return weightedCrossEntropy(logits: out, rows: rows, classes: c, labels: labels, classWeights: w, grad: dOut)
        case .multiLabel(let k):
            guard let pw = positiveWeights else { return 0 }
            return bceWithLogits(logits: out, rows: rows, cols: k, targets: targets, positiveWeights: pw, grad: dOut)
        case .regression(let k):
            return meanSquaredError(outputs: out, count: rows * k, targets: targets, grad: dOut)
        }
    }
}

/// AdamW applied inside ``MLPWorkspace/firstLayerBackward(params:grad:rows:optimiser:)``:
/// the step's coefficients and the first layer's weights and moments (all h×d, row-major).
struct FusedAdamW {
    let step: AdamW.Step
    let weights: UnsafeMutablePointer<Float>
    let moment1: UnsafeMutablePointer<Float>
    let moment2: UnsafeMutablePointer<Float>
}

/// AdamW exactly as PyTorch's (decoupled decay first, then the bias-corrected step):
/// `p ← p·(1 − lr·wd)`, `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p − (lr / (1−β₁ᵗ))·m / (√v / √(1−β₂ᵗ) + eps)`.
struct AdamW {
    var m: [Float]
    var v: [Float]
    var step = 0
    let lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float

    init(count: Int, config: MLPConfig) {
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
        lr = config.learningRate; beta1 = config.beta1; beta2 = config.beta2; eps = config.epsilon; weightDecay = config.weightDecay
    }

    /// The coefficients of one step t, shared by every parameter.
    struct Step: Sendable {
        let stepSize: Float, invSqrtBc2: Float, decay: Float, b1: Float, b2: Float, c1: Float, c2: Float, eps: Float

        /// One parameter's update; returns the new value and advances its moments.
        @inline(__always)
        func apply(param: Float, grad gi: Float, moment1: inout Float, moment2: inout Float) -> Float {
            let mi = b1 * moment1 + c1 * gi
            let vi = b2 * moment2 + c2 * gi * gi
            moment1 = mi
            moment2 = vi
            let denom = vi.squareRoot() * invSqrtBc2 + eps
            return param * decay - stepSize * mi / denom
        }

        /// ``apply(param:grad:moment1:moment2:)`` on eight lanes: the same IEEE operations in
        /// the same order, so the results are bit-identical to the scalar form.
        @inline(__always)
        func apply(param: SIMD8<Float>, grad gi: SIMD8<Float>, moment1: inout SIMD8<Float>, moment2: inout SIMD8<Float>) -> SIMD8<Float> {
            let mi = b1 * moment1 + c1 * gi
            let vi = b2 * moment2 + (c2 * gi) * gi
            moment1 = mi
            moment2 = vi
            let denom = vi.squareRoot() * invSqrtBc2 + eps
            return param * decay - (stepSize * mi) / denom
        }
    }

    /// Advances the step counter and returns its coefficients.
    mutating func beginStep() -> Step {
        step += 1
        let bc1 = 1 - pow(Double(beta1), Double(step))
        let bc2 = 1 - pow(Double(beta2), Double(step))
        return Step(stepSize: Float(Double(lr) / bc1), invSqrtBc2: Float(1 / bc2.squareRoot()), decay: 1 - lr * weightDecay,
                    b1: beta1, b2: beta2, c1: 1 - beta1, c2: 1 - beta2, eps: eps)
    }

    /// One full step over `count` parameters.
    mutating func update(params: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, count: Int) {
        let s = beginStep()
        apply(s, params: params, grad: grad, range: 0..<count)
    }

    /// Applies step `s` to the parameters in `range` (the caller began the step).
    mutating func apply(_ s: Step, params: UnsafeMutablePointer<Float>, grad: UnsafePointer<Float>, range: Range<Int>) {
        guard !range.isEmpty else { return }
        m.withUnsafeMutableBufferPointer { mp in
            v.withUnsafeMutableBufferPointer { vp in
                guard let mb = mp.baseAddress, let vb = vp.baseAddress else { return }
                let lo = range.lowerBound
                // Elementwise and independent, so the range is split across cores when large.
                parallelChunks(range.count, work: range.count * 4) { part in
                    var i = lo + part.lowerBound
                    let end = lo + part.upperBound
                    while i + 8 <= end {
                        var m1 = SIMD8<Float>(loading: mb + i), m2 = SIMD8<Float>(loading: vb + i)
                        s.apply(param: SIMD8(loading: params + i), grad: SIMD8(loading: grad + i), moment1: &m1, moment2: &m2)
                            .store(to: params + i)
                        m1.store(to: mb + i)
                        m2.store(to: vb + i)
                        i += 8
                    }
                    while i < end {
                        params[i] = s.apply(param: params[i], grad: grad[i], moment1: &mb[i], moment2: &vb[i])
                        i += 1
                    }
                }
            }
        }
    }
}

/// The training loop: per-epoch permutation, mini-batches, loss, backward, AdamW, history and
/// optional early stopping.
struct MLPTrainer {
    let layout: MLPLayout
    let config: MLPConfig
    let task: MLPTask
    let x: Matrix
    let labels: [Int]
    let targets: [Float]
    let classWeights: [Float]?
    let positiveWeights: [Float]?
    /// An explicit validation set (see ``MLPValidation``).
    let heldOut: Validation?

    /// Validation inputs with their labels (classification) or flat targets in training
    /// space (multi-label 0/1, regression z-scored with the train statistics).
    struct Validation {
        let x: Matrix
        let labels: [Int]
        let targets: [Float]

        init(x: Matrix, labels: [Int], targets: [Float]) {
            self.x = x
            self.labels = labels
            self.targets = targets
        }

        init(_ v: MLPValidation, task: MLPTask, inputCount: Int, targetMean: [Float]?, targetStd: [Float]?) throws {
            guard v.x.cols == inputCount else {
                throw HeadsError.shapeMismatch(operation: "MLP validation set", expected: "\(inputCount) columns", found: "\(v.x.cols)")
            }
            guard v.x.rows >= 1 else {
                throw HeadsError.shapeMismatch(operation: "MLP validation set", expected: "at least one row", found: "0")
            }
            try v.x.requireFinite(name: "validation features")
            let n = v.x.rows
            switch (task, v.targets) {
            case let (.classification(c), .classes(l, classCount)) where classCount == c:
                try validateLabels(l, rows: n, classCount: c)
                self.init(x: v.x, labels: l, targets: [])
            case let (.multiLabel(k), .multiLabel(y)) where y.cols == k && y.rows == n:
                try y.requireFinite(name: "validation targets")
                self.init(x: v.x, labels: [], targets: y.storage)
            case let (.regression(k), .regression(y)) where y.cols == k && y.rows == n:
                try y.requireFinite(name: "validation targets")
                var z = y.storage
                if let mean = targetMean, let std = targetStd {
                    for i in 0..<n { for j in 0..<k { z[i * k + j] = (z[i * k + j] - mean[j]) / std[j] } }
                }
                self.init(x: v.x, labels: [], targets: z)
            default:
                throw HeadsError.shapeMismatch(operation: "MLP validation set", expected: "targets like the training targets (\(task.name), \(task.outputCount) outputs, \(n) rows)",
                                               found: "different targets")
            }
        }
    }

    func run(model: inout MLP) throws {
        let n = x.rows, d = layout.d, o = layout.o
        var trainCount = n
        var validation: Validation? = heldOut
        let patience = config.earlyStopping?.patience ?? 10
        if validation == nil, let es = config.earlyStopping {
            let held = Int((Double(n) * es.validationFraction).rounded(.up))
            guard held >= 1, held < n else {
                throw HeadsError.invalidParameter(name: "earlyStopping.validationFraction", expected: "a hold-out of 1..<\(n) rows", found: "\(held) rows")
            }
            trainCount = n - held
            let tail = Array(trainCount..<n)
            validation = Validation(x: try x.gatherRows(tail), labels: labels.isEmpty ? [] : tail.map { labels[$0] },
                                    targets: targets.isEmpty ? [] : tail.flatMap { targets[($0 * o)..<(($0 + 1) * o)] })
        }
        let batch = min(config.batchSize, trainCount)
        let ws = MLPWorkspace(layout: layout, maxRows: batch)
        var grad = [Float](repeating: 0, count: layout.count)
        var optimiser = AdamW(count: layout.count, config: config)
        var dropoutRNG = SeededGenerator(seed: config.seed, stream: 2)
        // LayerNorm's normalisation has no parameters, so every training row is normalised once
        // here; a batch then only gathers its rows and applies γ and β.
        var xhatAll = [Float](repeating: 0, count: trainCount * d)
        x.storage.withUnsafeBufferPointer { xs in
            xhatAll.withUnsafeMutableBufferPointer { xh in
                guard let src = xs.baseAddress, let dst = xh.baseAddress else { return }
                layerNormNormalise(x: src, rows: trainCount, d: d, eps: config.layerNormEpsilon, xhat: dst, rstd: nil)
            }
        }
        var yBatch = [Float](repeating: 0, count: max(batch * o, 1))
        var lBatch = [Int](repeating: 0, count: batch)
        let historyEvery = max(1, config.epochs / 5)
        var best: (loss: Double, epoch: Int, params: [Float])? = nil
        var history: [EpochRecord] = []
        let cw = classWeights ?? [], pw = positiveWeights ?? []
        let isClassifier: Bool = { if case .classification = task { return true } else { return false } }()
        // W1's gradient is consumed inside the fused first-layer step; everything else in
        // `grad` is zeroed, filled and applied per batch.
        let smallRanges = [0..<layout.w1, layout.b1..<layout.count]

        epochs: for epoch in 1...config.epochs {
            var shuffle = SeededGenerator(seed: config.seed &+ UInt64(epoch), stream: 1)
            let order = shuffle.permutation(trainCount)
            var lossSum = 0.0, correct = 0
            var start = 0
            while start < trainCount {
                let rows = min(batch, trainCount - start)
                if isClassifier {
                    for r in 0..<rows { lBatch[r] = labels[order[start + r]] }
                } else {
                    for r in 0..<rows {
                        let s = order[start + r] * o
                        for j in 0..<o { yBatch[r * o + j] = targets[s + j] }
                    }
                }
                for range in smallRanges { for i in range { grad[i] = 0 } }
                let step = optimiser.beginStep()
                let batchLoss: Double = model.parameters.withUnsafeMutableBufferPointer { p in
                    xhatAll.withUnsafeBufferPointer { xh in
                        order.withUnsafeBufferPointer { ob in
                            lBatch.withUnsafeBufferPointer { lb in
                                yBatch.withUnsafeBufferPointer { yb in
                                    cw.withUnsafeBufferPointer { cwp in
                                        pw.withUnsafeBufferPointer { pwp in
                                            grad.withUnsafeMutableBufferPointer { g in
                                                optimiser.m.withUnsafeMutableBufferPointer { mp in
                                                    optimiser.v.withUnsafeMutableBufferPointer { vp in
                                                        guard let pb = p.baseAddress, let xhb = xh.baseAddress, let obb = ob.baseAddress,
                                                              let lbb = lb.baseAddress, let ybb = yb.baseAddress, let gb = g.baseAddress,
                                                              let mb = mp.baseAddress, let vb = vp.baseAddress else { return 0 }
                                                        ws.loadNormalisedBatch(xhatAll: xhb, order: obb + start, rows: rows, params: pb)
                                                        ws.forwardAfterLayerNorm(params: pb, rows: rows, dropout: config.dropout, rng: &dropoutRNG)
                                                        let value = ws.loss(task: task, rows: rows, labels: lbb, targets: ybb,
                                                                            classWeights: cwp.baseAddress, positiveWeights: pwp.baseAddress)
                                                        ws.backwardToFirstLayer(params: pb, grad: gb, rows: rows)
                                                        ws.firstLayerBackward(params: pb, grad: gb, rows: rows,
                                                                              optimiser: FusedAdamW(step: step, weights: pb + layout.w1,
                                                                                                    moment1: mb + layout.w1, moment2: vb + layout.w1))
                                                        return value
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                if isClassifier {
                    for r in 0..<rows {
                        let zr = ws.out + r * o
                        var bestJ = 0
                        for j in 1..<max(o, 1) where zr[j] > zr[bestJ] { bestJ = j }
                        if bestJ == lBatch[r] { correct += 1 }
                    }
                }
                lossSum += batchLoss * Double(rows)
                model.parameters.withUnsafeMutableBufferPointer { p in
                    grad.withUnsafeBufferPointer { g in
                        guard let pb = p.baseAddress, let gb = g.baseAddress else { return }
                        for range in smallRanges { optimiser.apply(step, params: pb, grad: gb, range: range) }
                    }
                }
                start += rows
            }
            guard lossSum.isFinite else {
                throw HeadsError.invalidParameter(name: "MLP training", expected: "a finite loss", found: "\(lossSum) at epoch \(epoch); lower the learning rate")
            }
            var record = EpochRecord(epoch: epoch, loss: lossSum / Double(trainCount),
                                     accuracy: isClassifier ? Double(correct) / Double(trainCount) : nil)
            if let validation {
                let valLoss = try validationLoss(model: model, data: validation)
                record.validationLoss = valLoss
                if valLoss < (best?.loss ?? .infinity) {
                    best = (valLoss, epoch, model.parameters)
                } else if let b = best, epoch - b.epoch >= patience {
                    history.append(record)
                    break epochs
                }
            }
            if epoch == 1 || epoch % historyEvery == 0 || epoch == config.epochs || validation != nil {
                history.append(record)
            }
        }
        if let b = best {
            model.parameters = b.params
            model.bestEpoch = b.epoch
        }
        model.history = history
    }

    /// Loss on the validation set in evaluation mode.
    private func validationLoss(model: MLP, data: Validation) throws -> Double {
        var z = try model.logits(data.x)
        var grad = [Float](repeating: 0, count: z.storage.count)
        let rows = data.x.rows
        let lv = data.labels, yv = data.targets
        return z.withUnsafeMutableStorage { zp in
            grad.withUnsafeMutableBufferPointer { g in
                lv.withUnsafeBufferPointer { lp in
                    yv.withUnsafeBufferPointer { yp in
                        guard let zb = zp.baseAddress, let gb = g.baseAddress else { return 0 }
                        switch task {
                        case .classification(let c):
                            guard let w = classWeights, let lb = lp.baseAddress else { return 0 }
                            return w.withUnsafeBufferPointer { wp in
                                guard let wb = wp.baseAddress else { return 0 }
                                return weightedCrossEntropy(logits: zb, rows: rows, classes: c, labels: lb, classWeights: wb, grad: gb)
                            }
                        case .multiLabel(let k):
                            guard let pw = positiveWeights, let yb = yp.baseAddress else { return 0 }
                            return pw.withUnsafeBufferPointer { pp in
                                guard let pb = pp.baseAddress else { return 0 }
                                return bceWithLogits(logits: zb, rows: rows, cols: k, targets: yb, positiveWeights: pb, grad: gb)
                            }
                        case .regression(let k):
                            guard let yb = yp.baseAddress else { return 0 }
                            return meanSquaredError(outputs: zb, count: rows * k, targets: yb, grad: gb)
                        }
                    }
                }
            }
        }
    }
}
