import Foundation
import Heads
import Metrics
import WindowAlign

/// A trivial or chance predictor scored with the task's primary metric.
public struct BaselineScore: Sendable, Equatable, Codable {
    public var name: String
    public var value: Double
    /// The metric `value` is in when it is not the task's primary metric (for example the
    /// majority class's accuracy beside its macro F1); such baselines are listed, never
    /// compared with the primary metric.
    public var metric: String? = nil

    public init(name: String, value: Double, metric: String? = nil) {
        self.name = name
        self.value = value
        self.metric = metric
    }
}

/// The scores of one head on one task with one seed, and the files that go beside them.
public struct TaskScore: Sendable {
    public var task: TaskID
    public var head: HeadKind
    public var seed: UInt64
    /// metrics.json (reference keys, then `protocol` and the strict extras).
    public var metrics: JSON
    /// The primary metric (nil when undefined, for example no predicted boundary).
    public var primary: Double?
    /// Every baseline computed (the strongest trivial one in the primary metric is shown
    /// in the strict summary, the first one in the reference summary).
    public var baselines: [BaselineScore]
    /// Block-bootstrap interval of the primary metric of this seed (strict only): blocks
    /// follow the label runs (``DependenceBlocks``).
    public var interval: BootstrapInterval?
    /// Files to write beside metrics.json: name → bytes.
    public var files: [(String, Data)]
    /// The primary metric's name in this protocol.
    public var primaryMetric: String = ""
    /// The strongest trivial baseline in the primary metric (strict).
    public var strongestBaseline: BaselineScore? {
        BaselineVerdict.strongest(baselines, higherIsBetter: task.higherIsBetter)
    }
    /// The metrics to resample and their blocks, for a bootstrap pooled over seeds.
    var resampled: [ResampledMetric] = []
    var blocks: DependenceBlocks?
    var resamples = TaskEvaluator.bootstrapResamples
}

/// Scores predictions against a problem's test targets: the task's own keys, baselines and
/// files (its unit's `score`), then the keys every task shares.
public enum TaskEvaluator {
    /// Bootstrap resamples in strict runs.
    public static let bootstrapResamples = 1000

    /// Scores `predictions` on `problem`. `episodes` supply window frames for the CSVs.
    public static func evaluate(_ problem: TaskProblem, _ predictions: HeadPredictions, episodes: [SuiteEpisode],
                                parameters: TaskParameters = TaskParameters(), settings: HeadSettings = HeadSettings(),
                                bootstrap: Bool? = nil) throws -> TaskScore {
        try evaluate(problem, predictions, episodes: episodes, parameters: parameters, settings: settings,
                     bootstrap: bootstrap ?? (problem.contract.suiteProtocol == .strict), deferInterval: false)
    }

    /// `deferInterval`: build the resampled metrics and blocks but leave the bootstrap to the
    /// caller, which pools several seeds in each resample (``SuiteRunner``).
    static func evaluate(_ problem: TaskProblem, _ predictions: HeadPredictions, episodes: [SuiteEpisode],
                         parameters: TaskParameters, settings: HeadSettings, bootstrap: Bool, deferInterval: Bool) throws -> TaskScore {
        let contract = problem.contract
        let task = contract.task
        let scoring = TaskScoring(problem: problem, predictions: predictions, episodes: episodes, parameters: parameters,
                                  bootstrap: bootstrap)
        var parts = try task.unit.score(scoring)
        var fields = parts.fields
        let strict = contract.suiteProtocol == .strict
        var blocks: DependenceBlocks?
        var extraIntervals: [(String, BootstrapInterval)] = []
        if bootstrap, !parts.resampled.isEmpty, !predictions.testRows.isEmpty {
            blocks = try scoring.dependenceBlocks(segments: parts.segments ?? scoring.actionSegments, pairs: parts.pairBlocks)
            if !deferInterval, let blocks {
                for (k, r) in parts.resampled.enumerated() {
                    guard let one = (try? pooledBootstrap(blocks: blocks, resamples: parts.resamples, seed: predictions.seed,
                                                          metrics: [r.metric]))?.perMetric.first ?? nil else { continue }
                    if k == 0 { parts.interval = one } else { extraIntervals.append((r.key, one)) }
                }
            }
        }

        // Tail keys: neural settings, protocol, strict extras, display name last (as the reference).
        if predictions.head == .neural {
            let c = settings.mlp
            fields += [("model", .string("neural_mlp")), ("head", .string(task.neuralHeadDescription)), ("neural_epochs", .int(c.epochs)),
                       ("neural_hidden_dim", .int(c.hidden)), ("neural_batch_size", .int(c.batchSize)),
                       ("neural_learning_rate", .num(Double(c.learningRate))), ("neural_weight_decay", .num(Double(c.weightDecay))),
                       ("neural_dropout", .num(Double(c.dropout))), ("neural_device", .string("cpu"))]
            if let best = predictions.bestEpoch {
                fields += [("neural_early_stopping", .object([("validation_samples", .int(predictions.validationSamples)),
                                                              ("best_epoch", .int(best)),
                                                              ("epochs_run", .int(predictions.history.last?.epoch ?? best))]))]
            }
            if !fields.contains(where: { $0.0 == "train_final_loss" }) { fields.append(("train_final_loss", .num(predictions.trainFinalLoss))) }
            if !fields.contains(where: { $0.0 == "train_final_accuracy" }), let a = predictions.trainFinalAccuracy { fields.append(("train_final_accuracy", .num(a))) }
            parts.files.append(("history.json", Data(JSON.array(predictions.history.map { r in
                var f: [(String, JSON)] = [("epoch", .int(r.epoch)), ("loss", .num(r.loss))]
                if let a = r.accuracy { f.append(("train_accuracy", .num(a))) }
                if let v = r.validationLoss { f.append(("validation_loss", .num(v))) }
                return .object(f)
            }).text().utf8)))
        }
        fields.append(("task_display_name", .string(task.displayName)))
        fields.append(("protocol", .string(contract.suiteProtocol.rawValue)))
        fields.append(("seed", .int(Int(predictions.seed))))
        let primaryName = task.primaryMetric(for: contract.suiteProtocol)
        if strict {
            if primaryName != task.primaryMetric { fields.append(("primary_metric", .string(primaryName))) }
            fields += BaselineVerdict.fields(parts.baselines, interval: parts.interval, higherIsBetter: task.higherIsBetter)
            if let interval = parts.interval { fields.append(("interval", BaselineVerdict.intervalJSON(interval))) }
            for (key, i) in extraIntervals { fields.append(("\(key)_interval", BaselineVerdict.intervalJSON(i))) }
        } else {
            fields.append(("baselines", .object(parts.baselines.map { ($0.name, .num($0.value)) })))
        }
        if let interval = parts.interval { fields.append(("primary_interval", JSON.encode(interval))) }
        if !problem.notes.isEmpty { fields.append(("notes", .array(problem.notes.map { .string($0) }))) }
        var score = TaskScore(task: task, head: predictions.head, seed: predictions.seed, metrics: .object(fields), primary: parts.primary,
                              baselines: parts.baselines, interval: parts.interval, files: parts.files)
        score.primaryMetric = primaryName
        score.resampled = parts.resampled
        score.blocks = blocks
        score.resamples = parts.resamples
        return score
    }
}
