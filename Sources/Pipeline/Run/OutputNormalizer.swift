import Foundation
import XPCore

/// Makes a unit's outputs independent of where and when they were made, so that the same plan
/// run twice (on Slurm, locally, in two folders) gives byte-identical outputs:
///
/// - in text files (`.json`, `.jsonl`, `.csv`, `.tsv`, `.txt`), the staging folder's path is
///   replaced by the output's path relative to the run folder, and the run folder's path by
///   nothing (paths inside outputs are relative to the run folder);
/// - in `.json` files, the step's volatile keys (run times) are removed at every depth and the
///   file is rewritten with Python's `json.dumps(indent=2)` layout.
public enum OutputNormalizer {
    static let textExtensions: Set<String> = ["json", "jsonl", "csv", "tsv", "txt"]

    /// Normalises every file below `folder`.
    public static func normalize(folder: URL, staging: String, relative: String, runFolder: String, volatileKeys: [String]) throws(PipelineError) {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: folder.path) else { return }
        var files: [String] = []
        while let rel = walker.nextObject() as? String { files.append(rel) }
        for rel in files {
            let url = folder.appendingPathComponent(rel)
            guard textExtensions.contains(url.pathExtension.lowercased()) else { continue }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let data = fm.contents(atPath: url.path) else { throw .badInput(file: url.path, detail: "cannot read the step's output to normalise it") }
            var text = String(decoding: data, as: UTF8.self)
            let original = text
            text = relocate(text, staging: staging, relative: relative, runFolder: runFolder)
            if url.pathExtension.lowercased() == "json", !volatileKeys.isEmpty, volatileKeys.contains(where: { text.contains("\"\($0)\"") }),
               let json = try? JSONParser.parse(text) {
                let stripped = strip(json, keys: Set(volatileKeys))
                text = stripped.pythonJSON(indent: 2) + (text.hasSuffix("\n") ? "\n" : "")
            }
            guard text != original else { continue }
            do { try AtomicFile.write(Data(text.utf8), to: url) } catch { throw .cannotWrite(path: url.path, reason: error.reason) }
        }
    }

    /// `text` with the staging path (and paths below it) made relative to the run folder.
    public static func relocate(_ text: String, staging: String, relative: String, runFolder: String) -> String {
        var out = text
        if out.contains(staging) { out = out.replacingOccurrences(of: staging, with: relative) }
        let prefix = runFolder.hasSuffix("/") ? runFolder : runFolder + "/"
        if out.contains(prefix) { out = out.replacingOccurrences(of: prefix, with: "") }
        return out
    }

    /// `value` without the object members named in `keys`, at every depth.
    public static func strip(_ value: JSONValue, keys: Set<String>) -> JSONValue {
        switch value {
        case .object(let members): return .object(members.filter { !keys.contains($0.0) }.map { ($0.0, strip($0.1, keys: keys)) })
        case .array(let items): return .array(items.map { strip($0, keys: keys) })
        default: return value
        }
    }
}
