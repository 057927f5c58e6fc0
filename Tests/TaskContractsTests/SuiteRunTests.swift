import EpisodeIO
import Foundation
import Testing
@testable import TaskContracts

@Suite(.serialized) struct SuiteRunTests {
    static let minimalFiles: [TaskID: [String]] = [
        .timelineAction: ["metrics.json", "per_class_metrics.csv", "confusion_matrix.csv", "predictions.csv", "model.safetensors"],
        .transitionDetection: ["metrics.json", "per_class_metrics.csv", "confusion_matrix.csv", "predictions.csv", "model.safetensors", "true_boundaries.csv"],
        .handTrajectoryForecast: ["metrics.json", "predictions.npz", "model.safetensors"],
        .objectRelevance: ["metrics.json", "object_vocab.json", "predictions.csv", "model.safetensors"],
        .captionGrounding: ["metrics.json", "model.safetensors"],
        .crossModalRetrieval: ["metrics.json", "model.safetensors"],
        .modalityReconstruction: ["metrics.json", "predictions.npz", "model.safetensors"],
        .temporalOrder: ["metrics.json", "predictions.csv", "model.safetensors"],
        .misalignmentDetection: ["metrics.json", "predictions.csv", "model.safetensors"],
    ]

    @Test(arguments: SuiteProtocol.allCases)
    func everyTaskRunsWithBothHeadsAndWritesItsArtifacts(_ p: SuiteProtocol) throws {
        let tmp = try TempFolder()
        let episode = try Fixture.episode(in: tmp)
        let out = tmp.url.appendingPathComponent("out-\(p.rawValue)")
        let config = Fixture.quick(p)
        let report = try SuiteRunner.run(episodes: [episode], configuration: config, output: out)
        let fm = FileManager.default
        for name in ["summary_report.json", "summary.md", "windows.csv", "feature_manifest.json", "leakage_audit.json", "available_modalities.json"] {
            #expect(fm.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        // Every task ran (contact may be single-class on a tiny episode in strict: N/A, not 1.0).
        for row in report.rows where !(p == .strict && row.task == .contactPrediction) {
            #expect(row.status == "ok", "\(row.task.rawValue) \(row.head.rawValue): \(row.reason ?? "")")
        }
        #expect(report.rows.count == 24)
        for (task, files) in Self.minimalFiles {
            for head in HeadKind.allCases {
                let dir = SuiteRunner.dir(out, head, task)
                for f in files { #expect(fm.fileExists(atPath: dir.appendingPathComponent(f).path), "\(head.rawValue)/\(task.rawValue)/\(f)") }
                if head == .neural { #expect(fm.fileExists(atPath: dir.appendingPathComponent("history.json").path)) }
            }
        }
        // metrics.json carries the reference keys plus the protocol.
        let data = try Data(contentsOf: out.appendingPathComponent("timeline_action/metrics.json"))
        let m = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["accuracy", "balanced_accuracy", "macro_f1", "weighted_f1", "num_eval_windows", "num_classes", "task", "input", "split",
                    "num_windows", "num_train_windows", "num_test_windows", "feature_dim", "majority_baseline_accuracy",
                    "train_final_accuracy", "train_final_loss", "unseen_test_classes", "task_display_name", "protocol", "baselines"] {
            #expect(m[key] != nil, "metrics.json key \(key)")
        }
        #expect(m["protocol"] as? String == p.rawValue)
        let schema = episode.schema
        #expect(m["feature_dim"] as? Int == (p == .reference ? schema.dimension : schema.columnIndices(.noText).count))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary_report.json"))) as? [String: Any])
        for key in ["tasks", "neural_tasks", "num_frames", "num_windows", "feature_dim", "window_frames", "stride_frames",
                    "task_display_names", "neural_model", "protocol", "seeds", "baselines"] {
            #expect(summary[key] != nil, "summary key \(key)")
        }
        #expect((summary["tasks"] as? [String: Any])?.count == 12)
        let md = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(md.contains("Action Recognition"))
        #expect(md.contains("Published") == (p == .reference))
        if p == .strict {
            // Strict: intervals and a leak-free audit.
            #expect(report.rows.contains { $0.interval != nil })
            #expect(report.leakage.allSatisfy { $0.leakFree })
        } else {
            #expect(report.rows.allSatisfy { $0.interval == nil })
        }
    }

    @Test func existingOutputNeedsOverwrite() throws {
        let tmp = try TempFolder()
        let episode = try Fixture.episode(in: tmp)
        let out = tmp.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: out.appendingPathComponent("marker"))
        var config = Fixture.quick(.strict)
        config.tasks = [.timelineAction]
        config.heads = [.minimal]
        #expect(throws: SuiteError.outputExists(path: out.path)) {
            try SuiteRunner.run(episodes: [episode], configuration: config, output: out)
        }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("marker").path))
        config.overwrite = true
        _ = try SuiteRunner.run(episodes: [episode], configuration: config, output: out)
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("marker").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("timeline_action/metrics.json").path))
        // No temporary folder is left beside it.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: tmp.url.path)
        #expect(!siblings.contains { $0.contains(".partial-") })
    }

    @Test func missingLabelsAndModalitiesAreNotApplicableWithAReason() throws {
        let tmp = try TempFolder()
        var config = Fixture.quick(.strict)
        config.heads = [.minimal]
        config.tasks = [.timelineAction, .nextAction, .objectRelevance, .handTrajectoryForecast, .temporalOrder]
        let noCaption = try Fixture.episode(variant: .noCaption, fillMedia: false, in: tmp)
        let r1 = try SuiteRunner.run(episodes: [noCaption], configuration: config, output: tmp.url.appendingPathComponent("a"))
        for t in [TaskID.timelineAction, .nextAction, .objectRelevance] {
            let row = try #require(r1.rows.first { $0.task == t })
            #expect(row.status == "not_applicable")
            #expect(row.reason?.contains("caption") == true, "\(row.reason ?? "")")
            #expect(FileManager.default.fileExists(atPath: tmp.url.appendingPathComponent("a/\(t.rawValue)/not_applicable.json").path))
        }
        #expect(r1.rows.first { $0.task == .handTrajectoryForecast }?.status == "ok")
        #expect(r1.rows.first { $0.task == .temporalOrder }?.status == "ok")

        let noHands = try Fixture.episode(variant: .noHands, fillMedia: false, in: tmp)
        let r2 = try SuiteRunner.run(episodes: [noHands], configuration: config, output: tmp.url.appendingPathComponent("b"))
        let hand = try #require(r2.rows.first { $0.task == .handTrajectoryForecast })
        #expect(hand.status == "not_applicable")
        #expect(hand.reason?.contains("hand") == true)
        #expect(r2.rows.first { $0.task == .timelineAction }?.status == "ok")
        let md = try String(contentsOf: tmp.url.appendingPathComponent("b/summary.md"), encoding: .utf8)
        #expect(md.contains("N/A"))

        // Without media features the visual target of reconstruction has no data.
        config.tasks = [.modalityReconstruction]
        let plain = try Fixture.episode(fillMedia: false, in: tmp)
        let r3 = try SuiteRunner.run(episodes: [plain], configuration: config, output: tmp.url.appendingPathComponent("c"))
        #expect(r3.rows.first?.status == "not_applicable")
        #expect(r3.rows.first?.reason?.contains("VISUAL") == true)
    }

    @Test func singleClassContactIsNotApplicableInStrictAndTrivialInReference() throws {
        let tmp = try TempFolder()
        var episode = try Fixture.episode(fillMedia: false, in: tmp)
        // Every contact value 0.3: some contact > 0 everywhere (reference: one class), no
        // hand channel reaches 0.5 (strict: one class).
        episode.frames.contacts = [Float](repeating: 0.3, count: episode.frames.frameCount * 21)
        let strict = TaskContract(.contactPrediction, protocol: .strict)
        #expect(throws: SuiteError.self) { try TaskProblemBuilder.build(strict, episodes: [episode]) }
        let reason = notApplicableReason(strict, [episode])
        #expect(reason?.contains("single-class") == true)
        var config = Fixture.quick(.reference)
        config.tasks = [.contactPrediction]
        config.heads = [.minimal]
        let r = try SuiteRunner.run(episodes: [episode], configuration: config, output: tmp.url.appendingPathComponent("ref"))
        #expect(r.rows.first?.primaryPerSeed.first ?? nil == 1.0)
    }
}

/// The reason of the `SuiteError.notApplicable` that building `contract` throws, nil otherwise.
func notApplicableReason(_ contract: TaskContract, _ episodes: [SuiteEpisode]) -> String? {
    do {
        _ = try TaskProblemBuilder.build(contract, episodes: episodes)
        return nil
    } catch {
        if case .notApplicable(_, let reason) = error { return reason }
        return nil
    }
}
