import Foundation
import Metrics
import XPCore

/// The run package of an evaluation, as the reference writes it (`metrics.json`,
/// `predictions.jsonl`, `predictions.csv`, `per_class_metrics.csv`, `confusion_matrix.csv`,
/// `RUN_REPORT.md`), plus `missing_predictions.txt` when records had no prediction. Written
/// as one folder, atomically.
///
/// CSV files end lines with `\n`: the published packages do (Python's `csv` writes `\r\n`;
/// the committed files carry `\n`, and `per_class_metrics.csv` is reproduced byte for byte).
public enum EvalPackage {
    static let groundingNote = "Grounding ranking requires a retrieval candidate set; JSON evidence_window is stored for later scoring."

    /// Writes every file of `evaluation` into `out` (replacing it whole).
    public static func write(_ evaluation: JSONEvaluation, to out: URL) throws {
        let files: [(String, Data)] = [
            ("metrics.json", Data(metricsJSON(evaluation).utf8)),
            ("predictions.jsonl", predictionsJSONL(evaluation)),
            ("predictions.csv", predictionsCSV(evaluation)),
            ("per_class_metrics.csv", Data(perClassCSV(evaluation).utf8)),
            ("confusion_matrix.csv", confusionCSV(evaluation)),
            ("RUN_REPORT.md", Data(runReport(evaluation).utf8)),
        ] + (evaluation.coverage.missingIDs.isEmpty ? [] : [("missing_predictions.txt", Data(evaluation.coverage.missingIDs.map { $0 + "\n" }.joined().utf8))])
        do {
            try AtomicFolder.write(to: out) { staging in
                for (name, data) in files { try data.write(to: staging.appendingPathComponent(name)) }
            }
        } catch {
            throw EvalError.writeFailed(path: out.path, detail: "\(error)")
        }
    }

    static func optional(_ v: Double?) -> JSONValue { v.map(JSONValue.double) ?? .null }

    /// The `metrics.json` object: the reference's keys in its order, then `protocol`,
    /// `coverage`, `issues`, `macro_f1_definitions` and, under strict, `strict`.
    public static func metricsObject(_ e: JSONEvaluation) -> JSONValue {
        let m = e.report.metrics
        let episodes = Set(e.records.map { CodePoints($0.episodeID.pythonJSON()) }).count
        var pairs: [(String, JSONValue)] = [
            ("num_samples", .int(m.numSamples)), ("accuracy", .double(m.accuracy)), ("macro_f1", .double(m.macroF1)),
            ("labels", .array(m.labels.map(JSONValue.string))),
        ]
        pairs += e.metadata
        pairs += [
            ("num_eval_episodes", .int(episodes)), ("held_out_episode_count", .int(episodes)),
            ("unseen_eval_labels", .array(m.unseenEvalLabels.map(JSONValue.string))),
            ("num_unseen_label_samples", .int(m.numUnseenLabelSamples)),
            ("seen_label_accuracy", optional(m.seenLabelAccuracy)), ("unseen_label_accuracy", optional(m.unseenLabelAccuracy)),
            ("eval_label_counts", .object(m.evalLabelCounts.entries.map { ($0.label, .int($0.count)) })),
            ("json_validity_rate", .double(m.jsonValidityRate)), ("action_macro_f1", .double(m.macroF1)),
            ("subtask_accuracy", optional(m.subtaskAccuracy)), ("transition_accuracy", optional(m.transitionAccuracy)),
            ("next_action_accuracy", optional(m.nextActionAccuracy)), ("contact_accuracy", optional(m.contactAccuracy)),
            ("object_micro_f1", optional(m.objectMicroF1)),
            ("caption_window_grounding", .object([("mrr", .null), ("recall_at_5", .null), ("note", .string(groundingNote))])),
            ("protocol", .string(e.evalProtocol.rawValue)),
            ("coverage", .object([
                ("expected_eval_samples", .int(e.coverage.expected)), ("merged_prediction_rows", .int(e.coverage.merged)),
                ("missing_prediction_rows", .int(e.coverage.missingIDs.count)),
                ("missing_scored_as_empty", .int(e.coverage.missingIDs.count)),
                ("unknown_prediction_ids", .int(e.coverage.unknownIDs.count)),
            ])),
            ("issues", .array(e.issues)),
            ("macro_f1_definitions", .object([
                ("action_macro_f1", .object([
                    ("value", .double(m.macroF1)), ("num_classes", .int(m.labels.count)),
                    ("averaged_over", .string("every class of `labels`: the full action option list plus labels seen only in the truth or the predictions; classes without support or predictions count as F1 0 (the published Qwen evaluation's definition)")),
                ])),
                ("action_macro_f1_supported_classes", .object([
                    ("value", .double(m.supportedClassesMacroF1)), ("num_classes", .int(m.numSupportedClasses)),
                    ("averaged_over", .string("the classes with support > 0 in the eval rows (the definition the 128-episode baselines use)")),
                ])),
            ])),
        ]
        if let s = e.strict { pairs.append(("strict", strictObject(s, e))) }
        return .object(pairs)
    }

