import Foundation
import XPCore

/// The JSONL inputs of the baselines, read whole with line numbers kept: a line that does not
/// parse, or a record whose fields cannot be read, is an error naming `file:line`, before
/// anything is written.
public enum BaselineJSONL {
    /// Calls `body` with each non-blank line of `url` (zstd-compressed when it ends in `.zst`)
    /// parsed as one JSON object, with its 1-based line number. Lines are parsed one at a time,
    /// so a caller that keeps only what it needs never holds every parsed record (an export's
    /// records carry the whole option lists three times).
    public static func forEachObject(_ url: URL, _ body: (_ line: Int, _ value: JSONValue) throws -> Void) throws {
        guard let raw = FileManager.default.contents(atPath: url.path) else {
            throw ExportError.badInput(file: url.path, detail: "cannot read the file")
        }
        let data = url.pathExtension == "zst" ? try Zstd.decompress(raw, file: url.path) : raw
        guard let text = String(data: data, encoding: .utf8) else { throw ExportError.badInput(file: url.path, detail: "not UTF-8 text") }
        var number = 0, any = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let trimmed = PythonValues.strip(String(line))
            guard !trimmed.isEmpty else { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(trimmed) } catch {
                throw ExportError.badInput(file: "\(url.path):\(number)", detail: "not JSON: \(error)")
            }
            guard value.objectValue != nil else {
                throw ExportError.badInput(file: "\(url.path):\(number)", detail: "a record is a JSON object, found \(value.typeName)")
            }
            any = true
            try body(number, value)
        }
        guard any else { throw ExportError.badInput(file: url.path, detail: "holds no records") }
    }

    /// Every object of `url` with its line number (see ``forEachObject(_:_:)``).
    public static func readObjects(_ url: URL) throws -> [(line: Int, value: JSONValue)] {
        var out: [(Int, JSONValue)] = []
        try forEachObject(url) { out.append(($0, $1)) }
        return out
    }
}
