import Foundation
import XPCore

/// Files written inside a run's staging folder (the whole folder is renamed into place at the
/// end, so nothing here needs to be atomic on its own).
struct BaselineFiles {
    let root: URL

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    func write(_ text: String, _ relative: String) throws {
        try write(Data(text.utf8), relative)
    }

    func write(_ data: Data, _ relative: String) throws {
        let u = url(relative)
        do {
            try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: u)
        } catch {
            throw ExportError.writeFailed(path: u.path, detail: error.localizedDescription)
        }
    }

    /// `json.dumps(value, indent=2)` (ASCII escapes) plus a newline; `sort_keys=True` with
    /// `sortKeys` (the dense script's writer).
    func json(_ value: JSONValue, _ relative: String, sortKeys: Bool = false) throws {
        try write(value.pythonJSON(PythonJSONStyle(ensureASCII: true, sortKeys: sortKeys), indent: 2) + "\n", relative)
    }

    func npz(_ archive: NPZArchive, _ relative: String) throws {
        let u = url(relative)
        do {
            try FileManager.default.createDirectory(at: u.deletingLastPathComponent(), withIntermediateDirectories: true)
            try archive.encoded().write(to: u)
        } catch {
            throw ExportError.writeFailed(path: u.path, detail: "\(error)")
        }
    }
}

/// A path for a report: relative to the working directory when it lies below it (the
/// reference's `portable_path`), else as given.
func portablePath(_ url: URL) -> String {
    let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.resolvingSymlinksInPath().path
    let p = url.standardizedFileURL.resolvingSymlinksInPath().path
    if p.hasPrefix(cwd + "/") { return String(p.dropFirst(cwd.count + 1)) }
    return url.path
}
