import Foundation
import XPCore

/// The closed-form future-window compatibility evaluator (spec exporters.md §3.1, the
/// reference's `eval_cosmos3_future_window_retrieval.py`). No Cosmos weights are tuned: the
/// "adapter" predicts a future sensor vector as the context vector, standardised, plus the
/// train mean of (z(future) − z(context)), and ranks every eval row's true future by Euclidean
/// distance to that prediction.
///
/// Setup: X is the context NPZ row, Y the future one. Train mean and population std per column
/// for X and Y separately (std < 1e-6 becomes 1); `ŷ = (z_x(x) + mean_delta)·σ_y + μ_y`.
/// Candidates are the true futures of all eval rows; `rank` is the position of the row's own.
///
/// Arithmetic is float64 throughout (the reference works in float32 with numpy's summation
/// order), so metrics agree to float32 precision, not bit for bit; distance ties are broken by
/// row order (numpy's quicksort argsort leaves them unspecified).
public enum FutureWindowEval {
    public struct Options: Sendable, Equatable {
        public var trainSplit = "train"
        public var valSplit = "val"
        public var evalSplit = "test"
        public var maxTrainSamples = 0
        public var maxEvalSamples = 0
        public var topK = 5
        /// Folder that relative `sensor_feature_path`s are resolved against (nil: the source
        /// export's folder named by the dataset's manifest, else the dataset's folder).
        public var base: URL?
        public var cosmosModel: URL?

        public init(trainSplit: String = "train", valSplit: String = "val", evalSplit: String = "test", maxTrainSamples: Int = 0,
                    maxEvalSamples: Int = 0, topK: Int = 5, base: URL? = nil, cosmosModel: URL? = nil) {
            self.trainSplit = trainSplit
            self.valSplit = valSplit
            self.evalSplit = evalSplit
            self.maxTrainSamples = maxTrainSamples
            self.maxEvalSamples = maxEvalSamples
            self.topK = topK
            self.base = base
            self.cosmosModel = cosmosModel
        }
    }

    /// One eval row's outcome.
    public struct Prediction: Sendable {
        public var rank: Int
        /// Candidate indices, nearest first (top k).
        public var top: [Int]
        public var distances: [Double]
        public var reconstructionError: Double
    }

    /// The metrics of §3.1.
    public struct Metrics: Sendable, Equatable {
        public var mrr: Double
        public var recallAtK: Double
        public var temporalConsistency: Double
        public var featureReconstructionError: Double
        public var transitionAccuracy: Double
        public var contactAccuracy: Double
        public var actionAccuracy: Double
    }

    /// The adapter and the retrieval on vectors: `trainX`/`trainY` fit it, `evalX` are the
    /// queries and `evalY` the candidates (row i's own future is candidate i).
    public static func retrieve(trainX: [[Double]], trainY: [[Double]], evalX: [[Double]], evalY: [[Double]], topK: Int) -> [Prediction] {
        let (mx, sx) = meanStd(trainX), (my, sy) = meanStd(trainY)
        let d = mx.count
        var delta = [Double](repeating: 0, count: d)
        for (x, y) in zip(trainX, trainY) {
            for j in 0..<d { delta[j] += (y[j] - my[j]) / sy[j] - (x[j] - mx[j]) / sx[j] }
        }
        for j in 0..<d { delta[j] /= Double(max(trainX.count, 1)) }
        let dim = Double(max(d, 1))
        return evalX.enumerated().map { i, x in
            var yhat = [Double](repeating: 0, count: d)
            for j in 0..<d { yhat[j] = ((x[j] - mx[j]) / sx[j] + delta[j]) * sy[j] + my[j] }
            let distances = evalY.map { c -> Double in
                var s = 0.0
                for j in 0..<d { let e = c[j] - yhat[j]; s += e * e }
                return s.squareRoot()
            }
            let order = distances.indices.sorted { (distances[$0], $0) < (distances[$1], $1) }
            let rank = (order.firstIndex(of: i) ?? order.count) + 1
            return Prediction(rank: rank, top: Array(order.prefix(topK)), distances: distances,
                              reconstructionError: distances[i] / dim.squareRoot())
        }
    }

    /// Column means and population standard deviations (std < 1e-6 becomes 1).
    static func meanStd(_ rows: [[Double]]) -> ([Double], [Double]) {
        guard let d = rows.first?.count else { return ([], []) }
        let n = Double(rows.count)
        var mean = [Double](repeating: 0, count: d), variance = [Double](repeating: 0, count: d)
        for r in rows { for j in 0..<d { mean[j] += r[j] } }
        for j in 0..<d { mean[j] /= n }
        for r in rows { for j in 0..<d { let e = r[j] - mean[j]; variance[j] += e * e } }
        let std = variance.map { v -> Double in let s = (v / n).squareRoot(); return s < 1e-6 ? 1 : s }
        return (mean, std)
    }

