import Dispatch
import Foundation

/// Runs `body` over `count` items split into contiguous chunks on the available cores, when
/// the work is large enough to pay for the dispatch (OpenBLAS's own threads idle meanwhile).
func parallelChunks(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let chunks = min(cores, count, max(1, work / 200_000))
    guard chunks > 1 else {
        body(0..<count)
        return
    }
    // The chunks touch disjoint rows (or columns) of caller-owned buffers, and `body` does not
    // outlive this call, so handing it to the worker threads is safe.
    withoutActuallyEscaping(body) { escapable in
        let box = UncheckedSendableBox(value: escapable)
        DispatchQueue.concurrentPerform(iterations: chunks) { k in
            box.value((k * count / chunks)..<((k + 1) * count / chunks))
        }
    }
}

/// Carries a value into `concurrentPerform` where the caller guarantees data-race freedom.
struct UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
}

// The MLP's layers as plain functions on raw row-major buffers. They are written so that the
// training loop allocates nothing per batch: every output goes into a caller-owned buffer.

/// Φ(x), the standard normal CDF, through erf.
@inline(__always)
func standardNormalCDF(_ x: Float) -> Float {
    0.5 * (1 + erff(x * 0.707_106_781_186_547_5))
}

/// Exact (erf) GELU, as PyTorch's default `nn.GELU()`: x·Φ(x).
@inline(__always)
func gelu(_ x: Float) -> Float {
    x * standardNormalCDF(x)
}

/// d GELU / dx = Φ(x) + x·φ(x); `cdf` is Φ(x) when the caller already has it.
@inline(__always)
func geluDerivative(_ x: Float, cdf: Float? = nil) -> Float {
    let phi = cdf ?? standardNormalCDF(x)
    let pdf = expf(-0.5 * x * x) * 0.398_942_280_401_432_7
    return phi + x * pdf
}

/// LayerNorm forward over each of `rows` rows of width `d`: `xhat` from
/// ``layerNormNormalise(x:rows:d:eps:xhat:rstd:)``, then `y = xhat·γ + β`.
func layerNormForward(x: UnsafePointer<Float>, rows: Int, d: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                      eps: Float, xhat: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>) {
    layerNormNormalise(x: x, rows: rows, d: d, eps: eps, xhat: xhat, rstd: rstd)
    parallelChunks(rows, work: rows * d) { range in
        for r in range { layerNormAffine(xhat: xhat + r * d, d: d, gamma: gamma, beta: beta, y: y + r * d) }
    }
}

/// The parameter-free half of LayerNorm: statistics in Float64, biased variance (as PyTorch),
/// `xhat = (x − μ)/√(σ² + eps)`; keeps the reciprocal std for the input gradient. It depends on
/// the input alone, so training computes it once for every row instead of once per batch.
func layerNormNormalise(x: UnsafePointer<Float>, rows: Int, d: Int, eps: Float,
                        xhat: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>?) {
    parallelChunks(rows, work: rows * d) { range in
        for r in range {
            let xr = x + r * d, hr = xhat + r * d
            // Four independent Float64 accumulators break the add latency chain.
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var c = 0
            while c + 4 <= d {
                s0 += Double(xr[c]); s1 += Double(xr[c + 1]); s2 += Double(xr[c + 2]); s3 += Double(xr[c + 3])
                c += 4
            }
            while c < d { s0 += Double(xr[c]); c += 1 }
            let mean = (s0 + s1 + s2 + s3) / Double(d)
            var q0 = 0.0, q1 = 0.0, q2 = 0.0, q3 = 0.0
            c = 0
            while c + 4 <= d {
                let e0 = Double(xr[c]) - mean, e1 = Double(xr[c + 1]) - mean
                let e2 = Double(xr[c + 2]) - mean, e3 = Double(xr[c + 3]) - mean
                q0 += e0 * e0; q1 += e1 * e1; q2 += e2 * e2; q3 += e3 * e3
                c += 4
            }
            while c < d {
                let e = Double(xr[c]) - mean
                q0 += e * e
                c += 1
            }
            let inv = Float(1 / ((q0 + q1 + q2 + q3) / Double(d) + Double(eps)).squareRoot())
            rstd?[r] = inv
            let m = Float(mean)
            for c in 0..<d { hr[c] = (xr[c] - m) * inv }
        }
    }
}

/// LayerNorm's affine half on one row: `y = xhat·γ + β`.
@inline(__always)
func layerNormAffine(xhat: UnsafePointer<Float>, d: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                     y: UnsafeMutablePointer<Float>) {
    var c = 0
    while c + 8 <= d {
        (SIMD8<Float>(loading: xhat + c) * SIMD8(loading: gamma + c) + SIMD8(loading: beta + c)).store(to: y + c)
        c += 8
    }
    while c < d {
        y[c] = xhat[c] * gamma[c] + beta[c]
        c += 1
    }
}

extension SIMD8 where Scalar == Float {
    /// Eight consecutive floats from `p` (any alignment).
    @inline(__always)
    init(loading p: UnsafePointer<Float>) {
        self = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Writes the eight lanes to `p` (any alignment).
    @inline(__always)
    func store(to p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: SIMD8<Float>.self)
    }
}

