import ArgumentParser
import Exporters
import Foundation

/// A synthetic evaluation input: a dataset.jsonl with train and eval records and a
/// predictions JSONL for every eval record.
struct SyntheticEval {
    var dataset: URL
    var predictions: URL
    var evalRows: Int
    var labels: [String]
    var datasetBytes: Int
}

/// Writes `rows` eval records (and `rows / 5` train records, drawing only on the first two
/// thirds of the labels, so a third of the labels are unseen) with `labelCount` action
/// options in every record, as the exporter writes them, and one prediction per eval
/// record: 60 % valid JSON with the exact label, 15 % fenced with the label in lower case,
/// 10 % valid JSON with a free-text action (the substring scan over every option), 15 %
/// truncated text that is no JSON. Deterministic for a seed. Shared by the `eval` area and
/// the error-analysis timing.
func writeSyntheticEval(rows: Int, labelCount: Int, seed: UInt64, in folder: URL) throws -> SyntheticEval {
    var state = seed &+ 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    func pick(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    let verbs = ["Pick up", "Place", "Hold", "Cut", "Fold", "Move", "Align", "Sort", "Wipe", "Open", "Close", "Inspect", "Mark", "Arrange", "Reach for", "Release", "Adjust", "Stack", "Carry", "Draw on"]
    let nouns = ["cardboard", "paper strip", "ruler", "scissors", "phone", "bead", "cup", "lid", "box", "shelf item", "tile", "button", "marker", "cloth", "jar", "can", "bottle", "bag", "tray", "star"]
    var labels = Set<String>()
    var k = 0
    while labels.count < labelCount {
        let base = "\(verbs[k % verbs.count]) \(nouns[(k / verbs.count) % nouns.count])"
        labels.insert(k < verbs.count * nouns.count ? base : "\(base) \(k / (verbs.count * nouns.count))")
        k += 1
    }
    let options = labels.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    let optionsJSON = "[" + options.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    let subtasks = "[\"Make tea\", \"Sort items\"]"

    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let datasetURL = folder.appendingPathComponent("dataset.jsonl"), predURL = folder.appendingPathComponent("predictions.jsonl")
    FileManager.default.createFile(atPath: datasetURL.path, contents: nil)
    FileManager.default.createFile(atPath: predURL.path, contents: nil)
    let ds = try FileHandle(forWritingTo: datasetURL), pr = try FileHandle(forWritingTo: predURL)
    defer { try? ds.close(); try? pr.close() }
    var dsBuffer = "", prBuffer = ""
    var bytes = 0
    func flush(force: Bool = false) throws {
        if force || dsBuffer.utf8.count > 8 << 20 { bytes += dsBuffer.utf8.count; try ds.write(contentsOf: Data(dsBuffer.utf8)); dsBuffer = "" }
        if force || prBuffer.utf8.count > 8 << 20 { try pr.write(contentsOf: Data(prBuffer.utf8)); prBuffer = "" }
    }
    func answer(_ action: String, _ objects: [String], _ start: Int) -> String {
        let list = objects.map { "\"\($0)\"" }.joined(separator: ", ")
        return #"{"action": "\#(action)", "subtask": "Make tea", "objects": [\#(list)], "contact": "yes", "transition": "no", "next_action": "\#(action)", "evidence_window": {"start_frame": \#(start), "end_frame": \#(start + 19)}}"#
    }
    let trainRows = rows / 5, total = rows + trainRows
    let seenRange = max(1, options.count * 2 / 3)
    var evalRows = 0
    for i in 0..<total {
        let isTrain = i % 6 == 5 && i / 6 < trainRows
        let label = options[isTrain ? pick(seenRange) : pick(options.count)]
        let objects = (0..<(1 + pick(4))).map { _ in nouns[pick(nouns.count)] }
        let episode = "session\(i / 400)__ep\(i % 7)"
        let id = "\(episode):qa:\(i)"
        let start = (i % 400) * 20
        dsBuffer += #"{"id": "\#(id)", "episode_id": "\#(episode)", "split": "\#(isTrain ? "train" : "test")", "target": "episode_qa", "center_window": {"start_frame": \#(start), "end_frame": \#(start + 19), "num_frames": 20}, "answer_json": \#(answer(label, objects, start)), "label": "\#(label)", "action_options": \#(optionsJSON), "subtask_options": \#(subtasks), "label_options": \#(optionsJSON)}"#
        dsBuffer += "\n"
        if !isTrain {
            evalRows += 1
            let roll = pick(100)
            let raw: String
            if roll < 60 {
                raw = answer(pick(3) == 0 ? label : options[pick(options.count)], Array(objects.prefix(2)) + [nouns[pick(nouns.count)]], start)
            } else if roll < 75 {
                raw = "```json\n" + answer(label.lowercased(), objects, start) + "\n```"
            } else if roll < 85 {
                raw = answer("The person seems to be doing something with the \(nouns[pick(nouns.count)])", objects, start)
            } else {
                raw = String(answer(label, objects + objects + objects, start).prefix(60 + pick(80)))
            }
            prBuffer += #"{"id": "\#(id)", "raw_prediction": \#(jsonString(raw))}"# + "\n"
        }
        try flush()
    }
    try flush(force: true)
    return SyntheticEval(dataset: datasetURL, predictions: predURL, evalRows: evalRows, labels: options, datasetBytes: bytes)
}

/// A JSON string literal (quotes, backslashes and control characters escaped).
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

/// `xp-bench eval`: xp-eval-json's scoring run on synthetic predictions.
struct BenchEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Benchmark xp-eval-json and xp-error-analysis on synthetic generated answers.",
        discussion: """
            Generates (in a temporary folder, removed afterwards) --rows eval records and as many predictions \
            (60 % valid JSON, 15 % fenced, 10 % free-text actions, 15 % invalid) with --labels action options in \
            every record, then times, after --warmup untimed runs, --repeats runs of: reading the dataset and the \
            predictions, scoring (strict protocol), and writing the package (the confusion matrix is |labels|² \
            cells), then xp-error-analysis on that package (load, analyse, write). Prints medians, rows per \
            second and peak RSS.

            Example:
              swift run -c release xp-bench eval --rows 100000 --labels 1200
            """)

    @Option(help: "Eval records and predictions, 100...1000000.")
    var rows: Int = 100_000

    @Option(help: "Action options per record, 2...5000.")
    var labels: Int = 1200

    @Option(help: "Untimed runs first.")
    var warmup: Int = 1

    @Option(help: "Timed runs.")
    var repeats: Int = 3

    func validate() throws {
        guard (100...1_000_000).contains(rows) else { throw ValidationError("--rows must be in 100...1000000, found \(rows)") }
        guard (2...5000).contains(labels) else { throw ValidationError("--labels must be in 2...5000, found \(labels)") }
        guard (0...10).contains(warmup), (1...20).contains(repeats) else { throw ValidationError("--warmup must be in 0...10 and --repeats in 1...20") }
    }

    func run() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("xp-bench-eval-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var start = Date()
        let input = try writeSyntheticEval(rows: rows, labelCount: labels, seed: 7, in: scratch)
        let generateSeconds = Date().timeIntervalSince(start)
        var read: [Double] = [], score: [Double] = [], write: [Double] = [], total: [Double] = []
        var analysisLoad: [Double] = [], analysisRun: [Double] = [], analysisWrite: [Double] = [], analysisTotal: [Double] = []
        var last: JSONEvaluation?
        for i in 0..<(warmup + repeats) {
            let out = scratch.appendingPathComponent("out")
            start = Date()
            let data = try EvalDataset.read(input.dataset, evalSplit: "test", trainSplit: "train")
            let preds = try PredictionSet.read([input.predictions])
            let t1 = Date()
            let evaluation = try JSONEvaluation.score(data, preds, options: EvalOptions(evalProtocol: .strict), datasetLabel: "dataset.jsonl")
            let t2 = Date()
            try EvalPackage.write(evaluation, to: out)
            let t3 = Date()
            // xp-error-analysis on the package just written: load its predictions.jsonl and
            // metrics.json, run the analysis (strict), write the analysis folder.
            let a0 = Date()
            let input = try ErrorAnalysisInput.load(evalDir: out.path, manifest: nil)
            let a1 = Date()
            let analysis = try ErrorAnalysis.run(rows: input.rows, metricsValidity: input.metricsValidity, manifest: nil,
                                                 options: ErrorAnalysisOptions(analysisProtocol: .strict))
            let a2 = Date()
            _ = try ErrorAnalysisWriter.write(analysis, to: scratch.appendingPathComponent("analysis-\(i)"))
            let a3 = Date()
            if i >= warmup {
                analysisLoad.append(a1.timeIntervalSince(a0)); analysisRun.append(a2.timeIntervalSince(a1))
                analysisWrite.append(a3.timeIntervalSince(a2)); analysisTotal.append(a3.timeIntervalSince(a0))
            }
            if i >= warmup {
                read.append(t1.timeIntervalSince(start)); score.append(t2.timeIntervalSince(t1))
                write.append(t3.timeIntervalSince(t2)); total.append(t3.timeIntervalSince(start))
            }
            last = evaluation
        }
        let m = last?.report.metrics
        let result: [String: Any] = [
            "area": "eval", "eval_rows": input.evalRows, "label_options": input.labels.count, "labels_in_list": m?.labels.count ?? 0,
            "dataset_bytes": input.datasetBytes, "generate_seconds": generateSeconds, "warmup": warmup, "repeats": repeats,
            "read_seconds_median": benchMedian(read), "score_seconds_median": benchMedian(score), "write_seconds_median": benchMedian(write),
            "total_seconds_median": benchMedian(total), "rows_per_second": Double(input.evalRows) / benchMedian(total),
            "score_rows_per_second": Double(input.evalRows) / benchMedian(score),
            "error_analysis": [
                "load_seconds_median": benchMedian(analysisLoad), "run_seconds_median": benchMedian(analysisRun),
                "write_seconds_median": benchMedian(analysisWrite), "total_seconds_median": benchMedian(analysisTotal),
                "rows_per_second": Double(input.evalRows) / benchMedian(analysisTotal),
            ] as [String: Any],
            "json_validity_rate": m?.jsonValidityRate ?? 0, "accuracy": m?.accuracy ?? 0,
            "peak_rss_mb": benchPeakRSSMegabytes(), "cores": ProcessInfo.processInfo.activeProcessorCount, "load_average": benchLoadAverage(),
        ]
        print(benchJSON(result))
    }
}
