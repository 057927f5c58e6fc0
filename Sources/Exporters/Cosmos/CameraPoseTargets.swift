import EpisodeIO
import Foundation
import XPCore

/// Which conditioning a camera-pose target row points at (spec exporters.md §3.2, last note;
/// §9 item 5).
public enum CameraPoseProtocol: String, Sendable, CaseIterable {
    /// As published: `conditioning` is the record's own mosaic of its 120-frame context, whose
    /// first 9 decoded frames (what the trainer reads) are not the 8-transition action window.
    /// Non-finite SLAM values are written as the reference writes them (NaN), with an issue.
    case reference
    /// The conditioning clip is aligned in time with the action window: a 9-frame mosaic of the
    /// frames the chunk points land on. A window whose SLAM rows are non-finite (or whose
    /// quaternion is zero) is skipped with an issue, not written.
    case strict
}

/// Options of the camera-pose export.
public struct CameraPoseOptions: Sendable, Equatable {
    public var `protocol`: CameraPoseProtocol
    /// Transitions per window (the published 8).
    public var chunkSize: Int
    /// 256, 480, 704 or 720 (the reference's choices).
    public var resolutionTier: Int
    public var viewPoint: String
    /// Rows read from the input, the first ones; 0 = all.
    public var maxRecords: Int
    /// The strict protocol's clips.
    public var mosaic: MosaicOptions
    /// Episodes whose clips render at once (0 = one per core).
    public var jobs: Int

    public static let resolutionTiers = [256, 480, 704, 720]

    public init(protocol: CameraPoseProtocol = .reference, chunkSize: Int = 8, resolutionTier: Int = 480, viewPoint: String = "ego_view",
                maxRecords: Int = 0, mosaic: MosaicOptions = MosaicOptions(), jobs: Int = 0) {
        self.protocol = `protocol`
        self.chunkSize = chunkSize
        self.resolutionTier = resolutionTier
        self.viewPoint = viewPoint
        self.maxRecords = maxRecords
        self.mosaic = mosaic
        self.jobs = jobs
    }

    public func validate() throws(ExportError) {
        guard chunkSize >= 1 else { throw .invalidOption("the chunk size must be at least 1, found \(chunkSize)") }
        guard Self.resolutionTiers.contains(resolutionTier) else {
            throw .invalidOption("the resolution tier must be one of \(Self.resolutionTiers.map(String.init).joined(separator: ", ")), found \(resolutionTier)")
        }
        guard maxRecords >= 0 else { throw .invalidOption("the record limit must be 0 (none) or positive, found \(maxRecords)") }
    }
}

/// Camera-pose proxy action targets for Cosmos forward dynamics (spec exporters.md §3.2, the
/// reference's `export_cosmos3_camera_pose_targets.py`, target kind
/// `slam_camera_pose_delta_proxy_v1`): each Qwen record copied with one key added,
/// `cosmos_action_target`, whose `raw_actions` are 8 rows of 9 values computed from the
/// episode's SLAM track over the record's label window.
///
/// A row whose `episode_path` or annotation is missing or unreadable is skipped with an issue
/// naming the row and the file; the rest are written. The annotation of each episode is read
/// once.
///
/// ```swift
/// let summary = try CameraPoseTargets.run(dataset: try CosmosDataset.resolve("export"),
///                                         out: URL(fileURLWithPath: "cosmos-pose"),
///                                         options: CameraPoseOptions(protocol: .strict))
/// ```
public enum CameraPoseTargets {
    public static let rawActionDim = 9
    public static let domainName = "camera_pose"
    public static let targetKind = "slam_camera_pose_delta_proxy_v1"

    public enum Layout {
        public static let dataset = "dataset.jsonl"
        public static let manifest = "target_manifest.json"
        public static let conditioning = "conditioning"
    }

