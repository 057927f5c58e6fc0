import Foundation
import Metrics
import XPCore

/// One eval record: what the prediction row repeats and what is scored against.
public struct EvalRecord: Sendable {
    public var id: String
    public var target: JSONValue
    /// `split` (the reference writes `sample.get("split", "unspecified")`).
    public var split: JSONValue
    public var episodeID: JSONValue
    public var centerWindow: JSONValue
    /// `answer_json` as stored (key order kept), written back as `true_json`.
    public var answer: JSONValue
    public var label: String?
    /// The row's own match options, when its `action_options` differ from the first eval
    /// record's.
    public var options: [String]?
    /// Given when re-scoring a package (`true_label_seen_in_train`).
    public var seenInTrain: Bool?
}

/// The eval side of a dataset: the records of the eval split in file order, the option
/// lists of the first of them, the train split's actions.
public struct EvalDataset: Sendable {
    public var records: [EvalRecord]
    /// The first eval record's `label_options`: the head of the label list.
    public var labelOptions: [String]
    /// The first eval record's `action_options or label_options`: the match options.
    public var matchOptions: [String]
    /// The first eval record's `subtask_options` (nil when absent).
    public var subtaskOptions: [String]?
    public var trainActions: Set<String>

    /// `path` itself when it is a file, else `dataset.jsonl` or `dataset.jsonl.zst` in it.
    public static func locate(_ path: URL) throws(EvalError) -> URL {
        do { return URL(fileURLWithPath: try JSONOutput.datasetPath(path.path)) } catch {
            if case .badInput(_, let detail) = error { throw .cannotRead(file: path.path, detail: detail) }
            throw .cannotRead(file: path.path, detail: error.description)
        }
    }

    /// Streams `url` (JSONL, or zstd `.zst`) and keeps what the evaluation needs: eval
    /// records' identity, window and answer; train records' actions. Only the first eval
    /// record's option lists are parsed; later records' are compared byte for byte with it.
    public static func read(_ url: URL, evalSplit: String, trainSplit: String) throws -> EvalDataset {
        let file = url.path
        var records: [EvalRecord] = []
        var train = Set<String>()
        var splits: [String] = []
        var seenSplits = Set<String>()
        var first: (label: [String], match: [String], matchBytes: [UInt8], subtask: [String]?)?
        try JSONLinesReader(url: url).forEachLine { line, bytes in
            guard let ranges = PythonJSON.topLevelRanges(bytes: bytes) else {
                throw EvalError.malformedLine(file: file, line: line, detail: "not a JSON object")
            }
            var last: [String: Range<Int>] = [:]
            for r in ranges { last[r.key] = r.range }
            func value(_ key: String) -> JSONValue? {
                last[key].flatMap { PythonJSON.loads(bytes: UnsafeBufferPointer(rebasing: bytes[$0])) }
            }
            let split = value("split")
            let splitText = split?.stringValue
            if let s = splitText ?? split.map(\.pythonString), seenSplits.insert(s).inserted { splits.append(s) }
            let answer = value("answer_json")
            let label = value("label")?.stringValue
            if splitText == trainSplit {
                // sample.get("answer_json", {}).get("action", sample.get("label", "unknown"))
                train.insert(answer?["action"].map(\.pythonString) ?? label ?? "unknown")
            }
            guard splitText == evalSplit else { return }
            func required(_ key: String, _ expected: String) throws -> JSONValue {
                guard let v = value(key) else { throw EvalError.badField(file: file, line: line, field: key, expected: expected, found: "no such key") }
                return v
            }
            guard case .string(let id) = try required("id", "a string") else {
                throw EvalError.badField(file: file, line: line, field: "id", expected: "a string", found: value("id")?.typeName ?? "")
            }
            let answerValue = answer ?? .object([])
            guard case .object = answerValue else {
                throw EvalError.badField(file: file, line: line, field: "answer_json", expected: "an object", found: answerValue.typeName)
            }
            var record = EvalRecord(id: id, target: try required("target", "present"), split: split ?? .string("unspecified"),
                                    episodeID: try required("episode_id", "present"), centerWindow: value("center_window") ?? .null,
                                    answer: answerValue, label: label)
            // `sample.get("action_options") or sample["label_options"]`.
            // A non-empty list, told from its bytes (`[`, then anything but `]`) without parsing.
            let actionRange = last["action_options"].flatMap { r -> Range<Int>? in
                guard bytes[r.lowerBound] == UInt8(ascii: "[") else { return nil }
                var i = r.lowerBound + 1
                while i < r.upperBound, JSONLinesReader.isSpace(bytes[i]) { i += 1 }
                return i < r.upperBound && bytes[i] != UInt8(ascii: "]") ? r : nil
            }
            let matchRange = actionRange ?? last["label_options"]
            if let known = first {
                let same = matchRange.map { known.matchBytes.elementsEqual(bytes[$0]) } ?? false
                if !same { record.options = try strings(matchRange.flatMap { PythonJSON.loads(bytes: UnsafeBufferPointer(rebasing: bytes[$0])) }, "label_options", file, line) }
            } else {
                let labelOptions = try strings(value("label_options"), "label_options", file, line)
                let match = actionRange == nil ? labelOptions : try strings(value("action_options"), "action_options", file, line)
                let subtask = try value("subtask_options").map { try strings($0, "subtask_options", file, line) }
                first = (labelOptions, match, matchRange.map { Array(bytes[$0]) } ?? [], subtask)
            }
            records.append(record)
        }
        guard let first, !records.isEmpty else { throw EvalError.noEvalRecords(file: file, split: evalSplit, splitsFound: splits) }
        return EvalDataset(records: records, labelOptions: first.label, matchOptions: first.match, subtaskOptions: first.subtask, trainActions: train)
    }
}

