import Foundation
import WindowAlign

/// Which evaluation contract a run follows. Every output names it.
public enum SuiteProtocol: String, Sendable, Codable, CaseIterable {
    /// The published contract, reproduced exactly (chronological 70/30 split with no gap,
    /// text included in tasks 1–4, `any(contacts > 0)`, raw-space retrieval, ...).
    case reference
    /// The careful-reviewer contract: purged split or held-out episodes, sensor-only inputs,
    /// thresholded hand contacts, peak-picked boundaries, standardised tolerance-aware
    /// retrieval, canonical object names, constant columns dropped, baselines, seeds, intervals.
    case strict

    /// The feature and timeline protocol of the same name: a run's features and targets
    /// follow the contract it is scored under.
    public var featureProtocol: FeatureProtocol { self == .reference ? .reference : .strict }
}

/// The two head families run on every task.
public enum HeadKind: String, Sendable, Codable, CaseIterable {
    /// Softmax regression, multi-label logistic or ridge (the reference's "minimal" heads).
    case minimal
    /// The two-hidden-layer MLP (`neural_mlp` in the reference tree).
    case neural
}

/// What kind of problem a task is, which fixes its heads and metrics.
public enum TaskKind: String, Sendable, Codable {
    /// Single-label classification over windows (tasks 1, 2, 3, 4, 6).
    case classification
    /// Multi-hot labels (task 7).
    case multiLabel = "multi_label"
    /// Real-valued targets scored as regression (tasks 5, 10).
    case regression
    /// A projection scored by cosine retrieval (tasks 8, 9).
    case retrieval
    /// Two-class pair classification scored with binary metrics (tasks 11, 12).
    case binaryPairs = "binary_pairs"
}

/// The fixed parameters of the task contracts (reference CLI defaults, spec §4.3).
public struct TaskParameters: Sendable, Codable, Equatable {
    public var window: WindowSpec = .reference
    public var testFraction: Double = 0.30
    /// Next action: the label `futureFrames` after the window end.
    public var futureFrames: Int = 20
    /// Hand forecast: frames after the window end.
    public var forecastFrames: Int = 10
    /// Transition labels and boundary matching tolerance.
    public var boundaryToleranceFrames: Int = 10
    /// Misalignment negatives: partner window `shift` windows later.
    public var misalignmentShiftWindows: Int = 8
    /// Strict contact: a hand channel counts as contact at or above this value.
    public var contactThreshold: Float = 0.5
    /// Strict retrieval: candidates within ± this many windows of the query count as hits.
    public var retrievalToleranceWindows: Int = 2
    /// Ridge penalty.
    public var ridgeLambda: Double = 10
    public init() {}
}

/// The contract of one task under one protocol: what goes in, what comes out, how it is split
/// and scored. Pure description; ``TaskProblemBuilder`` turns it into matrices.
public struct TaskContract: Sendable, Equatable {
    public var task: TaskID
    public var suiteProtocol: SuiteProtocol
    /// The feature set of the inputs (for pair tasks, of each side).
    public var input: FeatureSet
    /// The feature set of the target for projection and reconstruction tasks.
    public var targetSet: FeatureSet?
    /// How far past the window end the target reaches, in frames (sets the strict purge gap).
    public var horizonFrames: Int
    /// One line on the target, for metrics.json and the task cards.
    public var targetDescription: String
    /// The metric names written, primary first.
    public var metrics: [String]
    /// The files written beside metrics.json.
    public var artifacts: [String]

    /// The contract of `task` under `protocol`, with `parameters`: the task's unit fills in
    /// its terms (`Tasks/<Task>.swift`).
    public init(_ task: TaskID, protocol p: SuiteProtocol, parameters: TaskParameters = TaskParameters()) {
        self.task = task
        self.suiteProtocol = p
        input = .all
        targetSet = nil
        horizonFrames = 0
        targetDescription = ""
        metrics = []
        artifacts = []
        task.unit.terms(of: &self, parameters: parameters)
    }
}
