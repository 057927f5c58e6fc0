import Foundation
import XPCore

/// One tensor of a safetensors file: element type, shape and little-endian bytes.
public struct SafetensorsTensor: Sendable, Equatable {
    /// Element types this library reads and writes.
    public enum DType: String, Sendable, Equatable, CaseIterable {
        case f32 = "F32", f64 = "F64", i64 = "I64", i32 = "I32", u8 = "U8"
        /// Bytes per element.
        public var size: Int {
            switch self {
            case .f32, .i32: return 4
            case .f64, .i64: return 8
            case .u8: return 1
            }
        }
    }

    /// Element type.
    public let dtype: DType
    /// Dimensions (empty for a scalar).
    public let shape: [Int]
    /// Raw little-endian element bytes; `bytes.count == shape.product · dtype.size`.
    public let bytes: [UInt8]

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// A tensor from raw bytes; throws when the byte count does not match the shape.
    public init(dtype: DType, shape: [Int], bytes: [UInt8]) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw HeadsError.malformedSafetensors(reason: "negative dimension in shape \(shape)")
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, dim in
            let (p, o) = acc.0.multipliedReportingOverflow(by: dim)
            return (p, acc.1 || o)
        }
        guard !overflow, count.multipliedReportingOverflow(by: dtype.size).overflow == false, count * dtype.size == bytes.count else {
            throw HeadsError.malformedSafetensors(reason: "tensor of shape \(shape) and dtype \(dtype.rawValue) needs \(overflow ? "too many" : String(count * dtype.size)) bytes, found \(bytes.count)")
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// A Float32 tensor.
    public init(floats: [Float], shape: [Int]) throws {
        try self.init(dtype: .f32, shape: shape, bytes: floats.flatMap { Self.littleEndianBytes($0.bitPattern) })
    }

    /// A Float64 tensor.
    public init(doubles: [Double], shape: [Int]) throws {
        try self.init(dtype: .f64, shape: shape, bytes: doubles.flatMap { Self.littleEndianBytes($0.bitPattern) })
    }

    /// An Int64 tensor.
    public init(int64s: [Int64], shape: [Int]) throws {
        try self.init(dtype: .i64, shape: shape, bytes: int64s.flatMap { Self.littleEndianBytes(UInt64(bitPattern: $0)) })
    }

    /// The elements as Float32 (F32 only).
    public func floats() throws -> [Float] {
        guard dtype == .f32 else { throw HeadsError.incompatibleArchive(expected: "an F32 tensor", found: dtype.rawValue) }
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }

    /// The elements as Int64 (I64 only).
    public func int64s() throws -> [Int64] {
        guard dtype == .i64 else { throw HeadsError.incompatibleArchive(expected: "an I64 tensor", found: dtype.rawValue) }
        return stride(from: 0, to: bytes.count, by: 8).map { i in
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            return Int64(bitPattern: v)
        }
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// A safetensors file in memory: named tensors plus the `__metadata__` string map.
///
/// Layout (the format of Hugging Face's `safetensors`): an 8-byte little-endian header length
/// N, N bytes of UTF-8 JSON `{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [..],
/// "data_offsets": [begin, end]}, ...}` (padded with spaces to a multiple of 8), then the
/// tensors' bytes. Tensors are written in name order, so the same archive always encodes to
/// the same bytes.
public struct SafetensorsArchive: Sendable, Equatable {
    /// Tensors by name.
    public var tensors: [String: SafetensorsTensor]
    /// Free-form string metadata (this library stores JSON documents in it).
    public var metadata: [String: String]

    /// Upper bound on the header size, as the reference implementation enforces.
    public static let maximumHeaderSize = 100_000_000

    /// An archive from tensors and metadata.
    public init(tensors: [String: SafetensorsTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor `name`, or a typed error naming what is missing.
    public func tensor(_ name: String) throws -> SafetensorsTensor {
        guard let t = tensors[name] else {
            throw HeadsError.incompatibleArchive(expected: "a tensor named \(name)", found: "tensors \(tensors.keys.sorted())")
        }
        return t
    }

    /// Float32 elements of `name`, checking the shape.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        let t = try tensor(name)
        guard t.shape == shape else {
            throw HeadsError.shapeMismatch(operation: "tensor \(name)", expected: "\(shape)", found: "\(t.shape)")
        }
        return try t.floats()
    }

    /// The encoded file.
    public func encoded() throws -> [UInt8] {
        let names = tensors.keys.sorted()
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let entries = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
            parts.append("\"__metadata__\":{\(entries.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            guard name != "__metadata__", let t = tensors[name] else {
                throw HeadsError.malformedSafetensors(reason: "a tensor may not be named __metadata__")
            }
            let end = offset + t.bytes.count
            parts.append("\(jsonString(name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = SafetensorsTensor.littleEndianBytes(UInt64(headerBytes.count))
        out.reserveCapacity(8 + headerBytes.count + offset)
        out += headerBytes
        for name in names { out += tensors[name]?.bytes ?? [] }
        return out
    }

    /// Decodes and validates a file: header length within the buffer, a JSON object header,
    /// known dtypes, shapes matching byte ranges, ranges contiguous and covering the data.
    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= 8 else {
            throw HeadsError.malformedSafetensors(reason: "file is \(bytes.count) bytes, shorter than the 8-byte header length")
        }
        var n: UInt64 = 0
        for k in 0..<8 { n |= UInt64(bytes[k]) << (8 * UInt64(k)) }
        guard n <= UInt64(Self.maximumHeaderSize), n <= UInt64(bytes.count - 8) else {
            throw HeadsError.malformedSafetensors(reason: "header length \(n) exceeds the \(bytes.count - 8) bytes that follow it (or the \(Self.maximumHeaderSize)-byte limit)")
        }
        let headerEnd = 8 + Int(n)
        let headerData = Data(bytes[8..<headerEnd])
        guard headerData.first == UInt8(ascii: "{") else {
            throw HeadsError.malformedSafetensors(reason: "header does not start with '{'")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerData)
        } catch {
            throw HeadsError.malformedSafetensors(reason: "header is not valid JSON (\(error.localizedDescription))")
        }
        guard let object = json as? [String: Any] else {
            throw HeadsError.malformedSafetensors(reason: "header is not a JSON object")
        }
        let dataCount = bytes.count - headerEnd
        var tensors: [String: SafetensorsTensor] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(begin: Int, end: Int, name: String)] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw HeadsError.malformedSafetensors(reason: "__metadata__ is not an object")
                }
                for (k, v) in map {
                    guard let s = v as? String else { throw HeadsError.malformedSafetensors(reason: "__metadata__ value for \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any] else {
                throw HeadsError.malformedSafetensors(reason: "entry \(name) is not an object")
            }
            guard let dtypeName = entry["dtype"] as? String else {
                throw HeadsError.malformedSafetensors(reason: "tensor \(name) has no dtype string")
            }
            guard let dtype = SafetensorsTensor.DType(rawValue: dtypeName) else {
                throw HeadsError.malformedSafetensors(reason: "tensor \(name) has unsupported dtype \(dtypeName) (supported: \(SafetensorsTensor.DType.allCases.map(\.rawValue)))")
            }
            guard let shape = Self.integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw HeadsError.malformedSafetensors(reason: "tensor \(name) has no valid shape (array of non-negative integers)")
            }
            guard let offsets = Self.integers(entry["data_offsets"]), offsets.count == 2,
                  offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataCount else {
                throw HeadsError.malformedSafetensors(reason: "tensor \(name) has data_offsets outside the \(dataCount)-byte data section")
            }
            ranges.append((offsets[0], offsets[1], name))
            tensors[name] = try SafetensorsTensor(dtype: dtype, shape: shape, bytes: Array(bytes[(headerEnd + offsets[0])..<(headerEnd + offsets[1])]))
        }
        // Byte ranges must tile the data section exactly (no gaps, no overlaps, no tail).
        var expected = 0
        for r in ranges.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard r.begin == expected else {
                throw HeadsError.malformedSafetensors(reason: "tensor \(r.name) starts at byte \(r.begin), expected \(expected) (gap or overlap)")
            }
            expected = r.end
        }
        guard expected == dataCount else {
            throw HeadsError.malformedSafetensors(reason: "tensors cover \(expected) bytes but the data section holds \(dataCount)")
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads and decodes a file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw HeadsError.io(path: url.path, reason: "cannot read (\(error.localizedDescription))")
        }
        try self.init(decoding: [UInt8](data))
    }

    /// Writes the file atomically (XPCore's `AtomicFile`: a temporary name in the same folder,
    /// `fsync`, then `rename(2)`).
    public func write(to url: URL) throws {
        let bytes = try encoded()
        do { try AtomicFile.write(Data(bytes), to: url) } catch {
            throw HeadsError.io(path: url.path, reason: "cannot write (\(error.reason))")
        }
    }

    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var out: [Int] = []
        for v in array {
            if let i = v as? Int { out.append(i); continue }
            guard let number = v as? NSNumber else { return nil }
            let d = number.doubleValue
            guard d.rounded() == d, abs(d) < 9.0e15 else { return nil }
            out.append(Int(d))
        }
        return out
    }
}

/// A JSON string literal with the escapes JSON requires.
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += String(format: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
