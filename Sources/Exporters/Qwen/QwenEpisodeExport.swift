import EpisodeIO
import Foundation
import WindowAlign
import XPCore

/// What one episode contributes to a Qwen export, committed under its shard folder:
/// `records/<key>.jsonl` (records without the global option lists and messages, which the
/// merge adds), the media, the sensor NPZ, and last the done marker `done/<key>.json`. A rerun
/// skips an episode whose marker exists and matches; an episode interrupted before its marker
/// is redone from the start (every file is written atomically, so nothing half written stays).
public struct QwenEpisodeOutcome: Sendable {
    public enum Status: String, Sendable { case exported, skipped, failed }
    public var key: EpisodeKey
    public var path: String
    public var split: String
    public var shard: Int
    public var status: Status
    public var reason: String?
    public var records: Int
    /// Labelled windows per scale (the NPZ rows) before the cap.
    public var labelledWindows: [Int]
    /// The per-episode modality report (`available_modalities`).
    public var modalities: JSONValue

    var markerJSON: JSONValue {
        .object([("episode_key", .string(key.text)), ("episode_path", .string(path)), ("split", .string(split)), ("shard", .int(shard)),
                 ("status", .string(status.rawValue)), ("reason", reason.map { .string($0) } ?? .null), ("records", .int(records)),
                 ("labelled_windows", .array(labelledWindows.map { .int($0) })), ("modalities", modalities)])
    }

    init(key: EpisodeKey, path: String, split: String, shard: Int, status: Status, reason: String?, records: Int,
         labelledWindows: [Int], modalities: JSONValue) {
        self.key = key
        self.path = path
        self.split = split
        self.shard = shard
        self.status = status
        self.reason = reason
        self.records = records
        self.labelledWindows = labelledWindows
        self.modalities = modalities
    }

    init?(marker: JSONValue) {
        guard let k = marker["episode_key"]?.stringValue, let key = EpisodeKey(parsing: k) ?? Optional(EpisodeKey(session: "", episode: k)),
              let p = marker["episode_path"]?.stringValue, let sp = marker["split"]?.stringValue, let sh = marker["shard"]?.numberValue,
              let st = marker["status"]?.stringValue.flatMap(Status.init(rawValue:)), let r = marker["records"]?.numberValue else { return nil }
        self.init(key: key, path: p, split: sp, shard: Int(sh), status: st, reason: marker["reason"]?.stringValue, records: Int(r),
                  labelledWindows: marker["labelled_windows"]?.arrayValue?.compactMap { $0.numberValue.map(Int.init) } ?? [],
                  modalities: marker["modalities"] ?? .null)
    }
}

/// Exports one episode into a shard folder.
struct QwenEpisodeExport {
    let folder: URL
    let key: EpisodeKey
    let split: String
    let shard: Int
    let shardFolder: URL
    let exportFolder: URL
    let options: QwenExportOptions

    /// The path a record stores for an output file.
    func recordPath(_ url: URL) -> String {
        guard options.paths == .relative else { return url.path }
        let base = exportFolder.standardizedFileURL.path + "/"
        let p = url.standardizedFileURL.path
        return p.hasPrefix(base) ? String(p.dropFirst(base.count)) : p
    }

