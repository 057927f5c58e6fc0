import Foundation
import Metrics
import XPCore

/// Which rules an evaluation reports under. The reference's `metrics.json` keys always carry
/// the published definitions; `strict` adds a `strict` block beside them.
public enum EvalProtocol: String, Sendable, CaseIterable {
    case reference, strict
}

/// The settings of one evaluation run.
public struct EvalOptions: Sendable {
    public var evalProtocol: EvalProtocol = .strict
    public var evalSplit = "test"
    public var trainSplit = "train"
    /// Score eval records without a prediction as empty answers instead of failing.
    public var allowMissing = false
    /// Written as `model_id` / `adapter_dir` (null when not given).
    public var modelID: String?
    public var adapterDir: String?

    public init(evalProtocol: EvalProtocol = .strict, evalSplit: String = "test", trainSplit: String = "train",
                allowMissing: Bool = false, modelID: String? = nil, adapterDir: String? = nil) {
        self.evalProtocol = evalProtocol
        self.evalSplit = evalSplit
        self.trainSplit = trainSplit
        self.allowMissing = allowMissing
        self.modelID = modelID
        self.adapterDir = adapterDir
    }
}

/// One scored evaluation, ready to be written as a run package (``EvalPackage``).
public struct JSONEvaluation: Sendable {
    public var records: [EvalRecord]
    public var answers: [GeneratedAnswer]
    public var report: GeneratedAnswerReport
    public var strict: StrictAnswerMetrics?
    public var labelOptions: [String]
    public var subtaskOptions: [String]?
    /// `model_id` … `sample_stride`, in the reference's order.
    public var metadata: [(String, JSONValue)]
    public var coverage: Coverage
    public var issues: [JSONValue]
    public var evalProtocol: EvalProtocol

    public struct Coverage: Sendable, Equatable {
        public var expected: Int
        public var merged: Int
        public var missingIDs: [String]
        public var unknownIDs: [String]
    }

    /// Scores `predictions` (one or more JSONL files, merged by the dataset's record order)
    /// against the eval records of `dataset`.
    ///
    /// - Throws: ``EvalError`` for unreadable or malformed inputs, conflicting duplicates, and
    ///   missing predictions unless `options.allowMissing`.
    public static func run(dataset: URL, predictions: [URL], options: EvalOptions, datasetLabel: String? = nil) throws -> JSONEvaluation {
        let data = try EvalDataset.read(try EvalDataset.locate(dataset), evalSplit: options.evalSplit, trainSplit: options.trainSplit)
        let preds = try PredictionSet.read(predictions)
        return try score(data, preds, options: options, datasetLabel: datasetLabel ?? dataset.path)
    }

    /// Scores read inputs (``run(dataset:predictions:options:datasetLabel:)`` in steps, for
    /// callers that time or reuse them). `datasetLabel` is written as `dataset_jsonl`.
    public static func score(_ data: EvalDataset, _ preds: PredictionSet, options: EvalOptions, datasetLabel: String) throws -> JSONEvaluation {
        let metadata: [(String, JSONValue)] = [
            ("model_id", options.modelID.map(JSONValue.string) ?? .null),
            ("adapter_dir", options.adapterDir.map(JSONValue.string) ?? .null),
            ("dataset_jsonl", .string(datasetLabel)),
            ("eval_split", .string(options.evalSplit)), ("train_split", .string(options.trainSplit)),
            ("sample_offset", .int(0)), ("sample_stride", .int(1)),
        ]
        return try score(records: data.records, predictions: preds, labelOptions: data.labelOptions, matchOptions: data.matchOptions,
                         subtaskOptions: data.subtaskOptions, trainActions: data.trainActions, metadata: metadata, options: options)
    }

