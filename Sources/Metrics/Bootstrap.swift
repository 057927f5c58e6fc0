// Block-bootstrap confidence intervals. Test windows overlap and are autocorrelated, so
// resampling single windows would understate the spread; resampling contiguous blocks keeps
// the short-range dependence inside each block.

import XPCore

/// A moving-block bootstrap resample of `0..<count`: `⌈count / blockLength⌉` blocks of
/// `blockLength` consecutive indices, each starting uniformly in `0...(count − blockLength)`,
/// concatenated and cut to `count` indices. A block length above `count` is treated as `count`.
///
/// - Throws: `MetricsError.invalidParameter` for `count < 1` or `blockLength < 1`.
public func blockBootstrapIndices(count: Int, blockLength: Int, rng: inout SplitMix64) throws(MetricsError) -> [Int] {
    guard count >= 1 else { throw .invalidParameter(name: "count", expected: "≥ 1", found: "\(count)") }
    guard blockLength >= 1 else {
        throw .invalidParameter(name: "blockLength", expected: "≥ 1", found: "\(blockLength)")
    }
    let length = min(blockLength, count)
    var out: [Int] = []
    out.reserveCapacity(count + length)
    while out.count < count {
        let start = rng.nextInt(below: count - length + 1)
        out.append(contentsOf: start..<(start + length))
    }
    return Array(out.prefix(count))
}

/// A bootstrap percentile interval around a point estimate.
public struct BootstrapInterval: Codable, Equatable, Sendable {
    /// The metric on the original test set (indices `0..<count`).
    public var estimate: Double
    /// Lower percentile bound, `100·(1 − confidence)/2`, linearly interpolated.
    public var lower: Double
    /// Upper percentile bound, `100·(1 + confidence)/2`, linearly interpolated.
    public var upper: Double
    /// Population std of the resampled values (the bootstrap standard error).
    public var standardError: Double
    public var confidence: Double
    public var resamples: Int
    /// Resamples on which the metric was defined (the closure returned a value).
    public var validResamples: Int
    /// Block length (the mean block length for variable-length blocks), in samples.
    public var blockLength: Int
    public var seed: UInt64
    /// How the blocks were cut (`"label_runs"`, `"episodes"`, `"fixed"`); nil for the
    /// moving-block bootstrap of ``blockBootstrap(count:blockLength:resamples:confidence:seed:metric:)``.
    public var method: String? = nil
    /// Number of distinct blocks (variable-length blocks only).
    public var blockCount: Int? = nil
    /// Mean block length in samples (variable-length blocks only).
    public var meanBlockLength: Double? = nil
    /// Seeds pooled inside each resample (nil: one metric).
    public var pooledSeeds: Int? = nil

    enum CodingKeys: String, CodingKey {
        case estimate, lower, upper
        case standardError = "standard_error"
        case confidence, resamples
        case validResamples = "valid_resamples"
        case blockLength = "block_length"
        case seed
        case method
        case blockCount = "block_count"
        case meanBlockLength = "mean_block_length"
        case pooledSeeds = "pooled_seeds"
    }
}

/// Moving-block bootstrap interval for any metric of `count` test items.
///
/// The metric closure receives the indices of a resample (with repeats) and returns the
/// metric on those items, or nil when it is undefined there (for example AUROC on a
/// single-class resample); undefined resamples are counted and left out.
///
/// - Parameters:
///   - count: number of test items.
///   - blockLength: items per block (for windows with stride S and size W, about W/S or
///     more keeps overlapping windows together).
///   - resamples: number of bootstrap resamples (default 1000).
///   - confidence: interval coverage in (0, 1) (default 0.95).
///   - seed: seed of XPCore's `SplitMix64` stream (block starts by `nextInt(below:)`); the
///     same inputs and seed give the same interval.
///   - metric: the metric on a list of item indices.
/// - Throws: `MetricsError` for invalid parameters, an undefined or non-finite estimate or
///   no defined resample; an error thrown by `metric` propagates unchanged. (Untyped, so
///   that any closure, not only one that throws `MetricsError`, can be bootstrapped.)
public func blockBootstrap(
    count: Int, blockLength: Int, resamples: Int = 1000, confidence: Double = 0.95, seed: UInt64 = 7,
    metric: ([Int]) throws -> Double?
) throws -> BootstrapInterval {
    guard resamples >= 1 else {
        throw MetricsError.invalidParameter(name: "resamples", expected: "≥ 1", found: "\(resamples)")
    }
    guard confidence > 0, confidence < 1 else {
        throw MetricsError.invalidParameter(name: "confidence", expected: "a fraction in (0, 1)", found: "\(confidence)")
    }
    guard count >= 1 else { throw MetricsError.invalidParameter(name: "count", expected: "≥ 1", found: "\(count)") }
    guard blockLength >= 1 else {
        throw MetricsError.invalidParameter(name: "blockLength", expected: "≥ 1", found: "\(blockLength)")
    }
    guard let estimate = try metric(Array(0..<count)) else {
        throw MetricsError.empty(what: "a defined metric value on the full test set")
    }
    guard estimate.isFinite else { throw MetricsError.nonFinite(what: "metric on the full test set", index: 0) }
    var rng = SplitMix64(seed: seed)
    var values: [Double] = []
    values.reserveCapacity(resamples)
    for r in 0..<resamples {
        let indices = try blockBootstrapIndices(count: count, blockLength: blockLength, rng: &rng)
        guard let v = try metric(indices) else { continue }
        guard v.isFinite else { throw MetricsError.nonFinite(what: "metric on bootstrap resample", index: r) }
        values.append(v)
    }
    guard !values.isEmpty else { throw MetricsError.empty(what: "bootstrap resamples with a defined metric") }
    let sorted = values.sorted()
    let alpha = (1 - confidence) / 2
    return BootstrapInterval(
        estimate: estimate,
        lower: Statistics.percentile(sorted: sorted, 100 * alpha),
        upper: Statistics.percentile(sorted: sorted, 100 * (1 - alpha)),
        standardError: try MeanStd(values).std,
        confidence: confidence, resamples: resamples, validResamples: values.count,
        blockLength: min(blockLength, count), seed: seed)
}
