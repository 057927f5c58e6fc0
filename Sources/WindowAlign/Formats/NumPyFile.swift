import Foundation

/// NumPy `.npy` files (format version 1.0, little-endian, C order) for Float32 (`<f4`) and
/// Int64 (`<i8`) arrays, so Python reads our feature matrices with `np.load`, and 1-D string
/// arrays as fixed-width unicode (`<U{n}`, `encode(_:)`/`decodeStrings(_:)`). The header is
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
        header(descr: dtype.rawValue, shape: shape)
    }

    /// The header for any `descr` (`<f4`, `<i8`, `<U5`): one layout for every dtype.
    static func header(descr: String, shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
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

    /// What a `.npy` header says: the dtype text, the C-order shape, and where the data starts.
    public struct Header: Sendable, Equatable {
        /// The `descr` value without quotes, e.g. `<f4`, `<i8`, `<U5`.
        public var descr: String
        public var shape: [Int]
        /// Offset of the first data byte from the start of the file.
        public var dataOffset: Int
        /// The element count (the product of `shape`; checked against overflow when parsed).
        public var count: Int
    }

    /// Parses the header of `.npy` bytes (versions 1.0 to 3.0), without touching the data, so
    /// a reader can pick the decoder (`decode` for `<f4`/`<i8`, `decodeStrings` for `<U`).
    public static func parseHeader(_ data: Data) throws(WindowAlignError) -> Header {
        let bytes = [UInt8](data.prefix(12))
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
        let base = data.startIndex
        guard data.count >= dataStart, let header = String(bytes: data[(base + headerStart)..<(base + dataStart)], encoding: .utf8) else {
            throw .malformedNPY(reason: "truncated or non-text header")
        }
        guard let descr = headerValue(header, key: "descr") else { throw .malformedNPY(reason: "no 'descr' in header") }
        let descrText = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
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
        return Header(descr: descrText, shape: shape, dataOffset: dataStart, count: count)
    }

    /// Checks that exactly `count × size` data bytes follow the header (a corrupt shape can
    /// claim more elements than the file holds; nothing is allocated before this check).
    private static func checkPayload(_ h: Header, elementSize: Int, available: Int) throws(WindowAlignError) {
        let (payloadBytes, overflow) = h.count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, available - h.dataOffset == payloadBytes else {
            let needs = overflow ? "more than Int.max" : "\(payloadBytes)"
            throw .malformedNPY(reason: "shape \(h.shape) of \(h.descr) needs \(needs) data bytes, found \(available - h.dataOffset)")
        }
    }

    /// Decodes `.npy` bytes (versions 1.0 to 3.0) holding a C-order `<f4` or `<i8` array.
    public static func decode(_ data: Data) throws(WindowAlignError) -> Array {
        let h = try parseHeader(data)
        guard let dtype = DType(rawValue: h.descr) else {
            throw .malformedNPY(reason: "dtype \(h.descr) is not supported (expected <f4 or <i8)")
        }
        try checkPayload(h, elementSize: dtype.size, available: data.count)
        let bytes = [UInt8](data)
        let shape = h.shape, count = h.count, dataStart = h.dataOffset
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

// MARK: Fixed-width unicode (`<U{n}`)

extension NumPyFile {
    /// The file bytes for a 1-D array of strings as NumPy's fixed-width unicode dtype
    /// `<U{n}`: each element is `n` UTF-32LE code units, zero-padded, where `n` is the longest
    /// string's scalar count (at least 1, as `np.array([""])` gives `<U1`). NumPy reads this
    /// without `allow_pickle`, unlike an object array. NumPy strips trailing NULs when it reads
    /// an element, so a string containing U+0000 could not round-trip and is refused.
    public static func encode(_ strings: [String]) throws(WindowAlignError) -> Data {
        var width = 1
        for (i, s) in strings.enumerated() {
            guard !s.unicodeScalars.contains("\u{0}") else {
                throw .invalidArgument(what: "npy string \(i)", detail: "contains U+0000, which NumPy's <U dtype cannot hold")
            }
            width = Swift.max(width, s.unicodeScalars.count)
        }
        var data = Data(header(descr: "<U\(width)", shape: [strings.count]))
        data.reserveCapacity(data.count + strings.count * width * 4)
        for s in strings {
            var n = 0
            for scalar in s.unicodeScalars {
                withUnsafeBytes(of: scalar.value.littleEndian) { data.append(contentsOf: $0) }
                n += 1
            }
            data.append(contentsOf: repeatElement(0, count: (width - n) * 4))
        }
        return data
    }

    /// Decodes `.npy` bytes holding a 1-D `<U{n}` array (trailing NULs of each element
    /// dropped, as NumPy does). A code unit that is not a Unicode scalar is an error.
    public static func decodeStrings(_ data: Data) throws(WindowAlignError) -> [String] {
        let h = try parseHeader(data)
        // NumPy never writes `<U0` (an empty string still takes `<U1`); refusing it also keeps a
        // zero-byte element from letting a corrupt shape claim 2^62 strings in no data.
        guard h.descr.hasPrefix("<U"), let width = Int(h.descr.dropFirst(2)), width >= 1 else {
            throw .malformedNPY(reason: "dtype \(h.descr) is not a little-endian unicode string dtype (<U{n}, n >= 1)")
        }
        // 0-d too: numpy writes a scalar string (e.g. `np.savez(..., metadata=json_text)`) that
        // way; it reads as one string.
        guard h.shape.count <= 1 else {
            throw .malformedNPY(reason: "string arrays must be 0-d or 1-D, found shape \(h.shape)")
        }
        let (elementSize, overflow) = width.multipliedReportingOverflow(by: 4)
        guard !overflow else { throw .malformedNPY(reason: "dtype \(h.descr) is too wide") }
        try checkPayload(h, elementSize: elementSize, available: data.count)
        let bytes = [UInt8](data)
        var out: [String] = []
        out.reserveCapacity(h.count)
        for i in 0..<h.count {
            var units = [UInt32](repeating: 0, count: width)
            for k in 0..<width {
                let o = h.dataOffset + i * elementSize + k * 4
                units[k] = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
            }
            while let last = units.last, last == 0 { units.removeLast() }
            var s = String.UnicodeScalarView()
            for u in units {
                guard let scalar = Unicode.Scalar(u) else {
                    throw .malformedNPY(reason: "element \(i) holds 0x\(String(u, radix: 16)), which is not a Unicode scalar")
                }
                s.append(scalar)
            }
            out.append(String(s))
        }
        return out
    }
}
