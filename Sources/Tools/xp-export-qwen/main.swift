import ArgumentParser
import EpisodeIO
import Exporters
import Foundation
import ToolSupport
import WindowAlign
import XPCore

/// `xp-export-qwen`: the Qwen3-Omni JSON-QA training set of a multi-episode dataset.
struct XPExportQwen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-export-qwen",
        abstract: "Export a dataset as Qwen3-Omni JSON-QA records: dataset.jsonl, mosaic clips, WAVs, sensor NPZs and dataset_manifest.json.",
        discussion: """
            ROOT holds <session>/ep<k>/ episodes. Each episode is scanned first (the quality pass, no video \
            frame read); an episode that cannot be used is skipped with its reason in the manifest. The split \
            comes from --split (a split.json from xp-select, used verbatim); without it, every usable episode is \
            split on the fly by session (96/16/16 proportions, seed --seed).

            Records: windows of --window frames every --stride (labelled by the 0.6 majority), at most --cap per \
            episode (round-robin over action labels), each with a 2x3 mosaic clip (960x480, --max-video-frames \
            frames at 8 fps, a missing camera is a black tile), a 16 kHz mono WAV of the context, and a pointer \
            into the episode's sensor NPZ (4,430 columns). --multiscale exports several window scales at once.

            Episodes go round-robin to --shards shards by split and are exported --jobs at a time; the merge \
            reads shards in order, so the output depends on --shards and never on --jobs. Killed, the same \
            command resumes where it stopped; run again when finished, it does nothing.

            Sharded (a cluster's job array, as xp-slurm plans it; needs --relative-paths and the same export \
            options in all three): --plan-only writes the scan's skip reasons, the split and every episode's \
            shard to --out; --from-plan PLAN --episode EP exports one episode into its own --out part folder; \
            --combine PLAN --parts PARTS links the parts (PARTS/<episode key>/) into --out and merges. The \
            combined folder is byte for byte the single run's; an episode without a part is listed as failed.

            Examples:
              xp-fixture --size tiny --dataset 8 --out dataset
              xp-export-qwen dataset --out export
              xp-select scan --out split && xp-export-qwen dataset --split split/split.json --out export
              xp-export-qwen dataset --out export --protocol reference --prompt-template Fixtures/prompts/reference-p3.json
              xp-export-qwen dataset --out export-ms --multiscale multiscale_20s10_40s20_80s40 --zstd
              xp-export-qwen dataset --relative-paths --plan-only --out plan
              xp-export-qwen dataset --relative-paths --from-plan plan --episode dataset/s1/ep1 --out parts/s1__ep1
              xp-export-qwen dataset --relative-paths --combine plan --parts parts --out export
            """
    )

    @Argument(help: "Dataset root.")
    var root: String

    @Option(help: "Output folder (created; an existing one is resumed when its settings match).")
    var out: String

    @Option(help: "A split.json from xp-select (used verbatim).")
    var split: String?

    @Option(help: ArgumentHelp("reference or strict: the sensor features' protocol and the default option vocabulary.", valueName: "protocol"))
    var `protocol`: String = "strict"

    @Option(parsing: .unconditional, help: "Frames per label window, in \(Bounds.text(Limits.window)).")
    var window: Int = 20

    @Option(parsing: .unconditional, help: "Frames between window starts, in \(Bounds.text(Limits.window)).")
    var stride: Int = 20

    @Option(parsing: .unconditional, help: "Context frames around each window for the clip and audio (default: 120, or by window size for --multiscale), in \(Bounds.text(Limits.context)).")
    var contextFrames: Int?

    @Option(parsing: .unconditional, help: "Records per episode and scale, 0 for all (default: 32, or 96 per scale with --multiscale), in \(Bounds.text(Limits.cap)).")
    var cap: Int?

    @Option(help: ArgumentHelp("Several scales, e.g. multiscale_20s10_40s20_80s40 (replaces --window/--stride).", valueName: "spec"))
    var multiscale: String?

    @Option(help: ArgumentHelp("Share of a window's labelled frames its majority label needs (0...1).", valueName: "share"))
    var minLabelFraction: Double = 0.6

    @Option(parsing: .unconditional, help: "Frames per mosaic clip, in \(Bounds.text(Limits.videoFrames)).")
    var maxVideoFrames: Int = 16

    @Flag(help: "Write no mosaic clips or WAVs (their paths are null).")
    var noMedia = false

    @Option(help: ArgumentHelp("fixed (a missing camera keeps its place as a black tile) or compacted (the reference: later tiles shift left).", valueName: "layout"))
    var mosaicLayout: String = "fixed"

    @Option(help: ArgumentHelp("x264 preset of the mosaic clips (ultrafast ... placebo; slower presets make smaller files).", valueName: "preset"))
    var mosaicPreset: String = "ultrafast"

    @Option(help: "A prompt template JSON (e.g. Fixtures/prompts/reference-p3.json reproduces the reference's P3 prompt).")
    var promptTemplate: String?

    @Option(help: ArgumentHelp("Labels offered as options: all (every split, the reference) or train (default under strict).", valueName: "all|train"))
    var optionsFrom: String?

    @Flag(help: "Write output paths relative to the export folder (a movable, byte-reproducible export).")
    var relativePaths = false

    @Flag(help: "Write dataset.jsonl.zst (zstd) instead of dataset.jsonl.")
    var zstd = false

    @Option(parsing: .unconditional, help: "Shards, in \(Bounds.text(Limits.shards)).")
    var shards: Int = 8

    @Option(parsing: .unconditional, help: "Episodes exported at once (default: one per core), in \(Bounds.text(Limits.jobs)).")
    var jobs: Int?

    @Option(parsing: .unconditional, help: "Seed of the on-the-fly split.")
    var seed: UInt64 = 7

    @Option(help: "Run id in the manifest.")
    var runID: String = "xperience10m_qwen3_omni"

    @Option(help: ArgumentHelp("Caption frame-reference rules: current or release (default: the protocol's).", valueName: "rules"))
    var captionRules: String?

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Flag(help: "Sharded, step 1: write only the export plan (skip reasons, split, shards) to --out.")
    var planOnly = false

    @Option(help: ArgumentHelp("Sharded, step 2: the plan folder of --plan-only; exports --episode into --out.", valueName: "plan"))
    var fromPlan: String?

    @Option(help: ArgumentHelp("Sharded, step 2: the episode folder to export (one of the plan's).", valueName: "folder"))
    var episode: String?

    @Option(help: ArgumentHelp("Sharded, step 3: the plan folder of --plan-only; combines --parts into --out.", valueName: "plan"))
    var combine: String?

    @Option(help: ArgumentHelp("Sharded, step 3: the folder of the parts, one <episode key>/ folder each.", valueName: "folder"))
    var parts: String?

    enum Limits {
        static let window = 1...100_000
        static let context = 1...1_000_000
        static let cap = 0...1_000_000
        static let videoFrames = 1...256
        static let shards = 1...1_000
        static let jobs = 1...256
    }

    func validate() throws {
        try Bounds.check(window, "--window", in: Limits.window)
        try Bounds.check(stride, "--stride", in: Limits.window)
        try Bounds.check(contextFrames, "--context-frames", in: Limits.context)
        try Bounds.check(cap, "--cap", in: Limits.cap)
        try Bounds.check(maxVideoFrames, "--max-video-frames", in: Limits.videoFrames)
        try Bounds.check(shards, "--shards", in: Limits.shards)
        try Bounds.check(jobs, "--jobs", in: Limits.jobs)
        guard FeatureProtocol(rawValue: `protocol`) != nil else { throw ValidationError("--protocol must be reference or strict, found '\(`protocol`)'") }
        guard minLabelFraction.isFinite, (0...1).contains(minLabelFraction) else { throw ValidationError("--min-label-fraction must be in 0...1, found \(minLabelFraction)") }
        guard MosaicLayout(rawValue: mosaicLayout) != nil else { throw ValidationError("--mosaic-layout must be fixed or compacted, found '\(mosaicLayout)'") }
        guard QwenExportOptions.x264Presets.contains(mosaicPreset) else {
            throw ValidationError("--mosaic-preset must be one of \(QwenExportOptions.x264Presets.joined(separator: ", ")), found '\(mosaicPreset)'")
        }
        if let optionsFrom, OptionVocabulary(rawValue: optionsFrom) == nil { throw ValidationError("--options-from must be all or train, found '\(optionsFrom)'") }
        if let captionRules, CaptionRules(rawValue: captionRules) == nil { throw ValidationError("--caption-rules must be current or release, found '\(captionRules)'") }
        if let multiscale {
            do { _ = try MultiscaleSpec(parsing: multiscale) } catch { throw ValidationError("--multiscale: \(error)") }
        }
        if let contextFrames, multiscale == nil, contextFrames < window {
            throw ValidationError("--context-frames (\(contextFrames)) must be at least --window (\(window))")
        }
        try validateSharded()
    }

    /// The sharded modes exclude one another, come with their second option, and need relative
    /// paths (a part's record paths must not name the folder it was made in).
    func validateSharded() throws {
        let modes = [planOnly ? "--plan-only" : nil, fromPlan.map { _ in "--from-plan" }, combine.map { _ in "--combine" }].compactMap { $0 }
        if modes.count > 1 { throw ValidationError("\(modes.joined(separator: " and ")) are different steps of a sharded export; give one") }
        if (fromPlan == nil) != (episode == nil) { throw ValidationError("--from-plan and --episode go together (the plan folder and the episode to export)") }
        if (combine == nil) != (parts == nil) { throw ValidationError("--combine and --parts go together (the plan folder and the parts folder)") }
        if let mode = modes.first {
            if !relativePaths { throw ValidationError("\(mode) needs --relative-paths: a part's record paths must not name the folder it was made in") }
            if split != nil, mode != "--plan-only" { throw ValidationError("--split belongs to --plan-only (the plan holds the split)") }
        }
    }

    func exportOptions() throws -> QwenExportOptions {
        let featureProtocol = FeatureProtocol(rawValue: `protocol`) ?? .strict
        var scales: [QwenScale]
        var multiscaleID: String? = nil
        if let multiscale {
            let spec = try MultiscaleSpec(parsing: multiscale)
            scales = QwenScale.scales(spec, cap: cap ?? 96)
            if let contextFrames { for i in scales.indices { scales[i].contextFrames = max(contextFrames, scales[i].window) } }
            multiscaleID = multiscale
        } else {
            scales = [QwenScale(window: window, stride: stride, contextFrames: contextFrames ?? 120, cap: cap ?? 32)]
        }
        let prompt = try promptTemplate.map { try QwenPrompt.load(URL(fileURLWithPath: $0)) } ?? .standard
        return QwenExportOptions(scales: scales, multiscaleID: multiscaleID, minLabelFraction: minLabelFraction, maxVideoFrames: maxVideoFrames,
                                 renderMedia: !noMedia, mosaicLayout: MosaicLayout(rawValue: mosaicLayout) ?? .fixed, mosaicPreset: mosaicPreset, featureProtocol: featureProtocol,
                                 captionRules: captionRules.flatMap(CaptionRules.init(rawValue:)), prompt: prompt,
                                 vocabulary: optionsFrom.flatMap(OptionVocabulary.init(rawValue:)), paths: relativePaths ? .relative : .absolute,
                                 zstd: zstd, shards: shards, jobs: jobs ?? 0, runID: runID)
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        try Tool.checkOutput(outURL, option: "--out")
        let options = try exportOptions()
        try options.validate()
        if let fromPlan, let episode { return try exportPart(plan: URL(fileURLWithPath: fromPlan), episode: URL(fileURLWithPath: episode), out: outURL, options: options) }
        if let combine, let parts { return try combineParts(plan: URL(fileURLWithPath: combine), parts: URL(fileURLWithPath: parts), out: outURL, options: options) }
        let rootURL = URL(fileURLWithPath: root)
        let folders = try DatasetEpisodes.find(root: rootURL)

        // The scan's skip reasons (no frames read) decide which episodes are not exported.
        let scanProgress = Progress("xp-export-qwen scan", total: folders.count, quiet: quiet)
        let scanOptions = ScanOptions(windowSpec: WindowSpec(size: options.scales[0].window, stride: options.scales[0].stride,
                                                             minLabelFraction: options.minLabelFraction),
                                      captionRules: options.resolvedCaptionRules)
        let entries = DatasetScan.scan(folders, options: scanOptions, workers: jobs ?? 0) { done, _ in scanProgress.update(done) }
        var skip: [EpisodeKey: String] = [:]
        for e in entries where !e.usable { skip[e.key] = e.skipReason ?? "unusable" }
        for e in entries { DataFindings.print(e.findings) }

        let assignment = try ExportSplit.resolve(file: split.map(URL.init(fileURLWithPath:)), entries: entries, seed: seed)
        // With a split file, only the episodes it names are exported.
        let named = split == nil ? folders : folders.filter { assignment.split(of: EpisodeKey(folder: $0)) != nil }
        if split != nil, named.count < folders.count {
            Tool.note("\(folders.count - named.count) episodes of \(root) are not in \(split ?? "") and are not exported")
        }
        let plan = QwenExportPlan(episodes: named, split: { assignment.split(of: $0) }, shards: options.shards, skipReasons: skip)
        if planOnly {
            try QwenShardedExport.writePlan(plan, assignment: assignment, options: options, to: outURL)
            Tool.note("planned \(plan.items.count) episodes (\(skip.count) skipped) in \(plan.shards) shards")
            print(outURL.path)
            return
        }
        let progress = Progress("xp-export-qwen", total: plan.items.count, quiet: quiet)
        let started = Date()
        let summary = try QwenExport.run(plan: plan, out: outURL, options: options) { done, _ in progress.update(done) }
        let audit = try ExportSplit.audit(dataset: summary.datasetURL, split: assignment, options: options, out: outURL)
        let seconds = Date().timeIntervalSince(started)
        for o in summary.skipped { Tool.note("skipped \(o.key): \(o.reason ?? "")") }
        for o in summary.failed { Tool.note("error: \(o.key) failed: \(o.reason ?? "")") }
        if summary.nothingToDo {
            Tool.note("nothing to do: \(outURL.path) is a finished export with these settings (\(summary.records) records)")
        } else {
            Tool.note(String(format: "exported %d records from %d episodes (%d this run, %d skipped, %d failed) in %.1f s",
                             summary.records, summary.outcomes.filter { $0.status == .exported }.count, summary.exportedNow,
                             summary.skipped.count, summary.failed.count, seconds))
        }
        if !audit.passed { Tool.note("error: the leakage audit failed; see \(outURL.appendingPathComponent("leakage_audit.json").path)") }
        print(summary.datasetURL.path)
        if !summary.failed.isEmpty || !audit.passed { throw ExitCode(1) }
    }
}

