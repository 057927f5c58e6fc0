import ArgumentParser
import Exporters
import Foundation
import ToolSupport
import XPCore

/// `xp-dense-index`: the compact dense multiscale hierarchical window index of a sparse export.
struct XPDenseIndex: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-dense-index",
        abstract: "Build the dense multiscale hierarchical window index: every window of every scale, labelled by the nearest sparse window, with provenance.",
        discussion: """
            DATASET is a sparse export's dataset.jsonl (or .jsonl.zst) from xp-export-qwen, or its folder. For each \
            episode (code-point order) and scale (given order), windows start at 0, 0+stride, ... while \
            start <= max_end - window + 1 (max_end: the episode's last sparse frame); each takes the labels of the \
            nearest sparse window (the 9 seeds around bisect_left, by centre distance, then overlap, then order) \
            and records whether that window is the same one (exact), overlaps it or lies elsewhere (gap). An \
            episode shorter than a window gets a skip record.

            Writes dense_multiscale_windows.jsonl, dataset_manifest.json, hierarchical_label_stats.json, \
            split_scale_counts.csv and RUN_REPORT.md. --protocol strict (default) matches family keywords as \
            words, adds label_weight (1 exact/overlap, 0 gap) to every row and split_scale_provenance_counts.csv; \
            --protocol reference writes the reference builder's files. source.dataset_jsonl is DATASET as given.

            Examples:
              xp-dense-index export --out dense
              xp-dense-index export/dataset.jsonl --out dense --protocol reference --force
              xp-dense-index export --out dense20 --scale dense_20f_stride10:20:10
            """
    )

    @Argument(help: "dataset.jsonl (or .jsonl.zst) of a sparse export, or its folder.")
    var dataset: String

    @Option(help: "Output folder (a non-empty one is refused without --force).")
    var out: String

    @Option(help: ArgumentHelp("A scale id:window:stride, repeatable (default: dense_20f_stride10:20:10, medium_40f_stride20:40:20, long_80f_stride40:80:40).", valueName: "spec"))
    var scale: [String] = []

    @Option(help: "Run id in every row and the manifest.")
    var runID: String = DenseIndexOptions.defaultRunID

    @Flag(help: "Write into a non-empty --out (files of the same names are replaced).")
    var force = false

    @Option(help: ArgumentHelp("reference or strict.", valueName: "protocol"))
    var `protocol`: String = "strict"

    @Option(help: ArgumentHelp("created_at in the manifest (default: now, UTC, Python isoformat).", valueName: "text"))
    var createdAt: String?

    enum Limits {
        static let frames = 1...1_000_000
    }

    func parsedScales() throws -> [DenseScale] {
        guard !scale.isEmpty else { return DenseScale.defaults }
        return try scale.map { spec in
            do { return try DenseScale(parsing: spec) } catch { throw ValidationError("--scale: \(error)") }
        }
    }

    func validate() throws {
        guard AnalysisProtocol(rawValue: `protocol`) != nil else { throw ValidationError("--protocol must be reference or strict, found '\(`protocol`)'") }
        let scales = try parsedScales()
        for s in scales {
            try Bounds.check(s.window, "--scale \(s.id) window", in: Limits.frames)
            try Bounds.check(s.stride, "--scale \(s.id) stride", in: Limits.frames)
        }
        do { try DenseIndexOptions(scales: scales, datasetPath: dataset).validate() } catch { throw ValidationError("--scale: \(error)") }
        guard !runID.isEmpty else { throw ValidationError("--run-id must not be empty") }
    }

    func run() throws {
        let fm = FileManager.default
        let path: String
        do { path = try JSONOutput.datasetPath(dataset) } catch { throw ToolError("\(error)") }
        let outURL = URL(fileURLWithPath: out)
        try Tool.checkOutput(outURL, option: "--out")
        if !force, let entries = try? fm.contentsOfDirectory(atPath: outURL.path), !entries.isEmpty {
            throw ToolError("--out \(out) is not empty; pass --force to write into it")
        }
        let options = DenseIndexOptions(scales: try parsedScales(), runID: runID, analysisProtocol: AnalysisProtocol(rawValue: `protocol`) ?? .strict,
                                        datasetPath: path, createdAt: createdAt)
        let seeds = try DenseIndex.loadSeeds(path)
        guard !seeds.isEmpty else { throw ToolError("\(path) holds no rows") }
        let index = DenseIndex.build(seeds: seeds, options: options)
        try DenseIndexWriter.write(index, to: outURL, force: force)
        let kinds = index.provenanceCounts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ")
        Tool.note("\(index.rows.count) dense windows of \(index.episodes.count) episodes from \(seeds.count) sparse rows (\(kinds)); \(index.skipped.count) skipped")
        print(out)
    }
}

Tool.main(XPDenseIndex.self)
