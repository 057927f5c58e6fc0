import Foundation
import Heads
import WindowAlign

extension TaskID {
    /// Task 8, language grounding: find the window a caption describes.
    public static let captionGrounding = TaskID(declaring: "caption_grounding", CaptionGrounding())
}

/// Task 8: the sensors are projected onto the caption-text block, and each test caption
/// ranks the test windows by cosine. Captions are constant over a segment, so strict counts
/// every window with the same text as a hit (spec §7, 7).
struct CaptionGrounding: SuiteTask {
    let card = TaskCard(displayName: "Language Grounding", kind: .retrieval, primaryMetric: "mrr",
                        referenceInput: "caption objects/interaction text query + candidate sensor windows",
                        referenceOutput: "matching time window",
                        neuralHead: RegressionScoring.projectionNeuralHead, published: (0.0160, 0.0168))

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = .noText
        c.targetSet = .text
        c.targetDescription = "project sensors to the caption text block; rank candidates by cosine"
        c.metrics = RetrievalScoring.metrics
        c.artifacts = RetrievalScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        guard b.episodes.allSatisfy({ $0.frames.hasLabels || $0.frames.objects.contains { !$0.isEmpty } }) else {
            throw b.notApplicable("no caption text (the query side) in at least one episode")
        }
        let samples = b.episodes.indices.flatMap { ei in b.episodes[ei].windows.indices.map { b.sample(ei, $0) } }
        let y = try b.gather(samples, columns: b.columns(b.contract.targetSet ?? .visual))
        let inputs = try b.windowInputs(samples)
        // Samples whose caption text block is identical share a group.
        var ids: [[Float]: Int] = [:]
        let groups = (0..<y.rows).map { r in
            let key = Array(y.row(r))
            if let g = ids[key] { return g }
            ids[key] = ids.count
            return ids.count - 1
        }
        return TaskDraft(samples: samples, targets: .values(y), inputs: inputs, groups: groups)
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try RetrievalScoring.score(s, queries: .targets, sameGroupPositives: true,
                                   positivesDescription: "same caption text or within ±\(s.parameters.retrievalToleranceWindows) windows")
    }
}