extension XPExportQwen {
    /// `--from-plan PLAN --episode EP`: one episode's part; exit 1 when the episode fails.
    func exportPart(plan: URL, episode: URL, out: URL, options: QwenExportOptions) throws {
        let outcome = try QwenShardedExport.exportPart(episode: episode, planFolder: plan, out: out, options: options)
        switch outcome.status {
        case .failed: throw ToolError("\(outcome.key.text) failed: \(outcome.reason ?? "unknown error")")
        case .skipped: Tool.note("skipped \(outcome.key.text): \(outcome.reason ?? "")")
        case .exported: Tool.note("exported \(outcome.records) records of \(outcome.key.text)")
        }
        print(out.path)
    }

    /// `--combine PLAN --parts PARTS`: the parts linked into one export, merged and audited.
    func combineParts(plan: URL, parts: URL, out: URL, options: QwenExportOptions) throws {
        let combined = try QwenShardedExport.combine(planFolder: plan, parts: parts, out: out, options: options)
        let audit = try ExportSplit.audit(dataset: combined.summary.datasetURL, split: combined.assignment, options: options, out: out)
        if !combined.missing.isEmpty {
            Tool.note("\(combined.missing.count) episode(s) have no part and are listed as failed (\(combined.missing.prefix(5).map(\.text).joined(separator: ", "))); export them and combine again")
        }
        Tool.note("combined \(combined.summary.records) records from \(combined.summary.outcomes.filter { $0.status == .exported }.count) episodes")
        if !audit.passed { Tool.note("error: the leakage audit failed; see \(out.appendingPathComponent("leakage_audit.json").path)") }
        print(combined.summary.datasetURL.path)
        if !audit.passed { throw ExitCode(1) }
    }
}

Tool.main(XPExportQwen.self)
