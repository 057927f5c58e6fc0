import ArgumentParser
import EpisodeIO
import Foundation
import ToolSupport
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

    @Option(parsing: .unconditional, help: "Annotation frames (the sample episode has 5821), in \(Bounds.text(Limits.frames)).")
    var frames = 5821

    @Option(parsing: .unconditional, help: "Timed repeats per stage (after one warm-up run), in \(Bounds.text(Limits.repeats)).")
    var repeats = 3

    @Option(parsing: .unconditional, help: "Distinct depth frames generated and cycled (memory bound), in \(Bounds.text(Limits.depthPool)).")
    var depthPool = 16

    @Option(parsing: .unconditional, help: "Video frames timed per repeat (512×512 RGB → 98 features), in \(Bounds.text(Limits.videoFrames)).")
    var videoFrames = 600

    @Option(parsing: .unconditional, help: "Seed for the synthetic inputs (a non-negative integer).")
    var seed: UInt64 = 7

    @Option(help: "Use this episode folder (e.g. one written by xp-fixture --size sample) instead of generating one.")
    var episode: String? = nil

    @Option(parsing: .unconditional, help: "Rounds of (ffmpeg decode floor, reference build, strict build), interleaved so load from other work hits each alike, in \(Bounds.text(Limits.rounds)).")
    var rounds = 2

    @Option(parsing: .unconditional, help: "Decoder threads of the ffmpeg CLI decode floor (0 = ffmpeg's choice), in \(Bounds.text(Limits.threads)).")
    var ffmpegThreads = 2

    @Option(parsing: .unconditional, help: "Frames per stream for the per-stage CPU breakdown (0 skips it), in \(Bounds.text(Limits.breakdownFrames)).")
    var breakdownFrames = 600

    /// The allowed values of the numeric options (checked in `validate()`).
    enum Limits {
        static let frames = 100...50_000
        static let repeats = 1...100
        static let depthPool = 1...1_024
        static let videoFrames = 1...20_000
        static let rounds = 1...20
        static let threads = 0...64
        static let breakdownFrames = 0...20_000
    }

    func validate() throws {
        guard SyntheticEpisodeConfig.Size(rawValue: size) != nil else { throw ValidationError("--size must be sample or tiny, found '\(size)'") }
        try Bounds.check(frames, "--frames", in: Limits.frames)
        try Bounds.check(repeats, "--repeats", in: Limits.repeats)
        try Bounds.check(depthPool, "--depth-pool", in: Limits.depthPool)
        try Bounds.check(videoFrames, "--video-frames", in: Limits.videoFrames)
        try Bounds.check(rounds, "--rounds", in: Limits.rounds)
        try Bounds.check(ffmpegThreads, "--ffmpeg-threads", in: Limits.threads)
        try Bounds.check(breakdownFrames, "--breakdown-frames", in: Limits.breakdownFrames)
    }

    func run() throws {
        if synthetic { try runSynthetic() } else { try runEpisode() }
    }

    func runEpisode() throws {
        // Before any work: the episode and its feature caches go under --cache.
        try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache")
        guard let preset = SyntheticEpisodeConfig.Size(rawValue: size) else {
            throw ValidationError("--size must be sample or tiny")
        }
        let root = URL(fileURLWithPath: cache)
        let folder = episode.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("episode-\(size)-\(frames)-seed\(seed)")
        var result: [String: Any] = [
            "area": "features", "frames": frames, "size": size, "cores": ProcessInfo.processInfo.activeProcessorCount,
            "episode": folder.path,
            "note": "wall-clock seconds on a machine shared with other builds; CPU seconds (user + system, all threads) beside them",
        ]
        if episode != nil, !FileManager.default.fileExists(atPath: folder.appendingPathComponent("annotation.hdf5").path) {
            throw ValidationError("--episode \(folder.path) holds no annotation.hdf5")
        }
        if episode == nil, !FileManager.default.fileExists(atPath: folder.appendingPathComponent("fisheye_cam0.mp4").path) {
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
        let floorAndBuilds = try decodeFloorAndBuilds(episode: episode, folder: folder, featureCache: featureCache)
        for (k, v) in floorAndBuilds.report { result[k] = v }
        if breakdownFrames > 0 {
            stderr("per-stage CPU breakdown (\(breakdownFrames) frames of fisheye_cam0 and stereo_left, one thread)")
            result["breakdown"] = try breakdown(folder: folder, streamCounts: floorAndBuilds.frameCounts)
        }
        // The last reference round's caches serve the assembly and memory figures below.
        guard let caches = floorAndBuilds.referenceCaches else { throw ValidationError("no reference build ran") }
        let cachesSeconds = floorAndBuilds.referenceSeconds
        let windows = try EpisodeFeatures.windows(episode: episode, plan: .single(.reference), frameCount: caches.frameCount)
        let t1 = ContinuousClock.now
        let built = try EpisodeFeatures.assemble(caches, windows: windows)
        let firstAssembly = seconds(since: t1)
        let scratchTotal = cachesSeconds + firstAssembly
        result["peak_rss_mb_build"] = benchPeakRSSMegabytes()
        result["peak_rss_target_mb"] = 2048
        var perModality: [String: Double] = [:]
        for d in caches.diagnostics { perModality[d.block] = d.seconds }
        result["scratch_build"] = [
            "caches_s": cachesSeconds, "assembly_s": firstAssembly, "total_s": scratchTotal,
            "per_block_s": perModality,
            "video_sum_of_per_stream_s_overlapping": caches.diagnostics.filter { $0.block.hasPrefix("video_") }.reduce(0) { $0 + $1.seconds },
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
        result["strict_build_with_video_cache_note"] = "the fast strict decode has its own cache entries, built in the rounds above"
        result["strict_video_alignment"] = strict.diagnostics.filter { $0.block == "video_fisheye_cam0" || $0.block == "audio_fisheye_cam0_aac" }.map {
            ["block": $0.block, "aligned": $0.alignedFrames, "offset_s": $0.offsetSeconds ?? 0, "mismatches": $0.indexMismatchFrames ?? 0] as [String: Any]
        }
        result["peak_rss_mb"] = benchPeakRSSMegabytes()

        if noPython {
            result["python_comparison"] = "skipped (--no-python)"
        } else if let python = findPython(importing: "numpy, cv2, h5py"), let script = benchScript("features.py") {
            stderr("running Benchmarks/features.py (numpy + OpenCV)")
            // The texts the reference build hashed: its protocol's caption rules (release).
            let table = try episode.captions(rules: FeatureProtocol.reference.defaultCaptionRules)
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

    // MARK: The decode floor and the two protocols' builds

    /// Runs `rounds` rounds of: the ffmpeg CLI decode floor of the episode's six video streams,
    /// a reference build from scratch, a strict build from scratch; then compares the strict
    /// (fast-decoded) video features with the reference (exact) ones.
    private func decodeFloorAndBuilds(episode: Episode, folder: URL, featureCache: URL) throws
        -> (report: [String: Any], frameCounts: [String: Int], referenceCaches: EpisodeFeatureCaches?, referenceSeconds: Double) {
        let ffmpeg = findExecutable("ffmpeg")
        let streams = episodeVideoStreamNames.map { folder.appendingPathComponent($0 + ".mp4") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        var frameCounts: [String: Int] = [:]
        for url in streams {
            frameCounts[url.deletingPathExtension().lastPathComponent] = (try? MediaInfo.probe(url))?.video?.frameCount ?? 0
        }
        var floorRounds: [[String: Double]] = []
        var builds: [String: [[String: Double]]] = [:]
        var last: [String: EpisodeFeatureCaches] = [:]
        for round in 0..<max(1, rounds) {
            if let ffmpeg {
                stderr("round \(round + 1): ffmpeg decode floor, \(streams.count) streams one after another, -threads \(ffmpegThreads)")
                floorRounds.append(try decodeFloor(ffmpeg: ffmpeg, streams: streams))
            }
            for p in [FeatureProtocol.reference, .strict] {
                stderr("round \(round + 1): \(p.rawValue) build of every cache from scratch")
                let (caches, figures) = try timedBuild(episode: episode, featureProtocol: p, cache: featureCache)
                builds[p.rawValue, default: []].append(figures)
                last[p.rawValue] = caches
            }
        }
        var report: [String: Any] = [:]
        var floor: [String: Any] = [
            "command": "ffmpeg -v error -nostdin -threads \(ffmpegThreads) -i STREAM.mp4 -map 0:v:0 -f null -  (per stream, one after another; video only: the builds decode the audio once, separately)",
            "available": ffmpeg != nil,
        ]
        let floorWall = benchMedian(floorRounds.map { $0["wall_s"] ?? .nan })
        let floorCPU = benchMedian(floorRounds.map { $0["cpu_s"] ?? .nan })
        if ffmpeg != nil {
            floor["rounds"] = floorRounds
            floor["wall_s"] = floorWall
            floor["cpu_s"] = floorCPU
        } else {
            floor["note"] = "ffmpeg not installed (apt-get install ffmpeg); no decode floor, no ratios"
        }
        report["decode_floor"] = floor
        for (name, rounds) in builds {
            var entry: [String: Any] = ["rounds": rounds]
            for key in ["build_wall_s", "build_cpu_s", "video_stage_wall_s", "video_stage_cpu_s"] {
                entry[key] = benchMedian(rounds.map { $0[key] ?? .nan })
            }
            if ffmpeg != nil {
                entry["ratio_build_wall_over_floor"] = benchMedian(rounds.map { ($0["build_wall_s"] ?? .nan) }) / floorWall
                entry["ratio_build_cpu_over_floor"] = benchMedian(rounds.map { ($0["build_cpu_s"] ?? .nan) }) / floorCPU
                entry["ratio_video_stage_wall_over_floor"] = benchMedian(rounds.map { ($0["video_stage_wall_s"] ?? .nan) }) / floorWall
                entry["ratio_video_stage_cpu_over_floor"] = benchMedian(rounds.map { ($0["video_stage_cpu_s"] ?? .nan) }) / floorCPU
                // Each round against the floor measured just before it (same load).
                entry["ratio_build_wall_over_floor_per_round"] = zip(rounds, floorRounds).map { ($0["build_wall_s"] ?? .nan) / ($1["wall_s"] ?? .nan) }
            }
            if let c = last[name] {
                var blocks: [String: Double] = [:]
                for d in c.diagnostics { blocks[d.block] = d.seconds }
                entry["per_block_s"] = blocks
                entry["video_decode_notes"] = Array(Set(c.diagnostics.filter { $0.block.hasPrefix("video_") }.compactMap { $0.note?.components(separatedBy: ";").first }))
            }
            report[name] = entry
        }
        report["definitions"] = [
            "build": "EpisodeFeatures.buildCaches from scratch (every per-frame cache: depth, six videos, audio, text, hands, body, camera, IMU, static), force, cache written",
            "video_stage": "from the first video progress report to the last (the six streams, decoded at once, one worker per core)",
            "cpu": "getrusage user + system of this process (the build) or of the ffmpeg children (the floor)",
        ]
        if let ref = last["reference"], let strict = last["strict"] {
            report["strict_video_difference"] = videoDifference(reference: ref, strict: strict)
        }
        return (report, frameCounts, last["reference"], builds["reference"]?.last?["build_wall_s"] ?? .nan)
    }

    /// The ffmpeg CLI decoding each stream to null, one after another: wall and CPU seconds.
    private func decodeFloor(ffmpeg: String, streams: [URL]) throws -> [String: Double] {
        var wall = 0.0, cpu = 0.0
        for url in streams {
            let c0 = childCPUSeconds()
            let t = ContinuousClock.now
            let r = try runProcess(ffmpeg, ["-v", "error", "-nostdin", "-threads", String(ffmpegThreads), "-i", url.path,
                                            "-map", "0:v:0", "-f", "null", "-"])
            if r.status != 0 { throw ValidationError("ffmpeg failed on \(url.path): \(r.output)") }
            wall += seconds(since: t)
            cpu += childCPUSeconds() - c0
        }
        return ["wall_s": wall, "cpu_s": cpu, "load_average_1min": benchLoadAverage()]
    }

    /// One build from scratch with wall and CPU seconds for the whole build and for the video
    /// stage (from the first to the last video progress report).
    private func timedBuild(episode: Episode, featureProtocol: FeatureProtocol, cache: URL) throws
        -> (EpisodeFeatureCaches, [String: Double]) {
        let marks = StageMarks()
        let options = FeatureBuildOptions(featureProtocol: featureProtocol, cacheDirectory: cache, force: true,
                                          progress: { p in marks.mark(p.stage) })
        let load = benchLoadAverage()
        let c0 = processCPUSeconds()
        let t0 = ContinuousClock.now
        let caches = try EpisodeFeatures.buildCaches(episode: episode, options: options)
        let wall = seconds(since: t0)
        let cpu = processCPUSeconds() - c0
        var figures: [String: Double] = ["build_wall_s": wall, "build_cpu_s": cpu, "load_average_1min_at_start": load,
                                         "load_average_1min_at_end": benchLoadAverage()]
        if let v = marks.span("video ") {
            figures["video_stage_wall_s"] = v.wall
            figures["video_stage_cpu_s"] = v.cpu
        }
        return (caches, figures)
    }

    /// Per video block: how far the strict (fast-decoded) per-frame features are from the
    /// reference (exact) ones, frame for frame (strict aligns by pts; on a fixture whose pts
    /// match the frame index the rows correspond).
    private func videoDifference(reference: EpisodeFeatureCaches, strict: EpisodeFeatureCaches) -> [String: Any] {
        var out: [String: Any] = [:]
        var worstAbs = 0.0, worstRel = 0.0, worstScaled = 0.0
        for name in episodeVideoStreamNames {
            let block = "video_" + name
            guard case .perFrame(let a, _)? = reference.sources[block], case .perFrame(let b, _)? = strict.sources[block],
                  a.rows == b.rows, a.cols == b.cols else { continue }
            var maxAbs = 0.0, maxRel = 0.0, scaled = 0.0, sumSq = 0.0
            var colMax = [Double](repeating: 0, count: a.cols), colDiff = [Double](repeating: 0, count: a.cols)
            for i in 0..<a.values.count {
                let x = Double(a.values[i]), y = Double(b.values[i])
                let d = abs(x - y)
                maxAbs = max(maxAbs, d)
                maxRel = max(maxRel, d / max(abs(x), 1e-3))
                sumSq += d * d
                colMax[i % a.cols] = max(colMax[i % a.cols], abs(x))
                colDiff[i % a.cols] = max(colDiff[i % a.cols], d)
            }
            for c in 0..<a.cols { scaled = max(scaled, colDiff[c] / max(colMax[c], 1e-3)) }
            let groups: [(String, Range<Int>)] = [("mean", 0..<3), ("std", 3..<6), ("hist", 6..<30), ("grid", 30..<94), ("edge", 94..<98)]
            var perGroup: [String: Double] = [:]
            for (g, r) in groups { perGroup[g] = r.map { colDiff[$0] }.max() ?? 0 }
            out[block] = ["max_abs": maxAbs, "max_relative": maxRel, "max_column_scaled": scaled,
                          "rms": (sumSq / Double(max(a.values.count, 1))).squareRoot(), "max_abs_by_part": perGroup] as [String: Any]
            worstAbs = max(worstAbs, maxAbs)
            worstRel = max(worstRel, maxRel)
            worstScaled = max(worstScaled, scaled)
        }
        out["all_video_blocks"] = ["max_abs": worstAbs, "max_relative": worstRel, "max_column_scaled": worstScaled]
        out["definitions"] = "per-frame features (M × 98 per stream), strict fast decode vs reference exact decode; relative = |Δ| / max(|reference|, 1e-3); column-scaled = max over columns of max|Δ| / max(max|reference column|, 1e-3)"
        return out
    }

    /// CPU milliseconds per frame (one thread, this thread's CPU clock) of each stage on the
    /// first `breakdownFrames` frames of one fisheye and one stereo stream, and the projection
    /// to the episode's six streams.
    private func breakdown(folder: URL, streamCounts: [String: Int]) throws -> [String: Any] {
        var out: [String: Any] = [:]
        var projected: [String: Double] = [:]
        let side = VideoFeatures.imageSize
        for name in ["fisheye_cam0", "stereo_left"] {
            let url = folder.appendingPathComponent(name + ".mp4")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            func perFrame(_ options: VideoDecodeOptions, _ body: (VideoDecoder) throws -> Bool) throws -> Double {
                let d = try VideoDecoder(url: url, options: options)
                let c0 = threadCPUSeconds()
                var k = 0
                while k < breakdownFrames, try body(d) { k += 1 }
                return (threadCPUSeconds() - c0) / Double(max(k, 1)) * 1000
            }
            var frame = VideoFrame()
            let decode = try perFrame(.init(output: .planes, threads: 1)) { try $0.advance() != nil }
            let decodeNoDeblock = try perFrame(.init(output: .planes, threads: 1, skipLoopFilter: true)) { try $0.advance() != nil }
            let wholeFrame = try perFrame(.init(output: .rgb24, threads: 1)) { d in
                guard try d.nextFrame(into: &frame) else { return false }
                _ = try areaResize(frame.pixels, width: frame.width, height: frame.height, channels: 3, toWidth: side, toHeight: side)
                return true
            }
            let exact = try perFrame(.init(output: .rgb24, size: .area(width: side, height: side), threads: 1)) { try $0.nextFrame(into: &frame) }
            let fastColour = try perFrame(.init(output: .rgb24, size: .area(width: side, height: side), threads: 1, areaBeforeColour: true)) { try $0.nextFrame(into: &frame) }
            let fast = try perFrame(.init(output: .rgb24, size: .area(width: side, height: side), threads: 1, skipLoopFilter: true,
                                          areaBeforeColour: true)) { try $0.nextFrame(into: &frame) }
            let thumb = frame.pixels
            let c0 = threadCPUSeconds()
            for _ in 0..<max(1, breakdownFrames) { _ = try VideoFeatures.frameFeatures(rgb: thumb, width: side, height: side) }
            let features = (threadCPUSeconds() - c0) / Double(max(1, breakdownFrames)) * 1000
            let entry: [String: Double] = [
                "decode_ms": decode, "decode_without_deblocking_ms": decodeNoDeblock,
                "whole_frame_rgb_then_area_ms": wholeFrame, "exact_banded_rgb_area_ms": exact,
                "area_before_colour_ms": fastColour, "fast_ms": fast, "features_98_ms": features,
                "exact_conversion_and_resize_ms": exact - decode, "old_conversion_copy_and_resize_ms": wholeFrame - decode,
                "fast_conversion_and_resize_ms": fastColour - decode,
            ]
            out[name] = entry
            // The four fisheye streams share cam0's figures, the two stereo streams stereo_left's.
            let group = name.hasPrefix("fisheye") ? streamCounts.filter { $0.key.hasPrefix("fisheye") } : streamCounts.filter { $0.key.hasPrefix("stereo") }
            let frames = Double(group.values.reduce(0, +))
            for (k, v) in entry { projected[k, default: 0] += v * frames / 1000 }
        }
        out["projected_six_streams_cpu_s"] = projected
        out["note"] = "one decoder thread, this thread's CPU clock; exact = decode + banded libswscale RGB + INTER_AREA (reference); whole_frame = decode + full RGB frame copied out + INTER_AREA (the path before the banding); fast = no deblocking + area-before-colour (strict)"
        return out
    }

    private func childCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
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

/// Wall time and process CPU at the first and last progress report of each stage prefix
/// (progress arrives from several threads).
final class StageMarks: @unchecked Sendable {
    private var first: [String: (ContinuousClock.Instant, Double)] = [:]
    private var last: [String: (ContinuousClock.Instant, Double)] = [:]
    private let lock = NSLock()

    func mark(_ stage: String) {
        let key = stage.hasPrefix("video ") ? "video " : stage
        let now = (ContinuousClock.now, processCPUSeconds())
        lock.lock()
        if first[key] == nil { first[key] = now }
        last[key] = now
        lock.unlock()
    }

    func span(_ key: String) -> (wall: Double, cpu: Double)? {
        lock.lock()
        defer { lock.unlock() }
        guard let a = first[key], let b = last[key] else { return nil }
        let d = b.0 - a.0
        return (Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18, b.1 - a.1)
    }
}
