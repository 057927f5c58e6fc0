/// One dimension of an expected shape: a fixed size, or a symbol shared across datasets.
public enum SchemaDimension: Sendable, Equatable, CustomStringConvertible {
    case fixed(Int)
    /// `N` annotation frames, `M` IMU samples, `P` point-cloud points, `H`/`W` depth size.
    case symbol(String)

    public var description: String {
        switch self {
        case .fixed(let n): return String(n)
        case .symbol(let s): return s
        }
    }
}

/// The element kind a schema entry expects.
public enum SchemaElement: Sendable, Equatable, CustomStringConvertible {
    case type(HDF5DataType)
    /// Any string dataset (variable-length in the release; fixed-length also reads).
    case anyString

    public var description: String {
        switch self {
        case .type(let t): return t.description
        case .anyString: return "vlen str"
        }
    }

    func accepts(_ type: HDF5DataType) -> Bool {
        switch self {
        case .type(let expected): return expected == type
        case .anyString:
            if case .variableString = type { return true }
            if case .fixedString = type { return true }
            return false
        }
    }
}

/// One of the 65 datasets of an Xperience-10M `annotation.hdf5` (spec §2).
public struct SchemaEntry: Sendable, Equatable {
    public var path: String
    public var element: SchemaElement
    public var shape: [SchemaDimension]
    /// The modality this dataset belongs to, as the schema report groups them.
    public var modality: Modality

    public var shapeDescription: String {
        shape.isEmpty ? "()" : "[" + shape.map(\.description).joined(separator: ", ") + "]"
    }
}

/// The modalities an episode can provide.
public enum Modality: String, Sendable, CaseIterable, Codable, Comparable {
    case timeline, cameraPoses = "camera_poses", hands, body, contacts, imu, depth, confidence
    case calibration, metadata, captions, pointCloud = "point_cloud"
    /// The six MP4 streams and their audio track (not HDF5 datasets; the quality pass reports on them).
    case video, audio

    public static func < (a: Modality, b: Modality) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The exact dataset list of the release (spec §2), in file order.
public enum EpisodeSchema {
    static func f64(_ path: String, _ shape: [SchemaDimension], _ m: Modality) -> SchemaEntry {
        SchemaEntry(path: path, element: .type(.float64), shape: shape, modality: m)
    }
    static func f32(_ path: String, _ shape: [SchemaDimension], _ m: Modality) -> SchemaEntry {
        SchemaEntry(path: path, element: .type(.float32), shape: shape, modality: m)
    }
    static func str(_ path: String, _ m: Modality) -> SchemaEntry {
        SchemaEntry(path: path, element: .anyString, shape: [], modality: m)
    }

    /// All 65 entries.
    public static let entries: [SchemaEntry] = {
        let n = SchemaDimension.symbol("N")
        let c = Modality.calibration
        var e: [SchemaEntry] = []
        for cam in ["cam0", "cam1", "cam2", "cam3"] {
            e.append(f64("calibration/\(cam)/D", [.fixed(4)], c))
            e.append(f64("calibration/\(cam)/K", [.fixed(4)], c))
            e.append(f64(cam == "cam0" ? "calibration/cam0/T_c_b" : "calibration/\(cam)/T_cn_cnm1", [.fixed(4), .fixed(4)], c))
            e.append(str("calibration/\(cam)/camera_model", c))
            e.append(str("calibration/\(cam)/distortion_model", c))
            if cam == "cam0" {
                e.append(f64("calibration/cam01/K", [.fixed(4)], c))
                e.append(f64("calibration/cam01/T_c0_b", [.fixed(4), .fixed(4)], c))
                e.append(f64("calibration/cam01/baseline", [], c))
            }
        }
        e.append(str("caption", .captions))
        let h = SchemaDimension.symbol("H"), w = SchemaDimension.symbol("W")
        e.append(SchemaEntry(path: "depth/confidence", element: .type(.uint8), shape: [n, h, w], modality: .confidence))
        e.append(f32("depth/depth", [n, h, w], .depth))
        e.append(f64("depth/depth_max", [], .depth))
        e.append(f64("depth/depth_min", [], .depth))
        e.append(f64("depth/scale", [], .depth))
        e.append(f32("full_body_mocap/Ts_world_cpf", [n, .fixed(7)], .body))
        e.append(f32("full_body_mocap/Ts_world_root", [n, .fixed(7)], .body))
        e.append(f32("full_body_mocap/betas", [n, .fixed(16)], .body))
        e.append(f32("full_body_mocap/body_quats", [n, .fixed(21), .fixed(4)], .body))
        e.append(f32("full_body_mocap/contacts", [n, .fixed(21)], .contacts))
        e.append(SchemaEntry(path: "full_body_mocap/frame_nums", element: .type(.int64), shape: [n], modality: .body))
        e.append(f32("full_body_mocap/keypoints", [n, .fixed(52), .fixed(3)], .body))
        e.append(f32("full_body_mocap/left_hand_quats", [n, .fixed(15), .fixed(4)], .body))
        e.append(f32("full_body_mocap/right_hand_quats", [n, .fixed(15), .fixed(4)], .body))
        for side in ["left", "right"] {
            e.append(f32("hand_mocap/\(side)_joints_3d", [n, .fixed(21), .fixed(3)], .hands))
            e.append(f32("hand_mocap/\(side)_mano_hand_betas", [n, .fixed(10)], .hands))
            e.append(f32("hand_mocap/\(side)_mano_hand_global_orient", [n, .fixed(9)], .hands))
            e.append(f32("hand_mocap/\(side)_mano_hand_pose", [n, .fixed(135)], .hands))
            e.append(f32("hand_mocap/\(side)_translation", [n, .fixed(3)], .hands))
        }
        let m = SchemaDimension.symbol("M")
        e.append(f64("imu/accel_xyz", [m, .fixed(3)], .imu))
        e.append(f64("imu/device_timestamp_ns", [m], .imu))
        e.append(f64("imu/gyro_xyz", [m, .fixed(3)], .imu))
        e.append(SchemaEntry(path: "imu/keyframe_indices", element: .type(.int64), shape: [n], modality: .imu))
        e.append(f64("metadata/body_height", [], .metadata))
        e.append(str("metadata/device_id", .metadata))
        e.append(str("metadata/device_version", .metadata))
        e.append(str("metadata/health_report", .metadata))
        e.append(str("metadata/other", .metadata))
        e.append(str("metadata/time_created", .metadata))
        e.append(SchemaEntry(path: "slam/frame_names", element: .type(.fixedString(18)), shape: [n], modality: .timeline))
        e.append(f64("slam/point_cloud", [.symbol("P"), .fixed(3)], .pointCloud))
        e.append(f64("slam/quat_wxyz", [n, .fixed(4)], .cameraPoses))
        e.append(f64("slam/trans_xyz", [n, .fixed(3)], .cameraPoses))
        e.append(SchemaEntry(path: "video/device_timestamp", element: .type(.fixedString(14)), shape: [n], modality: .timeline))
        e.append(SchemaEntry(path: "video/frame_number", element: .type(.int64), shape: [n], modality: .timeline))
        e.append(f64("video/length_sec", [], .timeline))
        return e
    }()
}
