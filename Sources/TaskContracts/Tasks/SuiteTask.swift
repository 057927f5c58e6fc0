import Foundation
import WindowAlign

/// One task of the suite: everything that differs from one task to the next, in one value.
///
/// Each conformer lives in its own file under `Tasks/` and is listed once, by its ``TaskID``,
/// in ``SuiteTasks/all``. The machinery that is the same for every task stays outside: the
/// modality checks, the split and its sanity checks (``TaskProblemBuilder``), the heads
/// (``HeadRunner``, chosen by the targets' kind), the shared `metrics.json` keys
/// (``TaskEvaluator``) and the runner. What is shared by a kind of task (classification,
/// multi-label, regression, retrieval, binary pairs) is in `Scoring/<Kind>Scoring.swift`,
/// which a task calls from ``score(_:)``.
///
/// A protocol, not a table of closures: twelve conformers, each a few dozen lines a reader
/// can take in at once.
protocol SuiteTask: Sendable {
    /// Names, kind, primary metric and published numbers.
    var card: TaskCard { get }

    /// Fills in the task's terms of `contract` (whose `task` and `suiteProtocol` are set):
    /// the input feature set, the target set, the horizon, the target description, the
    /// metrics and files it writes.
    func terms(of contract: inout TaskContract, parameters: TaskParameters)

    /// Checks that the episodes carry what the task needs, then builds its samples, targets
    /// and inputs. Runs after the shared modality checks; the split comes after it.
    /// - Throws: `SuiteError.notApplicable` with the reason when the episodes lack what the
    ///   task needs.
    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft

    /// The task's metrics.json keys (before the shared tail), primary metric, baselines,
    /// interval and files.
    func score(_ s: TaskScoring) throws -> TaskScoreParts

    /// Strict controls: rows the trained head also scores, and ablations it is retrained
    /// on (default: none). Runs after the split, from test windows only.
    func controls(_ c: ControlDrafting) throws(SuiteError) -> DraftedControls
}

/// What a task says about itself: the card behind ``TaskID``'s properties.
struct TaskCard: Sendable {
    /// The public display name (`scripts/task_display.py`).
    var displayName: String
    var kind: TaskKind
    /// The metric the summary table reports.
    var primaryMetric: String
    /// The primary metric of the strict protocol when it differs (the pair tasks: AUROC).
    var strictPrimaryMetric: String? = nil
    /// False for error metrics.
    var higherIsBetter = true
    /// The reference's `input` string in metrics.json.
    var referenceInput: String
    /// The reference's `output` string (projection tasks only).
    var referenceOutput: String? = nil
    /// The reference's neural `head` string.
    var neuralHead: String
    /// The published primary metric on the sample episode, minimal then neural head.
    var published: (minimal: Double, neural: Double)
    /// Relative cost when several tasks run at once (1 for one window per sample).
    var schedulingCost = 1
    /// The episode modalities the task's targets are built from (the frame timeline is always
    /// needed; inputs are optional blocks). A data-quality finding that blocks one of them makes
    /// the task not applicable to the episode.
    var targetModalities: Set<EpisodeModality> = [.captions]
}
