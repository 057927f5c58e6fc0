import Foundation
import Heads
import Metrics
import WindowAlign

/// One row of `by_session.csv`: a task's score on the test windows of one held-out session,
/// with a block-bootstrap interval over those windows.
public struct SessionRow: Sendable, Equatable {
    public var session: String
    public var task: TaskID
    public var score: DiagnosticScore
    /// 95% block-bootstrap interval of `score.score` over the session's test samples.
    public var interval: BootstrapInterval?
    public var suiteProtocol: SuiteProtocol
    public var seed: UInt64
}

/// Every task's diagnostic score per held-out session, when a run spans episodes: the head is
/// fitted once on the train sessions (held-out episodes grouped by session, assigned by the
/// seed) and scored on each test session's samples alone (retrieval ranks within the session).
public enum BySession {
    public struct Configuration: Sendable {
        public var suiteProtocol: SuiteProtocol
        public var tasks: [TaskID] = TaskID.allCases
        public var seeds: [UInt64] = [7]
        public var parameters = TaskParameters()
        /// Bootstrap resamples per interval (a diagnostic, not the headline number: fewer than the suite's 1000).
        public var resamples = 200
        public init(protocol p: SuiteProtocol) { suiteProtocol = p }
    }

    /// - Throws: `SuiteError.invalidArgument` with fewer than two episodes (no held-out session).
    public static func run(episodes: [SuiteEpisode], configuration c: Configuration,
                           progress: (@Sendable (String) -> Void)? = nil) throws -> [SessionRow] {
        guard episodes.count > 1, let schema = episodes.first?.schema else {
            throw SuiteError.invalidArgument(what: "by-session diagnostic", detail: "needs episodes of at least two sessions; pass --episodes ROOT or a list")
        }
        let w = c.parameters.window
        let block = max(1, (w.size + w.stride - 1) / w.stride)
        var rows: [SessionRow] = []
        for task in c.tasks {
            progress?("by session: \(task.rawValue)")
            let contract = TaskContract(task, protocol: c.suiteProtocol, parameters: c.parameters)
            for seed in c.seeds {
                guard let problem = try? TaskProblemBuilder.build(contract, episodes: episodes, policy: try SplitPolicy.standard(for: episodes, seed: seed),
                                                                  parameters: c.parameters) else { continue }
                let fitted = try DiagnosticFit.fit(problem, episodes: episodes, columns: schema.columnIndices(contract.input), parameters: c.parameters)
                let predicted = try fitted.model.predict(fitted.x, rows: fitted.test)
                var sessions: [String] = []
                for r in fitted.test where !sessions.contains(episodes[problem.samples[r].episode].session) {
                    sessions.append(episodes[problem.samples[r].episode].session)
                }
                for session in sessions {
                    let positions = fitted.test.indices.filter { episodes[problem.samples[fitted.test[$0]].episode].session == session }
                    guard positions.count >= 2, let score = try? fitted.score(positions: positions, predicted: predicted) else { continue }
                    let interval = try? blockBootstrap(count: positions.count, blockLength: block, resamples: c.resamples, seed: seed) { idx in
                        try? fitted.score(positions: idx.map { positions[$0] }, predicted: predicted).score
                    }
                    rows.append(SessionRow(session: session, task: task, score: score, interval: interval, suiteProtocol: c.suiteProtocol, seed: seed))
                }
            }
        }
        return rows
    }
}

extension DiagnosticFit.Fitted {
    /// The score on the test positions `positions` (indices into `test`), given the
    /// predictions of every test row.
    func score(positions: [Int], predicted: Matrix) throws -> DiagnosticScore {
        let rows = positions.map { test[$0] }
        let sub = try predicted.gatherRows(positions)
        let z = try zTest.map { try $0.gatherRows(positions) }
        return try DiagnosticScoring.score(problem: problem, test: rows, predicted: sub, zTargets: z, model: model, parameters: parameters)
    }
}
