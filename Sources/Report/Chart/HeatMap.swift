/// A grid of coloured cells with the value printed in each: the confusion matrix and the
/// ablation matrix. Cell (r, c) is at `x = left + c · cell`, `y = top + r · cell` (`cellWidth`
/// and `cellHeight` may differ); a nil value is a grey `n/a` cell.
public struct HeatMap: Sendable {
    /// The fixed margins (public so tests recompute positions).
    public var left: Double, top: Double, cellWidth: Double, cellHeight: Double
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// `values[r][c]`; rows shorter than the column count read as n/a.
    public var values: [[Double?]]
    /// The fill of a value.
    public var fill: @Sendable (Double) -> String
    /// The text of a value.
    public var format: @Sendable (Double) -> String
    /// The label colour of a value (dark on light fills).
    public var textColor: @Sendable (Double) -> String
    /// The text of cell (row, column) when it differs from `format(value)` (a confusion
    /// matrix fills by fraction but prints counts).
    public var cellText: (@Sendable (Int, Int) -> String?)? = nil

    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double?]],
                left: Double = 260, top: Double = 150, cellWidth: Double = 40, cellHeight: Double = 24,
                fill: @escaping @Sendable (Double) -> String, format: @escaping @Sendable (Double) -> String,
                textColor: @escaping @Sendable (Double) -> String) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.left = left
        self.top = top
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
        self.fill = fill
        self.format = format
        self.textColor = textColor
    }

    /// The drawing's size.
    public var width: Double { left + cellWidth * Double(columnLabels.count) + 40 }
    public var height: Double { top + cellHeight * Double(rowLabels.count) + 30 }

    /// The drawing: one `rect.cell` per (row, column) with a value, one `rect.na` per missing
    /// one, column labels rotated above.
    public func svg() -> String {
        var w = SVGWriter(width: width, height: height)
        w.text(title, x: 16, y: 28, cssClass: "title")
        for (c, label) in columnLabels.enumerated() {
            let x = left + cellWidth * (Double(c) + 0.5)
            w.element("text", ["class": "axis", "x": "0", "y": "0", "text-anchor": "start",
                               "transform": "translate(\(svgNumber(x + 4)),\(svgNumber(top - 6))) rotate(-60)"], text: short(label, 28))
        }
        for (r, label) in rowLabels.enumerated() {
            let y = top + cellHeight * Double(r)
            w.text(short(label, 40), x: left - 8, y: y + cellHeight * 0.68, anchor: "end", cssClass: "axis")
            for c in columnLabels.indices {
                let x = left + cellWidth * Double(c)
                let row = r < values.count ? values[r] : []
                if c < row.count, let v = row[c] {
                    let text = cellText?(r, c) ?? format(v)
                    w.rect(x: x, y: y, width: cellWidth - 1, height: cellHeight - 1, fill: fill(v), cssClass: "cell",
                           title: "\(label) × \(columnLabels[c]): \(text)")
                    w.text(text, x: x + cellWidth / 2, y: y + cellHeight * 0.68, anchor: "middle", cssClass: "cellvalue", fill: textColor(v))
                } else {
                    w.rect(x: x, y: y, width: cellWidth - 1, height: cellHeight - 1, fill: "#eeeeee", cssClass: "na")
                    w.text("n/a", x: x + cellWidth / 2, y: y + cellHeight * 0.68, anchor: "middle", cssClass: "cellvalue", fill: "#777")
                }
            }
        }
        return w.svg(label: title)
    }
}

/// `text` cut to `limit` characters with an ellipsis (long class names on axes; the tables
/// beside the chart carry the full text).
func short(_ text: String, _ limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
}
