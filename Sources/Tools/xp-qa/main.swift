import ArgumentParser
import EpisodeIO
import Foundation
import ToolSupport

/// `xp-qa`: value-level data-quality findings for an episode or a dataset root.
struct XPQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-qa",
        abstract: "Check an episode's values, clocks, captions and media (being written, issue 12)."
    )

    @Argument(help: "Episode folder, annotation.hdf5, or a dataset root.")
    var path: String

    func run() throws {
        let report = EpisodeQualityReport.check(path: path)
        for finding in report.findings.ordered { print(finding) }
    }
}

Tool.main(XPQA.self)