/// A list of strings, or a typed error naming the field.
func strings(_ value: JSONValue?, _ field: String, _ file: String, _ line: Int) throws -> [String] {
    guard let value else { throw EvalError.badField(file: file, line: line, field: field, expected: "a list of strings", found: "no such key") }
    guard case .array(let items) = value else { throw EvalError.badField(file: file, line: line, field: field, expected: "a list of strings", found: value.typeName) }
    return try items.map {
        guard case .string(let s) = $0 else { throw EvalError.badField(file: file, line: line, field: field, expected: "a list of strings", found: "an element that is \($0.typeName)") }
        return s
    }
}

/// One prediction row as read.
public struct PredictionRow: Sendable {
    public var id: String
    public var raw: String
    /// `file:line`, for messages.
    public var location: String
    /// The whole row (a re-score reads the record fields from it).
    public var row: JSONValue
}

/// Prediction rows from one or more JSONL files, merged by id.
public struct PredictionSet: Sendable {
    /// The rows by id (code points), each id once.
    public var byID: [CodePoints: PredictionRow]
    /// Ids in order of first reading (file order, then line order).
    public var order: [String]
    /// Identical duplicates: id → every location, sorted.
    public var duplicates: [String: [String]]

    /// The field names accepted for the raw text, in order of preference. `raw_prediction`
    /// is the reference's; `prediction` and `output` are what other generators write.
    public static let rawFields = ["raw_prediction", "prediction", "output"]

    /// Reads `files` in the order given. Blank lines are skipped; a line that is not a JSON
    /// object, or lacks a string `id` or raw text, is an error naming file and line; two rows
    /// with one id and different raw texts are an error naming both.
    public static func read(_ files: [URL]) throws -> PredictionSet {
        var set = PredictionSet(byID: [:], order: [], duplicates: [:])
        for url in files {
            let file = url.path
            try JSONLinesReader(url: url).forEachLine { line, bytes in
                guard let row = PythonJSON.loads(bytes: bytes), case .object = row else {
                    throw EvalError.malformedLine(file: file, line: line, detail: "not a JSON object")
                }
                guard case .string(let id)? = row["id"], !id.isEmpty else {
                    throw EvalError.badField(file: file, line: line, field: "id", expected: "a non-empty string", found: row["id"].map { $0.pythonJSON() } ?? "no such key")
                }
                guard let field = rawFields.first(where: { row[$0] != nil }) else {
                    throw EvalError.badField(file: file, line: line, field: "raw_prediction", expected: "a string (or 'prediction' / 'output')", found: "no such key")
                }
                guard case .string(let raw)? = row[field] else {
                    throw EvalError.badField(file: file, line: line, field: field, expected: "a string", found: row[field]?.typeName ?? "")
                }
                let location = "\(file):\(line)"
                let key = CodePoints(id)
                if let earlier = set.byID[key] {
                    guard CodePoints(earlier.raw) == CodePoints(raw) else {
                        throw EvalError.conflictingDuplicate(id: id, first: earlier.location, second: location)
                    }
                    set.duplicates[id, default: [earlier.location]].append(location)
                    return
                }
                set.byID[key] = PredictionRow(id: id, raw: raw, location: location, row: row)
                set.order.append(id)
            }
        }
        for (id, locations) in set.duplicates { set.duplicates[id] = locations.sorted(by: codePointLess) }
        return set
    }
}
