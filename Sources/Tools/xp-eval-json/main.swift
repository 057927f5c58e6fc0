import ArgumentParser
import Exporters
import Foundation
import ToolSupport

/// `xp-eval-json`: scores any model's generated JSON answers against the exported records.
struct XPEvalJSON: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-eval-json",
        abstract: "Score generated JSON answers against an xp-export-qwen dataset and write the evaluation package.",
        discussion: """
            The eval rows are the dataset's records with split --split, in file order; the label list is the \
            first of them's label_options (then labels seen only in the truth or the predictions); train actions \
            come from the --train-split records. Predictions are JSONL rows with 'id' and 'raw_prediction' (or \
            'prediction' / 'output'); several shard files are merged by the dataset's record order, whatever \
            their order. A malformed line, or two rows with one id and different raw text, stops the run; \
            records without a prediction stop it too unless --allow-missing, which scores them as empty answers.

            --rescore re-scores a published package from its own predictions.jsonl (true_json, raw_prediction, \
            true_label_seen_in_train) with the label list of its metrics.json; --manifest adds the dataset \
            manifest's option lists.

            Writes, as one folder: metrics.json (the reference's keys and order, then protocol, coverage, issues, \
            macro_f1_definitions and, under strict, a strict block), predictions.jsonl, predictions.csv, \
            per_class_metrics.csv, confusion_matrix.csv, RUN_REPORT.md, and missing_predictions.txt when \
            records had no prediction. See Docs/eval-json.md.

            Examples:
              xp-eval-json --dataset export/dataset.jsonl --predictions preds.jsonl --out eval
              xp-eval-json --dataset export --predictions shard0.jsonl shard1.jsonl --out eval --protocol reference
              xp-eval-json --rescore package/eval/predictions.jsonl --labels package/eval/metrics.json --out rescored
            """
    )

    @Option(help: ArgumentHelp("An xp-export-qwen dataset.jsonl (or .jsonl.zst), or its folder.", valueName: "dataset-jsonl"))
    var dataset: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Prediction JSONL files (one or more shards).", valueName: "pred-jsonl"))
    var predictions: [String] = []

    @Option(help: ArgumentHelp("Re-score this package predictions.jsonl instead (needs --labels).", valueName: "pred-jsonl"))
    var rescore: String?

    @Option(help: ArgumentHelp("The package's metrics.json (its 'labels' and run metadata), with --rescore.", valueName: "metrics-json"))
    var labels: String?

    @Option(help: ArgumentHelp("A dataset_manifest.json whose action_options and subtask_options to use, with --rescore.", valueName: "manifest-json"))
    var manifest: String?

    @Option(help: "Output folder (created, or replaced whole).")
    var out: String

    @Option(help: "The eval split.")
    var split: String = "test"

    @Option(help: "The split whose actions count as seen in train.")
    var trainSplit: String = "train"

    @Option(help: ArgumentHelp("reference (the published keys only) or strict (adds the strict block).", valueName: "protocol"))
    var `protocol`: String = "strict"

    @Flag(help: "Score eval records without a prediction as empty answers instead of failing.")
    var allowMissing = false

    @Option(help: "Written as model_id.")
    var modelID: String?

    @Option(help: "Written as adapter_dir.")
    var adapterDir: String?

    func validate() throws {
        guard EvalProtocol(rawValue: `protocol`) != nil else { throw ValidationError("--protocol must be reference or strict, found '\(`protocol`)'") }
        if rescore != nil {
            guard dataset == nil, predictions.isEmpty else { throw ValidationError("--rescore takes no --dataset or --predictions") }
            guard labels != nil else { throw ValidationError("--rescore needs --labels METRICS_JSON") }
        } else {
            guard dataset != nil else { throw ValidationError("give --dataset and --predictions, or --rescore and --labels") }
            guard !predictions.isEmpty else { throw ValidationError("--dataset needs at least one --predictions file") }
            guard labels == nil, manifest == nil else { throw ValidationError("--labels and --manifest go with --rescore") }
        }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        try Tool.checkOutput(outURL, option: "--out")
        let options = EvalOptions(evalProtocol: EvalProtocol(rawValue: `protocol`) ?? .strict, evalSplit: split, trainSplit: trainSplit,
                                  allowMissing: allowMissing, modelID: modelID, adapterDir: adapterDir)
        let started = Date()
        let evaluation: JSONEvaluation
        if let rescore, let labels {
            evaluation = try JSONEvaluation.rescore(predictions: URL(fileURLWithPath: rescore), metrics: URL(fileURLWithPath: labels),
                                                    manifest: manifest.map(URL.init(fileURLWithPath:)), options: options)
        } else if let dataset {
            evaluation = try JSONEvaluation.run(dataset: URL(fileURLWithPath: dataset), predictions: predictions.map(URL.init(fileURLWithPath:)),
                                                options: options, datasetLabel: dataset)
        } else {
            throw ToolError("give --dataset and --predictions, or --rescore and --labels")
        }
        for issue in evaluation.issues {
            if let message = issue["message"]?.stringValue { Tool.note("note: \(message)") }
        }
        try EvalPackage.write(evaluation, to: outURL)
        let m = evaluation.report.metrics
        Tool.note(String(format: "scored %d rows (%d missing) in %.1f s: accuracy %.4f, action macro-F1 %.6f (all %d labels) / %.6f (%d supported classes), JSON validity %.4f",
                         m.numSamples, evaluation.coverage.missingIDs.count, Date().timeIntervalSince(started), m.accuracy, m.macroF1, m.labels.count,
                         m.supportedClassesMacroF1, m.numSupportedClasses, m.jsonValidityRate))
        print(outURL.path)
    }
}

Tool.main(XPEvalJSON.self)
