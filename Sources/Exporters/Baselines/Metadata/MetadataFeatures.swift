import Foundation
import Heads
import XPCore

/// How a baseline run departs from the reference. `reference` reproduces the published
/// scripts; `strict` removes their leak surfaces and adds baselines beside every score
/// (Docs/baselines.md lists each change).
public enum BaselineProtocol: String, Sendable, Codable, CaseIterable {
    case reference
    case strict
}

/// The 394 metadata features of the 128-episode baselines (`build_feature_matrix`): 10
/// numerics of the window's position and the record's counts, then the 384-bucket hashed
/// bag of the record's text (namespace `row_text`). `answer_json` is never read.
public struct MetadataFeatures: Sendable {
    public static let numericDimension = 10
    public static let hashDimension = 384
    public static var dimension: Int { numericDimension + hashDimension }

    /// One row of `windows.csv`.
    public struct WindowRow: Sendable, Equatable {
        public var id: String
        public var episodeID: String
        public var split: String
        public var startFrame: Int
        public var endFrame: Int
        public var mainTask: String
    }

    /// records × 394, Float32.
    public var matrix: Matrix
    public var windows: [WindowRow]
    /// The text each row was hashed from (also the caption-grounding candidate text).
    public var texts: [String]

    /// What the text of a row is built from.
    public struct TextOptions: Sendable {
        /// Append `episode_split: <split>` (the reference does; strict drops it, a token that
        /// names the split the row is in).
        public var includeSplit = true
        /// Replace every record's option lists by these (strict: the code-point-sorted train
        /// labels, so no test-only label reaches the inputs). nil keeps each record's lists.
        public var actionVocabulary: [String]?
        public var subtaskVocabulary: [String]?
        public init() {}
    }

    /// `option_summary`: `count_{N} ` and the first 24 options (each cut to 80), stripped.
    static func optionSummary(_ options: [String], count: Int) -> String {
        let head = options.prefix(24).map { PythonValues.prefix(PythonValues.strip($0), codePoints: 80) }.joined(separator: " ")
        return PythonValues.strip("count_\(count) \(head)")
    }

    /// `row_text_features(row, episode)`.
    public static func rowText(_ r: MetadataRecord, episode: EpisodeContext?, options: TextOptions = TextOptions()) -> String {
        let actions = options.actionVocabulary.map { (Array($0.prefix(24)), $0.count) } ?? (r.actionOptions, r.actionOptionCount)
        let subtasks = options.subtaskVocabulary.map { (Array($0.prefix(24)), $0.count) } ?? (r.subtaskOptions, r.subtaskOptionCount)
        var parts = ["question:", r.question, "prompt_type:", r.promptType,
                     "action_options:", optionSummary(actions.0, count: actions.1),
                     "subtask_options:", optionSummary(subtasks.0, count: subtasks.1)]
        if let episode {
            parts += ["main_task:", episode.mainTask]
            if options.includeSplit { parts += ["episode_split:", episode.split ?? r.split] }
        }
        parts += ["media_names:", r.mediaNames.joined(separator: " ")]
        return parts.joined(separator: " ")
    }

    /// Builds the matrix. `episodes` maps an episode id to its manifest context (rows of an
    /// episode the manifest does not list get no main_task/split text, as in the reference).
    public static func build(_ records: [MetadataRecord], episodes: [String: EpisodeContext], options: TextOptions = TextOptions()) throws -> MetadataFeatures {
        var rowsPerEpisode: [String: Int] = [:]
        var maxEnd: [String: Int] = [:]
        for r in records {
            rowsPerEpisode[r.episodeID, default: 0] += 1
            maxEnd[r.episodeID] = max(maxEnd[r.episodeID] ?? Int.min, r.rawEnd)
        }
        let hasher = TokenHasher(dimensions: hashDimension, namespace: "row_text")
        let d = dimension
        var storage = [Float](repeating: 0, count: records.count * d)
        var windows: [WindowRow] = []
        var texts: [String] = []
        windows.reserveCapacity(records.count)
        for (i, r) in records.enumerated() {
            let episode = episodes[r.episodeID]
            let m = max(Double(maxEnd[r.episodeID] ?? Int(r.end)), 1)
            let center = (r.start + r.end) / 2
            let n = Double(max(rowsPerEpisode[r.episodeID] ?? 0, 1))
            let numeric: [Double] = [
                r.start / m, r.end / m, center / m, (r.end - r.start + 1) / max(m, 1),
                r.contextStart / m, r.contextEnd / m, r.sensorFeatureIndex / n, r.sensorFeatureDim / 10_000,
                Double(options.actionVocabulary?.count ?? r.actionOptionCount) / 2000,
                Double(options.subtaskVocabulary?.count ?? r.subtaskOptionCount) / 2000,
            ]
            let base = i * d
            for (k, v) in numeric.enumerated() { storage[base + k] = Float(v) }
            let text = rowText(r, episode: episode, options: options)
            let hashed = hasher.vector(text)
            for k in 0..<hashDimension { storage[base + numericDimension + k] = hashed[k] }
            texts.append(text)
            windows.append(WindowRow(id: r.id, episodeID: r.episodeID, split: r.split, startFrame: Int(r.start), endFrame: Int(r.end),
                                     mainTask: episode?.mainTask ?? ""))
        }
        return MetadataFeatures(matrix: try Matrix(rows: records.count, cols: d, storage: storage), windows: windows, texts: texts)
    }
}
