import ArgumentParser
import Foundation
import TaskContracts
import ToolSupport
import WindowAlign

/// `xp-train`: one task, one head, one seed → model and test-set predictions.
struct XPTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-train",
        abstract: "Train one head on one task of one episode and write the model and its test-set predictions.",
        discussion: """
            The output folder holds model.safetensors, predictions.json (and values.npy for \
            regression and projection tasks); xp-evaluate turns it into metrics.

            Examples:
              xp-train --episode ep1 --features feats/ep1 --task timeline_action --head minimal --out run/action
              xp-train --episode ep1 --task temporal_order --head neural --protocol reference --seed 8 --out run/order
            """
    )

    @Option(help: "The episode folder.") var episode: String
    @Option(help: "Its xp-features output folder (default: build the features).") var features: String?
    @Option(help: "The task id.") var task: String
    @Option(help: "minimal or neural.") var head: String = "minimal"
    @Option(name: .customLong("protocol"), help: "reference or strict.") var suiteProtocol: String = "strict"
    @Option(help: "Seed.") var seed: UInt64 = 7
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Replace an existing output folder.") var overwrite = false
    @Flag(help: "Permute the training targets (a control).") var shuffleLabels = false
    @Option(help: "Cache folder for per-frame feature caches.") var cache: String = SuiteCache.defaultFolder

    func validate() throws {
        guard TaskID(rawValue: task) != nil else { throw ValidationError("unknown task '\(task)'; known: \(TaskID.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard HeadKind(rawValue: head) != nil else { throw ValidationError("--head must be minimal or neural") }
        guard SuiteProtocol(rawValue: suiteProtocol) != nil else { throw ValidationError("--protocol must be reference or strict") }
    }

    func run() throws {
        let p = SuiteProtocol(rawValue: suiteProtocol) ?? .strict
        let t = TaskID(rawValue: task) ?? .timelineAction
        let h = HeadKind(rawValue: head) ?? .minimal
        let output = URL(fileURLWithPath: out)
        if FileManager.default.fileExists(atPath: output.path) && !overwrite { throw SuiteError.outputExists(path: output.path) }
        let episodeData = try loadEpisode(episode: episode, features: features, protocol: p, cache: cache)
        Tool.note("\(t.rawValue): building inputs (\(p.rawValue))")
        let problem = try TaskProblemBuilder.build(TaskContract(t, protocol: p), episodes: [episodeData])
        Tool.note("\(t.rawValue): training the \(h.rawValue) head on \(problem.trainRows.count) samples, predicting \(problem.testRows.count)")
        let predictions = try HeadRunner.run(problem, head: h, seed: seed, settings: .defaults(for: p), shuffleTrainLabels: shuffleLabels)
        let temp = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: temp)
        try PredictionsFile.write(predictions, protocol: p, to: temp)
        if FileManager.default.fileExists(atPath: output.path) { try FileManager.default.removeItem(at: output) }
        try FileManager.default.moveItem(at: temp, to: output)
        print(output.path)
    }
}

/// The episode with features from `features` or a fresh build in the matching protocol.
func loadEpisode(episode: String, features: String?, protocol p: SuiteProtocol, cache: String) throws -> SuiteEpisode {
    let source: EpisodeLoader.FeatureSource
    if let features { source = .folder(URL(fileURLWithPath: features)) } else {
        let fp: FeatureProtocol = p == .reference ? .reference : .strict
        source = .episodeFeatures(fp, cache: URL(fileURLWithPath: cache).appendingPathComponent("frame-caches"))
    }
    return try EpisodeLoader.load(folder: URL(fileURLWithPath: episode), source: source, suiteProtocol: p, progress: { Tool.note($0) })
}

Tool.main(XPTrain.self)
