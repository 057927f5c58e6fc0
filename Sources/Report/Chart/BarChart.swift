/// Horizontal bars, one row per entry **in input order** (never sorted), each with an
/// optional baseline marker: the geometry of §3.2 (label column to x = 310, right margin 70,
/// top 78, 34 px a row, height 78 + 34·n + 70, six ticks at max·i/5) so a reader of the
/// reference's charts finds the same layout.
///
/// A bar's length is `clip(value / max, 0, 1) · plotWidth`; the baseline is a vertical
/// line at `310 + clip(baseline / max, 0, 1) · plotWidth` across the row.
public struct BarChart: Sendable {
    /// One bar.
    public struct Row: Sendable {
        public var label: String
        public var value: Double?
        public var baseline: Double?
        /// The printed value (e.g. `0.4231 macro_f1`); "n/a" when `value` is nil.
        public var valueText: String
        public init(label: String, value: Double?, baseline: Double? = nil, valueText: String) {
            self.label = label
            self.value = value
            self.baseline = baseline
            self.valueText = valueText
        }
    }

    /// The fixed layout (public so tests recompute positions from it).
    public enum Layout {
        public static let width = 1100.0, plotLeft = 310.0, rightMargin = 70.0, top = 78.0, rowHeight = 34.0, bottom = 70.0
        public static let barHeight = 20.0
        public static var plotWidth: Double { width - plotLeft - rightMargin }
        /// The chart height for `rows` rows.
        public static func height(rows: Int) -> Double { top + rowHeight * Double(rows) + bottom }
    }

    public var title: String
    public var rows: [Row]
    /// The value at the right end of the axis (1.0 on score charts).
    public var maximum: Double

    public init(title: String, rows: [Row], maximum: Double = 1.0) {
        self.title = title
        self.rows = rows
        self.maximum = maximum > 0 && maximum.isFinite ? maximum : 1.0
    }

    /// The x scale: 0...maximum onto the plot.
    public var scale: LinearScale {
        LinearScale(domain: (0, maximum), range: (Layout.plotLeft, Layout.plotLeft + Layout.plotWidth))
    }

    /// The drawing: per row a `rect.bar` (absent for a nil value) and a `line.baseline`
    /// (absent without a baseline); axis ticks as `line.tick` with labels.
    public func svg() -> String {
        let height = Layout.height(rows: rows.count)
        var w = SVGWriter(width: Layout.width, height: height)
        w.text(title, x: 16, y: 32, cssClass: "title")
        let axisY = Layout.top + Layout.rowHeight * Double(rows.count) + 8
        for i in 0...5 {
            let v = maximum * Double(i) / 5
            let x = scale.map(v)
            w.line(x1: x, y1: Layout.top - 8, x2: x, y2: axisY, stroke: "#ddd", cssClass: "tick")
            w.text(String(format: "%.2f", v), x: x, y: axisY + 18, anchor: "middle", cssClass: "axis")
        }
        for (i, row) in rows.enumerated() {
            let y = Layout.top + Layout.rowHeight * Double(i)
            w.text(row.label, x: Layout.plotLeft - 10, y: y + 15, anchor: "end")
            if let value = row.value {
                let length = scale.clampedMap(value) - Layout.plotLeft
                w.rect(x: Layout.plotLeft, y: y + 2, width: length, height: Layout.barHeight, fill: Palette.color(0), cssClass: "bar",
                       title: "\(row.label): \(row.valueText)")
                w.text(row.valueText, x: Layout.plotLeft + length + 6, y: y + 16, cssClass: "value")
            } else {
                w.text(row.valueText, x: Layout.plotLeft + 6, y: y + 16, cssClass: "value")
            }
            if let baseline = row.baseline {
                let x = scale.clampedMap(baseline)
                w.line(x1: x, y1: y, x2: x, y2: y + Layout.barHeight + 4, stroke: Palette.baseline, cssClass: "baseline", width: 3)
            }
        }
        if rows.contains(where: { $0.baseline != nil }) {
            Legend.draw(&w, entries: [("metric", Palette.color(0)), ("strongest baseline", Palette.baseline)], x: Layout.plotLeft, y: 52)
        }
        return w.svg(label: title)
    }
}

/// A one-line legend: a swatch and a name per entry.
public enum Legend {
    /// Draws the entries left to right from (`x`, `y`), 170 px apart.
    public static func draw(_ w: inout SVGWriter, entries: [(String, String)], x: Double, y: Double, spacing: Double = 170) {
        for (i, entry) in entries.enumerated() {
            let left = x + spacing * Double(i)
            w.rect(x: left, y: y - 10, width: 14, height: 12, fill: entry.1, cssClass: "swatch")
            w.text(entry.0, x: left + 20, y: y, cssClass: "legend")
        }
    }
}
