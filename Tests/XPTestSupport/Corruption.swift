import EpisodeIO
import Foundation
import XPCore

/// The intact episode every corruption of the bad-input matrix starts from: a tiny synthetic
/// episode (40 frames, seed 7, small MP4s with audio) generated once per test process into a
/// temporary folder that is removed when the process ends.
///
/// ```swift
/// let corrupted = try CorruptionKind.nanHandRows.make()
/// let report = EpisodeQualityReport.check(path: corrupted.folder.path)
/// ```
public enum CorruptionBase {
    public static let frames = 40
    public static let seed: UInt64 = 7

    /// The generated episode and the facts the corruptions are placed by.
    public struct Base: Sendable {
        public var folder: URL
        public var annotation: String { folder.appendingPathComponent("annotation.hdf5").path }
        public var config: SyntheticEpisodeConfig
        /// `video/device_timestamp` as written.
        public var timestamps: [Int64]
        /// M, the IMU rows.
        public var imuRows: Int
        /// Frames whose left hand is detected (not all zero) in the base.
        public var leftHandFrames: [Int]
        /// The caption JSON as written.
        public var caption: JSONValue
        /// Seconds it took to generate.
        public var seconds: Double
    }

    /// Scratch space of this process: the base and every corrupted copy.
    public static let root: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("xp-corruption-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: CorruptionBase.root) }
        return url
    }()

    public static let generated: Result<Base, CorruptionError> = {
        let start = Date()
        do {
            let folder = root.appendingPathComponent("base/ep1")
            let config = SyntheticEpisodeConfig.tiny(seed: seed, frames: frames)
            let episode = try SyntheticEpisode.write(config, to: folder, media: SyntheticMedia.writer)
            guard let caption = episode.caption else { return .failure(.base("the base has no caption")) }
            let imu = try HDF5Rewrite.read(episode.annotationPath, dataset: "imu/device_timestamp_ns")
            let left = try HDF5Rewrite.read(episode.annotationPath, dataset: "hand_mocap/left_joints_3d")
            guard case .float32(let joints) = left.values else { return .failure(.base("left_joints_3d is not float32")) }
            let present = (0..<left.rows).filter { i in joints[(i * 63)..<(i * 63 + 63)].contains { $0 != 0 } }
            return .success(Base(folder: folder, config: config, timestamps: episode.timestamps, imuRows: imu.rows,
                                 leftHandFrames: present, caption: caption, seconds: Date().timeIntervalSince(start)))
        } catch let error as CorruptionError {
            return .failure(error)
        } catch {
            return .failure(.base("\(error)"))
        }
    }()

    public static func base() throws -> Base { try generated.get() }

    /// A fresh copy of the base (annotation and MP4s) in its own folder `…/<label>-<id>/ep1`.
    public static func copy(_ label: String) throws -> URL {
        let base = try base()
        let parent = root.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let folder = parent.appendingPathComponent("ep1")
        try FileManager.default.copyItem(at: base.folder, to: folder)
        return folder
    }
}

/// What part of an episode a finding is about, and so which tools must report it.
public enum DataArea: Sendable, Equatable, CustomStringConvertible {
    /// The annotation file as a whole (unreadable, structure): every tool.
    case file
    case modality(Modality)
    case video
    case audio

    public var description: String {
        switch self {
        case .file: return "file"
        case .modality(let m): return m.rawValue
        case .video: return "video"
        case .audio: return "audio"
        }
    }
}

/// The episode tools of the matrix and what they read.
public enum EpisodeTool: String, CaseIterable, Sendable {
    case inspect = "xp-inspect", windows = "xp-windows", features = "xp-features", suite = "xp-suite", train = "xp-train"

    /// True when the tool's inputs include `area`. xp-windows needs the frame timeline and the
    /// caption only; the others read every modality and probe or decode the media.
    public func reads(_ area: DataArea) -> Bool {
        switch self {
        case .windows:
            switch area {
            case .file, .modality(.timeline), .modality(.captions): return true
            default: return false
            }
        case .inspect, .features, .suite, .train: return true
        }
    }
}

/// What `xp-qa` reports as `frames`.
public enum FramesExpectation: Sendable, Equatable {
    case count(Int)
    case null
    /// Not asserted.
    case any
}

