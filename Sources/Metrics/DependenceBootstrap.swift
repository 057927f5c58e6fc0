// A block bootstrap whose blocks follow the data's dependence, and that pools several seeds
// inside each resample.
//
// Test windows are dependent well beyond their overlap: a label segment (one action) lasts
// tens of windows, and a head that is wrong on one window of it is wrong on most of them.
// Blocks of ⌈window/stride⌉ samples cover the overlap only, so the resampled metric varies
// too little and the interval is too narrow. Here the blocks are the segments themselves
// (runs of consecutive test samples with one segment label, never crossing an episode), or
// whole episodes when the test set has enough of them to resample.
//
// With several seeds the number printed is the mean over seeds, so every resample scores
// every seed on the same indices and keeps their mean: the interval then describes exactly
// that mean (seed spread and sampling spread together), not one seed's value.

import XPCore

/// How the test samples are cut into resampling blocks.
public struct DependenceBlocks: Sendable, Equatable {
    /// The blocks, as ranges of test positions; together they cover `0..<count` in order.
    public var blocks: [Range<Int>]
    /// `"label_runs"` or `"episodes"`.
    public var method: String
    /// The shortest block allowed (shorter runs are merged into the next one).
    public var minimumLength: Int

    /// Number of test samples covered.
    public var count: Int { blocks.last?.upperBound ?? 0 }
    /// Mean block length in samples.
    public var meanLength: Double { blocks.isEmpty ? 0 : Double(count) / Double(blocks.count) }

    /// Test episodes at or above which whole episodes are the blocks: with fewer, an episode
    /// bootstrap has too few distinct resamples to give a percentile interval.
    public static let episodeBlocksFrom = 10

    /// Blocks for test samples in test order.
    ///
    /// - Parameters:
    ///   - segments: a segment label per sample (the true class, or the window's action);
    ///     a block ends where it changes.
    ///   - episodes: the episode of each sample; a block never crosses episodes.
    ///   - positions: the window index of each sample; a block also ends where consecutive
    ///     samples are not neighbours (a purged gap), since dependence does not cross it.
    ///   - minimumLength: the shortest block (the window overlap, ⌈size/stride⌉ samples, or
    ///     twice that for pairs); a shorter run is merged into the run after it (the last
    ///     one into the one before) within its episode.
    /// - Throws: `MetricsError` for empty or mismatched inputs or `minimumLength < 1`.
    public static func build(segments: [Int], episodes: [Int], positions: [Int], minimumLength: Int) throws(MetricsError) -> DependenceBlocks {
        let n = segments.count
        guard n >= 1 else { throw .empty(what: "test samples to cut into blocks") }
        guard episodes.count == n, positions.count == n else {
            throw .lengthMismatch(what: "segments, episodes and positions", expected: n, found: episodes.count == n ? positions.count : episodes.count)
        }
        guard minimumLength >= 1 else { throw .invalidParameter(name: "minimumLength", expected: "≥ 1", found: "\(minimumLength)") }
        // Episode boundaries first.
        var episodeRanges: [Range<Int>] = []
        var start = 0
        for i in 1...n where i == n || episodes[i] != episodes[i - 1] {
            episodeRanges.append(start..<i)
            start = i
        }
        if episodeRanges.count >= episodeBlocksFrom {
            return DependenceBlocks(blocks: episodeRanges, method: "episodes", minimumLength: minimumLength)
        }
        var blocks: [Range<Int>] = []
        for e in episodeRanges {
            var runs: [Range<Int>] = []
            var s = e.lowerBound
            for i in (e.lowerBound + 1)...e.upperBound {
                // Pair tasks have two samples per window: a step of 0 or 1 window is contiguous.
                if i == e.upperBound || segments[i] != segments[i - 1] || abs(positions[i] - positions[i - 1]) > 1 {
                    runs.append(s..<i)
                    s = i
                }
            }
            var merged: [Range<Int>] = []
            var pending: Range<Int>?
            for r in runs {
                let cur = pending.map { $0.lowerBound..<r.upperBound } ?? r
                if cur.count >= minimumLength { merged.append(cur); pending = nil } else { pending = cur }
            }
            if let p = pending {
                if let last = merged.popLast() { merged.append(last.lowerBound..<p.upperBound) } else { merged.append(p) }
            }
            blocks += merged
        }
        return DependenceBlocks(blocks: blocks, method: "label_runs", minimumLength: minimumLength)
    }

    /// Blocks of exactly `length` consecutive samples (the last one shorter): the former
    /// fixed-length scheme, kept for comparison and for tasks with no segment labels.
    public static func fixed(count: Int, length: Int) throws(MetricsError) -> DependenceBlocks {
        guard count >= 1 else { throw .empty(what: "test samples to cut into blocks") }
        guard length >= 1 else { throw .invalidParameter(name: "length", expected: "≥ 1", found: "\(length)") }
        let blocks = stride(from: 0, to: count, by: length).map { $0..<min($0 + length, count) }
        return DependenceBlocks(blocks: blocks, method: "fixed", minimumLength: length)
    }

