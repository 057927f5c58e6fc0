import EpisodeIO
import Foundation
import Heads
import TaskContracts
import WindowAlign
import XPCore

/// Settings of the raw-feature side of a metadata run.
public struct RawSuiteOptions: Sendable {
    /// The tasks the reference leaves unsupported from the JSONL.
    public static let unsupportedTasks: [TaskID] = ["hand_trajectory_forecast", "cross_modal_retrieval", "modality_reconstruction", "misalignment_detection"]
        .compactMap { TaskID(rawValue: $0) }

    public var tasks: [TaskID] = RawSuiteOptions.unsupportedTasks
    /// The cache folder; the per-frame feature caches go to `<cache>/frame-caches`, as xp-suite's.
    public var cache: URL
    /// Looked in, as `<root>/<session>/<epN>`, for an episode whose `episode_path` does not
    /// exist here (an export made on another host).
    public var dataRoot: URL?
    /// The folder relative `episode_path`s are taken from (the export folder).
    public var datasetFolder: URL?
    /// nil: the suite protocol's default (7 for reference, 7, 8, 9 for strict).
    public var seeds: [UInt64]?
    /// MLP epochs of the suite's neural head; nil keeps the suite's (80).
    public var neuralEpochs: Int?
    /// Tasks side by side (each with one BLAS thread), as `xp-suite --concurrent-tasks`.
    public var concurrentTasks = SuiteConfiguration.defaultConcurrentTasks

    public init(cache: URL) { self.cache = cache }
}

/// One raw-feature task's scores.
public struct RawTaskScore: Sendable {
    public var task: String
    public var metric: String
    public var higherIsBetter: Bool
    /// `ok`, `not_applicable` or `error` (the suite's row status).
    public var status: String
    public var reason: String?
    /// Mean over seeds of the primary metric; nil when undefined.
    public var minimal: Double?
    public var neural: Double?
    public var minimalPerSeed: [Double?]
    public var neuralPerSeed: [Double?]
    public var seeds: Int
    public var suiteProtocol: String

    public var json: JSONValue {
        var f: [(String, JSONValue)] = [("status", .string(status)), ("primary_metric", .string(metric)), ("higher_is_better", .bool(higherIsBetter)),
                                        ("minimal", .num(minimal)), ("neural_mlp", .num(neural)),
                                        ("minimal_per_seed", .array(minimalPerSeed.map { .num($0) })), ("neural_mlp_per_seed", .array(neuralPerSeed.map { .num($0) })),
                                        ("suite_protocol", .string(suiteProtocol)),
                                        ("artifacts", .string("\(RawSuiteComparison.folder)/\(task)")), ("neural_artifacts", .string("\(RawSuiteComparison.folder)/neural_mlp/\(task)"))]
        if let reason { f.append(("reason", .string(reason))) }
        return .object(f)
    }
}

/// What the raw-feature suite produced.
public struct RawSuiteResult: Sendable {
    public var scores: [String: RawTaskScore]
    public var episodes: [(key: String, path: String, split: String)]
    public var episodeCounts: (train: Int, val: Int, test: Int)
    public var skippedEpisodes: [(key: String, reason: String)]
    public var suiteProtocol: String
    public var seeds: [UInt64]

    public var summaryLine: String {
        "the suite's \(suiteProtocol) protocol on \(episodes.count) episodes (train \(episodeCounts.train) / val \(episodeCounts.val) / test \(episodeCounts.test), held out by the records' split), seeds \(seeds.map(String.init).joined(separator: ", ")); artifacts in `\(RawSuiteComparison.folder)/`"
    }

    public var json: JSONValue {
        .object([
            ("folder", .string(RawSuiteComparison.folder)), ("suite_protocol", .string(suiteProtocol)),
            ("split", .string("held_out_episodes (each episode in the split of its records)")),
            ("seeds", .array(seeds.map { .int(Int($0)) })),
            ("episode_counts", .object([("train", .int(episodeCounts.train)), ("val", .int(episodeCounts.val)), ("test", .int(episodeCounts.test))])),
            ("episodes", .array(episodes.map { .object([("episode_id", .string($0.key)), ("episode_path", .string($0.path)), ("split", .string($0.split))]) })),
            ("skipped_episodes", .array(skippedEpisodes.map { .object([("episode_id", .string($0.key)), ("reason", .string($0.reason))]) })),
            ("tasks", .object(scores.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) })),
        ])
    }
}

/// The task suite's raw-feature heads on the episodes of a metadata run: the records'
/// `episode_path`s, each episode in the split its records carry (train, val → validation,
/// test), run through ``SuiteRunner/run(episodes:configuration:output:)`` with a
/// held-out-episode policy, as `xp-suite` runs several episodes.
public enum RawSuiteComparison {
    /// The subfolder of the metadata run that holds the suite's artifact tree.
    public static let folder = "raw_suite"

