import Foundation
import Testing
@testable import Metrics

@Suite("Boundary F1 and peak picking")
struct BoundaryTests {
    @Test func equalDistanceTieGoesToEarlierTrueBoundary() throws {
        // Truth 100, 120. Prediction 110 is 10 from both: the tie goes to 100 (earlier index).
        // Prediction 125 then matches 120 (|Δ| 5). Had 110 taken 120, 125 would be 25 from
        // the only free boundary and stay unmatched.
        let m = try boundaryF1(predicted: [110, 125], truth: [100, 120], toleranceFrames: 10)
        #expect(m.matchedBoundaries == 2)
        #expect(m.boundaryPrecision == 1 && m.boundaryRecall == 1 && m.boundaryF1 == 1)
        #expect(close(m.meanAbsTimingErrorFrames, 7.5))  // (10 + 5)/2
    }

    @Test func nearestUnusedBoundaryWins() throws {
        // 104 is 4 from 100 and 1 from 105 → 105. Then 99 is 1 from 100 → 100. Mean error 1.
        let m = try boundaryF1(predicted: [104, 99], truth: [100, 105])
        #expect(m.matchedBoundaries == 2 && close(m.meanAbsTimingErrorFrames, 1))
    }

    @Test func greedyInTestOrder() throws {
        // 95 comes first and takes 100 (|Δ| 5); 100 finds nothing left.
        // P = 1/2, R = 1/1, F1 = 2·(1/2)·1/(3/2) = 2/3.
        let m = try boundaryF1(predicted: [95, 100], truth: [100])
        #expect(m.matchedBoundaries == 1 && m.predictedBoundaries == 2 && m.trueBoundaries == 1)
        #expect(close(m.boundaryPrecision, 0.5) && close(m.boundaryRecall, 1) && close(m.boundaryF1, 2.0 / 3))
        #expect(close(m.meanAbsTimingErrorFrames, 5))
    }

    @Test func toleranceIsInclusive() throws {
        #expect(try boundaryF1(predicted: [110], truth: [100], toleranceFrames: 10).matchedBoundaries == 1)
        let miss = try boundaryF1(predicted: [111], truth: [100], toleranceFrames: 10)
        #expect(miss.matchedBoundaries == 0 && miss.boundaryF1 == 0 && miss.meanAbsTimingErrorFrames == nil)
        // The reference writes null for the timing error when nothing matched.
        let json = try jsonObject(miss)
        #expect(json["mean_abs_timing_error_frames"] is NSNull)
        #expect(Set(json.keys) == ["boundary_precision", "boundary_recall", "boundary_f1", "matched_boundaries",
                                   "true_boundaries", "predicted_boundaries", "mean_abs_timing_error_frames"])
    }

    @Test func emptySides() throws {
        let noPred = try boundaryF1(predicted: [], truth: [100])
        #expect(noPred.boundaryPrecision == 0 && noPred.boundaryRecall == 0 && noPred.predictedBoundaries == 0)
        let noTruth = try boundaryF1(predicted: [5], truth: [])
        #expect(noTruth.boundaryPrecision == 0 && noTruth.boundaryRecall == 0 && noTruth.trueBoundaries == 0)
        #expect(throws: MetricsError.self) { try boundaryF1(predicted: [1], truth: [1], toleranceFrames: -1) }
    }

    // Windows with centres 100, 105, …, 160.
    let centres = Array(stride(from: 100, through: 160, by: 5))
    //                 100  105  110  115  120  125  130   135  140  145  150  155  160
    let scores: [Double] = [0.1, 0.6, 0.9, 0.7, 0.2, 0.3, 0.55, 0.1, 0.0, 0.2, 0.8, 0.8, 0.4]
    var positive: [Bool] { scores.map { $0 >= 0.5 } }

    @Test func peaksFromScores() throws {
        // Runs: {105, 110, 115} → max 0.9 at 110; {130} → 0.55; {150, 155} tie 0.8 → first, 150.
        // NMS by score: 110 kept; 150 is 40 from 110, kept; 130 is 20 from both.
        // With separation 25, 130 is suppressed (20 < 25).
        let p25 = try pickBoundaryPeaks(centres: centres, positive: positive, scores: scores, minSeparationFrames: 25)
        #expect(p25.map(\.frame) == [110, 150])
        #expect(p25.map(\.score) == [0.9, 0.8])
        // With the default separation 20, 20 is not strictly closer, so 130 survives.
        let p20 = try pickBoundaryPeaks(centres: centres, positive: positive, scores: scores)
        #expect(p20.map(\.frame) == [110, 130, 150])
        // The probability form thresholds at 0.5 and gives the same peaks.
        let viaProb = try pickBoundaryPeaks(centres: centres, probabilities: scores, minSeparationFrames: 25)
        #expect(viaProb == p25)
    }

    @Test func peaksFromLabelsOnly() throws {
        // Without scores a run proposes its middle window: {105,110,115} → 110; {130} → 130;
        // {150,155} (even) → the earlier middle, 150. All score 1, so NMS keeps earlier frames
        // first: 110 kept, 130 suppressed (20 < 25), 150 kept (40 from 110).
        let p = try pickBoundaryPeaks(centres: centres, positive: positive, minSeparationFrames: 25)
        #expect(p.map(\.frame) == [110, 150])
        // A run of all positives gives one peak; no positives give none.
        #expect(try pickBoundaryPeaks(centres: [0, 5, 10], positive: [true, true, true]).map(\.frame) == [5])
        #expect(try pickBoundaryPeaks(centres: [0, 5], positive: [false, false]).isEmpty)
    }

    @Test func peaksFeedBoundaryF1() throws {
        // 28 positive windows in two runs against 2 true boundaries: without peak picking
        // precision would be 2/28; with it, one peak per run and precision 1.
        let c = Array(stride(from: 0, to: 500, by: 5))
        var pos = [Bool](repeating: false, count: c.count)
        for i in 18..<32 { pos[i] = true }   // centres 90…155
        for i in 60..<74 { pos[i] = true }   // centres 300…365
        let peaks = try pickBoundaryPeaks(centres: c, positive: pos)
        // Middles: 18 + 13/2 = 24 → 120; 60 + 6 = 66 → 330.
        #expect(peaks.map(\.frame) == [120, 330])
        let m = try boundaryF1(predicted: peaks.map(\.frame), truth: [125, 330])
        #expect(m.boundaryPrecision == 1 && m.boundaryRecall == 1 && close(m.meanAbsTimingErrorFrames, 2.5))
    }

    @Test func peakPickingRejectsBadInput() {
        #expect(throws: MetricsError.self) { try pickBoundaryPeaks(centres: [5, 5], positive: [true, true]) }
        #expect(throws: MetricsError.lengthMismatch(what: "positive flags", expected: 2, found: 1)) {
            try pickBoundaryPeaks(centres: [0, 5], positive: [true])
        }
        #expect(throws: MetricsError.nonFinite(what: "probabilities", index: 0)) {
            try pickBoundaryPeaks(centres: [0], probabilities: [.nan])
        }
    }
}
