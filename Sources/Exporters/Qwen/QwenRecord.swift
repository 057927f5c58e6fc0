import EpisodeIO
import Foundation
import WindowAlign
import XPCore

/// One record of `dataset.jsonl` (§2.5) before the merge adds what depends on the whole
/// export (the option lists, the messages, the shard).
struct QwenRecord {
    var scaleID: String?
    var key: EpisodeKey
    var episodePath: String
    var split: String
    /// Position in the episode's labelled-window list (before the cap).
    var index: Int
    var window: Window
    var windowFrames: Int
    var context: ClosedRange<Int>
    var maxVideoFrames: Int
    var videoPaths: JSONValue
    var mosaic: String?
    var missingCameras: [String]
    var blackTiles: Int
    var audio: String?
    var audioNote: String?
    var sensorPath: String
    var sensorZeroBlocks: [String]
    var answer: QwenAnswer
    var question: String

    var sourceRowID: String { "\(key.text):qa:\(index)" }
    var id: String { scaleID.map { "\($0):\(sourceRowID)" } ?? sourceRowID }

    /// The record up to `label`, plus `scale_id` for a multiscale record (removed again by
    /// the merge, which appends the multiscale keys last as the reference does).
    var partialJSON: JSONValue {
        var media: [(String, JSONValue)] = [
            ("video_paths", videoPaths), ("context_start_frame", .int(context.lowerBound)), ("context_end_frame", .int(context.upperBound)),
            ("max_video_frames", .int(maxVideoFrames)), ("mosaic_video_path", mosaic.map { .string($0) } ?? .null),
            ("audio_path", audio.map { .string($0) } ?? .null),
        ]
        // Beyond the reference's keys: what a reader must know before trusting the clip.
        media.append(("missing_cameras", .array(missingCameras.map { .string($0) })))
        media.append(("black_tiles", .int(blackTiles)))
        if audio == nil, let audioNote { media.append(("audio_note", .string(audioNote))) }
        var fields: [(String, JSONValue)] = [
            ("id", .string(id)), ("episode_id", .string(key.text)), ("source_episode_id", .string(key.episode)),
            ("episode_path", .string(episodePath)), ("split", .string(split)), ("target", .string("episode_qa")),
            ("prompt_type", .string("json_episode_understanding")),
            ("center_window", .object([("start_frame", .int(window.start)), ("end_frame", .int(window.end)), ("num_frames", .int(windowFrames))])),
            ("media", .object(media)),
            ("sensor_feature_path", .string(sensorPath)), ("sensor_feature_index", .int(index)),
            ("sensor_feature_dim", .int(SensorFeatures.dimension)),
            ("sensor_feature_zero_blocks", .array(sensorZeroBlocks.map { .string($0) })),
            ("question", .string(question)), ("answer_json", answer.json), ("label", .string(answer.action)),
        ]
        if let scaleID { fields.append(("scale_id", .string(scaleID))) }
        return .object(fields)
    }
}

/// The merge step of one record: the global option lists, the messages rebuilt with the
/// answer, the shard, and for multiscale the reference's trailing keys.
enum QwenRecordMerge {
    static func complete(_ partial: JSONValue, shard: Int, actionOptions: [String], subtaskOptions: [String],
                         prompt: QwenPrompt, multiscaleID: String?) throws(ExportError) -> JSONValue {
        guard var fields = partial.objectValue,
              let episodeID = partial["episode_id"]?.stringValue, let question = partial["question"]?.stringValue,
              let window = partial["center_window"], let start = window["start_frame"]?.numberValue, let end = window["end_frame"]?.numberValue,
              let answerJSON = partial["answer_json"], let answer = QwenAnswer(json: answerJSON)
        else { throw .badInput(file: "record", detail: "a partial record lacks id, episode, window or answer: \(partial.pythonJSON(.unicode).prefix(200))") }
        let scaleID = partial["scale_id"]?.stringValue
        fields.removeAll { $0.0 == "scale_id" }
        let media = partial["media"]
        let user = prompt.userText(question: question, episodeID: episodeID, start: Int(start), end: Int(end),
                                   actionOptions: actionOptions, subtaskOptions: subtaskOptions)
        let messages = prompt.messages(userText: user, mosaic: media?["mosaic_video_path"]?.stringValue,
                                       audio: media?["audio_path"]?.stringValue, answer: answer.targetText)
        let actions: JSONValue = .array(actionOptions.map { .string($0) })
        fields += [("action_options", actions), ("subtask_options", .array(subtaskOptions.map { .string($0) })),
                   ("label_options", actions), ("messages", messages), ("parallel_export_shard", .int(shard))]
        if let scaleID, let id = partial["id"]?.stringValue {
            fields += [("source_row_id", .string(String(id.dropFirst(scaleID.count + 1)))),
                       ("multiscale_run_id", .string(multiscaleID ?? "")), ("scale_id", .string(scaleID))]
        }
        return .object(fields)
    }
}

/// Code-point-sorted distinct labels other than `unknown` (§2.7).
func optionList<S: Sequence>(_ labels: S) -> [String] where S.Element == String {
    Set(labels.filter { $0 != "unknown" && !$0.isEmpty }).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}
