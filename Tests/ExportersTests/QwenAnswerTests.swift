import EpisodeIO
import Exporters
import Foundation
import Testing
import XPCore

@Suite("Qwen answers, caps and prompts")
struct QwenAnswerTests {
    @Test("normalize_label collapses whitespace and strips quotes, backticks, periods and spaces at the ends")
    func normalizeLabel() {
        #expect(QwenAnswer.normalizeLabel("  Cut   the\tcardboard. ") == "Cut the cardboard")
        #expect(QwenAnswer.normalizeLabel("`'\"pick up\"'.`") == "pick up")
        #expect(QwenAnswer.normalizeLabel("...") == "")
        #expect(QwenAnswer.normalizeLabel("a.b") == "a.b")
    }

    @Test("The assistant target is the spec's sorted compact JSON, objects normalised, de-duplicated and capped at 8")
    func targetText() throws {
        let a = QwenAnswer(action: "Cut cardboard", subtask: "Cut cardboard", objects: ["utility knife", "cardboard", "desk", "ruler", "pen"],
                           contact: "yes", transition: "no", nextAction: "Cut cardboard", evidenceStart: 440, evidenceEnd: 459)
        // §2.6's example, verbatim.
        #expect(a.targetText == #"{"action":"Cut cardboard","contact":"yes","evidence_window":{"end_frame":459,"start_frame":440},"next_action":"Cut cardboard","objects":["utility knife","cardboard","desk","ruler","pen"],"subtask":"Cut cardboard","transition":"no"}"#)
        let many = QwenAnswer(action: " ", subtask: "Tidy.", objects: ["Cup", "cup", "plate", "fork", "knife", "spoon", "bowl", "pan", "pot", "lid", ""],
                              contact: "YES", transition: "No", nextAction: "", evidenceStart: 0, evidenceEnd: 19)
        let parsed = try JSONParser.parse(many.targetText)
        #expect(parsed["action"]?.stringValue == "unknown")
        #expect(parsed["subtask"]?.stringValue == "Tidy")
        #expect(parsed["contact"]?.stringValue == "yes")
        #expect(parsed["transition"]?.stringValue == "no")
        #expect(parsed["next_action"]?.stringValue == "unknown")
        #expect(parsed["objects"]?.arrayValue?.compactMap(\.stringValue) == ["Cup", "plate", "fork", "knife", "spoon", "bowl", "pan", "pot"])
        // The target parses back to the canonical answer.
        #expect(QwenAnswer(json: .object([("action", parsed["action"]!), ("subtask", parsed["subtask"]!), ("objects", parsed["objects"]!),
                                          ("contact", parsed["contact"]!), ("transition", parsed["transition"]!),
                                          ("next_action", parsed["next_action"]!), ("evidence_window", parsed["evidence_window"]!)])) == many.canonical)
    }

    @Test("answer_json from per-frame labels: majority, subtask, objects by count, contact, transition, next action")
    func answerFromFrames() {
        // 10 frames window [0, 10), W = 10; next span [10, 20).
        var actions = Array(repeating: "pour", count: 7) + Array(repeating: "stir", count: 3)
        actions += Array(repeating: "", count: 4) + Array(repeating: "wait", count: 6)
        let subtasks = Array(repeating: "brew", count: 20)
        var objects = Array(repeating: [String](), count: 20)
        objects[0] = ["kettle", " cup "]; objects[1] = ["cup"]; objects[2] = ["kettle", "cup"]
        var contacts = [Float](repeating: 0, count: 20 * 21)
        contacts[5 * 21 + 3] = 1
        let a = QwenAnswer.build(start: 0, endExclusive: 10, windowSize: 10, minLabelFraction: 0.6, actions: actions, subtasks: subtasks,
                                 objects: objects, contacts: contacts)
        #expect(a.action == "pour")
        #expect(a.subtask == "brew")
        #expect(a.objects == ["cup", "kettle"])  // cup ×3, kettle ×2
        #expect(a.contact == "yes")
        #expect(a.transition == "yes")
        #expect(a.nextAction == "wait")  // 6 of 6 labelled frames; the 4 empty ones do not count
        #expect(a.evidenceStart == 0 && a.evidenceEnd == 9)
        let b = QwenAnswer.build(start: 10, endExclusive: 20, windowSize: 10, minLabelFraction: 0.6, actions: actions, subtasks: subtasks,
                                 objects: objects, contacts: nil)
        #expect(b.contact == "unknown")
        #expect(b.transition == "no")
        #expect(b.nextAction == "unknown")  // the span after the last window is empty
        actions[0] = "x"; actions[1] = "y"; actions[2] = "z"
        let c = QwenAnswer.build(start: 0, endExclusive: 10, windowSize: 10, minLabelFraction: 0.6, actions: actions, subtasks: subtasks,
                                 objects: objects, contacts: contacts)
        #expect(c.action == "unknown")  // pour 4/10 < 0.6
    }

    @Test("The per-episode cap takes labels round-robin in code-point order, earliest first, and returns positions in order")
    func stratifiedCapOrder() {
        let labels = ["b", "b", "b", "a", "B", "a", "b", "c"]
        // Code-point order: "B" < "a" < "b" < "c". Round 1: B→4, a→3, b→0, c→7; round 2: a→5, b→1.
        #expect(stratifiedCap(labels: labels, cap: 6) == [0, 1, 3, 4, 5, 7])
        #expect(stratifiedCap(labels: labels, cap: 3) == [0, 3, 4])
        #expect(stratifiedCap(labels: labels, cap: 8) == Array(0..<8))
        #expect(stratifiedCap(labels: labels, cap: 0) == Array(0..<8))
    }

    @Test("most_common order: count descending, ties in first-seen order")
    func counterOrder() {
        let c = mostCommon(["b", "a", "c", "a", "b", "", "d"])
        #expect(c.map(\.0) == ["b", "a", "c", "d"])
        #expect(c.map(\.1) == [2, 2, 1, 1])
    }

    @Test("The reference P3 template reproduces the spec's user text; our default wording differs")
    func promptTemplates() throws {
        let p3 = try QwenPrompt.load(ProjectFixtures.url("prompts/reference-p3.json"))
        let text = p3.userText(question: p3.question, episodeID: "S__ep1", start: 440, end: 459, actionOptions: ["Cut cardboard", "Fold"], subtaskOptions: ["Craft"])
        let lines = text.components(separatedBy: "\n")
        #expect(lines[0] == "Given the synchronized egocentric video/audio context and sensor window, identify the current embodied episode state.")
        #expect(lines[1] == "Episode: S__ep1")
        #expect(lines[2] == "Label window frames: 440-459")
        #expect(lines[4] == #"Required schema: {"action":"<exact action option or unknown>","subtask":"<exact subtask option or unknown>","objects":["<0 to 8 short object names>"],"contact":"yes|no|unknown","transition":"yes|no|unknown","next_action":"<exact action option or unknown>","evidence_window":{"start_frame":0,"end_frame":0}}"#)
        #expect(Array(lines[9...]) == ["Known action labels:", "- Cut cardboard", "- Fold", "Known subtask labels:", "- Craft"])
        #expect(p3.systemText.hasPrefix("You are an embodied episode-understanding model for Ropedia/Xperience-10M."))
        #expect(p3.systemText.hasSuffix("Schema example: " + p3.schema))
        #expect(QwenPrompt.standard.systemText != p3.systemText)
        #expect(QwenPrompt.standard.question != p3.question)
        let msgs = p3.messages(userText: text, mosaic: "m.mp4", audio: nil, answer: "{}")
        #expect(msgs.arrayValue?.count == 3)
        #expect(msgs.arrayValue?[1]["content"]?.arrayValue?.map { $0["type"]?.stringValue } == ["video", "text"])
        #expect(msgs.arrayValue?[2]["content"]?.stringValue == "{}")
    }

    @Test("Episode keys: <session>__<epN>, parsed at the last '__', ordered by code point")
    func episodeKeys() {
        let k = EpisodeKey(folder: URL(fileURLWithPath: "/data/1e13-ab/ep3/annotation.hdf5"))
        #expect(k.text == "1e13-ab__ep3")
        #expect(k.episodeNumber == 3)
        #expect(EpisodeKey(parsing: "a__b__ep2") == EpisodeKey(session: "a__b", episode: "ep2"))
        #expect(EpisodeKey(parsing: "ep2") == nil)
        #expect(EpisodeKey(session: "Z", episode: "ep1") < EpisodeKey(session: "a", episode: "ep1"))
    }

    @Test("Shards: each split's episodes round-robin, train then val then test then unspecified")
    func shardPlan() {
        let folders = (1...7).map { URL(fileURLWithPath: "/d/s\($0 % 3)/ep\($0)") }
        let splits: [String: String] = ["s0__ep3": "test", "s1__ep1": "train", "s1__ep4": "train", "s1__ep7": "train", "s2__ep2": "val", "s2__ep5": "val"]
        let plan = QwenExportPlan(episodes: folders, split: { splits[$0.text] }, shards: 2)
        #expect(plan.items.map(\.key.text) == ["s1__ep1", "s1__ep4", "s1__ep7", "s2__ep2", "s2__ep5", "s0__ep3", "s0__ep6"])
        #expect(plan.items.map(\.shard) == [0, 1, 0, 0, 1, 0, 0])
        #expect(plan.items.last?.split == "unspecified")
        #expect(QwenExportPlan(episodes: Array(folders.prefix(1)), split: { _ in nil }, shards: 8).shards == 1)
    }
}
