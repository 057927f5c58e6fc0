import CBLAS
import Foundation

/// Linear ridge regression from features to one or more targets.
///
/// Predictions are `(X·W + bias) ⊙ outputScale + outputOffset`, column by column.
///
/// - ``fitReference(x:y:lambda:)`` is the reference suite's `ridge_fit_predict`: Float32 dual
///   solve with the bias column appended (so the bias is penalised) and z-scored targets.
/// - ``fitStrict(x:y:lambda:form:)`` solves in Float64 with a Cholesky factorisation, leaves the
///   intercept unpenalised by centring X and Y, and picks the primal (d×d) or dual (n×n) system,
///   whichever is smaller.
public struct RidgeRegression: Sendable, Equatable {
    /// Which linear system a strict fit solves.
    public enum Form: String, Sendable, Equatable, Codable {
        /// The smaller of the two systems.
        case automatic
        /// `(XᵀX + λI)·W = XᵀY`, size d×d.
        case primal
        /// `(XXᵀ + λI)·α = Y`, `W = Xᵀα`, size n×n.
        case dual
    }

    /// Weights, inputs × targets.
    public let weights: Matrix
    /// Added to `X·W` before scaling, one per target.
    public let bias: [Float]
    /// Multiplies each target column (the train std of Y in the reference fit, else 1).
    public let outputScale: [Float]
    /// Added last (the train mean of Y).
    public let outputOffset: [Float]
    /// The penalty used.
    public let lambda: Double
    /// "reference-dual", "strict-primal" or "strict-dual".
    public let solver: String

    /// Number of input features.
    public var inputCount: Int { weights.rows }
    /// Number of targets.
    public var targetCount: Int { weights.cols }

    /// Rebuilds a fitted model from its parameters.
    public init(weights: Matrix, bias: [Float], outputScale: [Float], outputOffset: [Float], lambda: Double, solver: String) throws {
        let k = weights.cols
        guard bias.count == k, outputScale.count == k, outputOffset.count == k else {
            throw HeadsError.shapeMismatch(operation: "RidgeRegression", expected: "\(k) bias, scale and offset values", found: "\(bias.count), \(outputScale.count), \(outputOffset.count)")
        }
        self.weights = weights
        self.bias = bias
        self.outputScale = outputScale
        self.outputOffset = outputOffset
        self.lambda = lambda
        self.solver = solver
    }

    private static func validate(x: Matrix, y: Matrix, lambda: Double) throws {
        try validateTraining(x)
        try validateTraining(y, name: "regression targets")
        guard x.rows == y.rows else {
            throw HeadsError.shapeMismatch(operation: "RidgeRegression.fit", expected: "\(x.rows) target rows", found: "\(y.rows)")
        }
        guard lambda.isFinite, lambda > 0 else {
            throw HeadsError.invalidParameter(name: "lambda", expected: "finite and > 0", found: "\(lambda)")
        }
    }

