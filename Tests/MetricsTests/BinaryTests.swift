import Testing
@testable import Metrics

@Suite("Binary")
struct BinaryTests {
    @Test func handWorkedCounts() throws {
        // truth 1 1 1 0 0 0 0, predicted 1 0 1 1 0 0 0 → tp 2, fn 1, fp 1, tn 3.
        let m = try binaryMetrics(truth: [1, 1, 1, 0, 0, 0, 0], predicted: [1, 0, 1, 1, 0, 0, 0])
        #expect(m.tp == 2 && m.fn == 1 && m.fp == 1 && m.tn == 3)
        #expect(close(m.accuracy, 5.0 / 7))
        #expect(close(m.precision, 2.0 / 3) && close(m.recall, 2.0 / 3) && close(m.f1, 2.0 / 3))
        #expect(close(m.positiveRateTrue, 3.0 / 7) && close(m.positiveRatePred, 3.0 / 7))
        #expect(m.auroc == nil)
        let json = try jsonObject(m)
        #expect(Set(json.keys) == ["tp", "tn", "fp", "fn", "accuracy", "precision", "recall", "f1",
                                   "positive_rate_true", "positive_rate_pred"])
    }

    @Test func noPositivePredictionsGiveZeroPrecision() throws {
        let m = try binaryMetrics(truth: [1, 0], predicted: [0, 0])
        #expect(m.precision == 0 && m.recall == 0 && m.f1 == 0 && close(m.accuracy, 0.5))
    }

    @Test func aurocHandWorked() throws {
        // Positives score 0.35 and 0.8, negatives 0.1 and 0.4. Pairs (pos, neg):
        // 0.35>0.1 win, 0.35<0.4 loss, 0.8>0.1 win, 0.8>0.4 win → 3/4.
        #expect(close(try auroc(truth: [0, 0, 1, 1], scores: [0.1, 0.4, 0.35, 0.8]), 0.75))
        // Ties count one half: (0.2 vs 0.2) 1/2 + (0.9 vs 0.2) 1 → 1.5/2.
        #expect(close(try auroc(truth: [0, 1, 1], scores: [0.2, 0.2, 0.9]), 0.75))
        #expect(close(try auroc(truth: [0, 1], scores: [0.5, 0.5]), 0.5))
        // Perfectly inverted scores → 0.
        #expect(close(try auroc(truth: [1, 0], scores: [0.1, 0.9]), 0))
        #expect(try auroc(truth: [1, 1], scores: [0.1, 0.9]) == nil)
        let m = try binaryMetrics(truth: [0, 0, 1, 1], predicted: [0, 1, 0, 1], scores: [0.1, 0.4, 0.35, 0.8])
        #expect(close(m.auroc, 0.75))
    }

    @Test func badInputs() {
        #expect(throws: MetricsError.labelOutOfRange(what: "test labels", index: 0, value: 2, classCount: 2)) {
            try binaryMetrics(truth: [2], predicted: [1])
        }
        #expect(throws: MetricsError.nonFinite(what: "scores", index: 1)) {
            try auroc(truth: [0, 1], scores: [0.1, .nan])
        }
        #expect(throws: MetricsError.lengthMismatch(what: "scores", expected: 2, found: 1)) {
            try binaryMetrics(truth: [0, 1], predicted: [0, 1], scores: [0.3])
        }
        #expect(throws: MetricsError.empty(what: "test labels")) { try binaryMetrics(truth: [], predicted: []) }
    }
}
