import Foundation
import Testing
@testable import WindowAlign
import XPCore

@Suite("Windows and labels")
struct WindowsTests {
    @Test("majority label: the spec's test vectors")
    func majoritySpecVectors() {
        // ['a','a','b','','b','a'] → 5 non-empty, a = 3 → 3/5 = 0.6 ≥ 0.6.
        #expect(majorityLabel(["a", "a", "b", "", "b", "a"], minFraction: 0.6) == LabelVote(label: "a", fraction: 0.6))
        // ['a','b'] → tie 1:1, a seen first, 0.5 < 0.6 → "".
        #expect(majorityLabel(["a", "b"], minFraction: 0.6) == LabelVote(label: "", fraction: 0.5))
        // ['b','a','a','b'] min 0.4 → tie 2:2 goes to b (seen first), 0.5.
        #expect(majorityLabel(["b", "a", "a", "b"], minFraction: 0.4) == LabelVote(label: "b", fraction: 0.5))
    }

    @Test("majority label: empty frames do not count against the fraction")
    func majorityIgnoresEmpty() {
        let labels = Array(repeating: "x", count: 8) + Array(repeating: "", count: 12)
        #expect(majorityLabel(labels, minFraction: 0.6) == LabelVote(label: "x", fraction: 1.0))
        #expect(majorityLabel(["", ""], minFraction: 0.6) == LabelVote(label: "", fraction: 0))
        #expect(majorityLabel([String](), minFraction: 0.0) == LabelVote(label: "", fraction: 0))
    }

    @Test("per-frame label rule: strip, N/A in any case → empty")
    func frameLabelRule() {
        #expect(normalizedFrameLabel("  Pour coffee \n") == "Pour coffee")
        #expect(normalizedFrameLabel("n/A") == "")
        #expect(normalizedFrameLabel(" N/A ") == "")
        #expect(normalizedFrameLabel(nil) == "")
        #expect(normalizedFrameLabel("N/A/B") == "N/A/B")
    }

    @Test("reference windows: 5,821 frames → 1,161 windows, last starts at 5800")
    func referenceWindowCount() throws {
        let w = try buildWindows(frameCount: 5821, spec: .reference)
        #expect(w.count == 1161)
        #expect(w.first == Window(index: 0, start: 0, end: 19, center: 9))
        let last = try #require(w.last)
        #expect(last.start == 5800 && last.end == 5819 && last.center == 5809 && last.index == 1160)
        #expect(w[1].start == 5 && w[1].center == 14)
    }

    @Test("windows: fewer frames than W gives none; N == W gives one")
    func windowEdges() throws {
        #expect(try buildWindows(frameCount: 19, spec: .reference).isEmpty)
        #expect(try buildWindows(frameCount: 20, spec: .reference).count == 1)
        #expect(throws: WindowAlignError.self) { try buildWindows(frameCount: 100, spec: WindowSpec(size: 0, stride: 5)) }
        #expect(throws: WindowAlignError.self) { try buildWindows(frameCount: 100, spec: WindowSpec(size: 5, stride: 0)) }
    }

    @Test("labelled windows use the majority of their own 20 frames")
    func labelledWindows() throws {
        // Frames 0–11 "A", 12–24 "B". Window 0 (0–19): A 12, B 8 → A 0.6.
        // Window 1 (5–24): A 7, B 13 → B 0.65.
        let actions = Array(repeating: "A", count: 12) + Array(repeating: "B", count: 13)
        let subtasks = Array(repeating: "", count: 25)
        let w = try buildLabelledWindows(actionLabels: actions, subtaskLabels: subtasks, spec: .reference)
        #expect(w.count == 2)
        #expect(w[0].action == "A" && w[0].actionFraction == 0.6)
        #expect(w[1].action == "B" && w[1].actionFraction == 0.65)
        #expect(w[0].subtask == "" && w[0].subtaskFraction == 0)
    }

