import EpisodeIO
import Foundation

extension CacheBuilder {
    // MARK: Audio

    struct AudioMeta: Codable { var numSamples: Int; var fps: Double; var offsetSeconds: Double? }

    mutating func buildAudio() {
        let start = ContinuousClock.now
        let block = "audio_fisheye_cam0_aac"
        let url = episode.directory.appendingPathComponent("fisheye_cam0.mp4")
        let sr = AudioFeatures.referenceSampleRate
        var d = StreamDiagnostics(block: block, present: false, source: url.lastPathComponent)
        guard FileManager.default.fileExists(atPath: url.path) else {
            d.note = "file absent"
            d.zeroFrames = n
            audio = AudioSummary(source: url.lastPathComponent, exists: false, hasAudio: false, sampleRate: sr, fps: 0, numSamples: 0)
            diagnostics.append(d)
            return
        }
        do {
            let info = try episode.probeMedia("fisheye_cam0")
            guard info.hasAudio else {
                d.note = "no audio track"
                d.zeroFrames = n
                audio = AudioSummary(source: url.lastPathComponent, exists: true, hasAudio: false, sampleRate: sr, fps: info.fps ?? 0, numSamples: 0)
                diagnostics.append(d)
                return
            }
            // Strict: sample time = device time since frame 0 + (first video pts − audio start).
            let times = strict ? frameTimes : nil
            let offset = (info.video?.startTimeSeconds ?? 0) - (info.audio?.startTimeSeconds ?? 0)
            var key: String? = nil
            if let store {
                var parts = ["audio-v1", "sr=\(sr)", "bands=\(AudioFeatures.bandCount)", "n=\(n)", try ContentFingerprint.file(url)]
                if let times { parts += ["strict", "offset=\(offset)", ContentFingerprint.hex(ContentFingerprint.bytes(times))] }
                else { parts.append("reference") }
                key = ContentFingerprint.key(parts)
                if let key, let hit = store.load(kind: "audio", key: key, cols: AudioFeatures.dimension, as: AudioMeta.self), hit.cache.rows == n {
                    sources[block] = .perFrame(hit.cache)
                    d.present = true
                    d.cache = "hit"
                    d.sourceRows = hit.meta.numSamples
                    d.offsetSeconds = hit.meta.offsetSeconds
                    fillAudioCounts(&d, numSamples: hit.meta.numSamples, fps: hit.meta.fps, times: times, offset: offset)
                    audio = AudioSummary(source: url.lastPathComponent, exists: true, hasAudio: true, sampleRate: sr, fps: hit.meta.fps, numSamples: hit.meta.numSamples)
                    d.seconds = Self.elapsed(since: start)
                    diagnostics.append(d)
                    return
                }
            }
            progress("audio", 0, n)
            let decoded = try episode.decodeAudioTrack("fisheye_cam0", options: AudioDecodeOptions(sampleRate: sr, channels: 1))
            let count = decoded.samples.count
            let fps = info.fps ?? fallbackAudioFPS(frameCount: n, sampleCount: count, sampleRate: sr)
            let ranges = audioRanges(numSamples: count, fps: fps, times: times, offset: offset)
            var out = [Float](repeating: 0, count: n * AudioFeatures.dimension)
            var plans: [Int: PowerSpectrumPlan] = [:]
            for k in 0..<n {
                let r = ranges[k]
                guard !r.isEmpty else { continue }
                let plan: PowerSpectrumPlan
                if let p = plans[r.count] { plan = p } else {
                    plan = PowerSpectrumPlan(n: r.count)
                    plans[r.count] = plan
                }
                let f = AudioFeatures.segmentFeatures(decoded.samples[r], sampleRate: sr, plan: plan)
                out.replaceSubrange((k * AudioFeatures.dimension)..<((k + 1) * AudioFeatures.dimension), with: f)
                if k % 500 == 0 { progress("audio", k, n) }
            }
            progress("audio", n, n)
            let cache = try PerFrameCache(values: out, rows: n, cols: AudioFeatures.dimension)
            sources[block] = .perFrame(cache)
            d.present = true
            d.sourceRows = count
            if times != nil { d.offsetSeconds = offset }
            fillAudioCounts(&d, numSamples: count, fps: fps, times: times, offset: offset)
            audio = AudioSummary(source: url.lastPathComponent, exists: true, hasAudio: true, sampleRate: sr, fps: fps, numSamples: count)
            if let store, let key {
                do {
                    try store.store(kind: "audio", key: key, cache: cache, meta: AudioMeta(numSamples: count, fps: fps, offsetSeconds: times != nil ? offset : nil))
                    d.cache = "built"
                } catch { d.cache = "not written: \(error)" }
            }
        } catch {
            d.note = "\(error)"
            if !d.present { d.zeroFrames = n }
        }
        d.seconds = Self.elapsed(since: start)
        diagnostics.append(d)
    }

    /// Sample ranges per frame. Reference: `[round(k/fps·sr), round((k+1)/fps·sr))` clipped.
    /// Strict: the same rounding and clipping on device times shifted by `offset`.
    func audioRanges(numSamples: Int, fps: Double, times: [Double]?, offset: Double) -> [Range<Int>] {
        let sr = Double(AudioFeatures.referenceSampleRate)
        guard let times else {
            return (0..<n).map { frameSampleRange(frame: $0, fps: fps, sampleRate: AudioFeatures.referenceSampleRate, sampleCount: numSamples) }
        }
        func position(_ t: Double) -> Int {
            let r = ((t + offset) * sr).rounded(.toNearestOrEven)
            guard r.isFinite else { return 0 }
            return Int(max(min(r, Double(Int.max / 2)), Double(Int.min / 2)))
        }
        return (0..<n).map { k in
            let s = min(max(position(times[k]), 0), numSamples)
            let e = min(max(position(times[k + 1]), s + 1), numSamples)
            return s..<max(e, s)
        }
    }

    func fillAudioCounts(_ d: inout StreamDiagnostics, numSamples: Int, fps: Double, times: [Double]?, offset: Double) {
        let ranges = audioRanges(numSamples: numSamples, fps: fps, times: times, offset: offset)
        let filled = ranges.filter { !$0.isEmpty }.count
        d.alignedFrames = filled
        d.zeroFrames = n - filled
        d.note = times != nil ? "samples by device time from the first video pts (audio start offset applied)"
                              : String(format: "samples by frame index at the container fps %.8f", fps)
    }

}
