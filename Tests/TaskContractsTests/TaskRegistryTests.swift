import Foundation
import Testing
import WindowAlign
@testable import TaskContracts

/// The tasks are units: one list names them, each carries its own card, contract, targets and
/// scoring, and the shared machinery knows no task by name.
@Suite struct TaskRegistryTests {
    /// The reference's `TASKS` order (`scripts/episode_task_suite.py`).
    static let referenceOrder = [
        "timeline_action", "timeline_subtask", "transition_detection", "next_action", "hand_trajectory_forecast",
        "contact_prediction", "object_relevance", "caption_grounding", "cross_modal_retrieval", "modality_reconstruction",
        "temporal_order", "misalignment_detection",
    ]

    @Test func theListIsTheIdsInReferenceOrder() {
        #expect(TaskID.allCases == SuiteTasks.all)
        // A new task goes at the end; the reference's twelve keep their order.
        #expect(Array(SuiteTasks.all.prefix(Self.referenceOrder.count).map(\.rawValue)) == Self.referenceOrder)
    }

    @Test func idsAndUnitsAreUnique() {
        let names = SuiteTasks.all.map(\.rawValue)
        #expect(Set(names).count == names.count, "duplicate task ids in SuiteTasks.all: \(names)")
        // Each id carries its own unit (a copied `static let` pointing at another task's unit
        // would show up as a repeated unit type).
        let units = SuiteTasks.all.map { String(describing: type(of: $0.unit)) }
        #expect(Set(units).count == units.count, "a unit is listed under two ids: \(units)")
        let displayNames = SuiteTasks.all.map(\.displayName)
        #expect(Set(displayNames).count == displayNames.count)
    }

    @Test func idsParseAndCodeAsTheirNames() throws {
        for id in SuiteTasks.all {
            #expect(TaskID(rawValue: id.rawValue) == id)
            let data = try JSONEncoder().encode([id])
            #expect(String(decoding: data, as: UTF8.self) == "[\"\(id.rawValue)\"]")
            #expect(try JSONDecoder().decode([TaskID].self, from: data) == [id])
        }
        #expect(TaskID(rawValue: "no_such_task") == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([TaskID].self, from: Data("[\"no_such_task\"]".utf8)) }
        #expect(try TaskID.parseList("all") == SuiteTasks.all)
        #expect(try TaskID.parseList("temporal_order, timeline_action,temporal_order") == [.temporalOrder, .timelineAction])
        #expect(throws: SuiteError.self) { try TaskID.parseList("timeline_action,nope") }
    }

    @Test(arguments: SuiteProtocol.allCases)
    func everyContractIsTheTasksOwnAndComplete(_ p: SuiteProtocol) {
        for id in SuiteTasks.all {
            let c = TaskContract(id, protocol: p)
            #expect(c.task == id && c.suiteProtocol == p)
            #expect(c.metrics.first == id.primaryMetric, "\(id.rawValue): the primary metric comes first")
            #expect(c.artifacts.first == "metrics.json" && c.artifacts.contains("model.safetensors"), "\(id.rawValue)")
            #expect(!c.targetDescription.isEmpty, "\(id.rawValue)")
            #expect((c.targetSet != nil) == (id.kind == .retrieval || id == .modalityReconstruction || id == .misalignmentDetection), "\(id.rawValue)")
        }
    }

    /// A task the library has never heard of, defined here in one place, runs through the
    /// builder, both heads, the evaluator and the runner: nothing outside a task's unit names
    /// a task, so a 13th task is its file plus its line in `SuiteTasks.all`.
    @Test func aTaskDefinedOutsideTheListRunsThroughTheSharedMachinery() throws {
        let parity = TaskID(declaring: "window_parity", WindowParity())
        #expect(TaskID(rawValue: "window_parity") == nil, "not listed, so not parsed: the list is the one place to add it")
        let tmp = try TempFolder()
        let episode = try Fixture.episode(in: tmp)
        let problem = try TaskProblemBuilder.build(TaskContract(parity, protocol: .strict), episodes: [episode])
        #expect(problem.samples.count == episode.windows.count)
        #expect(problem.contract.targetDescription == "even or odd window index")

        var config = Fixture.quick(.strict)
        config.tasks = [parity]
        config.bootstrap = false
        let out = tmp.url.appendingPathComponent("out")
        let report = try SuiteRunner.run(episodes: [episode], configuration: config, output: out)
        #expect(report.rows.map(\.status) == ["ok", "ok"], "\(report.rows.map { $0.reason ?? "" })")
        let metrics = try String(contentsOf: out.appendingPathComponent("window_parity/metrics.json"), encoding: .utf8)
        #expect(metrics.contains("\"task_display_name\": \"Window Parity\""))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("neural_mlp/window_parity/predictions.csv").path))
        #expect(report.markdown.contains("Window Parity (`window_parity`)"))
    }
}

/// A toy 13th task: is the window index even or odd?
private struct WindowParity: SuiteTask {
    let card = TaskCard(displayName: "Window Parity", kind: .classification, primaryMetric: "macro_f1",
                        referenceInput: "all modalities -> window parity", neuralHead: ClassificationScoring.neuralHead,
                        published: (0.5, 0.5))

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = .noText
        c.targetDescription = "even or odd window index"
        c.metrics = ClassificationScoring.metrics
        c.artifacts = ClassificationScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        var samples: [Sample] = [], labels: [String] = []
        for (ei, ep) in b.episodes.enumerated() {
            for i in ep.windows.indices { samples.append(b.sample(ei, i)); labels.append(i % 2 == 0 ? "even" : "odd") }
        }
        return TaskDraft(samples: samples, targets: .encoding(labels), inputs: try b.windowInputs(samples))
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts { try ClassificationScoring.score(s) }
}
