import Foundation
import Heads
import Metrics
import TaskContracts
import XPCore

/// Settings of a dense baseline run (`run_dense_multiscale_hierarchical_baselines.py`; the
/// defaults are the script's: 220 softmax epochs, seed 11, MLP hidden 160, batch 1024,
/// 45 epochs).
public struct DenseBaselineOptions: Sendable {
    public var baselineProtocol: BaselineProtocol = .strict
    public var epochs = 220
    /// MLP epochs; 0 runs no neural model.
    public var neuralEpochs = 45
    public var learningRate: Float = 0.16
    public var l2: Float = 2e-3
    public var seed: UInt64 = 11
    public var neuralHidden = 160
    public var neuralBatch = 1024
    public var softmaxMaxTrainClasses = 256
    public var runID = "xperience10m_128ep_dense_multiscale_hierarchical_baselines_v1_20260608"
    /// The JSONL as named in the summary.
    public var datasetLabel = "dense_multiscale_windows.jsonl"
    /// The builder's `dataset_manifest.json`, embedded in the summary ({} when absent).
    public var datasetManifest: JSONValue = .object([])
    public var overwrite = false
    public var progress: (@Sendable (String) -> Void)?

    public init() {}
}

/// What a dense run produced.
public struct DenseBaselineReport: Sendable {
    public var summary: JSONValue
    public var markdown: String
    /// Per target: simple and neural test macro-F1.
    public var scores: [(target: String, simple: Double?, neural: Double?)]
    public var seconds: (simple: Double, neural: Double)
}

/// The dense/multiscale hierarchical baselines (analysis-and-report.md §2.3): for each of the
/// eight targets, train-first classes (`unknown` an ordinary class), the softmax or the
/// centroid model by K_train, the neural MLP, metrics by split.
public enum DenseBaselines {
    /// The targets, in the builder's order.
    public static let targets = ["action_family", "action", "subtask_family", "subtask", "next_action_family", "next_action", "contact", "transition"]
    static let inputFeatures = "window position, scale id, provenance/media availability, and hashed episode/split diagnostics; target labels are excluded"
    static let strictInputFeatures = "window position, scale id, provenance/media availability; target labels, episode and split hashes are excluded"

    /// What strict changes for the dense baselines.
    public static let strictChanges = [
        "features: the episode and split hashes are dropped (24 values instead of 60; §6 row 13 says 52, but 60 − 32 − 4 = 24); the simple model on the reference's 60 values is reported beside it (reference_feature_variant)",
        "test metrics add the seen-class view (accuracy and macro-F1 over test rows whose class occurs in train) and the majority-class and prior-rate baselines",
        "action, subtask and next_action add family-level metrics: true and predicted labels mapped through the dense builder's taxonomies (substring rule, as the family labels were made)",
        "test metrics per label provenance (exact, overlap, gap: 83.5 % of the reference's rows inherit a label from a window they do not overlap)",
        "confusion matrices over more than 256 classes are written sparsely (confusion_matrix_sparse.csv); paths in the summary are relative to the working directory",
    ]

    /// A path relative to the working directory when it lies below it (strict's portable
    /// summary paths), else as given.
    public static func portable(_ url: URL) -> String { portablePath(url) }

    /// The taxonomy that maps a fine target's labels to families, if the target has one.
    static func taxonomy(for target: String) -> KeywordTaxonomy? {
        switch target {
        case "action", "next_action": return .denseActions
        case "subtask": return .subtasks
        default: return nil
        }
    }

    /// Runs the eight targets on `rows` and writes the output tree into `out` (staged and
    /// renamed into place whole).
    public static func run(rows: [DenseRow], options: DenseBaselineOptions, out: URL) throws -> DenseBaselineReport {
        if FileManager.default.fileExists(atPath: out.path) && !options.overwrite { throw SuiteError.outputExists(path: out.path) }
        let splits = BaselineSplits(splits: rows.map(\.split))
        guard !splits.train.isEmpty else { throw ExportError.badInput(file: options.datasetLabel, detail: "no row has split \"train\"") }
        var report: DenseBaselineReport?
        try AtomicFolder.write(to: out) { staging in
            report = try runInto(staging, rows: rows, splits: splits, options: options)
        }
        guard let report else { throw ExportError.writeFailed(path: out.path, detail: "the run produced no report") }
        return report
    }

