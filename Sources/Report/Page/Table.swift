/// An HTML table: a caption, a header row and body rows of text cells, every cell escaped.
/// Numeric-looking cells are right-aligned by the stylesheet (`td.num`).
public struct Table: Sendable {
    public var caption: String
    public var header: [String]
    public var rows: [[String]]

    public init(caption: String, header: [String], rows: [[String]]) {
        self.caption = caption
        self.header = header
        self.rows = rows
    }

    /// The XHTML markup.
    public func html() -> String {
        var out = "<table>\n<caption>\(xmlEscape(caption))</caption>\n<thead><tr>"
        for h in header { out += "<th>\(xmlEscape(h))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>"
            for cell in row { out += Double(cell) != nil ? "<td class=\"num\">\(xmlEscape(cell))</td>" : "<td>\(xmlEscape(cell))</td>" }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }
}

/// A value to 4 decimals (§3.6: every plotted value to 4 dp); "n/a" for nil or non-finite.
public func fixed4(_ value: Double?) -> String {
    guard let value, value.isFinite else { return "n/a" }
    return String(format: "%.4f", value)
}

/// An interval `[low, high]` to 4 decimals.
public func intervalText(_ low: Double, _ high: Double) -> String { "[\(fixed4(low)), \(fixed4(high))]" }