    /// One row that was not written, or written with a warning.
    public struct Issue: Sendable, Equatable {
        public enum Kind: String, Sendable {
            case missingSourceFields = "missing_source_fields"
            case missingAnnotation = "missing_annotation"
            case unreadableAnnotation = "unreadable_annotation"
            case actionBuildError = "action_build_error"
            /// Strict: a SLAM row the window reads is non-finite, or its quaternion is zero.
            case invalidPose = "invalid_pose"
            /// Strict: the aligned conditioning clip could not be made.
            case conditioningClip = "conditioning_clip"
            /// Reference: the same pose problem, written as the reference writes it.
            case invalidPoseWritten = "invalid_pose_written"
        }
        public var rowIndex: Int
        public var id: JSONValue
        public var kind: Kind
        public var file: String?
        public var reason: String
        /// False for a warning about a row that was written.
        public var skipped: Bool

        public var json: JSONValue {
            .object([("row_index", .int(rowIndex)), ("id", id), ("reason", .string(reason)), ("kind", .string(kind.rawValue)),
                     ("file", file.map { .string($0) } ?? .null), ("skipped", .bool(skipped))])
        }

        /// The counter a skipped row adds to (`rows_skipped_<kind>`).
        var counter: String { "rows_skipped_" + kind.rawValue }
    }

    /// What a run wrote.
    public struct Summary: Sendable {
        public var rowsSeen: Int
        public var rowsAugmented: Int
        public var issues: [Issue]
        public var annotationFilesRead: Int
        public var clipsWritten: Int
        public var passed: Bool
        public var datasetURL: URL
        public var manifestURL: URL
    }

    /// A row's outcome before the strict clips are rendered.
    enum Outcome {
        case skip(Issue)
        case target(actions: [[Float]], annotation: String, start: Int, end: Int, warning: Issue?, clip: ClipPlan?)
    }

    /// The aligned clip of one strict row.
    struct ClipPlan: Hashable {
        var episodeFolder: String
        var output: URL
        var frames: [Int]
        var points: [Int]
    }

    /// The pose cache: one read per annotation path (a failure is remembered, not retried).
    final class PoseCache {
        var tracks: [String: Result<CameraPoseTrack, EpisodeError>] = [:]
        var read = 0

        func track(_ path: String) -> Result<CameraPoseTrack, EpisodeError> {
            if let hit = tracks[path] { return hit }
            let result = Result { () throws(EpisodeError) -> CameraPoseTrack in try CameraPoseTrack.read(annotation: path) }
            if case .success = result { read += 1 }
            tracks[path] = result
            return result
        }
    }