    @Test("multiscale spec: syntax, scale ids and counts")
    func multiscale() throws {
        let spec = try MultiscaleSpec(parsing: "multiscale_20s10_40s20_80s40")
        #expect(spec.scales.map(\.size) == [20, 40, 80])
        #expect(spec.scales.map(\.stride) == [10, 20, 40])
        #expect(spec.scales.map(\.scaleID) == ["dense_20f_stride10", "medium_40f_stride20", "long_80f_stride40"])
        // N = 5821: (5801/10)+1 = 581, (5781/20)+1 = 290, (5741/40)+1 = 144.
        #expect(spec.windowCount(frameCount: 5821) == 581 + 290 + 144)
        #expect(spec.windowCount(frameCount: 30) == 2)  // only the 20/10 scale fits: starts 0, 10
        for bad in ["20s10", "multiscale", "multiscale_", "multiscale_20x10", "multiscale_20s0",
                    "multiscale_20s10_20s10", "multiscale_s10", "multiscale_-20s10"] {
            #expect(throws: WindowAlignError.self) { try MultiscaleSpec(parsing: bad) }
        }
    }
}

@Suite("windows.csv")
struct WindowsCSVTests {
    @Test("Python float repr")
    func floatRepr() {
        #expect(pythonFloatRepr(1.0) == "1.0")
        #expect(pythonFloatRepr(0.55) == "0.55")
        #expect(pythonFloatRepr(0.0) == "0.0")
        #expect(pythonFloatRepr(2.0 / 3.0) == "0.6666666666666666")
        #expect(pythonFloatRepr(0.0001) == "0.0001")
        #expect(pythonFloatRepr(0.00001) == "1e-05")
        #expect(pythonFloatRepr(1.5e-7) == "1.5e-07")
        #expect(pythonFloatRepr(1e15) == "1000000000000000.0")
        #expect(pythonFloatRepr(1e16) == "1e+16")
        #expect(pythonFloatRepr(123456.75) == "123456.75")
        #expect(pythonFloatRepr(-0.5) == "-0.5")
        #expect(pythonFloatRepr(.nan) == "nan")
    }

    @Test("writer: CRLF, header, minimal quoting")
    func writer() {
        let w = [Window(index: 0, start: 0, end: 19, action: "Pick up, then \"pour\"", actionFraction: 0.75,
                        subtask: "", subtaskFraction: 0)]
        let text = WindowsCSV.encode(w)
        #expect(text == "window_index,start_frame,end_frame,center_frame,action_label,action_fraction,subtask_label,subtask_fraction\r\n"
                + "0,0,19,9,\"Pick up, then \"\"pour\"\"\",0.75,,0.0\r\n")
        #expect((try? WindowsCSV.decode(text)) == w)
    }

    @Test("reader rejects a wrong header and short rows")
    func readerErrors() {
        #expect(throws: WindowAlignError.self) { try WindowsCSV.decode("a,b\r\n1,2\r\n") }
        let header = WindowsCSV.columns.joined(separator: ",")
        #expect(throws: WindowAlignError.self) { try WindowsCSV.decode(header + "\r\n0,0,19\r\n") }
        #expect(throws: WindowAlignError.self) { try WindowsCSV.decode(header + "\r\nx,0,19,9,a,1.0,b,1.0\r\n") }
    }

    @Test("reference windows.csv: parse and re-serialise byte for byte", .sharedFixtures("reference-sample-outputs/windows.csv"))
    func referenceRoundTrip() throws {
        let url = try SharedFixtures.url("reference-sample-outputs/windows.csv")
        let original = try Data(contentsOf: url)
        let windows = try WindowsCSV.read(from: url)
        #expect(windows.count == 1161)
        #expect(windows.first?.action == "Pick up kettle")
        #expect(windows.filter { $0.action.isEmpty }.count == 17)
        #expect(windows.filter { $0.subtask.isEmpty }.count == 14)
        // The windows themselves follow buildWindows over the sample's 5,821 frames.
        let rebuilt = try buildWindows(frameCount: 5821, spec: .reference)
        #expect(windows.map(\.start) == rebuilt.map(\.start))
        #expect(windows.map(\.center) == rebuilt.map(\.center))
        #expect(Data(WindowsCSV.encode(windows).utf8) == original)
    }
}
