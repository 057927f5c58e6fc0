import Foundation
import XPCore

/// Column-wise z-scoring fitted on training rows only.
///
/// Means and population standard deviations (ddof = 0, as NumPy's `std`) are accumulated in
/// Float64 and stored as Float32.
///
/// - `reference` reproduces the reference suite's `fit_scaler`: a column whose std is below 1e-6
///   gets std 1, every column is kept, and z-scores are not clipped.
/// - `strict` also drops constant and near-constant columns (std ≤ max(absolute tolerance,
///   relative tolerance × |mean|), which catches static columns that only carry Float32 noise),
///   floors each remaining std at max(floorFraction × median std of its block, absoluteFloor),
///   and clips z-scores to ±clip. Test-time z-scores of almost-static columns otherwise explode.
public struct Standardiser: Sendable, Equatable {
    /// Options of the strict mode. Defaults: drop std ≤ max(1e-6, 1e-5·|mean|), floor at
    /// 1e-3 × the block's median std, clip at ±10, the whole matrix as one block.
    public struct StrictOptions: Sendable, Equatable, Codable {
        /// Columns with std at or below this are constant.
        public var constantAbsoluteTolerance: Double
        /// Columns with std at or below this fraction of |mean| are constant up to Float32 noise.
        public var constantRelativeTolerance: Double
        /// The std floor as a fraction of the median std of the column's block.
        public var floorFraction: Double
        /// A floor that applies to every column regardless of its block.
        public var absoluteFloor: Double
        /// z-scores are clipped to [−clip, clip]; `nil` disables clipping.
        public var clip: Float?
        /// Column ranges (for example feature blocks) over which the median std is taken;
        /// `nil` means one block covering every column. Columns outside every range form one
        /// extra block.
        public var blocks: [Range<Int>]?

        /// Strict options; every parameter has the documented default.
        public init(constantAbsoluteTolerance: Double = 1e-6, constantRelativeTolerance: Double = 1e-5,
                    floorFraction: Double = 1e-3, absoluteFloor: Double = 0, clip: Float? = 10,
                    blocks: [Range<Int>]? = nil) {
            self.constantAbsoluteTolerance = constantAbsoluteTolerance
            self.constantRelativeTolerance = constantRelativeTolerance
            self.floorFraction = floorFraction
            self.absoluteFloor = absoluteFloor
            self.clip = clip
            self.blocks = blocks
        }
    }

    /// How the statistics are turned into a transform.
    public enum Mode: Sendable, Equatable {
        /// The reference contract: std < 1e-6 → 1, keep all columns, no clipping.
        case reference
        /// Drop constant columns, robust std floor, clip z-scores.
        case strict(StrictOptions)
    }

    /// The mode this standardiser was fitted with.
    public let mode: Mode
    /// Number of columns of the matrices it was fitted on (and accepts).
    public let inputColumns: Int
    /// The input columns that survive, in increasing order (all of them in reference mode).
    public let keptColumns: [Int]
    /// Mean of each kept column over the training rows.
    public let mean: [Float]
    /// The divisor of each kept column (population std after the floor rules).
    public let scale: [Float]
    /// z-scores are clipped to ±clip when set.
    public let clip: Float?

    /// Input columns that `strict` mode dropped as constant.
    public var droppedColumns: [Int] {
        let kept = Set(keptColumns)
        return (0..<inputColumns).filter { !kept.contains($0) }
    }

    /// Restores a standardiser from stored parameters (for example from a safetensors archive).
    public init(mode: Mode, inputColumns: Int, keptColumns: [Int], mean: [Float], scale: [Float], clip: Float?) throws {
        guard keptColumns.count == mean.count, mean.count == scale.count else {
            throw HeadsError.shapeMismatch(operation: "Standardiser", expected: "kept columns, mean and scale of equal length", found: "\(keptColumns.count), \(mean.count), \(scale.count)")
        }
        for c in keptColumns where !(0..<inputColumns).contains(c) {
            throw HeadsError.invalidIndex(what: "kept column", index: c, validRange: 0..<inputColumns)
        }
        self.mode = mode
        self.inputColumns = inputColumns
        self.keptColumns = keptColumns
        self.mean = mean
        self.scale = scale
        self.clip = clip
    }

