import Foundation

/// A `.npz` read leniently: a ZIP archive of **stored** `.npy` members (what the suite
/// writes); little-endian float32/float64/int64 arrays, C order. Compressed members,
/// other dtypes and truncated files throw, naming the member.
struct StoredNPZ: Sendable {
    /// One array: its shape and its values as Double.
    public struct Array: Sendable {
        public var shape: [Int]
        public var values: [Double]
    }

    public var arrays: [String: Array]

    /// Reads `url`; nil when absent.
    public static func read(_ url: URL) throws(ReportError) -> StoredNPZ? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = try? Data(contentsOf: url) else {
            throw .unreadable(path: url.path, line: nil, expected: "a readable file", found: "an unreadable file")
        }
        return try StoredNPZ(bytes: [UInt8](data), path: url.path)
    }

    init(bytes: [UInt8], path: String) throws(ReportError) {
        func u16(_ o: Int) -> Int? { o + 2 <= bytes.count ? Int(bytes[o]) | Int(bytes[o + 1]) << 8 : nil }
        func u32(_ o: Int) -> Int? {
            guard o + 4 <= bytes.count else { return nil }
            return Int(bytes[o]) | Int(bytes[o + 1]) << 8 | Int(bytes[o + 2]) << 16 | Int(bytes[o + 3]) << 24
        }
        var arrays: [String: Array] = [:]
        var offset = 0
        while let signature = u32(offset), signature == 0x0403_4B50 {
            guard let method = u16(offset + 8), let size = u32(offset + 18), let nameLength = u16(offset + 26), let extraLength = u16(offset + 28) else { break }
            let nameStart = offset + 30, dataStart = nameStart + nameLength + extraLength
            guard dataStart + size <= bytes.count else {
                throw .unreadable(path: path, line: nil, expected: "a member of \(size) bytes at byte \(dataStart)", found: "a file of \(bytes.count) bytes")
            }
            let name = String(decoding: bytes[nameStart..<(nameStart + nameLength)], as: UTF8.self)
            guard method == 0 else {
                throw .unreadable(path: path, line: nil, expected: "stored (uncompressed) member \(name)", found: "compression method \(method)")
            }
            let key = name.hasSuffix(".npy") ? String(name.dropLast(4)) : name
            arrays[key] = try StoredNPZ.npy(Swift.Array(bytes[dataStart..<(dataStart + size)]), path: "\(path):\(name)")
            offset = dataStart + size
        }
        self.arrays = arrays
    }

    /// One `.npy` member.
    static func npy(_ b: [UInt8], path: String) throws(ReportError) -> Array {
        guard b.count >= 10, b[0] == 0x93, b[1] == UInt8(ascii: "N") else {
            throw .unreadable(path: path, line: nil, expected: "the NumPy magic \\x93NUMPY", found: "other bytes")
        }
        let major = Int(b[6])
        let headerLength = major == 1 ? Int(b[8]) | Int(b[9]) << 8 : (b.count >= 12 ? Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24 : 0)
        let headerStart = major == 1 ? 10 : 12
        guard headerStart + headerLength <= b.count else {
            throw .unreadable(path: path, line: nil, expected: "a header of \(headerLength) bytes", found: "\(b.count) bytes in all")
        }
        let header = String(decoding: b[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let width: Int, kind: Character
        if header.contains("'<f4'") { width = 4; kind = "f" } else if header.contains("'<f8'") { width = 8; kind = "f" } else if header.contains("'<i8'") { width = 8; kind = "i" } else {
            throw .unreadable(path: path, line: nil, expected: "dtype <f4, <f8 or <i8", found: header.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard !header.contains("'fortran_order': True") else {
            throw .unreadable(path: path, line: nil, expected: "C order", found: "fortran_order True")
        }
        var shape: [Int] = []
        if let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") {
            shape = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        }
        let count = shape.reduce(1, *)
        let start = headerStart + headerLength
        guard count >= 0, start + count * width <= b.count else {
            throw .unreadable(path: path, line: nil, expected: "\(count) values of \(width) bytes", found: "\(b.count - start) bytes")
        }
        var values = [Double](repeating: 0, count: count)
        for i in 0..<count {
            var bits: UInt64 = 0
            for k in 0..<width { bits |= UInt64(b[start + i * width + k]) << (8 * UInt64(k)) }
            switch (kind, width) {
            case ("f", 4): values[i] = Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            case ("f", _): values[i] = Double(bitPattern: bits)
            default: values[i] = Double(Int64(bitPattern: bits))
            }
        }
        return Array(shape: shape, values: values)
    }
}
