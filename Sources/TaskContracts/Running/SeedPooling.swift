import Foundation
import Metrics
import XPCore

/// The intervals of one task and head over all its seeds, from one bootstrap.
struct SeedIntervals {
    /// The primary metric: pooled (the mean over seeds) and per seed.
    var primary: PooledBootstrap
    /// Further metrics with an interval (`boundary_f1`), by metrics.json key.
    var extras: [(key: String, intervals: PooledBootstrap)]
    var seeds: Int

    /// The interval of the number printed for `seed` (nil: the summary's number, which is
    /// the mean over seeds when there are several).
    func reported(seed: Int?) -> BootstrapInterval? {
        guard let seed else { return seeds > 1 ? primary.pooled : primary.perMetric.first ?? nil }
        return seed < primary.perMetric.count ? primary.perMetric[seed] : nil
    }
}

/// The bootstrap pooled over seeds and the metrics.json keys it fills in.
///
/// A summary printed the mean over three seeds beside the first seed's interval, so a
/// reader saw 0.466 ± 0.060 beside [0.508, 0.592], an interval that excluded its number. Here
/// every resample scores every seed on the same test positions and keeps their mean; the
/// seeds' own intervals come from the same resamples at no extra cost.
enum SeedPooling {
    /// The intervals of `scores` (one per seed, same problem and blocks), or nil when there
    /// is nothing to resample.
    static func intervals(_ scores: [TaskScore]) -> SeedIntervals? {
        guard let first = scores.first, let blocks = first.blocks, !first.resampled.isEmpty,
              scores.allSatisfy({ $0.resampled.count == first.resampled.count }) else { return nil }
        var results: [(String, PooledBootstrap)] = []
        for (r, metric) in first.resampled.enumerated() {
            // An undefined metric (AUROC of a one-class test, no true boundary) has no interval.
            guard let pooled = try? pooledBootstrap(blocks: blocks, resamples: first.resamples, seed: first.seed,
                                                    metrics: scores.map { $0.resampled[r].metric }) else {
                if r == 0 { return nil }
                continue
            }
            results.append((metric.key, pooled))
        }
        guard let primary = results.first else { return nil }
        return SeedIntervals(primary: primary.1, extras: results.dropFirst().map { ($0.0, $0.1) }, seeds: scores.count)
    }

    /// `metrics` with the interval keys of `seed` (nil: the task's metrics.json, whose
    /// `interval` describes the summary's number and `primary_interval` the first seed's
    /// value beside it) and the verdict that uses the interval.
    static func withIntervals(_ metrics: JSON, _ i: SeedIntervals, seed: Int?, of score: TaskScore) -> JSON {
        var out = metrics
        let reported = i.reported(seed: seed)
        if let own = i.reported(seed: seed ?? 0) { out = setting(out, "primary_interval", JSON.encode(own)) }
        if let reported { out = setting(out, "interval", BaselineVerdict.intervalJSON(reported)) }
        if score.metrics["beats_baseline"] != nil {
            let verdict = BaselineVerdict.beats(reported, score.strongestBaseline, higherIsBetter: score.task.higherIsBetter)
            out = setting(out, "beats_baseline", verdict.map { .bool($0) } ?? .null)
        }
        for (key, e) in i.extras {
            let interval = seed.map { $0 < e.perMetric.count ? e.perMetric[$0] : nil } ?? (i.seeds > 1 ? e.pooled : e.perMetric.first ?? nil)
            if let interval { out = setting(out, "\(key)_interval", BaselineVerdict.intervalJSON(interval)) }
        }
        return out
    }

    /// `json` with `key` set to `value`: replaced in place when present, else appended.
    static func setting(_ json: JSON, _ key: String, _ value: JSON) -> JSON {
        var f = json.fields
        if let k = f.firstIndex(where: { $0.0 == key }) { f[k].1 = value } else { f.append((key, value)) }
        return .object(f)
    }
}
