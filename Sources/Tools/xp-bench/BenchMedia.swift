import ArgumentParser
import EpisodeIO
import Foundation
import ToolSupport
import XPCore

#if canImport(Glibc)
import Glibc
#endif

/// `xp-bench media`: decode throughput on a stereo-sized and a fisheye-sized H.264 stream, the
/// 32×32 INTER_AREA feature path, random access, and 5 minutes of AAC to 16 kHz mono, side by side
/// with the `ffmpeg` CLI at the same thread count when it is installed.
struct BenchMedia: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Benchmark MP4 decode (native, RGB, 32×32 INTER_AREA), random access and AAC decode.",
        discussion: """
            Generates (or reuses) a 512×512 and a 1088×1280 H.264 stream and a 5-minute AAC track in \
            the cache folder, then prints one JSON object with frames/s (median of repeats), the ratio \
            to `ffmpeg -threads K -i FILE -f null -` and peak memory.

            Example:
              swift run -c release xp-bench media --threads 2 --repeats 3
            """)

    @Option(help: "Folder for the generated streams (reused when present).")
    var cache: String = ".build/xp-bench-cache/media"

    @Option(parsing: .unconditional, help: "Frames per generated video stream, in \(Bounds.text(Limits.frames)).")
    var frames: Int = 600

    @Option(parsing: .unconditional, help: "Decoder threads for both this library and ffmpeg (0 = one per core), in \(Bounds.text(Limits.threads)).")
    var threads: Int = min(ProcessInfo.processInfo.activeProcessorCount, Limits.threads.upperBound)

    @Option(parsing: .unconditional, help: "Timed repeats per measurement (the median is reported), in \(Bounds.text(Limits.repeats)).")
    var repeats: Int = 5

    @Option(help: "Folder holding media_area_parity.py (the OpenCV counterpart).")
    var scripts: String = "Benchmarks"

    @Option(parsing: .unconditional, help: "Seconds of AAC audio to decode, in \(Bounds.text(Limits.audioSeconds)).")
    var audioSeconds: Int = 300

    /// The allowed values of the numeric options (checked in `validate()`).
    enum Limits {
        static let frames = 10...20_000
        static let threads = 0...64
        static let repeats = 1...100
        static let audioSeconds = 1...3_600
    }

    func validate() throws {
        try Bounds.check(frames, "--frames", in: Limits.frames)
        try Bounds.check(threads, "--threads", in: Limits.threads)
        try Bounds.check(repeats, "--repeats", in: Limits.repeats)
        try Bounds.check(audioSeconds, "--audio-seconds", in: Limits.audioSeconds)
    }

    func run() throws {
        // Before any work: the streams are generated under --cache.
        try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache")
        let dir = URL(fileURLWithPath: cache)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let ffmpeg = findExecutable("ffmpeg")
        var result: [String: Any] = [
            "area": "media",
            "cores": ProcessInfo.processInfo.activeProcessorCount,
            "threads": threads,
            "repeats": repeats,
            "decode_loop": "VideoDecoder.nextFrame(into:) reusing one frame's buffers",
            "note": "medians of \(repeats) interleaved rounds after one warm-up round; wall-clock figures are sensitive to other work on the machine, CPU figures less so",
        ]
        var ff: [String: Any] = ["available": ffmpeg != nil]
        if let ffmpeg {
            ff["path"] = ffmpeg
            ff["version"] = (try? runProcess(ffmpeg, ["-hide_banner", "-version"]).output.split(separator: "\n").first.map(String.init)) ?? "unknown"
        } else {
            ff["note"] = "ffmpeg not found on PATH; install it (apt-get install ffmpeg) for the side-by-side ratio"
        }
        result["ffmpeg"] = ff

        var streams: [[String: Any]] = []
        for (name, w, h) in [("stereo_512x512", 512, 512), ("fisheye_1088x1280", 1088, 1280)] {
            let url = dir.appendingPathComponent("\(name)_\(frames).mp4")
            if !FileManager.default.fileExists(atPath: url.path) {
                log("generating \(url.lastPathComponent) (\(w)×\(h), \(frames) frames)")
                let t = Date()
                try generateVideo(url: url, width: w, height: h, frames: frames)
                log("  generated in \(String(format: "%.1f", Date().timeIntervalSince(t))) s")
            }
            streams.append(try benchVideo(url: url, ffmpeg: ffmpeg))
        }
        result["video"] = streams

        // OpenCV parity: the reference decodes with cv2.VideoCapture and resizes with INTER_AREA.
        let script = URL(fileURLWithPath: scripts).appendingPathComponent("media_area_parity.py").path
        if let python = findPython(importing: "cv2, numpy"), FileManager.default.fileExists(atPath: script) {
            // A size whose scale to 32 is not an integer, to cover the weighted path end to end.
            let odd = dir.appendingPathComponent("parity_1080x1300_30.mp4")
            if !FileManager.default.fileExists(atPath: odd.path) {
                log("generating \(odd.lastPathComponent)")
                try generateVideo(url: odd, width: 1080, height: 1300, frames: 30)
            }
            var parity: [[String: Any]] = []
            for name in ["stereo_512x512_\(frames).mp4", "fisheye_1088x1280_\(frames).mp4", odd.lastPathComponent] {
                log("  OpenCV parity: \(name)")
                parity.append(try opencvParity(url: dir.appendingPathComponent(name), python: python, script: script,
                                               work: dir.appendingPathComponent("parity-out")))
            }
            result["opencv_parity"] = parity
        } else {
            result["opencv_parity"] = ["available": false,
                                       "note": "needs python3 with cv2 and numpy (set XP_PYTHON) and \(script)"]
        }

        let audioURL = dir.appendingPathComponent("aac_44100_mono_\(audioSeconds)s.mp4")
        if !FileManager.default.fileExists(atPath: audioURL.path) {
            log("generating \(audioURL.lastPathComponent)")
            try generateAudio(url: audioURL, seconds: audioSeconds)
        }
        result["audio"] = try benchAudio(url: audioURL, ffmpeg: ffmpeg)
        result["peak_rss_mb"] = round1(benchPeakRSSMegabytes())

        let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    // MARK: Measurements

    func benchVideo(url: URL, ffmpeg: String?) throws -> [String: Any] {
        let info = try MediaInfo.probe(url)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        let n = info.video?.frameCount ?? 0
        var out: [String: Any] = [
            "file": url.lastPathComponent,
            "width": info.video?.width ?? 0, "height": info.video?.height ?? 0,
            "frames": n, "kb_per_frame": n > 0 ? round1(Double(size) / 1024 / Double(n)) : 0,
        ]
        let modes: [(String, VideoDecodeOptions)] = [
            ("native_planes", .init(output: .planes, threads: threads)),
            ("native_rgb24", .init(output: .rgb24, threads: threads)),
            ("area32_rgb24", .init(output: .rgb24, size: .area(width: 32, height: 32), threads: threads)),
            ("area32_gray8", .init(output: .gray8, size: .area(width: 32, height: 32), threads: threads)),
        ]
        // Runs are interleaved (ffmpeg, then each mode, per round) so that load from other work
        // on the machine affects all of them alike; round 0 is a warm-up. Both wall time and CPU
        // time (user + system, all threads) are recorded: CPU time is the steadier figure on a
        // shared machine.
        var wall: [String: [Double]] = [:], cpu: [String: [Double]] = [:]
        for round in 0...repeats {
            if let ffmpeg {
                let r = try runProcess(ffmpeg, ["-hide_banner", "-nostdin", "-benchmark", "-threads", String(threads),
                                                "-i", url.path, "-f", "null", "-"])
                if r.status != 0 { throw ValidationError("ffmpeg failed: \(r.output)") }
                // `-benchmark` times cover the transcode loop only (no process start or probing),
                // which is the stricter comparison since our times include opening the file.
                if round > 0, let rt = benchField(r.output, "rtime="), let ut = benchField(r.output, "utime="),
                   let st = benchField(r.output, "stime=") {
                    wall["ffmpeg", default: []].append(rt)
                    cpu["ffmpeg", default: []].append(ut + st)
                }
            }
            do {
                // Decode only: the decoder's own planes, touched but not copied (what ffmpeg's
                // null muxer does).
                let c0 = processCPUSeconds(), t0 = DispatchTime.now().uptimeNanoseconds
                let decoder = try VideoDecoder(url: url, options: .init(output: .planes, threads: threads))
                var count = 0, checksum = 0
                while try decoder.advance() != nil {
                    checksum &+= decoder.withCurrentPlanes { $0.first.map { Int($0.base[0]) } ?? 0 }
                    count += 1
                }
                if count != n { throw ValidationError("decoded \(count) of \(n) frames (\(checksum))") }
                if round > 0 {
                    wall["native_nocopy", default: []].append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                    cpu["native_nocopy", default: []].append(processCPUSeconds() - c0)
                }
            }
            for (label, options) in modes {
                if round == 1 { log("  \(url.lastPathComponent): \(label)") }
                let c0 = processCPUSeconds(), t0 = DispatchTime.now().uptimeNanoseconds
                let decoder = try VideoDecoder(url: url, options: options)
                var count = 0
                var frame = VideoFrame()
                while try decoder.nextFrame(into: &frame) { count += frame.planes.isEmpty ? 0 : 1 }
                if count != n { throw ValidationError("decoded \(count) of \(n) frames") }
                if round > 0 {
                    wall[label, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                    cpu[label, default: []].append(processCPUSeconds() - c0)
                }
            }
        }
        func med(_ v: [Double]?) -> Double? {
            guard let v, !v.isEmpty else { return nil }
            return v.sorted()[v.count / 2]
        }
        var fps: [String: Double] = [:], cpuMs: [String: Double] = [:]
        for label in ["native_nocopy"] + modes.map(\.0) {
            if let w = med(wall[label]) { fps[label] = Double(n) / w }
            if let c = med(cpu[label]) { cpuMs[label] = c * 1000 / Double(n) }
        }
        out["ours_fps"] = fps.mapValues(round1)
        out["ours_cpu_ms_per_frame"] = cpuMs.mapValues(round3)
        if let native = fps["native_planes"], let rgb = fps["native_rgb24"], let small = fps["area32_rgb24"] {
            // Extra time per frame of the 32×32 feature path over plain decode.
            out["area32_overhead_vs_native_planes"] = round3(native / small - 1)
            out["area32_overhead_vs_native_rgb24"] = round3(rgb / small - 1)
        }
        if let native = cpuMs["native_planes"], let small = cpuMs["area32_rgb24"] {
            out["area32_cpu_overhead_vs_native_planes"] = round3(small / native - 1)
        }
        if let w = med(wall["ffmpeg"]), let c = med(cpu["ffmpeg"]) {
            let ffFps = Double(n) / w, ffCpu = c * 1000 / Double(n)
            out["ffmpeg_fps"] = round1(ffFps)
            out["ffmpeg_cpu_ms_per_frame"] = round3(ffCpu)
            out["ratio_native_nocopy_vs_ffmpeg"] = round3((fps["native_nocopy"] ?? 0) / ffFps)
            out["ratio_native_planes_vs_ffmpeg"] = round3((fps["native_planes"] ?? 0) / ffFps)
            out["ratio_native_rgb24_vs_ffmpeg"] = round3((fps["native_rgb24"] ?? 0) / ffFps)
            out["cpu_ratio_ffmpeg_over_native_planes"] = round3(ffCpu / (cpuMs["native_planes"] ?? .infinity))
            out["cpu_ratio_ffmpeg_over_native_nocopy"] = round3(ffCpu / (cpuMs["native_nocopy"] ?? .infinity))
        }
        // Opening alone (demuxer + stream probing, which decodes a frame, + decoder threads): part
        // of every figure above, but not of ffmpeg's -benchmark times, which start after opening.
        let open = try median(repeats, warmUp: true) {
            for _ in 0..<5 { _ = try VideoDecoder(url: url, options: .init(output: .planes, threads: threads)) }
        }
        let openMs = open * 1000 / 5
        out["open_ms"] = round3(openMs)
        if let c = cpuMs["native_planes"], let ff = out["ffmpeg_cpu_ms_per_frame"] as? Double {
            // Wall-clock open time spread over the frames, as an upper bound of its CPU share.
            out["cpu_ratio_ffmpeg_over_native_planes_excluding_open"] = round3(ff / max(1e-9, c - openMs / Double(max(1, n))))
        }
        // The INTER_AREA kernel alone on one RGB frame of this size.
        if let w = info.video?.width, let h = info.video?.height {
            let plan = try AreaResizePlan(sourceWidth: w, sourceHeight: h, destinationWidth: 32, destinationHeight: 32, channels: 3)
            let img = (0..<(w * h * 3)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
            let t = try median(repeats, warmUp: true) {
                for _ in 0..<20 { _ = try img.withUnsafeBufferPointer { try plan.apply($0) } }
            }
            out["area32_kernel_ms_per_frame"] = round3(t * 1000 / 20)
        }
        // Random access: 20 seeded indices, each from a fresh position.
        var rng = SplitMix64(seed: 42)
        let indices = (0..<20).map { _ in Int(rng.next() % UInt64(max(1, n))) }
        let ra = try median(repeats, warmUp: false) {
            let d = try VideoDecoder(url: url, options: .init(output: .rgb24, threads: threads))
            for k in indices { _ = try d.frame(at: k) }
        }
        out["random_access_ms_per_frame"] = round1(ra * 1000 / Double(indices.count))
        return out
    }

    func benchAudio(url: URL, ffmpeg: String?) throws -> [String: Any] {
        var samples = 0
        let t = try median(repeats, warmUp: true) {
            let a = try decodeAudio(url: url, options: .init(sampleRate: 16_000, channels: 1))
            samples = a.samples.count
        }
        var out: [String: Any] = [
            "file": url.lastPathComponent, "seconds_of_audio": audioSeconds,
            "output_samples_16k": samples, "ours_seconds": round3(t),
        ]
        if let ffmpeg {
            let f = try median(repeats, warmUp: true) {
                let r = try runProcess(ffmpeg, ["-hide_banner", "-nostdin", "-loglevel", "error", "-i", url.path,
                                                "-vn", "-ac", "1", "-ar", "16000", "-f", "f32le", "-y", "/dev/null"])
                if r.status != 0 { throw ValidationError("ffmpeg failed: \(r.output)") }
            }
            out["ffmpeg_seconds"] = round3(f)
            // Parity with the reference's command: same sample count, same values?
            let raw = URL(fileURLWithPath: cache).appendingPathComponent("ffmpeg-audio.f32")
            defer { try? FileManager.default.removeItem(at: raw) }
            let r = try runProcess(ffmpeg, ["-hide_banner", "-nostdin", "-loglevel", "error", "-i", url.path,
                                            "-vn", "-ac", "1", "-ar", "16000", "-f", "f32le", "-y", raw.path])
            if r.status == 0, let data = FileManager.default.contents(atPath: raw.path) {
                let theirs = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                let ours = try decodeAudio(url: url).samples
                let n = min(theirs.count, ours.count)
                var worst: Float = 0
                for i in 0..<n { worst = max(worst, abs(theirs[i] - ours[i])) }
                out["ffmpeg_output_samples_16k"] = theirs.count
                out["max_abs_diff_vs_ffmpeg"] = Double(worst)
            }
        }
        return out
    }

    /// Decodes the first frames with OpenCV (through the Python script) and with this library,
    /// and compares native RGB frame 0 and the 32×32 INTER_AREA frames byte for byte.
    func opencvParity(url: URL, python: String, script: String, work: URL) throws -> [String: Any] {
        let k = 20
        try? FileManager.default.removeItem(at: work)
        let r = try runProcess(python, [script, "--video", url.path, "--frames", String(k), "--size", "32", "--out", work.path])
        var out: [String: Any] = ["file": url.lastPathComponent]
        guard r.status == 0, let line = r.output.split(separator: "\n").last,
              let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            out["error"] = "script failed: \(r.output.suffix(300))"
            return out
        }
        out["opencv"] = json
        defer { try? FileManager.default.removeItem(at: work) }
        let info = try MediaInfo.probe(url)
        out["ours_fps"] = info.fps ?? 0
        out["ours_frame_count"] = info.video?.frameCount ?? 0
        func compare(_ a: [UInt8], _ b: [UInt8]) -> [String: Any] {
            guard a.count == b.count else { return ["size_mismatch": [a.count, b.count]] }
            var differing = 0, worst = 0
            for i in 0..<a.count where a[i] != b[i] {
                differing += 1
                worst = max(worst, abs(Int(a[i]) - Int(b[i])))
            }
            return ["bytes": a.count, "differing_bytes": differing, "max_abs_diff": worst]
        }
        if let cvNative = FileManager.default.contents(atPath: work.appendingPathComponent("native0.rgb").path) {
            let d = try VideoDecoder(url: url, options: .init(output: .rgb24, threads: threads))
            if let f0 = try d.nextFrame() { out["native_frame0_rgb"] = compare(f0.pixels, [UInt8](cvNative)) }
        }
        if let cvArea = FileManager.default.contents(atPath: work.appendingPathComponent("area.rgb").path) {
            let d = try VideoDecoder(url: url, options: .init(output: .rgb24, size: .area(width: 32, height: 32), threads: threads))
            var ours: [UInt8] = []
            var frame = VideoFrame()
            while ours.count < cvArea.count, try d.nextFrame(into: &frame) { ours += frame.pixels }
            out["area32_rgb_first_frames"] = compare(ours, [UInt8](cvArea))
        }
        return out
    }

    // MARK: Inputs

    /// A panning textured scene with slowly changing light: smooth gradients plus fine static
    /// texture, so the encoder produces real motion vectors and residuals.
    func generateVideo(url: URL, width: Int, height: Int, frames: Int) throws {
        let writer = try MP4Writer(url: url, video: .init(width: width, height: height, frameRate: MediaRational(20, 1),
                                                         crf: 18, preset: "veryfast", threads: 0))
        // Texture as a function so the scene is unbounded without storing it.
        func texel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) {
            var h = UInt32(truncatingIfNeeded: x &* 73856093 ^ y &* 19349663)
            h = (h ^ (h >> 13)) &* 0x5bd1e995
            let noise = Int(h >> 28)  // 0...15
            let r = 128 + Int(60 * sin(Double(x) / 37) + 40 * cos(Double(y) / 23)) + noise
            let g = 110 + Int(50 * sin(Double(x + y) / 51)) + noise
            let b = 100 + Int(70 * cos(Double(x - 2 * y) / 67)) + noise
            return (UInt8(clamping: r), UInt8(clamping: g), UInt8(clamping: b))
        }
        // Precompute the scene once (it pans 3 px right and 1 px down per frame).
        let tw = width + 3 * frames, th = height + frames
        var scene = [UInt8](repeating: 0, count: tw * th * 3)
        for y in 0..<th {
            for x in 0..<tw {
                let (r, g, b) = texel(x, y)
                let o = (y * tw + x) * 3
                scene[o] = r; scene[o + 1] = g; scene[o + 2] = b
            }
        }
        var px = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<frames {
            let ox = 3 * i, oy = i
            let light = UInt32(200 + 55 * sin(Double(i) / 40))  // brightness ×light/256
            for y in 0..<height {
                let s0 = ((y + oy) * tw + ox) * 3, d0 = y * width * 3
                for j in 0..<(width * 3) {
                    px[d0 + j] = UInt8(truncatingIfNeeded: (UInt32(scene[s0 + j]) * light) >> 8)
                }
            }
            try writer.appendFrame(px)
            if i % 100 == 99 { log("    \(i + 1)/\(frames)") }
        }
        try writer.finish()
    }

    func generateAudio(url: URL, seconds: Int) throws {
        let rate = 44_100
        let writer = try MP4Writer(url: url, audio: .init(sampleRate: rate, channels: 1, bitRate: 96_000))
        for s in 0..<seconds {
            let chunk = (0..<rate).map { i -> Float in
                let t = Double(s) + Double(i) / Double(rate)
                return Float(0.3 * sin(2 * .pi * 440 * t) + 0.1 * sin(2 * .pi * (1000 + 50 * Double(s % 20)) * t))
            }
            try writer.appendAudio(chunk)
        }
        try writer.finish()
    }

    // MARK: Helpers

    func median(_ repeats: Int, warmUp: Bool, _ body: () throws -> Void) throws -> Double {
        if warmUp { try body() }
        var times: [Double] = []
        for _ in 0..<repeats {
            let t = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        return Statistics.median(times)
    }

    func log(_ s: String) {
        FileHandle.standardError.write(Data(("xp-bench media: " + s + "\n").utf8))
    }
}

private func round1(_ v: Double) -> Double { (v * 10).rounded() / 10 }
private func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }

/// A `name=…s` figure (utime, stime, rtime) of `ffmpeg -benchmark`.
private func benchField(_ output: String, _ name: String) -> Double? {
    guard let r = output.range(of: "bench: utime=").flatMap({ output[$0.lowerBound...].range(of: name) }) else { return nil }
    let rest = output[r.upperBound...]
    return Double(rest.prefix { $0.isNumber || $0 == "." })
}





