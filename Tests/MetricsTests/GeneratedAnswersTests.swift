import Foundation
import Testing
@testable import Metrics
import XPCore

@Suite("Generated JSON answers")
struct GeneratedAnswersTests {
    @Test func parsingRecoveryRules() {
        #expect(parseAnswerJSON(#"{"action": "Open lid"}"#) == ["action": .string("Open lid")])
        // Code fences, with or without a (case-insensitive) json tag.
        #expect(parseAnswerJSON("```json\n{\"a\": 1}\n```") == ["a": .int(1)])
        #expect(parseAnswerJSON("  ```JSON {\"a\": 1} ```  ") == ["a": .int(1)])
        #expect(parseAnswerJSON("```\n{\"a\": 1}\n```") == ["a": .int(1)])
        // Prose around one object: the first-{ to last-} span parses.
        #expect(parseAnswerJSON("Sure! {\"a\": \"x\"} Hope it helps.") == ["a": .string("x")])
        // Two objects: the greedy span `{"a": 1} and {"b": 2}` is not JSON → empty.
        #expect(parseAnswerJSON("{\"a\": 1} and {\"b\": 2}").isEmpty)
        // Valid JSON that is not an object → empty, without trying the span.
        #expect(parseAnswerJSON("[{\"a\": 1}]").isEmpty)
        #expect(parseAnswerJSON("not json at all").isEmpty)
        #expect(parseAnswerJSON("} {").isEmpty)
        // Value kinds survive: true is a bool, 1 a number, null a null.
        let kinds = parseAnswerJSON(#"{"b": true, "n": 1, "z": null, "l": ["x"], "o": {"k": 2.5}}"#)
        #expect(kinds["b"] == .bool(true) && kinds["n"] == .int(1) && kinds["z"] == .null)
        #expect(kinds["l"] == .array([.string("x")]) && kinds["o"] == .object([("k", .double(2.5))]))
        // Numbers compare by value, as in Python: an answer's 1 matches a record's 1.0.
        guard case .int(1)? = kinds["n"] else { Issue.record("1 parsed as \(String(describing: kinds["n"]))"); return }
        #expect(parseAnswerJSON(#"{"n": 1}"#) == ["n": .double(1.0)])
        // A repeated key keeps its last value, as json.loads does.
        #expect(parseAnswerJSON(#"{"a": 1, "a": 2}"#) == ["a": .int(2)])
    }

    @Test func normalisationAndMatching() {
        #expect(normalizeLabel("  Pick   up\tkettle. ") == "Pick up kettle")
        #expect(normalizeLabel("`'\"Pour.\"'`") == "Pour")
        #expect(normalizeLabel("...") == "")
        // Options in code-point order, as exported.
        let options = ["Pick up kettle", "Pour", "Pour coffee"]
        #expect(matchLabel("Pour", options: options) == "Pour")
        #expect(matchLabel("pour coffee.", options: options) == "Pour coffee")   // case-insensitive equal
        // Substring rule takes the first option in list order: "pour" precedes "pour coffee".
        #expect(matchLabel("I will pour coffee now", options: options) == "Pour")
        #expect(matchLabel("  dance. ", options: options) == "dance")
        #expect(JSONValue.null.pythonString == "None" && JSONValue.bool(false).pythonString == "False")
        // Python's str(): 3 and 3.0 differ, containers print as their repr.
        #expect(JSONValue.int(3).pythonString == "3" && JSONValue.double(3).pythonString == "3.0" && JSONValue.double(2.5).pythonString == "2.5")
        #expect(JSONValue.array([.string("a"), .int(1)]).pythonString == "['a', 1]")
    }

    // Three evaluation rows (labels code-point sorted; train has "Open lid" and "Pour water").
    let options = ["Close lid", "Open lid", "Pour water"]
    let train: Set<String> = ["Open lid", "Pour water"]
    var answers: [GeneratedAnswer] {
        let window: JSONValue = .object([("start_frame", .int(0)), ("end_frame", .int(19))])
        let a = GeneratedAnswer(
            // All seven keys → valid. "open lid." normalises and matches "Open lid" ignoring case.
            raw: #"{"action": "open lid.", "subtask": "Make tea", "objects": ["kettle", "lid"], "contact": "yes", "transition": "yes", "next_action": "Pour water", "evidence_window": {"start_frame": 0, "end_frame": 19}}"#,
            truth: ["action": .string("Open lid"), "subtask": .string("Make tea"),
                    "objects": .array([.string("kettle"), .string("cup")]), "contact": .string("yes"),
                    "transition": .string("no"), "next_action": .string("Pour water"), "evidence_window": window])
        let b = GeneratedAnswer(
            // Fenced, three keys only → invalid, but the action is right.
            raw: "```json\n{\"action\": \"Close lid\", \"objects\": [\"lid\"], \"contact\": \"no\"}\n```",
            truth: ["action": .string("Close lid"), "subtask": .string("unknown"), "objects": .array([.string("lid")]),
                    "contact": .string("no"), "transition": .string("no"), "next_action": .string("unknown"),
                    "evidence_window": window])
        let c = GeneratedAnswer(
            // No JSON: the whole raw text is matched; no option is contained → a new label.
            raw: "The person will wash hands",
            truth: ["action": .string("Pour water"), "subtask": .string("Make tea"), "objects": .array([]),
                    "contact": .string("unknown"), "transition": .string("yes"), "next_action": .string("Close lid"),
                    "evidence_window": window])
        return [a, b, c]
    }

    @Test func handWorkedScoring() throws {
        let report = scoreGeneratedAnswers(answers, labelOptions: options, trainActions: train)
        let m = report.metrics
        #expect(report.rows.map(\.predictedLabel) == ["Open lid", "Close lid", "The person will wash hands"])
        #expect(report.rows.map(\.validJSON) == [true, false, false])
        #expect(close(m.jsonValidityRate, 1.0 / 3))
        // Labels: the options plus the appended unseen prediction.
        #expect(m.labels == options + ["The person will wash hands"])
        // Accuracy 2/3. Per class: Close lid 1, Open lid 1, Pour water 0 (never predicted),
        // the new label 0 (no support); macro over all four = 2/4.
        #expect(close(m.accuracy, 2.0 / 3) && close(m.macroF1, 0.5))
        // subtask: rows a (right) and c (missing key → wrong); b's truth is unknown → 1/2.
        #expect(close(m.subtaskAccuracy, 0.5))
        // transition: a "yes" vs "no", b and c missing → 0/3.
        #expect(m.transitionAccuracy == 0)
        // next_action: a right, b skipped (unknown), c missing → 1/2.
        #expect(close(m.nextActionAccuracy, 0.5))
        // contact: a "yes" = "yes", b "no" = "no", c skipped → 1.
        #expect(m.contactAccuracy == 1)
        // Objects: a T {kettle, cup} P {kettle, lid} → tp 1 fp 1 fn 1; b {lid} = {lid} → tp 1;
        // c empty. Σ tp 2 fp 1 fn 1 → P = R = 2/3 → F1 2/3.
        #expect(close(m.objectMicroF1, 2.0 / 3))
        #expect(m.unseenEvalLabels == ["Close lid"] && m.numUnseenLabelSamples == 1)
        #expect(close(m.seenLabelAccuracy, 0.5) && m.unseenLabelAccuracy == 1)
        #expect(report.actionTable?.confusion[2] == [0, 0, 0, 1])
        #expect(m.evalLabelCounts.entries.map(\.label) == ["Open lid", "Close lid", "Pour water"])
        // Supported classes: Open lid, Close lid, Pour water (F1 1, 1, 0) → 2/3.
        #expect(close(m.supportedClassesMacroF1, 2.0 / 3) && m.numSupportedClasses == 3)
    }

    @Test func noRowsAndUndefinedFields() throws {
        let empty = scoreGeneratedAnswers([], labelOptions: options, trainActions: train)
        #expect(empty.metrics.jsonValidityRate == 0 && empty.metrics.accuracy == 0 && empty.metrics.objectMicroF1 == nil)
        #expect(empty.metrics.contactAccuracy == nil && empty.actionTable == nil)
        // A single string `objects`: one object under the strict rule, its characters under
        // the reference's (Python's set("lid") = {"l", "i", "d"} against {"lid"}: tp 0, fp 3, fn 1).
        let one = GeneratedAnswer(raw: #"{"action": "Open lid", "objects": "lid"}"#,
                                  truth: ["action": .string("Open lid"), "objects": .array([.string("lid")])])
        #expect(scoreGeneratedAnswers([one], labelOptions: options, trainActions: train, objectRule: .strict).metrics.objectMicroF1 == 1)
        #expect(scoreGeneratedAnswers([one], labelOptions: options, trainActions: train, objectRule: .reference).metrics.objectMicroF1 == 0)
    }
}
