import Foundation
import Testing
@testable import Exporters
import Metrics
import XPCore

/// A hand-made dataset of 2 train and 4 test records and prediction files, scored as worked out
/// by hand below.
enum EvalJSONCase {
    static let options = ["Close lid", "Open lid", "Pour water"]
    static let subtasks = ["Make tea", "Wash cup"]

    static func answer(_ action: String, _ subtask: String, _ objects: [String], _ contact: String, _ transition: String, _ next: String) -> JSONValue {
        .object([("action", .string(action)), ("subtask", .string(subtask)), ("objects", .array(objects.map(JSONValue.string))),
                 ("contact", .string(contact)), ("transition", .string(transition)), ("next_action", .string(next)),
                 ("evidence_window", .object([("start_frame", .int(0)), ("end_frame", .int(19))]))])
    }

    static func record(_ id: String, _ episode: String, _ split: String, _ answer: JSONValue) -> String {
        JSONValue.object([
            ("id", .string(id)), ("episode_id", .string(episode)), ("split", .string(split)), ("target", .string("episode_qa")),
            ("center_window", .object([("start_frame", .int(0)), ("end_frame", .int(19)), ("num_frames", .int(20))])),
            ("answer_json", answer), ("label", answer["action"] ?? .null),
            ("action_options", .array(options.map(JSONValue.string))), ("subtask_options", .array(subtasks.map(JSONValue.string))),
            ("label_options", .array(options.map(JSONValue.string))),
        ]).pythonJSON(.unicode)
    }

    static var datasetLines: [String] {
        [
            record("t:qa:0", "t", "train", answer("Open lid", "Make tea", ["lid"], "yes", "no", "Open lid")),
            record("e:qa:0", "e", "test", answer("Open lid", "Make tea", ["kettle", "lid"], "yes", "no", "Pour water")),
            record("e:qa:20", "e", "test", answer("Close lid", "unknown", ["lid"], "no", "no", "unknown")),
            record("t:qa:20", "t", "train", answer("Pour water", "Make tea", ["cup"], "yes", "no", "Pour water")),
            record("f:qa:0", "f", "test", answer("Pour water", "Wash cup", ["cup", "kettle"], "unknown", "yes", "Close lid")),
            record("f:qa:20", "f", "test", answer("Pour water", "Make tea", ["cup"], "yes", "no", "Pour water")),
        ]
    }

    static func prediction(_ id: String, _ raw: String) -> String {
        JSONValue.object([("id", .string(id)), ("raw_prediction", .string(raw))]).pythonJSON(.unicode)
    }

    /// Valid (all seven keys; "open lid." matches "Open lid" ignoring case).
    static let p1 = prediction("e:qa:0", #"{"action": "open lid.", "subtask": "Make tea", "objects": ["kettle", "lid"], "contact": "yes", "transition": "yes", "next_action": "Pour water", "evidence_window": {"start_frame": 0, "end_frame": 19}}"#)
    /// Fenced, three keys (invalid), a string-valued `objects`.
    static let p2 = prediction("e:qa:20", "```json\n{\"action\": \"Close lid\", \"objects\": \"lid\", \"contact\": \"no\"}\n```")
    /// No JSON: the whole text is matched; no option is contained → a label of its own.
    static let p3 = prediction("f:qa:0", "The person will wash hands")
    /// Valid, but an action that is no option, and objects that differ only in case and spaces.
    static let p4 = prediction("f:qa:20", #"{"action": "Stir soup", "subtask": "make tea", "objects": ["Cup", " cup "], "contact": "yes", "transition": "no", "next_action": "pour water", "evidence_window": {"start_frame": 0, "end_frame": 19}}"#)

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xp-evaljson-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ lines: [String], _ name: String, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: url)
        return url
    }
}

@Suite("xp-eval-json scoring of hand-made predictions")
struct EvalJSONScoringTests {
    typealias C = EvalJSONCase

    func evaluate(_ predictionFiles: [[String]], allowMissing: Bool = false, protocol p: EvalProtocol = .strict) throws -> (JSONEvaluation, URL) {
        let folder = try C.folder()
        let dataset = try C.write(C.datasetLines, "dataset.jsonl", in: folder)
        let files = try predictionFiles.enumerated().map { try C.write($1, "shard\($0).jsonl", in: folder) }
        return (try JSONEvaluation.run(dataset: dataset, predictions: files, options: EvalOptions(evalProtocol: p, allowMissing: allowMissing)), folder)
    }

