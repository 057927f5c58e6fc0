import Foundation
import WindowAlign
import XPCore

/// Writes a ``DiagnosticsResult`` as the files `xp-diagnose` promises (and `xp-report` reads):
/// `diagnostics.json` and one CSV per diagnostic, the whole folder committed at once.
public enum DiagnosticsWriter {
    /// The reference's `ablation_metrics.csv` columns (`analysis-and-report.md` §5.2).
    public static let ablationReferenceColumns = [
        "task", "task_display", "modality_group", "modality_display", "status", "score", "primary_metric", "primary_metric_value",
        "target_variant", "target_source_overlap", "reason", "accuracy", "macro_f1", "balanced_accuracy", "num_classes", "num_train",
        "num_test", "unseen_test_classes", "unseen_test_class_count", "mse", "mae", "r2", "micro_f1", "exact_match", "precision", "recall",
        "num_objects", "mrr", "top1_accuracy", "top5_accuracy", "top10_accuracy", "median_rank", "mean_rank", "num_queries",
    ]
    /// Ours after the reference's: which run, which mode, and the trivial baseline.
    public static let ablationColumns = ablationReferenceColumns + ["protocol", "seed", "mode", "baseline_name", "baseline_score"]
    /// `task-suite.md` §6.2 columns, then ours: which run, then the task of the row
    /// (`cross_modal_retrieval` rows fill the retrieval columns, `misalignment_detection` rows
    /// the pair columns) and its trivial baseline.
    public static let alignmentColumns = ["query_group", "query_display", "target_group", "shift_windows", "shift_frames", "status", "mrr",
                                          "top1_accuracy", "top5_accuracy", "top10_accuracy", "median_rank", "mean_rank", "num_queries",
                                          "protocol", "seed", "baseline_mrr",
                                          "task", "auroc", "macro_f1", "accuracy", "num_pairs", "baseline_name", "baseline_score"]
    public static let missingViewColumns = ["task", "task_display", "view", "metric", "score_full", "score_without", "drop",
                                            "baseline_name", "baseline_score", "protocol", "seed"]
    public static let bySessionColumns = ["session", "task", "metric", "value", "ci_low", "ci_high", "n_test", "baseline_name", "baseline_score"]

    /// The file of each diagnostic.
    public static let files: [DiagnosticKind: String] = [
        .ablation: "ablation_metrics.csv", .alignment: "alignment_shift_metrics.csv", .missingViews: "missing_views.csv",
        .bySession: "by_session.csv", .audio: "audio_ablation_metrics.csv",
    ]

    /// Writes every file into `folder` (created whole; replaces an existing one).
    public static func write(_ r: DiagnosticsResult, to folder: URL) throws {
        let files = contents(r)
        let npy = try r.rawLogmel.map { try NumPyFile.encode($0.values, shape: [$0.rows, LogMelFeatures.dimension]) }
        try AtomicFolder.write(to: folder) { staging in
            if files.contains(where: { $0.0.hasPrefix("probes/") }) {
                try FileManager.default.createDirectory(at: staging.appendingPathComponent("probes"), withIntermediateDirectories: true)
            }
            for (name, text) in files {
                try AtomicFile.write(Data(text.utf8), to: staging.appendingPathComponent(name))
            }
            if let npy { try AtomicFile.write(npy, to: staging.appendingPathComponent("raw_logmel_features.npy")) }
        }
    }

    /// The files as (name, text), `diagnostics.json` last.
    public static func contents(_ r: DiagnosticsResult) -> [(String, String)] {
        var out: [(String, String)] = []
        if let a = r.ablation { out.append(("ablation_metrics.csv", ablationCSV(a))) }
        if r.alignment != nil || r.misalignmentShift != nil {
            out.append(("alignment_shift_metrics.csv", alignmentCSV(r.alignment ?? [], misalignment: r.misalignmentShift ?? [])))
        }
        if let m = r.missingViews { out.append(("missing_views.csv", missingViewsCSV(m))) }
        if let s = r.bySession { out.append(("by_session.csv", bySessionCSV(s))) }
        if let a = r.audio {
            out.append(("audio_ablation_metrics.csv", AudioAblationFiles.metricsCSV(a)))
            out.append(("audio_delta_summary.csv", AudioAblationFiles.deltaCSV(a)))
        }
        if let probes = r.probes {
            for probe in probes { out += probe.files.map { ("probes/\($0.0)", $0.1) } }
            out.append(("probes/probes_summary.json", DiagnosticsSummary.probes(probes, protocol: r.suiteProtocol).pythonJSON(indent: 2) + "\n"))
        }
        out.append(("diagnostics.json", DiagnosticsSummary.json(r).pythonJSON(indent: 2) + "\n"))
        return out
    }

