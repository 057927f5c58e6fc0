import Foundation
import XPCore

/// The reference baselines read every field with Python's falsy defaults. These helpers give
/// the same values from a parsed JSON line, so the featuriser follows the script's `.get(...)
/// or default` chains field by field.
enum PythonValues {
    /// Python truthiness of the decoded value: None, False, 0, 0.0, "", [] and {} are false.
    static func truthy(_ v: JSONValue?) -> Bool {
        guard let v else { return false }
        switch v {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    /// `norm(value)` = `str(value or "").strip()`.
    static func norm(_ v: JSONValue?) -> String {
        guard truthy(v), let v else { return "" }
        return strip(v.pythonString)
    }

    /// `str.strip()`: leading and trailing Unicode whitespace removed.
    static func strip(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) }) ?? first
        return String(scalars[first...last])
    }

    /// The characters Python's `str.isspace()` accepts (whitespace and the separators
    /// U+001C…U+001F that Python counts too).
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        if (0x1C...0x1F).contains(s.value) { return true }
        return s.properties.isWhitespace
    }

    /// `text[:n]` on code points (Python indexes strings by code point, not by grapheme).
    static func prefix(_ s: String, codePoints n: Int) -> String {
        let scalars = s.unicodeScalars
        guard scalars.count > n else { return s }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars.prefix(n))
        return String(out)
    }

    /// `bounded_text(value, n)`: `norm(value)` cut to n code points.
    static func bounded(_ v: JSONValue?, _ n: Int) -> String { prefix(norm(v), codePoints: n) }

    /// `float(value or default)` for a number field; nil when the value is present and truthy
    /// but not a number (the script would raise on it).
    static func float(_ v: JSONValue?, default d: Double) -> Double? {
        guard truthy(v), let v else { return d }
        if let x = v.numberValue { return x }
        if case .bool(let b) = v { return b ? 1 : 0 }
        if case .string(let s) = v, let x = Double(strip(s)) { return x }
        return nil
    }
}
