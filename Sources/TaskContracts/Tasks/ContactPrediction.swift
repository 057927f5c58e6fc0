import Foundation
import WindowAlign

extension TaskID {
    /// Task 6, contact state prediction: is there contact in the window?
    public static let contactPrediction = TaskID(declaring: "contact_prediction", ContactPrediction())
}

/// Task 6: contact or no contact over the window, from everything but the contact block.
/// The reference's `any(contacts > 0)` over all 21 channels is always true on the sample
/// (spec §7, 3); strict thresholds the two wrist channels and is not applicable when either
/// split holds one class.
struct ContactPrediction: SuiteTask {
    let card = TaskCard(displayName: "Contact State Prediction", kind: .classification, primaryMetric: "macro_f1",
                        referenceInput: "all non-contact/non-caption-label modalities -> any body contact",
                        neuralHead: ClassificationScoring.neuralHead, published: (1.0, 1.0),
                        targetModalities: [.contacts])

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = .contactIn
        c.targetDescription = c.suiteProtocol == .reference ? "contact if any contact value in the window > 0"
            : "contact if a hand (wrist) contact channel ≥ \(parameters.contactThreshold) in any window frame"
        c.metrics = ClassificationScoring.metrics
        c.artifacts = ClassificationScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        guard b.episodes.allSatisfy({ $0.frames.contacts != nil }) else { throw b.notApplicable("body contacts are missing") }
        let threshold = b.parameters.contactThreshold
        var samples: [Sample] = [], labels: [String] = []
        for (ei, ep) in b.episodes.enumerated() {
            guard let c = ep.frames.contacts else { continue }
            for (i, win) in ep.windows.enumerated() {
                var hit = false
                for f in win.frames {
                    if !b.strict {
                        if c[(f * 21)..<(f * 21 + 21)].contains(where: { $0 > 0 }) { hit = true; break }
                    } else {
                        // Contact channels are body joints 1…21; the wrists (SMPL joints 20, 21)
                        // are channels 19 and 20.
                        if c[f * 21 + 19] >= threshold || c[f * 21 + 20] >= threshold { hit = true; break }
                    }
                }
                samples.append(b.sample(ei, i)); labels.append(hit ? "contact" : "no_contact")
            }
        }
        return TaskDraft(samples: samples, targets: .encoding(labels), inputs: try b.windowInputs(samples), needsTwoTestClasses: true)
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try ClassificationScoring.score(s)
    }
}
