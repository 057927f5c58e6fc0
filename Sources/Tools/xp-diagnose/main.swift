import ArgumentParser
import EpisodeIO
import Foundation
import Heads
import TaskContracts
import ToolSupport
import WindowAlign

/// `xp-diagnose`: the diagnostics of the task suite (modality ablation, alignment stress,
/// missing views, by session) over one episode or many, written beside a JSON summary.
struct XPDiagnose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-diagnose",
        abstract: "Modality ablation, alignment stress, missing views and per-session scores of the 12 tasks.",
        discussion: """
            Every diagnostic uses the ridge head of the reference's diagnostics (l2 = 10) on the \
            tasks' own samples, targets and split under --protocol. Files in --out: \
            diagnostics.json (what ran, group dims, the file of each diagnostic, best group per \
            task, worst shift, findings), ablation_metrics.csv (each group alone and, in strict, \
            removed; groups that hold the target's source blocks are marked), \
            alignment_shift_metrics.csv, missing_views.csv (each view at its train mean at test \
            time), audio_ablation_metrics.csv and audio_delta_summary.csv (the 168 AAC-band \
            audio features against the 588 raw log-mel ones, also in raw_logmel_features.npy) \
            and, over several sessions, by_session.csv. Each score has its trivial \
            baseline beside it.

            With no episode, the built-in synthetic episode of xp-suite is used (cached under \
            --cache). --features reuses an xp-features folder (or xp-suite's cache) instead of \
            building the features. --episodes takes a folder (every episode folder below it; \
            the parent folder names the session) or a list file as xp-suite's.

            Examples:
              xp-diagnose --out diag
              xp-diagnose --episode data/s1/ep1 --features feats/ep1 --out diag --protocol reference
              xp-diagnose --episode data/s1/ep1 --out diag --only ablation,alignment
              xp-diagnose --episodes data/ --out diag --only by-session --seeds 7,8
            """)

    @Option(help: "An episode folder.") var episode: String?
    @Option(help: "The xp-features output folder of --episode (optional).") var features: String?
    @Option(help: "A folder of episodes (each folder holding annotation.hdf5, to two levels down) or an episode list file.") var episodes: String?
    @Option(help: "Output folder (must be new unless --overwrite).") var out: String
    @Flag(help: "Replace an existing output folder.") var overwrite = false
    @Option(name: .customLong("protocol"), help: "reference or strict.") var suiteProtocol = "strict"
    @Option(help: "Comma-separated diagnostics: \(DiagnosticKind.allCases.map(\.rawValue).joined(separator: ", ")), or all.") var only = "all"
    @Option(help: "Comma-separated task ids, or all.") var tasks = "all"
    @Option(parsing: .unconditional, help: "Comma-separated seeds, \(Limits.seeds.lowerBound) to \(Limits.seeds.upperBound) of them (default: 7 for reference, 7,8,9 for strict).")
    var seeds: String?
    @Option(help: "Cache folder for the built-in synthetic episode and built features.") var cache = SuiteCache.defaultFolder
    @Option(parsing: .unconditional, help: "Frames of the built-in synthetic episode, in \(Bounds.text(Limits.frames)).") var frames = SuiteCache.defaultFrames
    @Flag(help: "No progress on stderr.") var quiet = false

    enum Limits {
        static let frames = 200...50_000
        static let seeds = 1...32
    }

    func validate() throws {
        guard SuiteProtocol(rawValue: suiteProtocol) != nil else { throw ValidationError("--protocol must be reference or strict, found '\(suiteProtocol)'") }
        do { _ = try DiagnosticKind.parseList(only) } catch { throw ValidationError("--only: \(error)") }
        do { _ = try TaskID.parseList(tasks) } catch { throw ValidationError("--tasks: \(error)") }
        if let seeds { _ = try SeedList.parse(seeds, option: "--seeds", count: Limits.seeds) }
        try Bounds.check(frames, "--frames", in: Limits.frames)
        if features != nil && episode == nil { throw ValidationError("--features needs --episode") }
        if episode != nil && episodes != nil { throw ValidationError("give --episode or --episodes, not both") }
        for (path, option) in [(episode, "--episode"), (features, "--features"), (episodes, "--episodes")] {
            if let path, !FileManager.default.fileExists(atPath: path) { throw ValidationError("\(option) \(path) does not exist") }
        }
    }

    func run() throws {
        BLASConfiguration.shortenIdleSpin()
        let p = SuiteProtocol(rawValue: suiteProtocol) ?? .strict
        let isQuiet = quiet
        let say: @Sendable (String) -> Void = { if !isQuiet { Tool.note($0) } }
        let output = URL(fileURLWithPath: out)
        try Tool.checkNewOutputFolder(output, option: "--out", overwrite: overwrite)
        try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache")
        var config = DiagnosticsRunner.Configuration(protocol: p, seeds: try seeds.map { try SeedList.parse($0, option: "--seeds", count: Limits.seeds) })
        config.diagnostics = try DiagnosticKind.parseList(only)
        config.tasks = try TaskID.parseList(tasks)

        var inputs: [EpisodeInput] = []
        if let episode { inputs = [EpisodeInput(episode: URL(fileURLWithPath: episode), features: features.map { URL(fileURLWithPath: $0) })] }
        if let episodes { inputs = try EpisodeFolders.inputs(episodes) }
        var loaded: [SuiteEpisode]
        if inputs.isEmpty {
            let cached = try SuiteCache.syntheticEpisode(cache: URL(fileURLWithPath: cache), frames: frames, featureProtocol: p.featureProtocol, progress: say)
            loaded = try cached.built.map { [$0] } ?? EpisodeInput.load([EpisodeInput(episode: cached.episode, features: cached.features)], protocol: p,
                                                                         cache: URL(fileURLWithPath: cache), progress: say)
            config.episodeFolders = [cached.episode]
        } else {
            config.episodeFolders = inputs.map(\.episode)
            loaded = try EpisodeInput.load(inputs, protocol: p, cache: URL(fileURLWithPath: cache), progress: say)
        }
        if config.diagnostics.contains(.probes), p == .strict, let first = config.episodeFolders.first {
            // The strict ego-motion probe reads the camera poses (a sensors-only timeline pass).
            let timeline = try EpisodeTimeline.build(episodeAt: first, options: EpisodeLoader.timelineOptions(.strict, includeMediaBlocks: false))
            if let poses = timeline.cameraPoses {
                config.camera = Probes.CameraTrack(rotation: poses.rotation, translation: poses.translation, valid: poses.valid)
            }
        }
        let start = Date()
        let result = try DiagnosticsRunner.run(episodes: loaded, configuration: config, progress: say)
        try DiagnosticsWriter.write(result, to: output)
        say(String(format: "diagnostics finished in %.1f s; files in %@", Date().timeIntervalSince(start), output.path))
        for (kind, reason) in result.skipped { Tool.note("\(kind.rawValue) not run: \(reason)") }
    }
}

/// `--episodes`: a folder of episodes or a list file.
enum EpisodeFolders {
    static func inputs(_ path: String) throws -> [EpisodeInput] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return try EpisodeInput.list(file: path) }
        let root = URL(fileURLWithPath: path)
        var found: [URL] = []
        func scan(_ dir: URL, depth: Int) {
            let children = (try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)) ?? []
            for child in children.sorted(by: { $0.path < $1.path }) {
                if FileManager.default.fileExists(atPath: child.appendingPathComponent("annotation.hdf5").path) { found.append(child) }
                else if depth < 2 { scan(child, depth: depth + 1) }
            }
        }
        scan(root, depth: 1)
        guard !found.isEmpty else { throw ToolError("--episodes \(path) holds no episode folder (one with annotation.hdf5) within two levels") }
        return found.map { EpisodeInput(episode: $0) }
    }
}

Tool.main(XPDiagnose.self)
