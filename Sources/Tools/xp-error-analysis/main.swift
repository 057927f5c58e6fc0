import ArgumentParser
import Exporters
import Foundation
import ToolSupport
import XPCore

/// `xp-error-analysis`: where a structured-JSON model fails, from its prediction rows.
struct XPErrorAnalysis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-error-analysis",
        abstract: "Analyse generated JSON predictions: failure rates by episode, action family, train-seen status, modality state and object category.",
        discussion: """
            EVAL_DIR holds predictions.jsonl and metrics.json (from xp-eval-json, or a reference eval folder). The \
            episode manifest (from xp-scan, or the reference's) gives each episode's modality state; without \
            --manifest, EVAL_DIR/../dataset/episode_manifest.json is used when it exists.

            Writes error_analysis_summary.json, the five *_error_analysis.csv tables (episode, action family, \
            train-seen, modality state, object category), action_family_hierarchical_summary.csv (the 8-family contract), \
            action_family_dense_summary.csv (the dense 9 families) and ERROR_ANALYSIS.md into --out.

            --protocol reference reproduces the reference script's files byte for byte (substring keywords, \
            unknown = unknown counted, 8-row tables). --protocol strict (default) matches whole words, excludes \
            unknown truths, adds option-matched and per-category object scores, flags lists over 8 objects and \
            writes complete tables. Docs/error-analysis.md has every rule.

            Examples:
              xp-error-analysis eval --manifest scan/episode_manifest.json --out analysis
              xp-error-analysis package/eval --out analysis --protocol reference
              xp-error-analysis eval --out analysis --sort-by object_f1 --max-examples 40
            """
    )

    @Argument(help: "Eval folder with predictions.jsonl and metrics.json.")
    var evalDir: String

    @Option(help: "Episode manifest (episode_manifest.json of xp-scan or the reference).")
    var manifest: String?

    @Option(help: "Output folder (created; files of the same names are replaced).")
    var out: String

    @Option(help: ArgumentHelp("reference or strict.", valueName: "protocol"))
    var `protocol`: String = "strict"

    @Option(help: "Model name in the report title and the summary.")
    var modelLabel: String = "Qwen3-Omni"

    @Option(parsing: .unconditional, help: "Examples kept per list, in \(Bounds.text(Limits.examples)).")
    var maxExamples: Int = 12

    @Option(help: ArgumentHelp("source_package in the summary (default: the name of EVAL_DIR's parent folder).", valueName: "name"))
    var sourcePackage: String?

    @Option(help: ArgumentHelp("source_eval_dir in the summary (default: EVAL_DIR as given; an absolute path becomes relative to the working folder, or its base name).", valueName: "text"))
    var sourceEvalDir: String?

    @Option(help: ArgumentHelp("source_episode_manifest in the summary (default: the manifest path, by the same rule).", valueName: "text"))
    var sourceEpisodeManifest: String?

    @Option(help: ArgumentHelp("Strict: comma-separated rate columns the groups are sorted by (then samples, then name).", valueName: "columns"))
    var sortBy: String?

    @Option(parsing: .unconditional, help: "Strict: predicted object lists longer than this are overgeneration, in \(Bounds.text(Limits.threshold)).")
    var overgenerationThreshold: Int = 8

    enum Limits {
        static let examples = 0...100_000
        static let threshold = 0...100_000
    }

    func validate() throws {
        try Bounds.check(maxExamples, "--max-examples", in: Limits.examples)
        try Bounds.check(overgenerationThreshold, "--overgeneration-threshold", in: Limits.threshold)
        guard let proto = AnalysisProtocol(rawValue: `protocol`) else { throw ValidationError("--protocol must be reference or strict, found '\(`protocol`)'") }
        if let sortBy {
            guard proto == .strict else { throw ValidationError("--sort-by needs --protocol strict (the reference sorts by parse rate, action rate, samples)") }
            for key in sortKeys(sortBy) where !ErrorAnalysisOptions.sortableColumns.contains(key) {
                throw ValidationError("--sort-by: '\(key)' is not a rate column; choose from \(ErrorAnalysisOptions.sortableColumns.joined(separator: ", "))")
            }
        }
    }

    func sortKeys(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A path for the summary: relative as given; absolute → relative to the working folder
    /// when inside it, else the base name (never an absolute path of this machine).
    static func publicPath(_ path: String) -> String {
        guard path.hasPrefix("/") else { return path }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let target = URL(fileURLWithPath: path).standardizedFileURL.path
        if target.hasPrefix(cwd + "/") { return String(target.dropFirst(cwd.count + 1)) }
        return (target as NSString).lastPathComponent
    }

    func run() throws {
        let proto = AnalysisProtocol(rawValue: `protocol`) ?? .strict
        let outURL = URL(fileURLWithPath: out)
        try Tool.checkOutput(outURL, option: "--out")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: evalDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ToolError("\(evalDir) is not a folder; give an eval folder holding predictions.jsonl and metrics.json")
        }
        var manifestPath = manifest
        if manifestPath == nil {
            let guess = ((evalDir as NSString).deletingLastPathComponent as NSString).appendingPathComponent("dataset/episode_manifest.json")
            if FileManager.default.fileExists(atPath: guess) {
                manifestPath = guess
                Tool.note("using the episode manifest \(guess)")
            } else {
                Tool.note("no --manifest and no \(guess): every episode is in the episode_manifest_missing state")
            }
        }
        let input = try ErrorAnalysisInput.load(evalDir: evalDir, manifest: manifestPath)
        for note in input.manifest?.notes ?? [] { Tool.note("warning: \(manifestPath ?? ""): \(note)") }
        let parent = URL(fileURLWithPath: evalDir).standardizedFileURL.deletingLastPathComponent().lastPathComponent
        var options = ErrorAnalysisOptions(
            analysisProtocol: proto, modelLabel: modelLabel, maxExamples: maxExamples,
            sourcePackage: sourcePackage ?? parent, sourceEvalDir: sourceEvalDir ?? Self.publicPath(evalDir),
            sourceEpisodeManifest: sourceEpisodeManifest ?? manifestPath.map(Self.publicPath),
            strictOvergenerationThreshold: overgenerationThreshold)
        if let sortBy { options.strictSortKeys = sortKeys(sortBy) }
        let result = try ErrorAnalysis.run(rows: input.rows, metricsValidity: input.metricsValidity, manifest: input.manifest, options: options)
        for d in result.deviations.prefix(20) {
            let place = d.row.map { "\(input.predictionsPath):\(input.lines[$0])" } ?? input.metricsPath
            Tool.note("warning: \(place): \(d.kind.rawValue): \(d.field): \(d.detail)")
        }
        if result.deviations.count > 20 { Tool.note("warning: \(result.deviations.count - 20) more reference deviations (see reference_deviations in the summary)") }
        if !result.deviations.isEmpty {
            Tool.note("the reference script would have failed on this input; the outputs follow the documented deviations")
        }
        try ErrorAnalysisWriter.write(result, to: outURL)
        Tool.note("analysed \(result.rowCount) prediction rows of \(result.episodeGroups.count) episodes (\(proto.rawValue) protocol)")
        print(out)
    }
}

Tool.main(XPErrorAnalysis.self)
