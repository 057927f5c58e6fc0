import Foundation
import XPCore

/// Everything the analysis found, and the files that present it.
public struct ErrorAnalysisResult: Sendable {
    public var options: ErrorAnalysisOptions
    public var rowCount: Int
    public var metricsValidity: JSONValue?
    public var overall: GroupRow
    /// Sorted worst first (the reference's `top_rows`).
    public var episodeGroups: [GroupRow]
    public var actionFamilyGroups: [GroupRow]
    public var trainSeenGroups: [GroupRow]
    public var modalityGroups: [GroupRow]
    public var objectCategoryGroups: [GroupRow]
    /// §1.8 over the 8-family contract, sorted by (−samples, family).
    public var hierarchicalFamilies: [FamilyRow]
    /// The same over the dense builder's 9 families.
    public var denseFamilies: [FamilyRow]
    public var invalidJSONExamples: [JSONValue]
    public var overgenerationExamples: [JSONValue]
    public var modalityMissingByEpisode: [(String, [String])]
    /// Strict: (predicted list length, rows), ascending.
    public var predictedObjectCountHistogram: [(Int, Int)]
    /// Strict: per modality over the analysed episodes.
    public var modalityPresence: [ModalityPresence]
    /// Strict: how often a value was coerced (kind → rows).
    public var coercions: [(String, Int)]
    /// Reference: where the reference would have crashed, and what was done instead.
    public var deviations: [ReferenceDeviation]

    var proto: AnalysisProtocol { options.analysisProtocol }

    public static let interpretation = "The diagnostic pilot is dominated by invalid or weak structured outputs and exact-label failures. These tables identify where to tighten JSON constraints, action/subtask target formatting, object vocabularies, and missing-modality robustness before claiming stronger model quality."

    public static let strictInterpretation = "Strict protocol: keywords match whole words (with regular inflections); unknown or missing truths are excluded from each field's rate and counted in *_excluded_unknown; the action is scored both exact-normalised and option-matched; object categories are also scored on their own objects (category_object_*), including categories seen only in predictions; object lists are coerced (a string is one object); every table is complete and ties are broken by group name."

    /// The output files, in the order they are listed.
    public static let summaryFile = "error_analysis_summary.json"
    public static let csvFiles = ["episode_error_analysis.csv", "action_family_error_analysis.csv", "train_seen_error_analysis.csv",
                                  "missing_modality_error_analysis.csv", "object_category_error_analysis.csv"]
    public static let hierarchicalFile = "action_family_hierarchical_summary.csv"
    public static let denseFile = "action_family_dense_summary.csv"
    public static let reportFile = "ERROR_ANALYSIS.md"
    public static var allFiles: [String] { [summaryFile] + csvFiles + [hierarchicalFile, denseFile, reportFile] }

    // MARK: Summary JSON