    func run() -> QwenEpisodeOutcome {
        var outcome = QwenEpisodeOutcome(key: key, path: folder.path, split: split, shard: shard, status: .skipped, reason: nil,
                                         records: 0, labelledWindows: [], modalities: .null)
        do {
            let episode = try Episode(path: folder.path)
            var build = FeatureBuildOptions(featureProtocol: options.featureProtocol, captionRules: options.resolvedCaptionRules)
            build.includeVideoBlocks = false
            let timeline = try EpisodeTimeline.build(episode: episode, options: build)
            outcome.modalities = modalityReport(timeline)
            let labels = timeline.labels
            guard labels.note == nil, !labels.actions.isEmpty else {
                outcome.reason = "\(SkipReason.noCaption) (\(labels.note ?? "no per-frame labels"))"
                return outcome
            }
            var lines: [String] = []
            var windowsPerScale: [Int] = []
            var allZero: [JSONValue] = []
            let mosaic = options.renderMedia ? MosaicRenderer(episodeFolder: folder, options: MosaicOptions(maxFrames: options.maxVideoFrames, layout: options.mosaicLayout, preset: options.mosaicPreset)) : nil
            let audio: ContextAudio? = options.renderMedia ? (try? ContextAudio(episodeFolder: folder)) : nil
            let videoPaths: JSONValue = .array(EpisodeFiles.videos.filter {
                FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
            }.map { .object([("name", .string($0)), ("path", .string(folder.appendingPathComponent($0).path))]) })
            for scale in options.scales {
                let spec = WindowSpec(size: scale.window, stride: scale.stride, minLabelFraction: options.minLabelFraction)
                let all = try buildLabelledWindows(actionLabels: labels.actions, subtaskLabels: labels.subtasks, spec: spec)
                let kept = all.filter { !$0.action.isEmpty }
                windowsPerScale.append(kept.count)
                if kept.isEmpty { continue }
                let tag = scale.scaleID.map { "_" + $0 } ?? ""
                // The sensor matrix covers every labelled window, not only the capped ones (§2.4).
                let matrix = try SensorFeatures.matrix(caches: timeline.caches, windows: kept)
                // A block zero on every labelled window carries no signal: say so per episode.
                allZero.append(.object([("scale_id", scale.scaleID.map { .string($0) } ?? .null),
                                        ("blocks", .array(matrix.allZeroBlocks.map { .string($0) }))]))
                let npzURL = shardFolder.appendingPathComponent("sensor_features/\(key.text)\(tag)_sensor_features.npz")
                var npz = NPZArchive()
                try npz.add("features", float32: matrix.values, shape: [kept.count, SensorFeatures.dimension])
                try npz.add("action_labels", strings: kept.map(\.action))
                try npz.add("subtask_labels", strings: kept.map(\.subtask))
                try npz.add("starts", int64: kept.map { Int64($0.start) }, shape: [kept.count])
                try npz.add("ends", int64: kept.map { Int64($0.end) }, shape: [kept.count])
                try FileManager.default.createDirectory(at: npzURL.deletingLastPathComponent(), withIntermediateDirectories: true)
                try npz.write(to: npzURL)

                let chosen = stratifiedCap(labels: kept.map(\.action), cap: scale.cap)
                var requests: [MosaicRequest] = []
                var spans: [ClosedRange<Int>] = []
                let mediaFolder = shardFolder.appendingPathComponent("media/\(key.text)")
                if options.renderMedia { try FileManager.default.createDirectory(at: mediaFolder, withIntermediateDirectories: true) }
                for idx in chosen {
                    let w = kept[idx]
                    let span = contextSpan(start: w.start, endInclusive: w.end, frameCount: timeline.frameCount, contextFrames: scale.contextFrames)
                    spans.append(span)
                    let stem = "\(key.text)\(tag)_w\(String(format: "%05d", idx))_ctx\(span.lowerBound)_\(span.upperBound)"
                    requests.append(MosaicRequest(contextStart: span.lowerBound, contextEnd: span.upperBound,
                                                  output: mediaFolder.appendingPathComponent(stem + "_mosaic.mp4")))
                }
                let clips = try mosaic?.render(requests) ?? []
                for (k, idx) in chosen.enumerated() {
                    let w = kept[idx]
                    let answer = QwenAnswer.build(start: w.start, endExclusive: w.end + 1, windowSize: scale.window,
                                                  minLabelFraction: options.minLabelFraction, actions: labels.actions,
                                                  subtasks: labels.subtasks, objects: labels.objects, contacts: timeline.contacts)
                    var wav: String? = nil
                    var audioNote: String? = nil
                    if let audio {
                        let url = requests[k].output.deletingLastPathComponent()
                            .appendingPathComponent(requests[k].output.lastPathComponent.replacingOccurrences(of: "_mosaic.mp4", with: "_audio.wav"))
                        if let clip = try audio.write(contextStart: spans[k].lowerBound, contextEnd: spans[k].upperBound, to: url) {
                            wav = recordPath(clip.url)
                        } else { audioNote = "no audio track" }
                    }
                    let clip = k < clips.count ? clips[k] : nil
                    let record = QwenRecord(
                        scaleID: scale.scaleID, key: key, episodePath: folder.path, split: split, index: idx, window: w,
                        windowFrames: scale.window, context: spans[k], maxVideoFrames: options.maxVideoFrames, videoPaths: videoPaths,
                        mosaic: clip?.output.map(recordPath), missingCameras: clip?.missingCameras ?? [], blackTiles: clip?.blackTiles ?? 0,
                        audio: wav, audioNote: options.renderMedia ? audioNote : "media not rendered",
                        sensorPath: recordPath(npzURL), sensorZeroBlocks: matrix.zeroBlocks(row: idx), answer: answer,
                        question: options.prompt.question(scaleID: scale.scaleID, start: w.start, end: w.end))
                    lines.append(record.partialJSON.pythonJSON(.unicode))
                }
            }
            guard !lines.isEmpty else {
                outcome.labelledWindows = windowsPerScale
                outcome.reason = SkipReason.noLabelledWindows
                return outcome
            }
            try JSONOutput.writeLines(lines, to: shardFolder.appendingPathComponent("records/\(key.text).jsonl"))
            if case .object(var fields) = outcome.modalities {
                fields.append(("all_zero_sensor_blocks", .array(allZero)))
                outcome.modalities = .object(fields)
            }
            outcome.status = .exported
            outcome.records = lines.count
            outcome.labelledWindows = windowsPerScale
            return outcome
        } catch {
            outcome.status = .failed
            outcome.reason = "\(error)"
            return outcome
        }
    }

    /// `available_modalities` of one episode: every sensor block with whether it is built and
    /// how many frames are zero-filled, plus the audio source.
    func modalityReport(_ timeline: EpisodeTimeline) -> JSONValue {
        let names = Set(SensorFeatures.schema.blocks.map(\.name))
        let blocks: [JSONValue] = timeline.caches.diagnostics.filter { names.contains($0.block) }.map { d in
            .object([("modality", .string(d.block)), ("present", .bool(d.present)), ("source", .string(d.source)),
                     ("zero_frames", .int(d.zeroFrames)), ("note", d.note.map { .string($0) } ?? .null)])
        }
        var audio: JSONValue = .null
        if let a = timeline.caches.audio {
            audio = .object([("source", .string(URL(fileURLWithPath: a.source).lastPathComponent)), ("exists", .bool(a.exists)), ("has_audio", .bool(a.hasAudio)),
                             ("sample_rate", .int(a.sampleRate)), ("fps", .double(a.fps)), ("num_samples", .int(a.numSamples)),
                             ("per_frame_dim", .int(AudioFeatures.dimension)), ("band_count", .int(AudioFeatures.bandCount))])
        }
        return .object([("episode_id", .string(key.text)), ("frames", .int(timeline.frameCount)), ("modalities", .array(blocks)), ("audio", audio)])
    }
}