    static func num(_ v: Double?) -> String { v.map { $0.isFinite ? pythonFloatRepr($0) : "" } ?? "" }
    static func int(_ v: Int?) -> String { v.map(String.init) ?? "" }

    public static func ablationCSV(_ rows: [AblationRow]) -> String {
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(ablationColumns)
        for row in rows {
            let s = row.score
            let m = s?.metrics ?? [:]
            // Sample counts only on classification, multi-label and pair rows, as the reference.
            let counted = s.map { $0.primaryMetric == "macro_f1" || $0.primaryMetric == "micro_f1" } ?? false
            let classification = s?.primaryMetric == "macro_f1"
            let numTrain: String = counted ? int(s?.numTrain) : ""
            let numTest: String = counted ? int(s?.numTest) : ""
            let unseen: String = s?.unseenTestClasses?.joined(separator: "|") ?? ""
            let unseenCount: String = classification ? int(s?.unseenTestClasses?.count) : ""
            var fields: [String] = [row.task.rawValue, row.task.displayName, row.group.name, row.group.display, row.status, num(s?.score)]
            fields += [s?.primaryMetric ?? "", num(s?.primaryValue), row.targetVariant, row.targetSourceOverlap ? "true" : "false", row.reason]
            fields += [num(m["accuracy"]), num(m["macro_f1"]), num(m["balanced_accuracy"]), int(s?.numClasses), numTrain, numTest, unseen, unseenCount]
            fields += [num(m["mse"]), num(m["mae"]), num(m["r2"]), num(m["micro_f1"]), num(m["exact_match"]), num(m["precision"]), num(m["recall"])]
            fields += [int(s?.numObjects), num(m["mrr"]), num(m["top1_accuracy"]), num(m["top5_accuracy"]), num(m["top10_accuracy"])]
            fields += [num(m["median_rank"]), num(m["mean_rank"]), int(s?.numQueries)]
            fields += [row.suiteProtocol.rawValue, String(row.seed), row.mode.rawValue, s?.baselineName ?? "", num(s?.baselineScore)]
            csv.writeRow(fields)
        }
        return csv.text
    }

    /// Retrieval rows first, then misalignment rows; each leaves the other task's columns empty.
    public static func alignmentCSV(_ rows: [AlignmentShiftRow], misalignment: [MisalignmentShiftRow] = []) -> String {
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(alignmentColumns)
        for r in rows {
            let m = r.metrics
            csv.writeRow([r.group.name, r.group.display, r.target.name, String(r.shiftWindows), String(r.shiftFrames), "derived_perturbation",
                          num(m.mrr), num(m.top1Accuracy), num(m.top5Accuracy), num(m.top10Accuracy), num(m.medianRank), num(m.meanRank),
                          String(m.numQueries), r.suiteProtocol.rawValue, String(r.seed), num(r.chanceMRR),
                          TaskID.crossModalRetrieval.rawValue, "", "", "", "", "chance", num(r.chanceMRR)])
        }
        for r in misalignment {
            let s = r.score
            csv.writeRow([r.group.name, r.group.display, r.target, String(r.shiftWindows), String(r.shiftFrames), "derived_perturbation"]
                         + [String](repeating: "", count: 7) + [r.suiteProtocol.rawValue, String(r.seed), "",
                          TaskID.misalignmentDetection.rawValue, num(r.auroc), num(s.metrics["macro_f1"]), num(s.metrics["accuracy"]),
                          String(s.numTest), s.baselineName, num(s.baselineScore)])
        }
        return csv.text
    }

    public static func missingViewsCSV(_ rows: [MissingViewRow]) -> String {
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(missingViewColumns)
        for r in rows {
            csv.writeRow([r.task.rawValue, r.task.displayName, r.view, scoreMetric(r.full), num(r.full.score), num(r.without.score), num(r.drop),
                          r.full.baselineName, num(r.full.baselineScore), r.suiteProtocol.rawValue, String(r.seed)])
        }
        return csv.text
    }

    public static func bySessionCSV(_ rows: [SessionRow]) -> String {
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(bySessionColumns)
        for r in rows {
            csv.writeRow([r.session, r.task.rawValue, scoreMetric(r.score), num(r.score.score), num(r.interval?.lower), num(r.interval?.upper),
                          String(r.score.numTest), r.score.baselineName, num(r.score.baselineScore)])
        }
        return csv.text
    }

    /// The name of `score`'s metric: regression rows score 1/(1 + MAE).
    static func scoreMetric(_ s: DiagnosticScore) -> String { s.primaryMetric == "mae" ? "inverse_one_plus_mae" : s.primaryMetric }
}
