import EpisodeIO
import Foundation

/// The values of one dataset, as the project's reader returns them and its writer takes them.
public enum StoredValues: Sendable, Equatable {
    case float32([Float])
    case float64([Double])
    case int64([Int64])
    case uint8([UInt8])
    /// Fixed-length byte strings (`|S<length>`).
    case fixedStrings([String], length: Int)
    /// A variable-length string scalar.
    case string(String)

    /// Element-wise equality where NaN equals NaN (a copy must keep a NaN a NaN).
    public func sameContent(as other: StoredValues) -> Bool {
        func same<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
        switch (self, other) {
        case let (.float32(a), .float32(b)): return same(a, b)
        case let (.float64(a), .float64(b)): return same(a, b)
        default: return self == other
        }
    }

    /// The values as doubles (numeric cases only).
    public var doubles: [Double]? {
        switch self {
        case .float32(let v): return v.map(Double.init)
        case .float64(let v): return v
        case .int64(let v): return v.map(Double.init)
        case .uint8(let v): return v.map(Double.init)
        case .fixedStrings, .string: return nil
        }
    }
}

/// One dataset read whole: its path, values and shape (empty for a scalar).
public struct StoredDataset: Sendable, Equatable {
    public var path: String
    public var values: StoredValues
    public var shape: [Int]

    public init(path: String, values: StoredValues, shape: [Int]) {
        self.path = path
        self.values = values
        self.shape = shape
    }

    /// Elements per row (first dimension).
    public var rowSize: Int { shape.dropFirst().reduce(1, *) }
    public var rows: Int { shape.first ?? 1 }

    /// The same dataset keeping only the rows in `range` (first dimension).
    public func rows(_ range: Range<Int>) -> StoredDataset {
        let r = rowSize
        let lo = range.lowerBound * r, hi = range.upperBound * r
        var copy = self
        copy.shape[0] = range.count
        switch values {
        case .float32(let v): copy.values = .float32(Array(v[lo..<hi]))
        case .float64(let v): copy.values = .float64(Array(v[lo..<hi]))
        case .int64(let v): copy.values = .int64(Array(v[lo..<hi]))
        case .uint8(let v): copy.values = .uint8(Array(v[lo..<hi]))
        case .fixedStrings(let v, let length): copy.values = .fixedStrings(Array(v[range]), length: length)
        case .string: break
        }
        return copy
    }

    /// The same dataset with `extra` more rows, copies of its last row (a dataset too long).
    public func appendingCopiesOfLastRow(_ extra: Int) -> StoredDataset {
        let r = rowSize
        var copy = self
        copy.shape[0] += extra
        func grow<T>(_ v: [T]) -> [T] { v + (0..<extra).flatMap { _ in v.suffix(r) } }
        switch values {
        case .float32(let v): copy.values = .float32(grow(v))
        case .float64(let v): copy.values = .float64(grow(v))
        case .int64(let v): copy.values = .int64(grow(v))
        case .uint8(let v): copy.values = .uint8(grow(v))
        case .fixedStrings(let v, let length): copy.values = .fixedStrings(v + (0..<extra).compactMap { _ in v.last }, length: length)
        case .string: break
        }
        return copy
    }

    /// Sets elements `columns` (all when nil) of each row in `rows` to `value` (float datasets).
    public func setting(rows: [Int], columns: [Int]? = nil, to value: Double) -> StoredDataset {
        let r = rowSize
        var copy = self
        func edit<T: BinaryFloatingPoint>(_ v: [T]) -> [T] {
            var v = v
            for row in rows { for c in columns ?? Array(0..<r) { v[row * r + c] = T(value) } }
            return v
        }
        switch values {
        case .float32(let v): copy.values = .float32(edit(v))
        case .float64(let v): copy.values = .float64(edit(v))
        default: break
        }
        return copy
    }

    /// The same values stored as float64 (a wrong dtype).
    public var asFloat64: StoredDataset {
        var copy = self
        if let d = values.doubles { copy.values = .float64(d) }
        return copy
    }
}

/// What to do with one dataset while rewriting a file.
public enum DatasetEdit: Sendable {
    /// Leave it out.
    case drop
    /// Write this instead (any type, any shape).
    case replace(StoredDataset)
}

/// Reads an HDF5 file whole with `HDF5File` and writes it again with `HDF5Writer`, changing
/// only the datasets named in the edits: how the corruption matrix makes a file that differs
/// from an intact one in exactly one intended way.
public enum HDF5Rewrite {
    /// Every dataset of the file at `path`, depth first in name order.
    public static func readAll(_ path: String) throws -> [StoredDataset] {
        let file = try HDF5File(path: path)
        return try file.allDatasets().map { try read(file, $0) }
    }

    /// One dataset of `path`.
    public static func read(_ path: String, dataset: String) throws -> StoredDataset {
        let file = try HDF5File(path: path)
        return try read(file, try file.info(dataset))
    }

    static func read(_ file: HDF5File, _ info: HDF5DatasetInfo) throws -> StoredDataset {
        let values: StoredValues
        switch info.type {
        case .float32: values = .float32(try file.read(info.path))
        case .float64: values = .float64(try file.read(info.path))
        case .int64: values = .int64(try file.read(info.path))
        case .uint8: values = .uint8(try file.read(info.path))
        case .fixedString(let length): values = .fixedStrings(try file.readStrings(info.path), length: length)
        case .variableString:
            guard info.shape.isEmpty else { throw CorruptionError.unsupported("\(info.path): a variable-length string array \(info.shapeDescription)") }
            values = .string(try file.readString(info.path))
        default:
            throw CorruptionError.unsupported("\(info.path): element type \(info.type)")
        }
        return StoredDataset(path: info.path, values: values, shape: info.shape)
    }

    /// Writes `datasets` as a new file at `path` (replacing it).
    public static func write(_ datasets: [StoredDataset], to path: String) throws {
        let writer = try HDF5Writer(path: path)
        for d in datasets {
            switch d.values {
            case .float32(let v): try writer.write(d.path, v, shape: d.shape)
            case .float64(let v): try writer.write(d.path, v, shape: d.shape)
            case .int64(let v): try writer.write(d.path, v, shape: d.shape)
            case .uint8(let v): try writer.write(d.path, v, shape: d.shape)
            case .fixedStrings(let v, let length): try writer.writeFixedStrings(d.path, v, length: length)
            case .string(let s): try writer.writeString(d.path, s)
            }
        }
        try writer.finish()
    }

    /// Copies `source` to `destination`, applying `edits` (keyed by dataset path) and then
    /// appending `additions`.
    public static func rewrite(_ source: String, to destination: String, edits: [String: DatasetEdit], additions: [StoredDataset] = []) throws {
        let all = try readAll(source)
        let known = Set(all.map(\.path))
        for path in edits.keys where !known.contains(path) {
            throw CorruptionError.unsupported("edit of \(path), which \(source) does not hold")
        }
        var out: [StoredDataset] = []
        for d in all {
            switch edits[d.path] {
            case nil: out.append(d)
            case .drop: continue
            case .replace(let replacement): out.append(replacement)
            }
        }
        try write(out + additions, to: destination)
    }
}

/// Why a corrupted copy could not be made (a harness failure, not a finding).
public enum CorruptionError: Error, CustomStringConvertible {
    case unsupported(String)
    case base(String)
    case notFound(String)

    public var description: String {
        switch self {
        case .unsupported(let s): return "corruption harness: unsupported: \(s)"
        case .base(let s): return "corruption harness: the base episode could not be made: \(s)"
        case .notFound(let s): return "corruption harness: \(s)"
        }
    }
}
