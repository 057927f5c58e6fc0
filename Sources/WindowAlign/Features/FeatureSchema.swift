import Foundation
import XPCore

/// One named slice of the window feature vector.
public struct FeatureBlock: Sendable, Hashable, Codable {
    /// Block name as the reference manifest spells it.
    public var name: String
    /// First column.
    public var start: Int
    /// One past the last column.
    public var end: Int
    /// Values per frame for blocks summarised with `temporalStats` (the block holds 7× as
    /// many columns), or nil for static per-episode blocks.
    public var perStepDim: Int?

    /// Columns in the window vector.
    public var dim: Int { end - start }
    /// Length of the static vector (nil for per-step blocks).
    public var staticDim: Int? { perStepDim == nil ? dim : nil }
    /// The column range.
    public var columns: Range<Int> { start..<end }
}

/// The fixed, ordered block layout of the window feature vector. A fixed schema keeps the
/// dimensionality stable when a modality is missing: absent blocks are zero-filled and
/// flagged in a presence mask instead of being dropped as the reference does.
public struct FeatureSchema: Sendable, Hashable {
    /// The blocks in column order.
    public let blocks: [FeatureBlock]
    /// Total columns.
    public var dimension: Int { blocks.last?.end ?? 0 }

    /// Builds a contiguous schema from (name, per-step D or nil, static length) entries.
    public init(layout: [(name: String, perStepDim: Int?, staticDim: Int)]) {
        var blocks: [FeatureBlock] = []
        var offset = 0
        for entry in layout {
            let dim = entry.perStepDim.map { 7 * $0 } ?? entry.staticDim
            blocks.append(FeatureBlock(name: entry.name, start: offset, end: offset + dim, perStepDim: entry.perStepDim))
            offset += dim
        }
        self.blocks = blocks
    }

    /// The reference suite's 18 blocks, 8,546 columns (spec §2.2).
    public static let reference = FeatureSchema(layout: [
        ("hand_left_joints", 63, 0),
        ("hand_right_joints", 63, 0),
        ("body_joints", 156, 0),
        ("body_contacts", 21, 0),
        ("camera_translation", 3, 0),
        ("camera_rotation_matrix", 9, 0),
        ("imu_accel_gyro", 6, 0),
        ("depth_confidence", DepthFeatures.dimension, 0),
        ("video_fisheye_cam0", VideoFeatures.dimension, 0),
        ("video_fisheye_cam1", VideoFeatures.dimension, 0),
        ("video_fisheye_cam2", VideoFeatures.dimension, 0),
        ("video_fisheye_cam3", VideoFeatures.dimension, 0),
        ("video_stereo_left", VideoFeatures.dimension, 0),
        ("video_stereo_right", VideoFeatures.dimension, 0),
        ("audio_fisheye_cam0_aac", AudioFeatures.dimension, 0),
        ("caption_objects_interaction_text", 128, 0),
        ("slam_point_cloud", nil, PointCloudStats.dimension),
        ("calibration", nil, 117),
    ])

    /// The block called `name`.
    public func block(named name: String) throws(WindowAlignError) -> FeatureBlock {
        guard let b = blocks.first(where: { $0.name == name }) else { throw .unknownBlock(name) }
        return b
    }

    /// The reference `block_indices`: a block is selected when its name starts with one of
    /// `include` (all blocks when `include` is nil), unless it starts with one of `exclude`.
    /// Returns the blocks in schema order.
    public func selectBlocks(include: [String]? = nil, exclude: [String] = []) -> [FeatureBlock] {
        blocks.filter { b in
            let included = include.map { prefixes in prefixes.contains { b.name.hasPrefix($0) } } ?? true
            return included && !exclude.contains { b.name.hasPrefix($0) }
        }
    }

    /// Column indices of `selectBlocks(include:exclude:)`, in schema order.
    public func columnIndices(include: [String]? = nil, exclude: [String] = []) -> [Int] {
        selectBlocks(include: include, exclude: exclude).flatMap { Array($0.columns) }
    }

    /// Column indices of a named input set.
    public func columnIndices(_ set: FeatureSet) -> [Int] {
        columnIndices(include: set.include, exclude: set.exclude)
    }

    /// The manifest rows (`name, start, end, dim`) of this schema.
    public var manifest: FeatureManifest { FeatureManifest(blocks: blocks) }
}

/// The named input sets of the task suite (spec §3).
public enum FeatureSet: String, Sendable, CaseIterable {
    case all = "ALL"
    case noText = "NO_TEXT"
    case contactIn = "CONTACT_IN"
    case motionA = "MOTION_A"
    case visual = "VISUAL"
    case motionB = "MOTION_B"
    case visualAudio = "VISUAL_AUDIO"
    case text = "TEXT"

    /// Name prefixes to include (nil = every block).
    public var include: [String]? {
        switch self {
        case .all, .noText, .contactIn: return nil
        case .motionA: return ["hand_", "body_joints", "body_contacts", "camera_", "imu_", "audio_"]
        case .motionB: return ["hand_", "body_joints", "body_contacts", "camera_", "imu_"]
        case .visual: return ["depth_confidence", "video_"]
        case .visualAudio: return ["depth_confidence", "video_", "audio_"]
        case .text: return ["caption_objects_interaction_text"]
        }
    }

    /// Name prefixes to exclude.
    public var exclude: [String] {
        switch self {
        case .noText: return ["caption_objects_interaction_text"]
        case .contactIn: return ["body_contacts", "caption_objects_interaction_text"]
        default: return []
        }
    }
}

/// `feature_manifest.json`: the block layout as a JSON array of `{name, start, end, dim}`.
public struct FeatureManifest: Sendable, Hashable {
    public struct Entry: Sendable, Hashable, Codable {
        public var name: String
        public var start: Int
        public var end: Int
        public var dim: Int
    }

    public var entries: [Entry]

    public init(blocks: [FeatureBlock]) {
        entries = blocks.map { Entry(name: $0.name, start: $0.start, end: $0.end, dim: $0.dim) }
    }

    public init(entries: [Entry]) { self.entries = entries }

    /// The JSON text exactly as Python's `json.dumps(manifest, indent=2)` writes it (keys in
    /// the order name, start, end, dim; non-ASCII escaped; no trailing newline).
    public func jsonText() -> String {
        JSONValue.array(entries.map { e in
            .object([("name", .string(e.name)), ("start", .int(e.start)), ("end", .int(e.end)), ("dim", .int(e.dim))])
        }).pythonJSON(indent: 2)
    }

    /// Parses a manifest JSON array.
    public static func decode(_ data: Data) throws(WindowAlignError) -> FeatureManifest {
        do {
            return FeatureManifest(entries: try JSONDecoder().decode([Entry].self, from: data))
        } catch {
            throw .invalidArgument(what: "feature manifest", detail: "expected a JSON array of {name, start, end, dim}: \(error)")
        }
    }

    /// Writes the manifest atomically.
    public func write(to url: URL) throws(WindowAlignError) {
        try atomicWrite(Data(jsonText().utf8), to: url)
    }
}
