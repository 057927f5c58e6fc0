import Foundation
import WindowAlign

extension TaskID {
    /// Task 1, action recognition: the window's majority action label.
    public static let timelineAction = TaskID(declaring: "timeline_action", TimelineAction())
}

/// Task 1: which action the window shows. Windows without a majority label are dropped.
struct TimelineAction: SuiteTask {
    let card = TaskCard(displayName: "Action Recognition", kind: .classification, primaryMetric: "macro_f1",
                        referenceInput: "all modalities -> current action label",
                        neuralHead: ClassificationScoring.neuralHead, published: (0.0500, 0.0148))

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        // The caption text block changes exactly at labelled segment boundaries, so the strict
        // protocol reads sensors only (spec §7, 6).
        c.input = c.suiteProtocol == .reference ? .all : .noText
        c.targetDescription = "window majority action label (≥ \(parameters.window.minLabelFraction) of labelled frames); unlabelled windows dropped"
        c.metrics = ClassificationScoring.metrics
        c.artifacts = ClassificationScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        try b.requireActionLabels()
        let (samples, labels) = b.labelledWindows { $0.action }
        return TaskDraft(samples: samples, targets: .encoding(labels), inputs: try b.windowInputs(samples))
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try ClassificationScoring.score(s)
    }
}