    static func runInto(_ root: URL, rows: [DenseRow], splits: BaselineSplits, options o: DenseBaselineOptions) throws -> DenseBaselineReport {
        let say = o.progress ?? { _ in }
        let strict = o.baselineProtocol == .strict
        let files = BaselineFiles(root: root)
        let features = try DenseFeatures.build(rows, variant: strict ? .withoutEpisodeAndSplitHashes : .reference)
        let referenceFeatures = strict ? try DenseFeatures.build(rows, variant: .reference) : features
        say("features=[\(features.matrix.rows), \(features.matrix.cols)] splits={train: \(splits.train.count), val: \(splits.val.count), test: \(splits.test.count)}")
        var settings = ClassifierSettings(epochs: o.epochs, seed: o.seed,
                                          neural: o.neuralEpochs > 0 ? ClassifierSettings.mlp(hidden: o.neuralHidden, epochs: o.neuralEpochs, batch: o.neuralBatch, seed: o.seed) : nil)
        settings.learningRate = o.learningRate
        settings.l2 = o.l2
        settings.softmaxMaxTrainClasses = o.softmaxMaxTrainClasses
        var results: [JSONValue] = []
        var scores: [(String, Double?, Double?)] = []
        var simpleSeconds = 0.0, neuralSeconds = 0.0
        let predictionHeader = ["id", "episode_id", "split", "scale_id", "start_frame", "end_frame", "label_provenance", "target", "true_label", "predicted_label", "confidence", "correct"]
        func rowCells(_ r: DenseRow, _ target: String) -> [String] {
            [r.id, r.episodeID, r.split, r.scaleID, String(Int(r.start)), String(Int(r.end)), r.provenanceCell, target]
        }
        for target in targets {
            let labels = rows.map { $0.labels[target] ?? "unknown" }
            let fitted = try ClassificationBaseline.fit(x: features.matrix, labels: labels, splits: splits, settings: settings) { k in "\(k) train classes" }
            let k = fitted.encoding.trainClassCount
            say("\(target): \(fitted.simple.kind) over \(k) train classes")
            let names = fitted.encoding.classNames, ids = fitted.encoding.ids
            let trainTruth = splits.train.map { ids[$0] }
            let dir = "simple/\(target)"
            var splitMetrics: [(String, JSONValue)] = []
            var testScore: SplitScore?
            var testPred: [Int] = []
            var predRows: [[String]] = []
            let start = Date()
            for (name, idx) in [("val", splits.val), ("test", splits.test), ("train", splits.train)] where !idx.isEmpty {
                let (pred, conf) = try fitted.simple.predict(fitted.standardised.gatherRows(idx))
                let score = try BaselineMetrics.score(truth: idx.map { ids[$0] }, predicted: pred, classNames: names, trainTruth: trainTruth, strict: strict)
                splitMetrics.append((name, score.json))
                if name == "test" {
                    testScore = score
                    testPred = pred
                    for (j, i) in idx.enumerated() {
                        predRows.append(rowCells(rows[i], target) + [names[ids[i]], names[pred[j]], PyCell.float32(conf[j]), pred[j] == ids[i] ? "1" : "0"])
                    }
                }
            }
            simpleSeconds += fitted.simpleSeconds + Date().timeIntervalSince(start)
            let unseen = Set(splits.test.map { ids[$0] }).subtracting(trainTruth).sorted()
            var simple: [(String, JSONValue)] = [
                ("status", .string("pass")), ("target", .string(target)), ("model_family", .string("simple_\(fitted.simple.kind)_dense_metadata")),
                ("input_features", .string(strict ? strictInputFeatures : inputFeatures)),
                ("num_train_windows", .int(splits.train.count)), ("num_val_windows", .int(splits.val.count)), ("num_test_windows", .int(splits.test.count)),
                ("num_classes", .int(names.count)), ("num_train_classes", .int(k)),
                ("unseen_test_class_count", .int(unseen.count)), ("unseen_test_classes", .array(unseen.map { .string(names[$0]) })),
                ("primary_metric", .string("macro_f1")), ("primary_score", .num(testScore?.macroF1)),
                ("splits", .object(splitMetrics)), ("history", fitted.simpleHistory),
            ]
            if strict {
                simple += try strictExtras(target: target, rows: rows, splits: splits, names: names, ids: ids, testPred: testPred, trainTruth: trainTruth)
                simple.append(("feature_variant", .string(features.variant.rawValue)))
                simple.append(("feature_dim", .int(features.matrix.cols)))
                // The reference's 60 features, simple model only (cheap), for comparison.
                var plain = settings
                plain.neural = nil
                let ref = try ClassificationBaseline.fit(x: referenceFeatures.matrix, labels: labels, splits: splits, settings: plain) { k in "\(k) train classes" }
                let (rp, _) = splits.test.isEmpty ? ([], []) : try ref.simple.predict(ref.standardised.gatherRows(splits.test))
                let rs = try BaselineMetrics.score(truth: splits.test.map { ids[$0] }, predicted: rp, classNames: names, trainTruth: trainTruth, strict: false)
                simple.append(("reference_feature_variant", .object([("feature_variant", .string("reference")), ("feature_dim", .int(referenceFeatures.matrix.cols)),
                                                                     ("model_family", .string("simple_\(ref.simple.kind)_dense_metadata")),
                                                                     ("primary_score", .num(rs.macroF1)), ("test", rs.json)])))
            }
            try files.json(.object(simple), "\(dir)/metrics.json", sortKeys: true)
            try files.write(lfCSV(predictionHeader, predRows), "\(dir)/predictions.csv")
            try writeClassTables(testScore, names: names, dir: dir, files: files, strict: strict)
            try files.npz(fitted.modelArchive(trainClassCount: false), "\(dir)/model.npz")

            var neuralJSON: JSONValue = .null
            var neuralScore: Double?
            if let n = fitted.neural {
                neuralSeconds += n.seconds
                let ndir = "neural_mlp/\(target)"
                if let error = n.error {
                    neuralJSON = .object([("status", .string("failed")), ("target", .string(target)), ("model_family", .string("neural_mlp_dense_metadata")),
                                          ("primary_metric", .string("macro_f1")), ("primary_score", .null), ("error", .string(error))])
                    try files.json(neuralJSON, "\(ndir)/metrics.json", sortKeys: true)
                } else {
                    let score = try BaselineMetrics.score(truth: splits.test.map { ids[$0] }, predicted: n.testClasses, classNames: names, trainTruth: trainTruth, strict: strict)
                    neuralScore = splits.test.isEmpty ? nil : score.macroF1
                    var fields: [(String, JSONValue)] = [
                        ("status", .string("pass")), ("target", .string(target)), ("model_family", .string("neural_mlp_dense_metadata")), ("device", .string("cpu")),
                        ("num_train_windows", .int(splits.train.count)), ("num_test_windows", .int(splits.test.count)),
                        ("num_classes", .int(names.count)), ("num_train_classes", .int(k)),
                        ("primary_metric", .string("macro_f1")), ("primary_score", .num(neuralScore)), ("test", score.json), ("history", n.history),
                    ]
                    if strict {
                        fields += try strictExtras(target: target, rows: rows, splits: splits, names: names, ids: ids, testPred: n.testClasses, trainTruth: trainTruth)
                        fields.append(("feature_variant", .string(features.variant.rawValue)))
                    }
                    neuralJSON = .object(fields)
                    let nRows = splits.test.enumerated().map { j, i in
                        rowCells(rows[i], target) + [names[ids[i]], names[n.testClasses[j]], PyCell.float32(n.testConfidence[j]), n.testClasses[j] == ids[i] ? "1" : "0"]
                    }
                    try files.json(neuralJSON, "\(ndir)/metrics.json", sortKeys: true)
                    try files.write(BaselineMetrics.perClassCSV(score.report, classNames: names), "\(ndir)/per_class_metrics.csv")
                    try files.write(lfCSV(predictionHeader, nRows), "\(ndir)/predictions.csv")
                    if strict && names.count > 256 {
                        try files.write(BaselineMetrics.sparseConfusionCSV(score.report, classNames: names), "\(ndir)/confusion_matrix_sparse.csv")
                    } else {
                        try files.write(BaselineMetrics.confusionCSV(score.report, classNames: names), "\(ndir)/confusion_matrix.csv")
                    }
                    // model.safetensors stands in for the reference's model.pt (a torch pickle).
                    if let model = n.model {
                        do { try model.save(to: files.url("\(ndir)/model.safetensors"), classNames: Array(names.prefix(k)), standardiser: fitted.standardiser) } catch {
                            throw ExportError.writeFailed(path: files.url("\(ndir)/model.safetensors").path, detail: "\(error)")
                        }
                    }
                }
            }
            results.append(.object([("target", .string(target)), ("simple", .object(simple)), ("neural", neuralJSON)]))
            scores.append((target, testScore.map(\.macroF1), neuralScore))
        }
        var summary: [(String, JSONValue)] = [
            ("run_id", .string(o.runID)), ("dataset_jsonl", .string(o.datasetLabel)), ("dataset_manifest", o.datasetManifest),
            ("feature_shape", .array([.int(features.matrix.rows), .int(features.matrix.cols)])),
            ("split_counts", .object(splits.counts.map { ($0.0, .int($0.1)) })), ("targets", .array(results)),
            ("protocol", .string(o.baselineProtocol.rawValue)), ("parity", .string(parityNote)),
            ("feature_columns", .array(features.columnNames.map { .string($0) })),
        ]
        if strict {
            summary.append(("strict_changes", .array(strictChanges.map { .string($0) })))
            summary.append(("reference_feature_shape", .array([.int(referenceFeatures.matrix.rows), .int(referenceFeatures.matrix.cols)])))
        }
        let summaryJSON = JSONValue.object(summary)
        try files.json(summaryJSON, "summary_report.json", sortKeys: true)
        let markdown = runReport(summary: summaryJSON, results: results, options: o)
        try files.write(markdown, "RUN_REPORT.md")
        return DenseBaselineReport(summary: summaryJSON, markdown: markdown, scores: scores, seconds: (simpleSeconds, neuralSeconds))
    }

