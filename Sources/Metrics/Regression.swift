// Regression metrics (`regression_metrics` in the reference suite), per-dimension r2 for
// the strict protocol, and MPJPE for joint forecasts.

/// Regression metrics over a matrix of targets. JSON keys follow the reference
/// `metrics.json`; the per-dimension fields appear only when requested.
public struct RegressionMetrics: Codable, Equatable, Sendable {
    /// Mean squared error over all (valid) elements.
    public var mse: Double
    /// Mean absolute error over all (valid) elements.
    public var mae: Double
    /// Pooled r2: `1 − Σ(y − ŷ)² / Σ(y − colmean_test(y))²` over all elements; 0 when the
    /// denominator is 0.
    public var r2: Double
    /// r2 of each target column (nil for a column with zero test variance).
    public var perDimensionR2: [Double?]?
    /// Mean of `perDimensionR2` over the columns where it is defined (nil if none is).
    public var meanPerDimensionR2: Double?
    /// Number of elements scored (all of them unless a mask was given).
    public var numScoredElements: Int

    enum CodingKeys: String, CodingKey {
        case mse, mae, r2
        case perDimensionR2 = "per_dimension_r2"
        case meanPerDimensionR2 = "mean_per_dimension_r2"
        case numScoredElements = "num_scored_elements"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mse, forKey: .mse)
        try c.encode(mae, forKey: .mae)
        try c.encode(r2, forKey: .r2)
        if let perDimensionR2 {
            try c.encode(perDimensionR2, forKey: .perDimensionR2)
            try c.encode(meanPerDimensionR2, forKey: .meanPerDimensionR2)
        }
        try c.encode(numScoredElements, forKey: .numScoredElements)
    }
}

/// Validates a row-major matrix and returns its row count.
func matrixRows(_ what: String, count: Int, columns: Int) throws(MetricsError) -> Int {
    guard columns > 0 else {
        throw .invalidParameter(name: "columns", expected: "> 0", found: "\(columns)")
    }
    try requireNonEmpty(what, count: count)
    guard count % columns == 0 else {
        throw .shapeMismatch(what: what, expected: "(rows, \(columns)) row-major",
                             found: "\(count) elements, not a multiple of \(columns)")
    }
    return count / columns
}

/// Regression metrics for row-major `(rows, columns)` matrices.
///
/// - Parameters:
///   - truth: true targets, row-major.
///   - predicted: predictions, same shape.
///   - columns: number of target dimensions per row.
///   - mask: optional per-element validity; masked-out elements are left out of every sum
///     and of the column means (the strict protocol masks undetected joints).
///   - perDimension: also report the r2 of each column and their mean.
/// - Throws: `MetricsError` for empty, mismatched or non-finite inputs, or a mask that
///   leaves nothing to score.
public func regressionMetrics(
    truth: [Double], predicted: [Double], columns: Int,
    mask: [Bool]? = nil, perDimension: Bool = false
) throws(MetricsError) -> RegressionMetrics {
    let rows = try matrixRows("true targets", count: truth.count, columns: columns)
    try requireSameLength("predicted targets", expected: truth.count, found: predicted.count)
    if let mask { try requireSameLength("validity mask", expected: truth.count, found: mask.count) }
    try requireFinite("true targets", truth)
    try requireFinite("predicted targets", predicted)
    let valid: (Int) -> Bool = { i in mask.map { $0[i] } ?? true }

    var colSum = [Double](repeating: 0, count: columns)
    var colCount = [Int](repeating: 0, count: columns)
    var sq = 0.0, abs = 0.0, n = 0
    var colRes = [Double](repeating: 0, count: columns)
    for r in 0..<rows {
        for c in 0..<columns {
            let i = r * columns + c
            guard valid(i) else { continue }
            let e = truth[i] - predicted[i]
            sq += e * e
            abs += Swift.abs(e)
            colRes[c] += e * e
            colSum[c] += truth[i]
            colCount[c] += 1
            n += 1
        }
    }
    guard n > 0 else { throw .empty(what: "valid elements under the mask") }
    let colMean = (0..<columns).map { colCount[$0] > 0 ? colSum[$0] / Double(colCount[$0]) : 0 }
    var colTot = [Double](repeating: 0, count: columns)
    for r in 0..<rows {
        for c in 0..<columns {
            let i = r * columns + c
            guard valid(i) else { continue }
            let d = truth[i] - colMean[c]
            colTot[c] += d * d
        }
    }
    let tot = colTot.reduce(0, +)
    var result = RegressionMetrics(
        mse: sq / Double(n), mae: abs / Double(n),
        r2: tot > 0 ? 1 - sq / tot : 0,
        perDimensionR2: nil, meanPerDimensionR2: nil, numScoredElements: n)
    if perDimension {
        let perDim: [Double?] = (0..<columns).map { c in colTot[c] > 0 ? 1 - colRes[c] / colTot[c] : nil }
        let defined = perDim.compactMap { $0 }
        result.perDimensionR2 = perDim
        result.meanPerDimensionR2 = defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
    }
    return result
}

