import EpisodeIO
import Foundation
import WindowAlign
import XPCore

/// One file of an episode folder as the manifest lists it.
public struct ManifestFile: Sendable, Equatable {
    public var name: String
    public var bytes: Int
    public var exists: Bool
}

/// Label counts of one episode (§5.2 `label_stats`): per frame and per window, action and
/// subtask, each in `Counter.most_common()` order (count descending, ties by first seen).
public struct LabelStatistics: Sendable, Equatable {
    public var mainTask: String
    public var segments: Int
    public var frameActions: [(String, Int)]
    public var frameSubtasks: [(String, Int)]
    public var windowActions: [(String, Int)]
    public var windowSubtasks: [(String, Int)]

    public static func == (a: LabelStatistics, b: LabelStatistics) -> Bool {
        a.mainTask == b.mainTask && a.segments == b.segments
            && a.frameActions.elementsEqual(b.frameActions, by: ==) && a.frameSubtasks.elementsEqual(b.frameSubtasks, by: ==)
            && a.windowActions.elementsEqual(b.windowActions, by: ==) && a.windowSubtasks.elementsEqual(b.windowSubtasks, by: ==)
    }

    /// Labelled windows (those whose majority label exists) per target.
    public var labelledWindows: (action: Int, subtask: Int) {
        (windowActions.reduce(0) { $0 + $1.1 }, windowSubtasks.reduce(0) { $0 + $1.1 })
    }
}

/// Python's `Counter(items).most_common()` over the non-empty strings of `items` (count
/// descending, ties in order of first appearance).
public func mostCommon<S: Sequence>(_ items: S) -> [(String, Int)] where S.Element == String {
    Statistics.mostCommonCounts(items.filter { !$0.isEmpty }).map { ($0.element, $0.count) }
}

/// Why an episode of a dataset is not used, in the reference's words where it has them.
public enum SkipReason {
    public static let noAnnotation = "No annotation.hdf5 in the episode folder"
    public static let noCaption = "No caption_frame_info_map found in annotation"
    public static let noLabelledWindows = "No labeled windows were created"
}

/// The manifest record of one episode (§5.2 `inspect_episode`, plus the episode key, the
/// quality findings and whether the episode is usable, with the reason when it is not).
public struct EpisodeManifestEntry: Sendable {
    public var key: EpisodeKey
    public var path: String
    public var frameCount: Int?
    public var files: [ManifestFile]
    /// HDF5 modality → present (the §5.2 key list).
    public var hdf5Modalities: [(String, Bool)]
    public var labels: LabelStatistics?
    /// The quality pass's findings (warnings and errors; infos are counted only).
    public var findings: [QualityFinding]
    public var infoCount: Int
    /// What the quality pass checked (and what it left out, such as depth values).
    public var qaChecked: [String]
    /// Nil when the episode can be exported.
    public var skipReason: String?
    /// The windowing the label statistics follow.
    public var windowSpec: WindowSpec

    public var usable: Bool { skipReason == nil }
    public var totalBytes: Int { files.filter(\.exists).reduce(0) { $0 + $1.bytes } }
    public var trainMinimalBytes: Int { files.filter { $0.exists && $0.name != EpisodeFiles.visualization }.reduce(0) { $0 + $1.bytes } }
    public var missingVideos: [String] { files.filter { EpisodeFiles.videos.contains($0.name) && !$0.exists }.map(\.name) }
    public var hasAllVideos: Bool { missingVideos.isEmpty }
    public var hasAnyVideo: Bool { files.contains { EpisodeFiles.videos.contains($0.name) && $0.exists } }
    public var hasAnnotation: Bool { files.first { $0.name == EpisodeFiles.annotation }?.exists ?? false }
    public var hasRRD: Bool { files.first { $0.name == EpisodeFiles.visualization }?.exists ?? false }