    /// `error_analysis_summary.json`'s value. Reference: the current script's keys (§1.5),
    /// plus `reference_deviations` at the end only when there is one. Strict: a fixed key set.
    public var summary: JSONValue {
        func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        func groups(_ g: [GroupRow], category: Bool = false) -> JSONValue { .array(g.map { $0.json(proto, category: category) }) }
        let missing = JSONValue.object(modalityMissingByEpisode.map { ($0.0, .array($0.1.map { .string($0) })) })
        switch proto {
        case .reference:
            var out: [(String, JSONValue)] = [
                ("status", .string("pass")), ("model_label", .string(options.modelLabel)),
                ("source_package", opt(options.sourcePackage)), ("source_eval_dir", opt(options.sourceEvalDir)),
                ("source_episode_manifest", opt(options.sourceEpisodeManifest)),
                ("source_prediction_rows", .int(rowCount)), ("metrics_json_validity_rate", metricsValidity ?? .null),
                ("computed", overall.json(.reference)),
                ("worst_episode_groups", groups(Array(episodeGroups.prefix(8)))),
                ("action_family_groups", groups(actionFamilyGroups)), ("train_seen_groups", groups(trainSeenGroups)),
                ("missing_modality_groups", groups(modalityGroups)), ("object_category_groups", groups(objectCategoryGroups)),
                ("invalid_json_examples", .array(invalidJSONExamples)), ("object_overgeneration_examples", .array(overgenerationExamples)),
                ("modality_missing_by_episode", missing), ("interpretation", .string(Self.interpretation)),
            ]
            if !deviations.isEmpty {
                out.append(("reference_deviations", .array(deviations.map { d in
                    .object([("kind", .string(d.kind.rawValue)), ("row", d.row.map { .int($0 + 1) } ?? .null), ("id", opt(d.id)),
                             ("field", .string(d.field)), ("detail", .string(d.detail))])
                })))
            }
            return .object(out)
        case .strict:
            let m = AnalysisProtocol.strict.matching
            return .object([
                ("status", .string("pass")), ("protocol", .string("strict")),
                ("taxonomies", .object([
                    ("action_families", .string(KeywordTaxonomy.errorAnalysisActions.version(m))),
                    ("object_categories", .string(KeywordTaxonomy.errorAnalysisObjects.version(m))),
                    ("hierarchical_action_families", .string(KeywordTaxonomy.contractActions.version(m))),
                    ("dense_action_families", .string(KeywordTaxonomy.denseActions.version(m))),
                ])),
                ("model_label", .string(options.modelLabel)),
                ("source_package", opt(options.sourcePackage)), ("source_eval_dir", opt(options.sourceEvalDir)),
                ("source_episode_manifest", opt(options.sourceEpisodeManifest)),
                ("source_prediction_rows", .int(rowCount)), ("metrics_json_validity_rate", metricsValidity ?? .null),
                ("computed", overall.json(.strict)),
                ("sort_keys", .array((options.strictSortKeys + ["samples", "group"]).map { .string($0) })),
                ("episode_groups", groups(episodeGroups)),
                ("worst_episode_groups", groups(Array(episodeGroups.prefix(8)))),
                ("action_family_groups", groups(actionFamilyGroups)), ("train_seen_groups", groups(trainSeenGroups)),
                ("missing_modality_groups", groups(modalityGroups)), ("object_category_groups", groups(objectCategoryGroups, category: true)),
                ("hierarchical_action_family_groups", .array(hierarchicalFamilies.map { .object($0.fields(.strict)) })),
                ("dense_action_family_groups", .array(denseFamilies.map { .object($0.fields(.strict)) })),
                ("invalid_json_examples", .array(invalidJSONExamples)), ("object_overgeneration_examples", .array(overgenerationExamples)),
                ("overgeneration_threshold", .int(options.strictOvergenerationThreshold)),
                ("predicted_object_count_histogram", .array(predictedObjectCountHistogram.map { .object([("objects", .int($0.0)), ("rows", .int($0.1))]) })),
                ("modality_missing_by_episode", missing),
                ("modality_presence", .array(modalityPresence.map(\.json))),
                ("coercions", .object(coercions.map { ($0.0, .int($0.1)) })),
                ("interpretation", .string(Self.strictInterpretation)),
            ])
        }
    }

    /// The summary as written: `json.dumps(indent=2)` (ASCII-escaped) and a newline.
    public var summaryText: String { summary.pythonJSON(indent: 2) + "\n" }

    // MARK: CSV

    /// A group table as the reference writes it: the columns of the first row as header,
    /// `\n` line ends, floats as `repr`; no rows gives an empty file.
    public func csv(_ rows: [GroupRow], category: Bool = false) -> String {
        guard let first = rows.first else { return "" }
        var w = CSVWriter(lineTerminator: .lf)
        w.writeRow(first.fields(proto, category: category).map(\.0))
        for r in rows { w.writeRow(r.fields(proto, category: category).map { csvText($0.1) }) }
        return w.text
    }

    /// A family table: header always (fixed columns).
    public func familyCSV(_ rows: [FamilyRow]) -> String {
        var w = CSVWriter(lineTerminator: .lf)
        w.writeRow(proto == .reference ? FamilyRow.columns : FamilyRow.strictColumns)
        for r in rows { w.writeRow(r.fields(proto).map { csvText($0.1) }) }
        return w.text
    }

    /// The text of every file, by name.
    public var files: [(name: String, text: String)] {
        [(Self.summaryFile, summaryText),
         (Self.csvFiles[0], csv(episodeGroups)), (Self.csvFiles[1], csv(actionFamilyGroups)), (Self.csvFiles[2], csv(trainSeenGroups)),
         (Self.csvFiles[3], csv(modalityGroups)), (Self.csvFiles[4], csv(objectCategoryGroups, category: proto == .strict)),
         (Self.hierarchicalFile, familyCSV(hierarchicalFamilies)), (Self.denseFile, familyCSV(denseFamilies)),
         (Self.reportFile, report)]
    }
}

/// A CSV field as Python's `csv` writes the value: ints bare, floats as `repr`, None empty.
func csvText(_ v: JSONValue) -> String {
    switch v {
    case .null: return ""
    case .string(let s): return s
    case .double(let d): return pythonFloatRepr(d)
    default: return v.pythonString
    }
}

