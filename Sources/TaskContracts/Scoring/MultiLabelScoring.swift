import Foundation
import XPCore
import Heads
import Metrics

/// Scoring of multi-hot targets (task 7): micro-F1 as the primary metric, macro-F1 over the
/// whole vocabulary (reference) or over the labels present in the test truth (strict), the
/// label-frequency baseline, the vocabulary and one CSV row per window.
enum MultiLabelScoring {
    /// The metric names of the contract, primary first.
    static let metrics = ["micro_f1", "macro_f1", "exact_match", "precision", "recall"]
    /// The files written beside metrics.json.
    static let artifacts = ["metrics.json", "object_vocab.json", "predictions.csv", "model.safetensors"]
    /// The reference's neural `head` string.
    static let neuralHead = "z-score -> MLP sigmoid multilabel"

    static func score(_ s: TaskScoring) throws -> TaskScoreParts {
        guard case let .multiLabel(rows, vocab) = s.problem.targets else { throw s.wrongTargets("multi-label rows") }
        let predictions = s.predictions, test = s.test, train = s.train, strict = s.strict
        var parts = TaskScoreParts()
        let truth = test.map { rows[$0] }
        let pred = predictions.predictedLabels
        let macro: MultiLabelMacro = strict ? .labelsPresentInTruth : .wholeVocabulary
        let m = try multiLabelMetrics(truth: truth, predicted: pred, macroAverage: macro)
        parts.fields += [("micro_f1", .num(m.microF1)), ("macro_f1", .num(m.macroF1)), ("exact_match", .num(m.exactMatch)),
                         ("precision", .num(m.precision)), ("recall", .num(m.recall))]
        parts.fields += s.header(.windows)
        parts.fields.append(("num_objects", .int(vocab.count)))
        if strict {
            parts.fields += [("macro_f1_over", .string(macro.rawValue)), ("macro_f1_num_labels", .int(m.macroF1NumLabels)),
                             ("object_names", .string("canonicalised (lower-case, synonym map)"))]
        }
        parts.primary = m.microF1
        let constant = try labelFrequencyBaseline(train: train.map { rows[$0] })
        let base = try multiLabelMetrics(truth: truth, predicted: truth.map { _ in constant }, macroAverage: macro)
        parts.baselines.append(BaselineScore(name: "label_frequency", value: base.microF1))
        parts.resampled.append(ResampledMetric(key: "primary") { idx in
            try? multiLabelMetrics(truth: idx.map { truth[$0] }, predicted: idx.map { pred[$0] }, macroAverage: macro).microF1
        })
        if strict {
            // The vocabulary is the train split's (test-only objects cannot be learned).
            let unseen = s.problem.unseenTestObjects
            parts.fields += [("vocabulary", .string("objects positive in at least one train window")),
                             ("num_unseen_test_objects", .int(unseen.count)),
                             ("unseen_test_objects", .array(unseen.map { .object([("name", .string($0.name)), ("test_windows", .int($0.count))]) }))]
        }
        parts.files.append(("object_vocab.json", Data(JSON.array(vocab.map { .string($0) }).text().utf8)))
        func join(_ r: [Bool]) -> String { zip(vocab, r).filter { $0.1 }.map(\.0).joined(separator: "|") }
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(s.episodeHeader + ["window_index", "start_frame", "end_frame", "true_objects", "predicted_objects"])
        for (k, row) in test.enumerated() {
            let wi = s.window(row)
            csv.writeRow(s.episodeColumn(row) + [String(wi.index), String(wi.start), String(wi.end), join(truth[k]), join(pred[k])])
        }
        parts.files.append(("predictions.csv", Data(csv.text.utf8)))
        return parts
    }
}