    /// The HDF5 paths whose presence the manifest records (§5.2), by modality name.
    public static let modalityPaths: [(String, String)] = [
        ("calibration", "calibration"), ("slam_pose", "slam/quat_wxyz"), ("slam_point_cloud", "slam/point_cloud"),
        ("depth", "depth/depth"), ("depth_confidence", "depth/confidence"), ("hand_mocap", "hand_mocap/left_joints_3d"),
        ("body_mocap", "full_body_mocap/keypoints"), ("contacts", "full_body_mocap/contacts"), ("imu", "imu/accel_xyz"),
        ("caption", "caption"), ("captions", "captions"),
    ]

    /// The manifest JSON object, keys in a fixed order.
    public var json: JSONValue {
        func counts(_ c: [(String, Int)]) -> JSONValue { .object(c.map { ($0.0, .int($0.1)) }) }
        var fields: [(String, JSONValue)] = [
            ("episode_key", .string(key.text)), ("session", .string(key.session)), ("episode_id", .string(key.episode)),
            ("path", .string(path)), ("annotation", .string((path as NSString).appendingPathComponent(EpisodeFiles.annotation))),
            ("frame_count", frameCount.map { .int($0) } ?? .null),
            ("main_task", .string(labels?.mainTask ?? "")),
            ("files", .array(files.map { .object([("name", .string($0.name)), ("bytes", .int($0.bytes)), ("exists", .bool($0.exists))]) })),
            ("videos", .array(files.filter { EpisodeFiles.videos.contains($0.name) }.map {
                .object([("name", .string($0.name)), ("path", .string((path as NSString).appendingPathComponent($0.name))),
                         ("bytes", .int($0.bytes)), ("exists", .bool($0.exists))])
            })),
            ("missing_views", .array(missingVideos.map { .string($0) })),
            ("hdf5_modalities", .object(hdf5Modalities.map { ($0.0, .bool($0.1)) })),
        ]
        if let l = labels {
            let n = l.labelledWindows
            fields.append(("label_stats", .object([
                ("main_task", .string(l.mainTask)), ("segments", .int(l.segments)),
                ("frame_labels", .object([("action", counts(l.frameActions)), ("subtask", counts(l.frameSubtasks))])),
                ("window_labels", .object([("action", counts(l.windowActions)), ("subtask", counts(l.windowSubtasks))])),
                ("num_labeled_windows", .object([("action", .int(n.action)), ("subtask", .int(n.subtask))])),
            ])))
        } else {
            fields.append(("label_stats", .null))
        }
        let severities = ["error", "warning"].map { s in (s, JSONValue.int(findings.filter { $0.severity.rawValue == s }.count)) }
        fields += [
            ("total_bytes", .int(totalBytes)), ("train_minimal_bytes", .int(trainMinimalBytes)),
            ("has_annotation", .bool(hasAnnotation)), ("has_any_video", .bool(hasAnyVideo)), ("has_all_videos", .bool(hasAllVideos)),
            ("has_rrd", .bool(hasRRD)),
            ("qa", .object([("counts", .object(severities + [("info", .int(infoCount))])),
                            ("findings", .array(findings.map(\.json))), ("checked", .array(qaChecked.map { .string($0) }))])),
            ("usable", .bool(usable)), ("skip_reason", skipReason.map { .string($0) } ?? .null),
        ]
        return .object(fields)
    }
}

/// How an episode is scanned.
public struct ScanOptions: Sendable {
    /// The windows the label statistics count (the Qwen export's 20/20/0.6 by default).
    public var windowSpec: WindowSpec
    /// The caption rules that resolve frame references.
    public var captionRules: CaptionRules
    /// Run the quality pass (structure, values up to `maxScanBytes`, clocks, captions, MP4
    /// headers; never a video frame).
    public var qualityPass: Bool
    /// Datasets larger than this are checked for shape only (64 MiB: the depth frames are
    /// not read, which keeps a scan of the corpus at I/O of the small datasets).
    public var maxScanBytes: Int?

