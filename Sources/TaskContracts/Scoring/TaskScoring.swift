import Foundation
import Heads
import Metrics
import WindowAlign

/// What a task's ``SuiteTask/score(_:)`` reads: the problem, one head's predictions, and the
/// run's settings, with the helpers every task's scoring uses.
struct TaskScoring {
    let problem: TaskProblem
    let predictions: HeadPredictions
    /// The episodes, for window frames in the per-row CSVs.
    let episodes: [SuiteEpisode]
    let parameters: TaskParameters
    /// Whether to compute the block-bootstrap interval of the primary metric.
    let bootstrap: Bool

    var task: TaskID { problem.contract.task }
    var strict: Bool { problem.contract.suiteProtocol == .strict }
    /// The scored sample rows, in prediction order.
    var test: [Int] { predictions.testRows }
    var train: [Int] { problem.trainRows }
    /// Bootstrap block length: the windows one window overlaps, ⌈size / stride⌉ (the samples
    /// are autocorrelated over that span).
    var windowBlock: Int {
        let w = parameters.window
        return max(1, (w.size + w.stride - 1) / w.stride)
    }
    var featureDim: Int { problem.x.cols }
    /// The metric name this run reports as primary (AUROC for strict pair tasks).
    var primaryMetric: String { task.primaryMetric(for: problem.contract.suiteProtocol) }

    /// The segment label of each test row for the dependence-aware bootstrap blocks: the
    /// window's majority action (its activity), as an id in first-appearance order.
    var actionSegments: [Int] {
        var ids: [String: Int] = [:]
        return test.map { row in
            let a = window(row).action
            if let k = ids[a] { return k }
            ids[a] = ids.count
            return ids.count - 1
        }
    }

    /// The bootstrap blocks of the test rows: runs of one segment label within an episode,
    /// at least ``windowBlock`` samples long (twice that for pairs, two rows per window).
    func dependenceBlocks(segments: [Int], pairs: Bool) throws -> DependenceBlocks {
        try DependenceBlocks.build(segments: segments, episodes: test.map { problem.samples[$0].episode },
                                   positions: test.map { problem.samples[$0].window },
                                   minimumLength: pairs ? 2 * windowBlock : windowBlock)
    }

    /// Several episodes: per-row CSVs start with an `episode` column.
    var multiEpisode: Bool { episodes.count > 1 }
    var episodeHeader: [String] { multiEpisode ? ["episode"] : [] }
    func episodeColumn(_ row: Int) -> [String] { multiEpisode ? [episodes[problem.samples[row].episode].name] : [] }
    /// The window of sample `row`.
    func window(_ row: Int) -> Window { episodes[problem.samples[row].episode].windows[problem.samples[row].window] }

    /// How a task counts its samples in metrics.json (the reference's keys differ by task).
    enum SampleCounts {
        /// `num_samples`, `num_train_samples`, `num_test_samples` (pair tasks).
        case samples
        /// `num_windows`, `num_train_windows`, `num_test_windows`.
        case windows
        /// `num_train_windows`, `num_test_windows` only (retrieval and reconstruction).
        case trainTestWindows
    }

    /// The shared descriptive keys, in the reference's order.
    func header(_ counts: SampleCounts) -> [(String, JSON)] {
        let contract = problem.contract
        var f: [(String, JSON)] = [("task", .string(task.rawValue))]
        f.append(("input", .string(strict ? "\(contract.input.rawValue): \(contract.targetDescription)" : task.referenceInputDescription)))
        if let o = task.referenceOutputDescription { f.append(("output", .string(o))) }
        f.append(("split", .string(problem.splitName)))
        let nTrain = problem.trainRows.count, nTest = problem.testRows.count
        let used = problem.roles.filter { $0 == .train || $0 == .test }.count
        switch counts {
        case .samples: f += [("num_samples", .int(used)), ("num_train_samples", .int(nTrain)), ("num_test_samples", .int(nTest))]
        case .windows: f += [("num_windows", .int(used)), ("num_train_windows", .int(nTrain)), ("num_test_windows", .int(nTest))]
        case .trainTestWindows: f += [("num_train_windows", .int(nTrain)), ("num_test_windows", .int(nTest))]
        }
        if strict {
            f += [("purged_samples", .int(problem.roles.filter { $0 == .purged }.count)), ("gap_windows", .int(problem.gapWindows)),
                  ("feature_set", .string(contract.input.rawValue))]
        }
        return f
    }

    /// A mismatch between the task and its problem's targets (a problem built for another task).
    func wrongTargets(_ expected: String) -> SuiteError {
        .shapeMismatch(what: "targets of \(task.rawValue)", expected: expected, found: "other targets")
    }
}

/// What a task's scoring produces; ``TaskEvaluator`` appends the shared tail keys.
struct TaskScoreParts {
    /// metrics.json keys, in order.
    var fields: [(String, JSON)] = []
    /// The primary metric (nil when undefined).
    var primary: Double?
    var baselines: [BaselineScore] = []
    var interval: BootstrapInterval?
    /// Files beside metrics.json: name → bytes.
    var files: [(String, Data)] = []
    /// The metrics to bootstrap, the primary first: each on a list of test positions. The
    /// runner resamples them, pooling seeds (``TaskEvaluator``, ``SuiteRunner``).
    var resampled: [ResampledMetric] = []
    /// The segment label of each test position (default: the window's action).
    var segments: [Int]?
    /// Pair tasks: two rows per window, blocks twice as long at least.
    var pairBlocks = false
    /// Bootstrap resamples (fewer for the costly reconstruction r2).
    var resamples = TaskEvaluator.bootstrapResamples
}

/// A metric recomputed on a bootstrap resample of the test positions.
struct ResampledMetric: Sendable {
    /// `"primary"`, or the metrics.json key it describes (`boundary_f1`).
    var key: String
    var metric: @Sendable ([Int]) -> Double?
}