    static let parityNote = "matched to the reference in method, not to the digit: NumPy's default_rng(11) and torch's generators are replaced by the project's seeded generators with seed 11, so initial weights and MLP batches differ; no dense baseline result is committed upstream to compare against"

    static func writeClassTables(_ score: SplitScore?, names: [String], dir: String, files: BaselineFiles, strict: Bool) throws {
        try files.write(BaselineMetrics.perClassCSV(score?.report, classNames: names), "\(dir)/per_class_metrics.csv")
        if strict && names.count > 256 {
            try files.write(BaselineMetrics.sparseConfusionCSV(score?.report, classNames: names), "\(dir)/confusion_matrix_sparse.csv")
        } else {
            try files.write(BaselineMetrics.confusionCSV(score?.report, classNames: names), "\(dir)/confusion_matrix.csv")
        }
    }

    /// The strict protocol's family-level and per-provenance test metrics of one model.
    static func strictExtras(target: String, rows: [DenseRow], splits: BaselineSplits, names: [String], ids: [Int], testPred: [Int], trainTruth: [Int]) throws -> [(String, JSONValue)] {
        guard !splits.test.isEmpty else { return [] }
        var out: [(String, JSONValue)] = []
        if let taxonomy = taxonomy(for: target) {
            let family = names.map { taxonomy.family(of: $0) }
            let r = try classificationMetrics(truth: splits.test.map { family[ids[$0]] }, predicted: testPred.map { family[$0] },
                                              train: trainTruth.map { family[$0] }, macroAverage: .supportedClasses)
            out.append(("family_level", .object([("taxonomy", .string(taxonomy.version(.substring))), ("accuracy", .num(r.metrics.accuracy)),
                                                 ("macro_f1", .num(r.metrics.macroF1)), ("num_families", .int(r.metrics.numClasses))])))
        }
        var byKind: [String: [Int]] = [:], order: [String] = []
        for (j, i) in splits.test.enumerated() {
            let kind = rows[i].provenance
            if byKind[kind] == nil { order.append(kind) }
            byKind[kind, default: []].append(j)
        }
        var kinds: [(String, JSONValue)] = []
        for kind in order.sorted(by: codePointLess) {
            let js = byKind[kind]!
            let r = try classificationMetrics(truth: js.map { ids[splits.test[$0]] }, predicted: js.map { testPred[$0] }, classNames: names, macroAverage: .supportedClasses)
            kinds.append((kind.isEmpty ? "(none)" : kind, .object([("num_windows", .int(js.count)), ("accuracy", .num(r.metrics.accuracy)), ("macro_f1", .num(r.metrics.macroF1))])))
        }
        out.append(("by_provenance", .object(kinds)))
        return out
    }

