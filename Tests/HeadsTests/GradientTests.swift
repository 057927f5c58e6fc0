import Foundation
import Testing
@testable import Heads
import XPCore

/// Finite-difference checks of every loss and layer. Values are Float32, so central differences
/// use a step of 1e-2 to 1e-3 on O(1) inputs: truncation error O(h²) ≈ 1e-5 relative and
/// rounding error ≈ 1e-7/h ≈ 1e-4 relative; the tolerance (2e-3 relative + 1e-4 absolute)
/// leaves headroom for both while a wrong formula (a missing factor, a sign) fails by far.
@Suite("Gradients")
struct GradientTests {
    static func close(_ analytic: Double, _ numeric: Double, relative: Double = 2e-3, absolute: Double = 1e-4) -> Bool {
        abs(analytic - numeric) <= absolute + relative * max(abs(analytic), abs(numeric))
    }

    static func randomFloats(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return g.normalFloats(count: count, mean: 0, std: scale)
    }

    // MARK: Losses

    @Test func crossEntropyHandValue() {
        // Two classes, logits [0, 0]: ℓ = log 2 whatever the label; gradient p − onehot = [−0.5, 0.5].
        var z: [Float] = [0, 0]
        var grad = [Float](repeating: 0, count: 2)
        let labels = [0]
        let w: [Float] = [3, 1]
        let loss = weightedCrossEntropy(logits: &z, rows: 1, classes: 2, labels: labels, classWeights: w, grad: &grad)
        #expect(abs(loss - log(2.0)) < 1e-12)
        #expect(abs(grad[0] + 0.5) < 1e-7 && abs(grad[1] - 0.5) < 1e-7)
    }

    @Test func crossEntropyWeightedReduction() {
        // Rows with labels 0 and 1, weights w0 = 3, w1 = 1; logits [0,0] and [ln 3, 0]:
        // ℓ0 = ln 2, ℓ1 = −ln(1/(3+1)) = ln 4; weighted mean = (3 ln 2 + ln 4)/4 = 5 ln 2 / 4.
        var z: [Float] = [0, 0, Float(log(3.0)), 0]
        var grad = [Float](repeating: 0, count: 4)
        let loss = weightedCrossEntropy(logits: &z, rows: 2, classes: 2, labels: [0, 1], classWeights: [3, 1], grad: &grad)
        #expect(abs(loss - 5 * log(2.0) / 4) < 1e-6)
    }

    @Test func crossEntropyFiniteDifferences() {
        let rows = 4, c = 5
        var z = Self.randomFloats(rows * c, seed: 1)
        let labels = [0, 3, 3, 4]
        let w: [Float] = [0.5, 1.5, 1, 2, 0.7]
        var grad = [Float](repeating: 0, count: rows * c)
        _ = weightedCrossEntropy(logits: &z, rows: rows, classes: c, labels: labels, classWeights: w, grad: &grad)
        var scratch = grad
        let h: Float = 1e-2
        for i in 0..<(rows * c) {
            let keep = z[i]
            z[i] = keep + h
            let up = weightedCrossEntropy(logits: &z, rows: rows, classes: c, labels: labels, classWeights: w, grad: &scratch)
            z[i] = keep - h
            let down = weightedCrossEntropy(logits: &z, rows: rows, classes: c, labels: labels, classWeights: w, grad: &scratch)
            z[i] = keep
            #expect(Self.close(Double(grad[i]), (up - down) / Double(2 * h)), "logit \(i)")
        }
    }

