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
        write(into: &out, indent: indent, level: level, style: .standard)
        return out
    }

    /// Serialises like `json.dumps(value, indent=…, ensure_ascii=…, sort_keys=…, separators=…)`
    /// with the choices in `style`.
    public func pythonJSON(_ style: PythonJSONStyle, indent: Int? = nil) -> String {
        var out = ""
        write(into: &out, indent: indent, level: 0, style: style)
        return out
    }

    func write(into out: inout String, indent: Int?, level: Int, style: PythonJSONStyle = .standard) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isNaN { out += "NaN" } else if d.isInfinite { out += d > 0 ? "Infinity" : "-Infinity" } else { out += pythonFloatRepr(d) }
        case .string(let s): out += style.ensureASCII ? pythonJSONString(s) : pythonJSONString(s, ensureASCII: false)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if let indent { out += "\n" + String(repeating: " ", count: indent * (level + 1)) } else if i > 0 { out += style.itemSpace }
                item.write(into: &out, indent: indent, level: level + 1, style: style)
                if i < items.count - 1 { out += "," }
            }
            if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
            out += "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            let ordered = style.sortKeys ? pairs.sorted { $0.0.utf16.lexicographicallyPrecedes($1.0.utf16) } : pairs
            for (i, (key, value)) in ordered.enumerated() {
                if let indent { out += "\n" + String(repeating: " ", count: indent * (level + 1)) } else if i > 0 { out += style.itemSpace }
                out += style.ensureASCII ? pythonJSONString(key) : pythonJSONString(key, ensureASCII: false)
                out += style.keySeparator
                value.write(into: &out, indent: indent, level: level + 1, style: style)
                if i < pairs.count - 1 { out += "," }
            }
            if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
            out += "}"
        }
    }
}

/// The `json.dumps` arguments that change its bytes (besides `indent`).
public struct PythonJSONStyle: Sendable, Equatable {
    /// `ensure_ascii`: escape everything outside printable ASCII (true) or write UTF-8 as is
    /// (false: only `"`, `\\` and the control characters U+0000–U+001F are escaped).
    public var ensureASCII: Bool
    /// `sort_keys`: object keys in code-point order (Python sorts `str` by code point; for the
    /// BMP that is UTF-16 order, and keys here are never astral).
    public var sortKeys: Bool
    /// `separators=(",", ":")` when true; the default `(", ", ": ")` when false.
    public var compact: Bool

    public init(ensureASCII: Bool = true, sortKeys: Bool = false, compact: Bool = false) {
        self.ensureASCII = ensureASCII
        self.sortKeys = sortKeys
        self.compact = compact
    }

    /// `json.dumps(value)`.
    public static let standard = PythonJSONStyle()
    /// `json.dumps(value, ensure_ascii=False)`: the reference's JSONL records and manifests.
    public static let unicode = PythonJSONStyle(ensureASCII: false)
    /// `json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`: the
    /// assistant target of a Qwen record.
    public static let sortedCompact = PythonJSONStyle(ensureASCII: false, sortKeys: true, compact: true)

    var itemSpace: String { compact ? "" : " " }
    var keySeparator: String { compact ? ":" : ": " }
}

/// A string as Python's `json.dumps` (`ensure_ascii=True`) writes it, quotes included: `"` and
/// `\` escaped, `\n \r \t \b \f` by name, every other UTF-16 unit outside printable ASCII
/// (U+0020–U+007E) as `\u` and four lowercase hex digits.
public func pythonJSONString(_ s: String) -> String {
    pythonJSONString(s, ensureASCII: true)
}

/// A string as `json.dumps(s, ensure_ascii=ensureASCII)` writes it. With `ensureASCII` false,
/// characters at or above U+007F are written as they are (Python escapes only `"`, `\` and
/// U+0000–U+001F then; U+007F stays raw). Escapes are per UTF-16 unit, so an astral character
/// becomes a surrogate pair under `ensureASCII`.
public func pythonJSONString(_ s: String, ensureASCII: Bool) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar.value {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x20..<0x7F: out.unicodeScalars.append(scalar)
        case 0..<0x20: out += String(format: "\\u%04x", scalar.value)
        default:
            if ensureASCII {
                for unit in String(scalar).utf16 { out += String(format: "\\u%04x", unit) }
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
