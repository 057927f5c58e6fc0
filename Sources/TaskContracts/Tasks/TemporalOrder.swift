import Foundation
import Heads
import WindowAlign

extension TaskID {
    /// Task 11, temporal order verification: are two adjacent windows in order?
    public static let temporalOrder = TaskID(declaring: "temporal_order", TemporalOrder())
}

/// Task 11: each pair of adjacent windows appears twice, forward (1) and swapped (0), as
/// the row [x_a, x_b, x_b − x_a].
struct TemporalOrder: SuiteTask {
    let card = TaskCard(displayName: "Temporal Order Verification", kind: .binaryPairs, primaryMetric: "f1",
                        referenceInput: "two adjacent windows -> whether order is correct",
                        neuralHead: BinaryPairScoring.neuralHead, published: (0.5400, 0.8520),
                        // Two windows per sample and three blocks per row: the costliest task.
                        schedulingCost: 6,
                        targetModalities: [])

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = c.suiteProtocol == .reference ? .all : .noText
        // The partner window reaches one stride further.
        c.horizonFrames = parameters.window.stride
        c.targetDescription = "pair [x_i, x_{i+1}, x_{i+1} − x_i] forward (1) vs swapped (0)"
        c.metrics = BinaryPairScoring.metrics
        c.artifacts = BinaryPairScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        var samples: [Sample] = [], labels: [String] = []
        var pairs: [(episode: Int, a: Int, b: Int)] = []
        for (ei, ep) in b.episodes.enumerated() where ep.windows.count >= 2 {
            for i in 0..<(ep.windows.count - 1) {
                samples.append(b.sample(ei, i, partner: i + 1)); pairs.append((ei, i, i + 1)); labels.append("1")
                samples.append(b.sample(ei, i, partner: i + 1)); pairs.append((ei, i + 1, i)); labels.append("0")
            }
        }
        let cols = b.columns(b.contract.input)
        let d = cols.count
        let runs = TaskProblemBuilder.columnRuns(cols)
        let episodes = b.episodes
        let x = try TaskProblemBuilder.buildRows(count: pairs.count, cols: 3 * d) { r, out in
            let (e, first, second) = pairs[r]
            let f = episodes[e].features
            f.storage.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress, let dst = out.baseAddress else { return }
                for run in runs {
                    (dst + run.dst).update(from: base + first * f.cols + run.src, count: run.count)
                    (dst + d + run.dst).update(from: base + second * f.cols + run.src, count: run.count)
                }
                for j in 0..<d { dst[2 * d + j] = dst[d + j] - dst[j] }
            }
        }
        let blocks = TaskProblemBuilder.blockRanges(schema: b.schema, columns: cols)
        let rowBlocks = blocks + blocks.map { ($0.lowerBound + d)..<($0.upperBound + d) } + blocks.map { ($0.lowerBound + 2 * d)..<($0.upperBound + 2 * d) }
        return TaskDraft(samples: samples, targets: .encoding(labels, fixedNames: BinaryPairScoring.classNames),
                         inputs: TaskInputs(x: x, columns: cols, blocks: rowBlocks))
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try BinaryPairScoring.score(s)
    }
}
