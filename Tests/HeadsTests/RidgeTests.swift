import Testing
@testable import Heads
import XPCore

@Suite("Ridge")
struct RidgeTests {
    // X = [[0,0],[1,0],[0,1]], y = 1 + 2·x1 − x2 = [1, 3, 0].
    let x = try! Matrix([[0, 0], [1, 0], [0, 1]])
    let y = try! Matrix([[1], [3], [0]])

    @Test func strictHandDerived() throws {
        // Centred: x̄ = (1/3, 1/3), ȳ = 4/3; XcᵀXc = [[2/3, −1/3], [−1/3, 2/3]], XcᵀYc = [5/3, −4/3].
        // λ = 1/3: (XcᵀXc + λI) = [[1, −1/3], [−1/3, 1]], inverse (9/8)[[1, 1/3], [1/3, 1]],
        // w = (9/8)·[5/3 − 4/9, 5/9 − 4/3] = [11/8, −7/8]; intercept ȳ − x̄·w = 4/3 − 1/6 = 7/6.
        for form in [RidgeRegression.Form.primal, .dual] {
            let m = try RidgeRegression.fitStrict(x: x, y: y, lambda: 1.0 / 3, form: form)
            #expect(abs(m.weights[0, 0] - 1.375) < 1e-6)
            #expect(abs(m.weights[1, 0] + 0.875) < 1e-6)
            #expect(abs(m.bias[0] + m.outputOffset[0] - 7.0 / 6) < 1e-6)
            // Prediction at (1, 1): 7/6 + 11/8 − 7/8 = 5/3.
            #expect(abs(try m.predict(Matrix([[1, 1]]))[0, 0] - 5.0 / 3) < 1e-5)
        }
        #expect(try RidgeRegression.fitStrict(x: x, y: y, lambda: 1).solver == "strict-primal")
    }

    @Test func strictRecoversExactMapAsLambdaVanishes() throws {
        let m = try RidgeRegression.fitStrict(x: x, y: y, lambda: 1e-9)
        #expect(abs(m.weights[0, 0] - 2) < 1e-5)
        #expect(abs(m.weights[1, 0] + 1) < 1e-5)
        #expect(abs(m.bias[0] + m.outputOffset[0] - 1) < 1e-5)
    }

    @Test func referenceDualHandDerived() throws {
        // X = [[1], [−1]] (already z-scored), Y = [[3], [1]]: ȳ = 2, std 1, Ys = [1, −1].
        // Xa = [[1, 1], [−1, 1]], K = XaXaᵀ = 2I, λ = 2 → α = Ys/4 = [1/4, −1/4];
        // W = Xaᵀα = [1/2, 0] (weight 1/2, penalised bias 0); predictions 2 ± 1/2.
        let m = try RidgeRegression.fitReference(x: Matrix([[1], [-1]]), y: Matrix([[3], [1]]), lambda: 2)
        #expect(abs(m.weights[0, 0] - 0.5) < 1e-6)
        #expect(abs(m.bias[0]) < 1e-6)
        #expect(m.outputScale == [1] && m.outputOffset == [2])
        let p = try m.predict(Matrix([[1], [-1], [0]]))
        #expect(p.storage.enumerated().allSatisfy { abs($0.element - [2.5, 1.5, 2][$0.offset]) < 1e-6 })
    }

    @Test func referenceDualEqualsPrimalIdentity() throws {
        // The dual solution Xaᵀ(XaXaᵀ + λI)⁻¹Ys equals the primal (XaᵀXa + λI)⁻¹XaᵀYs, which a
        // strict primal fit computes in Float64 when given the bias column and targets already
        // standardised... except that strict leaves the intercept unpenalised. So compare
        // against the closed form on a 1-feature problem instead: with a zero-mean feature the
        // normal equations decouple: w = Σxy/(Σx² + λ), b = Σy/(n + λ).
        let xs: [Float] = [-1.5, -0.5, 0.5, 1.5]
        let ys: [Float] = [0.0, 1.0, 1.0, 4.0] // mean 1.5, population std √2.25 = 1.5
        let m = try RidgeRegression.fitReference(x: Matrix(rows: 4, cols: 1, storage: xs), y: Matrix(rows: 4, cols: 1, storage: ys), lambda: 1)
        // Ys = (y − 1.5)/1.5 = [−1, −1/3, −1/3, 5/3]; Σx·Ys = 1.5 + 1/6 − 1/6 + 2.5 = 4; Σx² = 5.
        // w = 4/6 = 2/3; Σ Ys = 0 → b = 0.
        #expect(abs(m.weights[0, 0] - 2.0 / 3) < 1e-5)
        #expect(abs(m.bias[0]) < 1e-5)
        #expect(abs(m.outputScale[0] - 1.5) < 1e-6 && abs(m.outputOffset[0] - 1.5) < 1e-6)
    }

    @Test func strictPrimalAndDualAgree() throws {
        var g = SeededGenerator(seed: 21)
        for (n, d) in [(20, 5), (6, 15)] {
            let xr = try Matrix(rows: n, cols: d, storage: g.normalFloats(count: n * d))
            let yr = try Matrix(rows: n, cols: 3, storage: g.normalFloats(count: n * 3))
            let p = try RidgeRegression.fitStrict(x: xr, y: yr, lambda: 0.7, form: .primal)
            let q = try RidgeRegression.fitStrict(x: xr, y: yr, lambda: 0.7, form: .dual)
            #expect(p.solver == "strict-primal" && q.solver == "strict-dual")
            for i in 0..<(d * 3) { #expect(abs(p.weights.storage[i] - q.weights.storage[i]) < 1e-5) }
            for j in 0..<3 { #expect(abs(p.bias[j] - q.bias[j]) < 1e-5) }
        }
    }

    @Test func errors() throws {
        #expect(throws: HeadsError.shapeMismatch(operation: "RidgeRegression.fit", expected: "3 target rows", found: "2")) {
            try RidgeRegression.fitStrict(x: x, y: Matrix([[1], [2]]), lambda: 1)
        }
        var bad = y
        bad[1, 0] = .nan
        #expect(throws: HeadsError.nonFinite(matrix: "regression targets", row: 1, column: 0)) {
            try RidgeRegression.fitReference(x: x, y: bad)
        }
        #expect(throws: HeadsError.self) { try RidgeRegression.fitStrict(x: x, y: y, lambda: 0) }
        #expect(throws: HeadsError.emptyData(what: "training features (0x2)")) {
            try RidgeRegression.fitStrict(x: Matrix(rows: 0, cols: 2), y: Matrix(rows: 0, cols: 1), lambda: 1)
        }
        let m = try RidgeRegression.fitStrict(x: x, y: y, lambda: 1)
        #expect(throws: HeadsError.self) { try m.predict(Matrix([[1, 2, 3]])) }
    }
}
