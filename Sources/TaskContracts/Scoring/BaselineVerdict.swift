import Foundation
import Metrics
import XPCore

/// The strict protocol's reading of a score against its trivial baselines: the strongest one
/// in the primary metric, and whether the interval of the reported number clears it.
///
/// A head "beats its baseline" only when the whole interval is on the better side of the
/// strongest trivial baseline: a point estimate above the first baseline listed is not
/// evidence (an all-positive pair head scored F1 0.667 against a coin flip's 0.5 while the
/// always-positive rule scores exactly the same).
public enum BaselineVerdict {
    /// The strongest trivial baseline in the primary metric: the highest (lowest for error
    /// metrics) among those scored in it. Oracles (which look at the test targets, such as
    /// the test-mean pose) and baselines in another metric are left out.
    public static func strongest(_ baselines: [BaselineScore], higherIsBetter: Bool) -> BaselineScore? {
        let trivial = baselines.filter { $0.metric == nil && !$0.name.contains("oracle") && $0.value.isFinite }
        return higherIsBetter ? trivial.max { $0.value < $1.value } : trivial.min { $0.value < $1.value }
    }

    /// True when the interval lies entirely on the better side of `baseline`, false when it
    /// does not (it overlaps or is worse), nil when either is missing.
    public static func beats(_ interval: BootstrapInterval?, _ baseline: BaselineScore?, higherIsBetter: Bool) -> Bool? {
        guard let interval, let baseline else { return nil }
        return higherIsBetter ? interval.lower > baseline.value : interval.upper < baseline.value
    }

    /// `interval` in metrics.json: the bounds of the reported number and how they were made.
    static func intervalJSON(_ i: BootstrapInterval) -> JSON {
        .object([("low", .num(i.lower)), ("high", .num(i.upper)), ("level", .num(i.confidence)),
                 ("method", .string("block bootstrap over test samples, blocks = \(i.method ?? "fixed")\((i.pooledSeeds ?? 1) > 1 ? ", seeds pooled in each resample" : "")")),
                 ("block", .num(i.meanBlockLength ?? Double(i.blockLength))), ("resamples", .int(i.resamples)),
                 ("estimate", .num(i.estimate)), ("blocks", .string(i.method ?? "fixed")), ("block_count", .int(i.blockCount ?? 0)),
                 ("valid_resamples", .int(i.validResamples)), ("seeds_pooled", .int(i.pooledSeeds ?? 1))])
    }

    /// The strict metrics.json keys: every baseline, the strongest and the verdict.
    static func fields(_ baselines: [BaselineScore], interval: BootstrapInterval?, higherIsBetter: Bool) -> [(String, JSON)] {
        let best = strongest(baselines, higherIsBetter: higherIsBetter)
        let list = JSON.array(baselines.map { b in
            var f: [(String, JSON)] = [("name", .string(b.name)), ("value", .num(b.value))]
            if let m = b.metric { f.append(("metric", .string(m))) }
            return .object(f)
        })
        let verdict = beats(interval, best, higherIsBetter: higherIsBetter)
        return [("baselines", list),
                ("strongest_baseline", best.map { .object([("name", .string($0.name)), ("value", .num($0.value))]) } ?? .null),
                ("beats_baseline", verdict.map { .bool($0) } ?? .null)]
    }
}
