import Foundation
import Heads
import Metrics
import WindowAlign
import XPCore

/// Rows built like a task's test rows but changed in one way, which the trained head scores
/// (spec §7, 11 and 12): a score that survives the change is not the one the task claims.
struct ControlSet: Sendable {
    /// metrics.json / controls.json name, e.g. `across_gap_4`.
    var name: String
    var description: String
    /// The gap or shift in windows.
    var windows: Int
    /// Rows in the problem's input layout (unstandardised).
    var x: Matrix
    /// 1 for the true pair, 0 for the other.
    var labels: [Int]
}

/// A control that retrains the head on part of the input (a feature ablation).
struct ControlAblation: Sendable {
    var name: String
    var description: String
    /// The columns of the problem's input that stay.
    var keptColumns: [Int]
    /// Their feature-block ranges in the ablated layout.
    var blocks: [Range<Int>]
}

/// A task's controls.
struct DraftedControls: Sendable {
    var sets: [ControlSet] = []
    var ablations: [ControlAblation] = []
    /// What the family of sets varies (`"gap_windows"`, `"shift_windows"`).
    var sweep = ""
    var isEmpty: Bool { sets.isEmpty && ablations.isEmpty }
}

/// What a task's ``SuiteTask/controls(_:)`` reads.
struct ControlDrafting {
    let problem: TaskProblem
    let episodes: [SuiteEpisode]
    let parameters: TaskParameters

    /// The windows of each episode that only test samples use (their own and partner
    /// windows): control pairs are built from them alone, so nothing a head trained on
    /// reappears.
    var testWindows: [Set<Int>] {
        var out = [Set<Int>](repeating: [], count: episodes.count)
        var trained = [Set<Int>](repeating: [], count: episodes.count)
        for (s, role) in zip(problem.samples, problem.roles) {
            let ws = [s.window] + (s.partner.map { [$0] } ?? [])
            if role == .test { out[s.episode].formUnion(ws) } else if role == .train || role == .validation { trained[s.episode].formUnion(ws) }
        }
        return zip(out, trained).map { $0.subtracting($1) }
    }
}

extension SuiteTask {
    /// No controls by default.
    func controls(_ c: ControlDrafting) throws(SuiteError) -> DraftedControls { DraftedControls() }
}

/// Drafts and scores the strict controls of a task.
enum TaskControls {
    /// The task's control rows, or nil when it has none.
    static func draft(_ problem: TaskProblem, episodes: [SuiteEpisode], parameters: TaskParameters) throws -> DraftedControls? {
        let c = try problem.contract.task.unit.controls(ControlDrafting(problem: problem, episodes: episodes, parameters: parameters))
        return c.isEmpty ? nil : c
    }

    /// `controls.json`: AUROC of the trained head on its own test pairs and on each control
    /// set (the first seed's model), and of each ablation retrained with the first seed.
    static func score(_ controls: DraftedControls, problem: TaskProblem, head: HeadKind, predictions: HeadPredictions,
                      configuration config: SuiteConfiguration) throws -> JSON {
        guard case let .classes(ids, _) = problem.targets else { throw SuiteError.shapeMismatch(what: "control targets", expected: "classes", found: "other targets") }
        func aurocOf(_ truth: [Int], _ scores: [Float]) -> Double? {
            guard truth.count == scores.count, !truth.isEmpty else { return nil }
            return try? auroc(truth: truth, scores: scores.map(Double.init))
        }
        let own = aurocOf(predictions.testRows.map { ids[$0] }, predictions.probabilityOfClass1)
        var sets: [JSON] = []
        for (k, set) in controls.sets.enumerated() {
            let scores = k < predictions.extraProbabilityOfClass1.count ? predictions.extraProbabilityOfClass1[k] : []
            sets.append(.object([("name", .string(set.name)), (controls.sweep, .int(set.windows)), ("description", .string(set.description)),
                                 ("pairs", .int(set.labels.count)), ("auroc", .num(aurocOf(set.labels, scores)))]))
        }
        var ablations: [JSON] = []
        for a in controls.ablations {
            var ablated = problem
            ablated.x = try problem.x.gatherColumns(a.keptColumns)
            ablated.inputBlocks = a.blocks
            let pred = try HeadRunner.run(ablated, head: head, seed: predictions.seed, settings: config.headSettings)
            ablations.append(.object([("name", .string(a.name)), ("description", .string(a.description)), ("input_dim", .int(a.keptColumns.count)),
                                      ("auroc", .num(aurocOf(pred.testRows.map { ids[$0] }, pred.probabilityOfClass1)))]))
        }
        return .object([("metric", .string("auroc")), ("seed", .int(Int(predictions.seed))), ("test_pairs_auroc", .num(own)),
                        ("sets", .array(sets)), ("ablations", .array(ablations)),
                        ("note", .string("control pairs use test-only windows; a head at chance on them and above chance on the task reads the trait the task targets"))])
    }
}
