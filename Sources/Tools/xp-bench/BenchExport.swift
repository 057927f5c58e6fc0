import ArgumentParser
import EpisodeIO
import Exporters
import Foundation
import WindowAlign

/// `xp-bench export`: the Qwen export and the dataset scan on a generated 16-episode tiny
/// dataset (or a given root), with and without media, and where the time goes.
struct BenchExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Benchmark xp-scan and xp-export-qwen on a generated multi-episode dataset.",
        discussion: """
            Generates (once, into --cache) a dataset of --episodes tiny episodes of --frames frames, then \
            times: the scan (seconds per episode), the Qwen export without media and with media (records \
            per second), and, on the same records, the mosaic clips alone (split into decoding the tiles \
            and building and encoding the clips) and the WAVs alone, as shares of that media time, \
            beside the share of the export with media that is media at all. --sample-episode \
            adds the scan of one sample-size episode (xp-fixture --size sample).

            Examples:
              swift run -c release xp-bench export
              swift run -c release xp-bench export --episodes 16 --sample-episode fixtures/<session>/ep1
            """)

    @Option(help: "Folder for the generated dataset (reused when present).")
    var cache: String = ".build/xp-bench-cache/export"

    @Option(help: "Episodes of the generated dataset, 2...64.")
    var episodes: Int = 16

    @Option(help: "Frames per generated episode, 200...5000.")
    var frames: Int = 1200

    @Option(help: "A sample-size episode folder whose scan is timed too.")
    var sampleEpisode: String?

    @Option(help: "Episodes exported at once (0 = one per core).")
    var jobs: Int = 0

    func validate() throws {
        guard (2...64).contains(episodes) else { throw ValidationError("--episodes must be in 2...64, found \(episodes)") }
        guard (200...5000).contains(frames) else { throw ValidationError("--frames must be in 200...5000, found \(frames)") }
        guard (0...64).contains(jobs) else { throw ValidationError("--jobs must be in 0...64, found \(jobs)") }
    }

    func run() throws {
        let root = URL(fileURLWithPath: cache).appendingPathComponent("dataset-\(episodes)x\(frames)")
        if !FileManager.default.fileExists(atPath: root.appendingPathComponent(".complete").path) {
            try? FileManager.default.removeItem(at: root)
            try SyntheticDataset.writeTiny(count: episodes, frames: frames, seed: 7, to: root)
            _ = FileManager.default.createFile(atPath: root.appendingPathComponent(".complete").path, contents: Data())
        }
        var result: [String: Any] = ["area": "export", "episodes": episodes, "frames_per_episode": frames,
                                     "cores": ProcessInfo.processInfo.activeProcessorCount, "load_average": benchLoadAverage()]
        let folders = try DatasetEpisodes.find(root: root)

        var start = Date()
        let entries = DatasetScan.scan(folders, options: ScanOptions(), workers: jobs)
        let scanSeconds = Date().timeIntervalSince(start)
        result["scan_seconds"] = scanSeconds
        result["scan_seconds_per_episode"] = scanSeconds / Double(folders.count)
        if let sampleEpisode {
            start = Date()
            _ = EpisodeManifestEntry.scan(folder: URL(fileURLWithPath: sampleEpisode))
            result["scan_seconds_sample_episode"] = Date().timeIntervalSince(start)
        }

        let split = EpisodeSplitAssignment.grouped(entries.filter(\.usable).map { (key: $0.key, session: $0.key.session) }, seed: 7)
        let plan = QwenExportPlan(episodes: folders, split: { split.split(of: $0) }, shards: 8)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("xp-bench-export-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var records = 0
        for media in [false, true] {
            let out = scratch.appendingPathComponent(media ? "with-media" : "no-media")
            try? FileManager.default.removeItem(at: out)
            start = Date()
            let summary = try QwenExport.run(plan: plan, out: out, options: QwenExportOptions(renderMedia: media, jobs: jobs))
            let seconds = Date().timeIntervalSince(start)
            records = summary.records
            result[media ? "export_media_seconds" : "export_no_media_seconds"] = seconds
            result[media ? "records_per_second_media" : "records_per_second_no_media"] = Double(summary.records) / seconds
        }
        result["records"] = records

        // The media of the same records, alone: tiles decoded (the decoder at 320x240), clips
        // rendered (decode + encode), WAVs cut.
        let rows = try JSONOutput.readObjects(scratch.appendingPathComponent("with-media/dataset.jsonl"))
        var byEpisode: [String: [(Int, Int)]] = [:]
        for r in rows {
            guard let e = r["episode_path"]?.stringValue, let a = r["media"]?["context_start_frame"]?.numberValue,
                  let b = r["media"]?["context_end_frame"]?.numberValue else { continue }
            byEpisode[e, default: []].append((Int(a), Int(b)))
        }
        let mediaOut = scratch.appendingPathComponent("media-alone")
        try FileManager.default.createDirectory(at: mediaOut, withIntermediateDirectories: true)
        var decodeSeconds = 0.0, mosaicSeconds = 0.0, audioSeconds = 0.0
        for (episode, spans) in byEpisode.sorted(by: { $0.key < $1.key }) {
            let folder = URL(fileURLWithPath: episode)
            start = Date()
            for camera in MosaicRenderer.cameraOrder {
                let url = folder.appendingPathComponent(camera + ".mp4")
                guard FileManager.default.fileExists(atPath: url.path) else { continue }
                // Native size: the tiny fixture's cameras are smaller than a tile (the renderer enlarges them itself).
                let decoder = try VideoDecoder(url: url, options: VideoDecodeOptions(output: .rgb24, size: .native, threads: 1))
                let last = spans.map(\.1).max() ?? 0
                while let f = try decoder.nextFrame(), f.index <= last {}
            }
            decodeSeconds += Date().timeIntervalSince(start)
            let requests = spans.enumerated().map { MosaicRequest(contextStart: $1.0, contextEnd: $1.1, output: mediaOut.appendingPathComponent("\($0)_\(folder.lastPathComponent).mp4")) }
            start = Date()
            _ = try MosaicRenderer(episodeFolder: folder, options: MosaicOptions(preset: QwenExportOptions().mosaicPreset)).render(requests)
            mosaicSeconds += Date().timeIntervalSince(start)
            start = Date()
            let audio = try ContextAudio(episodeFolder: folder)
            for (i, s) in spans.enumerated() { _ = try audio.write(contextStart: s.0, contextEnd: s.1, to: mediaOut.appendingPathComponent("\(i).wav")) }
            audioSeconds += Date().timeIntervalSince(start)
        }
        let withMedia = (result["export_media_seconds"] as? Double) ?? 1
        let noMedia = (result["export_no_media_seconds"] as? Double) ?? 0
        let mediaAlone = max(mosaicSeconds + audioSeconds, 1e-9)
        result["video_decode_seconds"] = decodeSeconds
        result["mosaic_seconds"] = mosaicSeconds
        result["mosaic_encode_seconds_estimate"] = max(0, mosaicSeconds - decodeSeconds)
        result["audio_seconds"] = audioSeconds
        // Where the media time goes (the media rendered alone, one episode at a time), and how
        // much of the export with media is media at all.
        result["share_of_media_video_decode"] = decodeSeconds / mediaAlone
        result["share_of_media_mosaic_encode"] = max(0, mosaicSeconds - decodeSeconds) / mediaAlone
        result["share_of_media_audio"] = audioSeconds / mediaAlone
        result["share_of_export_media"] = max(0, withMedia - noMedia) / withMedia
        result["peak_rss_mb"] = benchPeakRSSMegabytes()
        print(benchJSON(result))
    }
}
