import Foundation
import XPCore

/// `audio_ablation_metrics.csv` and `audio_delta_summary.csv` with the reference's columns
/// (`analysis-and-report.md` §5.1), then the run's protocol, seed and baseline.
public enum AudioAblationFiles {
    public static let metricColumns = [
        "task", "task_display", "variant", "variant_display", "status", "primary_metric", "primary_value", "higher_is_better", "feature_dim",
        "num_train", "num_test", "input_contract", "target_variant", "reason", "accuracy", "macro_f1", "balanced_accuracy", "num_classes",
        "unseen_test_classes", "unseen_test_class_count", "mse", "mae", "r2", "target_dim", "micro_f1", "exact_match", "precision", "recall",
        "num_objects", "mrr", "top1_accuracy", "top5_accuracy", "top10_accuracy", "median_rank", "mean_rank", "num_queries",
    ] + ["protocol", "seed", "baseline_name", "baseline_score"]

    public static let deltaColumns = ["task", "task_display", "metric", "current_audio", "no_audio", "current_audio_delta", "raw_audio_only",
                                      "replace_with_raw", "raw_replacement_delta_vs_current", "all_plus_raw", "all_plus_raw_delta_vs_current"]

    static func num(_ v: Double?) -> String { DiagnosticsWriter.num(v) }

    /// Python's `repr` of a list of strings: `['a', 'b']` (single quotes unless the text holds one).
    static func pythonListRepr(_ items: [String]) -> String {
        "[" + items.map { s in
            s.contains("'") && !s.contains("\"") ? "\"\(s)\"" : "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }.joined(separator: ", ") + "]"
    }

    public static func metricsCSV(_ rows: [AudioAblationRow]) -> String {
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(metricColumns)
        for r in rows {
            let s = r.score, m = s?.metrics ?? [:]
            let higher = s.map { $0.primaryMetric != "mae" } ?? true
            let counted = s.map { $0.primaryMetric != "mae" && $0.primaryMetric != "mrr" } ?? false
            let classification = s?.primaryMetric == "macro_f1"
            let numTrain: String = counted ? String(s?.numTrain ?? 0) : ""
            let numTest: String = counted ? String(s?.numTest ?? 0) : ""
            let unseen: String = classification ? pythonListRepr(s?.unseenTestClasses ?? []) : ""
            let unseenCount: String = classification ? String(s?.unseenTestClasses?.count ?? 0) : ""
            let numClasses: String = s?.numClasses.map(String.init) ?? ""
            let numObjects: String = s?.numObjects.map(String.init) ?? ""
            let numQueries: String = s?.numQueries.map(String.init) ?? ""
            let targetDim: String = r.targetDim.map(String.init) ?? ""
            var fields: [String] = [r.task.rawValue, r.task.displayName, r.variant.rawValue, r.variant.display, s == nil ? "not_computed" : "computed"]
            fields += [s?.primaryMetric ?? "", num(s?.primaryValue), higher ? "true" : "false", String(r.featureDim), numTrain, numTest]
            fields += [r.variant.inputContract(r.featureDim), r.targetVariant, r.reason]
            fields += [num(m["accuracy"]), num(m["macro_f1"]), num(m["balanced_accuracy"]), numClasses, unseen, unseenCount]
            fields += [num(m["mse"]), num(m["mae"]), num(m["r2"]), targetDim, num(m["micro_f1"]), num(m["exact_match"])]
            fields += [num(m["precision"]), num(m["recall"]), numObjects, num(m["mrr"]), num(m["top1_accuracy"])]
            fields += [num(m["top5_accuracy"]), num(m["top10_accuracy"]), num(m["median_rank"]), num(m["mean_rank"]), numQueries]
            fields += [r.suiteProtocol.rawValue, String(r.seed), s?.baselineName ?? "", num(s?.baselineScore)]
            csv.writeRow(fields)
        }
        return csv.text
    }

    /// One row per task (first seed): each variant's primary value and the deltas, signed so
    /// that a positive delta is the better direction (for MAE, lower is better).
    public static func deltaCSV(_ rows: [AudioAblationRow]) -> String {
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(deltaColumns)
        var order: [TaskID] = []
        for r in rows where !order.contains(r.task) { order.append(r.task) }
        for task in order {
            let seed = rows.first { $0.task == task }?.seed
            let mine = rows.filter { $0.task == task && $0.seed == seed }
            func value(_ v: AudioAblation.Variant) -> Double? { mine.first { $0.variant == v }?.score?.primaryValue }
            guard let metric = mine.compactMap({ $0.score?.primaryMetric }).first else { continue }
            let sign: Double = metric == "mae" ? -1 : 1
            func delta(_ a: Double?, _ b: Double?) -> Double? { guard let a, let b else { return nil }; return sign * (a - b) }
            let current = value(.allHandcraftedAudio)
            csv.writeRow([task.rawValue, task.displayName, metric, num(current), num(value(.allExceptAudio)), num(delta(current, value(.allExceptAudio))),
                          num(value(.rawLogmelAudioOnly)), num(value(.replaceHandcraftedWithRaw)), num(delta(value(.replaceHandcraftedWithRaw), current)),
                          num(value(.allPlusRawLogmel)), num(delta(value(.allPlusRawLogmel), current))])
        }
        return csv.text
    }
}
