import Foundation
import Testing
@testable import Heads
import XPCore

/// Synthetic data with known structure. Blobs: class c has mean 3·e_c in the first C
/// coordinates (pairwise distance 3√2 ≈ 4.24, i.e. a margin of about 2.1 standard deviations to
/// each bisecting hyperplane), unit-variance noise in all d coordinates. The Bayes accuracy is
/// above 0.9, so a working head must clear the majority baseline by a wide margin; with the
/// labels shuffled there is nothing to learn and test accuracy must stay near chance.
enum Synthetic {
    static func blobs(n: Int, d: Int, classes: Int, seed: UInt64, imbalance: Bool = false) -> (x: Matrix, y: [Int]) {
        var g = SeededGenerator(seed: seed)
        var x = Matrix(rows: n, cols: d)
        var y: [Int] = []
        for i in 0..<n {
            // With imbalance, class 0 takes half of the rows.
            let c = imbalance && i % 2 == 0 ? 0 : g.integer(below: classes)
            y.append(c)
            for j in 0..<d { x[i, j] = Float(g.standardNormal()) + (j == c ? 3 : 0) }
        }
        return (x, y)
    }

    static func shuffled(_ y: [Int], seed: UInt64) -> [Int] {
        var g = SeededGenerator(seed: seed)
        return g.permutation(y.count).map { y[$0] }
    }

    static func accuracy(_ p: [Int], _ y: [Int]) -> Double {
        Double(zip(p, y).filter { $0 == $1 }.count) / Double(y.count)
    }

    /// Accuracy of always predicting the most common training class.
    static func majorityBaseline(train: [Int], test: [Int], classes: Int) -> Double {
        var counts = [Int](repeating: 0, count: classes)
        for c in train { counts[c] += 1 }
        let majority = counts.firstIndex(of: counts.max() ?? 0) ?? 0
        return Double(test.filter { $0 == majority }.count) / Double(test.count)
    }
}

@Suite("Heads learn, and do not learn noise")
struct HeadsLearnTests {
    static let classes = 3
    static let train = Synthetic.blobs(n: 240, d: 12, classes: classes, seed: 1, imbalance: true)
    static let test = Synthetic.blobs(n: 300, d: 12, classes: classes, seed: 2, imbalance: true)

    @Test func softmaxBeatsMajorityOnBlobs() throws {
        let baseline = Synthetic.majorityBaseline(train: Self.train.y, test: Self.test.y, classes: Self.classes)
        var config = LinearHeadConfig.softmaxDefault
        config.epochs = 150
        let model = try SoftmaxRegression.train(x: Self.train.x, labels: Self.train.y, classCount: Self.classes, config: config)
        let (pred, confidence) = try model.predict(Self.test.x)
        let acc = Synthetic.accuracy(pred, Self.test.y)
        // Baseline ≈ 0.67 (class 0 holds half the rows plus a third of the rest); Bayes > 0.9.
        #expect(acc > baseline + 0.15, "accuracy \(acc) vs majority \(baseline)")
        #expect(acc > 0.85)
        #expect(confidence.allSatisfy { $0 >= 1 / 3 && $0 <= 1 })
        // History at epochs 1, 40, 80, 120 and 150, loss decreasing from the first record.
        #expect(model.history.map(\.epoch) == [1, 40, 80, 120, 150])
        #expect(model.history.last!.loss < model.history.first!.loss)
        // A class that never occurs in train still gets a column (C includes absent classes).
        let wide = try SoftmaxRegression.train(x: Self.train.x, labels: Self.train.y, classCount: 5, config: config)
        #expect(wide.classCount == 5)
        #expect(try wide.predictProba(Self.test.x).cols == 5)
    }

    @Test func softmaxDoesNotLearnShuffledLabels() throws {
        // Threshold: test accuracy ≤ majority baseline + 0.08 (4 binomial sd at n = 300).
        let y = Synthetic.shuffled(Self.train.y, seed: 9)
        let testY = Synthetic.shuffled(Self.test.y, seed: 10)
        var config = LinearHeadConfig.softmaxDefault
        config.epochs = 150
        let model = try SoftmaxRegression.train(x: Self.train.x, labels: y, classCount: Self.classes, config: config)
        let acc = Synthetic.accuracy(try model.predict(Self.test.x).classes, testY)
        let baseline = Synthetic.majorityBaseline(train: y, test: testY, classes: Self.classes)
        #expect(acc <= baseline + 0.08, "accuracy \(acc) vs majority \(baseline)")
    }

