import Foundation
import WindowAlign

extension TaskID {
    /// Task 9, cross-modal retrieval: find the visual window that matches the motion.
    public static let crossModalRetrieval = TaskID(declaring: "cross_modal_retrieval", CrossModalRetrieval())
}

/// Task 9: motion, pose, IMU and audio are projected onto the depth and video block, and each
/// projection ranks the true test visual windows by cosine.
struct CrossModalRetrieval: SuiteTask {
    let card = TaskCard(displayName: "Cross-Modal Retrieval", kind: .retrieval, primaryMetric: "mrr",
                        referenceInput: "motion/IMU/camera/audio query", referenceOutput: "matching depth/video window",
                        neuralHead: RegressionScoring.projectionNeuralHead, published: (0.2693, 0.1300),
                        targetModalities: [])

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = .motionA
        c.targetSet = .visual
        c.targetDescription = "project motion/pose/IMU/audio to the visual block; rank candidates by cosine"
        c.metrics = RetrievalScoring.metrics
        c.artifacts = RetrievalScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        let samples = b.episodes.indices.flatMap { ei in b.episodes[ei].windows.indices.map { b.sample(ei, $0) } }
        let y = try b.gather(samples, columns: b.columns(b.contract.targetSet ?? .visual))
        return TaskDraft(samples: samples, targets: .values(y), inputs: try b.windowInputs(samples))
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try RetrievalScoring.score(s, queries: .predictions, sameGroupPositives: false,
                                   positivesDescription: "within ±\(s.parameters.retrievalToleranceWindows) windows")
    }
}
