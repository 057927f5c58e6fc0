import Foundation

/// NumPy `.npy` files (format version 1.0, little-endian, C order) for Float32 (`<f4`) and
/// Int64 (`<i8`) arrays, so Python reads our feature matrices with `np.load`. The header is
/// byte-identical to what NumPy 2.x `np.save` writes: the dict with sorted keys, spare spaces
/// for growing the first axis, space padding and a newline so the data starts at a multiple
/// of 64 bytes.
public enum NumPyFile {
    /// An element type we read and write.
    public enum DType: String, Sendable {
        case float32 = "<f4"
        case int64 = "<i8"
        var size: Int { self == .float32 ? 4 : 8 }
    }

    /// A decoded array: shape plus values of one type.
    public enum Array: Sendable, Equatable {
        case float32(shape: [Int], values: [Float])
        case int64(shape: [Int], values: [Int64])

        public var shape: [Int] {
            switch self {
            case .float32(let s, _), .int64(let s, _): return s
            }
        }
    }

    /// The header bytes (magic through the newline) for an array of `shape`.
    public static func header(dtype: DType, shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        // NumPy ≥ 1.23 leaves room for the first axis to grow to 21 digits.
        if let first = shape.first { dict += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        let fixed = 10  // magic (6) + version (2) + header length (2)
        let padding = 64 - (fixed + dict.utf8.count + 1) % 64
        // Like NumPy, an already aligned header still gets a full 64 spaces.
        dict += String(repeating: " ", count: padding) + "\n"
        let length = dict.utf8.count
        var out: [UInt8] = [0x93] + Swift.Array("NUMPY".utf8) + [1, 0]
        out += [UInt8(length & 0xFF), UInt8(length >> 8)]
        out += Swift.Array(dict.utf8)
        return out
    }

    /// The file bytes for a Float32 array.
    public static func encode(_ values: [Float], shape: [Int]) throws(WindowAlignError) -> Data {
        try checkShape(shape, count: values.count)
        var data = Data(header(dtype: .float32, shape: shape))
        data.reserveCapacity(data.count + values.count * 4)
        #if _endian(little)
        // One copy of the whole buffer: the host order already is the file's order.
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        #else
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        #endif
        return data
    }

    /// The file bytes for an Int64 array.
    public static func encode(_ values: [Int64], shape: [Int]) throws(WindowAlignError) -> Data {
        try checkShape(shape, count: values.count)
        var data = Data(header(dtype: .int64, shape: shape))
        data.reserveCapacity(data.count + values.count * 8)
        for v in values { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// Writes a Float32 array atomically.
    public static func write(_ values: [Float], shape: [Int], to url: URL) throws(WindowAlignError) {
        try atomicWrite(try encode(values, shape: shape), to: url)
    }

    /// Writes an Int64 array atomically.
    public static func write(_ values: [Int64], shape: [Int], to url: URL) throws(WindowAlignError) {
        try atomicWrite(try encode(values, shape: shape), to: url)
    }

    /// Reads a `.npy` file.
    public static func read(from url: URL) throws(WindowAlignError) -> Array {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data)
    }

    /// Decodes `.npy` bytes (versions 1.0 to 3.0) holding a C-order `<f4` or `<i8` array.
    public static func decode(_ data: Data) throws(WindowAlignError) -> Array {
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Swift.Array(bytes[1..<6]) == Swift.Array("NUMPY".utf8) else {
            throw .malformedNPY(reason: "missing the \\x93NUMPY magic")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw .malformedNPY(reason: "truncated header length") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw .malformedNPY(reason: "format version \(major) is not supported (expected 1, 2 or 3)")
        }
        let dataStart = headerStart + headerLength
        guard bytes.count >= dataStart, let header = String(bytes: bytes[headerStart..<dataStart], encoding: .utf8) else {
            throw .malformedNPY(reason: "truncated or non-text header")
        }
        guard let descr = headerValue(header, key: "descr") else { throw .malformedNPY(reason: "no 'descr' in header") }
        let descrText = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        guard let dtype = DType(rawValue: descrText) else {
            throw .malformedNPY(reason: "dtype \(descrText) is not supported (expected <f4 or <i8)")
        }
        guard let fortran = headerValue(header, key: "fortran_order"), fortran == "False" else {
            throw .malformedNPY(reason: "only C-order arrays are supported (fortran_order must be False)")
        }
        guard let shapeText = headerValue(header, key: "shape") else { throw .malformedNPY(reason: "no 'shape' in header") }
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let v = Int(t), v >= 0 else { throw .malformedNPY(reason: "bad shape entry '\(t)'") }
            shape.append(v)
        }
        var count = 1
        for s in shape {
            let (m, overflow) = count.multipliedReportingOverflow(by: s)
            guard !overflow else { throw .malformedNPY(reason: "shape \(shape) is too large") }
            count = m
        }
        let (payloadBytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, bytes.count - dataStart == payloadBytes else {
            throw .malformedNPY(reason: "shape \(shape) needs \(count * dtype.size) data bytes, found \(bytes.count - dataStart)")
        }
        switch dtype {
        case .float32:
            var values = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let o = dataStart + i * 4
                let bits = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
                values[i] = Float(bitPattern: bits)
            }
            return .float32(shape: shape, values: values)
        case .int64:
            var values = [Int64](repeating: 0, count: count)
            for i in 0..<count {
                let o = dataStart + i * 8
                var bits: UInt64 = 0
                for b in 0..<8 { bits |= UInt64(bytes[o + b]) << (8 * UInt64(b)) }
                values[i] = Int64(bitPattern: bits)
            }
            return .int64(shape: shape, values: values)
        }
    }

    private static func checkShape(_ shape: [Int], count: Int) throws(WindowAlignError) {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArgument(what: "npy shape", detail: "entries must be >= 0, found \(shape)")
        }
        let product = shape.reduce(1, *)
        guard product == count else { throw .shapeMismatch(what: "npy array of shape \(shape)", expected: product, found: count) }
    }

    /// The raw text of `'key': value` in a NumPy header dict (value up to the next top-level
    /// comma; tuples kept whole).
    private static func headerValue(_ header: String, key: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") ?? header.range(of: "\"\(key)\":") else { return nil }
        var depth = 0
        var value = ""
        for ch in header[keyRange.upperBound...] {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if depth == 0 && (ch == "," || ch == "}") { break }
            value.append(ch)
            if depth == 0 && ch == ")" { break }
        }
        return value.trimmingCharacters(in: .whitespaces)
    }
}
