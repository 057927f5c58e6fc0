import Foundation
import Testing
@testable import Metrics

@Suite("Classification")
struct ClassificationTests {
    // Classes a, b, c, d; d never occurs in test (an empty class).
    // truth = a a a b b c, predicted = a a b b c c.
    // Confusion: a→a 2, a→b 1, b→b 1, b→c 1, c→c 1.
    // support a3 b2 c1 d0; predicted a2 b2 c2 d0; tp a2 b1 c1.
    // P: a 1, b 1/2, c 1/2, d 0.  R: a 2/3, b 1/2, c 1, d 0.
    // F1: a 2·1·(2/3)/(5/3) = 4/5, b 1/2, c 2·(1/2)·1/(3/2) = 2/3, d 0.
    let names = ["a", "b", "c", "d"]
    let truth = [0, 0, 0, 1, 1, 2]
    let predicted = [0, 0, 1, 1, 2, 2]

    @Test func handWorkedExample() throws {
        let r = try classificationMetrics(truth: truth, predicted: predicted, classNames: names)
        let m = r.metrics
        #expect(close(m.accuracy, 4.0 / 6))
        // Macro over supported classes a, b, c: (4/5 + 1/2 + 2/3)/3 = 59/90.
        #expect(close(m.macroF1, 59.0 / 90))
        // Balanced accuracy: (2/3 + 1/2 + 1)/3 = 13/18.
        #expect(close(m.balancedAccuracy, 13.0 / 18))
        // Weighted: (4/5·3 + 1/2·2 + 2/3·1)/6 = (61/15)/6 = 61/90.
        #expect(close(m.weightedF1, 61.0 / 90))
        #expect(m.numEvalWindows == 6 && m.numClasses == 4)
        #expect(m.majorityBaselineAccuracy == nil && m.unseenTestClasses == nil)
        #expect(r.confusion.counts == [[2, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0]])
        #expect(r.perClass.map(\.support) == [3, 2, 1, 0])
        #expect(r.perClass.map(\.predicted) == [2, 2, 2, 0])
        #expect(close(r.perClass[0].f1, 0.8) && close(r.perClass[2].f1, 2.0 / 3) && r.perClass[3].f1 == 0)
        #expect(r.perClass[3].precision == 0 && r.perClass[3].recall == 0)
    }

    @Test func macroAveragePolicies() throws {
        // All four classes: (59/30)/4 = 59/120. True-or-predicted: d has neither, so 59/90.
        let all = try classificationMetrics(truth: truth, predicted: predicted, classNames: names, macroAverage: .allClasses)
        #expect(close(all.metrics.macroF1, 59.0 / 120))
        #expect(close(all.metrics.balancedAccuracy, (13.0 / 6) / 4))
        let union = try classificationMetrics(truth: [0, 0], predicted: [0, 1], classNames: ["a", "b", "c"],
                                              macroAverage: .trueOrPredictedClasses)
        // a: P 1, R 1/2 → 2/3; b: predicted once, no support → 0. Mean over {a, b} = 1/3.
        #expect(close(union.metrics.macroF1, 1.0 / 3))
        let supported = try classificationMetrics(truth: [0, 0], predicted: [0, 1], classNames: ["a", "b", "c"])
        #expect(close(supported.metrics.macroF1, 2.0 / 3))
    }

    @Test func trainDependentMetrics() throws {
        // Train b b a a d: a and b tie at 2; b appeared first, so the majority is b
        // (choosing by class id would pick a and give 3/6 instead).
        // Baseline = fraction of test truth equal to b = 2/6.
        let r = try classificationMetrics(truth: truth, predicted: predicted, classNames: names,
                                          trainTruth: [1, 1, 0, 0, 3])
        let m = r.metrics
        #expect(close(m.majorityBaselineAccuracy, 1.0 / 3))
        // Test classes a, b, c; train has a, b, d → unseen = [c].
        #expect(m.unseenTestClasses == ["c"])
        // Seen-class windows: truth in {a, b} = first five; ceiling 5/6.
        #expect(m.numSeenClassWindows == 5)
        #expect(close(m.unseenClassCeiling, 5.0 / 6))
        // On those five: predicted a a b b c vs truth a a a b b → 3 correct of 5.
        #expect(close(m.seenClassAccuracy, 3.0 / 5))
        // Sub-table: a P 2/2 R 2/3 → 4/5; b P 1/2 (predicted at items 3 and 4) R 1/2 → 1/2.
        // Macro over a, b = 0.65.
        #expect(close(m.seenClassMacroF1, 0.65))
    }

