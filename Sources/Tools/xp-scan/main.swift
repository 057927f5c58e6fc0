import ArgumentParser
import EpisodeIO
import Exporters
import Foundation
import ToolSupport
import WindowAlign
import XPCore

/// `xp-scan`: the manifest of a multi-episode dataset.
struct XPScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-scan",
        abstract: "Scan a dataset root into episode_manifest.json: files, modalities, frames, labels, quality findings, and every skipped episode with its reason.",
        discussion: """
            ROOT holds <session>/ep<k>/ episode folders (what `xp-fixture --dataset K` writes). Every folder \
            holding annotation.hdf5 or an episode MP4 is listed; an episode that cannot be exported (no \
            annotation, an unreadable file, no caption, no labelled window) is listed under "skipped" with \
            the reason, and the reasons are printed. Episodes are identified everywhere as <session>__<epN>.

            No video frame is read. The quality pass checks structure, clocks, captions, MP4 headers and the \
            values of every dataset up to --max-scan-mib (the depth frames are checked for shape only by \
            default); pass --no-qa to skip it.

            Examples:
              xp-fixture --size tiny --dataset 8 --out dataset
              xp-scan dataset --out scan
              xp-scan ~/data/xperience-10m --out scan --jobs 16
              xp-scan dataset --out scan --window 40 --stride 20
            """
    )

    @Argument(help: "Dataset root.")
    var root: String

    @Option(help: "Output folder (episode_manifest.json).")
    var out: String

    @Option(parsing: .unconditional, help: "Frames per window for the label statistics, in \(Bounds.text(Limits.window)).")
    var window: Int = 20

    @Option(parsing: .unconditional, help: "Frames between window starts, in \(Bounds.text(Limits.window)).")
    var stride: Int = 20

    @Option(help: ArgumentHelp("Share of a window's labelled frames its majority label needs (0...1).", valueName: "share"))
    var minLabelFraction: Double = 0.6

    @Option(help: ArgumentHelp("Caption frame-reference rules: current or release.", valueName: "rules"))
    var captionRules: String = "current"

    @Flag(help: "Skip the quality pass (files, modalities and labels only).")
    var noQa = false

    @Option(parsing: .unconditional, help: "Datasets larger than this many MiB are checked for shape only, in \(Bounds.text(Limits.scanMiB)).")
    var maxScanMib: Int = 64

    @Option(parsing: .unconditional, help: "Episodes scanned at once (default: one per core), in \(Bounds.text(Limits.jobs)).")
    var jobs: Int?

    @Flag(help: "Replace an existing manifest.")
    var overwrite = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    enum Limits {
        static let window = 1...100_000
        static let scanMiB = 0...1_048_576
        static let jobs = 1...256
    }

    func validate() throws {
        try Bounds.check(window, "--window", in: Limits.window)
        try Bounds.check(stride, "--stride", in: Limits.window)
        try Bounds.check(maxScanMib, "--max-scan-mib", in: Limits.scanMiB)
        try Bounds.check(jobs, "--jobs", in: Limits.jobs)
        guard minLabelFraction.isFinite, (0...1).contains(minLabelFraction) else { throw ValidationError("--min-label-fraction must be in 0...1, found \(minLabelFraction)") }
        guard CaptionRules(rawValue: captionRules) != nil else { throw ValidationError("--caption-rules must be current or release, found '\(captionRules)'") }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        try Tool.checkOutput(outURL, option: "--out")
        let manifestURL = outURL.appendingPathComponent("episode_manifest.json")
        if FileManager.default.fileExists(atPath: manifestURL.path), !overwrite {
            throw ToolError("\(manifestURL.path) exists; pass --overwrite to replace it")
        }
        let options = ScanOptions(windowSpec: WindowSpec(size: window, stride: stride, minLabelFraction: minLabelFraction),
                                  captionRules: CaptionRules(rawValue: captionRules) ?? .current, qualityPass: !noQa,
                                  maxScanBytes: maxScanMib << 20)
        let folders = try DatasetEpisodes.find(root: URL(fileURLWithPath: root))
        let progress = Progress("xp-scan", total: folders.count, quiet: quiet)
        let started = Date()
        let entries = DatasetScan.scan(folders, options: options, workers: jobs ?? 0) { done, _ in progress.update(done) }
        let scan = DatasetScan(root: URL(fileURLWithPath: root).standardizedFileURL.path, options: options, entries: entries)
        try scan.write(to: manifestURL)
        let seconds = Date().timeIntervalSince(started)
        for e in scan.skipped { Tool.note("skipped \(e.key): \(e.skipReason ?? "")") }
        let warnings = entries.reduce(0) { $0 + $1.findings.filter { $0.severity == .warning }.count }
        let errors = entries.reduce(0) { $0 + $1.findings.filter { $0.severity == .error }.count }
        Tool.note(String(format: "scanned %d episodes (%d usable, %d skipped; %d errors, %d warnings) in %.2f s (%.3f s per episode)",
                         entries.count, scan.usable.count, scan.skipped.count, errors, warnings, seconds, seconds / Double(max(entries.count, 1))))
        print(manifestURL.path)
    }
}

Tool.main(XPScan.self)
