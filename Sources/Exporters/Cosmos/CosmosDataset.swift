import Foundation
import XPCore

/// The input of the Cosmos exports: an xp-export-qwen `dataset.jsonl` (or `.jsonl.zst`), read
/// whole before anything is written, every line numbered so a bad one is named `file:line`.
public enum CosmosDataset {
    /// One record of the dataset and the line it came from (1-based, counting every line of
    /// the file, blank ones included).
    public struct Row: Sendable {
        public var line: Int
        /// The record as `json.loads` gives it: an object whose repeated keys are merged (first
        /// position, last value).
        public var value: JSONValue

        public init(line: Int, value: JSONValue) {
            self.line = line
            self.value = value
        }
    }

    /// What a `DATASET` argument names: the file itself, or the `dataset.jsonl` (then
    /// `dataset.jsonl.zst`) inside an export folder.
    public static func resolve(_ path: String) throws(ExportError) -> URL {
        URL(fileURLWithPath: try JSONOutput.datasetPath(path))
    }

    /// The `dataset_manifest.json` beside `dataset`, if there is one (the reference's default
    /// `--source-dataset-manifest`).
    public static func manifestBeside(_ dataset: URL) -> URL? {
        let candidate = dataset.deletingLastPathComponent().appendingPathComponent("dataset_manifest.json")
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }

    /// Every record of `url` in file order. Lines that are empty after trimming white space are
    /// skipped (the reference's `load_jsonl`); any other line must be one JSON object, or the
    /// read fails naming `file:line`.
    public static func read(_ url: URL) throws(ExportError) -> [Row] {
        guard let raw = FileManager.default.contents(atPath: url.path) else {
            throw .badInput(file: url.path, detail: "cannot read the file")
        }
        let data = url.pathExtension == "zst" ? try Zstd.decompress(raw, file: url.path) : raw
        var rows: [Row] = []
        var lineNumber = 0
        var failure: ExportError? = nil
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            let bytes = buffer.bindMemory(to: UInt8.self)
            var start = 0
            let count = bytes.count
            while start < count {
                var end = start
                while end < count, bytes[end] != 0x0A { end += 1 }
                lineNumber += 1
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                // Python's str.strip(): skip a line of white space only.
                if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }) { continue }
                guard let text = String(validating: slice, as: UTF8.self) else {
                    failure = .badInput(file: "\(url.path):\(lineNumber)", detail: "not UTF-8 text")
                    return
                }
                let value: JSONValue
                do { value = try JSONParser.parse(text) } catch {
                    failure = .badInput(file: "\(url.path):\(lineNumber)", detail: "not JSON (\(error))")
                    return
                }
                guard case .object(let pairs) = value else {
                    failure = .badInput(file: "\(url.path):\(lineNumber)", detail: "expected one JSON object per line, found \(value.typeName)")
                    return
                }
                rows.append(Row(line: lineNumber, value: .object(PythonDict.merged(pairs))))
            }
        }
        if let failure { throw failure }
        return rows
    }
}

/// Python `dict` behaviour on the ordered pairs of a decoded object, where the reference's
/// outputs depend on it.
enum PythonDict {
    /// `json.loads` of an object with a repeated key: the key keeps its first position and its
    /// last value.
    static func merged(_ pairs: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var position: [String: Int] = [:]
        var out: [(String, JSONValue)] = []
        out.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            if let i = position[key] { out[i].1 = value } else {
                position[key] = out.count
                out.append((key, value))
            }
        }
        return out
    }

    /// `d[key] = value`: replaced in place when present, appended otherwise.
    static func setting(_ pairs: [(String, JSONValue)], _ key: String, _ value: JSONValue) -> [(String, JSONValue)] {
        var out = pairs
        if let i = out.firstIndex(where: { $0.0 == key }) { out[i].1 = value } else { out.append((key, value)) }
        return out
    }
}

extension JSONValue {
    /// Python's `d.get(key, default)` on an object (nil `default` = `None`); a value that is not
    /// an object behaves as `{}` (the reference's `row.get(...) or {}`).
    func get(_ key: String, _ fallback: JSONValue = .null) -> JSONValue {
        guard case .object(let pairs) = self, let hit = pairs.last(where: { $0.0 == key }) else { return fallback }
        return hit.1
    }

    /// `x or {}`.
    var orEmptyObject: JSONValue { pythonTruthy ? self : .object([]) }

    /// Python's `int(x)` for a decoded number (floats truncate toward zero); nil for anything
    /// `int()` would refuse or that does not fit.
    var pythonInt: Int? {
        switch self {
        case .int(let i): return Int(exactly: i)
        case .double(let d): return d.isFinite ? Int(exactly: d.rounded(.towardZero)) : nil
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return Int(s.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }
}

/// Python `collections.Counter` turned into a `dict`: keys in first-seen order.
struct InsertionCounter {
    private(set) var keys: [String] = []
    private var counts: [String: Int] = [:]

    mutating func add(_ key: String, _ n: Int = 1) {
        if counts[key] == nil { keys.append(key) }
        counts[key, default: 0] += n
    }

    subscript(key: String) -> Int { counts[key] ?? 0 }

    var json: JSONValue { .object(keys.map { ($0, .int(counts[$0] ?? 0)) }) }
}

/// `str(Path(a) / b)`: repeated and trailing slashes and `.` components dropped, as pathlib does.
func pythonPathJoin(_ base: String, _ name: String) -> String {
    let absolute = base.hasPrefix("/")
    let parts = (base.split(separator: "/") + name.split(separator: "/")).filter { $0 != "." }
    let joined = parts.joined(separator: "/")
    if absolute { return "/" + joined }
    return joined.isEmpty ? "." : joined
}
