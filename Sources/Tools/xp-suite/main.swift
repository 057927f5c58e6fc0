import ArgumentParser
import Foundation
import Heads
import Report
import TaskContracts
import WindowAlign
import ToolSupport

/// `xp-suite`: the 12 tasks, both heads, one protocol, over one or more episodes.
struct XPSuite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-suite",
        abstract: "Run the 12 task contracts with both heads and write the artifact tree and summary.",
        discussion: """
            With no episode, a built-in synthetic episode is generated once (cached under \
            .xp-cache/ in the working directory) and used. Progress goes to stderr; the \
            summary table to stdout and to <out>/summary.md.

            Examples:
              xp-suite
              xp-suite --protocol reference --seeds 7
              xp-suite --episode data/ep1 --features feats/ep1 --out results/ep1 --overwrite
              xp-suite --episodes list.txt --tasks timeline_action,temporal_order --heads minimal
              xp-suite --no-report
            Beside summary.md, report.html (xp-report's page: tables and inline SVG charts) is \
            written unless --no-report is given.
            A list file has one episode folder per line, optionally followed by a tab or comma \
            and its session id (episodes of one session never span splits), and optionally a \
            third field: its xp-features output folder.
            """
    )

    @Option(name: .customLong("episode"), help: "An episode folder (repeatable).")
    var episode: [String] = []

    @Option(name: .customLong("features"), help: "The xp-features output folder of each --episode, in the same order (repeatable; optional).")
    var features: [String] = []

    @Option(name: .customLong("episodes"), help: "A file listing episode folders (see above).")
    var episodes: String?

    @Option(name: .customLong("protocol"), help: "reference or strict.")
    var suiteProtocol: String = "strict"

    @Option(help: "Comma-separated task ids, or all.")
    var tasks: String = "all"

    @Option(help: "Comma-separated heads: minimal, neural.")
    var heads: String = "minimal,neural"

    @Option(parsing: .unconditional, help: "Comma-separated seeds, \(Limits.seeds.lowerBound) to \(Limits.seeds.upperBound) of them (default: 7 for reference, 7,8,9 for strict).")
    var seeds: String?

    @Option(help: "Output folder (default: outputs/xp-suite-<protocol>, numbered if it exists).")
    var out: String?

    @Flag(help: "Replace an existing output folder.")
    var overwrite = false

    @Option(help: "Cache folder for the built-in synthetic episode.")
    var cache: String = SuiteCache.defaultFolder

    @Option(parsing: .unconditional, help: "Frames of the built-in synthetic episode, in \(Bounds.text(Limits.frames)).")
    var frames: Int = SuiteCache.defaultFrames

    @Flag(help: "Permute the training targets (a control run: heads should fall to their baselines).")
    var shuffleLabels = false

    @Flag(help: "Build only the features that need no media decoding (video, depth and audio blocks absent).")
    var sensorsOnly = false

    @Option(help: ArgumentHelp("Caption frame-reference rules: current or release (default: release with --protocol reference, current with strict).",
                               valueName: "rules"))
    var captionRules: String?

    @Flag(help: "No progress on stderr (data-quality findings are always shown).")
    var quiet = false

    @Flag(help: "Do not write report.html beside summary.md.")
    var noReport = false

    @OptionGroup var badData: BadDataOptions

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Tasks run side by side, each with one BLAS thread (default: one per core), in \(Bounds.text(Limits.concurrentTasks)). 1 runs them one after the other with OpenBLAS's default threads; results then differ in the last bits.",
                               valueName: "n"))
    var concurrentTasks: Int = min(SuiteConfiguration.defaultConcurrentTasks, Limits.concurrentTasks.upperBound)

    /// The allowed values of the numeric options (checked in `validate()`).
    enum Limits {
        /// Frames of the synthetic episode: fewer leave test classes unseen in train; more
        /// than about 8 sample episodes is not a built-in fixture any more.
        static let frames = 200...50_000
        /// Tasks side by side (threads).
        static let concurrentTasks = 1...64
        /// Seeds per run (each one trains every head of every task again).
        static let seeds = 1...32
    }

    func validate() throws {
        guard SuiteProtocol(rawValue: suiteProtocol) != nil else { throw ValidationError("--protocol must be reference or strict") }
        if let captionRules, CaptionRuleSet(rawValue: captionRules) == nil {
            throw ValidationError("--caption-rules must be current or release, found '\(captionRules)'")
        }
        try Bounds.check(frames, "--frames", in: Limits.frames)
        try Bounds.check(concurrentTasks, "--concurrent-tasks", in: Limits.concurrentTasks)
        if !features.isEmpty && features.count != episode.count {
            throw ValidationError("give one --features per --episode (\(episode.count) episodes, \(features.count) feature folders)")
        }
        do { _ = try TaskID.parseList(tasks) } catch { throw ValidationError("\(error)") }
        for h in heads.split(separator: ",") where HeadKind(rawValue: String(h)) == nil {
            throw ValidationError("unknown head '\(h)'; use minimal, neural")
        }
        guard !headList.isEmpty else { throw ValidationError("--heads must name at least one head (minimal, neural), found '\(heads)'") }
        if let seeds { _ = try SeedList.parse(seeds, option: "--seeds", count: Limits.seeds) }
    }

    var headList: [HeadKind] { heads.split(separator: ",").compactMap { HeadKind(rawValue: String($0)) } }

    /// `--out`, or the first free `outputs/xp-suite-<protocol>[-n]`.
    func outputFolder(_ p: SuiteProtocol) -> URL {
        if let out { return URL(fileURLWithPath: out) }
        var candidate = URL(fileURLWithPath: "outputs/xp-suite-\(p.rawValue)")
        var n = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = URL(fileURLWithPath: "outputs/xp-suite-\(p.rawValue)-\(n)")
            n += 1
        }
        return candidate
    }

    func run() throws {
        // Training alternates BLAS calls with its own two-thread passes; idle BLAS workers must
        // not poll the cores meanwhile (see BLASConfiguration.shortenIdleSpin).
        BLASConfiguration.shortenIdleSpin()
        let p = SuiteProtocol(rawValue: suiteProtocol) ?? .strict
        let isQuiet = quiet
        let say: @Sendable (String) -> Void = { message in if !isQuiet { Tool.note(message) } }
        // Before any work (no episode generated or read, no cache written): the output
        // folder must be usable and new (or --overwrite given), and the cache folder usable
        // when something is to be generated or built there.
        let output = outputFolder(p)
        try Tool.checkNewOutputFolder(output, option: "--out", overwrite: overwrite)
        var inputs = try EpisodeInput.fromCommandLine(episodes: episode, features: features, list: episodes)
        if inputs.isEmpty || (!sensorsOnly && inputs.contains(where: { $0.features == nil })) {
            try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache")
        }
        let seedList = try seeds.map { try SeedList.parse($0, option: "--seeds", count: Limits.seeds) }
        var config = SuiteConfiguration(protocol: p, seeds: seedList)
        config.tasks = try TaskID.parseList(tasks)
        config.heads = headList
        config.overwrite = overwrite
        config.shuffleTrainLabels = shuffleLabels
        config.progress = say
        config.concurrentTasks = concurrentTasks

        let rules = captionRules.flatMap(CaptionRuleSet.init(rawValue:))
        config.captionRules = rules ?? p.featureProtocol.defaultCaptionRules
        // The quality pass first: with --on-bad-data error nothing is built, cached or written.
        var findings = try DataFindings.gate(inputs.map(\.episode), mode: badData.onBadData, captionRules: config.captionRules ?? p.featureProtocol.defaultCaptionRules,
                                             media: !sensorsOnly, quiet: quiet)
        var loaded: [SuiteEpisode]? = nil
        if inputs.isEmpty {
            let cached = try SuiteCache.syntheticEpisode(cache: URL(fileURLWithPath: cache), frames: frames,
                                                         featureProtocol: p.featureProtocol,
                                                         captionRules: rules, progress: say)
            // Just built: use it as it is in memory rather than reading back what was written.
            if let built = cached.built, !sensorsOnly { loaded = [built] }
            inputs.append(EpisodeInput(episode: cached.episode, features: cached.features))
            findings = try DataFindings.gate([cached.episode], mode: badData.onBadData, captionRules: config.captionRules ?? p.featureProtocol.defaultCaptionRules, media: !sensorsOnly, quiet: true)
        }
        var suiteEpisodes = try loaded ?? EpisodeInput.load(inputs, protocol: p, cache: URL(fileURLWithPath: cache), sensorsOnly: sensorsOnly,
                                                       captionRules: rules, progress: say)
        for i in suiteEpisodes.indices where i < findings.count { suiteEpisodes[i].dataFindings = findings[i] }
        let start = Date()
        let report = try SuiteRunner.run(episodes: suiteEpisodes, configuration: config, output: output)
        say(String(format: "suite finished in %.1f s; artifacts in %@", Date().timeIntervalSince(start), output.path))
        if !noReport {
            // The page reads the committed folder, so it shows exactly what the files say;
            // a failure here does not undo the run (the artifacts are complete), it is reported.
            let features = inputs.count == 1 ? inputs.first?.features : nil
            do {
                let bytes = try RunReport.write(RunReport.Options(folder: output, features: features), to: output.appendingPathComponent("report.html"))
                say("report.html written (\(bytes) bytes)")
            } catch {
                Tool.note("error: report.html not written: \(error)")
                throw ExitCode(1)
            }
        }
        print(report.markdown)
        if report.rows.contains(where: { $0.status == "error" }) { throw ExitCode(1) }
    }
}

Tool.main(XPSuite.self)
