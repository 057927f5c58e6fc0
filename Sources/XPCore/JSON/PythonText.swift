// Python's text for numbers and decoded JSON values, where a file or a label must read exactly
// as the reference's Python code would print it.

/// Formats a Double exactly like Python's `repr(float)` (and `str`, which is the same since
/// Python 3.2): the shortest digits that round-trip, positional notation when the decimal
/// exponent lies in [-4, 16), otherwise `d.ddde±XX`, and always a `.0` on integral values.
/// Reference CSV files write fractions this way (`1.0`, `0.55`), so byte-exact files need it.
public func pythonFloatRepr(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    // Swift's description also prints the shortest round-trip digits; only the layout differs.
    var text = value.description
    var negative = false
    if text.hasPrefix("-") {
        negative = true
        text.removeFirst()
    }
    var mantissa = Substring(text)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = text[..<e]
        exponent = Int(text[text.index(after: e)...]) ?? 0
    }
    // digits × 10^(decpt − digits.count) with the point after `decpt` digits.
    var digits = ""
    var decpt = 0
    var seenPoint = false
    for ch in mantissa {
        if ch == "." { seenPoint = true; continue }
        digits.append(ch)
        if !seenPoint { decpt += 1 }
    }
    decpt += exponent
    // Normalise: no leading or trailing zeros in the digit string.
    while digits.first == "0" && digits.count > 1 {
        digits.removeFirst()
        decpt -= 1
    }
    while digits.last == "0" && digits.count > 1 { digits.removeLast() }
    let sign = negative ? "-" : ""
    if digits == "0" { return sign + "0.0" }

    // Python: repr uses scientific notation when decpt <= -4 or decpt > 16.
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            return sign + "0." + String(repeating: "0", count: -decpt) + digits
        } else if decpt >= digits.count {
            return sign + digits + String(repeating: "0", count: decpt - digits.count) + ".0"
        } else {
            let cut = digits.index(digits.startIndex, offsetBy: decpt)
            return sign + digits[..<cut] + "." + digits[cut...]
        }
    }
    let exp10 = decpt - 1
    var out = sign + String(digits.first ?? "0")
    if digits.count > 1 { out += "." + digits.dropFirst() }
    let magnitude = abs(exp10)
    out += (exp10 < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
    return out
}

extension JSONValue {
    /// Python's `bool()` of the value `json.loads` returns: None, False, 0, 0.0, -0.0, "", []
    /// and {} are false; everything else, NaN included, is true. The reference's `x or
    /// default` and `if row.get(...)` chains decide with it.
    public var pythonTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0 || d.isNaN
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    /// Python's `str()` of the value `json.loads` returns: `None`, `True`, `3`, `2.5`, `-0.0`,
    /// `nan`, the string itself, and for containers their `repr` (`['x', 1]`,
    /// `{'k': 2.5}`; a repeated key once, with its last value). The caption rules apply it to
    /// frame references and the answer scorer to non-string answers, as the Python code does.
    public var pythonString: String {
        if case .string(let s) = self { return s }
        return pythonRepr
    }

    /// Python's `repr()` of the decoded value (strings quoted and escaped as Python does).
    public var pythonRepr: String {
        switch self {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return pythonFloatRepr(d)
        case .string(let s): return pythonStringRepr(s)
        case .array(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .object(let pairs):
            // A dict keeps the first position of a key and its last value.
            let last = dictionaryValue ?? [:]
            var seen = Set<String>()
            let entries = pairs.compactMap { key, _ -> String? in
                guard seen.insert(key).inserted else { return nil }
                return pythonStringRepr(key) + ": " + (last[key] ?? .null).pythonRepr
            }
            return "{" + entries.joined(separator: ", ") + "}"
        }
    }
}

/// Python's `repr()` of a string: single quotes unless the text holds `'` and no `"`; `\\`,
/// the quote, `\t \n \r` escaped; characters Python deems unprintable (controls, format
/// characters, separators other than the space, surrogates, private use, unassigned) as
/// `\xNN`, `\uNNNN` or `\UNNNNNNNN`.
public func pythonStringRepr(_ s: String) -> String {
    let quote: Unicode.Scalar = s.unicodeScalars.contains("'") && !s.unicodeScalars.contains("\"") ? "\"" : "'"
    var out = String(quote)
    for scalar in s.unicodeScalars {
        switch scalar {
        case quote, "\\": out += "\\" + String(scalar)
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        default:
            if isPythonPrintable(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x100 {
                out += String(format: "\\x%02x", scalar.value)
            } else if scalar.value < 0x10000 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out += String(format: "\\U%08x", scalar.value)
            }
        }
    }
    return out + String(quote)
}

/// `str.isprintable()` for one character: the space and everything outside the categories
/// Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs.
func isPythonPrintable(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == " " { return true }
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
        return false
    default:
        return true
    }
}
