import Foundation
import Report
import Testing

/// The report of a small strict suite run written by the test: the page is well-formed
/// XHTML, every chart's marks sit where the scale formula puts them (worked out by hand
/// from the layout constants), and an interval is printed only beside the number it describes.
@Suite("Report of a suite run")
struct SuiteReportTests {
    static func rendered() throws -> (html: String, markup: Markup) {
        let html = try RunReport.render(RunReport.Options(folder: try TestFolders.suite()))
        return (html, Markup.parse(html))
    }

    @Test("the page parses as XML, has the suite's sections, no script and no external resource")
    func wellFormed() throws {
        let (html, m) = try Self.rendered()
        #expect(m.error == nil, "\(m.error ?? "")")
        let ids = m.elements.filter { $0.name == "section" }.compactMap { $0.attributes["id"] }
        #expect(ids == ["summary", "confusion", "timeline", "trajectories", "provenance", "inputs"])
        #expect(!m.elements.contains { $0.name == "script" || $0.name == "link" || $0.name == "img" })
        #expect(!html.contains("http://") || !html.replacingOccurrences(of: "http://www.w3.org/", with: "").contains("http://"))
        #expect(!html.contains("https://"))
        #expect(!html.contains("/tmp/") && !html.contains(FileManager.default.temporaryDirectory.path), "the page names no machine path")
    }

    @Test("summary bars: 0.55 and 0.7 of 720 px from x = 310, rows 34 px apart, baselines at 0.25 and 0.5")
    func summaryBars() throws {
        let (_, m) = try Self.rendered()
        let svg = try #require(m.svgIndex(labelled: "Minimal heads: primary metric"))
        let bars = m.marks(svg: svg, "rect", cssClass: "bar")
        #expect(bars.count == 2)   // timeline_action, temporal_order (mpjpe is on its own axis)
        #expect(bars.map { num($0, "x") } == [310, 310])
        #expect(bars.map { num($0, "width") } == [396, 504])      // 0.55·720, 0.7·720
        #expect(bars.map { num($0, "y") } == [80, 114])           // 78 + 34·i + 2
        let baselines = m.marks(svg: svg, "line", cssClass: "baseline")
        #expect(baselines.map { num($0, "x1") } == [490, 670])    // 310 + 0.25·720 (max of 0.2, 0.25), 310 + 0.5·720
        let ticks = m.marks(svg: svg, "line", cssClass: "tick")
        #expect(ticks.map { num($0, "x1") } == [310, 454, 598, 742, 886, 1030])
        #expect(num(m.elements[m.elements.firstIndex { $0.name == "svg" && $0.svg == svg } ?? 0], "height") == Double(78 + 34 * 2 + 70))

        let errors = try #require(m.svgIndex(labelled: "Minimal heads: error metrics"))
        let errorBars = m.marks(svg: errors, "rect", cssClass: "bar")
        #expect(errorBars.map { num($0, "width") } == [576])      // 0.8 of an axis ending at the nice 1.0
        #expect(m.marks(svg: errors, "line", cssClass: "baseline").map { num($0, "x1") } == [1030])

        let neural = try #require(m.svgIndex(labelled: "Neural heads (MLP): primary metric"))
        #expect(m.marks(svg: neural, "rect", cssClass: "bar").map { num($0, "width") } == [288])   // 0.4·720
        #expect(m.marks(svg: neural, "line", cssClass: "baseline").map { num($0, "x1") } == [454])  // 310 + 0.2·720
    }

    @Test("intervals: today's first-seed interval beside seed 7's value, never beside the mean; strict-II's beside the value")
    func intervals() throws {
        let (html, _) = try Self.rendered()
        #expect(html.contains("<td>0.5500 ± 0.0500 (mean ± std, 2 seeds)</td>"))
        #expect(html.contains("<td>[0.5000, 0.7000]</td><td>seed 7&#39;s value 0.6000 (95 %, bootstrap over test samples, block 4)</td>"))
        #expect(html.contains("<td>[0.7000, 0.9000]</td><td>the value shown (95 %, block bootstrap over samples and seeds, block 4)</td>"))
        #expect(html.contains("<td>last_pose</td><td class=\"num\">1.0000</td><td>yes</td>"))
        #expect(html.contains("<td>chance</td><td class=\"num\">0.5000</td><td>no</td>"))
        #expect(html.contains("<td>auroc</td>"), "a pair task's primary_metric key wins")
    }