    /// The episodes of `records` (first-appearance order) with their folder and split.
    public static func episodes(of records: [MetadataRecord], options: RawSuiteOptions) throws
        -> (inputs: [(key: String, url: URL, split: String)], skipped: [(key: String, reason: String)]) {
        var order: [String] = []
        var first: [String: MetadataRecord] = [:]
        var splits: [String: Set<String>] = [:]
        for r in records {
            if first[r.episodeID] == nil { order.append(r.episodeID); first[r.episodeID] = r }
            splits[r.episodeID, default: []].insert(r.split)
        }
        var inputs: [(String, URL, String)] = [], skipped: [(String, String)] = []
        let fm = FileManager.default
        for key in order {
            let r = first[key]!
            guard let s = splits[key], s.count == 1 else {
                throw ExportError.badInput(file: "record \(r.id) (line \(r.line))", detail: "episode \(key) has records in several splits: \(splits[key]!.sorted().joined(separator: ", "))")
            }
            guard ["train", "val", "test"].contains(r.split) else { skipped.append((key, "split \(r.split) is none of train, val, test")); continue }
            var candidates: [URL] = []
            if let p = r.episodePath, !p.isEmpty {
                candidates.append(URL(fileURLWithPath: p))
                if !p.hasPrefix("/"), let base = options.datasetFolder { candidates.append(base.appendingPathComponent(p)) }
            }
            if let rootURL = options.dataRoot, let k = EpisodeKey(parsing: key) { candidates.append(rootURL.appendingPathComponent(k.relativePath)) }
            guard let url = candidates.first(where: { fm.fileExists(atPath: $0.appendingPathComponent("annotation.hdf5").path) }) else {
                throw ExportError.badInput(file: "record \(r.id) (line \(r.line))",
                                           detail: "no episode folder with an annotation.hdf5 for \(key) (tried \(candidates.map(\.path).joined(separator: ", ")); give --data-root)")
            }
            inputs.append((key, url, r.split))
        }
        return (inputs, skipped)
    }

    /// Runs the suite's `options.tasks` with both heads on the records' episodes and writes its
    /// artifact tree to `output`.
    public static func run(records: [MetadataRecord], options: RawSuiteOptions, protocol p: BaselineProtocol, output: URL,
                           progress: @escaping @Sendable (String) -> Void) throws -> RawSuiteResult {
        let (inputs, skipped) = try episodes(of: records, options: options)
        let counts = (train: inputs.filter { $0.split == "train" }.count, val: inputs.filter { $0.split == "val" }.count,
                      test: inputs.filter { $0.split == "test" }.count)
        guard counts.train > 0, counts.test > 0 else {
            throw ExportError.badInput(file: "dataset", detail: "the raw-feature suite needs a train and a test episode; the records give \(counts.train) train and \(counts.test) test episodes")
        }
        let suiteProtocol: SuiteProtocol = p == .reference ? .reference : .strict
        var episodeInputs: [EpisodeInput] = []
        var sessions: [String] = []
        for e in inputs {
            let session = EpisodeKey(parsing: e.key)?.session ?? e.key
            episodeInputs.append(EpisodeInput(episode: e.url, session: session))
            sessions.append(session)
        }
        let loaded = try EpisodeInput.load(episodeInputs, protocol: suiteProtocol, cache: options.cache, progress: progress)
        let roles = inputs.map { $0.split == "train" ? SplitRole.train : $0.split == "val" ? .validation : .test }
        let assignment = try heldOut(roles: roles, sessions: sessions)
        var config = SuiteConfiguration(protocol: suiteProtocol, seeds: options.seeds)
        config.tasks = options.tasks
        config.heads = [.minimal, .neural]
        config.policy = .heldOutEpisodes(assignment)
        config.progress = progress
        config.concurrentTasks = max(1, min(options.concurrentTasks, options.tasks.count))
        config.captionRules = suiteProtocol.featureProtocol.defaultCaptionRules
        if let epochs = options.neuralEpochs { config.headSettings.mlp.epochs = epochs }
        let report = try SuiteRunner.run(episodes: loaded, configuration: config, output: output)
        var scores: [String: RawTaskScore] = [:]
        for task in options.tasks {
            let m = report.rows.first { $0.task == task && $0.head == .minimal }
            let n = report.rows.first { $0.task == task && $0.head == .neural }
            let status = [m?.status, n?.status].compactMap { $0 }.first { $0 != "ok" } ?? "ok"
            scores[task.rawValue] = RawTaskScore(task: task.rawValue, metric: task.primaryMetric(for: suiteProtocol), higherIsBetter: task.higherIsBetter, status: status,
                                                 reason: m?.reason ?? n?.reason, minimal: m?.primaryMeanStd?.mean, neural: n?.primaryMeanStd?.mean,
                                                 minimalPerSeed: m?.primaryPerSeed ?? [], neuralPerSeed: n?.primaryPerSeed ?? [],
                                                 seeds: config.seeds.count, suiteProtocol: suiteProtocol.rawValue)
        }
        return RawSuiteResult(scores: scores, episodes: inputs.map { ($0.key, $0.url.path, $0.split) }, episodeCounts: counts,
                              skippedEpisodes: skipped, suiteProtocol: suiteProtocol.rawValue, seeds: config.seeds)
    }

    /// The suite's held-out assignment with these roles (its public form is its Codable one).
    static func heldOut(roles: [SplitRole], sessions: [String]) throws -> EpisodeAssignment {
        let value = JSONValue.object([("roles", .array(roles.map { .string($0.rawValue) })), ("sessions", .array(sessions.map { .string($0) }))])
        return try JSONDecoder().decode(EpisodeAssignment.self, from: Data(value.pythonJSON().utf8))
    }
}
