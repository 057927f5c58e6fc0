import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A strict well-formedness check of the report's XHTML (Foundation's XMLParser: every
/// element closed, attributes quoted, only XML's entities) that also collects every element
/// with its attributes, in document order, so tests can count and place marks.
final class Markup: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// The nearest enclosing `<svg>`'s index (nil outside SVG).
        var svg: Int?
    }

    private(set) var elements: [Element] = []
    private(set) var svgCount = 0
    private(set) var text = ""
    private var openSVG: [Int] = []
    var error: String?

    /// Parses `html` (the DOCTYPE line dropped: XMLParser does not need it); nil error means well-formed.
    static func parse(_ html: String) -> Markup {
        let m = Markup()
        let body = html.hasPrefix("<!DOCTYPE html>") ? String(html.dropFirst("<!DOCTYPE html>".count)) : html
        let parser = XMLParser(data: Data(body.utf8))
        parser.delegate = m
        if !parser.parse() {
            m.error = "line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "unknown")"
        }
        return m
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if name == "svg" {
            openSVG.append(svgCount)
            svgCount += 1
        }
        elements.append(Element(name: name, attributes: attributes, svg: openSVG.last))
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "svg" { openSVG.removeLast() }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    /// The elements of SVG number `svg` with `name` and class `cssClass`.
    func marks(svg: Int, _ name: String, cssClass: String) -> [Element] {
        elements.filter { $0.svg == svg && $0.name == name && $0.attributes["class"] == cssClass }
    }

    /// The index of the first SVG whose aria-label starts with `prefix`.
    func svgIndex(labelled prefix: String) -> Int? {
        elements.first { $0.name == "svg" && $0.attributes["aria-label"]?.hasPrefix(prefix) == true }?.svg
    }
}

/// A number attribute.
func num(_ e: Markup.Element, _ key: String) -> Double? { e.attributes[key].flatMap(Double.init) }