    @Test("timeline: 7 segments and 2 boundaries at x = 190 + frame/39 · 890")
    func timeline() throws {
        let (_, m) = try Self.rendered()
        let svg = try #require(m.svgIndex(labelled: "Episode timeline"))
        let segments = m.marks(svg: svg, "rect", cssClass: "segment")
        #expect(segments.count == 7)   // action A, B, (none); subtask S, T; two predictions
        let x = { (f: Double) in (((190 + f / 39 * 890) * 100).rounded(.toNearestOrEven)) / 100 }
        #expect(segments.map { num($0, "x") } == [0, 10, 20, 0, 15, 15, 20].map(x))
        // Action A spans frames 0…24 (windows 0 and 1): 24/39 · 890 = 547.69.
        #expect(num(segments[0], "width") == 547.69)
        #expect(segments[5].attributes["fill"] == "#2e7d32" && segments[6].attributes["fill"] == "#c62828")
        #expect(m.marks(svg: svg, "line", cssClass: "boundary").map { num($0, "x1") } == [x(10), x(20)])
    }

    @Test("trajectories: per test window 4 lines of 2 points, placed on the nice-tick scales")
    func trajectories() throws {
        let (_, m) = try Self.rendered()
        let svg = try #require(m.svgIndex(labelled: "minimal: window 3"))
        #expect(m.marks(svg: svg, "polyline", cssClass: "series").count == 4)
        let points = m.marks(svg: svg, "circle", cssClass: "point")
        #expect(points.count == 8)
        // x ticks 1.0…2.0 onto 70…610; y ticks −2…2 onto 270…60. Left wrist true (2, 1): (610, 112.5).
        #expect(num(points[1], "cx") == 610 && num(points[1], "cy") == 112.5)
        #expect(num(points[0], "cx") == 70 && num(points[0], "cy") == 165)   // (1, 0)
        #expect(m.svgIndex(labelled: "minimal: window 4") != nil)
    }

    @Test("confusion: a 3 × 3 heat map of counts, filled by row fraction; per-class F1 with seen/unseen")
    func confusion() throws {
        let (html, m) = try Self.rendered()
        let svg = try #require(m.svgIndex(labelled: "Action Recognition (minimal): confusion"))
        let cells = m.marks(svg: svg, "rect", cssClass: "cell")
        #expect(cells.count == 9)
        // Row A = 3, 1, 0 of 4: fractions 0.75 → heat rgb(255−170.25, 255−137.25, 255−93.75) truncated.
        #expect(cells.first?.attributes["fill"] == "rgb(84,117,161)")
        #expect(num(cells[4], "x") == 280 + 42 && num(cells[4], "y") == 190 + 24)
        #expect(html.contains("<td>C</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0.0000</td><td class=\"num\">0.0000</td><td class=\"num\">0.0000</td><td>unseen</td>"))
    }

    @Test("a folder that is no run folder fails naming the files expected; a broken JSON names its line")
    func errors() throws {
        let empty = try TestFolders.scratch("empty")
        try TestFolders.write("x", empty, "notes.txt")
        #expect(throws: ReportError.self) { try RunReport.render(RunReport.Options(folder: empty)) }
        do {
            _ = try RunReport.render(RunReport.Options(folder: empty))
        } catch {
            #expect("\(error)".contains("summary_report.json") && "\(error)".contains("notes.txt"))
        }
        let broken = try TestFolders.scratch("broken")
        try TestFolders.write("{\n\"tasks\": {,\n}", broken, "summary_report.json")
        do {
            _ = try RunReport.render(RunReport.Options(folder: broken))
            Issue.record("a broken summary must fail")
        } catch {
            #expect("\(error)".contains("summary_report.json line 2"), "\(error)")
        }
    }
}
