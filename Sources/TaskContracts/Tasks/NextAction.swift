import Foundation
import WindowAlign

extension TaskID {
    /// Task 4, next-action prediction: the action label a fixed number of frames ahead.
    public static let nextAction = TaskID(declaring: "next_action", NextAction())
}

/// Task 4: the action at frame min(N − 1, end + `futureFrames`), from the window.
struct NextAction: SuiteTask {
    let card = TaskCard(displayName: "Next-Action Prediction", kind: .classification, primaryMetric: "macro_f1",
                        referenceInput: "all modalities at t -> action at t+20 frames",
                        neuralHead: ClassificationScoring.neuralHead, published: (0.0593, 0.0419))

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = c.suiteProtocol == .reference ? .all : .noText
        c.horizonFrames = parameters.futureFrames
        c.targetDescription = "action label at frame min(N−1, end + \(parameters.futureFrames))"
        c.metrics = ClassificationScoring.metrics
        c.artifacts = ClassificationScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        try b.requireActionLabels()
        let ahead = b.parameters.futureFrames
        var samples: [Sample] = [], labels: [String] = []
        for (ei, ep) in b.episodes.enumerated() {
            let fl = ep.frames.actionLabels
            for (i, win) in ep.windows.enumerated() {
                let l = fl[min(ep.frames.frameCount - 1, win.end + ahead)]
                // The reference keeps "" as a class; strict drops windows whose future is unlabelled.
                if b.strict && l.isEmpty { continue }
                samples.append(b.sample(ei, i, horizon: ahead)); labels.append(l)
            }
        }
        return TaskDraft(samples: samples, targets: .encoding(labels), inputs: try b.windowInputs(samples))
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try ClassificationScoring.score(s)
    }
}
