import ToolSupport
import ArgumentParser
import Foundation
import Heads
import TaskContracts
import WindowAlign

/// `xp-bench suite`: wall time and peak memory of the whole task suite on the sample-size
/// synthetic episode, from cached features (per task and per head) and end to end from the
/// raw files.
struct BenchSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "The 12 tasks with both heads, from cached features and end to end from raw files.",
        discussion: """
            Generates (once, under the cache folder) a synthetic episode with the sample's frame \
            count and small media streams, or takes --episode (for example the full-size sample \
            that `xp-fixture --size sample` writes, with its six full MP4s), builds its features \
            once, then times: (1) the suite from the cached features.npy (per task: input \
            building, each head); (2) end to end: the feature build from the raw files with fresh \
            per-frame caches, then the suite. Peak memory is the process's VmHWM after each phase \
            (it only grows).

            Examples:
              swift run -c release xp-bench suite --seeds 7
              swift run -c release xp-bench suite --episode fixtures/<session>/ep1
            """)

    @Option(parsing: .unconditional, help: "Frames of the synthetic episode, in \(Bounds.text(Limits.frames)).") var frames = 5821
    @Option(name: .customLong("protocol"), help: "reference or strict.") var suiteProtocol = "strict"
    @Option(parsing: .unconditional, help: "Comma-separated seeds, \(Limits.seeds.lowerBound) to \(Limits.seeds.upperBound) of them.") var seeds = "7"
    @Option(help: "Cache folder.") var cache = SuiteCache.defaultFolder
    @Flag(help: "Skip the end-to-end phase.") var skipEndToEnd = false
    @Option(parsing: .unconditional, help: "Tasks run side by side (1: one after the other, with the default BLAS threads), in \(Bounds.text(Limits.concurrentTasks)).")
    var concurrentTasks = min(SuiteConfiguration.defaultConcurrentTasks, Limits.concurrentTasks.upperBound)
    @Option(help: "Use this episode folder instead of the built-in synthetic one (its features are cached under the cache folder).")
    var episode: String?

    /// The allowed values of the numeric options (checked in `validate()`), as `xp-suite`'s.
    enum Limits {
        static let frames = 200...50_000
        static let seeds = 1...32
        static let concurrentTasks = 1...64
    }

    func validate() throws {
        guard SuiteProtocol(rawValue: suiteProtocol) != nil else { throw ValidationError("--protocol must be reference or strict, found '\(suiteProtocol)'") }
        try Bounds.check(frames, "--frames", in: Limits.frames)
        _ = try SeedList.parse(seeds, option: "--seeds", count: Limits.seeds)
        try Bounds.check(concurrentTasks, "--concurrent-tasks", in: Limits.concurrentTasks)
    }

    func run() throws {
        // Before any work: the episode, its features and caches go under --cache.
        try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache")
        // Training alternates BLAS calls with its own two-thread passes; idle BLAS workers must
        // not poll the cores meanwhile (see BLASConfiguration.shortenIdleSpin).
        BLASConfiguration.shortenIdleSpin()
        let loadAtStart = benchLoadAverage()
        let p = SuiteProtocol(rawValue: suiteProtocol) ?? .strict
        let fp = p.featureProtocol
        let seedList = try SeedList.parse(seeds, option: "--seeds", count: Limits.seeds)
        let cacheURL = URL(fileURLWithPath: cache)
        let note: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let prepStart = Date()
        let cached: (episode: URL, features: URL)
        if let episode {
            let folder = URL(fileURLWithPath: episode)
            let key = "bench-suite-\(folder.deletingLastPathComponent().lastPathComponent)-\(folder.lastPathComponent)"
            let features = cacheURL.appendingPathComponent(key).appendingPathComponent("features-\(fp.rawValue)")
            try SuiteCache.features(of: folder, into: features, protocol: fp, frameCaches: cacheURL.appendingPathComponent(key).appendingPathComponent("frame-caches"),
                                    progress: note)
            cached = (folder, features)
        } else {
            let made = try SuiteCache.syntheticEpisode(cache: cacheURL, frames: frames, featureProtocol: fp, progress: note)
            cached = (made.episode, made.features)
        }
        let prepSeconds = Date().timeIntervalSince(prepStart)
        let outRoot = FileManager.default.temporaryDirectory.appendingPathComponent("xp-bench-suite-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: outRoot) }

        var config = SuiteConfiguration(protocol: p, seeds: seedList.isEmpty ? [7] : seedList)
        config.progress = note
        config.concurrentTasks = concurrentTasks

        // Phase 1: from cached features.
        let loadStart = Date()
        let episode = try EpisodeLoader.load(folder: cached.episode, source: .folder(cached.features), suiteProtocol: p)
        let loadSeconds = Date().timeIntervalSince(loadStart)
        let runStart = Date()
        let report = try SuiteRunner.run(episodes: [episode], configuration: config, output: outRoot.appendingPathComponent("cached"))
        let runSeconds = Date().timeIntervalSince(runStart)
        let peakCached = benchPeakRSSMegabytes()
        var perTask: [[String: Any]] = []
        for t in config.tasks {
            var entry: [String: Any] = ["task": t.rawValue, "inputs_seconds": report.problemSeconds[t] ?? 0]
            for row in report.rows where row.task == t {
                entry[row.head.rawValue] = ["seconds": row.seconds, "status": row.status,
                                            "primary": row.primaryMeanStd?.mean ?? NSNull(), "metric": t.primaryMetric(for: p)] as [String: Any]
            }
            perTask.append(entry)
        }
        var result: [String: Any] = [
            "area": "suite", "protocol": p.rawValue, "frames": episode.frames.frameCount, "windows": episode.windows.count,
            "episode": self.episode == nil ? "built-in synthetic (tiny media streams)" : cached.episode.path,
            "seeds": config.seeds.map { Int($0) }, "concurrent_tasks": concurrentTasks, "heads": config.heads.map(\.rawValue),
            "present_blocks": (episode.presentBlocks ?? []).count,
            "fixture_seconds_if_generated": prepSeconds,
            "from_cached_features": ["load_seconds": loadSeconds, "suite_seconds": runSeconds,
                                     "total_seconds": loadSeconds + runSeconds, "peak_rss_mb": peakCached,
                                     "per_task": perTask] as [String: Any],
            "note": "single run on a shared 2-core machine",
            "blas_threads": BLASConfiguration.threads, "blas_thread_timeout": BLASConfiguration.threadTimeout,
            "load_average_1min_at_start": loadAtStart,
        ]

        // Phase 2: end to end from the raw files (fresh per-frame caches).
        if !skipEndToEnd {
            let e2eStart = Date()
            let fresh = outRoot.appendingPathComponent("frame-caches")
            let e2eEpisode = try EpisodeLoader.load(folder: cached.episode, source: .episodeFeatures(fp, cache: fresh), suiteProtocol: p, progress: note)
            let featureSeconds = Date().timeIntervalSince(e2eStart)
            _ = try SuiteRunner.run(episodes: [e2eEpisode], configuration: config, output: outRoot.appendingPathComponent("e2e"))
            result["end_to_end"] = ["feature_seconds": featureSeconds, "total_seconds": Date().timeIntervalSince(e2eStart),
                                    "peak_rss_mb": benchPeakRSSMegabytes()] as [String: Any]
        }
        print(benchJSON(result))
    }
}
