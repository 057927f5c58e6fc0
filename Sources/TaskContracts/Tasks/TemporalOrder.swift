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
    let card = TaskCard(displayName: "Temporal Order Verification", kind: .binaryPairs, primaryMetric: "f1", strictPrimaryMetric: "auroc",
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
        let x = try Self.rows(pairs, episodes: b.episodes, columns: cols)
        let blocks = TaskProblemBuilder.blockRanges(schema: b.schema, columns: cols)
        let rowBlocks = blocks + blocks.map { ($0.lowerBound + d)..<($0.upperBound + d) } + blocks.map { ($0.lowerBound + 2 * d)..<($0.upperBound + 2 * d) }
        return TaskDraft(samples: samples, targets: .encoding(labels, fixedNames: BinaryPairScoring.classNames),
                         inputs: TaskInputs(x: x, columns: cols, blocks: rowBlocks))
    }

    /// The rows [x_a, x_b, x_b − x_a] of window pairs (a, b).
    static func rows(_ pairs: [(episode: Int, a: Int, b: Int)], episodes: [SuiteEpisode], columns cols: [Int]) throws(SuiteError) -> Matrix {
        let d = cols.count
        let runs = TaskProblemBuilder.columnRuns(cols)
        return try TaskProblemBuilder.buildRows(count: pairs.count, cols: 3 * d) { r, out in
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
    }

    /// Spec §7, 11: adjacent windows share three quarters of their frames, so order can be
    /// read from the overlap rather than from the activity. The controls score the trained
    /// head on test pairs 2 windows apart (still overlapping), 4 (the first that share no
    /// frame: across a gap) and 8 windows apart, and retrain it without the delta block.
    func controls(_ c: ControlDrafting) throws(SuiteError) -> DraftedControls {
        let test = c.testWindows
        var out = DraftedControls(sweep: "gap_windows")
        let overlap = max(1, (c.parameters.window.size + c.parameters.window.stride - 1) / c.parameters.window.stride)
        for gap in [2, overlap, 2 * overlap] where gap > 1 && !out.sets.contains(where: { $0.windows == gap }) {
            var pairs: [(episode: Int, a: Int, b: Int)] = [], labels: [Int] = []
            for (e, windows) in test.enumerated() {
                for i in windows.sorted() where windows.contains(i + gap) {
                    pairs.append((e, i, i + gap)); labels.append(1)
                    pairs.append((e, i + gap, i)); labels.append(0)
                }
            }
            guard labels.count >= 2 else { continue }
            let what = gap < overlap ? "non-adjacent pairs \(gap) windows apart (still sharing frames)" : "pairs \(gap) windows apart, across a gap (no shared frame)"
            out.sets.append(ControlSet(name: gap < overlap ? "non_adjacent_gap_\(gap)" : "across_gap_\(gap)", description: what, windows: gap,
                                       x: try Self.rows(pairs, episodes: c.episodes, columns: c.problem.inputColumns), labels: labels))
        }
        let d = c.problem.inputColumns.count
        let blocks = c.problem.inputBlocks.filter { $0.upperBound <= 2 * d }
        out.ablations.append(ControlAblation(name: "no_delta_features", description: "retrained on [x_a, x_b] without x_b − x_a",
                                             keptColumns: Array(0..<(2 * d)), blocks: blocks))
        return out
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try BinaryPairScoring.score(s)
    }
}
