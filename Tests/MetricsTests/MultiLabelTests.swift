import Testing
@testable import Metrics

@Suite("Multi-label")
struct MultiLabelTests {
    // Vocabulary of 4 labels, 3 rows.
    // truth: {0, 2}, {1}, {0}      predicted: {0, 1}, {1}, {0, 3}
    // label 0: tp 2.  label 1: tp 1, fp 1 (row 0).  label 2: fn 1 (row 0).  label 3: fp 1 (row 2).
    // Σtp 3, Σfp 2, Σfn 1 → P 3/5, R 3/4, micro F1 = 2·3/(2·3 + 2 + 1) = 2/3.
    // Per-label F1 = 2tp/(2tp+fp+fn): 1, 2/3, 0, 0.
    let truth: [[Bool]] = [[true, false, true, false], [false, true, false, false], [true, false, false, false]]
    let predicted: [[Bool]] = [[true, true, false, false], [false, true, false, false], [true, false, false, true]]

    @Test func referenceMacroOverWholeVocabulary() throws {
        let m = try multiLabelMetrics(truth: truth, predicted: predicted)
        #expect(close(m.precision, 0.6) && close(m.recall, 0.75) && close(m.microF1, 2.0 / 3))
        #expect(close(m.macroF1, (1 + 2.0 / 3) / 4))   // 5/12
        #expect(close(m.exactMatch, 1.0 / 3))           // only row 1 matches exactly
        #expect(m.macroF1NumLabels == 4)
        let json = try jsonObject(m)
        for key in ["micro_f1", "macro_f1", "exact_match", "precision", "recall"] { #expect(json[key] != nil) }
    }

    @Test func strictMacroOverLabelsPresentInTruth() throws {
        // Labels 0, 1, 2 occur in the truth: (1 + 2/3 + 0)/3 = 5/9.
        let m = try multiLabelMetrics(truth: truth, predicted: predicted, macroAverage: .labelsPresentInTruth)
        #expect(close(m.macroF1, 5.0 / 9) && m.macroF1NumLabels == 3)
    }

    @Test func nothingPredictedNothingTrue() throws {
        let m = try multiLabelMetrics(truth: [[false, false]], predicted: [[false, false]], macroAverage: .labelsPresentInTruth)
        #expect(m.microF1 == 0 && m.macroF1 == 0 && m.exactMatch == 1 && m.macroF1NumLabels == 0)
    }

    @Test func labelFrequencyBaseline() throws {
        // Frequencies over 4 rows: label 0 3/4, label 1 2/4, label 2 0.
        let train: [[Bool]] = [[true, false, false], [true, true, false], [false, true, false], [true, false, false]]
        #expect(try Metrics.labelFrequencyBaseline(train: train) == [true, true, false])
        // Nothing reaches 0.8 → the single most frequent label.
        #expect(try Metrics.labelFrequencyBaseline(train: train, minFrequency: 0.8) == [true, false, false])
        // Without the fallback (the multi-episode constant prior) nothing is predicted.
        #expect(try Metrics.labelFrequencyBaseline(train: train, minFrequency: 0.8, atLeastOne: false) == [false, false, false])
        // Tie at one occurrence each → the first label.
        #expect(try Metrics.labelFrequencyBaseline(train: [[false, true, false], [false, false, true]], minFrequency: 0.9)
                == [false, true, false])
        #expect(try Metrics.labelFrequencyBaseline(train: [[false, false]]) == [false, false])
        // Scoring the baseline: predict {0, 1} on every row of `truth` (4-label vocabulary).
        let baseline = [true, true, false, false]
        let m = try multiLabelMetrics(truth: truth, predicted: Array(repeating: baseline, count: 3))
        // Row 0 {0,2}: tp 1 (0), fp 1 (1), fn 1 (2). Row 1 {1}: tp 1, fp 1. Row 2 {0}: tp 1, fp 1.
        // Σtp 3, Σfp 3, Σfn 1 → micro F1 = 6/(6 + 3 + 1) = 0.6.
        #expect(close(m.microF1, 0.6))
    }

    @Test func badInputs() {
        #expect(throws: MetricsError.empty(what: "true label rows")) { try multiLabelMetrics(truth: [], predicted: []) }
        #expect(throws: MetricsError.shapeMismatch(what: "predicted label rows", expected: "2 labels per row", found: "1 in row 0")) {
            try multiLabelMetrics(truth: [[true, false]], predicted: [[true]])
        }
        #expect(throws: MetricsError.lengthMismatch(what: "predicted label rows", expected: 1, found: 2)) {
            try multiLabelMetrics(truth: [[true]], predicted: [[true], [false]])
        }
        #expect(throws: MetricsError.self) { try Metrics.labelFrequencyBaseline(train: [[true]], minFrequency: 0) }
    }
}
