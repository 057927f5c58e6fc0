import Testing
@testable import Heads
import XPCore

/// The Gram (kernel) evaluation of full-batch gradient descent must reproduce the direct one:
/// they are the same iteration written two ways, so weights, biases and history agree up to
/// Float32 rounding.
@Suite("Direct and Gram solvers agree")
struct SolverAgreementTests {
    static func data() throws -> (x: Matrix, y: [Int], multi: Matrix) {
        var g = SeededGenerator(seed: 77)
        let n = 40, d = 100
        let x = try Matrix(rows: n, cols: d, storage: g.normalFloats(count: n * d))
        let y = (0..<n).map { i in (x[i, 0] > 0 ? 1 : 0) + (x[i, 1] > 0 ? 2 : 0) }
        var multi = Matrix(rows: n, cols: 3)
        for i in 0..<n { for j in 0..<3 { multi[i, j] = x[i, j + 2] > 0.3 ? 1 : 0 } }
        return (x, y, multi)
    }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test func softmax() throws {
        let (x, y, _) = try Self.data()
        var c = LinearHeadConfig.softmaxDefault
        c.epochs = 120
        c.solver = .direct
        let direct = try SoftmaxRegression.train(x: x, labels: y, classCount: 5, config: c)
        c.solver = .gram
        let gram = try SoftmaxRegression.train(x: x, labels: y, classCount: 5, config: c)
        // Weights are O(0.1); 120 Float32 steps accumulate rounding of order 1e-6.
        #expect(Self.maxAbsDifference(direct.weights.storage, gram.weights.storage) < 2e-5)
        #expect(Self.maxAbsDifference(direct.bias, gram.bias) < 2e-5)
        #expect(direct.history.count == gram.history.count)
        for (a, b) in zip(direct.history, gram.history) {
            #expect(abs(a.loss - b.loss) < 1e-5 * max(1, abs(a.loss)), "epoch \(a.epoch)")
            #expect(a.accuracy == b.accuracy)
        }
    }

    @Test func multiLabel() throws {
        let (x, _, multi) = try Self.data()
        var c = LinearHeadConfig.multiLabelDefault
        c.epochs = 120
        c.solver = .direct
        let direct = try MultiLabelLogistic.train(x: x, targets: multi, config: c)
        c.solver = .gram
        let gram = try MultiLabelLogistic.train(x: x, targets: multi, config: c)
        #expect(Self.maxAbsDifference(direct.weights.storage, gram.weights.storage) < 2e-5)
        #expect(Self.maxAbsDifference(direct.bias, gram.bias) < 2e-5)
        for (a, b) in zip(direct.history, gram.history) {
            #expect(abs(a.loss - b.loss) < 1e-5 * max(1, abs(a.loss)), "epoch \(a.epoch)")
        }
    }

    @Test func automaticChoice() {
        // 801 × 8,546 with 18 classes, 400 epochs: Gram costs 801²·8546 + 400·2·801²·18 ≈ 1.5e10
        // flops against 400·4·801·8546·18 ≈ 2.0e11 for the direct form.
        #expect(GradientDescentSolver.automatic.resolved(n: 801, d: 8546, c: 18, epochs: 400) == .gram)
        // Many rows, few features: the direct form is cheaper.
        #expect(GradientDescentSolver.automatic.resolved(n: 10_000, d: 20, c: 5, epochs: 400) == .direct)
        #expect(GradientDescentSolver.direct.resolved(n: 801, d: 8546, c: 18, epochs: 400) == .direct)
    }
}

@Suite("Softmax gradient descent, hand-worked")
struct SoftmaxHandWorkedTests {
    @Test(arguments: [GradientDescentSolver.direct, .gram])
    func twoSteps(solver: GradientDescentSolver) throws {
        // X = I (2×2), labels [0, 1], C = 2, W₀ = 0, b₀ = 0, lr 0.12, l2 0.5 (decay 1 − 0.06 = 0.94).
        // Class counts [1, 1] → w_c = 2/1/2 = 1, sample weights 1.
        // Epoch 1: P = ½ everywhere, G = (P − Y)/2 = [[−¼, ¼], [¼, −¼]], loss = ln 2.
        //   W₁ = −0.12·XᵀG = [[0.03, −0.03], [−0.03, 0.03]], b₁ = −0.12·ΣG = 0.
        // Epoch 2: row 0 logits [0.03, −0.03] → p_true = σ(0.06) = 0.5149955;
        //   loss = −ln 0.5149955 + ½·0.5·‖W₁‖² = 0.6635971 + 0.0009 = 0.6644971;
        //   G₀₀ = (0.5149955 − 1)/2 = −0.2425022; W₂₀₀ = 0.94·0.03 + 0.12·0.2425022 = 0.0573003.
        let x = try Matrix([[1, 0], [0, 1]])
        let config = LinearHeadConfig(epochs: 2, learningRate: 0.12, l2: 0.5, seed: 0, classWeighting: true, historyInterval: 40, solver: solver)
        let model = try SoftmaxRegression.train(x: x, labels: [0, 1], classCount: 2, config: config, initialWeights: Matrix(rows: 2, cols: 2))
        #expect(model.history.map(\.epoch) == [1, 2])
        #expect(abs(model.history[0].loss - 0.693_147_18) < 1e-6)
        #expect(abs(model.history[1].loss - 0.664_497_11) < 1e-6)
        #expect(model.history[0].accuracy == 0.5) // exact ties: argmax takes class 0, right for row 0 only
        #expect(model.history[1].accuracy == 1)
        #expect(abs(model.weights[0, 0] - 0.057_300_27) < 1e-6)
        #expect(abs(model.weights[0, 1] + 0.057_300_27) < 1e-6)
        #expect(abs(model.weights[1, 1] - 0.057_300_27) < 1e-6)
        #expect(model.bias.allSatisfy { abs($0) < 1e-7 })
    }
}
