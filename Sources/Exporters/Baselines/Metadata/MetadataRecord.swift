import Foundation
import XPCore

/// One `dataset.jsonl` record as the 128-episode baselines read it (`compact_dataset_row`): the
/// first 24 options of each list, each stripped and cut to 80 characters, with the full counts;
/// the window, the context span, the camera names, the sensor pointer; and the answer, which
/// only the targets read (never the features).
public struct MetadataRecord: Sendable {
    /// 1-based line in the JSONL file.
    public var line: Int
    public var id: String
    public var episodeID: String
    public var split: String
    /// `episode_path`, when the record has one (the raw-feature suite reads the episode there).
    public var episodePath: String?
    /// `bounded_text(question, 2048)`.
    public var question: String
    public var promptType: String
    /// The first 24 options, each `str(v or "").strip()[:80]`.
    public var actionOptions: [String]
    public var actionOptionCount: Int
    public var subtaskOptions: [String]
    public var subtaskOptionCount: Int
    /// `float(start_frame or 0)`, `float(end_frame or start)`.
    public var start: Double
    public var end: Double
    /// The raw `end_frame` as `int(end_frame or 0)`, which the episode's max_end is taken over.
    public var rawEnd: Int
    public var contextStart: Double
    public var contextEnd: Double
    /// `media.video_paths[].name`, normalised.
    public var mediaNames: [String]
    public var sensorFeatureIndex: Double
    public var sensorFeatureDim: Double
    /// `answer_json` (or `true_json`) as a key → value map; empty when neither is an object.
    public var answer: [String: JSONValue]
    /// The answer's object list in order (`answer.get("objects", []) or []`).
    public var objects: [JSONValue]

    /// `norm(value)` = `str(value or "").strip()`, the reference's reading of every text field.
    public static func norm(_ value: JSONValue?) -> String { PythonValues.norm(value) }

    /// `norm(answer.get(key))`.
    public func answerField(_ key: String) -> String { PythonValues.norm(answer[key]) }

    /// Reads one parsed line. Throws `ExportError.badInput` naming `file:line` and the field for
    /// a record the reference script could not have read either (no id or episode, a window
    /// frame that is not a number, an option list that is not a list of values).
    public init(_ value: JSONValue, line: Int, file: String) throws(ExportError) {
        let at = "\(file):\(line)"
        func fail(_ detail: String) -> ExportError { .badInput(file: at, detail: detail) }
        guard let id = value["id"]?.stringValue, !id.isEmpty else { throw fail("the record has no \"id\" string") }
        guard let episode = value["episode_id"]?.stringValue, !episode.isEmpty else { throw fail("record \(id) has no \"episode_id\" string") }
        self.line = line
        self.id = id
        self.episodeID = episode
        self.split = value["split"].map { $0.stringValue ?? $0.pythonString } ?? "None"
        self.episodePath = value["episode_path"]?.stringValue
        self.question = PythonValues.bounded(value["question"], 2048)
        self.promptType = PythonValues.norm(value["prompt_type"])

        func options(_ key: String) throws(ExportError) -> ([String], Int) {
            guard let v = value[key] else { return ([], 0) }
            guard let list = v.arrayValue else {
                if case .null = v { return ([], 0) }
                throw fail("record \(id): \"\(key)\" is \(v.typeName), not a list")
            }
            return (list.prefix(24).map { PythonValues.prefix(PythonValues.norm($0), codePoints: 80) }, list.count)
        }
        (actionOptions, actionOptionCount) = try options("action_options")
        (subtaskOptions, subtaskOptionCount) = try options("subtask_options")

        let window = value["center_window"]
        if let w = window, PythonValues.truthy(w), w.objectValue == nil { throw fail("record \(id): \"center_window\" is \(w.typeName), not an object") }
        guard let start = PythonValues.float(window?["start_frame"], default: 0) else { throw fail("record \(id): center_window.start_frame is not a number") }
        guard let end = PythonValues.float(window?["end_frame"], default: start) else { throw fail("record \(id): center_window.end_frame is not a number") }
        self.start = start
        self.end = end
        guard let rawEnd = PythonValues.float(window?["end_frame"], default: 0) else { throw fail("record \(id): center_window.end_frame is not a number") }
        self.rawEnd = Int(rawEnd)

        let media = value["media"]
        if let m = media, PythonValues.truthy(m), m.objectValue == nil { throw fail("record \(id): \"media\" is \(m.typeName), not an object") }
        // `media.get("context_start_frame", start) or 0` and `media.get("context_end_frame", end) or end`.
        let cs = media?["context_start_frame"]
        if let cs, PythonValues.truthy(cs) {
            guard let x = PythonValues.float(cs, default: 0) else { throw fail("record \(id): media.context_start_frame is not a number") }
            contextStart = x
        } else {
            contextStart = cs == nil ? start : 0
        }
        guard let ce = PythonValues.float(media?["context_end_frame"], default: end) else { throw fail("record \(id): media.context_end_frame is not a number") }
        contextEnd = ce
        mediaNames = (media?["video_paths"]?.arrayValue ?? []).compactMap { item in
            item.objectValue == nil ? nil : PythonValues.norm(item["name"])
        }
        guard let index = PythonValues.float(value["sensor_feature_index"], default: 0) else { throw fail("record \(id): sensor_feature_index is not a number") }
        guard let dim = PythonValues.float(value["sensor_feature_dim"], default: 0) else { throw fail("record \(id): sensor_feature_dim is not a number") }
        sensorFeatureIndex = index
        sensorFeatureDim = dim

        // `answer(row)`: answer_json when it is a dict, else true_json when it is, else {}.
        var answerValue: JSONValue? = value["answer_json"]
        if answerValue?.objectValue == nil { answerValue = value["true_json"] }
        answer = answerValue?.dictionaryValue ?? [:]
        let objectsValue = answer["objects"]
        if let o = objectsValue, PythonValues.truthy(o) {
            switch o {
            case .array(let items): objects = items
            // Python iterates a string character by character; mirror it.
            case .string(let s): objects = s.unicodeScalars.map { .string(String($0)) }
            default: throw fail("record \(id): answer_json.objects is \(o.typeName), not a list")
            }
        } else {
            objects = []
        }
    }

