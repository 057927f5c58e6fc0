import ArgumentParser
import EpisodeIO
import Foundation
import ToolSupport
import WindowAlign

/// `xp-windows`: the labelled windows of an episode as the reference's windows.csv.
struct XPWindows: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-windows",
        abstract: "Cut an episode into labelled windows and write windows.csv.",
        discussion: """
            EPISODE is an episode folder or an annotation.hdf5 path. Labels are the majority action \
            and caption theme of each window (empty below --min-fraction of the labelled frames). \
            The CSV has the reference columns and byte-compatible formatting (CRLF, Python floats). \
            With --multiscale the scales are windowed independently and concatenated in scale \
            order; window_index runs over all of them.

            Examples:
              xp-windows ~/data/xperience-10m-sample > windows.csv
              xp-windows ep1 --window 40 --stride 10 --out windows_40.csv
              xp-windows ep1 --multiscale multiscale_20s10_40s20_80s40 --out windows_ms.csv
              xp-windows ep1/annotation.hdf5 --timeline frame_names.txt
            """
    )

    @Argument(help: "Episode folder or annotation.hdf5 path.")
    var episode: String

    @OptionGroup var windowing: WindowOptions

    @Option(help: "Write the CSV here instead of stdout (written to a temporary name, then renamed).")
    var out: String?

    @OptionGroup var badData: BadDataOptions

    func run() throws {
        // Before any work: the output file must be writable where it is named.
        if let out { try Tool.checkOutput(URL(fileURLWithPath: out), option: "--out", kind: .file) }
        let names = try windowing.frameNames()
        let plan = try windowing.plan()
        let rules = windowing.chosenCaptionRules ?? .current
        // Windows read only the frame timeline and the caption: report what touches those.
        let findings = DataFindings.check(episode, modalities: [.timeline, .captions], frameNames: names, captionRules: rules, media: false)
        try DataFindings.report(findings, mode: badData.onBadData)
        let ep = try Episode(path: episode)
        let result = try EpisodeFeatures.windows(episode: ep, plan: plan, frameNames: names, captionRules: rules)
        if let note = result.labelNote { Tool.note("warning: \(note)") }
        if result.windows.isEmpty {
            throw ToolError("\(ep.annotationPath): no window fits: the episode has \(names?.count ?? (try? ep.frameCount()) ?? 0) frames, shorter than one window of \(plan.smallestWindow) frames (see --window). Nothing was written.")
        }
        if let out {
            let url = URL(fileURLWithPath: out)
            try Tool.prepareOutputFolder(url.deletingLastPathComponent(), option: "the folder of --out")
            try WindowsCSV.write(result.windows, to: url)
            Tool.note("wrote \(result.windows.count) windows to \(out)")
        } else {
            FileHandle.standardOutput.write(Data(WindowsCSV.encode(result.windows).utf8))
        }
    }
}

Tool.main(XPWindows.self)
