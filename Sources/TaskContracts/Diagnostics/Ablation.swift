import Foundation
import Heads
import WindowAlign

/// Whether an ablation row keeps a group alone or removes it from the task's inputs.
public enum AblationMode: String, Sendable, CaseIterable, Codable {
    /// The task's inputs without the group's blocks.
    case removed
    /// The group's blocks alone (the reference's ablation: every published row is "only").
    case only
}

/// One row of `ablation_metrics.csv`: a task, a group, a mode, and its score (nil when not
/// computed, with the reason).
public struct AblationRow: Sendable, Equatable {
    public var task: TaskID
    public var group: ModalityGroup
    public var mode: AblationMode
    public var suiteProtocol: SuiteProtocol
    public var seed: UInt64
    /// The task's target, in one line.
    public var targetVariant: String
    /// The group holds a block the task's target is built from (see
    /// ``ModalityGroups/targetSources(of:protocol:)``): its score is not evidence of signal.
    public var targetSourceOverlap: Bool
    public var inputDim: Int
    public var score: DiagnosticScore?
    /// Why the row was not computed (empty when it was).
    public var reason: String = ""

    public var status: String { score == nil ? "not_computed" : "computed" }
}

/// The modality ablation of `task-suite.md` §6.1: every task with each group alone and each
/// group removed, the ridge head of ``DiagnosticModel``, the task's own samples, targets and
/// split under the protocol.
public enum ModalityAblation {
    /// What to run.
    public struct Configuration: Sendable {
        public var suiteProtocol: SuiteProtocol
        public var tasks: [TaskID] = TaskID.allCases
        public var groups: [ModalityGroup] = ModalityGroups.ablation
        /// Default: `only` in reference (the published rows), both in strict.
        public var modes: [AblationMode]
        public var seeds: [UInt64] = [7]
        public var parameters = TaskParameters()

        public init(protocol p: SuiteProtocol) {
            suiteProtocol = p
            modes = p == .reference ? [.only] : [.removed, .only]
        }
    }

    /// Runs the ablation. Tasks in `configuration.tasks` order; within a task the seeds, then
    /// the modes, then the groups in list order. `progress` gets one line per task.
    public static func run(episodes: [SuiteEpisode], configuration c: Configuration,
                           progress: (@Sendable (String) -> Void)? = nil) throws -> [AblationRow] {
        guard let schema = episodes.first?.schema else { throw SuiteError.invalidArgument(what: "episodes", detail: "at least one episode is needed") }
        var rows: [AblationRow] = []
        for task in c.tasks {
            progress?("ablation: \(task.rawValue)")
            let contract = TaskContract(task, protocol: c.suiteProtocol, parameters: c.parameters)
            try DiagnosticSeeds.eachProblem(contract, episodes: episodes, seeds: c.seeds, parameters: c.parameters) { seed, outcome in
                let problem: TaskProblem
                switch outcome {
                case let .built(p): problem = p
                case let .notApplicable(reason):
                    for mode in c.modes {
                        for g in c.groups {
                            rows.append(AblationRow(task: task, group: g, mode: mode, suiteProtocol: c.suiteProtocol, seed: seed,
                                                    targetVariant: contract.targetDescription,
                                                    targetSourceOverlap: ModalityGroups.overlapsTarget(g, task: task, schema: schema, protocol: c.suiteProtocol),
                                                    inputDim: 0, reason: reason))
                        }
                    }
                    return
                }
                for mode in c.modes {
                    for g in c.groups {
                        let columns = inputColumns(problem, group: g, mode: mode, schema: schema)
                        var row = AblationRow(task: task, group: g, mode: mode, suiteProtocol: c.suiteProtocol, seed: seed,
                                              targetVariant: contract.targetDescription,
                                              targetSourceOverlap: ModalityGroups.overlapsTarget(g, task: task, schema: schema, protocol: c.suiteProtocol),
                                              inputDim: columns.count)
                        if columns.isEmpty {
                            row.reason = mode == .only ? "the task's \(contract.input.rawValue) inputs hold no block of this group"
                                : "removing this group leaves no input block"
                        } else {
                            row.score = try DiagnosticFit.score(problem, episodes: episodes, columns: columns, parameters: c.parameters)
                        }
                        rows.append(row)
                    }
                }
            }
        }
        return rows
    }