    /// Reads every record of a JSONL file, and the full option lists of its first record (an
    /// export's records all carry the same global lists).
    public static func read(_ url: URL) throws -> (records: [MetadataRecord], actionOptions: [String], subtaskOptions: [String]) {
        var out: [MetadataRecord] = []
        var actions: [String] = [], subtasks: [String] = []
        try BaselineJSONL.forEachObject(url) { line, value in
            if out.isEmpty {
                actions = value["action_options"]?.arrayValue?.map { PythonValues.norm($0) } ?? []
                subtasks = value["subtask_options"]?.arrayValue?.map { PythonValues.norm($0) } ?? []
            }
            out.append(try MetadataRecord(value, line: line, file: url.path))
        }
        return (out, actions, subtasks)
    }
}

/// The episode context the baselines take from `episode_manifest.json`: `main_task` and the
/// manifest's split, by episode.
public struct EpisodeContext: Sendable {
    public var mainTask: String
    /// `norm(split)`; nil when the manifest entry has no split (xp-scan's manifest: the split
    /// lives in split.json, and the record's split stands in).
    public var split: String?

    public init(mainTask: String, split: String?) {
        self.mainTask = mainTask
        self.split = split
    }

    /// The manifest's episodes by id. The reference keys on `episode_id`, which in the
    /// selection manifest is `<session>__<epN>`; xp-scan's manifest has that as
    /// `episode_key` (its `episode_id` is `epN`), so `episode_key` is used when present. A
    /// later entry with the same id replaces an earlier one, as the reference's dict does.
    public static func read(manifest url: URL) throws(ExportError) -> [String: EpisodeContext] {
        let value = try JSONOutput.read(url)
        guard let episodes = value["episodes"]?.arrayValue else {
            throw .badInput(file: url.path, detail: "no \"episodes\" list (an episode_manifest.json from xp-scan or the selection manifest)")
        }
        var out: [String: EpisodeContext] = [:]
        for e in episodes {
            guard e.objectValue != nil else { continue }
            let key = e["episode_key"]?.stringValue ?? e["episode_id"].map { $0.stringValue ?? $0.pythonString } ?? "None"
            out[key] = EpisodeContext(mainTask: PythonValues.norm(e["main_task"]), split: e["split"].map { PythonValues.norm($0) })
        }
        return out
    }
}
