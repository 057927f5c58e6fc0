import EpisodeIO
import Foundation
import XPCore

extension CacheBuilder {
    // MARK: Video

    /// What a video cache entry holds besides the M × 98 features.
    struct VideoMeta: Codable {
        var frames: Int
        var pts: [Int64]
        var timeBaseNumerator: Int
        var timeBaseDenominator: Int
        var fps: Double?
        var error: String?
    }

    /// One stream's decoded features, or why there are none.
    typealias DecodedVideo = (cache: PerFrameCache, meta: VideoMeta, cacheState: String)

    /// The decode setting this build uses: `reference` is always exact (OpenCV's bytes);
    /// `strict` takes `options.videoDecode`, where `.automatic` means `.fast`.
    var effectiveVideoDecode: VideoDecodeSetting {
        guard strict else { return .exact }
        return options.videoDecode == .automatic ? .fast : options.videoDecode
    }

    /// Features of every decodable frame of one MP4 (cached by content). Does not touch the
    /// builder's state, so several streams can be decoded at once (`buildVideoStreams`).
    func decodeVideo(url: URL, stage: String, threads: Int, report: VideoProgress) throws -> DecodedVideo {
        let setting = effectiveVideoDecode
        var key: String? = nil
        if let store {
            // The exact entry keeps its original key: its features are the same bytes as before.
            var parts = ["video-v1", "img=\(VideoFeatures.imageSize)", "grid=\(VideoFeatures.gridSize)",
                         "hist=\(VideoFeatures.histogramBins)", "rgb24-area", try ContentFingerprint.file(url)]
            switch setting {
            case .fast: parts.append("decode=fast-v1:area-before-colour")
            case .fastSkipDeblocking: parts.append("decode=fast-v1:skip-loop-filter,area-before-colour")
            case .exact, .automatic: break
            }
            key = ContentFingerprint.key(parts)
            if let key, let hit = store.load(kind: "video", key: key, cols: VideoFeatures.dimension, as: VideoMeta.self),
               hit.meta.pts.count == hit.cache.rows {
                return (hit.cache, hit.meta, "hit")
            }
        }
        let size = VideoFeatures.imageSize
        let decoder = try episode.videoDecoder(url.deletingPathExtension().lastPathComponent, options: VideoDecodeOptions(output: .rgb24, size: .area(width: size, height: size),
                                                                              threads: threads,
                                                                              skipLoopFilter: setting == .fastSkipDeblocking,
                                                                              areaBeforeColour: setting == .fast || setting == .fastSkipDeblocking))
        let expected = decoder.declaredFrameCount ?? n
        var values: [Float] = []
        values.reserveCapacity(expected * VideoFeatures.dimension)
        var pts: [Int64] = []
        pts.reserveCapacity(expected)
        var frame = VideoFrame()
        var error: String? = nil
        report.send(stage, 0, expected)
        do {
            while try decoder.nextFrame(into: &frame) {
                values += VideoFeatures.thumbnailFeatures(frame.pixels)
                pts.append(frame.pts)
                if pts.count % 50 == 0 { report.send(stage, pts.count, expected) }
            }
        } catch let e {
            // The reference stops at a failed read and holds the last good vector.
            error = "\(e)"
        }
        report.send(stage, pts.count, max(expected, pts.count))
        let meta = VideoMeta(frames: pts.count, pts: pts, timeBaseNumerator: decoder.timeBase.numerator,
                             timeBaseDenominator: decoder.timeBase.denominator, fps: decoder.fps, error: error)
        let cache = try PerFrameCache(values: values, rows: pts.count, cols: VideoFeatures.dimension)
        var state = "off"
        if let store, let key, error == nil {
            do {
                try store.store(kind: "video", key: key, cache: cache, meta: meta)
                state = "built"
            } catch let e {
                // A cache that cannot be written costs time next run, not this result.
                state = "not written: \(e)"
            }
        }
        return (cache, meta, state)
    }

