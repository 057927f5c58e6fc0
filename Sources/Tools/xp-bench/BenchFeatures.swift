import ArgumentParser
import EpisodeIO
import Foundation
import WindowAlign
import XPCore

/// `xp-bench features`: per-frame depth, audio and video features and window assembly at
/// the sample episode's sizes, on seeded synthetic inputs.
struct BenchFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Time the episode feature build (all per-frame caches, six videos) and compare with numpy/OpenCV.",
        discussion: """
            Generates (once, into --cache) a synthetic episode of the sample size with its six MP4s, \
            then builds every per-frame cache from scratch in the reference protocol (time per \
            modality, peak memory), rebuilds from the content-keyed cache, times the window \
            assembly, and runs Benchmarks/features.py (numpy + OpenCV + ffmpeg) on the same episode \
            for the time ratio and the largest relative difference of the features. Prints one \
            JSON object. --synthetic runs the older micro-benchmarks on random inputs instead.

            Examples:
              swift run -c release xp-bench features
              swift run -c release xp-bench features --size tiny --frames 600
              swift run -c release xp-bench features --synthetic --repeats 3
            """
    )

    @Option(help: "Folder for the generated episode and the feature cache (reused when present).")
    var cache: String = ".build/xp-bench-cache/features"

    @Option(help: "Episode size preset: sample (real shapes) or tiny.")
    var size: String = "sample"

    @Flag(help: "Run the micro-benchmarks on seeded random inputs instead of an episode.")
    var synthetic = false

    @Flag(help: "Skip the numpy/OpenCV comparison.")
    var noPython = false

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
        if synthetic { try runSynthetic() } else { try runEpisode() }
    }

    func runEpisode() throws {
        guard let preset = SyntheticEpisodeConfig.Size(rawValue: size) else {
            throw ValidationError("--size must be sample or tiny")
        }
        let root = URL(fileURLWithPath: cache)
        let folder = root.appendingPathComponent("episode-\(size)-\(frames)-seed\(seed)")
        var result: [String: Any] = [
            "area": "features", "frames": frames, "size": size, "cores": ProcessInfo.processInfo.activeProcessorCount,
            "note": "wall-clock seconds on a machine shared with other builds; one run each",
        ]
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("fisheye_cam0.mp4").path) {
            stderr("generating the \(size) episode (\(frames) frames, six MP4s) into \(folder.path)")
            let t = ContinuousClock.now
            try? FileManager.default.removeItem(at: folder)
            try SyntheticEpisode.write(.preset(preset, seed: seed, frames: frames), to: folder, media: SyntheticMedia.writer)
            result["episode_generation_s"] = seconds(since: t)
        }
        result["load_average_1min_at_start"] = benchLoadAverage()
        // Reset the peak-RSS mark so the figure covers the feature build only.
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let featureCache = root.appendingPathComponent("feature-cache-\(size)-\(frames)")
        try? FileManager.default.removeItem(at: featureCache)
        let episode = try Episode(path: folder.path)
        let scratchOptions = FeatureBuildOptions(featureProtocol: .reference, cacheDirectory: featureCache, force: true,
                                                 progress: { p in
                                                     if p.done == p.total || p.done % 1000 == 0 {
                                                         FileHandle.standardError.write(Data("xp-bench features:   \(p.stage) \(p.done)/\(p.total)\n".utf8))
                                                     }
                                                 })
        stderr("building every cache from scratch (reference protocol)")
        let t0 = ContinuousClock.now
        let caches = try EpisodeFeatures.buildCaches(episode: episode, options: scratchOptions)
        let cachesSeconds = seconds(since: t0)
        let windows = try EpisodeFeatures.windows(episode: episode, plan: .single(.reference), frameCount: caches.frameCount)
        let t1 = ContinuousClock.now
        let built = try EpisodeFeatures.assemble(caches, windows: windows)
        let firstAssembly = seconds(since: t1)
        let scratchTotal = seconds(since: t0)
        result["peak_rss_mb_build"] = benchPeakRSSMegabytes()
        result["peak_rss_target_mb"] = 2048
        var perModality: [String: Double] = [:]
        for d in caches.diagnostics { perModality[d.block] = d.seconds }
        result["scratch_build"] = [
            "caches_s": cachesSeconds, "assembly_s": firstAssembly, "total_s": scratchTotal,
            "per_block_s": perModality,
            "video_6_streams_s": caches.diagnostics.filter { $0.block.hasPrefix("video_") }.reduce(0) { $0 + $1.seconds },
        ] as [String: Any]
        result["depth_features_s"] = perModality["depth_confidence"] ?? -1
        result["depth_target_s"] = 3.0
        result["windows"] = windows.windows.count
        result["feature_dim"] = built.dimension

        var assemblyTimes: [Double] = []
        for _ in 0..<max(1, repeats) {
            let t = ContinuousClock.now
            _ = try EpisodeFeatures.assemble(caches, windows: windows)
            assemblyTimes.append(seconds(since: t))
        }
        result["window_assembly_s"] = benchMedian(assemblyTimes)
        result["window_assembly_target_s"] = 0.5

        stderr("rebuilding from the cache")
        let t2 = ContinuousClock.now
        let cachedOptions = FeatureBuildOptions(featureProtocol: .reference, cacheDirectory: featureCache)
        let cachedCaches = try EpisodeFeatures.buildCaches(episode: episode, options: cachedOptions)
        result["cached_rebuild_s"] = seconds(since: t2)
        result["cached_rebuild_hits"] = cachedCaches.diagnostics.filter { $0.cache == "hit" }.map(\.block)

        let t3 = ContinuousClock.now
        let strict = try EpisodeFeatures.build(episode: episode, options: FeatureBuildOptions(featureProtocol: .strict, cacheDirectory: featureCache))
        result["strict_build_with_video_cache_s"] = seconds(since: t3)
        result["strict_video_alignment"] = strict.diagnostics.filter { $0.block == "video_fisheye_cam0" || $0.block == "audio_fisheye_cam0_aac" }.map {
            ["block": $0.block, "aligned": $0.alignedFrames, "offset_s": $0.offsetSeconds ?? 0, "mismatches": $0.indexMismatchFrames ?? 0] as [String: Any]
        }
        result["peak_rss_mb"] = benchPeakRSSMegabytes()

        if noPython {
            result["python_comparison"] = "skipped (--no-python)"
        } else if let python = findPython(importing: "numpy, cv2, h5py"), let script = benchScript("features.py") {
            stderr("running Benchmarks/features.py (numpy + OpenCV)")
            let table = try episode.captions()
            let texts = (0..<caches.frameCount).map { k -> String in
                guard k < table.frames.count else { return "" }
                return frameCaptionText(objects: table.frames[k].objects ?? [], interaction: table.frames[k].interaction ?? "")
            }
            let textsURL = root.appendingPathComponent("caption-texts-\(size)-\(frames).json")
            try JSONSerialization.data(withJSONObject: texts).write(to: textsURL)
            let outURL = root.appendingPathComponent("numpy-features-\(size)-\(frames).npy")
            let run = try runProcess(python, [script, folder.path, textsURL.path, outURL.path], includeStderr: false)
            guard run.status == 0 else { throw ValidationError("Benchmarks/features.py failed with status \(run.status)") }
            let py = (try? JSONSerialization.jsonObject(with: Data(run.output.utf8))) as? [String: Any] ?? [:]
            var comparison: [String: Any] = ["python": py]
            if case .float32(let shape, let values) = try NumPyFile.read(from: outURL), shape == [windows.windows.count, built.dimension] {
                var worst = 0.0, worstAbs = 0.0
                var worstBlock = ""
                var perBlock: [String: Double] = [:]
                var worstScaled = 0.0
                for block in FeatureSchema.reference.blocks {
                    var blockWorst = 0.0
                    for c in block.columns {
                        var scale = 0.0, colWorst = 0.0
                        for r in 0..<shape[0] {
                            let a = Double(built.values[r * shape[1] + c]), b = Double(values[r * shape[1] + c])
                            let diff = abs(a - b)
                            worstAbs = max(worstAbs, diff)
                            colWorst = max(colWorst, diff)
                            scale = max(scale, abs(b))
                            blockWorst = max(blockWorst, diff / max(abs(b), 1e-3))
                        }
                        worstScaled = max(worstScaled, colWorst / max(scale, 1e-3))
                    }
                    perBlock[block.name] = blockWorst
                    if blockWorst > worst { worst = blockWorst; worstBlock = block.name }
                }
                comparison["max_relative_difference"] = worst
                comparison["relative_difference_definition"] = "|swift − numpy| / max(|numpy|, 1e-3), over all windows and columns"
                comparison["max_relative_difference_block"] = worstBlock
                comparison["max_relative_difference_per_block"] = perBlock
                comparison["max_absolute_difference"] = worstAbs
                comparison["max_column_scaled_difference"] = worstScaled
                comparison["column_scaled_definition"] = "max over columns of max|swift − numpy| / max(max|numpy| in that column, 1e-3)"
                comparison["target"] = 1e-4
            } else {
                comparison["error"] = "numpy output has an unexpected shape"
            }
            if let secs = py["seconds"] as? [String: Any], let total = secs["total_s"] as? Double {
                comparison["time_ratio_numpy_over_swift_scratch"] = total / scratchTotal
            }
            result["python_comparison"] = comparison
        } else {
            result["python_comparison"] = "not run: needs python3 with numpy, cv2 (pip install opencv-python-headless) and h5py, the ffmpeg binary, and Benchmarks/features.py"
        }
        result["load_average_1min_at_end"] = benchLoadAverage()
        print(benchJSON(result))
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    func runSynthetic() throws {
        var rng = SplitMix64(seed: seed)
        let side = 256
        let pool = max(1, depthPool)
        var depth: [[Float]] = []
        var confidence: [[UInt8]] = []
        for _ in 0..<pool {
            depth.append((0..<(side * side)).map { _ in rng.uniform() < 0.05 ? 0 : Float(0.15 + 2.5 * rng.uniform()) })
            confidence.append((0..<(side * side)).map { _ in UInt8(28 + Int(rng.uniform() * 177)) })
        }
        let fps = 20.00137419266181
        let sampleCount = Int((Double(frames) / fps * 16000).rounded())
        let audio = (0..<sampleCount).map { _ in Float(rng.uniform() - 0.5) * 0.2 }
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
                let cache = try PerFrameCache(values: (0..<(frames * d)).map { _ in Float(rng.uniform()) }, rows: frames, cols: d)
                sources[block.name] = .perFrame(cache, rezeroAtWindowStart: block.name == "camera_translation")
            } else {
                sources[block.name] = .staticVector((0..<block.dim).map { _ in Float(rng.uniform()) })
            }
        }
        let assembler = try WindowFeatureAssembler(schema: schema, sources: sources)
        let windows = try buildWindows(frameCount: frames, spec: .reference)
        stderr("assembly: \(windows.count) windows × \(schema.dimension)")
        let assemblyTimes = try time(repeats) { _ = assembler.matrix(windows: windows) }
        let assemblyCPU = assemblyTimes.cpu

        let perVideoFrameMs = benchMedian(videoTimes.wall) / Double(max(videoFrames, 1)) * 1000
        let result: [String: Any] = [
            "area": "features",
            "frames": frames,
            "repeats": repeats,
            "depth_features_s": benchMedian(depthTimes.wall),
            "depth_features_cpu_s": depthCPU,
            "depth_target_s": 3.0,
            "audio_features_cpu_s": audioCPU,
            "video_frame_cpu_ms": videoCPU / Double(max(videoFrames, 1)) * 1000,
            "window_assembly_cpu_s": assemblyCPU,
            "load_average_1min": benchLoadAverage(),
            "audio_features_s": benchMedian(audioTimes.wall),
            "video_frame_ms": perVideoFrameMs,
            "video_6_streams_projected_s": perVideoFrameMs * Double(frames) * 6 / 1000,
            "window_assembly_s": benchMedian(assemblyTimes.wall),
            "window_assembly_target_s": 0.5,
            "windows": windows.count,
            "feature_dim": schema.dimension,
            "peak_rss_mb": benchPeakRSSMegabytes(),
            "python_comparison": "see the episode mode (without --synthetic)",
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
        return (out, benchMedian(cpu))
    }

    private func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }


    private func stderr(_ message: String) {
        FileHandle.standardError.write(Data(("xp-bench features: " + message + "\n").utf8))
    }


}
