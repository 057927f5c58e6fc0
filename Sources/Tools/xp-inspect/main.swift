import ArgumentParser
import EpisodeIO
import Foundation
import ToolSupport
import XPCore

/// `xp-inspect`: what an episode holds, what is missing, and its per-frame labels.
struct XPInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-inspect",
        abstract: "Summarise an Xperience-10M episode: sizes, modalities, captions and problems.",
        discussion: """
            PATH is an episode folder (holding annotation.hdf5 and the MP4s) or an annotation.hdf5 file.

            Examples:
              xp-inspect ~/data/xperience-10m-sample
              xp-inspect ep1/annotation.hdf5 --json > summary.json
              xp-inspect ep1 --tree
              xp-inspect trim/annotation.hdf5 --timeline sample_frame_names.txt --labels > labels.csv
            """
    )

    @Argument(help: "Episode folder or annotation.hdf5 path.")
    var path: String

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "List every group and dataset with shape, dtype and scalar values.")
    var tree = false

    @Flag(help: "Write per-frame labels as CSV (frame,action,subtask) to stdout.")
    var labels = false

    @Option(help: "Resolve the caption against this frame-name file (one name per line), e.g. the full timeline of a trimmed file.")
    var timeline: String?

    @Option(help: "Caption frame-reference rules: current or release.")
    var rules: String = "current"

    @OptionGroup var badData: BadDataOptions

    func validate() throws {
        guard CaptionRules(rawValue: rules) != nil else {
            throw ValidationError("--rules must be one of: \(CaptionRules.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if [json, tree, labels].filter({ $0 }).count > 1 {
            throw ValidationError("choose at most one of --json, --tree, --labels")
        }
    }

    func run() throws {
        let rules = CaptionRules(rawValue: self.rules) ?? .current
        let episode: Episode
        do { episode = try Episode(path: path) } catch {
            // The finding line too, so every tool reports an unreadable file the same way.
            DataFindings.print(DataFindings.check(path))
            throw error
        }
        let names = try timeline.map { try Episode.readTimeline(path: $0) }
        if tree {
            print(episode.tree().joined(separator: "\n"))
            return
        }
        if labels {
            let table = try episode.captions(rules: rules, frameNames: names)
            var csv = CSVWriter(lineTerminator: .lf)
            csv.writeRow(["frame", "action", "subtask"])
            for frame in table.frames.indices {
                csv.writeRow([String(frame), table.label(.action, frame: frame), table.label(.subtask, frame: frame)])
            }
            FileHandle.standardOutput.write(Data(csv.text.utf8))
            return
        }
        let summary = episode.summary(frameNames: names, rules: rules)
        // An episode without frames still has a summary worth printing; a damaged file does not.
        try DataFindings.report(summary.findings ?? [], mode: badData.onBadData, stopOnNoFrames: false)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(summary)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            print(render(summary))
        }
    }
}

func render(_ s: EpisodeSummary) -> String {
    var lines: [String] = []
    lines.append("Episode      \(s.file)")
    if let n = s.frames {
        var line = "Frames       \(n)"
        if let d = s.durationSeconds { line += String(format: "   duration %.2f s", d) }
        if let f = s.fpsEstimate { line += String(format: "   fps %.4f", f) }
        lines.append(line)
    }
    if let first = s.firstTimestamp, let last = s.lastTimestamp {
        lines.append("Timestamps   \(first) … \(last) ns")
    }
    lines.append("Schema       \(s.datasetsPresent)/\(s.datasetsExpected) datasets present" + (s.complete ? " (complete)" : ""))
    lines.append("Modalities")
    for m in s.modalities {
        let mark = m.usable ? "ok " : "-- "
        var line = "  \(mark) " + m.modality.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
        if let source = m.source { line += source }
        if let note = m.note { line += (m.source == nil ? "" : "  ") + "(\(note))" }
        lines.append(line)
    }
    if let c = s.captions {
        lines.append("Captions     \"\(c.mainTask)\"  \(c.resolvedSegments)/\(c.segments) segments resolved (\(c.rules) rules)")
        lines.append("  \(c.actions.count) actions, \(c.subtasks.count) subtasks, \(c.unlabelledFrames) unlabelled frames, \(c.actionBoundaries.count) action boundaries")
        for a in c.actions.prefix(40) { lines.append("    \(String(a.frames).padding(toLength: 6, withPad: " ", startingAt: 0)) \(a.label)") }
        if c.actions.count > 40 { lines.append("    … \(c.actions.count - 40) more") }
    }
    lines.append("Media")
    for m in s.media {
        var line = "  " + (m.status == "ok" ? "ok " : "-- ") + " " + m.file.padding(toLength: 18, withPad: " ", startingAt: 0)
        if let info = m.info, let v = info.video {
            line += "\(v.codec) \(v.width)x\(v.height) \(v.frameCount) frames"
            if let fps = v.fps { line += String(format: " %.5g fps", fps) }
            if let a = info.audio { line += ", audio \(a.codec) \(a.sampleRate) Hz \(a.channels) ch" } else { line += ", no audio" }
        } else {
            line += m.status == "missing" ? "missing" : (m.error ?? m.status)
        }
        lines.append(line)
    }
    if let findings = s.findings, !findings.isEmpty {
        let counts = QualitySeverity.allCases.reversed().compactMap { severity -> String? in
            let n = findings.filter { $0.severity == severity }.count
            return n == 0 ? nil : "\(n) \(severity.rawValue)\(n == 1 ? "" : "s")"
        }
        lines.append("Findings     \(counts.joined(separator: ", ")) (on stderr; `xp-qa` for the full report)")
    } else {
        lines.append("Findings     none")
    }
    if s.problems.isEmpty {
        lines.append("Problems     none")
    } else {
        lines.append("Problems")
        for p in s.problems { lines.append("  - \(p)") }
    }
    return lines.joined(separator: "\n")
}

Tool.main(XPInspect.self)
