import ArgumentParser
import Foundation
import Heads
import TaskContracts
import ToolSupport
import WindowAlign
import XPCore

/// `xp-train`: one task, one head, one seed → model and test-set predictions. The same
/// libraries as `xp-suite`, one step at a time; `xp-evaluate` scores the output.
struct XPTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-train",
        abstract: "Train one head on one task of one or more episodes and write the model and its test-set predictions.",
        discussion: """
            The output folder holds model.safetensors, predictions.json (and values.npy for \
            regression and projection tasks); xp-evaluate turns it into metrics. One episode is \
            split chronologically; several are split by session into train, validation and test \
            episodes (the assignment seeded by --split-seed, recorded in predictions.json). In \
            strict, the neural head stops early on the validation episodes.

            Examples:
              xp-train --episode ep1 --features feats/ep1 --task timeline_action --head minimal --out run/action
              xp-train --episode ep1 --task temporal_order --head neural --protocol reference --seed 8 --out run/order
              xp-train --episodes list.txt --task next_action --head neural --out run/next
            An episode list has one episode folder per line, optionally followed by a tab or \
            comma and its session id, and optionally a third field: its xp-features folder.
            """
    )

    @Option(help: "An episode folder (repeatable).") var episode: [String] = []
    @Option(help: "The xp-features output folder of each --episode, in the same order (repeatable; default: build the features).")
    var features: [String] = []
    @Option(help: "A file listing episode folders (see above).") var episodes: String?
    @Option(help: "The task id.") var task: String
    @Option(help: "minimal or neural.") var head: String = "minimal"
    @Option(name: .customLong("protocol"), help: "reference or strict.") var suiteProtocol: String = "strict"
    @Option(parsing: .unconditional, help: "Seed of the head (initialisation, batches, dropout); a non-negative integer.") var seed: UInt64 = 7
    @Option(parsing: .unconditional, help: "Seed of the episode-to-split assignment, with several episodes (xp-suite uses its first seed); a non-negative integer.")
    var splitSeed: UInt64 = 7
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Replace an existing output folder.") var overwrite = false
    @Flag(help: "Permute the training targets (a control).") var shuffleLabels = false
    @Option(help: "Cache folder for per-frame feature caches.") var cache: String = SuiteCache.defaultFolder
    @Option(parsing: .unconditional, help: "OpenBLAS threads, in \(Bounds.text(Limits.blasThreads)) (default: the library's). 1 reproduces xp-suite's numbers when it runs tasks side by side (its default on several cores).")
    var blasThreads: Int?

    /// The allowed values of the numeric options (checked in `validate()`).
    enum Limits {
        /// OpenBLAS threads (the library caps them at its build's maximum anyway).
        static let blasThreads = 1...64
    }

    func validate() throws {
        guard TaskID(rawValue: task) != nil else { throw ValidationError("unknown task '\(task)'; known: \(TaskID.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard HeadKind(rawValue: head) != nil else { throw ValidationError("--head must be minimal or neural") }
        guard SuiteProtocol(rawValue: suiteProtocol) != nil else { throw ValidationError("--protocol must be reference or strict") }
        guard !episode.isEmpty || episodes != nil else { throw ValidationError("give --episode (repeatable) or --episodes LIST") }
        if !features.isEmpty && features.count != episode.count {
            throw ValidationError("give one --features per --episode (\(episode.count) episodes, \(features.count) feature folders)")
        }
        try Bounds.check(blasThreads, "--blas-threads", in: Limits.blasThreads)
    }

    @OptionGroup var badData: BadDataOptions

    func run() throws {
        // Before any work: the output folder must be usable and new (or --overwrite given),
        // and the cache folder usable when features are to be built.
        let output = URL(fileURLWithPath: out)
        try Tool.checkNewOutputFolder(output, option: "--out", overwrite: overwrite)
        let inputs = try EpisodeInput.fromCommandLine(episodes: episode, features: features, list: episodes)
        if inputs.contains(where: { $0.features == nil }) { try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache") }
        // Training alternates BLAS calls with its own two-thread passes; idle BLAS workers must
        // not poll the cores meanwhile (see BLASConfiguration.shortenIdleSpin).
        BLASConfiguration.shortenIdleSpin()
        if let blasThreads { BLASConfiguration.setThreads(blasThreads) }
        let p = SuiteProtocol(rawValue: suiteProtocol) ?? .strict
        let t = TaskID(rawValue: task) ?? .timelineAction
        let h = HeadKind(rawValue: head) ?? .minimal
        let findings = try DataFindings.gate(inputs.map(\.episode), mode: badData.onBadData, captionRules: p.featureProtocol.defaultCaptionRules,
                                             media: true, quiet: false)
        var loaded = try EpisodeInput.load(inputs, protocol: p, cache: URL(fileURLWithPath: cache), progress: { Tool.note($0) })
        for i in loaded.indices where i < findings.count { loaded[i].dataFindings = findings[i] }
        if let f = t.blockedEverywhere(loaded) {
            throw ToolError("\(t.rawValue) is not applicable: the data of every episode blocks it (first: [\(f.check)] \(f.dataset ?? f.file) in \(f.file): found \(f.found)). Nothing was written.")
        }
        let policy = try SplitPolicy.standard(for: loaded, seed: splitSeed)
        Tool.note("\(t.rawValue): building inputs (\(p.rawValue), \(policy.name) split)")
        let problem = try TaskProblemBuilder.build(TaskContract(t, protocol: p), episodes: loaded, policy: policy)
        let validation = problem.validationRows.count
        Tool.note("\(t.rawValue): training the \(h.rawValue) head on \(problem.trainRows.count) samples\(validation > 0 ? " (\(validation) validation)" : ""), predicting \(problem.testRows.count)")
        let predictions = try HeadRunner.run(problem, head: h, seed: seed, settings: .defaults(for: p), shuffleTrainLabels: shuffleLabels)
        let provenance = PredictionsFile.Provenance(episodes: loaded.map(\.name), split: policy.name,
                                                    splitSeed: loaded.count > 1 ? splitSeed : nil)
        // The folder appears whole or not at all (an existing one is replaced only then).
        try AtomicFolder.write(to: output) { staging in
            try PredictionsFile.write(predictions, protocol: p, provenance: provenance, to: staging)
        }
        print(output.path)
    }
}

Tool.main(XPTrain.self)
