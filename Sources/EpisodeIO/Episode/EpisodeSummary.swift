/// What `xp-inspect` reports about an episode: sizes, timing, modalities, captions, problems.
/// Codable so tools can print it as JSON.
public struct EpisodeSummary: Sendable, Codable, Equatable {
    public struct ModalityLine: Sendable, Codable, Equatable {
        public var modality: Modality
        public var usable: Bool
        /// The main dataset and its shape and type, e.g. `hand_mocap/left_joints_3d [8, 21, 3] float32`.
        public var source: String?
        public var note: String?
    }

    public struct LabelCount: Sendable, Codable, Equatable {
        public var label: String
        public var frames: Int
    }

    public struct Captions: Sendable, Codable, Equatable {
        public var mainTask: String
        public var rules: String
        public var segments: Int
        public var resolvedSegments: Int
        public var unresolvedReferences: Int
        /// Action labels with their frame counts, in order of first appearance.
        public var actions: [LabelCount]
        public var subtasks: [LabelCount]
        public var unlabelledFrames: Int
        public var actionBoundaries: [Int]
    }

    public var file: String
    public var frames: Int?
    public var durationSeconds: Double?
    public var fpsEstimate: Double?
    public var firstTimestamp: Int64?
    public var lastTimestamp: Int64?
    public var datasetsPresent: Int
    public var datasetsExpected: Int
    public var complete: Bool
    public var modalities: [ModalityLine]
    public var captions: Captions?
    /// The six MP4 streams beside the annotation.
    public var media: [EpisodeMediaEntry]
    public var problems: [String]
    /// The value-level quality findings (`EpisodeQualityReport`), most severe first.
    public var findings: [QualityFinding]? = nil
}

extension Episode {
    /// Summarises the episode. Nothing throws: what cannot be read becomes a problem line.
    /// - Parameters:
    ///   - frameNames: resolve the caption against this timeline instead of the file's own.
    ///   - rules: the caption frame-reference rules.
    public func summary(frameNames: [String]? = nil, rules: CaptionRules = .current) -> EpisodeSummary {
        let report = schemaReport()
        var problems = report.problems
        let timeline = try? timeline()
        let mainDataset: [Modality: String] = [
            .timeline: "slam/frame_names", .cameraPoses: "slam/quat_wxyz", .hands: "hand_mocap/left_joints_3d",
            .body: "full_body_mocap/keypoints", .contacts: "full_body_mocap/contacts", .imu: "imu/accel_xyz",
            .depth: "depth/depth", .confidence: "depth/confidence", .metadata: "metadata/health_report",
            .captions: "caption", .pointCloud: "slam/point_cloud", .calibration: "calibration/cam01/T_c0_b",
        ]
        let modalities = report.modalities.map { state -> EpisodeSummary.ModalityLine in
            var source: String? = nil
            if let path = mainDataset[state.modality], let entry = report.entry(path), let shape = entry.foundShape, let type = entry.foundType {
                source = "\(path) \(shape) \(type)"
            }
            return EpisodeSummary.ModalityLine(modality: state.modality, usable: state.usable, source: source, note: state.note)
        }
        var captionSummary: EpisodeSummary.Captions? = nil
        do {
            let table = try captions(rules: rules, frameNames: frameNames, allowUnresolved: true)
            let document = try captionDocument()
            func counts(_ labels: [String]) -> [EpisodeSummary.LabelCount] {
                var order: [String] = []
                var counts: [String: Int] = [:]
                for label in labels where !label.isEmpty {
                    if counts[label] == nil { order.append(label) }
                    counts[label, default: 0] += 1
                }
                return order.map { EpisodeSummary.LabelCount(label: $0, frames: counts[$0] ?? 0) }
            }
            let actions = table.labels(.action)
            captionSummary = EpisodeSummary.Captions(
                mainTask: table.mainTask, rules: rules.rawValue, segments: document.segments.count,
                resolvedSegments: table.segmentBoundaries.count, unresolvedReferences: table.unresolvedReferences.count,
                actions: counts(actions), subtasks: counts(table.labels(.subtask)),
                unlabelledFrames: actions.filter(\.isEmpty).count, actionBoundaries: table.boundaries(.action))
            if table.farReferences > 0 {
                problems.append("\(table.farReferences) caption references matched a frame more than 0.1 s away by the nearest-timestamp rule: the caption covers a longer timeline than this file (a trim?); pass the full frame-name timeline")
            }
            if frameNames != nil, let n = timeline?.frameCount, n != table.frames.count {
                problems.append("captions resolved against an external timeline of \(table.frames.count) frames; the file has \(n)")
            }
        } catch {
            if !problems.contains(where: { $0.hasPrefix("captions unusable") }) { problems.append("captions: \(error)") }
        }
        let media = listEpisodeMedia(folder: directory)
        let missing = media.filter { $0.status == "missing" }.map(\.file)
        if !missing.isEmpty { problems.append("media missing: " + missing.joined(separator: ", ")) }
        for entry in media where entry.status == "error" { problems.append("\(entry.file): \(entry.error ?? "unreadable")") }
        if let n = timeline?.frameCount {
            for entry in media where entry.status == "ok" {
                if let frames = entry.info?.video?.frameCount, frames != n && frames != n + 1 {
                    problems.append("\(entry.file) has \(frames) video frames; the annotation has \(n) (the release has N + 1)")
                }
            }
        }
        if let cam0 = media.first, cam0.status == "ok", cam0.info?.hasAudio == false {
            problems.append("fisheye_cam0.mp4 has no audio track")
        }
        return EpisodeSummary(
            file: annotationPath, frames: timeline?.frameCount, durationSeconds: timeline?.durationSeconds,
            fpsEstimate: timeline?.fpsEstimate, firstTimestamp: timeline?.deviceTimestamps?.first,
            lastTimestamp: timeline?.deviceTimestamps?.last, datasetsPresent: report.presentCount,
            datasetsExpected: EpisodeSchema.entries.count, complete: report.isComplete, modalities: modalities,
            captions: captionSummary, media: media, problems: problems,
            findings: qualityReport(options: QualityOptions(frameNames: frameNames, captionRules: rules)).findings.ordered)
    }

    /// Every group and dataset, depth first, with shape, dtype and (for scalars) the value.
    public func tree(maxValueLength: Int = 80) -> [String] {
        var lines: [String] = []
        func visit(_ group: String, depth: Int) {
            guard let names = try? file.children(of: group) else { return }
            for name in names {
                let path = group.isEmpty ? name : group + "/" + name
                let indent = String(repeating: "  ", count: depth)
                switch file.kind(of: path) {
                case .group:
                    lines.append("\(indent)\(name)/")
                    visit(path, depth: depth + 1)
                case .dataset:
                    guard let info = try? file.info(path) else { lines.append("\(indent)\(name)  <unreadable>"); continue }
                    var line = "\(indent)\(name)  \(info.shapeDescription) \(info.type)"
                    if info.gzip { line += " gzip" }
                    if info.shape.isEmpty {
                        var value: String? = nil
                        if info.type.isNumeric, let v = try? file.readScalar(path) { value = String(v) }
                        else if let s = try? file.readString(path) { value = s.debugDescription }
                        if var value {
                            if value.count > maxValueLength { value = String(value.prefix(maxValueLength)) + "… (\(value.count) chars)" }
                            line += " = " + value
                        }
                    }
                    lines.append(line)
                default:
                    lines.append("\(indent)\(name)  <other object>")
                }
            }
        }
        visit("", depth: 0)
        return lines
    }
}
