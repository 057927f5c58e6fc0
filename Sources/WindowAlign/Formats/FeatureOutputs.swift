import Foundation
import XPCore

/// A flat array of integers on one line (the per-window presence rows, which would otherwise
/// take one line per number).
func compactInts(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }

extension EpisodeFeatureResult {
    /// The file names `write(to:)` produces.
    public static let outputFiles = ["features.npy", "feature_manifest.json", "presence.json", "windows.csv", "available_modalities.json"]

    /// Writes `features.npy` (windows × 8,546 `<f4`), `feature_manifest.json` (identical to the
    /// reference file), `presence.json`, `windows.csv` and `available_modalities.json` as the
    /// folder `folder` (parents created), committed as a whole (XPCore's `AtomicFolder`): the
    /// files are staged in a hidden sibling folder that replaces `folder` only once all of them
    /// are written, so a failure leaves neither a partial folder nor the staging one (an old
    /// folder stays as it was). Because an existing `folder` is replaced, one that holds
    /// anything else is refused (``checkOutputFolder(_:)``).
    public func write(to folder: URL) throws(WindowAlignError) {
        try Self.checkOutputFolder(folder)
        do {
            try AtomicFolder.write(to: folder) { staging in
                try NumPyFile.write(values, shape: [windows.windows.count, dimension], to: staging.appendingPathComponent("features.npy"))
                try manifest.write(to: staging.appendingPathComponent("feature_manifest.json"))
                try atomicWrite(Data(presenceJSON().utf8), to: staging.appendingPathComponent("presence.json"))
                try WindowsCSV.write(windows.windows, to: staging.appendingPathComponent("windows.csv"))
                try atomicWrite(Data(availableModalitiesJSON().utf8), to: staging.appendingPathComponent("available_modalities.json"))
            }
        } catch let error as WindowAlignError {
            // A file inside the staging folder failed: name the file in `folder` it was for.
            if case .io(let path, let reason) = error, let staged = path.split(separator: "/").last {
                throw .io(path: folder.appendingPathComponent(String(staged)).path, reason: reason)
            }
            throw error
        } catch let error as OutputError {
            throw .io(path: error.path, reason: error.reason)
        } catch {
            throw .io(path: folder.path, reason: "\(error)")
        }
    }

    /// Checks that `write(to: folder)` may replace `folder`: it is absent, or a folder that
    /// holds nothing but the regular files a build writes (``outputFiles``). Anything else in
    /// it (another file, or a folder under one of those names) would be deleted by the
    /// replacement, so it is refused with a message naming the first entries. Reads only; a
    /// tool calls it before any work.
    public static func checkOutputFolder(_ folder: URL) throws(WindowAlignError) {
        let fm = FileManager.default
        guard let existing = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        let foreign = existing.filter { name in
            guard outputFiles.contains(name) else { return true }
            let attributes = try? fm.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
            return attributes?[.type] as? FileAttributeType != .typeRegular
        }.sorted()
        guard foreign.isEmpty else {
            let named = foreign.prefix(3).map { outputFiles.contains($0) ? "\($0) (not a regular file)" : $0 }
            throw .io(path: folder.path, reason: "the output folder holds entries a feature build does not write (\(named.joined(separator: ", "))\(foreign.count > 3 ? ", …" : "")), which replacing it would delete; choose a new or empty folder")
        }
    }

    /// `presence.json`: the protocol, per-block presence counts, the per-window flags (one
    /// row of 0/1 per window in block order), strict hand validity per window, the window
    /// scales and the per-stream alignment diagnostics.
    public func presenceJSON() -> String {
        let names = presence.blockNames
        let rows = presence.rows
        var blocks: [JSONValue] = []
        for (b, name) in names.enumerated() {
            var count = 0
            for r in 0..<rows where presence.isPresent(row: r, block: b) { count += 1 }
            blocks.append(.object([("name", .string(name)), ("present_windows", .int(count)),
                                   ("present_fraction", .double(rows > 0 ? Double(count) / Double(rows) : 0))]))
        }
        let diag: [JSONValue] = diagnostics.map { d in
            var pairs: [(String, JSONValue)] = [("block", .string(d.block)), ("present", .bool(d.present)), ("source", .string(d.source))]
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
        let scales: [JSONValue] = windows.scales.map {
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
        text += "  \"data_findings\": \(JSONValue.array(dataFindings.map(\.json)).pythonJSON(indent: 2, level: 1)),\n"
        text += "  \"scales\": \(JSONValue.array(scales).pythonJSON(indent: 2, level: 1)),\n"
        text += "  \"blocks\": \(JSONValue.array(blocks).pythonJSON(indent: 2, level: 1)),\n"
        text += "  \"block_names\": \(JSONValue.array(names.map { .string($0) }).pythonJSON(indent: 2, level: 1)),\n"
        text += "  \"window_present\": [\n"
        for r in 0..<rows {
            let flags = (0..<names.count).map { presence.isPresent(row: r, block: $0) ? 1 : 0 }
            text += "    " + compactInts(flags) + (r == rows - 1 ? "\n" : ",\n")
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
        text += "  \"streams\": \(JSONValue.array(diag).pythonJSON(indent: 2, level: 1))\n"
        return text + "}\n"
    }

    /// `available_modalities.json` with the reference's entries and keys (depth, six videos,
    /// audio, caption text, the two static blocks), plus `exists` (and `note` when absent)
    /// on the entries the reference writes without them.
    public func availableModalitiesJSON() -> String {
        func diag(_ block: String) -> StreamDiagnostics? { diagnostics.first { $0.block == block } }
        func presentNote(_ block: String) -> [(String, JSONValue)] {
            guard let d = diag(block) else { return [("exists", .bool(false))] }
            var out: [(String, JSONValue)] = [("exists", .bool(d.present))]
            if !d.present, let note = d.note { out.append(("note", .string(note))) }
            return out
        }
        let n = frameCount
        var entries: [JSONValue] = []
        entries.append(.object([("modality", .string("depth_confidence")), ("shape", .array([.int(n), .int(DepthFeatures.dimension)]))]
                               + presentNote("depth_confidence")))
        for stream in ["fisheye_cam0", "fisheye_cam1", "fisheye_cam2", "fisheye_cam3", "stereo_left", "stereo_right"] {
            var pairs: [(String, JSONValue)] = [("modality", .string("video/" + stream)), ("path", .string(mediaPaths[stream] ?? stream + ".mp4")),
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
        return JSONValue.array(entries).pythonJSON(indent: 2)
    }
}