    /// Reads `dataset`, computes each row's target and writes `dataset.jsonl` and
    /// `target_manifest.json` (and, under `strict`, the clips in `conditioning/`) into `out`.
    /// `progress(done, total)` as the strict clips' episodes finish.
    ///
    /// Throws (writing nothing) when the dataset cannot be read or a line is not a JSON object;
    /// a row that cannot get a target is an issue, never an error. `Summary.passed` is false
    /// when no row got one (the reference's `status: fail`, exit 1).
    public static func run(dataset: URL, out: URL, options: CameraPoseOptions,
                           progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ExportError) -> Summary {
        try options.validate()
        var rows = try CosmosDataset.read(dataset)
        if options.maxRecords > 0, rows.count > options.maxRecords { rows.removeLast(rows.count - options.maxRecords) }
        let cache = PoseCache()
        let clipFolder = out.appendingPathComponent(Layout.conditioning)

        // 1. Targets (one annotation read per episode).
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(rows.count)
        for (index, entry) in rows.enumerated() {
            outcomes.append(outcome(entry.value, index: index, cache: cache, options: options, clipFolder: clipFolder))
        }

        // 2. Strict: the aligned clips, one renderer call per episode.
        var clipResults: [ClipPlan: MosaicResult] = [:]
        var clipErrors: [String: String] = [:]
        if options.protocol == .strict {
            var byEpisode: [String: [ClipPlan]] = [:]
            var order: [String] = []
            var seen = Set<ClipPlan>()
            for o in outcomes {
                guard case .target(_, _, _, _, _, let clip?) = o, seen.insert(clip).inserted else { continue }
                if byEpisode[clip.episodeFolder] == nil { order.append(clip.episodeFolder) }
                byEpisode[clip.episodeFolder, default: []].append(clip)
            }
            let mosaic = options.mosaic
            let plans = order.map { byEpisode[$0] ?? [] }
            let width = Parallel.width(requested: options.jobs, jobs: plans.count)
            let total = plans.count
            let rendered = Parallel.map(plans.count, width: width, completed: progress.map { report in { @Sendable done in report(done, total) } }) { k in
                let clips = plans[k]
                let renderer = MosaicRenderer(episodeFolder: URL(fileURLWithPath: clips[0].episodeFolder), options: mosaic)
                let requests = clips.map { MosaicRequest(contextStart: $0.frames.first ?? 0, contextEnd: $0.frames.last ?? 0, output: $0.output, frames: $0.frames) }
                return Result { () throws(MediaExportError) -> [MosaicResult] in try renderer.render(requests) }
            }
            for (k, result) in rendered.enumerated() {
                switch result {
                case .success(let results): for (clip, r) in zip(plans[k], results) { clipResults[clip] = r }
                case .failure(let error): clipErrors[order[k]] = error.description
                }
            }
        }

        // 3. Rows in order: the counters (first increment first, as the reference's Counter) and the output.
        var counts = InsertionCounter()
        var issues: [Issue] = []
        var lines: [String] = []
        for (index, entry) in rows.enumerated() {
            counts.add("rows_seen")
            var skip: Issue? = nil
            var line: String? = nil
            switch outcomes[index] {
            case .skip(let issue):
                skip = issue
            case .target(let actions, let annotation, let start, let end, let warning, let clip):
                var conditioning = referenceConditioning(entry.value)
                if let clip {
                    if let r = clipResults[clip], let written = r.output {
                        conditioning = strictConditioning(entry.value, clip: clip, result: r, path: written, fps: options.mosaic.fps)
                    } else {
                        let why = clipResults[clip]?.reason ?? clipErrors[clip.episodeFolder] ?? "the clip was not rendered"
                        skip = Issue(rowIndex: index, id: entry.value.get("id"), kind: .conditioningClip, file: clip.episodeFolder,
                                     reason: "no aligned conditioning clip for frames \(clip.frames): \(why)", skipped: true)
                    }
                }
                if skip == nil {
                    if let warning { issues.append(warning) }
                    let target = targetJSON(actions: actions, annotation: annotation, start: start, end: end, conditioning: conditioning, options: options)
                    guard case .object(let pairs) = entry.value else { continue }
                    line = JSONValue.object(PythonDict.setting(pairs, "cosmos_action_target", target)).pythonJSON(.unicode)
                }
            }
            if let skip {
                counts.add(skip.counter)
                issues.append(skip)
            } else if let line {
                lines.append(line)
                counts.add("rows_augmented")
            }
        }

        let datasetURL = out.appendingPathComponent(Layout.dataset)
        let manifestURL = out.appendingPathComponent(Layout.manifest)
        let passed = counts["rows_augmented"] > 0
        let clipsWritten = clipResults.values.filter { $0.output != nil }.count
        var limitations: [JSONValue] = [
            .string("This is an egocentric camera-motion proxy, not a robot gripper or human hand-control action."),
            .string("Use it for Cosmos3 action-packer and one-episode overfit smoke tests before claiming model-quality improvement."),
            .string("Fit any normalization on train episodes only before a full publishable Cosmos adapter run."),
        ]
        switch options.protocol {
        case .reference:
            limitations.append(.string("Protocol reference: conditioning is the record's own context mosaic (its whole context window); the first chunk_size + 1 frames a trainer decodes from it are not time-aligned with the action window."))
        case .strict:
            limitations.append(.string("Protocol strict: conditioning is a chunk_size + 1 frame mosaic of the frames the action chunk's points land on, aligned in time with raw_actions; windows with non-finite or zero SLAM poses are skipped, not written."))
        }
        let manifest: JSONValue = .object([
            ("status", .string(passed ? "pass" : "fail")),
            ("input_dataset_jsonl", .string(dataset.path)), ("output_jsonl", .string(datasetURL.path)),
            ("domain_name", .string(domainName)), ("raw_action_dim", .int(rawActionDim)), ("chunk_size", .int(options.chunkSize)),
            ("resolution_tier", .int(options.resolutionTier)), ("view_point", .string(options.viewPoint)),
            ("target_kind", .string(targetKind)),
            ("counts", counts.json),
            ("episode_annotation_files_read", .int(cache.read)),
            ("issues", .array(issues.prefix(100).map(\.json))),
            ("limitations", .array(limitations)),
            ("protocol", .string(options.protocol.rawValue)),
            ("issue_count", .int(issues.count)),
            ("conditioning_clips_written", .int(clipsWritten)),
        ])
        // Everything is computed: now write (clips, if any, are already in place).
        try JSONOutput.writeLines(lines, to: datasetURL)
        try JSONOutput.write(manifest, to: manifestURL, indent: 2)
        return Summary(rowsSeen: rows.count, rowsAugmented: lines.count, issues: issues, annotationFilesRead: cache.read,
                       clipsWritten: clipsWritten, passed: passed, datasetURL: datasetURL, manifestURL: manifestURL)
    }