/// The finding a corruption must produce.
public struct ExpectedFinding: Sendable, CustomStringConvertible {
    public var check: QualityCheck
    public var severity: QualitySeverity
    /// The name of the file the finding is about (`annotation.hdf5`, `stereo_left.mp4`); the
    /// reported `file` must end with it.
    public var file: String
    /// The acceptable `dataset` values; nil: not asserted; empty: must be absent.
    public var datasets: [String]?
    /// The reported `modality`; nil: not asserted.
    public var modality: Modality?
    /// Every affected row (then `rows_affected` = count and `first_rows` = the first five).
    public var rows: [Int]?
    /// `rows_affected` when the exact rows are not asserted.
    public var rowsAffected: Int?
    /// `total_rows`.
    public var totalRows: Int?
    /// Substrings (case-insensitive) the finding's expected, found and action text must hold.
    public var mentions: [String]

    public init(_ check: QualityCheck, _ severity: QualitySeverity, file: String = "annotation.hdf5", datasets: [String]?,
                modality: Modality? = nil, rows: [Int]? = nil, rowsAffected: Int? = nil, totalRows: Int? = nil, mentions: [String] = []) {
        self.check = check
        self.severity = severity
        self.file = file
        self.datasets = datasets
        self.modality = modality
        self.rows = rows
        self.rowsAffected = rowsAffected
        self.totalRows = totalRows
        self.mentions = mentions
    }

    public var description: String {
        var s = "\(severity.rawValue) [\(check.rawValue)] \(file)"
        if let datasets { s += ": " + (datasets.isEmpty ? "(no dataset)" : datasets.joined(separator: " | ")) }
        if let rows { s += " rows \(rows)" }
        return s
    }

    /// Problems of `reported` against this expectation: empty when one reported finding matches
    /// in every asserted field. When several have the right check, the closest one is explained.
    public func problems(in reported: [ReportedFinding]) -> [String] {
        let sameCheck = reported.filter { $0.check == check.rawValue }
        guard !sameCheck.isEmpty else {
            return ["no \(check.rawValue) finding; expected \(self); found: "
                + (reported.isEmpty ? "no findings" : reported.map(\.summary).joined(separator: "; "))]
        }
        let explained = sameCheck.map { (finding: $0, problems: mismatches($0)) }.sorted { $0.problems.count < $1.problems.count }
        guard let best = explained.first else { return [] }
        return best.problems.map { "\(check.rawValue): \($0) (reported: \(best.finding.summary))" }
    }

    func mismatches(_ f: ReportedFinding) -> [String] {
        var out: [String] = []
        if let datasets {
            if datasets.isEmpty, let d = f.dataset { out.append("dataset should be absent, is \(d)") }
            if !datasets.isEmpty, !(f.dataset.map(datasets.contains) ?? false) {
                out.append("dataset \(f.dataset ?? "nil"), expected \(datasets.joined(separator: " or "))")
            }
        }
        if f.severity != severity.rawValue { out.append("severity \(f.severity), expected \(severity.rawValue)") }
        if !f.file.hasSuffix(file) { out.append("file \(f.file) does not end with \(file)") }
        if let modality, f.modality != modality.rawValue { out.append("modality \(f.modality ?? "nil"), expected \(modality.rawValue)") }
        if let rows {
            if f.rowsAffected != rows.count { out.append("rows_affected \(f.rowsAffected.map(String.init) ?? "nil"), expected \(rows.count)") }
            let first = Array(rows.prefix(QualityFinding.firstRowsLimit))
            if f.firstRows != first { out.append("first_rows \(f.firstRows), expected \(first)") }
        } else if let rowsAffected, f.rowsAffected != rowsAffected {
            out.append("rows_affected \(f.rowsAffected.map(String.init) ?? "nil"), expected \(rowsAffected)")
        }
        if let totalRows, f.totalRows != totalRows { out.append("total_rows \(f.totalRows.map(String.init) ?? "nil"), expected \(totalRows)") }
        let text = (f.expected + " " + f.found + " " + f.action).lowercased()
        for m in mentions where !text.contains(m.lowercased()) { out.append("expected/found/action do not mention '\(m)'") }
        if f.action.trimmingCharacters(in: .whitespaces).isEmpty { out.append("no action for the user") }
        return out
    }

