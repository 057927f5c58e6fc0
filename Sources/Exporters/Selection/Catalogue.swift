import EpisodeIO
import Foundation
import XPCore

// The episode catalogue the selection and the split work on (spec §5.1 step 1): one record per
// episode folder holding an `annotation.hdf5`, with its sizes and which required files exist.
// Two sources: a metadata table of the release's files (what `HfApi.repo_info(files_metadata=
// True).siblings` lists), or the `episode_manifest.json` that `xp-scan` writes for data on disk.

/// One file of a metadata table: its path in the repository and its size.
public struct CatalogueFile: Sendable, Hashable {
    /// Repository path, `/`-separated (`<session>/ep3/annotation.hdf5`).
    public var path: String
    public var bytes: Int

    public init(path: String, bytes: Int) {
        self.path = path
        self.bytes = bytes
    }
}

/// One episode of the catalogue, with the reference's fields (§5.1 step 1).
public struct CatalogueEpisode: Sendable, Hashable {
    /// The episode folder relative to the dataset root: `<session>/epN`.
    public var episodePath: String
    /// The first component of `episodePath` (`top_level_session`).
    public var session: String
    /// The folder's name (`epN`).
    public var episodeID: String
    /// N in `^ep(\d+)$`, nil otherwise.
    public var episodeNumber: Int?
    /// Files in the folder.
    public var fileCount: Int
    public var totalBytes: Int
    /// Every file except `visualization.rrd`.
    public var trainingBytes: Int
    public var annotationBytes: Int
    /// The six MP4s that exist.
    public var videoBytes: Int
    public var hasAllSixVideos: Bool
    public var hasVisualizationRRD: Bool
    /// Required files that are missing, in ``EpisodeFiles/required`` order.
    public var missingRequiredFiles: [String]
    /// Repository paths of the required files that exist, in ``EpisodeFiles/required`` order.
    public var downloadFiles: [String]

    public init(episodePath: String, fileCount: Int, totalBytes: Int, trainingBytes: Int, annotationBytes: Int, videoBytes: Int,
                hasVisualizationRRD: Bool, missingRequiredFiles: [String], downloadFiles: [String]) {
        self.episodePath = episodePath
        let parts = episodePath.split(separator: "/", omittingEmptySubsequences: false)
        session = String(parts.first ?? "")
        episodeID = String(parts.last ?? "")
        episodeNumber = Self.number(ofEpisodeID: episodeID)
        self.fileCount = fileCount
        self.totalBytes = totalBytes
        self.trainingBytes = trainingBytes
        self.annotationBytes = annotationBytes
        self.videoBytes = videoBytes
        self.hasVisualizationRRD = hasVisualizationRRD
        self.missingRequiredFiles = missingRequiredFiles
        self.downloadFiles = downloadFiles
        hasAllSixVideos = !missingRequiredFiles.contains { EpisodeFiles.videos.contains($0) }
    }

    /// The episode's ``EpisodeKey``: `<parent folder>__<episode folder>`, as `xp-scan` names it.
    public var key: EpisodeKey {
        let parts = episodePath.split(separator: "/")
        let parent = parts.count >= 2 ? String(parts[parts.count - 2]) : ""
        return EpisodeKey(session: parent, episode: episodeID)
    }