    /// Re-scores a published package: the records and seen flags come from the prediction
    /// rows themselves (`true_json`, `raw_prediction`, `true_label_seen_in_train`), the label
    /// list from `metrics.json` `labels` (or, with `manifest`, the `dataset_manifest.json`
    /// `action_options` and `subtask_options`), the run metadata from `metrics.json`.
    public static func rescore(predictions: URL, metrics: URL, manifest: URL?, options: EvalOptions) throws -> JSONEvaluation {
        let metricsValue = try readJSON(metrics)
        let labelValues = metricsValue["labels"]?.arrayValue ?? []
        let labels = labelValues.compactMap(\.stringValue)
        guard !labels.isEmpty, labels.count == labelValues.count else {
            throw EvalError.badMetadata(file: metrics.path, detail: "no 'labels' list of strings; pass the metrics.json of an evaluation package")
        }
        var options = options
        var labelOptions = labels, subtask: [String]? = nil
        if let manifest {
            let m = try readJSON(manifest)
            labelOptions = try strings(m["action_options"] ?? m["label_options"], "action_options", manifest.path, 0)
            subtask = try m["subtask_options"].map { try strings($0, "subtask_options", manifest.path, 0) }
        }
        if case .string(let s)? = metricsValue["eval_split"] { options.evalSplit = s }
        if case .string(let s)? = metricsValue["train_split"] { options.trainSplit = s }
        let preds = try PredictionSet.read([predictions])
        var records: [EvalRecord] = []
        for id in preds.order {
            guard let p = preds.byID[CodePoints(id)] else { continue }
            let truth = p.row["true_json"] ?? .object([])
            guard case .object = truth else {
                throw EvalError.badField(file: predictions.path, line: 0, field: "true_json", expected: "an object", found: "\(truth.typeName) at \(p.location)")
            }
            let seen = p.row["true_label_seen_in_train"].map(\.pythonTruthy)
            records.append(EvalRecord(id: id, target: p.row["target"] ?? .null, split: p.row["split"] ?? .string("unspecified"),
                                      episodeID: p.row["episode_id"] ?? .null, centerWindow: p.row["center_window"] ?? .null,
                                      answer: truth, label: p.row["true_label"]?.stringValue, options: nil, seenInTrain: seen ?? false))
        }
        let metadata: [(String, JSONValue)] = ["model_id", "adapter_dir", "dataset_jsonl", "eval_split", "train_split", "sample_offset", "sample_stride"].map {
            ($0, metricsValue[$0] ?? .null)
        }
        return try score(records: records, predictions: preds, labelOptions: labelOptions, matchOptions: labelOptions,
                         subtaskOptions: subtask, trainActions: [], metadata: metadata, options: options)
    }

    static func score(records: [EvalRecord], predictions: PredictionSet, labelOptions: [String], matchOptions: [String],
                      subtaskOptions: [String]?, trainActions: Set<String>, metadata: [(String, JSONValue)], options: EvalOptions) throws -> JSONEvaluation {
        let expected = Set(records.map { CodePoints($0.id) })
        let missing = records.filter { predictions.byID[CodePoints($0.id)] == nil }.map(\.id)
        if !missing.isEmpty && !options.allowMissing {
            throw EvalError.missingPredictions(missing: missing.count, expected: records.count, examples: Array(missing.prefix(5)))
        }
        let unknown = predictions.order.filter { !expected.contains(CodePoints($0)) }.sorted(by: codePointLess)
        let answers = records.map { r in
            GeneratedAnswer(raw: predictions.byID[CodePoints(r.id)]?.raw ?? "", truth: r.answer.dictionaryValue ?? [:],
                            label: r.label, seenInTrain: r.seenInTrain, options: r.options)
        }
        // The label list starts with label_options; rows are matched against the match options
        // (`action_options or label_options`), which are the same list in every export.
        let report = scoreGeneratedAnswers(answers.map { a in
            var a = a
            if a.options == nil, matchOptions != labelOptions { a.options = matchOptions }
            return a
        }, labelOptions: labelOptions, trainActions: trainActions, objectRule: .reference)
        let strict = options.evalProtocol == .strict
            ? strictGeneratedAnswerMetrics(answers, report: report, labelOptions: matchOptions, subtaskOptions: subtaskOptions) : nil

        var issues: [JSONValue] = []
        let order = Dictionary(records.enumerated().map { (CodePoints($1.id), $0) }, uniquingKeysWith: { a, _ in a })
        let duplicateIDs = predictions.duplicates.keys.sorted { a, b in
            let ia = order[CodePoints(a)] ?? .max, ib = order[CodePoints(b)] ?? .max
            return ia != ib ? ia < ib : codePointLess(a, b)
        }
        for id in duplicateIDs {
            let locations = predictions.duplicates[id] ?? []
            issues.append(.object([("stage", .string("load")), ("message", .string("duplicate prediction id \(id) with identical raw predictions; scored once")),
                                   ("locations", .array(locations.map(JSONValue.string)))]))
        }
        if !unknown.isEmpty {
            issues.append(.object([("stage", .string("load")), ("message", .string("\(unknown.count) prediction ids are not records of split '\(options.evalSplit)' and were ignored")),
                                   ("ids", .array(unknown.map(JSONValue.string)))]))
        }
        if !missing.isEmpty {
            issues.append(.object([("stage", .string("coverage")), ("message", .string("missing \(missing.count) eval predictions; scored as empty answers (--allow-missing)")),
                                   ("ids", .array(missing.map(JSONValue.string)))]))
        }
        return JSONEvaluation(records: records, answers: answers, report: report, strict: strict, labelOptions: labelOptions,
                              subtaskOptions: subtaskOptions, metadata: metadata,
                              coverage: Coverage(expected: records.count, merged: records.count - missing.count, missingIDs: missing, unknownIDs: unknown),
                              issues: issues, evalProtocol: options.evalProtocol)
    }

    static func readJSON(_ url: URL) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw EvalError.cannotRead(file: url.path, detail: "the file does not exist or is not readable") }
        guard let value = data.withUnsafeBytes({ PythonJSON.loads(bytes: $0.bindMemory(to: UInt8.self)) }) else {
            throw EvalError.badMetadata(file: url.path, detail: "not JSON")
        }
        return value
    }
}
