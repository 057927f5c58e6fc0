import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import XPTestSupport

/// `xp-report` end to end, and `xp-suite` writing `report.html` beside `summary.md`.
@Suite("xp-report tool")
struct ReportToolTests {
    /// Whether `text` is well-formed XML once the DOCTYPE line is dropped.
    static func wellFormed(_ text: String) -> Bool {
        let body = text.hasPrefix("<!DOCTYPE html>") ? String(text.dropFirst("<!DOCTYPE html>".count)) : text
        return XMLParser(data: Data(body.utf8)).parse()
    }

    @Test("xp-report --help: abstract, discussion and an example")
    func help() throws {
        let run = try Tools.run("xp-report", ["--help"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("USAGE: xp-report") && run.stdout.contains("Examples:") && run.stdout.contains("\n  xp-report "), "\(run)")
    }

    @Test("usage errors exit 2 before any work: a missing folder, --features without features.npy")
    func usage() throws {
        let work = try Scratch.folder("report-usage")
        let missing = try Tools.run("xp-report", [work.appendingPathComponent("nope").path], in: work)
        #expect(missing.status == 2 && missing.stderr.contains("is not a folder"), "\(missing)")
        let features = try Tools.run("xp-report", [work.path, "--features", work.path], in: work)
        #expect(features.status == 2 && features.stderr.contains("no features.npy"), "\(features)")
        let unknown = try Tools.run("xp-report", [work.path], in: work)
        #expect(unknown.status == 1 && unknown.stderr.contains("not a run folder"), "\(unknown)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("report.html").path), "a failed run wrote a report")
    }

    @Test("xp-suite writes report.html by default and not with --no-report; xp-report renders the run with feature energy")
    func suiteAndReport() throws {
        let work = try Scratch.folder("report-suite")
        let out = work.appendingPathComponent("suite")
        let common = ["--episode", try SharedEpisode.episode().path, "--features", try SharedEpisode.featureFolder().path,
                      "--seeds", "7", "--heads", "minimal", "--tasks", "timeline_action,transition_detection", "--quiet"]
        let suite = try Tools.run("xp-suite", common + ["--out", out.path], in: work)
        #expect(suite.status == 0, "\(suite)")
        let report = out.appendingPathComponent("report.html")
        let html = try String(contentsOf: report, encoding: .utf8)
        #expect(Self.wellFormed(html))
        #expect(html.contains("<section id=\"summary\">") && html.contains("<section id=\"timeline\">") && html.contains("<section id=\"provenance\">"))
        #expect(html.contains("Action Recognition") && html.contains("Action Boundary Detection"))

        let plain = work.appendingPathComponent("plain")
        let noReport = try Tools.run("xp-suite", common + ["--out", plain.path, "--no-report"], in: work)
        #expect(noReport.status == 0, "\(noReport)")
        #expect(FileManager.default.fileExists(atPath: plain.appendingPathComponent("summary.md").path))
        #expect(!FileManager.default.fileExists(atPath: plain.appendingPathComponent("report.html").path))

        let file = work.appendingPathComponent("r.html")
        let run = try Tools.run("xp-report", [plain.path, "--out", file.path, "--features", try SharedEpisode.featureFolder().path], in: work)
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("wrote ") && run.stderr.contains("bytes"), "\(run)")
        let energy = try String(contentsOf: file, encoding: .utf8)
        #expect(Self.wellFormed(energy))
        // 18 blocks, one energy lane each.
        #expect(energy.components(separatedBy: "fill=\"#222\">energy: ").count - 1 == 18, "one lane label per feature block")
        #expect(!Scratch.entries(work).contains { $0.hasPrefix(".") || $0.contains("tmp") }, "temporary files left: \(Scratch.entries(work))")
    }
}