    public init(windowSpec: WindowSpec = WindowSpec(size: 20, stride: 20, minLabelFraction: 0.6), captionRules: CaptionRules = .current,
                qualityPass: Bool = true, maxScanBytes: Int? = 64 << 20) {
        self.windowSpec = windowSpec
        self.captionRules = captionRules
        self.qualityPass = qualityPass
        self.maxScanBytes = maxScanBytes
    }
}

extension EpisodeManifestEntry {
    /// Scans one episode folder: file sizes, modality presence, labels, quality findings. Never
    /// throws: what cannot be read becomes the skip reason.
    public static func scan(folder: URL, options: ScanOptions = ScanOptions()) -> EpisodeManifestEntry {
        let fm = FileManager.default
        let files = EpisodeFiles.all.map { name -> ManifestFile in
            let p = folder.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            let exists = fm.fileExists(atPath: p, isDirectory: &isDirectory) && !isDirectory.boolValue
            let bytes = exists ? ((try? fm.attributesOfItem(atPath: p)[.size] as? Int) ?? 0) : 0
            return ManifestFile(name: name, bytes: bytes, exists: exists)
        }
        var entry = EpisodeManifestEntry(key: EpisodeKey(folder: folder), path: folder.path, frameCount: nil, files: files,
                                         hdf5Modalities: modalityPaths.map { ($0.0, false) }, labels: nil, findings: [], infoCount: 0,
                                         qaChecked: [], skipReason: nil, windowSpec: options.windowSpec)
        guard entry.hasAnnotation else {
            entry.skipReason = SkipReason.noAnnotation
            return entry
        }
        // The file is opened once: the quality pass and the label statistics read the same handle.
        let episode: Episode
        do { episode = try Episode(path: folder.path) } catch {
            if options.qualityPass {
                // What the pass reports for a file it cannot open (an unreadable_file error).
                entry.findings = EpisodeQualityReport.check(path: folder.path).findings.ordered.filter { $0.severity >= .warning }
            }
            entry.skipReason = "unusable annotation: \(error)"
            return entry
        }
        if options.qualityPass {
            var q = QualityOptions(captionRules: options.captionRules)
            q.maxScanBytes = options.maxScanBytes
            let report = episode.qualityReport(options: q)
            entry.findings = report.findings.ordered.filter { $0.severity >= .warning }
            entry.infoCount = report.findings.count - entry.findings.count
            entry.qaChecked = report.checked
            if let fatal = entry.findings.first(where: { $0.severity == .error && ($0.modality == nil || $0.check == .noFrames) }) {
                entry.skipReason = "unusable annotation: [\(fatal.check)] \(fatal.dataset ?? "the file"): \(fatal.found)"
            }
        }
        entry.hdf5Modalities = modalityPaths.map { ($0.0, episode.file.exists($0.1)) }
        do {
            let (labels, n) = try EpisodeFeatures.frameLabels(episode: episode, captionRules: options.captionRules)
            entry.frameCount = n
            guard labels.note == nil, !labels.actions.isEmpty else {
                entry.skipReason = entry.skipReason ?? "\(SkipReason.noCaption) (\(labels.note ?? "no per-frame labels"))"
                return entry
            }
            let document = try? episode.captionDocument()
            let windows = try buildLabelledWindows(actionLabels: labels.actions, subtaskLabels: labels.subtasks, spec: options.windowSpec)
            entry.labels = LabelStatistics(
                mainTask: document.map { $0.mainTask } ?? "", segments: document?.segments.count ?? 0,
                frameActions: mostCommon(labels.actions), frameSubtasks: mostCommon(labels.subtasks),
                windowActions: mostCommon(windows.map(\.action)), windowSubtasks: mostCommon(windows.map(\.subtask)))
            if entry.labels?.labelledWindows.action == 0 { entry.skipReason = entry.skipReason ?? SkipReason.noLabelledWindows }
        } catch {
            entry.skipReason = entry.skipReason ?? "unusable annotation: \(error)"
        }
        return entry
    }
}
