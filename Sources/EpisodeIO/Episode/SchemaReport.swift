/// What an episode file holds against the release schema, and what it can therefore be used for.
public struct SchemaReport: Sendable, Codable, Equatable {
    /// The state of one expected dataset.
    public enum Status: String, Sendable, Codable {
        case present, absent
        case wrongType = "wrong_type"
        case wrongShape = "wrong_shape"
    }

    public struct Entry: Sendable, Codable, Equatable {
        public var path: String
        public var status: Status
        public var expectedType: String
        public var expectedShape: String
        /// What the file holds, when present.
        public var foundType: String?
        public var foundShape: String?
        public var modality: Modality
    }

    public struct ModalityState: Sendable, Codable, Equatable {
        public var modality: Modality
        public var usable: Bool
        /// Why not, or what is degraded.
        public var note: String?
    }

    public var file: String
    public var entries: [Entry]
    /// Resolved symbol sizes: N, M, P, H, W.
    public var sizes: [String: Int]
    public var modalities: [ModalityState]
    /// Datasets in the file that the release schema does not name.
    public var extraDatasets: [String]
    /// Human-readable problems, most important first.
    public var problems: [String]

    public var presentCount: Int { entries.filter { $0.status == .present }.count }
    /// True when all 65 datasets are present with the right types and shapes and the caption
    /// resolves.
    public var isComplete: Bool { presentCount == EpisodeSchema.entries.count && modalities.allSatisfy(\.usable) }

    public func usable(_ modality: Modality) -> Bool {
        modalities.first { $0.modality == modality }?.usable ?? false
    }
    public func entry(_ path: String) -> Entry? { entries.first { $0.path == path } }
}

