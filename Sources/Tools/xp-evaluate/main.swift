import ArgumentParser
import Foundation
import TaskContracts
import ToolSupport
import WindowAlign
import XPCore

/// `xp-evaluate`: predictions written by `xp-train` → the task's metrics and files, exactly as
/// `xp-suite` writes them for that task and head.
struct XPEvaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-evaluate",
        abstract: "Score xp-train predictions against the task's targets and write metrics.json and its files.",
        discussion: """
            The task, head, protocol, seed and split come from predictions.json; the targets are \
            rebuilt from the same episodes and features (given in the same order as to \
            xp-train), and the test rows must match.

            Examples:
              xp-evaluate --episode ep1 --features feats/ep1 --predictions run/action --out run/action-eval
              xp-evaluate --episode ep1 --predictions run/order --out run/order-eval --no-bootstrap
              xp-evaluate --episodes list.txt --predictions run/next --out run/next-eval
            """
    )

    @Option(help: "An episode folder (repeatable).") var episode: [String] = []
    @Option(help: "The xp-features output folder of each --episode, in the same order (repeatable; default: build the features).")
    var features: [String] = []
    @Option(help: "A file listing episode folders (as for xp-train).") var episodes: String?
    @Option(help: "An xp-train output folder.") var predictions: String
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Replace an existing output folder.") var overwrite = false
    @Flag(help: "Skip the bootstrap interval (strict runs compute one by default).") var noBootstrap = false
    @Option(help: "Cache folder for per-frame feature caches.") var cache: String = SuiteCache.defaultFolder

    func validate() throws {
        guard !episode.isEmpty || episodes != nil else { throw ValidationError("give --episode (repeatable) or --episodes LIST") }
        if !features.isEmpty && features.count != episode.count {
            throw ValidationError("give one --features per --episode (\(episode.count) episodes, \(features.count) feature folders)")
        }
    }

    func run() throws {
        // Before any work: the output folder must be usable and new (or --overwrite given),
        // and the cache folder usable when features are to be built.
        let output = URL(fileURLWithPath: out)
        try Tool.checkNewOutputFolder(output, option: "--out", overwrite: overwrite)
        let inputs = try EpisodeInput.fromCommandLine(episodes: episode, features: features, list: episodes)
        if inputs.contains(where: { $0.features == nil }) { try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache") }
        let (pred, p, provenance) = try PredictionsFile.readWithProvenance(URL(fileURLWithPath: predictions))
        let loaded = try EpisodeInput.load(inputs, protocol: p, cache: URL(fileURLWithPath: cache), progress: { Tool.note($0) })
        let file = predictions + "/predictions.json"
        if let provenance, !provenance.episodes.isEmpty, provenance.episodes != loaded.map(\.name) {
            throw SuiteError.shapeMismatch(what: "episodes of \(file)", expected: provenance.episodes.joined(separator: ", "),
                                           found: loaded.map(\.name).joined(separator: ", "))
        }
        let policy = try SplitPolicy.standard(for: loaded, seed: provenance?.splitSeed ?? 7)
        let problem = try TaskProblemBuilder.build(TaskContract(pred.task, protocol: p), episodes: loaded, policy: policy)
        guard problem.testRows == pred.testRows else {
            throw SuiteError.shapeMismatch(what: "test rows of \(file)", expected: "the \(problem.testRows.count) test rows of \(pred.task.rawValue) on these episodes",
                                           found: "\(pred.testRows.count) rows that differ; were the predictions made on other episodes or another protocol?")
        }
        let score = try TaskEvaluator.evaluate(problem, pred, episodes: loaded, settings: .defaults(for: p), bootstrap: noBootstrap ? false : nil)
        // The folder appears whole or not at all (an existing one is replaced only then).
        try AtomicFolder.write(to: output) { staging in
            try AtomicFile.write(Data(score.metrics.text().utf8), to: staging.appendingPathComponent("metrics.json"))
            for (name, data) in score.files { try AtomicFile.write(data, to: staging.appendingPathComponent(name)) }
        }
        print(score.metrics.text())
    }
}

Tool.main(XPEvaluate.self)