    /// The reference dual solve, exactly as `ridge_fit_predict` (all in Float32):
    /// Y is z-scored with its train mean and population std (std < 1e-6 → 1); a ones column is
    /// appended to X (already z-scored by the caller), `K = XaXaᵀ`, `α = solve(K + λI, Ys)` by
    /// LU with partial pivoting (`sgesv`, as `numpy.linalg.solve`), `W = Xaᵀα`.
    ///
    /// With `standardisingTargets: false` Y is solved for as given (the reference's single-episode
    /// diagnostics, `ridge_predict`, regress raw one-hot targets; z-scoring them there gives a
    /// different fit because the bias is penalised).
    public static func fitReference(x: Matrix, y: Matrix, lambda: Float = 10, standardisingTargets: Bool = true) throws -> RidgeRegression {
        try validate(x: x, y: y, lambda: Double(lambda))
        let n = x.rows, d = x.cols, k = y.cols
        let (yMean64, yStd64) = Standardiser.columnMoments(y)
        let yMean = standardisingTargets ? yMean64.map { Float($0) } : [Float](repeating: 0, count: k)
        let yStd = standardisingTargets ? yStd64.map { $0 < 1e-6 ? Float(1) : Float($0) } : [Float](repeating: 1, count: k)
        // The ones column is never materialised: XaXaᵀ = XXᵀ + 11ᵀ and Xaᵀα = [Xᵀα; 1ᵀα].

        // K = XXᵀ + 1 + λI via ssyrk (upper triangle), mirrored; symmetric, so its row-major
        // buffer is also the column-major matrix LAPACK expects.
        var kMat = [Float](repeating: 0, count: n * n)
        x.storage.withUnsafeBufferPointer { a in
            kMat.withUnsafeMutableBufferPointer { c in
                cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(d), 1,
                            a.baseAddress, Int32(max(d, 1)), 0, c.baseAddress, Int32(n))
            }
        }
        for i in 0..<n {
            for j in i..<n { kMat[i * n + j] += 1 }
            for j in 0..<i { kMat[i * n + j] = kMat[j * n + i] }
            kMat[i * n + i] += lambda
        }
        // Right-hand side in column-major order: column j holds the z-scored target j.
        var rhs = [Float](repeating: 0, count: n * k)
        for i in 0..<n {
            for j in 0..<k { rhs[j * n + i] = (y.storage[i * k + j] - yMean[j]) / yStd[j] }
        }
        var ipiv = [Int32](repeating: 0, count: n)
        var info: Int32 = 0
        var n32 = Int32(n), k32 = Int32(k), lda = Int32(n), ldb = Int32(n)
        sgesv_(&n32, &k32, &kMat, &lda, &ipiv, &rhs, &ldb, &info)
        guard info == 0 else { throw HeadsError.solveFailed(routine: "sgesv", info: Int(info)) }
        // α back to row-major n×k, then W = Xᵀα (one TN sgemm) and bias = 1ᵀα.
        var alpha = [Float](repeating: 0, count: n * k)
        for j in 0..<k { for i in 0..<n { alpha[i * k + j] = rhs[j * n + i] } }
        var wStorage = [Float](repeating: 0, count: d * k)
        x.storage.withUnsafeBufferPointer { a in
            alpha.withUnsafeBufferPointer { al in
                wStorage.withUnsafeMutableBufferPointer { w in
                    BLAS.sgemm(transA: true, transB: false, m: d, n: k, k: n, alpha: 1,
                               a: a.baseAddress, lda: d, b: al.baseAddress, ldb: k,
                               beta: 0, c: w.baseAddress, ldc: k)
                }
            }
        }
        var biasSum = [Double](repeating: 0, count: k)
        for i in 0..<n { for j in 0..<k { biasSum[j] += Double(alpha[i * k + j]) } }
        let bias = biasSum.map { Float($0) }
        let w = Matrix(uncheckedRows: d, cols: k, storage: wStorage)
        return try RidgeRegression(weights: w, bias: bias, outputScale: yStd, outputOffset: yMean, lambda: Double(lambda), solver: "reference-dual")
    }

    /// The strict solve: Float64 throughout, intercept unpenalised (X and Y centred with their
    /// train means), Cholesky (`dpotrf`/`dpotrs`) on the primal or dual normal equations.
    public static func fitStrict(x: Matrix, y: Matrix, lambda: Double, form: Form = .automatic) throws -> RidgeRegression {
        try validate(x: x, y: y, lambda: lambda)
        let n = x.rows, d = x.cols, k = y.cols
        let (xMean, _) = Standardiser.columnMoments(x)
        let (yMean, _) = Standardiser.columnMoments(y)
        var xc = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for c in 0..<d { xc[i * d + c] = Double(x.storage[i * d + c]) - xMean[c] } }
        var yc = [Double](repeating: 0, count: n * k)
        for i in 0..<n { for j in 0..<k { yc[i * k + j] = Double(y.storage[i * k + j]) - yMean[j] } }

        let usePrimal: Bool
        switch form {
        case .automatic: usePrimal = d <= n
        case .primal: usePrimal = true
        case .dual: usePrimal = false
        }
        var w = [Double](repeating: 0, count: d * k)
        if usePrimal {
            // A = XcᵀXc + λI (d×d), B = XcᵀYc (d×k).
            var a = gram(xc, rows: n, cols: d, transpose: true, lambda: lambda)
            var b = [Double](repeating: 0, count: d * k)
            xc.withUnsafeBufferPointer { xp in
                yc.withUnsafeBufferPointer { yp in
                    b.withUnsafeMutableBufferPointer { bp in
                        BLAS.dgemm(transA: true, transB: false, m: d, n: k, k: n, alpha: 1, a: xp.baseAddress, lda: d,
                                   b: yp.baseAddress, ldb: k, beta: 0, c: bp.baseAddress, ldc: k)
                    }
                }
            }
            w = try choleskySolve(&a, size: d, rhsRowMajor: b, rhsColumns: k)
        } else {
            // K = XcXcᵀ + λI (n×n), α = K⁻¹Yc, W = Xcᵀα.
            var kMat = gram(xc, rows: n, cols: d, transpose: false, lambda: lambda)
            let alpha = try choleskySolve(&kMat, size: n, rhsRowMajor: yc, rhsColumns: k)
            xc.withUnsafeBufferPointer { xp in
                alpha.withUnsafeBufferPointer { ap in
                    w.withUnsafeMutableBufferPointer { wp in
                        BLAS.dgemm(transA: true, transB: false, m: d, n: k, k: n, alpha: 1, a: xp.baseAddress, lda: d,
                                   b: ap.baseAddress, ldb: k, beta: 0, c: wp.baseAddress, ldc: k)
                    }
                }
            }
        }
        // Intercept: ŷ = (x − x̄)·W + ȳ = x·W + (ȳ − x̄·W); the offset carries ȳ.
        var bias = [Float](repeating: 0, count: k)
        for j in 0..<k {
            var s = 0.0
            for c in 0..<d { s += xMean[c] * w[c * k + j] }
            bias[j] = Float(-s)
        }
        return try RidgeRegression(weights: Matrix(uncheckedRows: d, cols: k, storage: w.map { Float($0) }), bias: bias,
                                   outputScale: [Float](repeating: 1, count: k), outputOffset: yMean.map { Float($0) },
                                   lambda: lambda, solver: usePrimal ? "strict-primal" : "strict-dual")
    }

    /// Predictions for `x` (n×d), n×targets.
    public func predict(_ x: Matrix) throws -> Matrix {
        guard x.cols == inputCount else {
            throw HeadsError.shapeMismatch(operation: "RidgeRegression.predict", expected: "\(inputCount) columns", found: "\(x.cols)")
        }
        try x.requireFinite(name: "features to predict")
        var out = try x.matmul(weights)
        let k = targetCount
        out.withUnsafeMutableStorage { o in
            for i in 0..<x.rows {
                for j in 0..<k { o[i * k + j] = (o[i * k + j] + bias[j]) * outputScale[j] + outputOffset[j] }
            }
        }
        return out
    }

    /// `XᵀX + λI` (transpose) or `XXᵀ + λI`, full symmetric, row-major (= column-major).
    private static func gram(_ x: [Double], rows n: Int, cols d: Int, transpose: Bool, lambda: Double) -> [Double] {
        let size = transpose ? d : n
        var g = [Double](repeating: 0, count: size * size)
        x.withUnsafeBufferPointer { xp in
            g.withUnsafeMutableBufferPointer { gp in
                cblas_dsyrk(CblasRowMajor, CblasUpper, transpose ? CblasTrans : CblasNoTrans, Int32(size),
                            Int32(transpose ? n : d), 1, xp.baseAddress, Int32(d), 0, gp.baseAddress, Int32(size))
            }
        }
        for i in 0..<size {
            for j in 0..<i { g[i * size + j] = g[j * size + i] }
            g[i * size + i] += lambda
        }
        return g
    }

    /// Solves `A·X = B` for symmetric positive definite `A` (overwritten by its factor);
    /// B and the result are row-major size×columns.
    private static func choleskySolve(_ a: inout [Double], size: Int, rhsRowMajor b: [Double], rhsColumns k: Int) throws -> [Double] {
        var info: Int32 = 0
        var n32 = Int32(size), lda = Int32(size), k32 = Int32(k), ldb = Int32(size)
        var uplo = CChar(UInt8(ascii: "L"))
        dpotrf_(&uplo, &n32, &a, &lda, &info)
        guard info == 0 else { throw HeadsError.solveFailed(routine: "dpotrf", info: Int(info)) }
        var cm = [Double](repeating: 0, count: size * k)
        for i in 0..<size { for j in 0..<k { cm[j * size + i] = b[i * k + j] } }
        dpotrs_(&uplo, &n32, &k32, &a, &lda, &cm, &ldb, &info)
        guard info == 0 else { throw HeadsError.solveFailed(routine: "dpotrs", info: Int(info)) }
        var out = [Double](repeating: 0, count: size * k)
        for i in 0..<size { for j in 0..<k { out[i * k + j] = cm[j * size + i] } }
        return out
    }
}
