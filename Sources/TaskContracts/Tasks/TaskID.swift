import WindowAlign
import Foundation

/// The id of a suite task: its `snake_case` name in every output (folder names, `task` keys,
/// `--tasks`, `predictions.json`).
///
/// An id is declared beside its task, in `Tasks/<Task>.swift`, and carries that task's unit;
/// ``allCases`` and ``init(rawValue:)`` read the one list of tasks (`SuiteTasks.all`), so a
/// task is added by writing its file and listing its id there, with nothing else to edit.
/// (An id is a struct rather than an enum for that reason: an enum would be a second list.)
public struct TaskID: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The `snake_case` name written in outputs.
    public let rawValue: String
    /// What the task reads, builds and scores.
    let unit: any SuiteTask

    /// The listed task named `rawValue`, or nil for a name no task declares.
    public init?(rawValue: String) {
        guard let id = SuiteTasks.all.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = id
    }

    /// Declares a task's id (one `static let` per task file).
    init(declaring rawValue: String, _ unit: any SuiteTask) {
        self.rawValue = rawValue
        self.unit = unit
    }

    /// Every task, in the reference's `TASKS` order.
    public static var allCases: [TaskID] { SuiteTasks.all }

    public static func == (a: TaskID, b: TaskID) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
    public var description: String { rawValue }

    /// Decodes the `snake_case` name; an unknown name is an error, as for an enum.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let id = TaskID(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Cannot initialize TaskID from invalid String value \(raw)")
        }
        self = id
    }

    /// Encodes the `snake_case` name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Parses a comma-separated list of task ids, or `all`.
    public static func parseList(_ text: String) throws(SuiteError) -> [TaskID] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if parts.isEmpty || parts == ["all"] { return allCases }
        var out: [TaskID] = []
        for p in parts {
            guard let t = TaskID(rawValue: p) else {
                throw .invalidArgument(what: "--tasks", detail: "unknown task '\(p)'; known: \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if !out.contains(t) { out.append(t) }
        }
        return out
    }
}

// The task's card, read from its unit.
extension TaskID {
    /// The public display name (`scripts/task_display.py`).
    public var displayName: String { unit.card.displayName }

    /// The episode modalities the task's targets need (besides the frame timeline).
    public var targetModalities: Set<EpisodeModality> { unit.card.targetModalities }

    /// What kind of problem the task is, which fixes its heads and metric family.
    public var kind: TaskKind { unit.card.kind }

    /// The metric the summary table reports (the walkthroughs' choice).
    public var primaryMetric: String { unit.card.primaryMetric }

    /// The metric a run of protocol `p` reports as primary: ``primaryMetric``, except in
    /// `strict` for the pair tasks, whose F1 rewards predicting one class (an all-positive
    /// head scores the always-positive F1) and whose primary metric there is AUROC.
    public func primaryMetric(for p: SuiteProtocol) -> String {
        p == .strict ? (unit.card.strictPrimaryMetric ?? unit.card.primaryMetric) : unit.card.primaryMetric
    }

    /// False for error metrics (lower is better).
    public var higherIsBetter: Bool { unit.card.higherIsBetter }

    /// The reference's `input` description string in `metrics.json`.
    public var referenceInputDescription: String { unit.card.referenceInput }

    /// The reference's `output` string (projection tasks only).
    public var referenceOutputDescription: String? { unit.card.referenceOutput }

    /// The reference's neural `head` string.
    public var neuralHeadDescription: String { unit.card.neuralHead }

    /// The published primary metric (spec §4.1) of the reference run on the sample episode,
    /// minimal then neural head. Shown in `summary.md` for `reference` runs only.
    public var publishedPrimary: (minimal: Double, neural: Double) { unit.card.published }

    /// Relative cost, for starting the costliest tasks first when several run at once.
    var schedulingCost: Int { unit.card.schedulingCost }
}