    static func strictObject(_ s: StrictAnswerMetrics, _ e: JSONEvaluation) -> JSONValue {
        func rate(_ r: StrictFieldRate, extra: [(String, JSONValue)] = []) -> (String, JSONValue) {
            (r.field, .object([("rate", optional(r.rate)), ("scored", .int(r.scored)), ("excluded_unknown_truths", .int(r.excludedUnknownTruths))] + extra))
        }
        let optionCounts = ["subtask": e.subtaskOptions.map { JSONValue.int($0.count) } ?? .null, "next_action": .int(e.labelOptions.count)]
        return .object([
            ("normalised_field_accuracy", .object(s.normalisedFieldAccuracy.map { rate($0) })),
            ("option_matched_rates", .object(s.optionMatchedRates.map { rate($0, extra: [("num_options", optionCounts[$0.field] ?? .null)]) })),
            ("object_micro_f1", optional(s.objectMicroF1)),
            ("object_counts", .object([("tp", .int(s.objectCounts.tp)), ("fp", .int(s.objectCounts.fp)), ("fn", .int(s.objectCounts.fn))])),
            ("seen_class_accuracy", optional(s.seenClassAccuracy)), ("seen_class_macro_f1", optional(s.seenClassMacroF1)),
            ("unseen_class_ceiling", optional(s.unseenClassCeiling)), ("num_seen_rows", .int(s.numSeenRows)),
            ("json_schema_valid_rate", .double(s.schemaValidRate)),
        ])
    }

    /// `json.dumps(metrics, indent=2)` (ASCII, no trailing newline), as the reference writes it.
    public static func metricsJSON(_ e: JSONEvaluation) -> String { metricsObject(e).pythonJSON(indent: 2) }

    /// One prediction row, the reference's fields in its order.
    static func predictionRow(_ e: JSONEvaluation, _ i: Int) -> JSONValue {
        let r = e.records[i], s = e.report.rows[i]
        return .object([
            ("id", .string(r.id)), ("target", r.target), ("split", r.split), ("episode_id", r.episodeID),
            ("center_window", r.centerWindow), ("true_label", .string(s.trueLabel)), ("raw_prediction", .string(e.answers[i].raw)),
            ("true_json", r.answer), ("pred_json", s.predValue), ("predicted_label", .string(s.predictedLabel)),
            ("correct", .int(s.correct ? 1 : 0)), ("true_label_seen_in_train", .int(s.trueLabelSeenInTrain ? 1 : 0)),
        ])
    }

    static func predictionsJSONL(_ e: JSONEvaluation) -> Data {
        var out = Data()
        for i in e.records.indices {
            out.append(contentsOf: predictionRow(e, i).pythonJSON(.unicode).utf8)
            out.append(0x0A)
        }
        return out
    }

    /// A value as Python's csv module writes it: `str(v)`, None as "".
    static func csvText(_ v: JSONValue) -> String { v == .null ? "" : v.pythonString }

    static func predictionsCSV(_ e: JSONEvaluation) -> Data {
        var out = Data(CSVWriter.row(["id", "target", "split", "episode_id", "center_window", "true_label", "raw_prediction", "predicted_label", "correct", "true_label_seen_in_train"],
                                     lineTerminator: .lf).utf8)
        for (i, r) in e.records.enumerated() {
            let s = e.report.rows[i]
            out.append(contentsOf: CSVWriter.row([r.id, csvText(r.target), csvText(r.split), csvText(r.episodeID), csvText(r.centerWindow),
                                                  s.trueLabel, e.answers[i].raw, s.predictedLabel, s.correct ? "1" : "0", s.trueLabelSeenInTrain ? "1" : "0"],
                                                 lineTerminator: .lf).utf8)
        }
        return out
    }

