import ArgumentParser
import Foundation
import Heads
import TaskContracts
import ToolSupport
import WindowAlign

/// `xp-bench diagnose`: wall time of the full modality ablation (12 tasks × 9 groups, each
/// alone and, in strict, removed) on the sample-size synthetic episode from cached features,
/// plus the alignment stress and missing views beside it.
struct BenchDiagnose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "The full modality ablation (and alignment stress, missing views) from cached features.",
        discussion: """
            Generates (once, under the cache folder) the synthetic episode with the sample's frame \
            count and builds its features, or takes --episode with --features, then times each \
            diagnostic from the loaded features (median of --repeats runs after one warm-up of \
            the ablation). Prints one JSON object.

            Examples:
              swift run -c release xp-bench diagnose
              swift run -c release xp-bench diagnose --protocol reference --repeats 1
            """)

    @Option(parsing: .unconditional, help: "Frames of the synthetic episode, in \(Bounds.text(Limits.frames)).") var frames = 5821
    @Option(name: .customLong("protocol"), help: "reference or strict.") var suiteProtocol = "strict"
    @Option(parsing: .unconditional, help: "Timed runs per diagnostic, in \(Bounds.text(Limits.repeats)).") var repeats = 1
    @Option(help: "Cache folder.") var cache = SuiteCache.defaultFolder
    @Option(help: "An episode folder instead of the synthetic one (needs --features).") var episode: String?
    @Option(help: "The xp-features folder of --episode.") var features: String?

    enum Limits {
        static let frames = 200...50_000
        static let repeats = 1...20
    }

    func validate() throws {
        guard SuiteProtocol(rawValue: suiteProtocol) != nil else { throw ValidationError("--protocol must be reference or strict, found '\(suiteProtocol)'") }
        try Bounds.check(frames, "--frames", in: Limits.frames)
        try Bounds.check(repeats, "--repeats", in: Limits.repeats)
        if (episode == nil) != (features == nil) { throw ValidationError("give --episode and --features together") }
    }

    func run() throws {
        try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache")
        BLASConfiguration.shortenIdleSpin()
        let loadAtStart = benchLoadAverage()
        let p = SuiteProtocol(rawValue: suiteProtocol) ?? .strict
        let note: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let source: (episode: URL, features: URL)
        if let episode, let features {
            source = (URL(fileURLWithPath: episode), URL(fileURLWithPath: features))
        } else {
            let made = try SuiteCache.syntheticEpisode(cache: URL(fileURLWithPath: cache), frames: frames, featureProtocol: p.featureProtocol, progress: note)
            source = (made.episode, made.features)
        }
        let loadStart = Date()
        let loaded = try EpisodeLoader.load(folder: source.episode, source: .folder(source.features), suiteProtocol: p)
        let loadSeconds = Date().timeIntervalSince(loadStart)

        func time(_ body: () throws -> Int) rethrows -> (median: Double, runs: [Double], rows: Int) {
            var runs: [Double] = [], rows = 0
            for _ in 0..<repeats {
                let t = Date()
                rows = try body()
                runs.append(Date().timeIntervalSince(t))
            }
            return (benchMedian(runs), runs, rows)
        }
        let ablationConfig = ModalityAblation.Configuration(protocol: p)
        let ablation = try time { try ModalityAblation.run(episodes: [loaded], configuration: ablationConfig).count }
        let alignment = try time { try AlignmentStress.run(episodes: [loaded], configuration: AlignmentStress.Configuration(protocol: p)).count }
        let missing = try time { try MissingViews.run(episodes: [loaded], configuration: MissingViews.Configuration(protocol: p)).count }
        let entry = { (t: (median: Double, runs: [Double], rows: Int)) -> [String: Any] in ["median_seconds": t.median, "runs_seconds": t.runs, "rows": t.rows] }
        let result: [String: Any] = [
            "area": "diagnose", "protocol": p.rawValue, "frames": loaded.frames.frameCount, "windows": loaded.windows.count,
            "episode": episode == nil ? "built-in synthetic (tiny media streams)" : source.episode.path,
            "load_seconds": loadSeconds,
            "ablation": entry(ablation).merging(["tasks": ablationConfig.tasks.count, "groups": ablationConfig.groups.count,
                                                 "modes": ablationConfig.modes.map(\.rawValue)]) { a, _ in a },
            "alignment_stress": entry(alignment), "missing_views": entry(missing),
            "head": "ridge l2=10", "peak_rss_mb": benchPeakRSSMegabytes(), "blas_threads": BLASConfiguration.threads,
            "note": "single run on a shared 2-core machine", "load_average_1min_at_start": loadAtStart,
        ]
        print(benchJSON(result))
    }
}
