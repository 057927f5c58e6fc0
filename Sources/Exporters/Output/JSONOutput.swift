import CZstd
import Foundation
import XPCore

/// JSON and JSON Lines outputs as the reference writes them (`json.dumps(..., ensure_ascii=False)`),
/// always atomically: a file appears whole or not at all.
public enum JSONOutput {
    /// The JSONL file a dataset argument names: the path itself when it is a file, else `name`,
    /// then `name.zst`, inside that folder (`dataset.jsonl` of an xp-export-qwen output by
    /// default; `dense_multiscale_windows.jsonl` of an xp-dense-index output). Returned as
    /// given, so a relative path stays relative in the manifests that record it.
    public static func datasetPath(_ path: String, name: String = "dataset.jsonl") throws(ExportError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .badInput(file: path, detail: "does not exist; give the output folder or its \(name)")
        }
        guard isDirectory.boolValue else { return path }
        for candidate in [name, name + ".zst"] {
            let file = (path as NSString).appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: file) { return file }
        }
        throw .badInput(file: path, detail: "holds no \(name) or \(name).zst; give the output folder or its \(name)")
    }

    /// Writes `value` with `indent` (nil = one line), UTF-8, a trailing newline.
    public static func write(_ value: JSONValue, to url: URL, indent: Int? = 2) throws(ExportError) {
        let text = value.pythonJSON(.unicode, indent: indent)
        try writeData(Data((text + "\n").utf8), to: url)
    }

    /// Writes one JSON object per line; with `zstd`, the whole file zstd-compressed (`.zst`).
    public static func writeLines(_ lines: [String], to url: URL, zstd: Bool = false, level: Int32 = 3) throws(ExportError) {
        var data = Data()
        for line in lines { data.append(contentsOf: line.utf8); data.append(0x0A) }
        try writeData(zstd ? try Zstd.compress(data, level: level, file: url.path) : data, to: url)
    }

    /// The lines of a JSONL file (zstd-compressed when it ends in `.zst`); empty lines skipped.
    public static func readLines(_ url: URL) throws(ExportError) -> [String] {
        guard let raw = FileManager.default.contents(atPath: url.path) else {
            throw .badInput(file: url.path, detail: "cannot read the file")
        }
        let data = url.pathExtension == "zst" ? try Zstd.decompress(raw, file: url.path) : raw
        guard let text = String(data: data, encoding: .utf8) else { throw .badInput(file: url.path, detail: "not UTF-8 text") }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// The JSON objects of a JSONL file; a line that does not parse is an error naming it.
    public static func readObjects(_ url: URL) throws(ExportError) -> [JSONValue] {
        var out: [JSONValue] = []
        for (i, line) in try readLines(url).enumerated() {
            do { out.append(try JSONParser.parse(line)) } catch {
                throw .badInput(file: url.path, detail: "line \(i + 1) is not JSON: \(error)")
            }
        }
        return out
    }

    /// Reads and parses one JSON file.
    public static func read(_ url: URL) throws(ExportError) -> JSONValue {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .badInput(file: url.path, detail: "cannot read the file") }
        guard let text = String(data: data, encoding: .utf8) else { throw .badInput(file: url.path, detail: "not UTF-8 text") }
        do { return try JSONParser.parse(text) } catch { throw .badInput(file: url.path, detail: "not JSON: \(error)") }
    }

    static func writeData(_ data: Data, to url: URL) throws(ExportError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(data, to: url)
        } catch {
            throw .writeFailed(path: url.path, detail: "\(error)")
        }
    }
}

/// zstd one-shot compression of whole outputs (JSONL exports), with the frame's content size
/// recorded so a reader can allocate once.
public enum Zstd {
    public static func compress(_ data: Data, level: Int32 = 3, file: String = "") throws(ExportError) -> Data {
        let bound = ZSTD_compressBound(data.count)
        var out = Data(count: bound)
        let written = out.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in ZSTD_compress(dst.baseAddress, bound, src.baseAddress, data.count, level) }
        }
        if ZSTD_isError(written) != 0 { throw .writeFailed(path: file, detail: "zstd: \(String(cString: ZSTD_getErrorName(written)))") }
        out.count = written
        return out
    }

    /// Decompresses one zstd frame whose size is recorded (what ``compress(_:level:file:)``
    /// writes); a frame without a size, or one over 16 GiB, is refused.
    public static func decompress(_ data: Data, file: String = "") throws(ExportError) -> Data {
        let size = data.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, data.count) }
        guard size != ZSTD_CONTENTSIZE_ERROR else { throw .badInput(file: file, detail: "not a zstd frame") }
        guard size != ZSTD_CONTENTSIZE_UNKNOWN, size <= 16 << 30 else { throw .badInput(file: file, detail: "zstd frame without a usable content size") }
        var out = Data(count: Int(size))
        let n = out.withUnsafeMutableBytes { dst in
            data.withUnsafeBytes { src in ZSTD_decompress(dst.baseAddress, Int(size), src.baseAddress, data.count) }
        }
        if ZSTD_isError(n) != 0 { throw .badInput(file: file, detail: "zstd: \(String(cString: ZSTD_getErrorName(n)))") }
        out.count = n
        return out
    }
}
