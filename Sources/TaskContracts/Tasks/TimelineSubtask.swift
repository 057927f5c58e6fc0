import Foundation
import WindowAlign

extension TaskID {
    /// Task 2, procedure step recognition: the window's majority subtask (caption theme).
    public static let timelineSubtask = TaskID(declaring: "timeline_subtask", TimelineSubtask())
}

/// Task 2: which procedure step (caption "Sub Task") the window belongs to.
struct TimelineSubtask: SuiteTask {
    let card = TaskCard(displayName: "Procedure Step Recognition", kind: .classification, primaryMetric: "macro_f1",
                        referenceInput: "all modalities -> current subtask label",
                        neuralHead: ClassificationScoring.neuralHead, published: (0.0506, 0.0281))

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = c.suiteProtocol == .reference ? .all : .noText
        c.targetDescription = "window majority subtask (theme) label; unlabelled windows dropped"
        c.metrics = ClassificationScoring.metrics
        c.artifacts = ClassificationScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        // Like the reference, the check is on action labels: both come from the caption.
        try b.requireActionLabels()
        let (samples, labels) = b.labelledWindows { $0.subtask }
        return TaskDraft(samples: samples, targets: .encoding(labels), inputs: try b.windowInputs(samples))
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try ClassificationScoring.score(s)
    }
}