    @Test func bceHandValueAndFiniteDifferences() {
        // One cell, z = 0, y = 1, pos_weight 3: ℓ = 3·softplus(0) = 3 ln 2; dℓ/dz = 3·(σ(0) − 1) = −1.5.
        var z0: [Float] = [0]
        var g0: [Float] = [0]
        let l0 = bceWithLogits(logits: &z0, rows: 1, cols: 1, targets: [1], positiveWeights: [3], grad: &g0)
        #expect(abs(l0 - 3 * log(2.0)) < 1e-12)
        #expect(abs(g0[0] + 1.5) < 1e-7)

        let rows = 3, cols = 4
        var z = Self.randomFloats(rows * cols, seed: 2, scale: 2)
        let y: [Float] = [1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0]
        let pw: [Float] = [1, 4.5, 20, 2]
        var grad = [Float](repeating: 0, count: rows * cols)
        _ = bceWithLogits(logits: &z, rows: rows, cols: cols, targets: y, positiveWeights: pw, grad: &grad)
        var scratch = grad
        let h: Float = 1e-2
        for i in 0..<(rows * cols) {
            let keep = z[i]
            z[i] = keep + h
            let up = bceWithLogits(logits: &z, rows: rows, cols: cols, targets: y, positiveWeights: pw, grad: &scratch)
            z[i] = keep - h
            let down = bceWithLogits(logits: &z, rows: rows, cols: cols, targets: y, positiveWeights: pw, grad: &scratch)
            z[i] = keep
            #expect(Self.close(Double(grad[i]), (up - down) / Double(2 * h)), "cell \(i)")
        }
    }

    @Test func mseHandValueAndFiniteDifferences() {
        // Outputs [1, 2], targets [0, 4]: mean of [1, 4] = 2.5; gradient 2(z − y)/2 = [1, −2].
        var z: [Float] = [1, 2]
        var grad: [Float] = [0, 0]
        let loss = meanSquaredError(outputs: &z, count: 2, targets: [0, 4], grad: &grad)
        #expect(loss == 2.5)
        #expect(grad == [1, -2])

        var zr = Self.randomFloats(6, seed: 3)
        let y = Self.randomFloats(6, seed: 4)
        var g = [Float](repeating: 0, count: 6)
        _ = meanSquaredError(outputs: &zr, count: 6, targets: y, grad: &g)
        var scratch = g
        let h: Float = 1e-2
        for i in 0..<6 {
            let keep = zr[i]
            zr[i] = keep + h
            let up = meanSquaredError(outputs: &zr, count: 6, targets: y, grad: &scratch)
            zr[i] = keep - h
            let down = meanSquaredError(outputs: &zr, count: 6, targets: y, grad: &scratch)
            zr[i] = keep
            #expect(Self.close(Double(g[i]), (up - down) / Double(2 * h)))
        }
    }

    // MARK: Layers

    @Test func geluValuesAndDerivative() {
        // GELU(x) = x·Φ(x): Φ(1) = 0.8413447461, so GELU(1) = 0.8413447, GELU(−1) = −0.1586553.
        #expect(abs(gelu(1) - 0.841_344_75) < 1e-6)
        #expect(abs(gelu(-1) + 0.158_655_25) < 1e-6)
        #expect(gelu(0) == 0)
        // Derivative against a Float64 central difference of x·Φ(x).
        func geluDouble(_ x: Double) -> Double { 0.5 * x * (1 + erf(x / 2.0.squareRoot())) }
        for x in stride(from: -4.0, through: 4.0, by: 0.37) {
            let h = 1e-5
            let numeric = (geluDouble(x + h) - geluDouble(x - h)) / (2 * h)
            #expect(abs(Double(geluDerivative(Float(x))) - numeric) < 1e-5, "x = \(x)")
        }
    }

    /// Scalar objective L = Σ r·y for fixed random r, whose gradient with respect to y is r.
    static func dot(_ a: UnsafePointer<Float>, _ b: [Float]) -> Double {
        var s = 0.0
        for i in 0..<b.count { s += Double(a[i]) * Double(b[i]) }
        return s
    }

