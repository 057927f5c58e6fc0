import XPCore

/// Which rules an analysis (or the dense index) follows: the reference's, reproduced for
/// parity with its published files, or the strict ones of analysis-and-report.md §6.
public enum AnalysisProtocol: String, Sendable, CaseIterable, Codable {
    case reference
    case strict

    /// The keyword matching rule of the protocol (§6 row 1).
    public var matching: KeywordTaxonomy.Matching { self == .reference ? .substring : .words }
}

/// How the error analysis runs and what its summary says about its sources.
public struct ErrorAnalysisOptions: Sendable, Equatable {
    public var analysisProtocol: AnalysisProtocol
    /// `model_label` and the report's title (the reference's default: `Qwen3-Omni`).
    public var modelLabel: String
    /// Examples kept per list (invalid JSON, overgeneration), in file order.
    public var maxExamples: Int
    /// `source_package`, `source_eval_dir`, `source_episode_manifest` as written (nil → null).
    public var sourcePackage: String?
    public var sourceEvalDir: String?
    public var sourceEpisodeManifest: String?
    /// Strict only: a predicted object list longer than this is overgeneration (the prompt's
    /// cap is 8; the reference flags > 20).
    public var strictOvergenerationThreshold: Int
    /// Strict only: the metrics groups are sorted by (ascending, nulls first), before
    /// `samples` and the group name. Names are group-row columns.
    public var strictSortKeys: [String]

    public init(analysisProtocol: AnalysisProtocol = .strict, modelLabel: String = "Qwen3-Omni", maxExamples: Int = 12,
                sourcePackage: String? = nil, sourceEvalDir: String? = nil, sourceEpisodeManifest: String? = nil,
                strictOvergenerationThreshold: Int = 8, strictSortKeys: [String] = ErrorAnalysisOptions.defaultSortKeys) {
        self.analysisProtocol = analysisProtocol
        self.modelLabel = modelLabel
        self.maxExamples = maxExamples
        self.sourcePackage = sourcePackage
        self.sourceEvalDir = sourceEvalDir
        self.sourceEpisodeManifest = sourceEpisodeManifest
        self.strictOvergenerationThreshold = strictOvergenerationThreshold
        self.strictSortKeys = strictSortKeys
    }

    /// The reference's ranking: parse rate, then action exact rate (then samples).
    public static let defaultSortKeys = ["parsed_prediction_rate", "action_exact_rate"]

    /// The rate columns a strict sort may use.
    public static let sortableColumns = [
        "parsed_prediction_rate", "action_exact_rate", "action_option_match_rate", "subtask_exact_rate", "transition_exact_rate",
        "next_action_exact_rate", "contact_exact_rate", "object_precision", "object_recall", "object_f1",
    ]

    /// Throws when a value cannot work.
    public func validate() throws(ErrorAnalysisError) {
        guard maxExamples >= 0 else { throw .invalidOption("maxExamples must be at least 0, found \(maxExamples)") }
        guard strictOvergenerationThreshold >= 0 else { throw .invalidOption("the overgeneration threshold must be at least 0") }
        for key in strictSortKeys where !Self.sortableColumns.contains(key) {
            throw .invalidOption("cannot sort by '\(key)'; choose from \(Self.sortableColumns.joined(separator: ", "))")
        }
    }
}