    /// The target of one row, or why it has none.
    static func outcome(_ row: JSONValue, index: Int, cache: PoseCache, options: CameraPoseOptions, clipFolder: URL) -> Outcome {
        let id = row.get("id")
        let episodePath = row.get("episode_path")
        let window = row.get("center_window")
        let windowObject: JSONValue = { if case .object = window { return window } else { return .object([]) } }()
        let startValue = windowObject.get("start_frame"), endValue = windowObject.get("end_frame")
        let hasStart = windowObject.objectValue?.contains { $0.0 == "start_frame" } ?? false
        let hasEnd = windowObject.objectValue?.contains { $0.0 == "end_frame" } ?? false
        guard episodePath.pythonTruthy, hasStart, hasEnd, let start = startValue.pythonInt, let end = endValue.pythonInt else {
            return .skip(Issue(rowIndex: index, id: id, kind: .missingSourceFields, file: nil,
                               reason: "missing episode_path or center_window", skipped: true))
        }
        let folder = episodePath.pythonString
        let annotation = pythonPathJoin(folder, "annotation.hdf5")
        guard FileManager.default.fileExists(atPath: annotation) else {
            return .skip(Issue(rowIndex: index, id: id, kind: .missingAnnotation, file: annotation, reason: "missing \(annotation)", skipped: true))
        }
        let track: CameraPoseTrack
        switch cache.track(annotation) {
        case .success(let t): track = t
        case .failure(let error):
            return .skip(Issue(rowIndex: index, id: id, kind: .unreadableAnnotation, file: annotation,
                               reason: "cannot read the SLAM track: \(error)", skipped: true))
        }
        let actions: [[Float]]
        do { actions = try track.actions(start: start, end: end, chunkSize: options.chunkSize) } catch {
            return .skip(Issue(rowIndex: index, id: id, kind: .actionBuildError, file: annotation, reason: error.description, skipped: true))
        }
        // Pose rows the window reads that are not usable values.
        var warning: Issue? = nil
        if let used = track.rowsUsed(start: start, end: end, chunkSize: options.chunkSize) {
            let indices = Set([used.start] + used.pairs.flatMap { [$0.0, $0.1] })
            let badQ = indices.intersection(track.badQuaternionRows).sorted()
            let badT = indices.intersection(track.nonFiniteTranslationRows).sorted()
            if !badQ.isEmpty || !badT.isEmpty {
                var parts: [String] = []
                if !badQ.isEmpty { parts.append("slam/quat_wxyz is zero or non-finite at rows \(badQ)") }
                if !badT.isEmpty { parts.append("slam/trans_xyz is non-finite at rows \(badT)") }
                let what = "frames \(start)-\(end): " + parts.joined(separator: "; ")
                if options.protocol == .strict {
                    return .skip(Issue(rowIndex: index, id: id, kind: .invalidPose, file: annotation, reason: what, skipped: true))
                }
                warning = Issue(rowIndex: index, id: id, kind: .invalidPoseWritten, file: annotation,
                                reason: what + " (written as the reference writes it)", skipped: false)
            }
        }
        var clip: ClipPlan? = nil
        if options.protocol == .strict {
            let points = CameraPoseTrack.chunkPoints(start: start, end: end, chunkSize: options.chunkSize)
            let frames = points.compactMap { track.nearestIndex($0) }
            let key = EpisodeKey(folder: URL(fileURLWithPath: folder)).text
            let output = clipFolder.appendingPathComponent(key).appendingPathComponent("\(key)_s\(start)_e\(end)_c\(options.chunkSize)_mosaic.mp4")
            clip = ClipPlan(episodeFolder: folder, output: output, frames: frames, points: points)
        }
        return .target(actions: actions, annotation: annotation, start: start, end: end, warning: warning, clip: clip)
    }