// MARK: - Markdown

extension ErrorAnalysisResult {
    /// `ERROR_ANALYSIS.md`. Reference: the current script's report, tables cut at 8 rows.
    /// Strict: complete tables, null-safe numbers, the family tables and the strict counts.
    public var report: String {
        proto == .reference ? referenceReport : strictReport
    }

    static func format4(_ v: JSONValue?) -> String {
        guard let v else { return "None" }
        if case .double(let d) = v { return String(format: "%.4f", d) }
        return v.pythonString
    }

    /// The reference's `markdown_table`: floats `.4f`, anything else `str()`, "No rows."
    /// when empty.
    static func table(_ rows: [[(String, JSONValue)]], _ columns: [String], limit: Int?, nullText: String = "None") -> [String] {
        let selected = limit.map { Array(rows.prefix($0)) } ?? rows
        guard !selected.isEmpty else { return ["No rows."] }
        var lines = ["| " + columns.joined(separator: " | ") + " |", "| " + columns.map { _ in "---" }.joined(separator: " | ") + " |"]
        for row in selected {
            let values = columns.map { col -> String in
                guard let v = row.first(where: { $0.0 == col })?.1 else { return "None" }
                if case .null = v { return nullText }
                return format4(v)
            }
            lines.append("| " + values.joined(separator: " | ") + " |")
        }
        return lines
    }

    var validityText: String {
        guard let v = metricsValidity, let d = v.formattableDouble else { return proto == .strict ? "n/a" : (metricsValidity?.pythonString ?? "None") }
        return String(format: "%.4f", d)
    }

    var referenceReport: String {
        let r = overall.referenceRates
        func t(_ rows: [GroupRow], _ cols: [String]) -> [String] { Self.table(rows.map { $0.fields(.reference) }, cols, limit: 8) }
        var lines = [
            "# \(options.modelLabel) Held-Out Error Analysis", "",
            "This report is computed from public-safe predictions and an episode manifest. It contains only derived metrics and sanitized examples.", "",
            "## Overall", "",
            "- Prediction rows: `\(rowCount)`",
            "- JSON validity from `metrics.json`: `\(validityText)`",
            "- Parsed prediction rate from public rows: `\(String(format: "%.4f", r.parsed))`",
            "- Action exact rate: `\(String(format: "%.4f", r.fields[0]))`",
            "- Subtask exact rate: `\(String(format: "%.4f", r.fields[1]))`",
            "- Contact exact rate: `\(String(format: "%.4f", r.fields[4]))`",
            "- Object F1: `\(String(format: "%.4f", r.f1))`", "",
            "## Weakest Episode Groups", "",
        ]
        lines += t(episodeGroups, ["group", "samples", "parsed_prediction_rate", "action_exact_rate", "object_f1"])
        lines += ["", "## Action Families", ""]
        lines += t(actionFamilyGroups, ["group", "samples", "parsed_prediction_rate", "action_exact_rate", "subtask_exact_rate", "object_f1"])
        lines += ["", "## Train-Seen Split", ""]
        lines += t(trainSeenGroups, ["group", "samples", "parsed_prediction_rate", "action_exact_rate", "next_action_exact_rate"])
        lines += ["", "## Required-Modality State", ""]
        lines += t(modalityGroups, ["group", "samples", "parsed_prediction_rate", "action_exact_rate", "object_f1"])
        lines += ["", "## Object Categories", ""]
        lines += t(objectCategoryGroups, ["group", "samples", "object_precision", "object_recall", "object_f1"])
        lines += ["", "## Interpretation", "", Self.interpretation, "", "Generated files:", ""]
        lines += ([Self.summaryFile] + Self.csvFiles).map { "- `\($0)`" }
        return lines.joined(separator: "\n") + "\n"
    }

