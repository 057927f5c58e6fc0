import Foundation

/// Escapes text for XML character data and attribute values (both quote kinds), so a label
/// read from disk (`<`, `&`, quotes) can never break the markup it is placed in. Characters
/// XML 1.0 forbids (controls other than tab, newline, carriage return) become U+FFFD.
public func xmlEscape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
        default:
            if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
                out += "\u{FFFD}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}

/// A coordinate as SVG text: two decimals at most, trailing zeros dropped (`12`, `12.5`,
/// `12.34`), never `-0` and never NaN (a non-finite coordinate becomes 0 so one bad value
/// cannot make the whole drawing invalid).
public func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let rounded = (value * 100).rounded(.toNearestOrEven) / 100
    if rounded == 0 { return "0" }
    var text = String(format: "%.2f", rounded)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

/// A small SVG builder: elements are appended as text in drawing order. Every attribute
/// value and text node goes through ``xmlEscape(_:)``; coordinates through ``svgNumber(_:)``.
public struct SVGWriter: Sendable {
    /// The drawing's width and height in pixels (also its `viewBox`).
    public let width: Double, height: Double
    private var body = ""

    /// A drawing of `width` × `height` pixels.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Appends `<name attributes/>`, or `<name attributes>text</name>` when `text` is given.
    /// Attributes keep the given order; numbers should already be ``svgNumber(_:)`` text.
    public mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, text: String? = nil) {
        body += "<\(name)"
        for (key, value) in attributes { body += " \(key)=\"\(xmlEscape(value))\"" }
        if let text {
            body += ">\(xmlEscape(text))</\(name)>\n"
        } else {
            body += "/>\n"
        }
    }

    /// A rectangle.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, cssClass: String, title: String? = nil) {
        let attributes: KeyValuePairs<String, String> = ["class": cssClass, "x": svgNumber(x), "y": svgNumber(y),
                                                         "width": svgNumber(max(0, width)), "height": svgNumber(max(0, height)), "fill": fill]
        if let title {
            body += "<rect"
            for (key, value) in attributes { body += " \(key)=\"\(xmlEscape(value))\"" }
            body += "><title>\(xmlEscape(title))</title></rect>\n"
        } else {
            element("rect", attributes)
        }
    }

    /// A straight line.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, cssClass: String, width: Double = 1) {
        element("line", ["class": cssClass, "x1": svgNumber(x1), "y1": svgNumber(y1), "x2": svgNumber(x2), "y2": svgNumber(y2),
                         "stroke": stroke, "stroke-width": svgNumber(width)])
    }

    /// A text label; `anchor` is `start`, `middle` or `end`.
    public mutating func text(_ content: String, x: Double, y: Double, anchor: String = "start", cssClass: String = "label", fill: String = "#222") {
        element("text", ["class": cssClass, "x": svgNumber(x), "y": svgNumber(y), "text-anchor": anchor, "fill": fill], text: content)
    }

    /// A polyline through `points`.
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, cssClass: String) {
        let text = points.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " ")
        element("polyline", ["class": cssClass, "points": text, "fill": "none", "stroke": stroke, "stroke-width": "2"])
    }

    /// A circle.
    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, cssClass: String) {
        element("circle", ["class": cssClass, "cx": svgNumber(cx), "cy": svgNumber(cy), "r": svgNumber(r), "fill": fill])
    }

    /// The finished `<svg>` element (inline in XHTML: it carries the SVG namespace).
    /// `label` becomes the drawing's accessible name.
    public func svg(label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" "
            + "viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" role=\"img\" aria-label=\"\(xmlEscape(label))\">\n"
            + body + "</svg>\n"
    }
}
