import ArgumentParser
import Exporters
import Foundation
import ToolSupport
import XPCore

/// `xp-index`: the model-neutral window index of a Qwen export.
struct XPIndex: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-index",
        abstract: "Write window_index.jsonl and window_index_manifest.json: one backbone-neutral record per exported window.",
        discussion: """
            DATASET is an export folder from xp-export-qwen or its dataset.jsonl (or .jsonl.zst). Each record \
            names the window's media, sensor-feature pointer, language and supervision, with views for \
            Qwen3-Omni LoRA, a Cosmos world model and a policy/VLA branch, so any trainer reads the same windows.

            Examples:
              xp-index export
              xp-index export/dataset.jsonl --out index
            """
    )

    @Argument(help: "Export folder or dataset.jsonl.")
    var dataset: String

    @Option(help: "Output folder (default: the dataset's folder).")
    var out: String?

    @Option(help: "Run id in the manifest.")
    var runID: String = "xperience10m_window_index"

    func run() throws {
        let url: URL
        do { url = URL(fileURLWithPath: try JSONOutput.datasetPath(dataset)) } catch { throw ToolError("\(error)") }
        let outURL = out.map(URL.init(fileURLWithPath:))
        if let outURL { try Tool.checkOutput(outURL, option: "--out") }
        let summary = try WindowIndex.build(dataset: url, out: outURL, runID: runID)
        Tool.note("indexed \(summary.records) records of \(summary.episodes) episodes")
        print(summary.indexURL.path)
    }
}

Tool.main(XPIndex.self)