extension Episode {
    /// Checks every dataset of the release schema and every modality. Never throws: whatever
    /// cannot be read is reported.
    public func schemaReport() -> SchemaReport {
        let found = Dictionary(file.allDatasets().map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        // Symbol sizes come from the defining datasets; N from the timeline rules.
        var sizes: [String: Int] = [:]
        if let timeline = try? timeline() { sizes["N"] = timeline.frameCount }
        if let m = found["imu/device_timestamp_ns"]?.shape.first { sizes["M"] = m }
        if let p = found["slam/point_cloud"]?.shape.first { sizes["P"] = p }
        if let d = found["depth/depth"], d.shape.count == 3 { sizes["H"] = d.shape[1]; sizes["W"] = d.shape[2] }

        var entries: [SchemaReport.Entry] = []
        var problems: [String] = []
        for spec in EpisodeSchema.entries {
            var entry = SchemaReport.Entry(path: spec.path, status: .absent, expectedType: spec.element.description,
                                           expectedShape: spec.shapeDescription, foundType: nil, foundShape: nil, modality: spec.modality)
            if let info = found[spec.path] {
                entry.foundType = info.type.description
                entry.foundShape = info.shapeDescription
                var shape = info.shape
                // The toolkit squeezes a leading 1 on keypoints and contacts.
                if spec.path.hasPrefix("full_body_mocap/"), shape.count == spec.shape.count + 1, shape.first == 1 { shape.removeFirst() }
                let shapeOK = shape.count == spec.shape.count && zip(shape, spec.shape).allSatisfy { size, dim in
                    switch dim {
                    case .fixed(let n): return size == n
                    case .symbol(let s): return sizes[s].map { $0 == size } ?? true
                    }
                }
                if !spec.element.accepts(info.type) {
                    entry.status = .wrongType
                    problems.append("\(spec.path): type \(info.type), expected \(spec.element)")
                } else if !shapeOK {
                    entry.status = .wrongShape
                    problems.append("\(spec.path): shape \(info.shapeDescription), expected \(spec.shapeDescription)")
                } else {
                    entry.status = .present
                }
            }
            entries.append(entry)
        }
        let absent = entries.filter { $0.status == .absent }.map(\.path)
        if !absent.isEmpty {
            problems.insert("\(absent.count) of \(EpisodeSchema.entries.count) datasets absent: " + absent.joined(separator: ", "), at: 0)
        }
        let expected = Set(EpisodeSchema.entries.map(\.path))
        let extra = found.keys.filter { !expected.contains($0) }.sorted()

        func ok(_ paths: String...) -> Bool { paths.allSatisfy { p in entries.first { $0.path == p }?.status == .present } }
        func state(_ m: Modality, _ body: () -> (Bool, String?)) -> SchemaReport.ModalityState {
            let (usable, note) = body()
            return SchemaReport.ModalityState(modality: m, usable: usable, note: note)
        }
        var modalities: [SchemaReport.ModalityState] = []
        modalities.append(state(.timeline) {
            if ok("slam/frame_names") { return (true, ok("video/device_timestamp") ? nil : "no video/device_timestamp: fps cannot be estimated") }
            if sizes["N"] != nil { return (true, "no slam/frame_names: names fall back to frame_%06d.jpg, so timestamp caption references cannot resolve") }
            return (false, "no frame timeline: neither slam/frame_names nor a per-frame dataset to count frames")
        })
        modalities.append(state(.cameraPoses) {
            ok("slam/quat_wxyz", "slam/trans_xyz", "calibration/cam01/T_c0_b") ? (true, nil) : (false, "needs slam/quat_wxyz, slam/trans_xyz and calibration/cam01/T_c0_b")
        })
        modalities.append(state(.hands) {
            switch (ok("hand_mocap/left_joints_3d"), ok("hand_mocap/right_joints_3d")) {
            case (true, true): return (true, nil)
            case (true, false): return (true, "right hand missing: read as zeros")
            case (false, true): return (true, "left hand missing: read as zeros")
            case (false, false): return (false, "needs hand_mocap/left_joints_3d or hand_mocap/right_joints_3d")
            }
        })
        modalities.append(state(.body) { ok("full_body_mocap/keypoints") ? (true, nil) : (false, "needs full_body_mocap/keypoints") })
        modalities.append(state(.contacts) { ok("full_body_mocap/contacts") ? (true, nil) : (false, "needs full_body_mocap/contacts") })
        modalities.append(state(.imu) {
            ok("imu/device_timestamp_ns", "imu/accel_xyz", "imu/gyro_xyz")
                ? (true, ok("imu/keyframe_indices") ? nil : "no imu/keyframe_indices: align by timestamps only")
                : (false, "needs imu/device_timestamp_ns, imu/accel_xyz and imu/gyro_xyz")
        })
        modalities.append(state(.depth) { ok("depth/depth") ? (true, nil) : (false, "needs depth/depth") })
        modalities.append(state(.confidence) { ok("depth/confidence") ? (true, nil) : (false, "needs depth/confidence") })
        modalities.append(state(.calibration) {
            guard let calibration = try? calibration() else { return (false, "calibration group missing or unreadable") }
            let count = calibration.canonicalVector.count
            return count == Calibration.canonicalLength ? (true, nil) : (true, "calibration vector has \(count) numbers, expected \(Calibration.canonicalLength)")
        })
        modalities.append(state(.metadata) { ok("metadata/body_height") ? (true, nil) : (false, "needs metadata/body_height") })
        modalities.append(state(.captions) {
            do {
                let table = try captions()
                return (true, table.unresolvedReferences.isEmpty ? nil : "\(table.unresolvedReferences.count) frame references unresolved")
            } catch {
                return (false, "\(error)")
            }
        })
        modalities.append(state(.pointCloud) { ok("slam/point_cloud") && (sizes["P"] ?? 0) > 0 ? (true, nil) : (false, "needs a non-empty slam/point_cloud") })
        for m in modalities where !m.usable { problems.append("\(m.modality.rawValue) unusable: \(m.note ?? "")") }
        return SchemaReport(file: annotationPath, entries: entries, sizes: sizes, modalities: modalities, extraDatasets: extra, problems: problems)
    }
}
