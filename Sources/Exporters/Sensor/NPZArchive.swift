import Foundation
import WindowAlign
import XPCore

/// A NumPy `.npz` archive as `np.savez_compressed` writes it: a ZIP of `<name>.npy` members,
/// raw-deflated by zlib, which `np.load(path)` opens as a dict of arrays.
///
/// Arrays keep the order they were added in (numpy keeps keyword order too). Three kinds:
/// float32 and int64 arrays of any shape (`.npy` bytes from ``NumPyFile``), and 1-D string
/// arrays as numpy's fixed-width unicode dtype `<U{n}` (UTF-32LE, zero-padded to the longest
/// string). The reference exporter saved its labels as pickled object arrays, which need
/// `np.load(..., allow_pickle=True)` and so let an archive run code on load; `<U` arrays
/// load with plain `np.load` and are only data.
///
/// ```swift
/// var npz = NPZArchive()
/// try npz.add("imu", float32: samples, shape: [n, 6])
/// try npz.add("labels", strings: ["pick", "place"])
/// try npz.write(to: url)                   // np.load(url)["imu"].shape == (n, 6)
/// let back = try NPZArchive.read(from: url)
/// ```
public struct NPZArchive: Sendable, Equatable {
    /// One array of the archive.
    public enum Array: Sendable, Equatable {
        case float32(shape: [Int], values: [Float])
        case int64(shape: [Int], values: [Int64])
        /// A 1-D `<U{n}` array (a 0-d one, numpy's scalar string, reads as one element).
        case strings([String])

        public var shape: [Int] {
            switch self {
            case let .float32(shape, _), let .int64(shape, _): return shape
            case let .strings(values): return [values.count]
            }
        }
    }

    /// A named array; the archive member is `<name>.npy`.
    public struct Member: Sendable, Equatable {
        public var name: String
        public var array: Array
    }

    /// The arrays, in the order they were added (or stored in the archive read).
    public private(set) var members: [Member] = []

    public init() {}

    /// The array names, in order (the keys `np.load` gives).
    public var names: [String] { members.map(\.name) }

    /// The array called `name` (without `.npy`), if any.
    public subscript(name: String) -> Array? { members.first { $0.name == name }?.array }

    // MARK: Adding

    /// Adds a float32 array of `shape` (C order: the last axis varies fastest).
    public mutating func add(_ name: String, float32 values: [Float], shape: [Int]) throws(ArchiveError) {
        try append(name, .float32(shape: shape, values: values), count: values.count)
    }

    /// Adds an int64 array of `shape` (C order).
    public mutating func add(_ name: String, int64 values: [Int64], shape: [Int]) throws(ArchiveError) {
        try append(name, .int64(shape: shape, values: values), count: values.count)
    }

    /// Adds a 1-D string array, written as `<U{n}`. A string holding U+0000 is refused:
    /// numpy drops trailing NULs when it reads `<U`, so it would not come back the same.
    public mutating func add(_ name: String, strings: [String]) throws(ArchiveError) {
        if let bad = strings.firstIndex(where: { $0.unicodeScalars.contains("\u{0}") }) {
            throw .invalidArray(file: ZipArchive.inMemory, entry: Self.memberName(name), reason: "string \(bad) contains U+0000, which numpy's <U dtype cannot hold")
        }
        try append(name, .strings(strings), count: strings.count)
    }

    /// Checks the name and the shape when the array is added, so `encoded()` only fails on
    /// sizes beyond the ZIP limits.
    private mutating func append(_ name: String, _ array: Array, count: Int) throws(ArchiveError) {
        let member = Self.memberName(name)
        guard !name.isEmpty, !name.unicodeScalars.contains("\u{0}") else {
            throw .invalidArray(file: ZipArchive.inMemory, entry: member, reason: "an array name must be non-empty and free of NUL")
        }
        guard self[name] == nil else { throw .duplicateEntry(file: ZipArchive.inMemory, entry: member) }
        var product = 1
        for axis in array.shape {
            let (m, overflow) = product.multipliedReportingOverflow(by: axis)
            guard axis >= 0, !overflow else {
                throw .invalidArray(file: ZipArchive.inMemory, entry: member, reason: "shape \(array.shape) is not a valid array shape")
            }
            product = m
        }
        guard product == count else {
            throw .invalidArray(file: ZipArchive.inMemory, entry: member, reason: "shape \(array.shape) needs \(product) values, found \(count)")
        }
        members.append(Member(name: name, array: array))
    }