    @Test func layerNormFiniteDifferences() {
        let rows = 3, d = 7
        var x = Self.randomFloats(rows * d, seed: 5, scale: 2)
        let gamma = Self.randomFloats(d, seed: 6).map { 1 + 0.3 * $0 }
        let beta = Self.randomFloats(d, seed: 7)
        let r = Self.randomFloats(rows * d, seed: 8)
        var xhat = [Float](repeating: 0, count: rows * d), rstd = [Float](repeating: 0, count: rows), y = xhat
        func objective(_ x: [Float], _ gamma: [Float], _ beta: [Float]) -> Double {
            layerNormForward(x: x, rows: rows, d: d, gamma: gamma, beta: beta, eps: 1e-5, xhat: &xhat, rstd: &rstd, y: &y)
            return Self.dot(y, r)
        }
        _ = objective(x, gamma, beta)
        var dGamma = [Float](repeating: 0, count: d), dBeta = dGamma, dx = [Float](repeating: 0, count: rows * d)
        layerNormBackward(dy: r, rows: rows, d: d, xhat: xhat, rstd: rstd, gamma: gamma, dGamma: &dGamma, dBeta: &dBeta, dx: &dx)
        // y = xhat·γ + β with xhat a fixed reshaping of x, so dL/dβ_c = Σ_rows r[:, c] exactly.
        for c in 0..<d {
            var s = 0.0
            for i in 0..<rows { s += Double(r[i * d + c]) }
            #expect(abs(Double(dBeta[c]) - s) < 1e-5)
        }
        let h: Float = 1e-2
        for i in 0..<(rows * d) {
            let keep = x[i]
            x[i] = keep + h; let up = objective(x, gamma, beta)
            x[i] = keep - h; let down = objective(x, gamma, beta)
            x[i] = keep
            #expect(Self.close(Double(dx[i]), (up - down) / Double(2 * h)), "dx \(i)")
        }
        var g = gamma
        for c in 0..<d {
            let keep = g[c]
            g[c] = keep + h; let up = objective(x, g, beta)
            g[c] = keep - h; let down = objective(x, g, beta)
            g[c] = keep
            #expect(Self.close(Double(dGamma[c]), (up - down) / Double(2 * h)), "dγ \(c)")
        }
        // Each row of the output has mean β̄·… : with γ = 1, β = 0 the rows are standardised.
        let ones = [Float](repeating: 1, count: d), zeros = [Float](repeating: 0, count: d)
        layerNormForward(x: x, rows: rows, d: d, gamma: ones, beta: zeros, eps: 0, xhat: &xhat, rstd: &rstd, y: &y)
        for i in 0..<rows {
            let row = y[(i * d)..<((i + 1) * d)].map(Double.init)
            let mean = row.reduce(0, +) / Double(d)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
            #expect(abs(mean) < 1e-6 && abs(variance - 1) < 1e-5)
        }
    }

    @Test func linearFiniteDifferences() {
        let rows = 3, inF = 5, outF = 4
        var x = Self.randomFloats(rows * inF, seed: 9)
        var w = Self.randomFloats(outF * inF, seed: 10)
        var b = Self.randomFloats(outF, seed: 11)
        let r = Self.randomFloats(rows * outF, seed: 12)
        var out = [Float](repeating: 0, count: rows * outF)
        func objective() -> Double {
            linearForward(x: x, rows: rows, inF: inF, outF: outF, w: w, b: b, out: &out)
            return Self.dot(out, r)
        }
        _ = objective()
        // Hand check of the forward pass on row 0, output 0: b0 + Σ_k x[0,k]·W[0,k].
        var expected = Double(b[0])
        for k in 0..<inF { expected += Double(x[k]) * Double(w[k]) }
        #expect(abs(Double(out[0]) - expected) < 1e-5)
        var dW = [Float](repeating: 0, count: outF * inF), db = [Float](repeating: 0, count: outF), dx = x
        linearBackward(dOut: r, x: x, rows: rows, inF: inF, outF: outF, w: w, dW: &dW, db: &db, dx: &dx)
        let h: Float = 1e-2
        // 0 perturbs x, 1 perturbs W, 2 perturbs b (captured variables, no overlapping inout).
        func perturb(_ which: Int, _ i: Int, _ delta: Float) {
            switch which {
            case 0: x[i] += delta
            case 1: w[i] += delta
            default: b[i] += delta
            }
        }
        for (which, analytic, name) in [(0, dx, "dx"), (1, dW, "dW"), (2, db, "db")] {
            for i in 0..<analytic.count {
                perturb(which, i, h); let up = objective()
                perturb(which, i, -2 * h); let down = objective()
                perturb(which, i, h)
                #expect(Self.close(Double(analytic[i]), (up - down) / Double(2 * h)), "\(name) \(i)")
            }
        }
    }

