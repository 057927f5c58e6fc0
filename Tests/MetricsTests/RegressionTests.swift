import Foundation
import Testing
@testable import Metrics
import XPCore

@Suite("Regression and MPJPE")
struct RegressionTests {
    @Test func pooledAndPerDimensionR2() throws {
        // y = [[1, 2], [3, 6]], ŷ = [[2, 2], [3, 5]] → errors −1, 0, 0, 1.
        // mse = 2/4, mae = 2/4. Column means 2 and 4; SS_tot = (1+1) + (4+4) = 10; SS_res = 2.
        // Pooled r2 = 1 − 2/10 = 0.8. Per column: 1 − 1/2 = 0.5 and 1 − 1/8 = 0.875, mean 0.6875.
        let m = try regressionMetrics(truth: [1, 2, 3, 6] as [Double], predicted: [2, 2, 3, 5], columns: 2, perDimension: true)
        #expect(close(m.mse, 0.5) && close(m.mae, 0.5) && close(m.r2, 0.8))
        #expect(m.perDimensionR2?.count == 2)
        #expect(close(m.perDimensionR2?[0] ?? nil, 0.5) && close(m.perDimensionR2?[1] ?? nil, 0.875))
        #expect(close(m.meanPerDimensionR2, 0.6875))
        #expect(m.numScoredElements == 4)
        let json = try jsonObject(m)
        #expect(json["per_dimension_r2"] != nil && json["mean_per_dimension_r2"] != nil)
    }

    @Test func r2UsesTestColumnMeansNotGrandMean() throws {
        // y = [[0, 10], [2, 10]], ŷ = [[1, 10], [1, 10]]: SS_res = 2.
        // Column means 1 and 10 → SS_tot = 2 → r2 = 0. A grand mean (5.5) would give
        // SS_tot = 5.5² + 4.5² + 2·4.5² and r2 close to 1.
        let m = try regressionMetrics(truth: [0, 10, 2, 10] as [Double], predicted: [1, 10, 1, 10], columns: 2, perDimension: true)
        #expect(close(m.r2, 0))
        // Column 1 has zero variance: its r2 is undefined, and the mean covers column 0 only.
        #expect(m.perDimensionR2?[1] == .some(nil))
        #expect(close(m.meanPerDimensionR2, 0))
        let perDimJSON = try jsonObject(m)["per_dimension_r2"] as? [Any]
        #expect(perDimJSON?.count == 2 && perDimJSON?[1] is NSNull)
    }

    @Test func zeroDenominatorGivesZero() throws {
        // Constant truth: SS_tot = 0 → r2 = 0 by convention. mse = mae = 1.
        let m = try regressionMetrics(truth: [2, 2] as [Double], predicted: [1, 3], columns: 1)
        #expect(m.r2 == 0 && close(m.mse, 1) && close(m.mae, 1))
        #expect(try m.perDimensionR2 == nil && jsonObject(m)["per_dimension_r2"] == nil)
    }

