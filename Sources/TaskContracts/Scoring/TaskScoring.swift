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
}