    // MARK: Writing

    /// The archive's bytes: deflated members (`np.savez_compressed`) or, with
    /// `compressed: false`, stored ones (`np.savez`).
    public func encoded(compressed: Bool = true) throws(ArchiveError) -> Data {
        try encoded(compressed: compressed, file: ZipArchive.inMemory)
    }

    /// Writes the archive atomically: a temporary sibling, `fsync`, then `rename(2)` over
    /// `url`, so a reader never sees half an archive.
    public func write(to url: URL, compressed: Bool = true) throws(ArchiveError) {
        let data = try encoded(compressed: compressed, file: url.path)
        do { try AtomicFile.write(data, to: url) } catch {
            throw .io(file: url.path, reason: error.reason)
        }
    }

    private func encoded(compressed: Bool, file: String) throws(ArchiveError) -> Data {
        var zip = ZipArchive()
        for m in members {
            let member = Self.memberName(m.name)
            let npy: Data
            do {
                switch m.array {
                case let .float32(shape, values): npy = try NumPyFile.encode(values, shape: shape)
                case let .int64(shape, values): npy = try NumPyFile.encode(values, shape: shape)
                case let .strings(values): npy = try NumPyFile.encode(values)
                }
            } catch {
                throw .invalidArray(file: file, entry: member, reason: error.description)
            }
            do { try zip.add(member, data: npy, method: compressed ? .deflate : .stored) } catch {
                throw Self.renamed(error, file: file)
            }
        }
        return try zip.encoded(file: file)
    }

    // MARK: Reading

    /// Reads the archive at `url` (ours or numpy's: `<f4`, `<i8` and 0-d or 1-D `<U{n}` members).
    public static func read(from url: URL) throws(ArchiveError) -> NPZArchive {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, file: url.path)
    }

    /// Decodes archive bytes; `file` is the name errors give.
    public static func decode(_ data: Data, file: String = ZipArchive.inMemory) throws(ArchiveError) -> NPZArchive {
        var out = NPZArchive()
        for entry in try ZipArchive.decode(data, file: file).entries {
            guard entry.name.hasSuffix(".npy"), entry.name.count > 4 else {
                throw .unsupported(file: file, entry: entry.name, feature: "a member that is not a .npy array")
            }
            let name = String(entry.name.dropLast(4))
            let array: Array
            do {
                let header = try NumPyFile.parseHeader(entry.data)
                switch header.descr {
                case NumPyFile.DType.float32.rawValue, NumPyFile.DType.int64.rawValue:
                    switch try NumPyFile.decode(entry.data) {
                    case let .float32(shape, values): array = .float32(shape: shape, values: values)
                    case let .int64(shape, values): array = .int64(shape: shape, values: values)
                    }
                case let d where d.hasPrefix("<U"):
                    array = .strings(try NumPyFile.decodeStrings(entry.data))
                default:
                    throw ArchiveError.unsupported(file: file, entry: entry.name, feature: "dtype \(header.descr) (only <f4, <i8 and 0-d or 1-D <U{n} are read)")
                }
            } catch let error as ArchiveError {
                throw error
            } catch {
                throw .malformed(file: file, entry: entry.name, reason: "\(error)")
            }
            // ZipArchive already refused duplicate member names.
            out.members.append(Member(name: name, array: array))
        }
        return out
    }

    // MARK: Helpers

    private static func memberName(_ name: String) -> String { name + ".npy" }

    /// `ZipArchive.add` names the in-memory archive; name the destination instead.
    private static func renamed(_ error: ArchiveError, file: String) -> ArchiveError {
        switch error {
        case let .tooLarge(_, entry, what, value, limit): return .tooLarge(file: file, entry: entry, what: what, value: value, limit: limit)
        case let .duplicateEntry(_, entry): return .duplicateEntry(file: file, entry: entry)
        case let .invalidArray(_, entry, reason): return .invalidArray(file: file, entry: entry, reason: reason)
        default: return error
        }
    }
}
