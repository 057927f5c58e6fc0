import Foundation
import Report
import Testing

/// The chart primitives: nice ticks, scales, number formatting and escaping. Expected values
/// are worked out by hand from Heckbert's rule and the scale formula.
@Suite("Report chart primitives")
struct ChartTests {
    @Test("nice numbers: 1, 2, 5 × 10^k, rounded or ceiling")
    func niceNumbers() {
        #expect(NiceTicks.niceNumber(0.25, round: true) == 0.2)     // fraction 2.5 < 3 → 2
        #expect(NiceTicks.niceNumber(0.25, round: false) == 0.5)    // 2.5 ≤ 5 → 5
        #expect(NiceTicks.niceNumber(80, round: false) == 100)
        #expect(NiceTicks.niceNumber(20, round: true) == 20)
        #expect(NiceTicks.niceNumber(7.2, round: true) == 10)
        #expect(NiceTicks.niceNumber(0, round: true) == 1)          // degenerate input, no NaN
    }

    @Test("ticks: 0…1 in 0.2 steps, −40…40 in 20s, 0.0132…0.4262 in 0.1s, a constant widened")
    func ticks() {
        #expect(NiceTicks.ticks(lower: 0, upper: 1, count: 5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
        #expect(NiceTicks.ticks(lower: -40, upper: 40, count: 6) == [-40, -20, 0, 20, 40])
        // range nice(0.413, ceil) = 0.5, step nice(0.125, round) = 0.1, from floor(0.132)·0.1 to ceil(4.26)·0.1
        #expect(NiceTicks.ticks(lower: 0.0132, upper: 0.4262, count: 5) == [0, 0.1, 0.2, 0.3, 0.4, 0.5])
        // 3…3 widens to 1.5…4.5: range nice(3, ceil) = 5, step nice(1.25, round) = 1
        #expect(NiceTicks.ticks(lower: 3, upper: 3, count: 5) == [1, 2, 3, 4, 5])
        #expect(NiceTicks.label(0.30000000000000004, step: 0.1) == "0.3")
        #expect(NiceTicks.label(-0.0001, step: 0.1) == "0.0")
        #expect(NiceTicks.label(40, step: 20) == "40")
    }

    @Test("linear scale: endpoints, midpoint, inverted range, clamping, degenerate domain")
    func scale() {
        let s = LinearScale(domain: (0, 1), range: (310, 1030))
        #expect(s.map(0) == 310)
        #expect(s.map(0.5) == 670)
        #expect(s.map(1) == 1030)
        #expect(s.clampedMap(1.3) == 1030)
        #expect(s.clampedMap(-0.2) == 310)
        #expect(s.clampedMap(.nan) == 310)
        let y = LinearScale(domain: (0, 0.5), range: (370, 60))
        #expect(abs(y.map(0.25) - 215) < 1e-9)
        #expect(LinearScale(domain: (2, 2), range: (0, 100)).map(7) == 50)
    }

    @Test("SVG numbers: two decimals at most, no trailing zeros, no -0, no NaN")
    func numbers() {
        #expect(svgNumber(3) == "3")
        #expect(svgNumber(12.5) == "12.5")
        #expect(svgNumber(105.7403) == "105.74")
        #expect(svgNumber(-0.001) == "0")
        #expect(svgNumber(.nan) == "0")
        #expect(svgNumber(-.infinity) == "0")
    }

    @Test("escaping: the five XML specials, control characters replaced, text kept")
    func escaping() {
        #expect(xmlEscape(#"<a & "b">'"#) == "&lt;a &amp; &quot;b&quot;&gt;&#39;")
        #expect(xmlEscape("Pick up kettle") == "Pick up kettle")
        #expect(xmlEscape("tab\tok\u{01}") == "tab\tok\u{FFFD}")
        #expect(xmlEscape("café ✓") == "café ✓")
        var w = SVGWriter(width: 10, height: 10)
        w.text("</svg><script>x</script>", x: 1, y: 2)
        let svg = w.svg(label: "a \"label\"")
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;/svg&gt;&lt;script&gt;"))
        #expect(svg.contains(#"aria-label="a &quot;label&quot;""#))
    }

    @Test("fills: the reference's ablation formula and the heat ramp, truncated like Python int()")
    func fills() {
        // s = 0.5: 37 + 58.5 → 95, 72 + 76 → 148, 54 + 23.5 → 77
        #expect(Palette.ablationFill(0.5) == "rgb(95,148,77)")
        #expect(Palette.ablationFill(2) == "rgb(37,224,101)")      // clipped to 1
        #expect(Palette.ablationFill(-1) == "rgb(154,72,54)")      // clipped to 0
        #expect(Palette.heat(0) == "rgb(255,255,255)")
        #expect(Palette.heat(1) == "rgb(28,72,130)")
        #expect(Set(Palette.series).count == Palette.series.count, "series colours must be distinct")
    }

    @Test("confusion folding: top-K by support in label order, the rest in one row and column, total kept")
    func folding() {
        // supports a 2, b 5, c 0, d 5 → keep b and d (tie: label order); a and c fold.
        let f = FoldedConfusion.fold(labels: ["a", "b", "c", "d"], counts: [[1, 0, 0, 1], [0, 4, 1, 0], [0, 0, 0, 0], [2, 0, 0, 3]], k: 2)
        #expect(f.labels == ["b", "d", "other (2 classes)"])
        #expect(f.counts == [[4, 0, 1], [0, 3, 2], [0, 1, 1]])
        let none = FoldedConfusion.fold(labels: ["a", "b"], counts: [[1, 2], [3, 4]], k: 5)
        #expect(none.labels == ["a", "b"])
        #expect(none.counts == [[1, 2], [3, 4]])
    }
}