    /// `class_name,support,predicted,precision,recall,f1`, floats as Python's `repr`.
    public static func perClassCSV(_ e: JSONEvaluation) -> String {
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(["class_name", "support", "predicted", "precision", "recall", "f1"])
        for c in e.report.actionTable?.perClass ?? [] {
            csv.writeRow([c.className, String(c.support), String(c.predicted), pythonFloatRepr(c.precision), pythonFloatRepr(c.recall), pythonFloatRepr(c.f1)])
        }
        return csv.text
    }

    /// `true\pred,<labels>` then one row per label: |labels|² cells, written as bytes with
    /// an all-zero row copied whole.
    static func confusionCSV(_ e: JSONEvaluation) -> Data {
        let labels = e.report.metrics.labels
        var out = [UInt8]()
        let fields = labels.map { Array(CSVWriter.field($0).utf8) }
        out.append(contentsOf: "true\\pred".utf8)
        for f in fields { out.append(0x2C); out.append(contentsOf: f) }
        out.append(0x0A)
        let zeros: [UInt8] = (0..<labels.count * 2).map { $0 % 2 == 0 ? 0x2C : 0x30 }
        let counts = e.report.actionTable?.confusion ?? []
        out.reserveCapacity(out.count + labels.count * (labels.count * 2 + 40))
        for (k, f) in fields.enumerated() {
            out.append(contentsOf: f)
            let row = k < counts.count ? counts[k] : []
            if row.allSatisfy({ $0 == 0 }) {
                out.append(contentsOf: zeros)
            } else {
                for c in row { out.append(0x2C); out.append(contentsOf: String(c).utf8) }
            }
            out.append(0x0A)
        }
        return Data(out)
    }

    /// RUN_REPORT.md: the reference's lines, then coverage, validity and both macro F1s named.
    public static func runReport(_ e: JSONEvaluation) -> String {
        let m = e.report.metrics
        func meta(_ key: String) -> String {
            guard let v = e.metadata.first(where: { $0.0 == key })?.1, v != .null else { return "none" }
            return v.pythonString
        }
        let episodes = Set(e.records.map { CodePoints($0.episodeID.pythonJSON()) }).count
        let f4 = { (x: Double) in String(format: "%.4f", x) }
        var lines = [
            "# Generated JSON Answer Evaluation", "",
            "- Base model: `\(meta("model_id"))`", "- Adapter: `\(meta("adapter_dir"))`", "- Dataset: `\(meta("dataset_jsonl"))`",
            "- Eval split: `\(meta("eval_split"))`", "- Protocol: `\(e.evalProtocol.rawValue)`",
            "- Samples: `\(m.numSamples)`", "- Episodes: `\(episodes)`",
            "- Coverage: `\(e.coverage.merged)` of `\(e.coverage.expected)` eval records predicted; `\(e.coverage.missingIDs.count)` missing"
                + (e.coverage.missingIDs.isEmpty ? "" : " (scored as empty answers, listed in `missing_predictions.txt`)"),
            "- Accuracy: `\(f4(m.accuracy))`",
            "- Action macro-F1, all `\(m.labels.count)` labels (published definition): `\(f4(m.macroF1))`",
            "- Action macro-F1, `\(m.numSupportedClasses)` supported classes (baseline definition): `\(f4(m.supportedClassesMacroF1))`",
            "- JSON validity: `\(f4(m.jsonValidityRate))`",
            "- Unseen eval labels: `\(m.unseenEvalLabels.count)`",
        ]
        if let s = e.strict, let ceiling = s.unseenClassCeiling {
            lines.append("- Unseen-class ceiling (share of rows whose label occurs in train): `\(f4(ceiling))`")
        }
        lines += ["", "Artifacts include `metrics.json`, `predictions.jsonl`, `predictions.csv`, `per_class_metrics.csv`, and `confusion_matrix.csv`."]
        return lines.joined(separator: "\n") + "\n"
    }
}
