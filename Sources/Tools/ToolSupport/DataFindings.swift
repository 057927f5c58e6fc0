import ArgumentParser
import EpisodeIO
import Foundation

/// What a tool does when the quality pass finds bad data in its inputs.
public enum OnBadData: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Report the findings and go on with bad values masked.
    case warn
    /// Report the findings and stop (exit 1) before writing anything, when any is a warning or an error.
    case error
}

/// `--on-bad-data`, shared by every tool that reads episodes.
public struct BadDataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("warn: report data-quality findings on stderr and go on with bad values masked; error: stop before writing anything when a finding is a warning or an error.",
                               valueName: "warn|error"))
    public var onBadData: OnBadData = .warn

    public init() {}
}

/// Reporting findings the same way in every tool.
public enum DataFindings {
    /// The quality findings of the episode at `path` that touch `modalities` (all when nil).
    public static func check(_ path: String, modalities: Set<Modality>? = nil, frameNames: [String]? = nil,
                             captionRules: CaptionRules = .current, media: Bool = true) -> [QualityFinding] {
        var options = QualityOptions(frameNames: frameNames, captionRules: captionRules)
        if !media { options.mediaStreams = [] }
        let report = EpisodeQualityReport.check(path: path, options: options)
        let findings = report.findings.ordered
        guard let modalities else { return findings }
        return findings.touching(modalities)
    }

    /// Prints the warnings and errors of `findings` on stderr, one line each (never hidden by
    /// `--quiet`; infos go to the tools' JSON outputs and `xp-qa` only).
    public static func print(_ findings: [QualityFinding]) {
        for finding in findings where finding.severity >= .warning { Tool.note(finding.description) }
    }

    /// Prints `findings`, then stops when `mode` is `error` and one of them is a warning or
    /// worse, and in any mode when one makes the episode unusable: an error about the file as a
    /// whole (unreadable, corrupt root) or a timeline without frames.
    public static func report(_ findings: [QualityFinding], mode: OnBadData, stopOnNoFrames: Bool = true) throws {
        print(findings)
        if let fatal = findings.first(where: { $0.severity == .error && ($0.modality == nil || (stopOnNoFrames && $0.check == .noFrames)) }) {
            throw ToolError("\(fatal.file): the episode is unusable ([\(fatal.check)] \(fatal.dataset ?? "the file"): \(fatal.found)). Nothing was written.")
        }
        let bad = findings.filter { $0.severity >= .warning }
        if mode == .error, !bad.isEmpty {
            throw ToolError("\(bad.count) data-quality finding\(bad.count == 1 ? "" : "s") (first: [\(bad[0].check)] \(bad[0].dataset ?? bad[0].file)) and --on-bad-data error: nothing was written. Run `xp-qa` for the full report, or pass --on-bad-data warn to go on with bad values masked.")
        }
    }
}

extension DataFindings {
    /// Checks every episode of `inputs` (progress on stderr for several), prints the findings,
    /// stops under `--on-bad-data error`, and returns them in input order.
    public static func gate(_ inputs: [URL], mode: OnBadData, captionRules: CaptionRules, media: Bool, quiet: Bool) throws -> [[QualityFinding]] {
        let progress = Progress("quality checks", total: inputs.count, quiet: quiet || inputs.count < 2)
        var all: [[QualityFinding]] = []
        for (k, url) in inputs.enumerated() {
            all.append(check(url.path, captionRules: captionRules, media: media))
            progress.update(k + 1)
        }
        try report(all.flatMap { $0 }, mode: mode)
        return all
    }
}