/// `regressionMetrics` for Float32 storage; values are widened to Float64 before summing.
public func regressionMetrics(
    truth: [Float], predicted: [Float], columns: Int,
    mask: [Bool]? = nil, perDimension: Bool = false
) throws(MetricsError) -> RegressionMetrics {
    try regressionMetrics(truth: truth.map(Double.init), predicted: predicted.map(Double.init),
                          columns: columns, mask: mask, perDimension: perDimension)
}

/// Column means of a row-major matrix: the "predict the mean" baseline for regression
/// (repeat it for every test row).
public func columnMeans(_ values: [Double], columns: Int) throws(MetricsError) -> [Double] {
    let rows = try matrixRows("matrix", count: values.count, columns: columns)
    try requireFinite("matrix", values)
    var sum = [Double](repeating: 0, count: columns)
    for r in 0..<rows {
        for c in 0..<columns { sum[c] += values[r * columns + c] }
    }
    return sum.map { $0 / Double(rows) }
}

/// Mean per-joint position error. JSON keys follow the reference `metrics.json`.
public struct PoseErrorMetrics: Codable, Equatable, Sendable {
    /// Mean Euclidean joint error over all items, frames and (valid) joints; null when no
    /// joint is valid.
    public var mpjpe: Double?
    /// The same over the last frame only; null when no joint of the last frame is valid.
    public var finalFrameMpjpe: Double?
    /// Number of joints scored over all frames.
    public var numScoredJoints: Int

    enum CodingKeys: String, CodingKey {
        case mpjpe
        case finalFrameMpjpe = "final_frame_mpjpe"
        case numScoredJoints = "num_scored_joints"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mpjpe, forKey: .mpjpe)
        try c.encode(finalFrameMpjpe, forKey: .finalFrameMpjpe)
        try c.encode(numScoredJoints, forKey: .numScoredJoints)
    }
}

/// MPJPE of flattened joint trajectories: each row is read as `(frames, joints, 3)` in
/// row-major order (the reference reshapes to `(n, 10, 42, 3)`), and the Euclidean error of
/// each joint is averaged. Units are those of the inputs (metres in the suite).
///
/// - Parameters:
///   - truth: true coordinates, `rows × frames × joints × 3` values.
///   - predicted: predictions, same shape.
///   - frames: future frames per row.
///   - joints: joints per frame.
///   - validJoints: optional `rows × frames × joints` validity (the strict protocol leaves
///     out undetected, all-zero hand frames).
/// - Throws: `MetricsError` for shape mismatches, empty or non-finite inputs.
public func poseErrorMetrics(
    truth: [Double], predicted: [Double], frames: Int, joints: Int, validJoints: [Bool]? = nil
) throws(MetricsError) -> PoseErrorMetrics {
    guard frames > 0, joints > 0 else {
        throw .invalidParameter(name: "frames × joints", expected: "both > 0", found: "\(frames) × \(joints)")
    }
    let perRow = frames * joints * 3
    let rows = try matrixRows("true joint coordinates", count: truth.count, columns: perRow)
    try requireSameLength("predicted joint coordinates", expected: truth.count, found: predicted.count)
    if let validJoints {
        try requireSameLength("joint validity mask", expected: rows * frames * joints, found: validJoints.count)
    }
    try requireFinite("true joint coordinates", truth)
    try requireFinite("predicted joint coordinates", predicted)

    var sum = 0.0, count = 0, finalSum = 0.0, finalCount = 0
    for r in 0..<rows {
        for f in 0..<frames {
            for j in 0..<joints {
                let jointIndex = (r * frames + f) * joints + j
                if let validJoints, !validJoints[jointIndex] { continue }
                let base = jointIndex * 3
                let dx = truth[base] - predicted[base]
                let dy = truth[base + 1] - predicted[base + 1]
                let dz = truth[base + 2] - predicted[base + 2]
                let e = (dx * dx + dy * dy + dz * dz).squareRoot()
                sum += e
                count += 1
                if f == frames - 1 { finalSum += e; finalCount += 1 }
            }
        }
    }
    return PoseErrorMetrics(
        mpjpe: count > 0 ? sum / Double(count) : nil,
        finalFrameMpjpe: finalCount > 0 ? finalSum / Double(finalCount) : nil,
        numScoredJoints: count)
}

