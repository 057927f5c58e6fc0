import Testing
@testable import Heads
import XPCore

/// The trainer fuses LayerNorm's normalisation (once per run), the first layer's gradient and
/// AdamW into one pass for speed. These tests rebuild training from the plain pieces that the
/// gradient checks validate (`forward`, `loss`, `backward`, `AdamW.update` over every
/// parameter) and require the fused trainer to reproduce it bit for bit.
@Suite("MLP training loop")
struct MLPTrainingTests {
    /// Textbook mini-batch training with the same seeds and streams as the trainer.
    static func plainTraining(x: Matrix, task: MLPTask, labels: [Int], targets: [Float], classWeights: [Float]?,
                              positiveWeights: [Float]?, config: MLPConfig) -> [Float] {
        let n = x.rows, d = x.cols, o = task.outputCount
        let layout = MLPLayout(d: d, h: config.hidden, o: o)
        var params = MLP.initialParameters(layout: layout, seed: config.seed)
        let batch = min(config.batchSize, n)
        let ws = MLPWorkspace(layout: layout, maxRows: batch)
        var optimiser = AdamW(count: layout.count, config: config)
        var dropout = SeededGenerator(seed: config.seed, stream: 2)
        for epoch in 1...config.epochs {
            var shuffle = SeededGenerator(seed: config.seed &+ UInt64(epoch), stream: 1)
            let order = shuffle.permutation(n)
            var start = 0
            while start < n {
                let rows = min(batch, n - start)
                let idx = Array(order[start..<(start + rows)])
                let xb = idx.flatMap { x.storage[($0 * d)..<(($0 + 1) * d)] }
                let lb: [Int] = labels.isEmpty ? [0] : idx.map { labels[$0] }
                let yb: [Float] = targets.isEmpty ? [0] : idx.flatMap { targets[($0 * o)..<(($0 + 1) * o)] }
                let cw: [Float] = classWeights ?? [1], pw: [Float] = positiveWeights ?? [1]
                ws.forward(params: params, input: xb, rows: rows, eps: config.layerNormEpsilon, dropout: config.dropout, rng: &dropout)
                _ = ws.loss(task: task, rows: rows, labels: lb, targets: yb, classWeights: cw, positiveWeights: pw)
                var grad = [Float](repeating: 0, count: layout.count)
                ws.backward(params: params, grad: &grad, rows: rows)
                optimiser.update(params: &params, grad: grad, count: layout.count)
                start += rows
            }
        }
        return params
    }

    /// Reports how many parameters differ and the first one, instead of printing both vectors.
    static func expectBitIdentical(_ a: [Float], _ b: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let differing = zip(a, b).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(differing.isEmpty, "\(differing.count) of \(a.count) parameters differ; first at \(differing.first.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "-")",
                sourceLocation: sourceLocation)
    }

    static var config: MLPConfig {
        var c = MLPConfig()
        c.hidden = 12
        c.epochs = 4
        c.batchSize = 16   // 50 rows: three full batches and a partial one
        c.learningRate = 3e-3
        return c
    }

    // 37 columns: not a multiple of the 8-lane loops, so their scalar tails run too.
    static let data = Synthetic.blobs(n: 50, d: 37, classes: 3, seed: 11)

    @Test func classificationMatchesPlainTrainingBitForBit() throws {
        let c = Self.config
        let model = try MLP.train(x: Self.data.x, targets: .classes(Self.data.y, classCount: 3), config: c)
        let weights = MLP.classWeights(labels: Self.data.y, classCount: 3, enabled: true)
        let plain = Self.plainTraining(x: Self.data.x, task: .classification(classCount: 3), labels: Self.data.y, targets: [],
                                       classWeights: weights, positiveWeights: nil, config: c)
        Self.expectBitIdentical(model.parameters, plain)
        // And training moved every tensor away from its initialisation.
        let initial = MLP.initialParameters(layout: model.layout, seed: c.seed)
        for t in model.layout.tensors {
            let range = t.offset..<(t.offset + t.shape.reduce(1, *))
            #expect(model.parameters[range] != initial[range], "\(t.name) did not change")
        }
    }

