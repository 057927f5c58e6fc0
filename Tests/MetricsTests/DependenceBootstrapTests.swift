import Testing
import XPCore
@testable import Metrics

/// The dependence-aware blocks and the seed-pooled bootstrap (Bootstrap of the strict protocol).
@Suite struct DependenceBootstrapTests {
    @Test func blocksFollowLabelRunsEpisodesAndGaps() throws {
        // Labels 0 0 0 0 1 1 | 1 1 1 (episode 1) with a purged gap between positions 7 and 8.
        let b = try DependenceBlocks.build(segments: [0, 0, 0, 0, 1, 1, 1, 1, 1], episodes: [0, 0, 0, 0, 0, 0, 1, 1, 1],
                                           positions: [0, 1, 2, 3, 4, 5, 0, 1, 9], minimumLength: 1)
        // Runs by hand: [0,4) label 0; [4,6) label 1; episode 1: [6,8), then [8,9) after the gap.
        #expect(b.blocks == [0..<4, 4..<6, 6..<8, 8..<9])
        #expect(b.method == "label_runs")
        // Minimum length 3: the short run [4,6) joins the next one, but never across the
        // episode, so it joins the one before; in episode 1 the runs [6,8) and [8,9) merge.
        let m = try DependenceBlocks.build(segments: [0, 0, 0, 0, 1, 1, 1, 1, 1], episodes: [0, 0, 0, 0, 0, 0, 1, 1, 1],
                                           positions: [0, 1, 2, 3, 4, 5, 0, 1, 9], minimumLength: 3)
        #expect(m.blocks == [0..<6, 6..<9])
        #expect(m.meanLength == 4.5)
    }

    @Test func manyTestEpisodesAreTheBlocks() throws {
        let episodes = (0..<12).flatMap { [Int](repeating: $0, count: 3) }
        let b = try DependenceBlocks.build(segments: episodes.map { _ in 0 }, episodes: episodes, positions: episodes.indices.map { $0 % 3 },
                                           minimumLength: 1)
        #expect(b.method == "episodes")
        #expect(b.blocks.count == 12)
    }

    @Test func rejectsBadInput() {
        #expect(throws: MetricsError.self) { try DependenceBlocks.build(segments: [], episodes: [], positions: [], minimumLength: 1) }
        #expect(throws: MetricsError.self) { try DependenceBlocks.build(segments: [0], episodes: [0, 1], positions: [0], minimumLength: 1) }
        #expect(throws: MetricsError.self) { try DependenceBlocks.build(segments: [0], episodes: [0], positions: [0], minimumLength: 0) }
    }

    /// Long label runs, a head right on whole runs and wrong on others: the label-run blocks
    /// resample whole runs and give a wider interval than 4-sample blocks, which see mostly
    /// runs of the same outcome inside each block and cancel them out across blocks.
    @Test func labelRunBlocksAreWiderThanFourSampleBlocksOnLongRuns() throws {
        // 10 runs of 30 samples; runs 0, 3, 6, 9 all wrong, the others right: accuracy 0.6.
        let runs = 10, length = 30
        let segments = (0..<runs).flatMap { r in [Int](repeating: r % 2, count: length) }
        let correct = (0..<runs).flatMap { r in [Double](repeating: r % 3 == 0 ? 0 : 1, count: length) }
        let metric: ([Int]) -> Double? = { idx in idx.reduce(0.0) { $0 + correct[$1] } / Double(idx.count) }
        let n = segments.count
        let runBlocks = try DependenceBlocks.build(segments: segments, episodes: [Int](repeating: 0, count: n), positions: Array(0..<n), minimumLength: 4)
        #expect(runBlocks.blocks.count == runs)
        let wide = try pooledBootstrap(blocks: runBlocks, resamples: 1000, seed: 7, metrics: [metric]).pooled
        let narrow = try blockBootstrap(count: n, blockLength: 4, resamples: 1000, seed: 7, metric: metric)
        #expect(wide.estimate == 0.6)
        #expect(narrow.estimate == 0.6)
        // With 10 whole runs the accuracy of a resample is k/10 for k right runs: its spread
        // is that of a binomial(10, 0.6)/10 (std 0.155), against about 0.057 for 75 blocks of 4.
        #expect(wide.upper - wide.lower > 2 * (narrow.upper - narrow.lower))
        #expect(wide.standardError > 0.12)
        #expect(wide.method == "label_runs")
    }

    @Test func seedsArePooledInsideEachResample() throws {
        let n = 40
        let blocks = try DependenceBlocks.fixed(count: n, length: 5)
        // Seed A is right on every sample, seed B on none: each resample's mean is 0.5.
        let a: ([Int]) -> Double? = { _ in 1 }
        let b: ([Int]) -> Double? = { _ in 0 }
        let r = try pooledBootstrap(blocks: blocks, resamples: 200, seed: 3, metrics: [a, b])
        #expect(r.pooled.estimate == 0.5)
        #expect(r.pooled.lower == 0.5 && r.pooled.upper == 0.5)
        #expect(r.pooled.pooledSeeds == 2)
        #expect(r.perMetric[0]?.estimate == 1)
        #expect(r.perMetric[1]?.upper == 0)
        // The pooled interval contains the mean it stands beside; a per-seed one need not.
        let values = (0..<n).map { Double($0 % 4 == 0 ? 1 : 0) }
        let m1: ([Int]) -> Double? = { idx in idx.reduce(0.0) { $0 + values[$1] } / Double(idx.count) }
        let m2: ([Int]) -> Double? = { idx in idx.reduce(0.0) { $0 + 1 - values[$1] } / Double(idx.count) }
        let p = try pooledBootstrap(blocks: blocks, resamples: 500, seed: 9, metrics: [m1, m2])
        #expect(p.pooled.estimate == 0.5)
        #expect(p.pooled.lower <= 0.5 && p.pooled.upper >= 0.5)
        let first = try #require(p.perMetric[0])
        #expect(first.upper < 0.5)
    }

    @Test func resamplesKeepTheCountAndWholeBlocks() throws {
        let blocks = try DependenceBlocks.fixed(count: 10, length: 3)
        #expect(blocks.blocks == [0..<3, 3..<6, 6..<9, 9..<10])
        var rng = SplitMix64(seed: 1)
        let idx = blocks.resample(rng: &rng)
        #expect(idx.count == 10)
        // Every block starts at 0, 3, 6 or 9 and continues consecutively.
        var k = 0
        while k < idx.count {
            #expect([0, 3, 6, 9].contains(idx[k]))
            let len = idx[k] == 9 ? 1 : 3
            for j in 1..<len where k + j < idx.count { #expect(idx[k + j] == idx[k] + j) }
            k += len
        }
    }
}