    /// `str(future_target.get(field, "unknown"))`.
    static func label(_ row: JSONValue, _ field: String) -> String {
        row.get("future_target").orEmptyObject.get(field, .string("unknown")).pythonString
    }

    /// Accuracy of the top-1 candidate's `future_target[field]` over rows whose true value is
    /// not "unknown" (0 when there is none).
    static func accuracy(_ rows: [JSONValue], _ predictions: [Prediction], _ field: String) -> Double {
        var valid = 0, hits = 0
        for (row, p) in zip(rows, predictions) where label(row, field) != "unknown" {
            valid += 1
            if let best = p.top.first, label(rows[best], field) == label(row, field) { hits += 1 }
        }
        return valid == 0 ? 0 : Double(hits) / Double(valid)
    }

    /// The metrics of `predictions` for `rows` (the eval rows, also the candidates).
    public static func metrics(rows: [JSONValue], predictions: [Prediction], topK: Int) -> Metrics {
        let n = Double(max(rows.count, 1))
        let mrr = predictions.isEmpty ? 0 : predictions.map { 1 / Double($0.rank) }.reduce(0, +) / Double(predictions.count)
        let recall = Double(predictions.filter { $0.rank <= topK }.count) / n
        var same = 0
        for (row, p) in zip(rows, predictions) {
            if let best = p.top.first, rows[best].get("episode_id") == row.get("episode_id") { same += 1 }
        }
        let err = predictions.isEmpty ? 0 : predictions.map(\.reconstructionError).reduce(0, +) / Double(predictions.count)
        return Metrics(mrr: mrr, recallAtK: recall, temporalConsistency: Double(same) / n, featureReconstructionError: err,
                       transitionAccuracy: accuracy(rows, predictions, "transition"), contactAccuracy: accuracy(rows, predictions, "contact"),
                       actionAccuracy: accuracy(rows, predictions, "action"))
    }

    /// What a run wrote.
    public struct Summary: Sendable {
        public var metrics: Metrics
        public var trainSamples: Int
        public var evalSamples: Int
        public var metricsURL: URL
    }