    /// Fits on `x` restricted to `rows` (all rows when nil). Training data must be finite.
    public static func fit(_ x: Matrix, rows: [Int]? = nil, mode: Mode = .reference) throws -> Standardiser {
        let train = try rows.map { try x.gatherRows($0) } ?? x
        guard train.rows > 0 else { throw HeadsError.emptyData(what: "standardiser training rows") }
        try train.requireFinite(name: "standardiser training features")
        let (mean64, std64) = columnMoments(train)
        let d = x.cols

        switch mode {
        case .reference:
            let scale = std64.map { $0 < 1e-6 ? Float(1) : Float($0) }
            return try Standardiser(mode: mode, inputColumns: d, keptColumns: Array(0..<d),
                                    mean: mean64.map { Float($0) }, scale: scale, clip: nil)
        case .strict(let options):
            var constant = [Bool](repeating: false, count: d)
            for c in 0..<d {
                let tolerance = max(options.constantAbsoluteTolerance, options.constantRelativeTolerance * abs(mean64[c]))
                constant[c] = std64[c] <= tolerance
            }
            // Group columns by block, then floor each kept column at a fraction of its block's
            // median std (median over the kept columns of that block, NumPy's linear midpoint).
            var blockOf = [Int](repeating: -1, count: d)
            let blocks = options.blocks ?? [0..<d]
            for (b, range) in blocks.enumerated() {
                guard range.lowerBound >= 0, range.upperBound <= d else {
                    throw HeadsError.invalidIndex(what: "standardiser block end", index: range.upperBound, validRange: 0..<(d + 1))
                }
                for c in range where blockOf[c] < 0 { blockOf[c] = b }
            }
            let extra = blocks.count
            for c in 0..<d where blockOf[c] < 0 { blockOf[c] = extra }
            var perBlock = [[Double]](repeating: [], count: extra + 1)
            for c in 0..<d where !constant[c] { perBlock[blockOf[c]].append(std64[c]) }
            // numpy.median per block; an empty block (every column constant) gets 0.
            let medians = perBlock.map { $0.isEmpty ? 0 : Statistics.median($0) }

            var kept: [Int] = [], mean: [Float] = [], scale: [Float] = []
            for c in 0..<d where !constant[c] {
                let floor = max(options.floorFraction * medians[blockOf[c]], options.absoluteFloor)
                kept.append(c)
                mean.append(Float(mean64[c]))
                scale.append(Float(max(std64[c], floor)))
            }
            return try Standardiser(mode: mode, inputColumns: d, keptColumns: kept, mean: mean, scale: scale, clip: options.clip)
        }
    }

    /// `(x − mean) / scale` on the kept columns, clipped when the mode says so. The input must
    /// have the fitted column count and be finite.
    public func transform(_ x: Matrix) throws -> Matrix {
        guard x.cols == inputColumns else {
            throw HeadsError.shapeMismatch(operation: "Standardiser.transform", expected: "\(inputColumns) columns", found: "\(x.cols) columns")
        }
        try x.requireFinite(name: "features to standardise")
        let k = keptColumns.count
        var out = [Float](repeating: 0, count: x.rows * k)
        let allKept = k == inputColumns
        let lo = -(clip ?? .infinity), hi = clip ?? .infinity
        x.storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<x.rows {
                    let s = r * inputColumns, o = r * k
                    for j in 0..<k {
                        let c = allKept ? j : keptColumns[j]
                        let z = (src[s + c] - mean[j]) / scale[j]
                        dst[o + j] = clip == nil ? z : min(max(z, lo), hi)
                    }
                }
            }
        }
        return Matrix(uncheckedRows: x.rows, cols: k, storage: out)
    }

    /// Column means and population standard deviations in Float64 (two passes, so the variance
    /// does not suffer from cancellation).
    static func columnMoments(_ x: Matrix) -> (mean: [Double], std: [Double]) {
        let n = x.rows, d = x.cols
        var sum = [Double](repeating: 0, count: d)
        var sq = [Double](repeating: 0, count: d)
        x.storage.withUnsafeBufferPointer { p in
            for r in 0..<n {
                let base = r * d
                for c in 0..<d { sum[c] += Double(p[base + c]) }
            }
            for c in 0..<d { sum[c] /= Double(n) }
            for r in 0..<n {
                let base = r * d
                for c in 0..<d {
                    let dev = Double(p[base + c]) - sum[c]
                    sq[c] += dev * dev
                }
            }
        }
        return (sum, sq.map { ($0 / Double(n)).squareRoot() })
    }
}
