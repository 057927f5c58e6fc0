import Foundation
import Heads
import Metrics
import Testing
import WindowAlign
import XPCore
@testable import TaskContracts

/// The misalignment half of the alignment stress on the default synthetic episode, with the
/// features written by the test so that each expectation follows from how they were built.
@Suite(.serialized) struct DiagnosticsShiftTests {
    /// The IMU block and every visual column carry the same ramp in time (window r / windows,
    /// per column a different scale) plus tiny noise; every other block is unit noise. A pair
    /// `[imu_a, visual_b]` then shows its lag b − a linearly (visual − imu ∝ b − a), which is
    /// all a linear pair head can read: the task's pairs have lags 0 (aligned) and 8 (shifted).
    static func rampEpisode() throws -> SuiteEpisode {
        var e = try DiagnosticsTests.base.get()
        let d = e.features.cols, n = e.windows.count
        let imu = try e.schema.block(named: "imu_accel_gyro")
        let visual = e.schema.columnIndices(.visual)
        var rng = SeededGenerator(seed: 17)
        var storage = rng.normalFloats(count: n * d)
        for r in 0..<n {
            let t = Float(r) / Float(n)
            for (k, c) in imu.columns.enumerated() { storage[r * d + c] = t * Float(1 + k % 4) + 1e-4 * storage[r * d + c] }
            for (k, c) in visual.enumerated() { storage[r * d + c] = t * Float(1 + k % 3) + 1e-4 * storage[r * d + c] }
        }
        e.features = try Matrix(rows: n, cols: d, storage: storage)
        e.presentBlocks = nil
        return e
    }

    /// The head is fitted at shift 0, where lag 0 is aligned and lag 8 is not; the threshold
    /// then lies between lags 0 and 8. Reading the IMU stream s windows late turns the lags into
    /// −s (aligned pairs) and 8 − s (shifted pairs):
    /// - at s = 0 every pair is on its side: macro-F1 and AUROC 1;
    /// - at s = ±10 and ±20 both lags fall on one side of any threshold in (0, 8) (−10 and −2,
    ///   or 10 and 18): one predicted class, accuracy 1/2, macro-F1 (2/3 + 0)/2 = 1/3;
    /// - at every shift the aligned pairs stay 8 windows of lag below the shifted ones: AUROC 1.
    /// So the curve shows a head that reads the relative lag, not synchrony, and the F1 drop
    /// says how far a stream may drift before the learned threshold breaks. The language group
    /// is noise: its shift changes only which noise is read, so its AUROC stays where it is at 0.
    @Test func shiftingAStreamMovesTheMisalignmentScoreAsTheLagDictates() throws {
        let e = try Self.rampEpisode()
        for p in SuiteProtocol.allCases {
            var c = MisalignmentStress.Configuration(protocol: p)
            c.groups = [.inertial, .language]
            c.shifts = [-20, -10, 0, 10, 20]
            let rows = try MisalignmentStress.run(episodes: [e], configuration: c)
            #expect(rows.count == 10, "\(p)")
            func row(_ g: ModalityGroup, _ s: Int) throws -> MisalignmentShiftRow {
                try #require(rows.first { $0.group == g && $0.shiftWindows == s }, "\(p): no row for \(g.name) at \(s)")
            }
            let zero = try row(.inertial, 0)
            #expect(zero.score.score == 1, "\(p): macro-F1 at 0 \(zero.score.score)")
            #expect(zero.auroc == 1, "\(p): AUROC at 0 \(String(describing: zero.auroc))")
            #expect(zero.target == (p == .reference ? "VISUAL" : "VISUAL_AUDIO"))
            // The kept pairs, by hand from the task's own split: a test pair (i, j) stays when
            // i + s is the left window of some test pair of the episode.
            let contract = TaskContract(.misalignmentDetection, protocol: p, parameters: c.parameters)
            let problem = try TaskProblemBuilder.build(contract, episodes: [e], policy: try SplitPolicy.standard(for: [e], seed: 7), parameters: c.parameters)
            let testWindows = Set(problem.testRows.map { problem.samples[$0].window })
            for s in [-20, -10, 10, 20] {
                let r = try row(.inertial, s)
                let kept = problem.testRows.filter { testWindows.contains(problem.samples[$0].window + s) }
                let aligned = kept.filter { problem.samples[$0].partner == nil }.count
                #expect(r.score.numTest == kept.count, "\(p) shift \(s): \(r.score.numTest) pairs, \(kept.count) kept by hand")
                // One predicted class: "aligned" for s > 0 (lags −s and 8 − s below the
                // threshold), "shifted" for s < 0. Accuracy is that class's share a; its F1 is
                // 2a/(1 + a), the other's 0, so macro-F1 = a/(1 + a) (1/3 for balanced pairs).
                let a = Double(s > 0 ? aligned : kept.count - aligned) / Double(kept.count)
                let accuracy = try #require(r.score.metrics["accuracy"])
                #expect(abs(accuracy - a) < 1e-12, "\(p) shift \(s): accuracy \(accuracy), one class predicted gives \(a)")
                #expect(abs(r.score.score - a / (1 + a)) < 1e-12, "\(p) shift \(s): macro-F1 \(r.score.score) vs \(a / (1 + a))")
                #expect(abs(r.score.score - 1.0 / 3) < 0.01)
                #expect(r.auroc == 1, "\(p) shift \(s): AUROC \(String(describing: r.auroc))")
                #expect(r.shiftFrames == s * 5)
            }
            let noise = try row(.language, 0)
            for s in [-20, -10, 10, 20] {
                let r = try row(.language, s)
                let a = try #require(r.auroc), a0 = try #require(noise.auroc)
                #expect(abs(a - a0) < 0.1, "\(p) language shift \(s): AUROC \(a) vs \(a0) at 0")
            }
        }
    }

