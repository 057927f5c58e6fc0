import Foundation

/// An ordered JSON value, so outputs keep the reference's key order and are byte-identical
/// across runs.
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (a: JSON, b: JSON) -> Bool { a.text() == b.text() }

    /// A Double, or null when it is not finite (JSON has no NaN).
    public static func num(_ v: Double?) -> JSON {
        guard let v, v.isFinite else { return .null }
        return .number(v)
    }

    /// Converts an `Encodable` value through `JSONEncoder` (keys sorted).
    public static func encode<T: Encodable>(_ value: T) -> JSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(value), let any = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            return .null
        }
        return from(any)
    }

    static func from(_ any: Any) -> JSON {
        switch any {
        case is NSNull: return .null
        case let n as NSNumber:
            let type = String(cString: n.objCType)
            if type == "c" || type == "B" { return .bool(n.boolValue) }
            if type == "d" || type == "f" { return .number(n.doubleValue) }
            return .int(n.intValue)
        case let s as String: return .string(s)
        case let a as [Any]: return .array(a.map(from))
        case let d as [String: Any]: return .object(d.keys.sorted().map { ($0, from(d[$0] as Any)) })
        default: return .null
        }
    }

    /// Fields of an object (empty for other values).
    public var fields: [(String, JSON)] {
        if case .object(let f) = self { return f }
        return []
    }

    /// The value of `key` in an object.
    public subscript(key: String) -> JSON? {
        fields.first { $0.0 == key }?.1
    }

    public var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    /// Serialised text; `indent` spaces per level (Python `json.dump(indent=2)` style).
    public func text(indent: Int = 2) -> String {
        var out = ""
        write(into: &out, level: 0, indent: indent)
        return out
    }

    private func write(into out: inout String, level: Int, indent: Int) {
        let pad = String(repeating: " ", count: (level + 1) * indent)
        let close = String(repeating: " ", count: level * indent)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .number(let d): out += JSON.format(d)
        case .string(let s): out += JSON.quote(s)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, v) in a.enumerated() {
                out += pad
                v.write(into: &out, level: level + 1, indent: indent)
                out += i + 1 < a.count ? ",\n" : "\n"
            }
            out += close + "]"
        case .object(let f):
            if f.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (k, v)) in f.enumerated() {
                out += pad + JSON.quote(k) + ": "
                v.write(into: &out, level: level + 1, indent: indent)
                out += i + 1 < f.count ? ",\n" : "\n"
            }
            out += close + "}"
        }
    }

    /// Shortest round-trip decimal, as Python's `repr(float)`.
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e16 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

/// Minimal `.npz` writer: a ZIP archive of stored (uncompressed) `.npy` members, as
/// `numpy.savez` writes.
public enum NPZ {
    /// The bytes of an `.npz` holding `members` (name without `.npy` → encoded `.npy` bytes).
    public static func encode(_ members: [(String, Data)]) -> Data {
        var out = Data()
        var central = Data()
        for (name, body) in members {
            let fileName = Array((name + ".npy").utf8)
            let crc = crc32(body)
            let offset = UInt32(out.count)
            out.append(le32(0x0403_4b50)); out.append(le16(20)); out.append(le16(0)); out.append(le16(0))
            out.append(le16(0)); out.append(le16(0x21))  // time, date (1980-01-01)
            out.append(le32(crc)); out.append(le32(UInt32(body.count))); out.append(le32(UInt32(body.count)))
            out.append(le16(UInt16(fileName.count))); out.append(le16(0))
            out.append(contentsOf: fileName); out.append(body)
            central.append(le32(0x0201_4b50)); central.append(le16(20)); central.append(le16(20)); central.append(le16(0)); central.append(le16(0))
            central.append(le16(0)); central.append(le16(0x21))
            central.append(le32(crc)); central.append(le32(UInt32(body.count))); central.append(le32(UInt32(body.count)))
            central.append(le16(UInt16(fileName.count))); central.append(le16(0)); central.append(le16(0))
            central.append(le16(0)); central.append(le16(0)); central.append(le32(0)); central.append(le32(offset))
            central.append(contentsOf: fileName)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        out.append(le32(0x0605_4b50)); out.append(le16(0)); out.append(le16(0))
        out.append(le16(UInt16(members.count))); out.append(le16(UInt16(members.count)))
        out.append(le32(UInt32(central.count))); out.append(le32(centralOffset)); out.append(le16(0))
        return out
    }

    static func le16(_ v: UInt16) -> Data { Data([UInt8(v & 0xff), UInt8(v >> 8)]) }
    static func le32(_ v: UInt32) -> Data { Data([UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)]) }

    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 (ZIP polynomial).
    public static func crc32(_ data: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = table[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
