import Foundation
import XPCore

/// The inputs of the error analysis: an eval folder's `predictions.jsonl` and `metrics.json`
/// (what `xp-eval-json` writes, and the reference's eval folders), and optionally an episode
/// manifest. Paths in messages are as given (relative stays relative).
public struct ErrorAnalysisInput: Sendable {
    public var rows: [JSONValue]
    /// The 1-based line of each row in `predictions.jsonl` (blank lines are skipped).
    public var lines: [Int]
    /// `metrics.json`'s `json_validity_rate`, nil when the key is absent.
    public var metricsValidity: JSONValue?
    public var manifest: ModalityManifest?
    public var predictionsPath: String
    public var metricsPath: String
    public var manifestPath: String?

    /// Reads `evalDir/predictions.jsonl` and `evalDir/metrics.json`, and the manifest when a
    /// path is given. A line that is not a JSON object fails naming `file:line`.
    public static func load(evalDir: String, manifest: String?) throws(ErrorAnalysisError) -> ErrorAnalysisInput {
        let predictions = (evalDir as NSString).appendingPathComponent("predictions.jsonl")
        let metricsPath = (evalDir as NSString).appendingPathComponent("metrics.json")
        let (rows, lines) = try readObjectLines(predictions)
        let metrics = try readJSON(metricsPath)
        guard metrics.isObject else { throw .badInput(file: metricsPath, line: nil, detail: "must be a JSON object, found \(metrics.typeName)") }
        var modality: ModalityManifest?
        if let manifest { modality = try ModalityManifest(json: readJSON(manifest), file: manifest) }
        return ErrorAnalysisInput(rows: rows, lines: lines, metricsValidity: metrics.pythonGet("json_validity_rate"), manifest: modality,
                                  predictionsPath: predictions, metricsPath: metricsPath, manifestPath: manifest)
    }

    /// The JSON objects of a JSON Lines file (zstd-compressed when it ends in `.zst`), with
    /// their line numbers; whitespace-only lines are skipped, as the reference's
    /// `line.strip()` does.
    public static func readObjectLines(_ path: String) throws(ErrorAnalysisError) -> ([JSONValue], [Int]) {
        var rows: [JSONValue] = []
        var lines: [Int] = []
        try forEachLine(path) { (line, number) throws(ErrorAnalysisError) in
            let value: JSONValue
            do { value = try JSONParser.parse(line) } catch {
                throw .badInput(file: path, line: number, detail: "not JSON: \(error)")
            }
            guard value.isObject else { throw .badInput(file: path, line: number, detail: "must be a JSON object, found \(value.typeName)") }
            rows.append(value)
            lines.append(number)
        }
        return (rows, lines)
    }

    /// Calls `body` with each non-blank line (as text) and its 1-based number.
    public static func forEachLine(_ path: String, _ body: (String, Int) throws(ErrorAnalysisError) -> Void) throws(ErrorAnalysisError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .badInput(file: path, line: nil, detail: "does not exist") }
        guard !isDirectory.boolValue else { throw .badInput(file: path, line: nil, detail: "is a folder, not a file") }
        guard var data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) else {
            throw .badInput(file: path, line: nil, detail: "cannot be read")
        }
        if path.hasSuffix(".zst") {
            do { data = try Zstd.decompress(data, file: path) } catch { throw .badInput(file: path, line: nil, detail: "\(error)") }
        }
        var failure: ErrorAnalysisError?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var number = 0
            while start < bytes.count && failure == nil {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                number += 1
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if slice.contains(where: { !($0 == 0x20 || (0x09...0x0D).contains($0)) }) {
                    guard let text = String(bytes: slice, encoding: .utf8) else {
                        failure = .badInput(file: path, line: number, detail: "not UTF-8 text")
                        break
                    }
                    do throws(ErrorAnalysisError) { try body(text, number) } catch { failure = error }
                }
                start = end + 1
            }
        }
        if let failure { throw failure }
    }

    /// Reads and parses one JSON file.
    public static func readJSON(_ path: String) throws(ErrorAnalysisError) -> JSONValue {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .badInput(file: path, line: nil, detail: "does not exist") }
        guard !isDirectory.boolValue else { throw .badInput(file: path, line: nil, detail: "is a folder, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw .badInput(file: path, line: nil, detail: "cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw .badInput(file: path, line: nil, detail: "not UTF-8 text") }
        do { return try JSONParser.parse(text) } catch { throw .badInput(file: path, line: nil, detail: "not JSON: \(error)") }
    }
}

/// Writes the analysis's files into a folder, each one atomically (a file appears whole or
/// not at all). Other files in the folder are left alone; a file of the other protocol's set
/// that this run does not write does not exist in either set, so nothing stale remains.
public enum ErrorAnalysisWriter {
    /// Writes every file of `result` into `folder` (created if needed) and returns their URLs.
    @discardableResult
    public static func write(_ result: ErrorAnalysisResult, to folder: URL) throws(ErrorAnalysisError) -> [URL] {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw .writeFailed(path: folder.path, detail: "cannot create the folder: \(error.localizedDescription)")
        }
        var urls: [URL] = []
        for (name, text) in result.files {
            let url = folder.appendingPathComponent(name)
            do { try AtomicFile.write(Data(text.utf8), to: url) } catch { throw .writeFailed(path: url.path, detail: "\(error)") }
            urls.append(url)
        }
        return urls
    }
}