    /// N in `^ep(\d+)$` (ASCII digits), nil for any other name.
    public static func number(ofEpisodeID id: String) -> Int? {
        guard id.hasPrefix("ep"), id.utf8.count > 2 else { return nil }
        let digits = id.utf8.dropFirst(2)
        guard digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    /// The reference's catalogue record (`build_episode_records`), keys in its order.
    public var json: [(String, JSONValue)] {
        [
            ("episode_path", .string(episodePath)),
            ("episode_id", .string(episodeID)),
            ("episode_number", episodeNumber.map { .int($0) } ?? .null),
            ("top_level_session", .string(session)),
            ("file_count", .int(fileCount)),
            ("total_bytes", .int(totalBytes)),
            ("training_bytes_excluding_visualization_rrd", .int(trainingBytes)),
            ("annotation_bytes", .int(annotationBytes)),
            ("video_bytes", .int(videoBytes)),
            ("has_annotation", .bool(true)),
            ("has_all_six_videos", .bool(hasAllSixVideos)),
            ("has_visualization_rrd", .bool(hasVisualizationRRD)),
            ("missing_required_files", .array(missingRequiredFiles.map { .string($0) })),
            ("download_files", .array(downloadFiles.map { .string($0) })),
        ]
    }
}

/// An episode of the input that is not a candidate, and why.
public struct UnusableEpisode: Sendable, Hashable {
    /// The episode key or path as the input names it.
    public var name: String
    public var reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}

/// Why an input of the selection could not be used; every case names the file.
public enum SelectionError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    /// An episode entry (0-based index in `episodes`) lacks a key or has the wrong type there.
    case badEpisodeEntry(file: String, index: Int, key: String, reason: String)
    case badSplitFile(file: String, reason: String)
    case unknownSplitName(file: String, key: String, split: String)
    case duplicateKey(file: String, key: String)
    case unknownEpisode(file: String, key: String)
    case tooFewEpisodes(found: Int, target: Int)
    case invalidOptions(String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason): return "cannot read \(file): \(reason)"
        case .malformed(let file, let reason): return "\(file): \(reason)"
        case .badEpisodeEntry(let file, let index, let key, let reason): return "\(file): episodes[\(index)] \"\(key)\": \(reason)"
        case .badSplitFile(let file, let reason): return "\(file): \(reason)"
        case .unknownSplitName(let file, let key, let split):
            return "\(file): episode \(key) has split \"\(split)\"; the split must be train, val or test"
        case .duplicateKey(let file, let key): return "\(file): episode \(key) is listed more than once"
        case .unknownEpisode(let file, let key): return "\(file): episode \(key) is not in the dataset"
        case .tooFewEpisodes(let found, let target):
            return "only \(found) unique-session episodes could be selected; the target is \(target)"
        case .invalidOptions(let reason): return "invalid selection options: \(reason)"
        }
    }
}

/// The episodes of one input, the candidates and the episodes left out.
public struct Catalogue: Sendable {
    /// Episodes that may be selected or split (each has an `annotation.hdf5`), in input order.
    public var episodes: [CatalogueEpisode]
    /// Episodes of the input that are not candidates (an xp-scan episode with `usable: false`,
    /// or a skipped one), in input order.
    public var unusable: [UnusableEpisode]
    /// The file the catalogue was read from.
    public var source: String
    /// `repo_id` / `repo_sha` of a metadata table that states them.
    public var repoID: String?
    public var repoSHA: String?

    public init(episodes: [CatalogueEpisode], unusable: [UnusableEpisode] = [], source: String = "", repoID: String? = nil, repoSHA: String? = nil) {
        self.episodes = episodes
        self.unusable = unusable
        self.source = source
        self.repoID = repoID
        self.repoSHA = repoSHA
    }

    // MARK: Metadata tables

    /// Groups the files of a metadata table by parent folder, like the reference's
    /// `build_episode_records`: `.gitattributes` and files at the root are skipped, a folder
    /// counts only when it holds `annotation.hdf5`, episodes come in the order their first
    /// file appears.
    public static func episodes(fromFiles files: [CatalogueFile]) -> [CatalogueEpisode] {
        var order: [String] = []
        var groups: [String: (files: [String: Int], names: [String], bytes: Int)] = [:]
        for file in files {
            guard !file.path.isEmpty, file.path != ".gitattributes" else { continue }
            guard let slash = file.path.utf8.lastIndex(of: UInt8(ascii: "/")) else { continue }
            let parent = String(file.path[..<slash])
            let name = String(file.path[file.path.index(after: slash)...])
            guard !parent.isEmpty else { continue }
            if groups[parent] == nil {
                order.append(parent)
                groups[parent] = ([:], [], 0)
            }
            if groups[parent]!.files[name] == nil { groups[parent]!.names.append(name) }
            groups[parent]!.files[name] = file.bytes
            groups[parent]!.bytes += file.bytes
        }
        var out: [CatalogueEpisode] = []
        for parent in order {
            let group = groups[parent]!
            guard let annotation = group.files[EpisodeFiles.annotation] else { continue }
            let training = group.names.filter { $0 != EpisodeFiles.visualization }.reduce(0) { $0 + group.files[$1]! }
            let videos = EpisodeFiles.videos.compactMap { group.files[$0] }.reduce(0, +)
            out.append(CatalogueEpisode(
                episodePath: parent, fileCount: group.files.count, totalBytes: group.bytes, trainingBytes: training,
                annotationBytes: annotation, videoBytes: videos,
                hasVisualizationRRD: group.files[EpisodeFiles.visualization] != nil,
                missingRequiredFiles: EpisodeFiles.required.filter { group.files[$0] == nil },
                downloadFiles: EpisodeFiles.required.filter { group.files[$0] != nil }.map { parent + "/" + $0 }))
        }
        return out
    }