    @Test func regressionMatchesPlainTrainingBitForBit() throws {
        var c = Self.config
        c.dropout = 0.3
        let x = Self.data.x
        // Targets: two columns that depend on the inputs, already roughly z-scored, so that the
        // trainer's target standardisation is (nearly) the identity; both paths see its output.
        var y = Matrix(rows: x.rows, cols: 2)
        for i in 0..<x.rows { y[i, 0] = x[i, 0] - x[i, 3]; y[i, 1] = 0.5 * x[i, 5] }
        let model = try MLP.train(x: x, targets: .regression(y), config: c)
        guard let mean = model.targetMean, let std = model.targetStd else {
            Issue.record("a regression model keeps its target statistics")
            return
        }
        var z = y.storage
        for i in 0..<x.rows { for j in 0..<2 { z[i * 2 + j] = (z[i * 2 + j] - mean[j]) / std[j] } }
        let plain = Self.plainTraining(x: x, task: .regression(targetCount: 2), labels: [], targets: z,
                                       classWeights: nil, positiveWeights: nil, config: c)
        Self.expectBitIdentical(model.parameters, plain)
    }
}

@Suite("MLP early stopping on a validation set")
struct MLPValidationTests {
    /// Training labels that are noise, validation labels that are other noise: the network
    /// memorises train, so the validation loss turns upward and training stops. The kept
    /// weights must be exactly those of training for `bestEpoch` epochs without validation
    /// (the validation set does not touch the random streams or the training rows).
    @Test func stopsOnTheValidationSetAndKeepsTheBestEpoch() throws {
        let data = Synthetic.blobs(n: 60, d: 40, classes: 3, seed: 21)
        let noise = Synthetic.shuffled(data.y, seed: 5)
        let held = Synthetic.blobs(n: 30, d: 40, classes: 3, seed: 22)
        var c = MLPConfig()
        c.hidden = 32
        c.epochs = 60
        c.batchSize = 16
        c.learningRate = 1e-2
        c.earlyStopping = MLPConfig.EarlyStopping(patience: 3)
        let validation = MLPValidation(x: held.x, targets: .classes(Synthetic.shuffled(held.y, seed: 9), classCount: 3))
        let model = try MLP.train(x: data.x, targets: .classes(noise, classCount: 3), config: c, validation: validation)
        let best = try #require(model.bestEpoch)
        let ran = try #require(model.history.last?.epoch)
        #expect(ran < 60, "memorising noise must stop early")
        #expect(ran - best == 3, "stops after `patience` epochs without improvement")
        #expect(model.history.allSatisfy { $0.validationLoss != nil })
        // The best epoch has the lowest validation loss in the history.
        let losses = model.history.compactMap(\.validationLoss)
        #expect(model.history.first { $0.epoch == best }?.validationLoss == losses.min())
        var plain = c
        plain.earlyStopping = nil
        plain.epochs = best
        let reference = try MLP.train(x: data.x, targets: .classes(noise, classCount: 3), config: plain)
        MLPTrainingTests.expectBitIdentical(model.parameters, reference.parameters)
    }

    @Test func aValidationSetOfTheWrongShapeIsATypedError() throws {
        let data = Synthetic.blobs(n: 20, d: 6, classes: 2, seed: 3)
        let narrow = MLPValidation(x: Matrix(rows: 4, cols: 5), targets: .classes([0, 1, 0, 1], classCount: 2))
        #expect(throws: HeadsError.self) { try MLP.train(x: data.x, targets: .classes(data.y, classCount: 2), validation: narrow) }
        let regression = MLPValidation(x: Matrix(rows: 4, cols: 6), targets: .regression(Matrix(rows: 4, cols: 1)))
        #expect(throws: HeadsError.self) { try MLP.train(x: data.x, targets: .classes(data.y, classCount: 2), validation: regression) }
        var bad = Matrix(rows: 2, cols: 6)
        bad[0, 0] = .nan
        let nan = MLPValidation(x: bad, targets: .classes([0, 1], classCount: 2))
        #expect(throws: HeadsError.self) { try MLP.train(x: data.x, targets: .classes(data.y, classCount: 2), validation: nan) }
    }
}