    /// Reads a future-pair `dataset.jsonl`, evaluates, and writes `metrics.json`,
    /// `future_predictions.jsonl`, `retrieval_rankings.csv`, `temporal_consistency.csv` and
    /// `qualitative_examples.json` into `out`.
    public static func run(dataset: URL, out: URL, options: Options) throws(ExportError) -> Summary {
        guard options.topK >= 1 else { throw .invalidOption("top-k must be at least 1, found \(options.topK)") }
        let rows = try CosmosDataset.read(dataset).map(\.value)
        func select(_ split: String, _ limit: Int) -> [JSONValue] {
            let s = rows.filter { $0.get("split") == .string(split) }
            return limit > 0 ? Array(s.prefix(limit)) : s
        }
        let train = select(options.trainSplit, options.maxTrainSamples)
        let val = select(options.valSplit, 0)
        let eval = select(options.evalSplit, options.maxEvalSamples)
        guard !train.isEmpty, !eval.isEmpty else {
            throw .badInput(file: dataset.path, detail: "need non-empty train and eval splits, found train=\(train.count) (\(options.trainSplit)) eval=\(eval.count) (\(options.evalSplit))")
        }
        let base = options.base ?? defaultBase(dataset)
        let cache = FeatureCache(base: base)
        let (trainX, trainY) = try cache.pairs(train, dataset: dataset)
        let (evalX, evalY) = try cache.pairs(eval, dataset: dataset)
        guard let d = trainX.first?.count, (trainX + trainY + evalX + evalY).allSatisfy({ $0.count == d }) else {
            throw .badInput(file: dataset.path, detail: "the sensor feature rows do not all have the same length")
        }
        let predictions = retrieve(trainX: trainX, trainY: trainY, evalX: evalX, evalY: evalY, topK: options.topK)
        let m = metrics(rows: eval, predictions: predictions, topK: options.topK)

        let episodes = Set(eval.map { $0.get("episode_id").pythonRepr }).count
        let metricsJSON: JSONValue = .object([
            ("eval_split", .string(options.evalSplit)), ("num_samples", .int(eval.count)),
            ("num_eval_episodes", .int(episodes)), ("held_out_episode_count", .int(episodes)),
            ("future_retrieval_mrr", .double(m.mrr)), ("future_retrieval_recall_at_5", .double(m.recallAtK)),
            ("temporal_consistency", .double(m.temporalConsistency)), ("feature_reconstruction_error", .double(m.featureReconstructionError)),
            ("transition_accuracy", .double(m.transitionAccuracy)), ("contact_accuracy", .double(m.contactAccuracy)),
            ("action_accuracy_from_retrieved_future", .double(m.actionAccuracy)),
            ("train_samples", .int(train.count)), ("val_samples", .int(val.count)), ("dataset_jsonl", .string(dataset.path)),
            ("cosmos_model", CosmosModelInfo.describeForEval(options.cosmosModel)),
            ("top_k", .int(options.topK)), ("feature_dim", .int(d)),
            ("adapter", .string("standardized_current_plus_train_mean_future_delta")),
            ("arithmetic", .string("float64 (the reference: float32)")),
        ])
        var predictionLines: [String] = []
        var rankings = CSVWriter(lineTerminator: .crlf)
        rankings.writeRow(["id", "rank", "candidate_id", "candidate_future_record_id", "candidate_episode_id", "distance", "is_true_future"])
        for (i, (row, p)) in zip(eval, predictions).enumerated() {
            let best = eval[p.top[0]]
            let record: JSONValue = .object([
                ("id", row.get("id")), ("episode_id", row.get("episode_id")), ("split", row.get("split")),
                ("context_record_id", row.get("context_record_id")), ("future_record_id", row.get("future_record_id")),
                ("pred_future_record_id", best.get("future_record_id")), ("rank", .int(p.rank)), ("top_k_hit", .bool(p.rank <= options.topK)),
                ("distance_to_true", .double(p.distances[i])), ("distance_to_pred", .double(p.distances[p.top[0]])),
                ("feature_reconstruction_error", .double(p.reconstructionError)),
                ("true_action", .string(label(row, "action"))), ("pred_action", .string(label(best, "action"))),
                ("true_contact", .string(label(row, "contact"))), ("pred_contact", .string(label(best, "contact"))),
                ("true_transition", .string(label(row, "transition"))), ("pred_transition", .string(label(best, "transition"))),
            ])
            predictionLines.append(record.pythonJSON(.unicode))
            for (k, c) in p.top.enumerated() {
                let candidate = eval[c]
                rankings.writeRow([csvText(row.get("id")), String(k + 1), csvText(candidate.get("id")), csvText(candidate.get("future_record_id")),
                                   csvText(candidate.get("episode_id")), pythonFloatRepr(p.distances[c]), c == i ? "True" : "False"])
            }
        }
        var temporal = CSVWriter(lineTerminator: .crlf)
        temporal.writeRow(["episode_id", "num_queries", "mrr", "recall_at_5", "mean_feature_reconstruction_error"])
        var byEpisode: [String: [Prediction]] = [:]
        for (row, p) in zip(eval, predictions) { byEpisode[row.get("episode_id").pythonString, default: []].append(p) }
        for key in byEpisode.keys.sorted(by: { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }) {
            let items = byEpisode[key] ?? []
            let n = Double(max(items.count, 1))
            temporal.writeRow([key, String(items.count), pythonFloatRepr(items.map { 1 / Double($0.rank) }.reduce(0, +) / n),
                               pythonFloatRepr(Double(items.filter { $0.rank <= options.topK }.count) / n),
                               pythonFloatRepr(items.map(\.reconstructionError).reduce(0, +) / n)])
        }
        let examples: JSONValue = .object([
            ("selection_policy", .string("first bounded examples from held-out eval rows; raw media omitted")),
            ("examples", .array(zip(eval, predictions).prefix(20).map { row, p in
                .object([("id", row.get("id")), ("episode_id", row.get("episode_id")), ("context_record_id", row.get("context_record_id")),
                         ("future_record_id", row.get("future_record_id")), ("pred_future_record_id", eval[p.top[0]].get("future_record_id")),
                         ("rank", .int(p.rank)), ("context_action", row.get("conditioning").orEmptyObject.get("action")),
                         ("true_future_action", .string(label(row, "action"))), ("pred_future_action", .string(label(eval[p.top[0]], "action")))])
            })),
        ])
        let metricsURL = out.appendingPathComponent("metrics.json")
        try FutureWindowExport.writeJSON(metricsJSON, to: metricsURL, style: .standard)
        try JSONOutput.writeLines(predictionLines, to: out.appendingPathComponent("future_predictions.jsonl"))
        try JSONOutput.writeData(Data(rankings.text.utf8), to: out.appendingPathComponent("retrieval_rankings.csv"))
        try JSONOutput.writeData(Data(temporal.text.utf8), to: out.appendingPathComponent("temporal_consistency.csv"))
        try FutureWindowExport.writeJSON(examples, to: out.appendingPathComponent("qualitative_examples.json"), style: .standard)
        return Summary(metrics: m, trainSamples: train.count, evalSamples: eval.count, metricsURL: metricsURL)
    }

