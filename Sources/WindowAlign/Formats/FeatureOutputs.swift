import Foundation

/// A JSON value written with Python's `json.dumps(value, indent=2)` layout (keys in the
/// given order, ASCII escapes, floats as `repr`), so files read like the reference's.
enum OrderedJSON {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    func render(indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 2)
        let close = String(repeating: " ", count: indent)
        switch self {
        case .string(let s): return pythonJSONString(s)
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? pythonFloatRepr(d) : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { pad + $0.render(indent: indent + 2) }.joined(separator: ",\n") + "\n" + close + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { pad + pythonJSONString($0.0) + ": " + $0.1.render(indent: indent + 2) }.joined(separator: ",\n")
                + "\n" + close + "}"
        }
    }

    /// A flat array on one line (for the per-window presence rows, which would otherwise
    /// take one line per number).
    static func compactInts(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }
}

extension EpisodeFeatureResult {
    /// The file names `write(to:)` produces.
    public static let outputFiles = ["features.npy", "feature_manifest.json", "presence.json", "windows.csv", "available_modalities.json"]

    /// Writes `features.npy` (windows × 8,546 `<f4`), `feature_manifest.json` (identical to the
    /// reference file), `presence.json`, `windows.csv` and `available_modalities.json` into
    /// `folder` (created). Each file is written to a temporary name and renamed.
    public func write(to folder: URL) throws(WindowAlignError) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .io(path: folder.path, reason: "cannot create the output folder: \(error.localizedDescription)")
        }
        try NumPyFile.write(values, shape: [windows.windows.count, dimension], to: folder.appendingPathComponent("features.npy"))
        try manifest.write(to: folder.appendingPathComponent("feature_manifest.json"))
        try atomicWrite(Data(presenceJSON().utf8), to: folder.appendingPathComponent("presence.json"))
        try WindowsCSV.write(windows.windows, to: folder.appendingPathComponent("windows.csv"))
        try atomicWrite(Data(availableModalitiesJSON().utf8), to: folder.appendingPathComponent("available_modalities.json"))
    }

    /// `presence.json`: the protocol, per-block presence counts, the per-window flags (one
    /// row of 0/1 per window in block order), strict hand validity per window, the window
    /// scales and the per-stream alignment diagnostics.
    public func presenceJSON() -> String {
        let names = presence.blockNames
        let rows = presence.rows
        var blocks: [OrderedJSON] = []
        for (b, name) in names.enumerated() {
            var count = 0
            for r in 0..<rows where presence.isPresent(row: r, block: b) { count += 1 }
            blocks.append(.object([("name", .string(name)), ("present_windows", .int(count)),
                                   ("present_fraction", .double(rows > 0 ? Double(count) / Double(rows) : 0))]))
        }
        let diag: [OrderedJSON] = diagnostics.map { d in
            var pairs: [(String, OrderedJSON)] = [("block", .string(d.block)), ("present", .bool(d.present)), ("source", .string(d.source))]
            pairs.append(("source_rows", d.sourceRows.map { .int($0) } ?? .null))
            pairs.append(("aligned_frames", .int(d.alignedFrames)))
            pairs.append(("held_frames", .int(d.heldFrames)))
            pairs.append(("zero_frames", .int(d.zeroFrames)))
            if let o = d.offsetSeconds { pairs.append(("offset_seconds", .double(o))) }
            if let r = d.maxResidualSeconds { pairs.append(("max_residual_seconds", .double(r))) }
            if let m = d.indexMismatchFrames { pairs.append(("index_mismatch_frames", .int(m))) }
            pairs.append(("cache", .string(d.cache)))
            pairs.append(("note", d.note.map { .string($0) } ?? .null))
            return .object(pairs)
        }
        let scales: [OrderedJSON] = windows.scales.map {
            .object([("scale_id", .string($0.scaleID)), ("window_frames", .int($0.size)), ("stride_frames", .int($0.stride)),
                     ("first_row", .int($0.firstRow)), ("count", .int($0.count))])
        }
        // Built by hand around two compact arrays-of-rows so the file stays readable.
        var text = "{\n"
        text += "  \"protocol\": \(pythonJSONString(featureProtocol.rawValue)),\n"
        if let captionRules { text += "  \"caption_rules\": \(pythonJSONString(captionRules.rawValue)),\n" }
        text += "  \"num_frames\": \(frameCount),\n"
        text += "  \"num_windows\": \(rows),\n"
        text += "  \"feature_dim\": \(dimension),\n"
        text += "  \"label_note\": \(windows.labelNote.map(pythonJSONString) ?? "null"),\n"
        text += "  \"scales\": \(OrderedJSON.array(scales).render(indent: 2)),\n"
        text += "  \"blocks\": \(OrderedJSON.array(blocks).render(indent: 2)),\n"
        text += "  \"block_names\": \(OrderedJSON.array(names.map { .string($0) }).render(indent: 2)),\n"
        text += "  \"window_present\": [\n"
        for r in 0..<rows {
            let flags = (0..<names.count).map { presence.isPresent(row: r, block: $0) ? 1 : 0 }
            text += "    " + OrderedJSON.compactInts(flags) + (r == rows - 1 ? "\n" : ",\n")
        }
        text += "  ],\n"
        text += "  \"hand_valid_fraction\": {"
        let hands = handValidFraction.keys.sorted()
        if hands.isEmpty { text += "},\n" } else {
            text += "\n"
            for (i, name) in hands.enumerated() {
                let values = (handValidFraction[name] ?? []).map { pythonFloatRepr($0) }.joined(separator: ", ")
                text += "    \(pythonJSONString(name)): [\(values)]" + (i == hands.count - 1 ? "\n" : ",\n")
            }
            text += "  },\n"
        }
        text += "  \"streams\": \(OrderedJSON.array(diag).render(indent: 2))\n"
        return text + "}\n"
    }

    /// `available_modalities.json` with the reference's entries and keys (depth, six videos,
    /// audio, caption text, the two static blocks), plus `exists` (and `note` when absent)
    /// on the entries the reference writes without them.
    public func availableModalitiesJSON() -> String {
        func diag(_ block: String) -> StreamDiagnostics? { diagnostics.first { $0.block == block } }
        func presentNote(_ block: String) -> [(String, OrderedJSON)] {
            guard let d = diag(block) else { return [("exists", .bool(false))] }
            var out: [(String, OrderedJSON)] = [("exists", .bool(d.present))]
            if !d.present, let note = d.note { out.append(("note", .string(note))) }
            return out
        }
        let n = frameCount
        var entries: [OrderedJSON] = []
        entries.append(.object([("modality", .string("depth_confidence")), ("shape", .array([.int(n), .int(DepthFeatures.dimension)]))]
                               + presentNote("depth_confidence")))
        for stream in ["fisheye_cam0", "fisheye_cam1", "fisheye_cam2", "fisheye_cam3", "stereo_left", "stereo_right"] {
            var pairs: [(String, OrderedJSON)] = [("modality", .string("video/" + stream)), ("path", .string(mediaPaths[stream] ?? stream + ".mp4")),
                                                  ("shape", .array([.int(n), .int(VideoFeatures.dimension)]))]
            pairs += presentNote("video_" + stream)
            entries.append(.object(pairs))
        }
        let a = audio
        entries.append(.object([
            ("modality", .string("audio/fisheye_cam0")), ("path", .string(mediaPaths["fisheye_cam0"] ?? "fisheye_cam0.mp4")),
            ("shape", .array([.int(n), .int(AudioFeatures.dimension)])), ("source", .string(a?.source ?? "fisheye_cam0.mp4")),
            ("exists", .bool(a?.exists ?? false)), ("has_audio", .bool(a?.hasAudio ?? false)),
            ("sample_rate", .int(a?.sampleRate ?? AudioFeatures.referenceSampleRate)), ("fps", .double(a?.fps ?? 0)),
            ("num_samples", .int(a?.numSamples ?? 0)), ("per_frame_dim", .int(AudioFeatures.dimension)),
            ("band_count", .int(AudioFeatures.bandCount)),
        ]))
        entries.append(.object([("modality", .string("caption_text")), ("shape", .array([.int(n), .int(128)])),
                                ("fields", .string("objects,interaction"))] + presentNote("caption_objects_interaction_text")))
        entries.append(.object([("modality", .string("slam_point_cloud_static")), ("shape", .array([.int(PointCloudStats.dimension)]))]
                               + presentNote("slam_point_cloud")))
        entries.append(.object([("modality", .string("calibration_static")), ("shape", .array([.int(117)]))] + presentNote("calibration")))
        return OrderedJSON.array(entries).render()
    }
}