/// `poseErrorMetrics` for Float32 storage; values are widened to Float64 before summing.
public func poseErrorMetrics(
    truth: [Float], predicted: [Float], frames: Int, joints: Int, validJoints: [Bool]? = nil
) throws(MetricsError) -> PoseErrorMetrics {
    try poseErrorMetrics(truth: truth.map(Double.init), predicted: predicted.map(Double.init),
                         frames: frames, joints: joints, validJoints: validJoints)
}

/// Pooled R² of row subsets (with repeats) of one prediction matrix, for bootstrapping: the
/// per-row residual and squared-truth sums are computed once, so a resample costs one pass
/// adding its truth rows (`SS_tot = Σ q_i − Σ_c S_c²/n` with `S_c` the column sums of the
/// resample) instead of copying and rescoring the whole matrix. Equals
/// ``regressionMetrics(truth:predicted:columns:mask:perDimension:)``'s `r2` on the same rows up
/// to rounding (Float64 throughout); it suits truth near zero mean, such as z-scores.
public struct PooledR2Resampler: Sendable {
    let columns: Int
    let truth: [Double]
    let residual: [Double]
    let squares: [Double]

    /// - Throws: `MetricsError` on shape mismatches or non-finite values.
    public init(truth: [Float], predicted: [Float], columns: Int) throws(MetricsError) {
        let rows = try matrixRows("true targets", count: truth.count, columns: columns)
        try requireSameLength("predicted targets", expected: truth.count, found: predicted.count)
        let t = truth.map(Double.init), p = predicted.map(Double.init)
        try requireFinite("true targets", t)
        try requireFinite("predicted targets", p)
        var residual = [Double](repeating: 0, count: rows), squares = residual
        for r in 0..<rows {
            var e2 = 0.0, q = 0.0
            for c in 0..<columns {
                let i = r * columns + c
                let e = t[i] - p[i]
                e2 += e * e
                q += t[i] * t[i]
            }
            residual[r] = e2
            squares[r] = q
        }
        self.columns = columns
        self.truth = t
        self.residual = residual
        self.squares = squares
    }

    /// Pooled R² of the rows `indices` (0 when their truth has no variance).
    public func r2(rows indices: [Int]) -> Double {
        guard !indices.isEmpty else { return 0 }
        var columnSum = [Double](repeating: 0, count: columns)
        var res = 0.0, q = 0.0
        truth.withUnsafeBufferPointer { t in
            columnSum.withUnsafeMutableBufferPointer { s in
                for i in indices {
                    res += residual[i]
                    q += squares[i]
                    let row = t.baseAddress! + i * columns
                    for c in 0..<columns { s[c] += row[c] }
                }
            }
        }
        let n = Double(indices.count)
        let tot = q - columnSum.reduce(0) { $0 + $1 * $1 } / n
        return tot > 0 ? 1 - res / tot : 0
    }
}
