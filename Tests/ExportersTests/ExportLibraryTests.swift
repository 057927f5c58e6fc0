import EpisodeIO
import Exporters
import Foundation
import Testing
import WindowAlign
import XPCore

@Suite("Exporter library: scan, sensor schema, zstd, resume settings")
struct ExportLibraryTests {
    @Test("The sensor schema is the reference's 18 blocks without the six video blocks: 12 blocks, 4,430 columns")
    func sensorSchema() {
        let names = SensorFeatures.schema.blocks.map(\.name)
        #expect(SensorFeatures.dimension == 4430)
        #expect(names.count == 12)
        #expect(!names.contains { $0.hasPrefix("video_") })
        #expect(names.first == "hand_left_joints" && names.last == "calibration")
        // Widths as published (§2.4): depth 980, audio 168, text 896, point cloud 22, calibration 117.
        let dims = Dictionary(uniqueKeysWithValues: SensorFeatures.schema.blocks.map { ($0.name, $0.dim) })
        #expect(dims["depth_confidence"] == 980 && dims["audio_fisheye_cam0_aac"] == 168 && dims["caption_objects_interaction_text"] == 896)
        #expect(dims["slam_point_cloud"] == 22 && dims["calibration"] == 117 && dims["imu_accel_gyro"] == 42)
    }

    @Test("zstd JSONL round trip; a file that is not zstd is a typed error naming it")
    func zstdLines() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xp-zstd-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = (0..<500).map { #"{"id": "s__ep1:qa:\#($0)", "label": "Gießen ☕"}"# }
        let url = folder.appendingPathComponent("d.jsonl.zst")
        try JSONOutput.writeLines(lines, to: url, zstd: true)
        let raw = try Data(contentsOf: url)
        #expect(raw.prefix(4) == Data([0x28, 0xB5, 0x2F, 0xFD]))  // the zstd frame magic
        #expect(raw.count < lines.joined(separator: "\n").utf8.count / 5)
        #expect(try JSONOutput.readLines(url) == lines)
        let bad = folder.appendingPathComponent("bad.jsonl.zst")
        try Data("not zstd".utf8).write(to: bad)
        #expect(throws: ExportError.self) { try JSONOutput.readLines(bad) }
    }

    @Test("An episode whose windows can never reach the majority is skipped with the reference's reason; a missing annotation too")
    func skipReasons() throws {
        let root = try SyntheticDatasets.make(count: 1, frames: 120, seed: 31, label: "skips")
        let folder = try DatasetEpisodes.find(root: root)[0]
        let fine = EpisodeManifestEntry.scan(folder: folder, options: ScanOptions(qualityPass: false))
        #expect(fine.usable, "\(fine.skipReason ?? "")")
        #expect((fine.labels?.labelledWindows.action ?? 0) > 0)
        let tooLong = EpisodeManifestEntry.scan(folder: folder, options: ScanOptions(windowSpec: WindowSpec(size: 500, stride: 500), qualityPass: false))
        #expect(tooLong.skipReason == SkipReason.noLabelledWindows)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("xp-noann-\(UUID().uuidString.prefix(8))/s/ep1")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data([0]).write(to: empty.appendingPathComponent("stereo_left.mp4"))
        let missing = EpisodeManifestEntry.scan(folder: empty)
        #expect(missing.skipReason == SkipReason.noAnnotation)
        #expect(missing.missingVideos.count == 5)
        #expect(try DatasetEpisodes.find(root: empty.deletingLastPathComponent().deletingLastPathComponent()).map(\.path) == [empty.standardizedFileURL.path])
    }