    /// A CSV cell as Python's csv module writes `str(value)` (None as an empty cell).
    static func csvText(_ v: JSONValue) -> String { v == .null ? "" : v.pythonString }

    /// The folder relative NPZ paths are resolved against.
    static func defaultBase(_ dataset: URL) -> URL {
        if let manifest = CosmosDataset.manifestBeside(dataset), let m = try? JSONOutput.read(manifest),
           let source = m.get("source_dataset_jsonl").stringValue {
            return URL(fileURLWithPath: source).deletingLastPathComponent()
        }
        return dataset.deletingLastPathComponent()
    }

    /// NPZ `features` matrices, each read once.
    final class FeatureCache {
        let base: URL
        var matrices: [String: (columns: Int, values: [Float])] = [:]
        init(base: URL) { self.base = base }

        func row(path: String, index: Int, dataset: URL, record: String) throws(ExportError) -> [Double] {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
            if matrices[url.path] == nil {
                let archive: NPZArchive
                do { archive = try NPZArchive.read(from: url) } catch {
                    throw .badInput(file: url.path, detail: "cannot read the sensor features of \(record): \(error)")
                }
                guard case .float32(let shape, let values)? = archive["features"], shape.count == 2 else {
                    throw .badInput(file: url.path, detail: "no 2-D float32 'features' array (record \(record))")
                }
                matrices[url.path] = (shape[1], values)
            }
            guard let m = matrices[url.path], index >= 0, (index + 1) * m.columns <= m.values.count else {
                throw .badInput(file: url.path, detail: "record \(record): sensor_feature_index \(index) is past the matrix")
            }
            return m.values[(index * m.columns)..<((index + 1) * m.columns)].map(Double.init)
        }

        func pairs(_ rows: [JSONValue], dataset: URL) throws(ExportError) -> ([[Double]], [[Double]]) {
            var x: [[Double]] = [], y: [[Double]] = []
            for r in rows {
                let id = r.get("id").pythonString
                guard let p = r.get("sensor_feature_path").stringValue, let i = r.get("sensor_feature_index").pythonInt,
                      let fp = r.get("future_sensor_feature_path").stringValue, let fi = r.get("future_sensor_feature_index").pythonInt else {
                    throw .badInput(file: dataset.path, detail: "record \(id) lacks sensor_feature_path/index or future_sensor_feature_path/index")
                }
                x.append(try row(path: p, index: i, dataset: dataset, record: id))
                y.append(try row(path: fp, index: fi, dataset: dataset, record: id))
            }
            return (x, y)
        }
    }
}

extension CosmosModelInfo {
    /// The evaluator's `model_metadata` (its own layout: one boolean per config file).
    public static func describeForEval(_ folder: URL?) -> JSONValue {
        guard let folder else { return .object([("available", .bool(false)), ("reason", .string("cosmos model dir not provided"))]) }
        let fm = FileManager.default
        var fields: [(String, JSONValue)] = [("available", .bool(fm.fileExists(atPath: folder.path))), ("path", .string(folder.path))]
        for name in ["config.json", "model_index.json", "generation_config.json"] {
            let url = folder.appendingPathComponent(name)
            let exists = fm.fileExists(atPath: url.path)
            fields.append((name, .bool(exists)))
            guard exists, let data = try? JSONOutput.read(url) else { continue }
            if name == "model_index.json" {
                fields.append(("pipeline_class", data.get("_class_name")))
                fields.append(("diffusers_version", data.get("_diffusers_version")))
            }
            if name == "config.json" {
                let config = data.get("model").orEmptyObject.get("config").orEmptyObject
                fields.append(("architectures", data.get("architectures")))
                fields.append(("lora_rank_default", config.get("lora_rank")))
                fields.append(("lora_enabled_default", config.get("lora_enabled")))
                fields.append(("resolution", config.get("resolution")))
            }
        }
        return .object(fields)
    }
}
