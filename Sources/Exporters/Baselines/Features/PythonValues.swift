import Foundation
import Metrics
import XPCore

/// The reference baselines read every field with Python's falsy defaults. These helpers give
/// the same values from a parsed JSON line, so the featuriser follows the script's `.get(...)
/// or default` chains field by field.
enum PythonValues {
    /// Python truthiness of an optional decoded value (a missing key is None).
    static func truthy(_ v: JSONValue?) -> Bool { v?.pythonTruthy ?? false }

    /// `norm(value)` = `str(value or "").strip()`.
    static func norm(_ v: JSONValue?) -> String {
        guard truthy(v), let v else { return "" }
        return strip(v.pythonString)
    }

    /// `str.strip()` (Metrics' `pythonStrip`, Python's whitespace set).
    static func strip(_ s: String) -> String { pythonStrip(s) }

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
