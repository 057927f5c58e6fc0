import XPCore
/// The reference `temporal_stats`: for a (T, D) row-major block it returns the 7·D vector
/// `[mean, std, min, max, last − first, mean Δ, std Δ]` over time, each part of length D, where
/// Δ are first differences along time and std is the population std (ddof 0). NaN and ±inf
/// are replaced by 0 first. With T = 1 the two velocity parts are 0.
///
/// Sums and variances are accumulated in Float64 and stored as Float32.
public func temporalStats(_ x: [Float], rows: Int, cols: Int) throws(WindowAlignError) -> [Float] {
    guard rows > 0 else { throw .emptyInput(what: "temporalStats input (T = 0 time steps)") }
    guard cols >= 0 else { throw .invalidArgument(what: "temporalStats cols", detail: "must be >= 0, found \(cols)") }
    guard x.count == rows * cols else {
        throw .shapeMismatch(what: "temporalStats input of \(rows)×\(cols)", expected: rows * cols, found: x.count)
    }
    var out = [Float](repeating: 0, count: 7 * cols)
    x.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBufferPointer { op in
            temporalStatsInto(xp, rows: rows, cols: cols, rowStride: cols, out: op)
        }
    }
    return out
}

/// Core of `temporalStats` on a strided view: rows `0..<rows` of a buffer whose rows are
/// `rowStride` apart; writes 7·cols values to `out`. Callers guarantee the bounds.
@inline(__always)
func temporalStatsInto(_ x: UnsafeBufferPointer<Float>, rows: Int, cols: Int, rowStride: Int,
                       out: UnsafeMutableBufferPointer<Float>) {
    let t = Double(rows)
    for j in 0..<cols {
        @inline(__always) func v(_ r: Int) -> Double {
            let f = x[r * rowStride + j]
            return f.isFinite ? Double(f) : 0
        }
        var sum = 0.0, mn = Double.infinity, mx = -Double.infinity
        for r in 0..<rows {
            let a = v(r)
            sum += a
            if a < mn { mn = a }
            if a > mx { mx = a }
        }
        let mean = sum / t
        var ss = 0.0
        for r in 0..<rows {
            let d = v(r) - mean
            ss += d * d
        }
        let first = v(0), last = v(rows - 1)
        var dMean = 0.0, dStd = 0.0
        if rows > 1 {
            let n = Double(rows - 1)
            var dSum = 0.0
            for r in 1..<rows { dSum += v(r) - v(r - 1) }
            dMean = dSum / n
            var dss = 0.0
            for r in 1..<rows {
                let d = (v(r) - v(r - 1)) - dMean
                dss += d * d
            }
            dStd = (dss / n).squareRoot()
        }
        out[j] = Float(mean)
        out[cols + j] = Float((ss / t).squareRoot())
        out[2 * cols + j] = Float(mn)
        out[3 * cols + j] = Float(mx)
        out[4 * cols + j] = Float(last - first)
        out[5 * cols + j] = Float(dMean)
        out[6 * cols + j] = Float(dStd)
    }
}

/// Population mean and std (ddof 0) of `values`, accumulated in Float64. Empty → (0, 0).
func meanStd<S: Sequence>(_ values: S) -> (mean: Double, std: Double) where S.Element == Double {
    var n = 0.0, sum = 0.0
    for v in values { sum += v; n += 1 }
    guard n > 0 else { return (0, 0) }
    let mean = sum / n
    var ss = 0.0
    for v in values { let d = v - mean; ss += d * d }
    return (mean, (ss / n).squareRoot())
}
