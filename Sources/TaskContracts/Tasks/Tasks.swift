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

/// The 12 tasks of the suite, in the reference's `TASKS` order.
public enum TaskID: String, Sendable, Codable, CaseIterable {
    case timelineAction = "timeline_action"
    case timelineSubtask = "timeline_subtask"
    case transitionDetection = "transition_detection"
    case nextAction = "next_action"
    case handTrajectoryForecast = "hand_trajectory_forecast"
    case contactPrediction = "contact_prediction"
    case objectRelevance = "object_relevance"
    case captionGrounding = "caption_grounding"
    case crossModalRetrieval = "cross_modal_retrieval"
    case modalityReconstruction = "modality_reconstruction"
    case temporalOrder = "temporal_order"
    case misalignmentDetection = "misalignment_detection"

    /// The public display name (`scripts/task_display.py`).
    public var displayName: String {
        switch self {
        case .timelineAction: return "Action Recognition"
        case .timelineSubtask: return "Procedure Step Recognition"
        case .transitionDetection: return "Action Boundary Detection"
        case .nextAction: return "Next-Action Prediction"
        case .handTrajectoryForecast: return "Hand Trajectory Forecasting"
        case .contactPrediction: return "Contact State Prediction"
        case .objectRelevance: return "Object Relevance Prediction"
        case .captionGrounding: return "Language Grounding"
        case .crossModalRetrieval: return "Cross-Modal Retrieval"
        case .modalityReconstruction: return "Cross-Modal Reconstruction"
        case .temporalOrder: return "Temporal Order Verification"
        case .misalignmentDetection: return "Multimodal Synchronization Detection"
        }
    }

    public var kind: TaskKind {
        switch self {
        case .timelineAction, .timelineSubtask, .transitionDetection, .nextAction, .contactPrediction: return .classification
        case .objectRelevance: return .multiLabel
        case .handTrajectoryForecast, .modalityReconstruction: return .regression
        case .captionGrounding, .crossModalRetrieval: return .retrieval
        case .temporalOrder, .misalignmentDetection: return .binaryPairs
        }
    }

    /// The metric the summary table reports (the walkthroughs' choice).
    public var primaryMetric: String {
        switch self {
        case .timelineAction, .timelineSubtask, .transitionDetection, .nextAction, .contactPrediction: return "macro_f1"
        case .handTrajectoryForecast: return "mpjpe"
        case .objectRelevance: return "micro_f1"
        case .captionGrounding, .crossModalRetrieval: return "mrr"
        case .modalityReconstruction: return "r2"
        case .temporalOrder, .misalignmentDetection: return "f1"
        }
    }

    /// False for error metrics (lower is better).
    public var higherIsBetter: Bool { self != .handTrajectoryForecast }

    /// The reference's `input` description string in `metrics.json`.
    public var referenceInputDescription: String {
        switch self {
        case .timelineAction: return "all modalities -> current action label"
        case .timelineSubtask: return "all modalities -> current subtask label"
        case .transitionDetection: return "all modalities -> action boundary/steady"
        case .nextAction: return "all modalities at t -> action at t+20 frames"
        case .handTrajectoryForecast: return "all modalities at t -> future left/right hand 3D joints"
        case .contactPrediction: return "all non-contact/non-caption-label modalities -> any body contact"
        case .objectRelevance: return "all non-caption modalities -> current relevant object set"
        case .captionGrounding: return "caption objects/interaction text query + candidate sensor windows"
        case .crossModalRetrieval: return "motion/IMU/camera/audio query"
        case .modalityReconstruction: return "motion/IMU/camera/audio"
        case .temporalOrder: return "two adjacent windows -> whether order is correct"
        case .misalignmentDetection: return "motion+visual/audio pair -> aligned vs shifted by 8 windows"
        }
    }

    /// The reference's `output` string (projection tasks only).
    public var referenceOutputDescription: String? {
        switch self {
        case .captionGrounding: return "matching time window"
        case .crossModalRetrieval: return "matching depth/video window"
        case .modalityReconstruction: return "depth/video feature vector"
        default: return nil
        }
    }

    /// The reference's neural `head` string.
    public var neuralHeadDescription: String {
        switch kind {
        case .classification: return "z-score -> MLP softmax"
        case .multiLabel: return "z-score -> MLP sigmoid multilabel"
        case .regression: return self == .handTrajectoryForecast ? "z-score -> MLP regression" : "z-score -> MLP projection/regression"
        case .retrieval: return "z-score -> MLP projection/regression"
        case .binaryPairs: return "z-score -> MLP binary softmax"
        }
    }

    /// The published primary metric (spec §4.1) of the reference run on the sample episode,
    /// minimal then neural head. Shown in `summary.md` for `reference` runs only.
    public var publishedPrimary: (minimal: Double, neural: Double) {
        switch self {
        case .timelineAction: return (0.0500, 0.0148)
        case .timelineSubtask: return (0.0506, 0.0281)
        case .transitionDetection: return (0.6118, 0.5862)
        case .nextAction: return (0.0593, 0.0419)
        case .handTrajectoryForecast: return (0.8647, 0.1079)
        case .contactPrediction: return (1.0, 1.0)
        case .objectRelevance: return (0.1803, 0.1679)
        case .captionGrounding: return (0.0160, 0.0168)
        case .crossModalRetrieval: return (0.2693, 0.1300)
        case .modalityReconstruction: return (-0.0153, -0.0102)
        case .temporalOrder: return (0.5400, 0.8520)
        case .misalignmentDetection: return (0.5052, 0.7153)
        }
    }

