import ArgumentParser
import Foundation
import TaskContracts
import ToolSupport
import WindowAlign

/// `xp-evaluate`: an `xp-train` output folder → metrics.json and the task's artifact files.
struct XPEvaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-evaluate",
        abstract: "Score xp-train predictions against the task's targets and write metrics.json and its files.",
        discussion: """
            The task, head, protocol and seed come from predictions.json; the targets are \
            rebuilt from the same episode and features, and the test rows must match.

            Examples:
              xp-evaluate --episode ep1 --features feats/ep1 --predictions run/action --out run/action-eval
              xp-evaluate --episode ep1 --predictions run/order --out run/order-eval --no-bootstrap
            """
    )

    @Option(help: "The episode folder.") var episode: String
    @Option(help: "Its xp-features output folder (default: build the features).") var features: String?
    @Option(help: "An xp-train output folder.") var predictions: String
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Replace an existing output folder.") var overwrite = false
    @Flag(help: "Skip the bootstrap interval (strict runs compute one by default).") var noBootstrap = false
    @Option(help: "Cache folder for per-frame feature caches.") var cache: String = SuiteCache.defaultFolder

    func run() throws {
        let output = URL(fileURLWithPath: out)
        if FileManager.default.fileExists(atPath: output.path) && !overwrite { throw SuiteError.outputExists(path: output.path) }
        let (pred, p) = try PredictionsFile.read(URL(fileURLWithPath: predictions))
        let source: EpisodeLoader.FeatureSource
        if let features { source = .folder(URL(fileURLWithPath: features)) } else {
            source = .episodeFeatures(p == .reference ? .reference : .strict, cache: URL(fileURLWithPath: cache).appendingPathComponent("frame-caches"))
        }
        let episodeData = try EpisodeLoader.load(folder: URL(fileURLWithPath: episode), source: source, suiteProtocol: p, progress: { Tool.note($0) })
        let problem = try TaskProblemBuilder.build(TaskContract(pred.task, protocol: p), episodes: [episodeData])
        guard problem.testRows == pred.testRows else {
            throw SuiteError.shapeMismatch(what: "test rows of \(predictions)/predictions.json", expected: "the \(problem.testRows.count) test rows of \(pred.task.rawValue) on this episode",
                                           found: "\(pred.testRows.count) rows that differ; were the predictions made on another episode or protocol?")
        }
        let score = try TaskEvaluator.evaluate(problem, pred, episodes: [episodeData], settings: .defaults(for: p), bootstrap: noBootstrap ? false : nil)
        let temp = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: temp)
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true)
        try Data(score.metrics.text().utf8).write(to: temp.appendingPathComponent("metrics.json"))
        for (name, data) in score.files { try data.write(to: temp.appendingPathComponent(name)) }
        if FileManager.default.fileExists(atPath: output.path) { try FileManager.default.removeItem(at: output) }
        try FileManager.default.moveItem(at: temp, to: output)
        print(score.metrics.text())
    }
}

Tool.main(XPEvaluate.self)