    @Test func noSeenClassWindowsGiveNull() throws {
        let r = try classificationMetrics(truth: [1, 1], predicted: [0, 1], classNames: ["a", "b"], trainTruth: [0])
        #expect(r.metrics.numSeenClassWindows == 0 && r.metrics.unseenClassCeiling == 0)
        #expect(r.metrics.seenClassAccuracy == nil && r.metrics.seenClassMacroF1 == nil)
        #expect(r.metrics.majorityBaselineAccuracy == 0)
        let json = try jsonObject(r.metrics)
        #expect(json["seen_class_accuracy"] is NSNull)
        #expect((json["unseen_test_classes"] as? [String]) == ["b"])
    }

    @Test func singleClass() throws {
        // The reference's degenerate contact task: one class, everything correct → all 1.
        let r = try classificationMetrics(truth: [0, 0, 0], predicted: [0, 0, 0], classNames: ["contact"], trainTruth: [0, 0])
        let m = r.metrics
        #expect(m.accuracy == 1 && m.macroF1 == 1 && m.balancedAccuracy == 1 && m.weightedF1 == 1)
        #expect(m.majorityBaselineAccuracy == 1 && m.unseenTestClasses == [])
    }

    @Test func allWrongGivesZeros() throws {
        let m = try classificationMetrics(truth: [0, 1], predicted: [1, 0], classNames: ["a", "b"]).metrics
        #expect(m.accuracy == 0 && m.macroF1 == 0 && m.balancedAccuracy == 0 && m.weightedF1 == 0)
    }

    @Test func stringLabelsUseFirstAppearanceOrder() throws {
        // Encoding over train + truth + predicted = y z | x y | y y → y 0, z 1, x 2.
        let r = try classificationMetrics(truth: ["x", "y"], predicted: ["y", "y"], train: ["y", "z"])
        #expect(r.confusion.classNames == ["y", "z", "x"])
        #expect(close(r.metrics.accuracy, 0.5))
        #expect(r.metrics.unseenTestClasses == ["x"])
        // Majority train class y; test truth has one y of two.
        #expect(close(r.metrics.majorityBaselineAccuracy, 0.5))
    }

    @Test func unseenClassesSortByCodePoint() throws {
        // "B" (U+0042) < "a" (U+0061) < "é" (U+00E9) by code point.
        let r = try classificationMetrics(truth: ["é", "a", "B"], predicted: ["é", "a", "B"], train: ["z"])
        #expect(r.metrics.unseenTestClasses == ["B", "a", "é"])
        // Decomposed e + combining acute (U+0065 U+0301) precedes precomposed é (U+00E9) by code
        // point, while Swift's String `<` treats the two as equal.
        #expect(codePointLess("e\u{301}", "\u{e9}"))
        #expect(!codePointLess("\u{e9}", "e\u{301}"))
    }

    @Test func jsonKeysAndCSV() throws {
        let r = try classificationMetrics(truth: [0, 1], predicted: [0, 0], classNames: ["a", "b,c"], trainTruth: [0])
        let json = try jsonObject(r.metrics)
        for key in ["accuracy", "balanced_accuracy", "macro_f1", "weighted_f1", "num_eval_windows", "num_classes",
                    "majority_baseline_accuracy", "unseen_test_classes", "seen_class_accuracy",
                    "seen_class_macro_f1", "unseen_class_ceiling", "num_seen_class_windows"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        // Without train labels the train-dependent keys are absent, not null.
        let bare = try jsonObject(try classificationMetrics(truth: [0], predicted: [0], classNames: ["a"]).metrics)
        #expect(bare["majority_baseline_accuracy"] == nil && bare.count == 6)
        #expect(r.confusion.csv() == "true\\pred,a,\"b,c\"\r\na,1,0\r\n\"b,c\",1,0\r\n")
        // Class a: support 1, predicted 2 (both items), precision 1/2, recall 1, F1 2/3.
        #expect(r.perClassCSV().hasPrefix("class_id,class_name,support,predicted,precision,recall,f1\r\n0,a,1,2,0.5,1.0,0.666"))
        #expect(r.perClassCSV(includeClassID: false).hasPrefix("class_name,support,predicted,precision,recall,f1\r\na,1,2,0.5,1.0,"))
    }

    @Test func badInputsThrowTypedErrors() {
        #expect(throws: MetricsError.empty(what: "test labels")) {
            try classificationMetrics(truth: [Int](), predicted: [], classNames: ["a"])
        }
        #expect(throws: MetricsError.lengthMismatch(what: "predicted labels", expected: 2, found: 1)) {
            try classificationMetrics(truth: [0, 0], predicted: [0], classNames: ["a"])
        }
        #expect(throws: MetricsError.labelOutOfRange(what: "predicted labels", index: 1, value: 2, classCount: 2)) {
            try classificationMetrics(truth: [0, 1], predicted: [0, 2], classNames: ["a", "b"])
        }
        #expect(throws: MetricsError.labelOutOfRange(what: "train labels", index: 0, value: -1, classCount: 2)) {
            try classificationMetrics(truth: [0, 1], predicted: [0, 1], classNames: ["a", "b"], trainTruth: [-1])
        }
    }
}
