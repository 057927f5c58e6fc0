import EpisodeIO
import Foundation
import WindowAlign
import XPCore

/// The manifest of a whole dataset root: every episode found, scanned in parallel, with
/// every skipped episode and its reason. Written as `episode_manifest.json`.
///
/// ```swift
/// let scan = try DatasetScan.run(root: URL(fileURLWithPath: "dataset"))
/// try scan.write(to: URL(fileURLWithPath: "out/episode_manifest.json"))
/// ```
public struct DatasetScan: Sendable {
    public var root: String
    public var options: ScanOptions
    /// One entry per episode folder, in ``EpisodeKey`` order.
    public var entries: [EpisodeManifestEntry]

    public init(root: String, options: ScanOptions, entries: [EpisodeManifestEntry]) {
        self.root = root
        self.options = options
        self.entries = entries
    }

    public var usable: [EpisodeManifestEntry] { entries.filter(\.usable) }
    public var skipped: [EpisodeManifestEntry] { entries.filter { !$0.usable } }

    /// Scans every episode below `root` with `workers` threads (0 = one per core).
    /// `progress(done, total)` is called after each episode, one call at a time.
    public static func run(root: URL, options: ScanOptions = ScanOptions(), workers: Int = 0,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ExportError) -> DatasetScan {
        let folders = try DatasetEpisodes.find(root: root)
        let entries = scan(folders, options: options, workers: workers, progress: progress)
        return DatasetScan(root: root.standardizedFileURL.path, options: options, entries: entries)
    }

    /// Scans `folders` in parallel, results in the order given.
    public static func scan(_ folders: [URL], options: ScanOptions, workers: Int = 0,
                            progress: (@Sendable (Int, Int) -> Void)? = nil) -> [EpisodeManifestEntry] {
        let total = folders.count
        let completed: (@Sendable (Int) -> Void)? = progress.map { report in { @Sendable done in report(done, total) } }
        return Parallel.map(total, width: Parallel.width(requested: workers, jobs: total), completed: completed) { i in
            EpisodeManifestEntry.scan(folder: folders[i], options: options)
        }
    }

    /// The manifest: `{"summary": {...}, "episodes": [...], "skipped": [...]}`.
    public var json: JSONValue {
        let usable = self.usable
        let skipped = self.skipped
        var findingCounts: [(String, Int)] = []
        for e in entries { for f in e.findings {
            if let k = findingCounts.firstIndex(where: { $0.0 == f.check.rawValue }) { findingCounts[k].1 += 1 } else { findingCounts.append((f.check.rawValue, 1)) }
        } }
        findingCounts.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        let sessions = Set(entries.map(\.key.session))
        let summary: JSONValue = .object([
            ("root", .string(root)),
            ("num_episodes", .int(entries.count)), ("num_usable", .int(usable.count)), ("num_skipped", .int(skipped.count)),
            ("num_sessions", .int(sessions.count)),
            ("total_bytes", .int(entries.reduce(0) { $0 + $1.totalBytes })),
            ("train_minimal_bytes", .int(entries.reduce(0) { $0 + $1.trainMinimalBytes })),
            ("complete_episodes", .int(entries.filter { $0.hasAnnotation && $0.hasAllVideos }.count)),
            ("windowing", .object([("window_frames", .int(options.windowSpec.size)), ("stride_frames", .int(options.windowSpec.stride)),
                                   ("min_label_fraction", .double(options.windowSpec.minLabelFraction))])),
            ("caption_rules", .string(options.captionRules.rawValue)),
            ("quality_pass", .object([("run", .bool(options.qualityPass)), ("max_scan_bytes", options.maxScanBytes.map { .int($0) } ?? .null),
                                      ("findings_by_check", .object(findingCounts.map { ($0.0, .int($0.1)) }))])),
            ("notes", .array([
                .string("One episode identity everywhere: episode_key = <session>__<episode folder>."),
                .string("Every episode folder found is listed; those that cannot be exported are in 'skipped' with the reason."),
                .string("The scan reads no video frame; datasets larger than max_scan_bytes are checked for shape only."),
            ])),
        ])
        return .object([
            ("summary", summary),
            ("episodes", .array(entries.map(\.json))),
            ("skipped", .array(skipped.map { .object([("episode_key", .string($0.key.text)), ("path", .string($0.path)),
                                                       ("reason", .string($0.skipReason ?? ""))]) })),
        ])
    }

    /// Writes the manifest atomically (Python `json.dumps(indent=2, ensure_ascii=False)` layout).
    public func write(to url: URL) throws(ExportError) {
        try JSONOutput.write(json, to: url, indent: 2)
    }
}
