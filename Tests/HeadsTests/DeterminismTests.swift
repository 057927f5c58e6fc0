import Testing
@testable import Heads

@Suite("Determinism")
struct DeterminismTests {
    static let data = Synthetic.blobs(n: 100, d: 6, classes: 3, seed: 5)

    @Test func softmaxSameSeedBitwiseDifferentSeedDiffers() throws {
        var c = LinearHeadConfig.softmaxDefault
        c.epochs = 20
        let a = try SoftmaxRegression.train(x: Self.data.x, labels: Self.data.y, classCount: 3, config: c)
        let b = try SoftmaxRegression.train(x: Self.data.x, labels: Self.data.y, classCount: 3, config: c)
        #expect(a.weights.storage.map(\.bitPattern) == b.weights.storage.map(\.bitPattern))
        #expect(a.bias.map(\.bitPattern) == b.bias.map(\.bitPattern))
        c.seed = 8
        let other = try SoftmaxRegression.train(x: Self.data.x, labels: Self.data.y, classCount: 3, config: c)
        #expect(other.weights.storage != a.weights.storage)
    }

    @Test func initialWeightsHaveTheStatedScale() {
        // N(0, 0.01²) over 20,000 values: sample std within 2% of 0.01 (sd of the estimate ≈ 0.5%).
        let w = initialLinearWeights(inputs: 1000, outputs: 20, seed: 7)
        let values = w.storage.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
        #expect(abs(std - 0.01) < 0.0002)
        #expect(abs(mean) < 0.0004)
    }

    @Test func mlpInitialisationBounds() {
        // PyTorch default: U(±1/√fan_in) for Linear weights and biases; LayerNorm 1 and 0.
        let l = MLPLayout(d: 50, h: 16, o: 4)
        let p = MLP.initialParameters(layout: l, seed: 7)
        #expect(p[l.lnWeight..<l.lnBias].allSatisfy { $0 == 1 })
        #expect(p[l.lnBias..<l.w1].allSatisfy { $0 == 0 })
        let b1 = Float(1 / 50.0.squareRoot()), b2 = Float(1 / 16.0.squareRoot())
        #expect(p[l.w1..<l.w2].allSatisfy { abs($0) <= b1 })
        #expect(p[l.w2..<l.count].allSatisfy { abs($0) <= b2 })
        // A uniform on ±b has std b/√3; 800 first-layer weights: within 10%.
        let w1 = p[l.w1..<l.b1].map(Double.init)
        let std = (w1.map { $0 * $0 }.reduce(0, +) / Double(w1.count)).squareRoot()
        #expect(abs(std - Double(b1) / 3.0.squareRoot()) < 0.1 * Double(b1) / 3.0.squareRoot())
    }

    @Test func mlpSameSeedBitwiseDifferentSeedDiffers() throws {
        var c = MLPConfig()
        c.hidden = 8
        c.epochs = 3
        c.batchSize = 16
        let a = try MLP.train(x: Self.data.x, targets: .classes(Self.data.y, classCount: 3), config: c)
        let b = try MLP.train(x: Self.data.x, targets: .classes(Self.data.y, classCount: 3), config: c)
        #expect(a.parameters.map(\.bitPattern) == b.parameters.map(\.bitPattern))
        #expect(a.history == b.history)
        c.seed = 8
        let other = try MLP.train(x: Self.data.x, targets: .classes(Self.data.y, classCount: 3), config: c)
        #expect(other.parameters != a.parameters)
    }
}