    /// The CSV holds both tasks under one header, each row filling its own task's columns.
    @Test func alignmentCSVHoldsRetrievalAndMisalignmentRows() throws {
        let pair = DiagnosticScore(score: 0.75, primaryMetric: "macro_f1", primaryValue: 0.75, metrics: ["macro_f1": 0.75, "accuracy": 0.8],
                                   numTrain: 40, numTest: 20, baselineName: "chance", baselineScore: 0.5)
        let misalignment = MisalignmentShiftRow(group: .inertial, target: "VISUAL", shiftWindows: -5, shiftFrames: -25, score: pair, auroc: 0.625,
                                                suiteProtocol: .reference, seed: 7)
        let retrieval = AlignmentShiftRow(group: .audio, target: ModalityGroups.alignmentTarget, shiftWindows: 5, shiftFrames: 25,
                                          metrics: try retrievalMetrics(ranks: [1, 2], candidates: 2), chanceMRR: 0.75, suiteProtocol: .reference, seed: 7)
        let lines = DiagnosticsWriter.alignmentCSV([retrieval], misalignment: [misalignment]).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "query_group,query_display,target_group,shift_windows,shift_frames,status,mrr,top1_accuracy,top5_accuracy,top10_accuracy,median_rank,mean_rank,num_queries,protocol,seed,baseline_mrr,task,auroc,macro_f1,accuracy,num_pairs,baseline_name,baseline_score")
        // Ranks 1 and 2: MRR (1 + 1/2)/2, top-1 1/2, median 1.5, mean 1.5.
        #expect(lines[1] == "audio,Audio,depth_plus_video,5,25,derived_perturbation,0.75,0.5,1.0,1.0,1.5,1.5,2,reference,7,0.75,cross_modal_retrieval,,,,,chance,0.75")
        #expect(lines[2] == "inertial,Inertial,VISUAL,-5,-25,derived_perturbation,,,,,,,,reference,7,,misalignment_detection,0.625,0.75,0.8,20,chance,0.5")
        let summary = DiagnosticsSummary.misalignmentSummary([misalignment]).0
        #expect(summary["groups"]?["inertial"]?["auroc"]?.arrayValue?.first?.numberValue == 0.625)
    }
}