    /// One resample: blocks drawn uniformly with replacement and concatenated until they
    /// hold `count` samples, cut to `count`.
    public func resample(rng: inout SplitMix64) -> [Int] {
        let n = count
        var out: [Int] = []
        out.reserveCapacity(n + blocks.count)
        while out.count < n, !blocks.isEmpty {
            out.append(contentsOf: blocks[rng.nextInt(below: blocks.count)])
        }
        return Array(out.prefix(n))
    }
}

/// The result of ``pooledBootstrap(blocks:resamples:confidence:seed:metrics:)``.
public struct PooledBootstrap: Sendable, Equatable {
    /// The interval of the mean over the metrics (seeds): `estimate` is that mean on the
    /// full test set, and each resample's value is the mean over the seeds defined on it.
    public var pooled: BootstrapInterval
    /// Each metric's own interval over the same resamples (nil where it was never defined).
    public var perMetric: [BootstrapInterval?]
}

/// A block bootstrap of the mean of several metrics (one per seed) over the same resamples.
///
/// - Parameters:
///   - blocks: the resampling blocks (``DependenceBlocks``).
///   - resamples: number of resamples (≥ 1).
///   - confidence: interval coverage in (0, 1).
///   - seed: seed of the `SplitMix64` stream that draws the blocks.
///   - metrics: one closure per seed, the metric on a list of test positions (nil where
///     undefined).
/// - Throws: `MetricsError` for invalid parameters, no metric, an estimate undefined for
///   every seed, or no defined resample; errors of the closures propagate.
public func pooledBootstrap(blocks: DependenceBlocks, resamples: Int = 1000, confidence: Double = 0.95, seed: UInt64 = 7,
                            metrics: [([Int]) throws -> Double?]) throws -> PooledBootstrap {
    guard resamples >= 1 else { throw MetricsError.invalidParameter(name: "resamples", expected: "≥ 1", found: "\(resamples)") }
    guard confidence > 0, confidence < 1 else {
        throw MetricsError.invalidParameter(name: "confidence", expected: "a fraction in (0, 1)", found: "\(confidence)")
    }
    guard !metrics.isEmpty else { throw MetricsError.empty(what: "metrics to bootstrap") }
    let n = blocks.count
    guard n >= 1 else { throw MetricsError.empty(what: "test samples to bootstrap") }
    let full = Array(0..<n)
    let estimates = try metrics.map { try $0(full) }
    let defined = estimates.compactMap { $0 }.filter(\.isFinite)
    guard !defined.isEmpty else { throw MetricsError.empty(what: "a defined metric value on the full test set") }
    var rng = SplitMix64(seed: seed)
    var pooledValues: [Double] = []
    var each = [[Double]](repeating: [], count: metrics.count)
    pooledValues.reserveCapacity(resamples)
    for r in 0..<resamples {
        let idx = blocks.resample(rng: &rng)
        var sum = 0.0, k = 0
        for (m, metric) in metrics.enumerated() {
            guard let v = try metric(idx) else { continue }
            guard v.isFinite else { throw MetricsError.nonFinite(what: "metric on bootstrap resample", index: r) }
            each[m].append(v)
            sum += v; k += 1
        }
        if k > 0 { pooledValues.append(sum / Double(k)) }
    }
    guard !pooledValues.isEmpty else { throw MetricsError.empty(what: "bootstrap resamples with a defined metric") }
    let meanLength = Int(blocks.meanLength.rounded(.toNearestOrEven))
    func interval(_ values: [Double], estimate: Double) throws -> BootstrapInterval {
        let sorted = values.sorted()
        let alpha = (1 - confidence) / 2
        var i = BootstrapInterval(estimate: estimate, lower: Statistics.percentile(sorted: sorted, 100 * alpha),
                                  upper: Statistics.percentile(sorted: sorted, 100 * (1 - alpha)),
                                  standardError: try MeanStd(values).std, confidence: confidence, resamples: resamples,
                                  validResamples: values.count, blockLength: max(1, meanLength), seed: seed)
        i.method = blocks.method
        i.blockCount = blocks.blocks.count
        i.meanBlockLength = blocks.meanLength
        return i
    }
    var pooled = try interval(pooledValues, estimate: defined.reduce(0, +) / Double(defined.count))
    pooled.pooledSeeds = metrics.count
    let perMetric = try zip(each, estimates).map { values, e -> BootstrapInterval? in
        guard let e, e.isFinite, !values.isEmpty else { return nil }
        return try interval(values, estimate: e)
    }
    return PooledBootstrap(pooled: pooled, perMetric: perMetric)
}
