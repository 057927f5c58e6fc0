import ArgumentParser
import EpisodeIO
import Foundation
import TaskContracts
import ToolSupport
import XPCore

/// `xp-qa`: value-level data-quality findings for one episode or every episode under a root.
struct XPQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-qa",
        abstract: "Check episodes' values, clocks, captions and media; report every finding with its file, dataset and rows.",
        discussion: """
            PATH is an episode folder (annotation.hdf5 and the MP4s), an annotation.hdf5 file, or a dataset root: \
            every folder below it holding an annotation.hdf5 is checked, and a summary follows (findings by kind, \
            episodes usable per task, per session; the session is the folder above the episode's).

            Without --decode the MP4 containers are only probed (frame count, size, audio); --decode decodes every \
            video frame and compares its presentation time with the frame clock.

            Exit status: 1 when a finding is at or above --fail-on (default: error), 0 otherwise, 2 for usage errors.

            Examples:
              xp-qa ~/data/xperience-10m-sample
              xp-qa ~/data/xperience-10m --json > qa.json
              xp-qa ep1 --decode --fail-on warning
              xp-qa trim/annotation.hdf5 --timeline sample_frame_names.txt
            """
    )

    enum FailOn: String, ExpressibleByArgument, CaseIterable { case error, warning, never }

    @Argument(help: "Episode folder, annotation.hdf5, or a dataset root.")
    var path: String

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @Option(help: ArgumentHelp("Exit 1 when a finding is at least this severe: error, warning or never.", valueName: "severity"))
    var failOn: FailOn = .error

    @Flag(help: "Decode every video frame too (slow; shows progress).")
    var decode = false

    @Option(help: "Resolve caption references against this frame-name file (one name per line), e.g. the full timeline of a trimmed file.")
    var timeline: String?

    @Option(help: ArgumentHelp("Caption frame-reference rules whose resolution is checked: current or release.", valueName: "rules"))
    var rules: String = "current"

    @Option(help: ArgumentHelp("All-zero rows of IMU, body, poses or depth above this share of the rows are a warning (0...1).", valueName: "share"))
    var zeroRowShare: Double = 0.5

    @Option(help: ArgumentHelp("Clock offsets above this many seconds are drift (0.001...60).", valueName: "seconds"))
    var driftTolerance: Double = 0.1

    @Option(help: ArgumentHelp("Findings printed per episode in the table (the JSON has all; 1...100000).", valueName: "n"))
    var maxFindings: Int = 20

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func validate() throws {
        guard CaptionRules(rawValue: rules) != nil else { throw ValidationError("--rules must be current or release, found '\(rules)'") }
        guard zeroRowShare.isFinite, (0...1).contains(zeroRowShare) else { throw ValidationError("--zero-row-share must be in 0...1, found \(zeroRowShare)") }
        guard driftTolerance.isFinite, (0.001...60).contains(driftTolerance) else {
            throw ValidationError("--drift-tolerance must be in 0.001...60 seconds, found \(driftTolerance)")
        }
        guard (1...100_000).contains(maxFindings) else { throw ValidationError("--max-findings must be in 1...100000, found \(maxFindings)") }
    }

    func run() throws {
        var names: [String]? = nil
        if let timeline {
            do throws(EpisodeError) { names = try Episode.readTimeline(path: timeline) } catch { throw ToolError("--timeline: \(error.description)") }
        }
        let targets = try EpisodeDiscovery.episodes(at: path)
        let isQuiet = quiet
        var reports: [EpisodeQualityReport] = []
        let progress = Progress("xp-qa", total: targets.count, quiet: quiet || targets.count == 1)
        for (k, target) in targets.enumerated() {
            var options = QualityOptions(decode: decode, frameNames: names, captionRules: CaptionRules(rawValue: rules) ?? .current,
                                         zeroRowShare: zeroRowShare, driftToleranceSeconds: driftTolerance)
            if decode && !isQuiet {
                let last = LastLine()
                options.progress = { (label: String, done: Int, total: Int) in
                    guard label.hasPrefix("decode"), last.due() || done == total else { return }
                    Tool.note(String(format: "%@: %d/%d frames", label, done, total))
                }
            }
            reports.append(EpisodeQualityReport.check(path: target, options: options))
            progress.update(k + 1)
        }
        let summary = DatasetSummary(reports: reports, root: path)
        if json {
            let document: JSONValue = .object([
                ("tool", .string("xp-qa")),
                ("path", .string(path)),
                ("options", .object([("decode", .bool(decode)), ("rules", .string(rules)), ("zero_row_share", .double(zeroRowShare)),
                                     ("drift_tolerance_seconds", .double(driftTolerance)), ("fail_on", .string(failOn.rawValue))])),
                ("episodes", .array(reports.map(\.json))),
                ("summary", summary.json),
            ])
            FileHandle.standardOutput.write(Data((document.pythonJSON(indent: 2) + "\n").utf8))
        } else {
            print(render(reports, summary: summary))
        }
        let threshold: QualitySeverity? = failOn == .never ? nil : (failOn == .error ? .error : .warning)
        if let threshold, reports.contains(where: { ($0.worstSeverity ?? .info) >= threshold && !$0.findings(atLeast: threshold).isEmpty }) {
            throw ExitCode(1)
        }
    }

    func render(_ reports: [EpisodeQualityReport], summary: DatasetSummary) -> String {
        var lines: [String] = []
        for report in reports {
            let counts = QualitySeverity.allCases.reversed().map { s in (s, report.findings.filter { $0.severity == s }.count) }.filter { $0.1 > 0 }
            let tally = counts.isEmpty ? "no findings" : counts.map { "\($0.1) \($0.0.rawValue)\($0.1 == 1 ? "" : "s")" }.joined(separator: ", ")
            lines.append("Episode  \(report.episode)   " + (report.frames.map { "\($0) frames   " } ?? "") + tally + String(format: "   (%.2f s)", report.seconds))
            for offset in report.clockOffsets {
                lines.append(String(format: "  clock    %@: median %+.4f s, max |%.4f| s over %d", offset.clocks, offset.medianSeconds, offset.maxSeconds, offset.samples))
            }
            let ordered = report.findings.ordered
            for finding in ordered.prefix(maxFindings) { lines.append("  " + finding.description) }
            if ordered.count > maxFindings { lines.append("  … \(ordered.count - maxFindings) more (--max-findings, or --json for all)") }
        }
        if reports.count > 1 { lines.append(""); lines += summary.lines }
        return lines.joined(separator: "\n")
    }
}

/// Rate-limits progress lines to one a second.
final class LastLine: @unchecked Sendable {
    var last = Date.distantPast
    func due() -> Bool {
        let now = Date()
        guard now.timeIntervalSince(last) >= 1 else { return false }
        last = now
        return true
    }
}

Tool.main(XPQA.self)
