import ArgumentParser
import Foundation
import Report
import ToolSupport

/// `xp-report`: one self-contained `report.html` from a run folder.
struct XPReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-report",
        abstract: "Render one self-contained report.html (tables and inline SVG charts) from a run folder.",
        discussion: """
            RUN_DIR is what xp-suite, xp-diagnose, xp-eval-json or xp-error-analysis wrote (its \
            --out), or a folder holding several of them one level down (e.g. a package with eval/ \
            and analysis/). The kind is found from the files: summary_report.json (suite), \
            diagnostics.json or its CSVs (diagnose), metrics.json with per_class_metrics.csv \
            (evaluation), error_analysis_summary.json (error analysis).

            The page needs no script and no network: inline SVG and CSS only. Every number on a \
            chart is also in the table beside it. Strict runs show each task's primary metric \
            with its direction and strongest baseline; reference runs show score rule A of the \
            reference's charts (clipping included), naming the metric plotted. An interval is \
            printed only beside the number it describes.

            Examples:
              xp-report outputs/xp-suite-strict
              xp-report outputs/xp-suite-strict --features .xp-cache/synthetic-5821f-seed7/features-strict
              xp-report results/qwen-v3 --out qwen-v3.html
            """
    )

    @Argument(help: "The run folder.")
    var runDir: String

    @Option(help: "Output file (default: RUN_DIR/report.html).")
    var out: String?

    @Option(help: ArgumentHelp("An xp-features output folder (features.npy) for the timeline's per-block feature energy.", valueName: "dir"))
    var features: String?

    @Option(help: "Page title (default: the run folder's name).")
    var title: String?

    @Flag(help: "No progress on stderr.")
    var quiet = false

    var outputURL: URL { URL(fileURLWithPath: out ?? URL(fileURLWithPath: runDir).appendingPathComponent("report.html").path) }

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("RUN_DIR \(runDir) is not a folder; pass the folder a run wrote (its --out)")
        }
        if let features {
            guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: features).appendingPathComponent("features.npy").path) else {
                throw ValidationError("--features \(features) has no features.npy; pass an xp-features output folder")
            }
        }
        if let out, out.isEmpty { throw ValidationError("--out must name a file") }
    }

    func run() throws {
        try Tool.checkOutput(outputURL, option: "--out", kind: .file)
        let start = Date()
        let options = RunReport.Options(folder: URL(fileURLWithPath: runDir), features: features.map { URL(fileURLWithPath: $0) }, title: title)
        let bytes = try RunReport.write(options, to: outputURL)
        if !quiet {
            Tool.note(String(format: "wrote %@ (%d bytes) in %.2f s", outputURL.path, bytes, Date().timeIntervalSince(start)))
        }
    }
}

Tool.main(XPReport.self)
