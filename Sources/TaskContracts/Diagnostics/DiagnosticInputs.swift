import Foundation
import Heads
import WindowAlign

/// Rebuilds a task's input rows over other feature columns: the one place that knows how each
/// kind of sample turns windows into a row, so that the ablation, the missing views and the
/// alignment stress all change the inputs the same way and keep the task's samples, targets
/// and split untouched.
enum DiagnosticInputs {
    /// Input rows of `problem`'s samples over `columns` (per side for pair tasks).
    ///
    /// - Single-window tasks: the window's `columns`.
    /// - Temporal order: `[x_a, x_b, x_b − x_a]` with (a, b) the forward or swapped pair.
    /// - Misalignment: `[left_i, right_j]` with the left side over `columns` and the right side
    ///   over `right`; the reference appends `right[:m] − left[:m]` (m the smaller width,
    ///   pairing unrelated dimensions as it does).
    /// - Returns: the matrix and its column ranges per feature block.
    static func rows(_ problem: TaskProblem, episodes: [SuiteEpisode], columns: [Int], right: [Int] = []) throws -> (x: Matrix, blocks: [Range<Int>]) {
        let schema = episodes[0].schema
        let samples = problem.samples
        let d = columns.count
        let blocks = TaskProblemBuilder.blockRanges(schema: schema, columns: columns)
        switch problem.contract.task {
        case .temporalOrder:
            guard case let .classes(ids, names) = problem.targets else { throw SuiteError.shapeMismatch(what: "temporal order targets", expected: "classes", found: "other") }
            let x = try TaskProblemBuilder.buildRows(count: samples.count, cols: 3 * d) { r, out in
                let s = samples[r]
                let forward = names.indices.contains(ids[r]) && names[ids[r]] == "1"
                let partner = s.partner ?? s.window
                let (a, b) = forward ? (s.window, partner) : (partner, s.window)
                let f = episodes[s.episode].features
                for (j, c) in columns.enumerated() {
                    let va = f.storage[a * f.cols + c], vb = f.storage[b * f.cols + c]
                    out[j] = va; out[d + j] = vb; out[2 * d + j] = vb - va
                }
            }
            return (x, blocks + blocks.map { ($0.lowerBound + d)..<($0.upperBound + d) } + blocks.map { ($0.lowerBound + 2 * d)..<($0.upperBound + 2 * d) })
        case .misalignmentDetection:
            let m = min(d, right.count)
            let diff = problem.contract.suiteProtocol == .reference ? m : 0
            let width = d + right.count + diff
            let x = try TaskProblemBuilder.buildRows(count: samples.count, cols: width) { r, out in
                let s = samples[r]
                let j = s.partner ?? s.window
                let f = episodes[s.episode].features
                for (k, c) in columns.enumerated() { out[k] = f.storage[s.window * f.cols + c] }
                for (k, c) in right.enumerated() { out[d + k] = f.storage[j * f.cols + c] }
                for k in 0..<diff { out[d + right.count + k] = out[d + k] - out[k] }
            }
            var all = blocks + TaskProblemBuilder.blockRanges(schema: schema, columns: right).map { ($0.lowerBound + d)..<($0.upperBound + d) }
            if diff > 0 { all.append((d + right.count)..<width) }
            return (x, all)
        default:
            return (try TaskProblemBuilder.gather(episodes: episodes, samples: samples, columns: columns), blocks)
        }
    }

    /// The right-hand (visual) side of the misalignment task under `protocol`: VISUAL in the
    /// reference's ablation, the suite's target set (VISUAL_AUDIO) in strict.
    static func misalignmentRight(_ problem: TaskProblem, schema: FeatureSchema) -> [Int] {
        problem.contract.suiteProtocol == .reference ? schema.columnIndices(.visual)
            : schema.columnIndices(problem.contract.targetSet ?? .visualAudio)
    }
}