    /// Parses a comma-separated list of task ids, or `all`.
    public static func parseList(_ text: String) throws(SuiteError) -> [TaskID] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if parts.isEmpty || parts == ["all"] { return allCases }
        var out: [TaskID] = []
        for p in parts {
            guard let t = TaskID(rawValue: p) else {
                throw .invalidArgument(what: "--tasks", detail: "unknown task '\(p)'; known: \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !out.contains(t) { out.append(t) }
        }
        return out
    }
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

    /// The contract of `task` under `protocol`, with `parameters`.
    public init(_ task: TaskID, protocol p: SuiteProtocol, parameters: TaskParameters = TaskParameters()) {
        self.task = task
        self.suiteProtocol = p
        let w = parameters.window
        switch task {
        case .timelineAction, .timelineSubtask, .transitionDetection, .nextAction:
            input = p == .reference ? .all : .noText
        case .handTrajectoryForecast: input = p == .reference ? .all : .noText
        case .contactPrediction: input = .contactIn
        case .objectRelevance, .captionGrounding: input = .noText
        case .crossModalRetrieval, .modalityReconstruction: input = .motionA
        case .temporalOrder: input = p == .reference ? .all : .noText
        case .misalignmentDetection: input = .motionB
        }
        switch task {
        case .captionGrounding: targetSet = .text
        case .crossModalRetrieval, .modalityReconstruction: targetSet = .visual
        case .misalignmentDetection: targetSet = .visualAudio
        default: targetSet = nil
        }
        switch task {
        case .nextAction: horizonFrames = parameters.futureFrames
        case .handTrajectoryForecast: horizonFrames = parameters.forecastFrames
        case .temporalOrder: horizonFrames = w.stride
        case .misalignmentDetection: horizonFrames = parameters.misalignmentShiftWindows * w.stride
        default: horizonFrames = 0
        }
        switch task {
        case .timelineAction: targetDescription = "window majority action label (≥ \(w.minLabelFraction) of labelled frames); unlabelled windows dropped"
        case .timelineSubtask: targetDescription = "window majority subtask (theme) label; unlabelled windows dropped"
        case .transitionDetection: targetDescription = "transition if the window centre is within \(parameters.boundaryToleranceFrames) frames of an action boundary, else steady"
        case .nextAction: targetDescription = "action label at frame min(N−1, end + \(parameters.futureFrames))"
        case .handTrajectoryForecast: targetDescription = "left and right hand joints minus body root for frames end+1…end+\(parameters.forecastFrames) (\(parameters.forecastFrames * 126) values)"
        case .contactPrediction:
            targetDescription = p == .reference ? "contact if any contact value in the window > 0"
                : "contact if a hand (wrist) contact channel ≥ \(parameters.contactThreshold) in any window frame"
        case .objectRelevance:
            targetDescription = p == .reference ? "multi-hot union of caption objects over the window's frames (first-seen vocabulary)"
                : "multi-hot union of canonicalised caption objects over the window's frames"
        case .captionGrounding: targetDescription = "project sensors to the caption text block; rank candidates by cosine"
        case .crossModalRetrieval: targetDescription = "project motion/pose/IMU/audio to the visual block; rank candidates by cosine"
        case .modalityReconstruction: targetDescription = "regress the visual block from motion/pose/IMU/audio"
        case .temporalOrder: targetDescription = "pair [x_i, x_{i+1}, x_{i+1} − x_i] forward (1) vs swapped (0)"
        case .misalignmentDetection: targetDescription = "[motion_i, visual/audio_j]: aligned j = i (1) vs shifted j = i + \(parameters.misalignmentShiftWindows) (0)"
        }
        switch task.kind {
        case .classification:
            metrics = ["macro_f1", "accuracy", "balanced_accuracy", "weighted_f1", "majority_baseline_accuracy"]
            if task == .transitionDetection { metrics += ["boundary_f1", "boundary_precision", "boundary_recall"] }
            artifacts = ["metrics.json", "per_class_metrics.csv", "confusion_matrix.csv", "predictions.csv", "model.safetensors"]
            if task == .transitionDetection { artifacts.append("true_boundaries.csv") }
        case .multiLabel:
            metrics = ["micro_f1", "macro_f1", "exact_match", "precision", "recall"]
            artifacts = ["metrics.json", "object_vocab.json", "predictions.csv", "model.safetensors"]
        case .regression:
            metrics = task == .handTrajectoryForecast ? ["mpjpe", "final_frame_mpjpe", "mse", "mae", "r2"] : ["r2", "mse", "mae"]
            artifacts = ["metrics.json", "predictions.npz", "model.safetensors"]
        case .retrieval:
            metrics = ["mrr", "top1_accuracy", "top5_accuracy", "top10_accuracy", "median_rank", "mean_rank"]
            artifacts = ["metrics.json", "model.safetensors"]
        case .binaryPairs:
            metrics = ["f1", "accuracy", "precision", "recall"]
            artifacts = ["metrics.json", "predictions.csv", "model.safetensors"]
        }
    }
}
