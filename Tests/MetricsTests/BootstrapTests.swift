import Testing
@testable import Metrics
import XPCore

@Suite("Bootstrap and statistics")
struct BootstrapTests {
    @Test func boundedIntegersStayInRange() {
        var rng = SplitMix64(seed: 42)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let v = rng.nextInt(below: 7)
            #expect((0..<7).contains(v))
            seen.insert(v)
        }
        #expect(seen.count == 7)
        let u = rng.uniform()
        #expect(u >= 0 && u < 1)
    }

    @Test func blockIndicesAreContiguousBlocks() throws {
        var rng = SplitMix64(seed: 3)
        let idx = try blockBootstrapIndices(count: 10, blockLength: 3, rng: &rng)
        #expect(idx.count == 10)
        // Blocks of 3 consecutive indices at positions 0–2, 3–5, 6–8, then one cut to 1.
        for b in stride(from: 0, to: 9, by: 3) {
            #expect(idx[b + 1] == idx[b] + 1 && idx[b + 2] == idx[b] + 2)
            #expect(idx[b] >= 0 && idx[b] <= 7)
        }
        // A block longer than the data can only start at 0: the resample is the identity.
        #expect(try blockBootstrapIndices(count: 5, blockLength: 9, rng: &rng) == [0, 1, 2, 3, 4])
    }

    let values: [Double] = (0..<100).map { $0 % 2 == 0 ? 0 : 1 }
    func mean(_ idx: [Int]) -> Double? { idx.reduce(0.0) { $0 + values[$1] } / Double(idx.count) }

    @Test func deterministicForASeed() throws {
        let a = try blockBootstrap(count: 100, blockLength: 5, resamples: 200, seed: 11, metric: mean)
        let b = try blockBootstrap(count: 100, blockLength: 5, resamples: 200, seed: 11, metric: mean)
        let c = try blockBootstrap(count: 100, blockLength: 4, resamples: 200, seed: 12, metric: mean)
        #expect(a == b)
        #expect(a.lower != c.lower || a.upper != c.upper)
    }

    @Test func intervalContainsEstimate() throws {
        // Alternating 0/1: the mean is 0.5; blocks of 5 hold two or three ones, so resample
        // means spread around 0.5 and the 95 % interval brackets it.
        let r = try blockBootstrap(count: 100, blockLength: 5, resamples: 500, seed: 7, metric: mean)
        #expect(r.estimate == 0.5)
        #expect(r.lower <= 0.5 && 0.5 <= r.upper && r.lower < r.upper)
        #expect(r.validResamples == 500 && r.standardError > 0)
        // A constant metric has a degenerate interval at the constant.
        let constant = try blockBootstrap(count: 20, blockLength: 4, resamples: 50) { _ in 0.7 }
        // (The std of fifty 0.7s is zero up to the rounding of their Float64 mean.)
        #expect(constant.lower == 0.7 && constant.upper == 0.7 && constant.standardError < 1e-12)
    }

    @Test func undefinedResamplesAreSkippedOrRejected() throws {
        // Defined only on resamples that contain index 0.
        let r = try blockBootstrap(count: 10, blockLength: 2, resamples: 100, seed: 1) { idx in
            idx.contains(0) ? 1 : nil
        }
        #expect(r.validResamples > 0 && r.validResamples < 100)
        #expect(throws: MetricsError.empty(what: "bootstrap resamples with a defined metric")) {
            try blockBootstrap(count: 10, blockLength: 2, resamples: 10) { idx in idx == Array(0..<10) ? 1 : nil }
        }
        #expect(throws: MetricsError.empty(what: "a defined metric value on the full test set")) {
            try blockBootstrap(count: 10, blockLength: 2) { _ in nil }
        }
        #expect(throws: MetricsError.self) { try blockBootstrap(count: 10, blockLength: 0) { _ in 1 } }
        #expect(throws: MetricsError.self) { try blockBootstrap(count: 10, blockLength: 2, confidence: 1) { _ in 1 } }
    }

    @Test func bootstrapAroundALibraryMetric() throws {
        // The closure may call a throwing metric; its typed error propagates.
        let truth = [0, 1, 1, 0, 1, 0, 0, 1], pred = [0, 1, 0, 0, 1, 1, 0, 1]
        let r = try blockBootstrap(count: truth.count, blockLength: 2, resamples: 100) { idx in
            try binaryMetrics(truth: idx.map { truth[$0] }, predicted: idx.map { pred[$0] }).accuracy
        }
        #expect(r.estimate == 0.75)  // 6 of 8 agree
        #expect(throws: MetricsError.empty(what: "test labels")) {
            try blockBootstrap(count: 3, blockLength: 1) { _ in try binaryMetrics(truth: [], predicted: []).f1 }
        }
    }

    @Test func percentilesMatchNumpyLinear() throws {
        // numpy.percentile([1, 2, 3, 4], q): position 3q/100 → 25 → 1.75, 50 → 2.5.
        #expect(try percentile([4, 1, 3, 2], 25) == 1.75)
        #expect(try percentile([4, 1, 3, 2], 50) == 2.5)
        #expect(try percentile([4, 1, 3, 2], 0) == 1 && percentile([4, 1, 3, 2], 100) == 4)
        #expect(try median([5]) == 5)
        #expect(throws: MetricsError.empty(what: "percentile values")) { try percentile([], 50) }
        #expect(throws: MetricsError.self) { try percentile([1], 101) }
    }

    @Test func meanAndPopulationStd() throws {
        // [1, 2, 3, 4]: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, /4 → 1.25.
        let s = try MeanStd([1, 2, 3, 4])
        #expect(s.mean == 2.5 && close(s.std, 1.25.squareRoot()) && s.n == 4)
        #expect(throws: MetricsError.nonFinite(what: "values to summarise", index: 0)) { try MeanStd([.nan]) }
    }

    @Test func labelEncodingFirstAppearance() {
        let e = LabelEncoding(["b", "a", "b", "c"])
        #expect(e.classNames == ["b", "a", "c"] && e.ids == [0, 1, 0, 2])
    }
}
