import Foundation
import Heads
import WindowAlign

extension TaskID {
    /// Task 12, multimodal synchronisation detection: are motion and visuals aligned?
    public static let misalignmentDetection = TaskID(declaring: "misalignment_detection", MisalignmentDetection())
}

/// Task 12: the row [motion_i, visual/audio_j] is aligned (j = i, 1) or shifted
/// (j = i + shift, 0).
struct MisalignmentDetection: SuiteTask {
    let card = TaskCard(displayName: "Multimodal Synchronization Detection", kind: .binaryPairs, primaryMetric: "f1", strictPrimaryMetric: "auroc",
                        referenceInput: "motion+visual/audio pair -> aligned vs shifted by 8 windows",
                        neuralHead: BinaryPairScoring.neuralHead, published: (0.5052, 0.7153),
                        // Two windows per sample.
                        schedulingCost: 2,
                        targetModalities: [])

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = .motionB
        c.targetSet = .visualAudio
        // The shifted partner reaches `shift` windows further.
        c.horizonFrames = parameters.misalignmentShiftWindows * parameters.window.stride
        c.targetDescription = "[motion_i, visual/audio_j]: aligned j = i (1) vs shifted j = i + \(parameters.misalignmentShiftWindows) (0)"
        c.metrics = BinaryPairScoring.metrics
        c.artifacts = BinaryPairScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        let shift = b.parameters.misalignmentShiftWindows
        var samples: [Sample] = [], labels: [String] = []
        var pairs: [(episode: Int, a: Int, b: Int)] = []
        for (ei, ep) in b.episodes.enumerated() where ep.windows.count > shift {
            for i in 0..<(ep.windows.count - shift) {
                samples.append(b.sample(ei, i)); pairs.append((ei, i, i)); labels.append("1")
                samples.append(b.sample(ei, i, partner: i + shift)); pairs.append((ei, i, i + shift)); labels.append("0")
            }
        }
        let left = b.columns(b.contract.input)
        let right = b.columns(b.contract.targetSet ?? .visualAudio)
        let d = left.count
        let x = try Self.rows(pairs, episodes: b.episodes, left: left, right: right)
        let blocks = TaskProblemBuilder.blockRanges(schema: b.schema, columns: left)
            + TaskProblemBuilder.blockRanges(schema: b.schema, columns: right).map { ($0.lowerBound + d)..<($0.upperBound + d) }
        return TaskDraft(samples: samples, targets: .encoding(labels, fixedNames: BinaryPairScoring.classNames),
                         inputs: TaskInputs(x: x, columns: left, blocks: blocks))
    }

    /// The rows [motion_a, visual/audio_b] of window pairs (a, b).
    static func rows(_ pairs: [(episode: Int, a: Int, b: Int)], episodes: [SuiteEpisode], left: [Int], right: [Int]) throws(SuiteError) -> Matrix {
        let d = left.count
        let leftRuns = TaskProblemBuilder.columnRuns(left), rightRuns = TaskProblemBuilder.columnRuns(right)
        return try TaskProblemBuilder.buildRows(count: pairs.count, cols: d + right.count) { r, out in
            let (e, motion, visual) = pairs[r]
            let f = episodes[e].features
            f.storage.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress, let dst = out.baseAddress else { return }
                for run in leftRuns { (dst + run.dst).update(from: base + motion * f.cols + run.src, count: run.count) }
                for run in rightRuns { (dst + d + run.dst).update(from: base + visual * f.cols + run.src, count: run.count) }
            }
        }
    }

    /// Spec §7, 12: the shift sweep. The head trained on one shift scores test pairs whose
    /// negatives are shifted by 1, 2, 4, 8, 16 and 32 windows: AUROC per shift shows whether
    /// it detects misalignment or only the trained offset (and where overlap makes a small
    /// shift indistinguishable).
    func controls(_ c: ControlDrafting) throws(SuiteError) -> DraftedControls {
        let test = c.testWindows
        let left = c.problem.inputColumns
        let right = c.episodes.first.map { $0.schema.columnIndices(c.problem.contract.targetSet ?? .visualAudio) } ?? []
        var out = DraftedControls(sweep: "shift_windows")
        for shift in [1, 2, 4, 8, 16, 32] {
            var pairs: [(episode: Int, a: Int, b: Int)] = [], labels: [Int] = []
            for (e, windows) in test.enumerated() {
                for i in windows.sorted() where windows.contains(i + shift) {
                    pairs.append((e, i, i)); labels.append(1)
                    pairs.append((e, i, i + shift)); labels.append(0)
                }
            }
            guard labels.count >= 2 else { continue }
            out.sets.append(ControlSet(name: "shift_\(shift)", description: "aligned pairs against pairs shifted by \(shift) windows", windows: shift,
                                       x: try Self.rows(pairs, episodes: c.episodes, left: left, right: right), labels: labels))
        }
        return out
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try BinaryPairScoring.score(s)
    }
}
