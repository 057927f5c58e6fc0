import Crypto
import Foundation
import XPCore

/// The wording of a Qwen record's messages (§2.6): the system prompt, the question and the
/// user text's lines, with placeholders filled per record.
///
/// The default is this project's own wording. A template file (JSON with the same fields)
/// reproduces any published prompt exactly; `Fixtures/prompts/reference-p3.json` is the
/// reference's current (P3) prompt. Placeholders in `userLines`, `system` and `question`:
/// `{question}`, `{episode_id}`, `{start_frame}`, `{end_frame}`, `{schema}`. The option lists
/// follow the lines, each under its header, one `optionLine` per label (`{label}`).
public struct QwenPrompt: Sendable, Equatable {
    public var name: String
    public var system: String
    public var question: String
    /// The JSON schema example the prompt shows (`{schema}`).
    public var schema: String
    public var userLines: [String]
    public var actionOptionsHeader: String
    public var subtaskOptionsHeader: String
    public var optionLine: String
    /// Appended to the question for a multiscale record: `{scale_id}`, `{start_frame}`, `{end_frame}`.
    public var multiscaleQuestionSuffix: String

    /// This project's wording: the same rules and schema as the reference, in our own words.
    public static let standard = QwenPrompt(
        name: "xperiencekit-v1",
        system: "You describe what is happening in one moment of an egocentric Xperience-10M recording. Reply with a single JSON object and nothing else: no markdown, no explanation, no code fence. Use exactly the keys action, subtask, objects, contact, transition, next_action and evidence_window. For action, subtask and next_action, either copy a label verbatim from the lists you are given or write \"unknown\"; never rephrase a label or make one up. Write \"unknown\" whenever the evidence does not settle a field. List at most 8 short object names. The reply has this shape: {schema}",
        question: "Using the synchronised egocentric video, audio and sensor context, state what the person is doing in the labelled window.",
        schema: #"{"action":"<an action label from the list, or unknown>","subtask":"<a subtask label from the list, or unknown>","objects":["<up to 8 short object names>"],"contact":"yes|no|unknown","transition":"yes|no|unknown","next_action":"<an action label from the list, or unknown>","evidence_window":{"start_frame":0,"end_frame":0}}"#,
        userLines: [
            "{question}",
            "Episode: {episode_id}",
            "Labelled frames: {start_frame}-{end_frame}",
            "Answer with one compact JSON object only, with no text before or after it.",
            "Shape of the answer: {schema}",
            "action, subtask and next_action must be copied exactly from the lists below, or be \"unknown\".",
            "Write \"unknown\" for any field the context does not determine.",
            "objects: at most 8 entries.",
        ],
        actionOptionsHeader: "Action labels:",
        subtaskOptionsHeader: "Subtask labels:",
        optionLine: "- {label}",
        multiscaleQuestionSuffix: " This record belongs to multiscale window scale {scale_id}; label window frames {start_frame}-{end_frame}.")

    /// Reads a template file (keys: name, system, question, schema, user_lines,
    /// action_options_header, subtask_options_header, option_line, multiscale_question_suffix).
    public static func load(_ url: URL) throws(ExportError) -> QwenPrompt {
        let json = try JSONOutput.read(url)
        func text(_ key: String) throws(ExportError) -> String {
            guard let s = json[key]?.stringValue else { throw .badInput(file: url.path, detail: "prompt template: '\(key)' must be a string") }
            return s
        }
        guard let lines = json["user_lines"]?.arrayValue, lines.allSatisfy({ $0.stringValue != nil }) else {
            throw .badInput(file: url.path, detail: "prompt template: 'user_lines' must be a list of strings")
        }
        return QwenPrompt(name: try text("name"), system: try text("system"), question: try text("question"), schema: try text("schema"),
                          userLines: lines.compactMap(\.stringValue), actionOptionsHeader: try text("action_options_header"),
                          subtaskOptionsHeader: try text("subtask_options_header"), optionLine: try text("option_line"),
                          multiscaleQuestionSuffix: try text("multiscale_question_suffix"))
    }

    /// SHA-256 (hex) of every field: a resumed export refuses a template edited under the same name.
    public var contentHash: String {
        let parts = [name, system, question, schema, actionOptionsHeader, subtaskOptionsHeader, optionLine, multiscaleQuestionSuffix] + userLines
        let digest = SHA256.hash(data: Data(parts.joined(separator: "\u{1F}").utf8))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    /// The question of a record (with the multiscale suffix when `scaleID` is given).
    public func question(scaleID: String?, start: Int, end: Int) -> String {
        guard let scaleID else { return question }
        return question + fill(multiscaleQuestionSuffix, ["scale_id": scaleID, "start_frame": "\(start)", "end_frame": "\(end)"])
    }

    /// The system prompt.
    public var systemText: String { fill(system, ["schema": schema]) }

    /// The user text of a record.
    public func userText(question: String, episodeID: String, start: Int, end: Int, actionOptions: [String], subtaskOptions: [String]) -> String {
        let values = ["question": question, "episode_id": episodeID, "start_frame": "\(start)", "end_frame": "\(end)", "schema": schema]
        var lines = userLines.map { fill($0, values) }
        if !actionOptions.isEmpty {
            lines.append(actionOptionsHeader)
            lines += actionOptions.map { fill(optionLine, ["label": $0]) }
        }
        if !subtaskOptions.isEmpty {
            lines.append(subtaskOptionsHeader)
            lines += subtaskOptions.map { fill(optionLine, ["label": $0]) }
        }
        return lines.joined(separator: "\n")
    }

    /// The messages of a record (§2.6): system, user (video, audio, text), and with
    /// `answer` the assistant's target as a plain string.
    public func messages(userText: String, mosaic: String?, audio: String?, answer: String?) -> JSONValue {
        var user: [JSONValue] = []
        if let mosaic { user.append(.object([("type", .string("video")), ("video", .string(mosaic))])) }
        if let audio { user.append(.object([("type", .string("audio")), ("audio", .string(audio))])) }
        user.append(.object([("type", .string("text")), ("text", .string(userText))]))
        var out: [JSONValue] = [
            .object([("role", .string("system")), ("content", .array([.object([("type", .string("text")), ("text", .string(systemText))])]))]),
            .object([("role", .string("user")), ("content", .array(user))]),
        ]
        if let answer { out.append(.object([("role", .string("assistant")), ("content", .string(answer))])) }
        return .array(out)
    }

    /// Replaces `{key}` placeholders in one pass (a value containing braces is never re-read).
    func fill(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let v = values[String(after[..<close])] {
                out += v
                rest = after[after.index(after: close)...]
            } else {
                out += "{"
                rest = after
            }
        }
        return out + rest
    }
}