    @Test func handWorkedNumbers() throws {
        let (e, folder) = try evaluate([[C.p1, C.p2], ["", C.p3, C.p4]])   // a blank line is skipped
        defer { try? FileManager.default.removeItem(at: folder) }
        let m = e.report.metrics
        #expect(e.report.rows.map(\.predictedLabel) == ["Open lid", "Close lid", "The person will wash hands", "Stir soup"])
        // Options, then the two predictions that are no option, in row order.
        #expect(m.labels == C.options + ["The person will wash hands", "Stir soup"])
        #expect(m.accuracy == 0.5)
        // F1: Close lid 1, Open lid 1, Pour water 0 (support 2, never predicted), the two new
        // labels 0. Over all 5 classes 2/5; over the 3 supported ones 2/3.
        #expect(m.macroF1 == 2.0 / 5 && m.supportedClassesMacroF1 == 2.0 / 3 && m.numSupportedClasses == 3)
        #expect(m.jsonValidityRate == 0.5)
        // subtask: r1 right, r2 excluded (unknown), r3 missing, r4 "make tea" ≠ "Make tea" → 1/3.
        #expect(m.subtaskAccuracy == 1.0 / 3)
        // transition: r1 yes≠no, r2 and r3 missing, r4 no=no → 1/4.
        #expect(m.transitionAccuracy == 1.0 / 4)
        // next_action: r1 right, r2 excluded, r3 missing, r4 "pour water" ≠ "Pour water" → 1/3.
        #expect(m.nextActionAccuracy == 1.0 / 3)
        // contact: r3 excluded (unknown); r1, r2, r4 right.
        #expect(m.contactAccuracy == 1)
        // Objects as Python's set(): r1 tp 2; r2 {"lid"} vs set("lid") = {l, i, d}: fp 3, fn 1;
        // r3 fn 2; r4 {"cup"} vs {"Cup", " cup "}: fp 2, fn 1. tp 2, fp 5, fn 4.
        let p = 2.0 / 7, r = 2.0 / 6
        #expect(m.objectMicroF1 == 2.0 * p * r / (p + r))
        // Seen in train: Open lid and Pour water (rows 1, 3, 4); Close lid is not.
        #expect(m.unseenEvalLabels == ["Close lid"] && m.numUnseenLabelSamples == 1)
        #expect(m.seenLabelAccuracy == 1.0 / 3 && m.unseenLabelAccuracy == 1)
        #expect(m.evalLabelCounts.entries.map(\.label) == ["Pour water", "Open lid", "Close lid"])
        #expect(m.evalLabelCounts.entries.map(\.count) == [2, 1, 1])

        let s = try #require(e.strict)
        // Objects coerced and folded: r2 "lid" is one object (tp 1), r4 {"cup"} = {"cup"} (tp 1).
        // tp 4, fp 0, fn 2 → P 1, R 2/3.
        #expect(s.objectCounts == (4, 0, 2) && s.objectMicroF1 == 2.0 * 1 * (4.0 / 6) / (1 + 4.0 / 6))
        let normalised = Dictionary(uniqueKeysWithValues: s.normalisedFieldAccuracy.map { ($0.field, $0) })
        // action folded: r1 "open lid" ✓, r2 ✓, r3 no action ✗, r4 ✗.
        #expect(normalised["action"]?.rate == 0.5 && normalised["action"]?.excludedUnknownTruths == 0)
        // subtask folded: r1 ✓, r3 ✗, r4 "make tea" ✓; r2 excluded.
        #expect(normalised["subtask"]?.rate == 2.0 / 3 && normalised["subtask"]?.excludedUnknownTruths == 1)
        #expect(normalised["next_action"]?.rate == 2.0 / 3 && normalised["contact"]?.rate == 1 && normalised["transition"]?.rate == 0.25)
        // Option-matched: r4's "make tea" → "Make tea", "pour water" → "Pour water".
        let twoThirds: Double? = 2.0 / 3
        #expect(s.optionMatchedRates.map(\.rate) == [twoThirds, twoThirds])
        #expect(s.unseenClassCeiling == 0.75 && s.numSeenRows == 3 && s.seenClassAccuracy == 1.0 / 3)
        #expect(s.schemaValidRate == 0.5)
        #expect(EvalPackage.metricsObject(e)["num_eval_episodes"] == .int(2))
    }

