import EpisodeIO
import Foundation

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

    /// Features of every decodable frame of one MP4 (cached by content).
    mutating func decodeVideo(url: URL, stage: String) throws -> (cache: PerFrameCache, meta: VideoMeta, cacheState: String) {
        var key: String? = nil
        if let store {
            key = ContentFingerprint.key(["video-v1", "img=\(VideoFeatures.imageSize)", "grid=\(VideoFeatures.gridSize)",
                                          "hist=\(VideoFeatures.histogramBins)", "rgb24-area", try ContentFingerprint.file(url)])
            if let key, let hit = store.load(kind: "video", key: key, cols: VideoFeatures.dimension, as: VideoMeta.self),
               hit.meta.pts.count == hit.cache.rows {
                return (hit.cache, hit.meta, "hit")
            }
        }
        let size = VideoFeatures.imageSize
        let decoder = try episode.videoDecoder(url.deletingPathExtension().lastPathComponent, options: VideoDecodeOptions(output: .rgb24, size: .area(width: size, height: size),
                                                                              threads: options.decoderThreads))
        var values: [Float] = []
        values.reserveCapacity((decoder.declaredFrameCount ?? n) * VideoFeatures.dimension)
        var pts: [Int64] = []
        var frame = VideoFrame()
        var error: String? = nil
        let expected = decoder.declaredFrameCount ?? n
        do {
            while try decoder.nextFrame(into: &frame) {
                values += VideoFeatures.thumbnailFeatures(frame.pixels)
                pts.append(frame.pts)
                if pts.count % 50 == 0 { progress(stage, pts.count, expected) }
            }
        } catch let e {
            // The reference stops at a failed read and holds the last good vector.
            error = "\(e)"
        }
        progress(stage, pts.count, max(expected, pts.count))
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

    mutating func buildVideo(stream: String) {
        let start = ContinuousClock.now
        let block = "video_" + stream
        let url = episode.directory.appendingPathComponent(stream + ".mp4")
        mediaPaths[stream] = url.path
        guard FileManager.default.fileExists(atPath: url.path) else {
            diagnostics.append(StreamDiagnostics(block: block, present: false, source: url.lastPathComponent, note: "file absent", zeroFrames: n))
            return
        }
        var d = StreamDiagnostics(block: block, present: true, source: url.lastPathComponent)
        let decoded: (cache: PerFrameCache, meta: VideoMeta, cacheState: String)
        do { decoded = try decodeVideo(url: url, stage: "video " + stream) } catch {
            d.present = false
            d.note = "\(error)"
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
        var notes: [String] = []
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
        d.seconds = Self.elapsed(since: start)
        diagnostics.append(d)
    }

}