    @Test func maskLeavesElementsOut() throws {
        // Mask out y[1][0] = 3. Remaining errors −1 (y 1), 0 (y 2), 1 (y 6): mse = mae = 2/3.
        // Column means over valid: 1 and 4 → SS_tot = 0 + 8 → r2 = 1 − 2/8 = 0.75.
        let m = try regressionMetrics(truth: [1, 2, 3, 6] as [Double], predicted: [2, 2, 3, 5], columns: 2,
                                      mask: [true, true, false, true])
        #expect(close(m.mse, 2.0 / 3) && close(m.mae, 2.0 / 3) && close(m.r2, 0.75) && m.numScoredElements == 3)
        #expect(throws: MetricsError.empty(what: "valid elements under the mask")) {
            try regressionMetrics(truth: [1, 2] as [Double], predicted: [1, 2], columns: 2, mask: [false, false])
        }
    }

    @Test func float32Overload() throws {
        let m = try regressionMetrics(truth: [1, 2, 3, 6] as [Float], predicted: [2, 2, 3, 5] as [Float], columns: 2)
        #expect(close(m.r2, 0.8))
    }

    @Test func columnMeansBaseline() throws {
        #expect(try columnMeans([1, 2, 3, 6], columns: 2) == [2, 4])
    }

    @Test func badShapes() {
        #expect(throws: MetricsError.self) { try regressionMetrics(truth: [1, 2, 3] as [Double], predicted: [1, 2, 3], columns: 2) }
        #expect(throws: MetricsError.invalidParameter(name: "columns", expected: "> 0", found: "0")) {
            try regressionMetrics(truth: [1] as [Double], predicted: [1], columns: 0)
        }
        #expect(throws: MetricsError.nonFinite(what: "predicted targets", index: 1)) {
            try regressionMetrics(truth: [1, 2] as [Double], predicted: [1, .infinity], columns: 1)
        }
        #expect(throws: MetricsError.empty(what: "true targets")) {
            try regressionMetrics(truth: [Double](), predicted: [], columns: 1)
        }
        #expect(throws: MetricsError.lengthMismatch(what: "predicted targets", expected: 2, found: 3)) {
            try regressionMetrics(truth: [1, 2] as [Double], predicted: [1, 2, 3], columns: 1)
        }
    }

    // One item, 2 frames × 2 joints, truth all zero. Errors per joint:
    // f0 j0 (3, 4, 0) → 5; f0 j1 (0, 0, 0) → 0; f1 j0 (1, 2, 2) → 3; f1 j1 (0, 0, 1) → 1.
    let poseTruth = [Double](repeating: 0, count: 12)
    let posePred: [Double] = [3, 4, 0, 0, 0, 0, 1, 2, 2, 0, 0, 1]

    @Test func mpjpeHandWorked() throws {
        let m = try poseErrorMetrics(truth: poseTruth, predicted: posePred, frames: 2, joints: 2)
        #expect(close(m.mpjpe, 9.0 / 4))        // (5 + 0 + 3 + 1)/4
        #expect(close(m.finalFrameMpjpe, 2))    // (3 + 1)/2
        #expect(m.numScoredJoints == 4)
        let f = try poseErrorMetrics(truth: poseTruth.map(Float.init), predicted: posePred.map(Float.init), frames: 2, joints: 2)
        #expect(close(f.mpjpe, 2.25))
    }

    @Test func mpjpeMask() throws {
        // Drop f1 j1: (5 + 0 + 3)/3 and final frame 3/1.
        let m = try poseErrorMetrics(truth: poseTruth, predicted: posePred, frames: 2, joints: 2,
                                     validJoints: [true, true, true, false])
        #expect(close(m.mpjpe, 8.0 / 3) && close(m.finalFrameMpjpe, 3))
        // Whole last frame invalid: final-frame MPJPE is undefined and written as null.
        let noFinal = try poseErrorMetrics(truth: poseTruth, predicted: posePred, frames: 2, joints: 2,
                                           validJoints: [true, true, false, false])
        #expect(close(noFinal.mpjpe, 2.5) && noFinal.finalFrameMpjpe == nil)
        #expect(try jsonObject(noFinal)["final_frame_mpjpe"] is NSNull)
        #expect(throws: MetricsError.lengthMismatch(what: "joint validity mask", expected: 4, found: 3)) {
            try poseErrorMetrics(truth: poseTruth, predicted: posePred, frames: 2, joints: 2, validJoints: [true, true, true])
        }
        #expect(throws: MetricsError.self) {
            try poseErrorMetrics(truth: poseTruth, predicted: posePred, frames: 3, joints: 2)
        }
    }
}

@Suite("Pooled R² resampler")
struct PooledR2ResamplerTests {
    @Test func handWorkedRowsWithRepeats() throws {
        // Rows (truth | prediction): r0 = (1, 0 | 1, 1), r1 = (−1, 2 | 0, 2), r2 = (0, −2 | 0, −1).
        // Rows [0, 1, 1]: residuals 1 + 1 + 1 = 3. Column 0 truth 1, −1, −1 (mean −1/3):
        // (4/3)² + 2·(2/3)² = 24/9; column 1 truth 0, 2, 2 (mean 4/3): (4/3)² + 2·(2/3)² = 24/9.
        // SS_tot = 48/9, R² = 1 − 3·9/48 = 7/16.
        let truth: [Float] = [1, 0, -1, 2, 0, -2], predicted: [Float] = [1, 1, 0, 2, 0, -1]
        let r = try PooledR2Resampler(truth: truth, predicted: predicted, columns: 2)
        #expect(abs(r.r2(rows: [0, 1, 1]) - 7.0 / 16.0) < 1e-12)
        // And it agrees with the direct metric on the same rows.
        let direct = try regressionMetrics(truth: [1, 0, -1, 2, -1, 2] as [Double], predicted: [1, 1, 0, 2, 0, 2], columns: 2).r2
        #expect(abs(r.r2(rows: [0, 1, 1]) - direct) < 1e-12)
        // A single row has no variance: 0, like the direct metric.
        #expect(r.r2(rows: [2, 2]) == 0)
    }

    func unit(_ g: inout SplitMix64) -> Double { Double(g.next() >> 11) / Double(1 << 53) }

    @Test func agreesWithTheDirectMetricOnRandomResamples() throws {
        var g = SplitMix64(seed: 3)
        let rows = 40, k = 7
        let truth = (0..<(rows * k)).map { _ in Float(unit(&g) * 2 - 1) }
        let predicted = truth.map { $0 * 0.8 + Float(unit(&g) * 0.2 - 0.1) }
        let r = try PooledR2Resampler(truth: truth, predicted: predicted, columns: k)
        for _ in 0..<20 {
            let idx = (0..<rows).map { _ in Int(unit(&g) * Double(rows)) }
            let tt = idx.flatMap { truth[($0 * k)..<(($0 + 1) * k)] }, pp = idx.flatMap { predicted[($0 * k)..<(($0 + 1) * k)] }
            let direct = try regressionMetrics(truth: tt, predicted: pp, columns: k).r2
            #expect(abs(r.r2(rows: idx) - direct) < 1e-9)
        }
        #expect(throws: MetricsError.self) { try PooledR2Resampler(truth: [1, 2, 3], predicted: [1, 2, 3], columns: 2) }
        #expect(throws: MetricsError.self) { try PooledR2Resampler(truth: [1, .nan], predicted: [1, 2], columns: 2) }
    }
}