    /// Decodes the six streams at once, one worker per core (largest files first, so the
    /// fisheye streams do not end up alone at the end), then aligns them on this thread in
    /// stream order. Each decoder gets one thread when several run at once (0 = automatic):
    /// libavcodec's frame threading costs extra CPU for synchronisation and buys nothing when
    /// the cores are already busy with other streams. The results equal a sequential build:
    /// each stream is decoded by its own decoder in order, whatever the schedule.
    mutating func buildVideoStreams(_ names: [String]) {
        let urls = names.map { episode.directory.appendingPathComponent($0 + ".mp4") }
        for (name, url) in zip(names, urls) { mediaPaths[name] = url.path }
        let sizes = urls.map { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int) ?? nil }
        let present = names.indices.filter { sizes[$0] != nil }
        let order = present.sorted { (sizes[$0] ?? 0, -$0) > (sizes[$1] ?? 0, -$1) }
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let workers = max(1, min(order.count, options.videoStreamsAtOnce > 0 ? options.videoStreamsAtOnce : cores))
        let threads = options.decoderThreads > 0 ? options.decoderThreads : (workers > 1 ? max(1, cores / workers) : 0)
        let report = VideoProgress(options.progress)
        let builder = self
        // Largest streams first, so that no long decode is left running alone at the end.
        let results = Parallel.run(count: names.count, order: order, width: workers) { i -> (Result<DecodedVideo, VideoStreamFailure>, Double) in
            let start = ContinuousClock.now
            let result: Result<DecodedVideo, VideoStreamFailure>
            do { result = .success(try builder.decodeVideo(url: urls[i], stage: "video " + names[i], threads: threads, report: report)) }
            catch { result = .failure(VideoStreamFailure(message: "\(error)")) }
            return (result, Self.elapsed(since: start))
        }
        for (i, name) in names.enumerated() {
            buildVideo(stream: name, url: urls[i], decoded: results[i])
        }
    }

    /// Aligns one decoded stream to the annotation frames; `decoded` is nil when the file is
    /// absent. `seconds` in the diagnostics is the stream's own decode time plus its alignment
    /// (streams decoded at once overlap, so these do not add up to the stage's wall time).
    mutating func buildVideo(stream: String, url: URL, decoded result: (Result<DecodedVideo, VideoStreamFailure>, Double)?) {
        let start = ContinuousClock.now
        let block = "video_" + stream
        guard let entry = result, FileManager.default.fileExists(atPath: url.path) else {
            diagnostics.append(StreamDiagnostics(block: block, present: false, source: url.lastPathComponent, note: "file absent", zeroFrames: n))
            return
        }
        let (result, decodeSeconds) = entry
        var d = StreamDiagnostics(block: block, present: true, source: url.lastPathComponent)
        let decodeNote: String
        switch effectiveVideoDecode {
        case .fast: decodeNote = "decode: fast (INTER_AREA on Y/U/V, then RGB; not OpenCV's bytes)"
        case .fastSkipDeblocking: decodeNote = "decode: fast-skip-deblocking (no deblocking filter; INTER_AREA on Y/U/V, then RGB; not OpenCV's bytes)"
        case .exact, .automatic: decodeNote = "decode: exact (libswscale RGB, then INTER_AREA: OpenCV's bytes)"
        }
        let decoded: DecodedVideo
        switch result {
        case .success(let v): decoded = v
        case .failure(let failure):
            d.present = false
            d.note = failure.message
            d.zeroFrames = n
            diagnostics.append(d)
            return
        }
        let (cache, meta, cacheState) = decoded
        d.cache = cacheState
        d.sourceRows = meta.frames
        let m = meta.frames
        guard m > 0 else {
            d.present = false
            d.note = "no decodable frames" + (meta.error.map { ": \($0)" } ?? "")
            d.zeroFrames = n
            diagnostics.append(d)
            return
        }
        let dim = VideoFeatures.dimension
        var out = [Float](repeating: 0, count: n * dim)
        var notes: [String] = [decodeNote]
        if let e = meta.error { notes.append("decoding stopped after \(m) frames: \(e)") }
        let tb = Double(meta.timeBaseNumerator) / Double(max(meta.timeBaseDenominator, 1))
        if strict, let times = frameTimes {
            // Nearest video frame by time since the first pts, within half a frame interval.
            let v = meta.pts.map { Double($0 - meta.pts[0]) * tb }
            let tolerance = 0.5 * (times[n] - times[n - 1])
            var j = 0
            var residuals: [Double] = []
            var mismatches = 0
            for k in 0..<n {
                while j + 1 < m, abs(v[j + 1] - times[k]) < abs(v[j] - times[k]) { j += 1 }
                let r = v[j] - times[k]
                guard abs(r) <= tolerance else { continue }
                residuals.append(r)
                if j != k { mismatches += 1 }
                out.replaceSubrange((k * dim)..<((k + 1) * dim), with: cache.values[(j * dim)..<((j + 1) * dim)])
            }
            d.alignedFrames = residuals.count
            d.zeroFrames = n - residuals.count
            let sorted = residuals.sorted()
            d.offsetSeconds = sorted.isEmpty ? nil : sorted[sorted.count / 2]
            d.maxResidualSeconds = residuals.map(abs).max()
            d.indexMismatchFrames = mismatches
            notes.append(String(format: "aligned by pts: first pts %.6f s taken as device frame 0", Double(meta.pts[0]) * tb))
        } else {
            // Reference: video frame k ↔ annotation frame k; past the end the last good vector is held.
            for k in 0..<n {
                let j = min(k, m - 1)
                out.replaceSubrange((k * dim)..<((k + 1) * dim), with: cache.values[(j * dim)..<((j + 1) * dim)])
            }
            d.alignedFrames = min(n, m)
            d.heldFrames = max(0, n - m)
            if strict { notes.append("no video/device_timestamp: index alignment used") }
            if d.heldFrames > 0 { notes.append("last decoded frame held for \(d.heldFrames) frames") }
        }
        d.note = notes.isEmpty ? nil : notes.joined(separator: "; ")
        if let c = try? PerFrameCache(values: out, rows: n, cols: dim) { sources[block] = .perFrame(c) }
        d.seconds = decodeSeconds + Self.elapsed(since: start)
        diagnostics.append(d)
    }

}

/// Why a stream has no features (the decoder's error, as the stream's note).
struct VideoStreamFailure: Error {
    var message: String
}

/// Progress from the video workers, handed to the caller's callback one call at a time.
final class VideoProgress: @unchecked Sendable {
    private let callback: (@Sendable (FeatureProgress) -> Void)?
    private let lock = NSLock()
    init(_ callback: (@Sendable (FeatureProgress) -> Void)?) { self.callback = callback }
    func send(_ stage: String, _ done: Int, _ total: Int) {
        guard let callback else { return }
        lock.lock()
        defer { lock.unlock() }
        callback(FeatureProgress(stage: stage, done: done, total: total))
    }
}
