import Foundation
import XPCore

/// The suite's JSON values are XPCore's ordered `JSONValue`, so outputs keep the reference's
/// key order and are byte-identical across runs; they are written as Python's
/// `json.dump(indent=2)` writes (ASCII, `\uXXXX` escapes).
public typealias JSON = XPCore.JSONValue

extension XPCore.JSONValue {
    /// A Double, or null when it is not finite (`metrics.json` writes no NaN).
    public static func num(_ v: Double?) -> JSONValue {
        guard let v, v.isFinite else { return .null }
        return .double(v)
    }

    /// Converts an `Encodable` value through `JSONEncoder` (keys sorted).
    public static func encode<T: Encodable>(_ value: T) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8),
              let parsed = try? JSONParser.parse(text) else {
            return .null
        }
        return parsed
    }

    /// Fields of an object (empty for other values).
    public var fields: [(String, JSONValue)] { objectValue ?? [] }

    /// The number, for integers and doubles.
    public var double: Double? { numberValue }

    /// Serialised text, `indent` spaces per level (Python `json.dump(indent=2)`).
    public func text(indent: Int = 2) -> String { pythonJSON(indent: indent) }
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