    static func runReport(summary: JSONValue, results: [JSONValue], options o: DenseBaselineOptions) -> String {
        let manifest = summary["dataset_manifest"]
        func six(_ v: JSONValue?) -> String { v?.numberValue.map { String(format: "%.6f", $0) } ?? "" }
        var lines = ["# Dense/Multiscale Hierarchical Baselines", "",
                     "Run id: `\(o.runID)`", "",
                     "Dataset: `\(manifest?["run_id"]?.stringValue ?? "unknown")`",
                     "Windows: `\(manifest?["num_samples"].map { $0.pythonString } ?? "None")`", "",
                     "| target | simple status | simple test macro-F1 | neural status | neural test macro-F1 | train classes | test unseen |",
                     "| --- | --- | ---: | --- | ---: | ---: | ---: |"]
        for r in results {
            let s = r["simple"], n = r["neural"]
            let nStatus = n == nil || n == .null ? "not_run" : n?["status"]?.stringValue ?? "None"
            lines.append("| `\(r["target"]?.stringValue ?? "")` | \(s?["status"]?.stringValue ?? "None") | \(six(s?["primary_score"])) | \(nStatus) | \(six(n?["primary_score"])) | \(s?["num_train_classes"].map { $0.pythonString } ?? "") | \(s?["unseen_test_class_count"].map { $0.pythonString } ?? "") |")
        }
        lines += ["", "Protocol: `\(o.baselineProtocol.rawValue)`; features \(summary["feature_shape"]?.pythonJSON() ?? ""); softmax epochs \(o.epochs), MLP epochs \(o.neuralEpochs) (hidden \(o.neuralHidden), batch \(o.neuralBatch)), seed \(o.seed).",
                  "", "Parity: \(parityNote)."]
        if o.baselineProtocol == .strict {
            lines += ["", "Strict changes:", ""] + strictChanges.map { "- \($0)" }
            lines += ["", "| target | strict simple | reference-feature simple | seen-class macro-F1 | family macro-F1 | majority macro-F1 | prior-rate macro-F1 |",
                      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
            for r in results {
                let s = r["simple"]
                let test = s?["splits"]?["test"]
                lines.append("| `\(r["target"]?.stringValue ?? "")` | \(six(s?["primary_score"])) | \(six(s?["reference_feature_variant"]?["primary_score"])) | \(six(test?["seen_class_macro_f1"])) | \(six(s?["family_level"]?["macro_f1"])) | \(six(test?["baselines"]?["majority_class"]?["macro_f1"])) | \(six(test?["baselines"]?["prior_rate"]?["macro_f1"])) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