    @Test func referenceAndStrictObjectRulesDiffer() {
        let truth: JSONObject = ["objects": .array([.string("lid")])]
        let a = GeneratedAnswer(raw: #"{"objects": "lid"}"#, truth: truth)
        // Python: set("lid") = {"l", "i", "d"}: tp 0 → F1 0. Coerced: ["lid"] → F1 1.
        #expect(scoreGeneratedAnswers([a], labelOptions: [], trainActions: [], objectRule: .reference).metrics.objectMicroF1 == 0)
        #expect(scoreGeneratedAnswers([a], labelOptions: [], trainActions: [], objectRule: .strict).metrics.objectMicroF1 == 1)
        // An object gives its keys in Python; null gives nothing; 1, 1.0 and true are one element.
        #expect(objectSet(.object([("lid", .int(1))]), rule: .reference) == [CodePoints("slid")])
        #expect(objectSet(.null, rule: .reference).isEmpty && objectSet(.int(3), rule: .strict).isEmpty)
        #expect(objectSet(.array([.int(1), .double(1), .bool(true)]), rule: .reference).count == 1)
    }

    @Test func duplicatesAndUnknownIDs() throws {
        // p1 twice with the same text: noted, scored once. An id of no eval record: reported.
        let (e, folder) = try evaluate([[C.p1, C.p2], [C.p3, C.p4, C.p1, C.prediction("t:qa:0", "x")]])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(e.report.metrics.numSamples == 4 && e.coverage.unknownIDs == ["t:qa:0"])
        let messages = e.issues.compactMap { $0["message"]?.stringValue }
        #expect(messages.contains { $0.contains("duplicate prediction id e:qa:0") })
        #expect(messages.contains { $0.contains("1 prediction ids are not records of split 'test'") })
        let locations = e.issues.first?["locations"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(locations.count == 2 && locations.allSatisfy { $0.hasSuffix("shard0.jsonl:1") || $0.hasSuffix("shard1.jsonl:3") })

        // A different text under the same id: an error naming both places.
        #expect {
            _ = try evaluate([[C.p1], [C.prediction("e:qa:0", "{}")]])
        } throws: { error in
            guard case let EvalError.conflictingDuplicate(id, first, second)? = error as? EvalError else { return false }
            return id == "e:qa:0" && first.hasSuffix("shard0.jsonl:1") && second.hasSuffix("shard1.jsonl:1")
        }
    }

    @Test func missingRecords() throws {
        #expect {
            _ = try evaluate([[C.p1, C.p2, C.p3]])
        } throws: { error in
            guard case let EvalError.missingPredictions(missing, expected, examples)? = error as? EvalError else { return false }
            return missing == 1 && expected == 4 && examples == ["f:qa:20"] && "\(error)".contains("--allow-missing")
        }
        let (e, folder) = try evaluate([[C.p1, C.p2, C.p3]], allowMissing: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Scored as the empty answer: nothing parses, match_label("") = "" (a label of its own).
        #expect(e.report.metrics.numSamples == 4 && e.coverage.merged == 3 && e.coverage.missingIDs == ["f:qa:20"])
        #expect(e.report.rows[3].predictedLabel == "" && e.report.metrics.labels.last == "")
        #expect(e.report.metrics.accuracy == 0.5 && e.report.metrics.jsonValidityRate == 0.25)
        let out = folder.appendingPathComponent("out")
        try EvalPackage.write(e, to: out)
        #expect(try String(contentsOf: out.appendingPathComponent("missing_predictions.txt"), encoding: .utf8) == "f:qa:20\n")
        let metrics = try JSONParser.parse(try String(contentsOf: out.appendingPathComponent("metrics.json"), encoding: .utf8))
        #expect(metrics["coverage"]?["missing_prediction_rows"] == .int(1) && metrics["coverage"]?["merged_prediction_rows"] == .int(3))
    }

    @Test func shardOrderDoesNotChangeTheBytes() throws {
        let folder = try C.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataset = try C.write(C.datasetLines, "dataset.jsonl", in: folder)
        let a = try C.write([C.p4, C.p1], "a.jsonl", in: folder), b = try C.write([C.p3], "b.jsonl", in: folder), c = try C.write([C.p2], "c.jsonl", in: folder)
        var packages: [[String: Data]] = []
        for (i, order) in [[a, b, c], [c, a, b], [b, c, a]].enumerated() {
            let e = try JSONEvaluation.run(dataset: dataset, predictions: order, options: EvalOptions(), datasetLabel: "dataset.jsonl")
            let out = folder.appendingPathComponent("out\(i)")
            try EvalPackage.write(e, to: out)
            let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
            packages.append(Dictionary(uniqueKeysWithValues: try names.map { ($0, try Data(contentsOf: out.appendingPathComponent($0))) }))
        }
        #expect(packages[0].keys.sorted() == ["RUN_REPORT.md", "confusion_matrix.csv", "metrics.json", "per_class_metrics.csv", "predictions.csv", "predictions.jsonl"])
        #expect(packages[0] == packages[1] && packages[1] == packages[2])
        // Rows follow the dataset's order, whatever the files' order.
        let rows = String(decoding: packages[0]["predictions.jsonl"] ?? Data(), as: UTF8.self).split(separator: "\n")
        #expect(rows.compactMap { PythonJSON.loads(String($0))?["id"]?.stringValue } == ["e:qa:0", "e:qa:20", "f:qa:0", "f:qa:20"])
        // The confusion matrix is |labels|² with the header `true\pred`; Pour water's row has its
        // two rows under the two new labels.
        let cm = String(decoding: packages[0]["confusion_matrix.csv"] ?? Data(), as: UTF8.self).split(separator: "\n")
        #expect(cm.first == "true\\pred,Close lid,Open lid,Pour water,The person will wash hands,Stir soup")
        #expect(cm.count == 6 && cm[3] == "Pour water,0,0,0,1,1")
    }

    @Test func malformedInputNamesFileAndLine() throws {
        #expect {
            _ = try evaluate([[C.p1, "{\"id\": \"e:qa:20\", \"raw_prediction\": "]])
        } throws: { error in
            guard case let EvalError.malformedLine(file, line, _)? = error as? EvalError else { return false }
            return file.hasSuffix("shard0.jsonl") && line == 2
        }
        #expect {
            _ = try evaluate([[#"{"id": "e:qa:0", "text": "x"}"#]])
        } throws: { error in
            guard case let EvalError.badField(_, line, field, _, _)? = error as? EvalError else { return false }
            return line == 1 && field == "raw_prediction"
        }
    }
}
