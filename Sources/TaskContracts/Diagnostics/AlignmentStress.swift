import Foundation
import Heads
import Metrics
import WindowAlign

/// One row of `alignment_shift_metrics.csv`: a query group retrieving the visual windows with
/// its stream shifted by `shiftWindows`.
public struct AlignmentShiftRow: Sendable, Equatable {
    public var group: ModalityGroup
    public var target: ModalityGroup
    public var shiftWindows: Int
    public var shiftFrames: Int
    public var metrics: RetrievalMetrics
    /// MRR of a random ranking of the same candidates (H_n / n).
    public var chanceMRR: Double
    public var suiteProtocol: SuiteProtocol
    public var seed: UInt64
}

/// The alignment stress of `task-suite.md` §6.2: one ridge projector per query group onto the
/// depth + video block, fitted on the aligned train windows, then scored on test pairs
/// (i, i + s): the query is the projection of window i + s, the candidates the standardised
/// visual targets of the windows i, the positive the diagonal. A sharp peak at s = 0 says the
/// streams are aligned more finely than the smallest shift.
public enum AlignmentStress {
    /// The reference's shifts, in windows.
    public static let referenceShifts = [-40, -20, -10, -5, 0, 5, 10, 20, 40]

    public struct Configuration: Sendable {
        public var suiteProtocol: SuiteProtocol
        public var groups: [ModalityGroup] = ModalityGroups.alignmentQueries
        public var target: ModalityGroup = ModalityGroups.alignmentTarget
        public var shifts: [Int] = AlignmentStress.referenceShifts
        public var seeds: [UInt64] = [7]
        public var parameters = TaskParameters()
        public init(protocol p: SuiteProtocol) { suiteProtocol = p }
    }

    public static func run(episodes: [SuiteEpisode], configuration c: Configuration,
                           progress: (@Sendable (String) -> Void)? = nil) throws -> [AlignmentShiftRow] {
        guard let schema = episodes.first?.schema else { throw SuiteError.invalidArgument(what: "episodes", detail: "at least one episode is needed") }
        let contract = TaskContract(.crossModalRetrieval, protocol: c.suiteProtocol, parameters: c.parameters)
        let stride = c.parameters.window.stride
        var rows: [AlignmentShiftRow] = []
        // A task that does not apply (too few windows) gives no curve rather than an error, as
        // in the misalignment half.
        try DiagnosticSeeds.eachProblem(contract, episodes: episodes, seeds: c.seeds, parameters: c.parameters) { seed, outcome in
            guard case let .built(problem) = outcome else { return }
            let samples = problem.samples
            let targetColumns = c.target.columns(schema)
            let y = try TaskProblemBuilder.gather(episodes: episodes, samples: samples, columns: targetColumns)
            // Test rows in (episode, window) order, so that a shift is a step along the list.
            let test = problem.testRows.sorted { (samples[$0].episode, samples[$0].window) < (samples[$1].episode, samples[$1].window) }
            for g in c.groups {
                progress?("alignment stress: \(g.name)")
                let columns = g.columns(schema)
                guard !columns.isEmpty else { continue }
                let x = try TaskProblemBuilder.gather(episodes: episodes, samples: samples, columns: columns)
                let model = try DiagnosticModel.fit(x: x, y: y, train: problem.trainRows, protocol: c.suiteProtocol, zScoreTargets: true,
                                                    blocks: TaskProblemBuilder.blockRanges(schema: schema, columns: columns), lambda: c.parameters.ridgeLambda)
                let predicted = try model.predict(x, rows: test)
                let zTargets = try DiagnosticModel.zScored(y.gatherRows(test), mean: model.targetMean, std: model.targetStd)
                for s in c.shifts {
                    // Pairs (i, i + s) inside the test windows of one episode.
                    var pairs: [(query: Int, candidate: Int)] = []
                    for k in test.indices {
                        let j = k + s
                        guard test.indices.contains(j) else { continue }
                        let a = samples[test[k]], b = samples[test[j]]
                        guard a.episode == b.episode, b.window - a.window == s else { continue }
                        pairs.append((j, k))
                    }
                    guard !pairs.isEmpty else { continue }
                    let q = pairs.flatMap { predicted.row($0.query) }
                    let cand = pairs.flatMap { zTargets.row($0.candidate) }
                    let ranks = try retrievalRanks(queries: q, candidates: cand, dimension: targetColumns.count)
                    let m = try retrievalMetrics(ranks: ranks, candidates: pairs.count)
                    rows.append(AlignmentShiftRow(group: g, target: c.target, shiftWindows: s, shiftFrames: s * stride, metrics: m,
                                                  chanceMRR: try RetrievalMetrics.chance(candidates: pairs.count).mrr,
                                                  suiteProtocol: c.suiteProtocol, seed: seed))
                }
            }
        }
        return rows
    }
}
