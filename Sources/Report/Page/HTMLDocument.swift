import Foundation

/// One self-contained page: a title, a navigation list and sections, an inline stylesheet, no
/// script and no external resource (it opens offline, from a mail attachment, anywhere).
/// The markup is XHTML-compatible (every element closed, attributes quoted, entities limited
/// to XML's five), so an XML parser reads it; served as HTML it renders the same.
public struct HTMLDocument: Sendable {
    /// A titled part of the page.
    public struct Section: Sendable {
        public var id: String, title: String, body: String
        public init(id: String, title: String, body: String) {
            self.id = id
            self.title = title
            self.body = body
        }
    }

    public var title: String
    public var subtitle: String
    public var sections: [Section]

    public init(title: String, subtitle: String, sections: [Section]) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
    }

    /// The whole page.
    public func html() -> String {
        var out = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        out += "<title>\(xmlEscape(title))</title>\n<style>\n\(Stylesheet.css)</style>\n</head>\n<body>\n"
        out += "<header><h1>\(xmlEscape(title))</h1><p class=\"subtitle\">\(xmlEscape(subtitle))</p>\n<nav><ul>"
        for s in sections { out += "<li><a href=\"#\(xmlEscape(s.id))\">\(xmlEscape(s.title))</a></li>" }
        out += "</ul></nav></header>\n<main>\n"
        for s in sections {
            out += "<section id=\"\(xmlEscape(s.id))\">\n<h2>\(xmlEscape(s.title))</h2>\n\(s.body)</section>\n"
        }
        return out + "</main>\n</body>\n</html>\n"
    }
}

/// HTML fragments used by the views.
public enum Fragment {
    /// A paragraph of escaped text.
    public static func paragraph(_ text: String, cssClass: String? = nil) -> String {
        if let cssClass { return "<p class=\"\(xmlEscape(cssClass))\">\(xmlEscape(text))</p>\n" }
        return "<p>\(xmlEscape(text))</p>\n"
    }

    /// A sub-heading.
    public static func heading(_ text: String) -> String { "<h3>\(xmlEscape(text))</h3>\n" }

    /// A chart and the table of its numbers side by side (§3.6: every number on a chart is
    /// also in a table next to it).
    public static func figure(svg: String, table: Table) -> String {
        "<div class=\"figure\">\n<div class=\"plot\">\n\(svg)</div>\n<div class=\"data\">\n\(table.html())</div>\n</div>\n"
    }

    /// A note of something absent or unreadable: shown, never silently skipped.
    public static func note(_ text: String) -> String { paragraph(text, cssClass: "note") }
}

/// The page's inline stylesheet.
public enum Stylesheet {
    public static let css = """
        body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #1d1d1d; background: #fafafa; }
        header { background: #1f3b57; color: #fff; padding: 16px 28px; }
        header h1 { margin: 0 0 4px 0; font-size: 22px; }
        .subtitle { margin: 0 0 8px 0; color: #d6e2ee; }
        nav ul { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 6px 16px; }
        nav a { color: #fff; }
        main { padding: 8px 28px 40px 28px; }
        section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 8px 18px 18px 18px; margin: 16px 0; }
        h2 { font-size: 18px; border-bottom: 1px solid #eee; padding-bottom: 4px; }
        h3 { font-size: 15px; margin: 18px 0 6px 0; }
        table { border-collapse: collapse; margin: 8px 0; font-size: 12.5px; }
        caption { text-align: left; font-weight: 600; padding: 4px 0; }
        th, td { border: 1px solid #ddd; padding: 3px 7px; vertical-align: top; }
        th { background: #f1f4f7; text-align: left; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .figure { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
        .plot { overflow-x: auto; max-width: 100%; }
        .data { max-height: 640px; overflow: auto; }
        svg.chart { background: #fff; font-size: 12px; }
        svg .title { font-size: 15px; font-weight: 600; }
        svg .axis { font-size: 11px; fill: #444; }
        svg .value, svg .legend, svg .label { font-size: 12px; }
        svg .cellvalue { font-size: 10px; }
        .note { color: #8a5300; background: #fff7e6; border-left: 3px solid #e69f00; padding: 4px 8px; }
        .verdict-yes { color: #2e7d32; font-weight: 600; }
        .verdict-no { color: #c62828; font-weight: 600; }

        """
}