    /// Reads a metadata table (`.csv` or `.json`) of the release's files.
    ///
    /// - CSV: a header row naming a path column (`path`, `rfilename` or `filename`) and a size
    ///   column (`size` or `bytes`), optionally `lfs_size`; one row per file. A size cell that
    ///   is empty or not an integer falls back to `lfs_size`, then 0 (the reference's
    ///   `sibling.size`, else `lfs.size`, else 0).
    /// - JSON: an array of file objects, or an object with `siblings` (or `files`) holding
    ///   them and optional `repo_id` (or `id`) and `repo_sha` (or `sha`): a dump of
    ///   `HfApi.repo_info(files_metadata=True)`. A file object has `rfilename` (or `path`) and
    ///   `size` (or `bytes`), and optionally `lfs: {"size": n}`. Other keys are ignored.
    public static func load(metadataTable url: URL) throws(SelectionError) -> Catalogue {
        let text = try readText(url)
        if url.pathExtension.lowercased() == "csv" {
            let files = try parseMetadataCSV(text, file: url.path)
            return Catalogue(episodes: episodes(fromFiles: files), source: url.path)
        }
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { throw .malformed(file: url.path, reason: "not JSON: \(error)") }
        return try metadataCatalogue(value, file: url.path)
    }

    /// A metadata table already parsed from JSON (see ``load(metadataTable:)``).
    public static func metadataCatalogue(_ value: JSONValue, file: String) throws(SelectionError) -> Catalogue {
        var repoID: String?, repoSHA: String?
        let list: [JSONValue]
        if let array = value.arrayValue {
            list = array
        } else if value.objectValue != nil {
            guard let array = (value["siblings"] ?? value["files"])?.arrayValue else {
                throw .malformed(file: file, reason: "a metadata table object needs a \"siblings\" (or \"files\") array of files")
            }
            list = array
            repoID = (value["repo_id"] ?? value["id"])?.stringValue
            repoSHA = (value["repo_sha"] ?? value["sha"])?.stringValue
        } else {
            throw .malformed(file: file, reason: "a metadata table is an array of files or an object with \"siblings\", found \(value.typeName)")
        }
        var files: [CatalogueFile] = []
        for (i, item) in list.enumerated() {
            guard item.objectValue != nil else { throw .malformed(file: file, reason: "files[\(i)] is \(item.typeName), not an object") }
            guard let path = (item["rfilename"] ?? item["path"])?.stringValue else {
                throw .malformed(file: file, reason: "files[\(i)] has no \"rfilename\" (or \"path\") string")
            }
            var size = 0
            if case .int(let s)? = item["size"] ?? item["bytes"] { size = Int(s) } else if case .int(let s)? = item["lfs"]?["size"] { size = Int(s) }
            files.append(CatalogueFile(path: path, bytes: size))
        }
        return Catalogue(episodes: episodes(fromFiles: files), source: file, repoID: repoID, repoSHA: repoSHA)
    }

