import Foundation

// The JSON writer. Python's `json.dump` is the format of record: the reference's files are
// written by it, and byte-identical files need its exact separators, escapes and floats.

extension JSONValue {
    /// Serialises like Python's `json.dumps(value)`: `", "` and `": "` separators, ASCII output
    /// with `\uXXXX` escapes (UTF-16 units, so astral characters become surrogate pairs), floats
    /// as `repr` (``pythonFloatRepr(_:)``; non-finite ones as `NaN`, `Infinity`, `-Infinity`),
    /// keys in stored order. With `indent`, like `json.dumps(value, indent=n)`: one item per
    /// line, `","` at line ends, empty containers as `[]` and `{}`, no trailing newline.
    ///
    /// - Parameter level: the nesting level the value starts at, for a value written inside
    ///   hand-laid-out text: its inner lines get `indent × (level + 1)` spaces and its closing
    ///   bracket `indent × level`.
    public func pythonJSON(indent: Int? = nil, level: Int = 0) -> String {
        var out = ""
        write(into: &out, indent: indent, level: level)
        return out
    }

    func write(into out: inout String, indent: Int?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d > 0 ? "Infinity" : "-Infinity" } else { out += pythonFloatRepr(d) }
        case .string(let s): out += pythonJSONString(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if let indent { out += "\n" + String(repeating: " ", count: indent * (level + 1)) } else if i > 0 { out += " " }
                item.write(into: &out, indent: indent, level: level + 1)
                if i < items.count - 1 { out += "," }
            }
            if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if let indent { out += "\n" + String(repeating: " ", count: indent * (level + 1)) } else if i > 0 { out += " " }
                out += pythonJSONString(key)
                out += ": "
                value.write(into: &out, indent: indent, level: level + 1)
                if i < pairs.count - 1 { out += "," }
            }
            if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
            out += "}"
        }
    }
}

/// A string as Python's `json.dumps` (`ensure_ascii=True`) writes it, quotes included: `"` and
/// `\` escaped, `\n \r \t \b \f` by name, every other UTF-16 unit outside printable ASCII
/// (U+0020–U+007E) as `\u` and four lowercase hex digits.
public func pythonJSONString(_ s: String) -> String {
    var out = "\""
    for unit in s.utf16 {
        switch unit {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
        default: out += String(format: "\\u%04x", unit)
        }
    }
    return out + "\""
}
