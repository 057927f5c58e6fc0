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
            let pairs = samples.map { (episode: $0.episode, left: $0.window, right: $0.partner ?? $0.window) }
            return try pairRows(pairs, episodes: episodes, columns: columns, right: right, protocol: problem.contract.suiteProtocol)
        default:
            return (try TaskProblemBuilder.gather(episodes: episodes, samples: samples, columns: columns), blocks)
        }
    }

    /// Misalignment rows `[left_a, right_b]` (plus `right[:m] − left[:m]` in the reference) of
    /// window pairs (a, b): the task's own pairs, or the alignment stress's pairs with the
    /// left stream moved by a shift.
    static func pairRows(_ pairs: [(episode: Int, left: Int, right: Int)], episodes: [SuiteEpisode], columns: [Int], right: [Int],
                         protocol p: SuiteProtocol) throws -> (x: Matrix, blocks: [Range<Int>]) {
        let schema = episodes[0].schema
        let d = columns.count
        let m = min(d, right.count)
        let diff = p == .reference ? m : 0
        let width = d + right.count + diff
        let x = try TaskProblemBuilder.buildRows(count: pairs.count, cols: width) { r, out in
            let (e, a, b) = pairs[r]
            let f = episodes[e].features
            for (k, c) in columns.enumerated() { out[k] = f.storage[a * f.cols + c] }
            for (k, c) in right.enumerated() { out[d + k] = f.storage[b * f.cols + c] }
            for k in 0..<diff { out[d + right.count + k] = out[d + k] - out[k] }
        }
        var all = TaskProblemBuilder.blockRanges(schema: schema, columns: columns)
            + TaskProblemBuilder.blockRanges(schema: schema, columns: right).map { ($0.lowerBound + d)..<($0.upperBound + d) }
        if diff > 0 { all.append((d + right.count)..<width) }
        return (x, all)
    }

    /// The right-hand (visual) side of the misalignment task under `protocol`: VISUAL in the
    /// reference's ablation, the suite's target set (VISUAL_AUDIO) in strict.
    static func misalignmentRight(_ problem: TaskProblem, schema: FeatureSchema) -> [Int] {
        problem.contract.suiteProtocol == .reference ? schema.columnIndices(.visual)
            : schema.columnIndices(problem.contract.targetSet ?? .visualAudio)
    }
}
