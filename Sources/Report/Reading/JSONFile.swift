import Foundation
import XPCore

/// Reads a JSON file into XPCore's ordered ``JSONValue``; nil when the file does not exist.
public func readJSONFile(_ url: URL) throws(ReportError) -> JSONValue? {
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
        throw .unreadable(path: url.path, line: nil, expected: "a readable file", found: "\(error.localizedDescription)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw .unreadable(path: url.path, line: nil, expected: "UTF-8 JSON", found: "bytes that are not UTF-8")
    }
    do {
        return try JSONParser.parse(text)
    } catch {
        let line = text.utf8.prefix(error.offset).reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        throw .unreadable(path: url.path, line: line, expected: "JSON", found: error.reason)
    }
}

extension JSONValue {
    /// A number, also from a numeric string (lenient: writers differ); nil otherwise.
    var lenientNumber: Double? {
        if let n = numberValue { return n }
        if case .string(let s) = self { return Double(s) }
        return nil
    }

    /// The value at a key path of objects.
    func at(_ keys: String...) -> JSONValue? {
        var current: JSONValue? = self
        for k in keys { current = current?[k] }
        return current
    }

    /// Short display text: strings bare, numbers to 4 dp (integers bare), others as JSON.
    var displayText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return fixed4(d)
        case .string(let s): return s
        case .array(let a): return a.map(\.displayText).joined(separator: ", ")
        case .object: return pythonJSON()
        }
    }
}