/// LayerNorm backward: accumulates dγ += Σ dy·xhat and dβ += Σ dy over the rows and, when
/// `dx` is given, the input gradient
/// `dx = rstd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat))` with `dxhat = dy·γ`.
func layerNormBackward(dy: UnsafePointer<Float>, rows: Int, d: Int, xhat: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                       gamma: UnsafePointer<Float>, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
                       dx: UnsafeMutablePointer<Float>?) {
    // Parameter gradients: split the columns across cores (each core owns its columns).
    parallelChunks(d, work: rows * d) { columns in
        guard !columns.isEmpty else { return }
        for r in 0..<rows {
            let dyr = dy + r * d, hr = xhat + r * d
            for c in columns {
                dGamma[c] += dyr[c] * hr[c]
                dBeta[c] += dyr[c]
            }
        }
    }
    guard let dx else { return }
    for r in 0..<rows {
        let dyr = dy + r * d, hr = xhat + r * d
        var s1 = 0.0, s2 = 0.0
        for c in 0..<d {
            let g = Double(dyr[c] * gamma[c])
            s1 += g
            s2 += g * Double(hr[c])
        }
        let m1 = Float(s1 / Double(d)), m2 = Float(s2 / Double(d))
        let dxr = dx + r * d
        for c in 0..<d { dxr[c] = rstd[r] * (dyr[c] * gamma[c] - m1 - hr[c] * m2) }
    }
}

/// Linear forward, PyTorch layout: `out (rows×outF) = x (rows×inF) · Wᵀ + b`, W is outF×inF.
func linearForward(x: UnsafePointer<Float>, rows: Int, inF: Int, outF: Int, w: UnsafePointer<Float>, b: UnsafePointer<Float>,
                   out: UnsafeMutablePointer<Float>) {
    for r in 0..<rows { (out + r * outF).update(from: b, count: outF) }
    BLAS.sgemm(transA: false, transB: true, m: rows, n: outF, k: inF, alpha: 1, a: x, lda: inF, b: w, ldb: inF,
               beta: 1, c: out, ldc: outF)
}

/// Linear backward: `dW += dOutᵀ·x`, `db += Σ dOut`, and `dx = dOut·W` when asked.
func linearBackward(dOut: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, inF: Int, outF: Int, w: UnsafePointer<Float>,
                    dW: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?) {
    BLAS.sgemm(transA: true, transB: false, m: outF, n: inF, k: rows, alpha: 1, a: dOut, lda: outF, b: x, ldb: inF,
               beta: 1, c: dW, ldc: inF)
    for r in 0..<rows {
        let dr = dOut + r * outF
        for j in 0..<outF { db[j] += dr[j] }
    }
    if let dx {
        BLAS.sgemm(transA: false, transB: false, m: rows, n: inF, k: outF, alpha: 1, a: dOut, lda: outF, b: w, ldb: inF,
                   beta: 0, c: dx, ldc: inF)
    }
}

// MARK: - Losses (value in Float64, gradient with respect to the logits)

/// Class-weighted cross entropy with PyTorch's weighted-mean reduction
/// `Σ w_{y_i}·ℓ_i / Σ w_{y_i}`, ℓ_i = −log softmax(z_i)[y_i]. Writes dL/dz into `grad`.
func weightedCrossEntropy(logits z: UnsafePointer<Float>, rows: Int, classes c: Int, labels: UnsafePointer<Int>,
                          classWeights w: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>) -> Double {
    var weightSum = 0.0
    for i in 0..<rows { weightSum += Double(w[labels[i]]) }
    guard weightSum > 0 else {
        for i in 0..<(rows * c) { grad[i] = 0 }
        return 0
    }
    var total = 0.0
    let invW = 1 / weightSum
    for i in 0..<rows {
        let zr = z + i * c, gr = grad + i * c
        var m = -Float.infinity
        for j in 0..<c { m = max(m, zr[j]) }
        var s = 0.0
        for j in 0..<c { s += Double(expf(zr[j] - m)) }
        let logSum = log(s) + Double(m)
        let wi = Double(w[labels[i]])
        total += wi * (logSum - Double(zr[labels[i]]))
        let scale = wi * invW
        for j in 0..<c {
            let p = exp(Double(zr[j]) - logSum)
            gr[j] = Float(scale * (p - (j == labels[i] ? 1 : 0)))
        }
    }
    return total * invW
}

/// Binary cross entropy with logits and a positive weight per column, averaged over all
/// elements: ℓ = pw·y·softplus(−z) + (1 − y)·softplus(z).
func bceWithLogits(logits z: UnsafePointer<Float>, rows: Int, cols: Int, targets y: UnsafePointer<Float>,
                   positiveWeights pw: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>) -> Double {
    let count = rows * cols
    guard count > 0 else { return 0 }
    let inv = 1 / Double(count)
    var total = 0.0
    for i in 0..<count {
        let zi = Double(z[i]), yi = Double(y[i]), p = Double(pw[i % cols])
        total += p * yi * softplus(-zi) + (1 - yi) * softplus(zi)
        let s = 1 / (1 + exp(-zi))
        grad[i] = Float((p * yi * (s - 1) + (1 - yi) * s) * inv)
    }
    return total * inv
}

/// Mean squared error over all elements.
func meanSquaredError(outputs z: UnsafePointer<Float>, count: Int, targets y: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>) -> Double {
    guard count > 0 else { return 0 }
    let inv = 1 / Double(count)
    var total = 0.0
    for i in 0..<count {
        let e = Double(z[i]) - Double(y[i])
        total += e * e
        grad[i] = Float(2 * e * inv)
    }
    return total * inv
}
