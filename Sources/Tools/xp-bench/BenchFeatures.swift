import ArgumentParser
import Foundation
import WindowAlign

/// `xp-bench features`: per-frame depth, audio and video features and window assembly at
/// the sample episode's sizes, on seeded synthetic inputs.
struct BenchFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Time per-frame feature extraction and window assembly at sample-episode sizes.",
        discussion: """
            Inputs are synthetic and seeded: a pool of random 256×256 depth frames with UInt8 \
            confidence (cycled over all frames), a 16 kHz random audio track, random 512×512 RGB \
            frames, and random per-frame caches for the 18-block schema. Prints one JSON object.

            Example:
              swift run -c release xp-bench features --frames 5821 --repeats 3
            """
    )

    @Option(help: "Annotation frames (the sample episode has 5821).")
    var frames = 5821

    @Option(help: "Timed repeats per stage (after one warm-up run).")
    var repeats = 3

    @Option(help: "Distinct depth frames generated and cycled (memory bound).")
    var depthPool = 16

    @Option(help: "Video frames timed per repeat (512×512 RGB → 98 features).")
    var videoFrames = 600

    @Option(help: "Seed for the synthetic inputs.")
    var seed: UInt64 = 7

    func run() throws {
        var rng = SplitMix64(seed: seed)
        let side = 256
        let pool = max(1, depthPool)
        var depth: [[Float]] = []
        var confidence: [[UInt8]] = []
        for _ in 0..<pool {
            depth.append((0..<(side * side)).map { _ in rng.unit() < 0.05 ? 0 : Float(0.15 + 2.5 * rng.unit()) })
            confidence.append((0..<(side * side)).map { _ in UInt8(28 + Int(rng.unit() * 177)) })
        }
        let fps = 20.00137419266181
        let sampleCount = Int((Double(frames) / fps * 16000).rounded())
        let audio = (0..<sampleCount).map { _ in Float(rng.unit() - 0.5) * 0.2 }
        let videoSide = 512
        let video = (0..<(videoSide * videoSide * 3)).map { _ in UInt8(truncatingIfNeeded: Int(rng.next() >> 56)) }

        stderr("depth: \(frames) frames of \(side)×\(side)")
        let extractor = DepthFeatureExtractor()
        let depthTimes = try time(repeats) {
            for k in 0..<frames {
                _ = try extractor.features(depth: depth[k % pool], width: side, height: side, confidence: confidence[k % pool])
            }
        }
        let depthCPU = depthTimes.cpu
        stderr("audio: \(frames) frames, \(sampleCount) samples")
        let audioTimes = try time(repeats) {
            _ = try AudioFeatures.perFrameFeatures(samples: audio, frameCount: frames, fps: fps)
        }
        let audioCPU = audioTimes.cpu
        stderr("video: \(videoFrames) frames of \(videoSide)×\(videoSide)")
        let videoTimes = try time(repeats) {
            for _ in 0..<videoFrames { _ = try VideoFeatures.frameFeatures(rgb: video, width: videoSide, height: videoSide) }
        }
        let videoCPU = videoTimes.cpu

        let schema = FeatureSchema.reference
        var sources: [String: BlockSource] = [:]
        for block in schema.blocks {
            if let d = block.perStepDim {
                let cache = try PerFrameCache(values: (0..<(frames * d)).map { _ in Float(rng.unit()) }, rows: frames, cols: d)
                sources[block.name] = .perFrame(cache, rezeroAtWindowStart: block.name == "camera_translation")
            } else {
                sources[block.name] = .staticVector((0..<block.dim).map { _ in Float(rng.unit()) })
            }
        }
        let assembler = try WindowFeatureAssembler(schema: schema, sources: sources)
        let windows = try buildWindows(frameCount: frames, spec: .reference)
        stderr("assembly: \(windows.count) windows × \(schema.dimension)")
        let assemblyTimes = try time(repeats) { _ = assembler.matrix(windows: windows) }
        let assemblyCPU = assemblyTimes.cpu

        let perVideoFrameMs = median(videoTimes.wall) / Double(max(videoFrames, 1)) * 1000
        let result: [String: Any] = [
            "area": "features",
            "frames": frames,
            "repeats": repeats,
            "depth_features_s": median(depthTimes.wall),
            "depth_features_cpu_s": depthCPU,
            "depth_target_s": 3.0,
            "audio_features_cpu_s": audioCPU,
            "video_frame_cpu_ms": videoCPU / Double(max(videoFrames, 1)) * 1000,
            "window_assembly_cpu_s": assemblyCPU,
            "load_average_1min": loadAverage(),
            "audio_features_s": median(audioTimes.wall),
            "video_frame_ms": perVideoFrameMs,
            "video_6_streams_projected_s": perVideoFrameMs * Double(frames) * 6 / 1000,
            "window_assembly_s": median(assemblyTimes.wall),
            "window_assembly_target_s": 0.5,
            "windows": windows.count,
            "feature_dim": schema.dimension,
            "peak_rss_mb": peakRSSMegabytes(),
            "python_comparison": "not run: no Benchmarks/features.py counterpart yet",
        ]
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// Wall-clock seconds of each repeat, and the median thread CPU seconds of the same
    /// repeats, which stays meaningful when other jobs share the cores.
    private func time(_ repeats: Int, _ body: () throws -> Void) throws -> (wall: [Double], cpu: Double) {
        try body()  // warm-up
        var out: [Double] = []
        var cpu: [Double] = []
        for _ in 0..<max(1, repeats) {
            let cpuStart = threadCPUSeconds()
            let start = ContinuousClock.now
            try body()
            let d = ContinuousClock.now - start
            cpu.append(threadCPUSeconds() - cpuStart)
            out.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        }
        return (out, median(cpu))
    }

    private func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    private func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    private func stderr(_ message: String) {
        FileHandle.standardError.write(Data(("xp-bench features: " + message + "\n").utf8))
    }

    private func loadAverage() -> Double {
        var loads = [Double](repeating: 0, count: 3)
        return getloadavg(&loads, 3) > 0 ? loads[0] : -1
    }

    private func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024  // Linux reports KiB
    }
}

/// A small seeded generator so benchmark inputs are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