    @Test("A resumed export with other settings is refused; one without media matches the NPZ rows and the cap")
    func resumeSettings() throws {
        let root = try SyntheticDatasets.make(count: 2, frames: 300, seed: 41, label: "settings")
        let folders = try DatasetEpisodes.find(root: root)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("xp-settings-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: out) }
        let plan = QwenExportPlan(episodes: folders, split: { _ in "train" }, shards: 2)
        let options = QwenExportOptions(scales: [QwenScale(cap: 4)], renderMedia: false)
        let summary = try QwenExport.run(plan: plan, out: out, options: options)
        #expect(summary.records == 8)
        #expect(summary.failed.isEmpty && summary.skipped.isEmpty)
        // Every labelled window is a row of the NPZ, capped or not.
        let rows = try JSONOutput.readObjects(summary.datasetURL)
        let npzPath = try #require(rows.first?["sensor_feature_path"]?.stringValue)
        let npz = try NPZArchive.read(from: URL(fileURLWithPath: npzPath))
        let labelled = summary.outcomes.first { $0.key.text == rows.first?["episode_id"]?.stringValue }?.labelledWindows.first ?? -1
        #expect(npz["features"]?.shape == [labelled, 4430])
        #expect(npz["starts"]?.shape == [labelled])
        #expect(rows.allSatisfy { $0["media"]?["mosaic_video_path"] == .null && $0["media"]?["audio_note"]?.stringValue == "media not rendered" })
        var other = options
        other.scales = [QwenScale(cap: 5)]
        #expect(throws: ExportError.self) { try QwenExport.run(plan: plan, out: out, options: other) }
        let again = try QwenExport.run(plan: plan, out: out, options: options)
        #expect(again.nothingToDo)
    }

    @Test("A block that is zero on every window (an episode without audio) is flagged per record and per episode, never passed off")
    func zeroBlocksFlagged() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xp-noaudio-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("s1/ep1")
        _ = try SyntheticEpisode.write(.tiny(seed: 51, frames: 300, variant: .noAudio), to: folder, media: SyntheticMedia.writer)
        let out = root.appendingPathComponent("export")
        let plan = QwenExportPlan(episodes: [folder], split: { _ in "train" }, shards: 1)
        let summary = try QwenExport.run(plan: plan, out: out, options: QwenExportOptions(renderMedia: false))
        let rows = try JSONOutput.readObjects(summary.datasetURL)
        #expect(!rows.isEmpty)
        for r in rows {
            #expect(r["sensor_feature_zero_blocks"]?.arrayValue?.contains(.string("audio_fisheye_cam0_aac")) == true)
        }
        let manifest = try JSONOutput.read(summary.manifestURL)
        let flagged = manifest["available_modalities"]?.arrayValue?.first?["all_zero_sensor_blocks"]?.arrayValue?.first?["blocks"]
        #expect(flagged?.arrayValue?.contains(.string("audio_fisheye_cam0_aac")) == true, "\(flagged?.pythonJSON() ?? "nil")")
        #expect(flagged?.arrayValue?.contains(.string("depth_confidence")) == false)
        // The archive itself: the audio columns are zero, the depth columns are not.
        let npz = try NPZArchive.read(from: URL(fileURLWithPath: try #require(rows.first?["sensor_feature_path"]?.stringValue)))
        guard case .float32(let shape, let values)? = npz["features"] else { Issue.record("no features"); return }
        let audio = try SensorFeatures.schema.block(named: "audio_fisheye_cam0_aac"), depth = try SensorFeatures.schema.block(named: "depth_confidence")
        var audioNonZero = 0, depthNonZero = 0
        for row in 0..<shape[0] {
            for c in audio.columns where values[row * shape[1] + c] != 0 { audioNonZero += 1 }
            for c in depth.columns where values[row * shape[1] + c] != 0 { depthNonZero += 1 }
        }
        #expect(audioNonZero == 0)
        #expect(depthNonZero > 0)
    }

    @Test("An episode that fails is listed with its error while the others are exported, and is retried on the next run")
    func failedEpisode() throws {
        let root = try SyntheticDatasets.make(count: 2, frames: 300, seed: 41, label: "settings")
        var folders = try DatasetEpisodes.find(root: root)
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("xp-bad-\(UUID().uuidString.prefix(8))/sbad/ep9")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) }).write(to: bad.appendingPathComponent("annotation.hdf5"))
        folders.append(bad)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("xp-failed-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: bad.deletingLastPathComponent().deletingLastPathComponent()) }
        let plan = QwenExportPlan(episodes: folders, split: { _ in "train" }, shards: 2)
        let options = QwenExportOptions(scales: [QwenScale(cap: 3)], renderMedia: false)
        let first = try QwenExport.run(plan: plan, out: out, options: options)
        #expect(first.failed.map(\.key.text) == ["sbad__ep9"])
        #expect(first.failed.first?.reason?.contains("annotation.hdf5") == true, "\(first.failed.first?.reason ?? "")")
        #expect(first.records == 6)
        let manifest = try JSONOutput.read(first.manifestURL)
        #expect(manifest["failed_episodes"]?.arrayValue?.first?["episode_key"]?.stringValue == "sbad__ep9")
        let second = try QwenExport.run(plan: plan, out: out, options: options)
        #expect(!second.nothingToDo)
        #expect(second.exportedNow == 1)
    }
}