    /// `media_condition(row)`: the record's own context mosaic.
    static func referenceConditioning(_ row: JSONValue) -> JSONValue {
        let media: JSONValue = { if case .object = row.get("media") { return row.get("media") } else { return .object([]) } }()
        let videos: JSONValue = { if case .array = media.get("video_paths") { return media.get("video_paths") } else { return .array([]) } }()
        return .object([("mosaic_video_path", media.get("mosaic_video_path")), ("video_paths", videos),
                        ("context_start_frame", media.get("context_start_frame")), ("context_end_frame", media.get("context_end_frame"))])
    }

    /// The strict conditioning: the aligned clip, the frames it shows, and the same keys as the
    /// reference's so a packer reads it unchanged.
    static func strictConditioning(_ row: JSONValue, clip: ClipPlan, result: MosaicResult, path: URL, fps: Double) -> JSONValue {
        let reference = referenceConditioning(row)
        return .object([
            ("mosaic_video_path", .string(path.path)), ("video_paths", reference.get("video_paths", .array([]))),
            ("context_start_frame", .int(clip.frames.first ?? 0)), ("context_end_frame", .int(clip.frames.last ?? 0)),
            ("frame_indices", .array(clip.frames.map { .int($0) })), ("chunk_points", .array(clip.points.map { .int($0) })),
            ("aligned_with_action_window", .bool(true)), ("fps", .double(fps)),
            ("missing_cameras", .array(result.missingCameras.map { .string($0) })), ("black_tiles", .int(result.blackTiles)),
            ("unread_frames", .int(result.unreadFrames)),
            ("record_context_mosaic_video_path", reference.get("mosaic_video_path")),
        ])
    }

    /// `cosmos_action_target`, the reference's keys in its order.
    static func targetJSON(actions: [[Float]], annotation: String, start: Int, end: Int, conditioning: JSONValue, options: CameraPoseOptions) -> JSONValue {
        // float(np.float32(x)): the float32 widened to a double, printed as Python's repr.
        let raw: JSONValue = .array(actions.map { row in .array(row.map { .double(Double($0)) }) })
        return .object([
            ("mode", .string("forward_dynamics")), ("domain_name", .string(domainName)), ("chunk_size", .int(options.chunkSize)),
            ("raw_action_dim", .int(rawActionDim)), ("raw_actions", raw), ("resolution_tier", .int(options.resolutionTier)),
            ("view_point", .string(options.viewPoint)),
            ("source", .object([
                ("kind", .string(targetKind)), ("annotation_hdf5", .string(annotation)),
                ("frame_range", .object([("start_frame", .int(start)), ("end_frame", .int(end))])),
                ("fields", .array(["slam/trans_xyz delta", "slam/quat_wxyz delta as rotation vector",
                                   "slam/trans_xyz displacement from window start"].map { .string($0) })),
                ("units", .string("translation in annotation coordinate units; rotation in radians")),
            ])),
            ("conditioning", conditioning),
        ])
    }
}