    @Test func sampleWeightsFollowReferenceFormula() {
        // Labels [0, 0, 0, 1], C = 3 (class 2 absent): w = n/max(count,1)/C = [4/9, 4/3, 4/3];
        // per-sample [4/9, 4/9, 4/9, 4/3], mean 2/3 → normalised [2/3, 2/3, 2/3, 2].
        let w = SoftmaxRegression.sampleWeights(labels: [0, 0, 0, 1], classCount: 3, enabled: true)
        let expectedW: [Double] = [2.0 / 3, 2.0 / 3, 2.0 / 3, 2]
        for (a, b) in zip(w, expectedW) { #expect(abs(Double(a) - b) < 1e-6) }
        #expect(SoftmaxRegression.sampleWeights(labels: [0, 1], classCount: 3, enabled: false) == [1, 1])
        // MLP class weights: [4/9, 4/3, 4/3] divided by their mean 28/27 → [3/7, 9/7, 9/7].
        let m = MLP.classWeights(labels: [0, 0, 0, 1], classCount: 3, enabled: true)
        let expectedM: [Double] = [3.0 / 7, 9.0 / 7, 9.0 / 7]
        for (a, b) in zip(m, expectedM) { #expect(abs(Double(a) - b) < 1e-6) }
    }

    /// Multi-label data: label j is on when coordinate j exceeds 0.5 (separable by construction).
    static func multiLabelData(n: Int, d: Int, labels: Int, seed: UInt64) -> (x: Matrix, y: Matrix) {
        var g = SeededGenerator(seed: seed)
        var x = Matrix(rows: n, cols: d), y = Matrix(rows: n, cols: labels)
        for i in 0..<n {
            for j in 0..<d { x[i, j] = Float(g.standardNormal()) }
            for j in 0..<labels { y[i, j] = x[i, j] > 0.5 ? 1 : 0 }
        }
        return (x, y)
    }

    static func cellAccuracy(_ p: Matrix, _ y: Matrix) -> Double {
        Double(zip(p.storage, y.storage).filter { $0 == $1 }.count) / Double(y.storage.count)
    }

    @Test func multiLabelLogisticLearnsAndNotNoise() throws {
        let train = Self.multiLabelData(n: 300, d: 8, labels: 4, seed: 3)
        let test = Self.multiLabelData(n: 300, d: 8, labels: 4, seed: 4)
        // All-zero prediction (the per-cell majority) scores P(z ≤ 0.5) = 0.69 per cell.
        let allZero = Self.cellAccuracy(Matrix(rows: test.y.rows, cols: test.y.cols), test.y)
        let model = try MultiLabelLogistic.train(x: train.x, targets: train.y)
        let acc = Self.cellAccuracy(try model.predict(test.x), test.y)
        #expect(acc > allZero + 0.15, "cell accuracy \(acc) vs all-zero \(allZero)")
        // pos_weight = clip((n − count)/count, 1, 20) for each label; ≈ 0.69/0.31 ≈ 2.2 here.
        for j in 0..<4 {
            var count: Float = 0
            for i in 0..<300 { count += train.y[i, j] }
            #expect(abs(model.positiveWeights[j] - min(max((300 - count) / count, 1), 20)) < 1e-5)
        }
        // Shuffled rows of Y: macro F1-like agreement collapses; accuracy ≤ all-zero + 0.05.
        let shuffledY = try train.y.gatherRows(Synthetic.shuffled(Array(0..<300), seed: 11))
        let noise = try MultiLabelLogistic.train(x: train.x, targets: shuffledY)
        let noiseAcc = Self.cellAccuracy(try noise.predict(test.x), test.y)
        #expect(noiseAcc <= allZero + 0.05, "noise accuracy \(noiseAcc) vs all-zero \(allZero)")
    }

    @Test func atLeastOneLabelRule() throws {
        // Row 0 has no σ ≥ 0.5, so its argmax (column 1) is set; row 1 keeps its two positives.
        let p = try Matrix([[0.1, 0.4, 0.2], [0.9, 0.2, 0.5]])
        #expect(MultiLabelLogistic.decide(probabilities: p).storage == [0, 1, 0, 1, 0, 1])
    }

    static var smallMLP: MLPConfig {
        var c = MLPConfig()
        c.hidden = 32
        c.epochs = 25
        c.batchSize = 32
        c.learningRate = 3e-3
        return c
    }

    @Test func mlpClassifierBeatsMajorityAndNotNoise() throws {
        let baseline = Synthetic.majorityBaseline(train: Self.train.y, test: Self.test.y, classes: Self.classes)
        let model = try MLP.train(x: Self.train.x, targets: .classes(Self.train.y, classCount: Self.classes), config: Self.smallMLP)
        let acc = Synthetic.accuracy(try model.predictClasses(Self.test.x).classes, Self.test.y)
        #expect(acc > baseline + 0.15, "accuracy \(acc) vs majority \(baseline)")
        // History at epoch 1 and every 25/5 = 5 epochs; train accuracy recorded for classifiers.
        #expect(model.history.map(\.epoch) == [1, 5, 10, 15, 20, 25])
        #expect(model.history.allSatisfy { $0.accuracy != nil })
        #expect(model.history.last!.loss < model.history.first!.loss)

        // Shuffled labels: threshold majority + 0.08 as for the softmax head.
        let y = Synthetic.shuffled(Self.train.y, seed: 9)
        let testY = Synthetic.shuffled(Self.test.y, seed: 10)
        let noise = try MLP.train(x: Self.train.x, targets: .classes(y, classCount: Self.classes), config: Self.smallMLP)
        let noiseAcc = Synthetic.accuracy(try noise.predictClasses(Self.test.x).classes, testY)
        let noiseBaseline = Synthetic.majorityBaseline(train: y, test: testY, classes: Self.classes)
        #expect(noiseAcc <= noiseBaseline + 0.08, "accuracy \(noiseAcc) vs majority \(noiseBaseline)")
    }

    @Test func mlpMultiLabelAndRegressionLearn() throws {
        let train = Self.multiLabelData(n: 300, d: 8, labels: 4, seed: 3)
        let test = Self.multiLabelData(n: 300, d: 8, labels: 4, seed: 4)
        let allZero = Self.cellAccuracy(Matrix(rows: test.y.rows, cols: test.y.cols), test.y)
        let ml = try MLP.train(x: train.x, targets: .multiLabel(train.y), config: Self.smallMLP)
        let mlAcc = Self.cellAccuracy(try ml.predictLabels(test.x), test.y)
        // Threshold +0.10: the at-least-one rule forces a false positive in the ≈ 0.69⁴ = 23% of
        // rows without labels (≈ 0.06 of cell accuracy), and pos_weight ≈ 2.2 favours recall.
        #expect(mlAcc > allZero + 0.10, "cell accuracy \(mlAcc) vs all-zero \(allZero); history \(ml.history.map(\.loss))")

        // Regression: y = 10 + 5·(x0 − x1); the mean predictor has MSE 50 on test (var of 5(x0 − x1)).
        var ytr = Matrix(rows: 300, cols: 1), yte = Matrix(rows: 300, cols: 1)
        for i in 0..<300 {
            ytr[i, 0] = 10 + 5 * (train.x[i, 0] - train.x[i, 1])
            yte[i, 0] = 10 + 5 * (test.x[i, 0] - test.x[i, 1])
        }
        let reg = try MLP.train(x: train.x, targets: .regression(ytr), config: Self.smallMLP)
        let pred = try reg.predictValues(test.x)
        var mse = 0.0, meanMse = 0.0
        let mean = ytr.storage.reduce(0.0) { $0 + Double($1) } / 300
        for i in 0..<300 {
            mse += pow(Double(pred[i, 0] - yte[i, 0]), 2) / 300
            meanMse += pow(mean - Double(yte[i, 0]), 2) / 300
        }
        #expect(mse < 0.2 * meanMse, "MSE \(mse) vs mean predictor \(meanMse)")
        #expect(throws: HeadsError.self) { try reg.predictClasses(test.x) }
    }

    @Test func mlpEarlyStoppingRestoresBestEpoch() throws {
        var config = Self.smallMLP
        config.epochs = 40
        config.earlyStopping = .init(validationFraction: 0.25, patience: 3)
        let model = try MLP.train(x: Self.train.x, targets: .classes(Synthetic.shuffled(Self.train.y, seed: 4), classCount: Self.classes), config: config)
        // On shuffled labels the validation loss stops improving early; the kept epoch is the
        // one with the lowest recorded validation loss.
        let best = try #require(model.bestEpoch)
        let recorded = model.history.compactMap { r in r.validationLoss.map { (r.epoch, $0) } }
        let minimum = try #require(recorded.min { $0.1 < $1.1 })
        #expect(best == minimum.0)
        #expect(model.history.count < 40)
    }
}