    @Test func wholeNetworkParameterGradients() {
        // The full MLP (dropout off) with a cross-entropy loss: every parameter tensor is probed
        // at a few positions, so each layer's backward (and the chaining between them) is checked.
        let l = MLPLayout(d: 6, h: 5, o: 3)
        var params = MLP.initialParameters(layout: l, seed: 3)
        // Move LayerNorm's affine parameters off 1/0 so that their gradients are not special.
        for c in 0..<l.d {
            params[l.lnWeight + c] = 1 + 0.2 * Float(c) / Float(l.d)
            params[l.lnBias + c] = 0.1 * Float(c)
        }
        let rows = 4
        let x = Self.randomFloats(rows * l.d, seed: 13, scale: 1.5)
        let labels = [0, 2, 1, 2]
        let cw: [Float] = [1.2, 0.6, 1.2]
        let ws = MLPWorkspace(layout: l, maxRows: rows)
        var rng = SeededGenerator(seed: 0)
        func loss(_ p: [Float]) -> Double {
            ws.forward(params: p, input: x, rows: rows, eps: 1e-5, dropout: 0, rng: &rng)
            return ws.loss(task: .classification(classCount: 3), rows: rows, labels: labels, targets: [0], classWeights: cw, positiveWeights: nil)
        }
        _ = loss(params)
        var grad = [Float](repeating: 0, count: l.count)
        var dInput = [Float](repeating: 0, count: rows * l.d)
        ws.backward(params: params, grad: &grad, rows: rows, dInput: &dInput)
        let h: Float = 1e-2
        for t in l.tensors {
            let count = t.shape.reduce(1, *)
            for k in Set([0, count / 2, count - 1]) {
                let i = t.offset + k
                var p = params
                p[i] = params[i] + h; let up = loss(p)
                p[i] = params[i] - h; let down = loss(p)
                #expect(Self.close(Double(grad[i]), (up - down) / Double(2 * h), relative: 5e-3, absolute: 2e-4), "\(t.name)[\(k)]")
            }
        }
        // Input gradient through the whole stack.
        var xv = x
        for i in [0, 7, 23] {
            func lossAt(_ v: [Float]) -> Double {
                ws.forward(params: params, input: v, rows: rows, eps: 1e-5, dropout: 0, rng: &rng)
                return ws.loss(task: .classification(classCount: 3), rows: rows, labels: labels, targets: [0], classWeights: cw, positiveWeights: nil)
            }
            let keep = xv[i]
            xv[i] = keep + h; let up = lossAt(xv)
            xv[i] = keep - h; let down = lossAt(xv)
            xv[i] = keep
            #expect(Self.close(Double(dInput[i]), (up - down) / Double(2 * h), relative: 5e-3, absolute: 2e-4), "input \(i)")
        }
    }

    @Test func adamWFirstStepsMatchHandComputation() {
        // One parameter p = 1, gradient 0.5, lr 0.1, wd 0.01, β (0.9, 0.999), eps 1e-8.
        // Step 1: p ← 1·(1 − 0.001) = 0.999; m = 0.05, v = 0.00025; m̂ = 0.05/0.1 = 0.5,
        // √v/√(1 − 0.999) = 0.0158114/0.0316228 = 0.5 → p ← 0.999 − 0.1·0.5/(0.5 + 1e-8) ≈ 0.899.
        var config = MLPConfig()
        config.learningRate = 0.1
        config.weightDecay = 0.01
        var opt = AdamW(count: 1, config: config)
        var p: [Float] = [1]
        opt.update(params: &p, grad: [0.5], count: 1)
        #expect(abs(p[0] - 0.899) < 1e-6)
        // Step 2 with gradient −0.5: p ← 0.899·0.999 = 0.898101; m = 0.045 − 0.05 = −0.005,
        // v = 0.00024975 + 0.00025 = 0.00049975; m̂ = −0.005/0.19 = −0.0263158,
        // √v̂ = √(0.00049975/0.001999) = 0.5000000 → p ← 0.898101 + 0.1·0.0263158/0.5 = 0.9033642.
        opt.update(params: &p, grad: [-0.5], count: 1)
        #expect(abs(p[0] - 0.903_364_2) < 2e-6)
    }
}
