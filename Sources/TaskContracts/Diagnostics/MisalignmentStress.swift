import Foundation
import Heads
import Metrics
import WindowAlign

/// One misalignment row of `alignment_shift_metrics.csv`: the pair head of one query group,
/// trained on the task's own pairs, scored with that group's stream shifted by `shiftWindows`.
public struct MisalignmentShiftRow: Sendable, Equatable {
    public var group: ModalityGroup
    /// The feature set of the pair's right (visual) side: `VISUAL` in reference, the task's
    /// target set (`VISUAL_AUDIO`) in strict.
    public var target: String
    public var shiftWindows: Int
    public var shiftFrames: Int
    /// Macro-F1 (`score`), accuracy and balanced accuracy of the shifted test pairs against
    /// their designed labels, with the trivial baseline.
    public var score: DiagnosticScore
    /// AUROC of the aligned-class score (nil when the kept pairs hold one class only).
    public var auroc: Double?
    public var suiteProtocol: SuiteProtocol
    public var seed: UInt64
}

/// The misalignment half of the alignment stress (issue: "the misalignment and retrieval tasks
/// under a sweep of time shifts per stream"). Per query group, the ridge pair head of the
/// ablation (`[group_i, visual_j]`, the reference's difference columns in reference) is fitted
/// on the task's train pairs at shift 0; then every test pair (i, j, label) is rebuilt as
/// `[group_{i+s}, visual_j]`, i.e. the group's stream read s windows late, and scored against
/// its designed label. Only pairs whose shifted window i + s is a test window of the same
/// episode are kept, so a shift never reads train windows.
///
/// Reading the curve: the designed lags j − i are 0 (aligned) and `shift` (8) windows; after
/// the stream shift they are −s and 8 − s. A head that detects misalignment loses F1 and AUROC
/// as |s| grows. A head that reads the relative lag (as a linear head can) keeps its AUROC
/// (the two classes stay 8 windows apart) while its F1 falls once both lags land on one side of
/// the threshold learned at shift 0.
public enum MisalignmentStress {
    public struct Configuration: Sendable {
        public var suiteProtocol: SuiteProtocol
        public var groups: [ModalityGroup] = ModalityGroups.alignmentQueries
        public var shifts: [Int] = AlignmentStress.referenceShifts
        public var seeds: [UInt64] = [7]
        public var parameters = TaskParameters()
        public init(protocol p: SuiteProtocol) { suiteProtocol = p }
    }

    /// Rows in seed, group, shift order. No rows when the misalignment task does not apply
    /// (episodes shorter than its shift).
    public static func run(episodes: [SuiteEpisode], configuration c: Configuration,
                           progress: (@Sendable (String) -> Void)? = nil) throws -> [MisalignmentShiftRow] {
        guard let schema = episodes.first?.schema else { throw SuiteError.invalidArgument(what: "episodes", detail: "at least one episode is needed") }
        let contract = TaskContract(.misalignmentDetection, protocol: c.suiteProtocol, parameters: c.parameters)
        let stride = c.parameters.window.stride
        let targetName = (c.suiteProtocol == .reference ? FeatureSet.visual : contract.targetSet ?? .visualAudio).rawValue
        var rows: [MisalignmentShiftRow] = []
        try DiagnosticSeeds.eachProblem(contract, episodes: episodes, seeds: c.seeds, parameters: c.parameters) { seed, outcome in
            guard case let .built(problem) = outcome, case let .classes(ids, names) = problem.targets,
                  let aligned = names.firstIndex(of: "1") else { return }
            let samples = problem.samples
            let right = DiagnosticInputs.misalignmentRight(problem, schema: schema)
            // The windows a shifted stream may read: the left windows of the test pairs.
            var testWindows: [Int: Set<Int>] = [:]
            for r in problem.testRows { testWindows[samples[r].episode, default: []].insert(samples[r].window) }
            for g in c.groups {
                progress?("alignment stress (misalignment): \(g.name)")
                let columns = g.columns(schema)
                guard !columns.isEmpty else { continue }
                let fitted = try DiagnosticFit.fit(problem, episodes: episodes, columns: columns, right: right, parameters: c.parameters)
                for s in c.shifts {
                    var pairs: [(episode: Int, left: Int, right: Int)] = [], kept: [Int] = []
                    for r in problem.testRows {
                        let p = samples[r]
                        guard testWindows[p.episode]?.contains(p.window + s) == true else { continue }
                        pairs.append((p.episode, p.window + s, p.partner ?? p.window))
                        kept.append(r)
                    }
                    guard !kept.isEmpty else { continue }
                    let x = try DiagnosticInputs.pairRows(pairs, episodes: episodes, columns: columns, right: right, protocol: c.suiteProtocol).x
                    let predicted = try fitted.model.predict(x, rows: Array(0..<x.rows))
                    let score = try DiagnosticScoring.score(problem: problem, test: kept, predicted: predicted, zTargets: nil,
                                                            model: fitted.model, parameters: c.parameters)
                    // The aligned-class margin: the ridge outputs one column per class.
                    let margin = (0..<predicted.rows).map { r -> Double in
                        let row = Array(predicted.row(r))
                        return row.indices.reduce(0) { $0 + ($1 == aligned ? 1 : -1) * Double(row[$1]) }
                    }
                    let truth = kept.map { ids[$0] == aligned ? 1 : 0 }
                    rows.append(MisalignmentShiftRow(group: g, target: targetName, shiftWindows: s, shiftFrames: s * stride, score: score,
                                                     auroc: try auroc(truth: truth, scores: margin), suiteProtocol: c.suiteProtocol, seed: seed))
                }
            }
        }
        return rows
    }
}