    /// The input columns of an ablation row. `only` in reference is the group's columns as
    /// the reference takes them (whatever the task's input set; the contact task never sees
    /// the body-contacts block its proxy is read from); in strict the group within the task's
    /// strict input set, so that strict inputs stay strict. `removed` is the task's inputs
    /// without the group.
    static func inputColumns(_ problem: TaskProblem, group: ModalityGroup, mode: AblationMode, schema: FeatureSchema) -> [Int] {
        let contract = problem.contract
        let input = schema.columnIndices(contract.input)
        let groupColumns = Set(group.columns(schema))
        switch mode {
        case .removed:
            return input.filter { !groupColumns.contains($0) }
        case .only:
            if contract.suiteProtocol == .reference {
                let contacts = contract.task == .contactPrediction ? Set(schema.columnIndices(include: ["body_contacts"])) : []
                return group.columns(schema).filter { !contacts.contains($0) }
            }
            return input.filter { groupColumns.contains($0) }
        }
    }
}

/// Fits and scores the diagnostic head on a problem with its inputs rebuilt over other columns.
enum DiagnosticFit {
    static func score(_ problem: TaskProblem, episodes: [SuiteEpisode], columns: [Int], parameters: TaskParameters) throws -> DiagnosticScore {
        let fitted = try fit(problem, episodes: episodes, columns: columns, parameters: parameters)
        return try fitted.score(zeroing: [])
    }

    /// A fitted head and what scoring it needs: the test rows, the inputs and the z-scored
    /// test targets.
    struct Fitted {
        let problem: TaskProblem
        let model: DiagnosticModel
        let x: Matrix
        let test: [Int]
        let zTest: Matrix?
        let parameters: TaskParameters

        /// The score with `zeroing` columns of `x` at their train mean at test time.
        func score(zeroing: [Int]) throws -> DiagnosticScore {
            let predicted = try model.predict(x, rows: test, zeroing: zeroing)
            return try DiagnosticScoring.score(problem: problem, test: test, predicted: predicted, zTargets: zTest, model: model, parameters: parameters)
        }
    }

    /// `right`: the misalignment task's visual side (default: ``DiagnosticInputs/misalignmentRight(_:schema:)``).
    static func fit(_ problem: TaskProblem, episodes: [SuiteEpisode], columns: [Int], right: [Int]? = nil, parameters: TaskParameters) throws -> Fitted {
        let right = problem.contract.task == .misalignmentDetection
            ? right ?? DiagnosticInputs.misalignmentRight(problem, schema: episodes[0].schema) : []
        let (x, blocks) = try DiagnosticInputs.rows(problem, episodes: episodes, columns: columns, right: right)
        let (y, zScore) = try DiagnosticTargets.matrix(problem.targets)
        let model = try DiagnosticModel.fit(x: x, y: y, train: problem.trainRows, protocol: problem.contract.suiteProtocol,
                                            zScoreTargets: zScore, blocks: blocks, lambda: parameters.ridgeLambda)
        let test = problem.testRows
        let zTest = zScore ? try DiagnosticModel.zScored(y.gatherRows(test), mean: model.targetMean, std: model.targetStd) : nil
        return Fitted(problem: problem, model: model, x: x, test: test, zTest: zTest, parameters: parameters)
    }
}

/// Which seeds a diagnostic runs. The ridge head is deterministic and a chronological split
/// has no randomness, so on one episode every seed gives the same numbers: the first seed
/// stands for all. With several episodes the seed assigns held-out sessions, and each runs.
public enum DiagnosticSeeds {
    public static func effective(_ seeds: [UInt64], episodes: [SuiteEpisode]) -> [UInt64] {
        episodes.count > 1 ? seeds : Array(seeds.prefix(1))
    }

    /// A task's problem under one seed's split, or why the task does not apply.
    enum Outcome {
        case built(TaskProblem)
        case notApplicable(reason: String)
    }

    /// Builds `contract`'s problem for each effective seed (the standard split of that seed)
    /// and hands it to `body`; a task that does not apply to the episodes reaches `body` as
    /// `.notApplicable` so that the diagnostic can write its not-computed rows. One problem is
    /// alive at a time (a full episode's pair problems are large).
    static func eachProblem(_ contract: TaskContract, episodes: [SuiteEpisode], seeds: [UInt64], parameters: TaskParameters,
                            _ body: (UInt64, Outcome) throws -> Void) throws {
        for seed in effective(seeds, episodes: episodes) {
            let outcome: Outcome
            do {
                outcome = .built(try TaskProblemBuilder.build(contract, episodes: episodes, policy: try SplitPolicy.standard(for: episodes, seed: seed),
                                                              parameters: parameters))
            } catch let SuiteError.notApplicable(_, reason) {
                outcome = .notApplicable(reason: reason)
            }
            try body(seed, outcome)
        }
    }
}