    /// Parses the CSV form of a metadata table (see ``load(metadataTable:)``).
    public static func parseMetadataCSV(_ text: String, file: String) throws(SelectionError) -> [CatalogueFile] {
        let rows: [[String]]
        do { rows = try CSVText.parse(text) } catch { throw .malformed(file: file, reason: error.reason) }
        guard let header = rows.first else { throw .malformed(file: file, reason: "empty CSV; the first row must name the columns path and size") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let pathColumn = ["path", "rfilename", "filename"].lazy.compactMap({ names.firstIndex(of: $0) }).first else {
            throw .malformed(file: file, reason: "no path column (path, rfilename or filename) in the header \(header)")
        }
        guard let sizeColumn = ["size", "bytes"].lazy.compactMap({ names.firstIndex(of: $0) }).first else {
            throw .malformed(file: file, reason: "no size column (size or bytes) in the header \(header)")
        }
        let lfsColumn = names.firstIndex(of: "lfs_size")
        var files: [CatalogueFile] = []
        for (r, row) in rows.dropFirst().enumerated() {
            if row.count == 1 && row[0].isEmpty { continue }
            guard row.count > max(pathColumn, sizeColumn) else {
                throw .malformed(file: file, reason: "row \(r + 2) has \(row.count) cells; the header has \(header.count)")
            }
            var size = Int(row[sizeColumn].trimmingCharacters(in: .whitespaces))
            if size == nil, let lfsColumn, lfsColumn < row.count { size = Int(row[lfsColumn].trimmingCharacters(in: .whitespaces)) }
            files.append(CatalogueFile(path: row[pathColumn], bytes: size ?? 0))
        }
        return files
    }

    // MARK: xp-scan episode manifests

    /// Reads the `episode_manifest.json` written by `xp-scan`. Each entry of `episodes` needs
    /// `episode_key` (`<session>__<epN>`) and `files` (`[{name, bytes, exists}]`); `session`,
    /// `episode_id`, `total_bytes`, `train_minimal_bytes`, `usable` and `skip_reason` are read
    /// when present; other keys are ignored. An entry with `usable: false`, or without an
    /// existing `annotation.hdf5`, goes to ``unusable``, as do the entries of `skipped`.
    public static func load(episodeManifest url: URL) throws(SelectionError) -> Catalogue {
        let text = try readText(url)
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { throw .malformed(file: url.path, reason: "not JSON: \(error)") }
        return try manifestCatalogue(value, file: url.path)
    }

    /// True when `value` looks like an xp-scan episode manifest (an object with an `episodes`
    /// array whose entries carry `episode_key`).
    public static func isEpisodeManifest(_ value: JSONValue) -> Bool {
        guard let episodes = value["episodes"]?.arrayValue else { return false }
        return episodes.isEmpty ? value["siblings"] == nil : episodes.first?["episode_key"] != nil
    }

    /// An episode manifest already parsed (see ``load(episodeManifest:)``).
    public static func manifestCatalogue(_ value: JSONValue, file: String) throws(SelectionError) -> Catalogue {
        guard value.objectValue != nil else { throw .malformed(file: file, reason: "an episode manifest is an object, found \(value.typeName)") }
        guard let list = value["episodes"]?.arrayValue else { throw .malformed(file: file, reason: "no \"episodes\" array") }
        var episodes: [CatalogueEpisode] = []
        var unusable: [UnusableEpisode] = []
        for (i, item) in list.enumerated() {
            guard item.objectValue != nil else { throw .badEpisodeEntry(file: file, index: i, key: "", reason: "is \(item.typeName), not an object") }
            guard let keyText = item["episode_key"]?.stringValue else {
                throw .badEpisodeEntry(file: file, index: i, key: "episode_key", reason: "missing, or not a string")
            }
            let parsed = EpisodeKey(parsing: keyText)
            let session = item["session"]?.stringValue ?? parsed?.session
            let episodeID = item["episode_id"]?.stringValue ?? parsed?.episode
            guard let session, let episodeID, !session.isEmpty, !episodeID.isEmpty else {
                throw .badEpisodeEntry(file: file, index: i, key: "episode_key", reason: "\"\(keyText)\" is not <session>__<episode>")
            }
            guard let filesValue = item["files"]?.arrayValue else {
                throw .badEpisodeEntry(file: file, index: i, key: "files", reason: "missing, or not an array")
            }
            var present: [String: Int] = [:]
            var names: [String] = []
            for (j, f) in filesValue.enumerated() {
                guard let name = f["name"]?.stringValue else { throw .badEpisodeEntry(file: file, index: i, key: "files[\(j)].name", reason: "missing, or not a string") }
                guard case .bool(let exists)? = f["exists"] else { throw .badEpisodeEntry(file: file, index: i, key: "files[\(j)].exists", reason: "missing, or not a boolean") }
                guard case .int(let bytes)? = f["bytes"] else { throw .badEpisodeEntry(file: file, index: i, key: "files[\(j)].bytes", reason: "missing, or not an integer") }
                if exists && present[name] == nil {
                    present[name] = Int(bytes)
                    names.append(name)
                }
            }
            if case .bool(false)? = item["usable"] {
                let reason = item["skip_reason"]?.stringValue ?? "usable is false"
                unusable.append(UnusableEpisode(name: keyText, reason: reason))
                continue
            }
            guard let annotation = present[EpisodeFiles.annotation] else {
                unusable.append(UnusableEpisode(name: keyText, reason: "no annotation.hdf5"))
                continue
            }
            let path = session + "/" + episodeID
            let summed = names.reduce(0) { $0 + present[$1]! }
            let training = names.filter { $0 != EpisodeFiles.visualization }.reduce(0) { $0 + present[$1]! }
            func int(_ key: String, _ fallback: Int) throws(SelectionError) -> Int {
                switch item[key] {
                case nil, .null?: return fallback
                case .int(let v)?: return Int(v)
                case let other?: throw .badEpisodeEntry(file: file, index: i, key: key, reason: "is \(other.typeName), not an integer")
                }
            }
            episodes.append(CatalogueEpisode(
                episodePath: path, fileCount: present.count, totalBytes: try int("total_bytes", summed),
                trainingBytes: try int("train_minimal_bytes", training), annotationBytes: annotation,
                videoBytes: EpisodeFiles.videos.compactMap { present[$0] }.reduce(0, +),
                hasVisualizationRRD: present[EpisodeFiles.visualization] != nil,
                missingRequiredFiles: EpisodeFiles.required.filter { present[$0] == nil },
                downloadFiles: EpisodeFiles.required.filter { present[$0] != nil }.map { path + "/" + $0 }))
        }
        for item in value["skipped"]?.arrayValue ?? [] {
            let name = (item["episode_key"] ?? item["path"] ?? item["episode_path"])?.stringValue ?? item.stringValue ?? item.pythonJSON()
            let reason = (item["skip_reason"] ?? item["reason"])?.stringValue ?? "skipped by xp-scan"
            unusable.append(UnusableEpisode(name: name, reason: reason))
        }
        return Catalogue(episodes: episodes, unusable: unusable, source: file)
    }

    static func readText(_ url: URL) throws(SelectionError) -> String {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "\(error.localizedDescription)" : "no such file"
            throw .unreadable(file: url.path, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .malformed(file: url.path, reason: "not UTF-8 text") }
        return text
    }
}

/// A small RFC 4180 reader and writer (quoted cells, `""` escapes, CRLF or LF rows), with
/// Python `csv` module conventions on output.
enum CSVText {
    struct Failure: Error { var reason: String }

