import Foundation
import WindowAlign

/// A named set of feature blocks that a diagnostic removes, keeps alone, or shifts in time
/// (`task-suite.md` §6.1: the reference's nine ablation groups).
public struct ModalityGroup: Sendable, Hashable {
    /// The `modality_group` key in every output (`all_features`, `video`, ...).
    public var name: String
    /// The `modality_display` string.
    public var display: String
    /// Block-name prefixes of the group (nil = every block).
    public var include: [String]?
    /// Block-name prefixes left out (for `no_language`).
    public var exclude: [String]

    public init(name: String, display: String, include: [String]?, exclude: [String] = []) {
        self.name = name
        self.display = display
        self.include = include
        self.exclude = exclude
    }

    /// The group's columns in `schema`, in schema order.
    public func columns(_ schema: FeatureSchema) -> [Int] {
        schema.columnIndices(include: include, exclude: exclude)
    }

    /// The group's block names in `schema`.
    public func blockNames(_ schema: FeatureSchema) -> [String] {
        schema.selectBlocks(include: include, exclude: exclude).map(\.name)
    }

    public static let allFeatures = ModalityGroup(name: "all_features", display: "All Features", include: nil)
    public static let video = ModalityGroup(name: "video", display: "Video", include: ["video_"])
    public static let depth = ModalityGroup(name: "depth", display: "Depth", include: ["depth_"])
    /// Camera translation and rotation, the SLAM point cloud and the calibration (223 dims).
    public static let poseSlam = ModalityGroup(name: "pose_slam", display: "Pose / SLAM",
                                               include: ["camera_translation", "camera_rotation_matrix", "slam_point_cloud", "calibration"])
    /// Hands, body joints and body contacts (2,121 dims).
    public static let motionCapture = ModalityGroup(name: "motion_capture", display: "Motion Capture",
                                                    include: ["hand_", "body_joints", "body_contacts"])
    public static let inertial = ModalityGroup(name: "inertial", display: "Inertial", include: ["imu_"])
    public static let audio = ModalityGroup(name: "audio", display: "Audio", include: ["audio_"])
    public static let language = ModalityGroup(name: "language", display: "Language", include: ["caption_"])
    public static let noLanguage = ModalityGroup(name: "no_language", display: "No Language", include: nil, exclude: ["caption_"])
    /// The union of motion capture, pose/SLAM and inertial (2,386 dims): an alignment-stress query.
    public static let motionPoseInertial = ModalityGroup(
        name: "motion_pose_inertial", display: "Motion + Pose + Inertial",
        include: ["hand_", "body_joints", "body_contacts", "camera_translation", "camera_rotation_matrix", "slam_point_cloud", "calibration", "imu_"])
}

/// The group lists of the diagnostics, in the reference's order.
public enum ModalityGroups {
    /// The nine ablation groups of §6.1, in the order the reference writes them.
    public static let ablation: [ModalityGroup] = [.allFeatures, .video, .depth, .poseSlam, .motionCapture, .inertial, .audio, .language, .noLanguage]

    /// The alignment-stress query groups of §6.2, in the reference's order.
    public static let alignmentQueries: [ModalityGroup] = [.motionCapture, .poseSlam, .inertial, .language, .motionPoseInertial, .audio]

    /// The alignment-stress target: depth plus video (the VISUAL set).
    public static let alignmentTarget = ModalityGroup(name: "depth_plus_video", display: "Depth + Video", include: ["depth_confidence", "video_"])

    /// The group dims over `schema` (`groups` in `diagnostics.json`), ablation groups first.
    public static func dimensions(_ schema: FeatureSchema) -> [(String, Int)] {
        (ablation + [.motionPoseInertial]).map { ($0.name, $0.columns(schema).count) }
    }

    /// Block-name prefixes a task's target is built from, under `protocol`. A group holding
    /// one of these blocks "overlaps the target": its score may be leakage, not signal.
    ///
    /// In `reference` this is the reference's rule (its published `target_source_overlap`
    /// column: hands for the hand forecast, the text for objects and grounding, the visual
    /// blocks for retrieval and reconstruction). `strict` adds what the reference misses:
    /// the labels of tasks 1–4 and the object sets are annotation-derived like the text block
    /// (§7 #6, transition × language 0.705 in the reference is leakage), and the contact
    /// target is read from the body-contacts channels.
    public static func targetSources(of task: TaskID, protocol p: SuiteProtocol) -> [String] {
        let strict = p == .strict
        switch task {
        case .timelineAction, .timelineSubtask, .transitionDetection, .nextAction: return strict ? ["caption_"] : []
        case .handTrajectoryForecast: return ["hand_"]
        case .contactPrediction: return strict ? ["body_contacts"] : []
        case .objectRelevance, .captionGrounding: return ["caption_"]
        case .crossModalRetrieval, .modalityReconstruction: return ["depth_confidence", "video_"]
        default: return []
        }
    }

    /// Whether `group` holds a block that `task`'s target is built from.
    public static func overlapsTarget(_ group: ModalityGroup, task: TaskID, schema: FeatureSchema, protocol p: SuiteProtocol) -> Bool {
        let sources = targetSources(of: task, protocol: p)
        return group.blockNames(schema).contains { name in sources.contains { name.hasPrefix($0) } }
    }
}