    var strictReport: String {
        let o = Dictionary(overall.fields(.strict), uniquingKeysWith: { a, _ in a })
        func v(_ k: String) -> String { o[k].map { if case .null = $0 { return "n/a" } else { return Self.format4($0) } } ?? "n/a" }
        func t(_ rows: [GroupRow], _ cols: [String], category: Bool = false) -> [String] {
            Self.table(rows.map { $0.fields(.strict, category: category) }, cols, limit: nil, nullText: "n/a")
        }
        let m = AnalysisProtocol.strict.matching
        let taxonomies: [String] = [KeywordTaxonomy.errorAnalysisActions, .errorAnalysisObjects, .contractActions, .denseActions].map { "`" + $0.version(m) + "`" }
        let provenance: String = "This report is computed from public-safe predictions and an episode manifest. It contains only derived metrics and sanitized examples. "
            + "Keyword taxonomies: " + taxonomies.joined(separator: ", ") + "."
        let excluded: String = ErrorAnalysis.fields.map { o["\($0)_excluded_unknown"].map(Self.format4) ?? "0" }.joined(separator: ", ")
        let threshold = options.strictOvergenerationThreshold
        let overRows: Int = predictedObjectCountHistogram.filter { $0.0 > threshold }.reduce(0) { $0 + $1.1 }
        let sortText: String = (options.strictSortKeys + ["samples", "group"]).joined(separator: "`, `")
        var lines: [String] = [
            "# \(options.modelLabel) Held-Out Error Analysis (strict protocol)", "",
            provenance, "",
            "## Overall", "",
            "- Prediction rows: `\(rowCount)`",
            "- JSON validity from `metrics.json`: `\(validityText)`",
            "- Parsed prediction rate: `\(v("parsed_prediction_rate"))`",
            "- Action exact rate (normalised): `\(v("action_exact_rate"))`",
            "- Action option-matched rate: `\(v("action_option_match_rate"))`",
            "- Subtask exact rate: `\(v("subtask_exact_rate"))`",
            "- Transition exact rate: `\(v("transition_exact_rate"))`",
            "- Next-action exact rate: `\(v("next_action_exact_rate"))`",
            "- Contact exact rate: `\(v("contact_exact_rate"))`",
            "- Object precision / recall / F1: `\(v("object_precision"))` / `\(v("object_recall"))` / `\(v("object_f1"))`",
            "- Unknown truths excluded (action, subtask, transition, next_action, contact): `\(excluded)`",
            "- Invalid-JSON examples listed: `\(invalidJSONExamples.count)`; rows predicting more than \(threshold) objects: `\(overRows)`",
            "- Sort: ascending by `\(sortText)` (missing values first)", "",
            "## Episode Groups", "",
        ]
        lines += t(episodeGroups, ["group", "samples", "parsed_prediction_rate", "action_exact_rate", "action_option_match_rate", "object_f1"])
        lines += ["", "## Action Families", ""]
        lines += t(actionFamilyGroups, ["group", "samples", "parsed_prediction_rate", "action_exact_rate", "action_option_match_rate", "subtask_exact_rate", "object_f1", "action_excluded_unknown"])
        lines += ["", "## Train-Seen Split", ""]
        lines += t(trainSeenGroups, ["group", "samples", "parsed_prediction_rate", "action_exact_rate", "action_option_match_rate", "next_action_exact_rate"])
        lines += ["", "## Required-Modality State", ""]
        lines += t(modalityGroups, ["group", "samples", "parsed_prediction_rate", "action_exact_rate", "object_f1"])
        lines += ["", "## Modality Presence", "", "| modality | required | episodes present | episodes missing | no manifest record |", "| --- | --- | --- | --- | --- |"]
        lines += modalityPresence.map { "| \($0.modality) | \($0.required ? "yes" : "no (optional)") | \($0.present) | \($0.missing) | \($0.unknown) |" }
        lines += ["", "## Object Categories", "",
                  "Row-level scores (`object_*`: every object of the rows touching the category) and the category's own objects (`category_object_*`).", ""]
        lines += t(objectCategoryGroups, ["group", "samples", "prediction_rows", "object_precision", "object_recall", "object_f1",
                                          "category_object_precision", "category_object_recall", "category_object_f1"], category: true)
        func fam(_ rows: [FamilyRow]) -> [String] { Self.table(rows.map { $0.fields(.strict) }, FamilyRow.strictColumns, limit: nil, nullText: "n/a") }
        lines += ["", "## Hierarchical Action Families (8-family contract)", ""]
        lines += fam(hierarchicalFamilies)
        lines += ["", "## Dense Action Families (9 families)", ""]
        lines += fam(denseFamilies)
        lines += ["", "## Predicted Object List Lengths", "", "| objects | rows |", "| --- | --- |"]
        lines += predictedObjectCountHistogram.map { "| \($0.0) | \($0.1) |" }
        lines += ["", "## Interpretation", "", Self.strictInterpretation, "", "Generated files:", ""]
        lines += ([Self.summaryFile] + Self.csvFiles + [Self.hierarchicalFile, Self.denseFile]).map { "- `\($0)`" }
        return lines.joined(separator: "\n") + "\n"
    }
}