    static func parse(_ text: String) throws(Failure) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var cell: [UInt8] = []
        var quoted = false, wasQuoted = false
        var line = 1
        let bytes = Array(text.utf8)
        var i = 0
        func endCell() { row.append(String(decoding: cell, as: UTF8.self)); cell = []; wasQuoted = false }
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") { cell.append(b); i += 2; continue }
                    quoted = false
                } else {
                    if b == 0x0A { line += 1 }
                    cell.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                guard cell.isEmpty, !wasQuoted else { throw Failure(reason: "line \(line): a quote inside an unquoted cell") }
                quoted = true
                wasQuoted = true
            case UInt8(ascii: ","): endCell()
            case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A: break
            case 0x0A, 0x0D:
                endCell()
                rows.append(row)
                row = []
                line += 1
            default: cell.append(b)
            }
            i += 1
        }
        if quoted { throw Failure(reason: "line \(line): a quoted cell is not closed") }
        if !cell.isEmpty || !row.isEmpty || wasQuoted { endCell(); rows.append(row) }
        return rows
    }

    /// One row as Python's `csv.writer` writes it (minimal quoting, `\r\n` line end).
    static func row(_ cells: [String]) -> String {
        cells.map { cell in
            cell.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }.joined(separator: ",") + "\r\n"
    }
}