    /// True when `line` is this finding's one-line form (`QualityFinding.description`).
    public func isLine(_ line: Substring) -> Bool {
        guard line.hasPrefix("\(severity.rawValue) [\(check.rawValue)] "), line.contains(file) else { return false }
        guard let datasets, !datasets.isEmpty else { return true }
        return datasets.contains { line.contains(": \($0)") }
    }
}

/// A finding as reported, from `xp-qa --json` or from the library.
public struct ReportedFinding: Sendable, Equatable {
    public var check: String
    public var severity: String
    public var file: String
    public var dataset: String?
    public var modality: String?
    public var rowsAffected: Int?
    public var totalRows: Int?
    public var firstRows: [Int]
    public var expected: String
    public var found: String
    public var action: String

    public init(_ f: QualityFinding) {
        check = f.check.rawValue
        severity = f.severity.rawValue
        file = f.file
        dataset = f.dataset
        modality = f.modality?.rawValue
        rowsAffected = f.rowsAffected
        totalRows = f.totalRows
        firstRows = f.firstRows
        expected = f.expected
        found = f.found
        action = f.action
    }

    /// One element of an `xp-qa --json` episode's `findings`; nil when it is not an object
    /// with `check`, `severity` and `file` strings.
    public init?(json: JSONValue) {
        guard let check = json["check"]?.stringValue, let severity = json["severity"]?.stringValue, let file = json["file"]?.stringValue else { return nil }
        func int(_ key: String) -> Int? { json[key]?.numberValue.map { Int($0) } }
        self.check = check
        self.severity = severity
        self.file = file
        dataset = json["dataset"]?.stringValue
        modality = json["modality"]?.stringValue
        rowsAffected = int("rows_affected")
        totalRows = int("total_rows")
        firstRows = (json["first_rows"]?.arrayValue ?? []).compactMap { $0.numberValue.map { Int($0) } }
        expected = json["expected"]?.stringValue ?? ""
        found = json["found"]?.stringValue ?? ""
        action = json["action"]?.stringValue ?? ""
    }

    public var summary: String {
        var s = "\(severity) [\(check)] \((file as NSString).lastPathComponent)"
        if let dataset { s += ": \(dataset)" }
        if let modality { s += " (\(modality))" }
        if let rowsAffected { s += " rows \(rowsAffected)" + (totalRows.map { "/\($0)" } ?? "") + " first \(firstRows)" }
        return s
    }
}

/// A corrupted copy of the base episode and what every consumer must make of it.
public struct CorruptedEpisode: Sendable {
    public var kind: CorruptionKind
    /// The episode folder (`…/ep1`), holding `annotation.hdf5` and the MP4s.
    public var folder: URL
    public var annotation: String { folder.appendingPathComponent("annotation.hdf5").path }
    public var expected: ExpectedFinding
    /// What the finding is about (which tools must report it).
    public var area: DataArea
    /// Tools that cannot do their job on this episode, so exit 1 even with `--on-bad-data warn`.
    public var unusableFor: Set<EpisodeTool>
    public var frames: FramesExpectation
    /// Re-reads the corrupted copy and returns what does not show the intended corruption, or
    /// where it differs from the base beyond it (the harness's own check).
    public var verify: @Sendable () throws -> [String]

    /// `xp-qa`'s exit with the default `--fail-on error`.
    public var qaExit: Int32 { expected.severity >= .error ? 1 : 0 }

    /// `tool`'s exit with `--on-bad-data warn` (the default): 1 only when the episode is unusable
    /// for it.
    public func exit(_ tool: EpisodeTool, onBadData: OnBadData) -> Int32 {
        if unusableFor.contains(tool) { return 1 }
        switch onBadData {
        case .warn: return 0
        case .error: return expected.severity >= .warning && tool.reads(area) ? 1 : 0
        }
    }

    /// True when `tool` must print the finding on stderr.
    public func reported(by tool: EpisodeTool) -> Bool { tool.reads(area) }
}

public enum OnBadData: String, Sendable, CaseIterable { case warn, error }
