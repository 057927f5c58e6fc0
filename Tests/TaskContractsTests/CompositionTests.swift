import Foundation
import Heads
import Testing
@testable import TaskContracts

@Suite struct CompositionTests {
    /// xp-train's file is xp-evaluate's input: a round trip through `PredictionsFile` scores
    /// exactly as the in-memory predictions.
    @Test(arguments: [TaskID.timelineAction, .handTrajectoryForecast, .objectRelevance])
    func predictionsRoundTripScoresIdentically(_ task: TaskID) throws {
        let tmp = try TempFolder()
        let episode = try Fixture.episode(in: tmp)
        let problem = try TaskProblemBuilder.build(TaskContract(task, protocol: .strict), episodes: [episode])
        let settings = Fixture.quick(.strict).headSettings
        let pred = try HeadRunner.run(problem, head: .minimal, seed: 7, settings: settings)
        let folder = tmp.url.appendingPathComponent("pred")
        try PredictionsFile.write(pred, protocol: .strict, to: folder)
        let (back, p) = try PredictionsFile.read(folder)
        #expect(p == .strict && back.task == task && back.testRows == pred.testRows)
        let direct = try TaskEvaluator.evaluate(problem, pred, episodes: [episode], bootstrap: false)
        let viaFile = try TaskEvaluator.evaluate(problem, back, episodes: [episode], bootstrap: false)
        #expect(direct.metrics.text() == viaFile.metrics.text())
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))
    }

    /// Several episodes: whole sessions go to train, validation or test, and the audit finds
    /// no sample of one split touching another.
    @Test func heldOutEpisodesAreLeakFreeBySession() throws {
        let tmp = try TempFolder()
        var episodes: [SuiteEpisode] = []
        for (i, session) in ["s1", "s1", "s2", "s3", "s3"].enumerated() {
            var e = try Fixture.episode(frames: 300, seed: UInt64(20 + i), in: tmp)
            e.name = "\(session)/ep\(i)"
            e.session = session
            episodes.append(e)
        }
        var config = Fixture.quick(.strict)
        config.tasks = [.timelineAction, .misalignmentDetection]
        config.heads = [.minimal]
        let out = tmp.url.appendingPathComponent("out")
        let report = try SuiteRunner.run(episodes: episodes, configuration: config, output: out)
        #expect(report.leakage.allSatisfy { $0.leakFree && $0.split == "held_out_episodes" })
        let audit = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("leakage_audit.json"))) as? [String: Any])
        #expect(audit["sessions_spanning_splits"] as? Int == 0)
        let roles = (audit["episodes"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String }
        #expect(Set(roles).isSuperset(of: ["train", "test"]))
        // Episodes of one session share a role.
        let listed = (audit["episodes"] as? [[String: Any]] ?? [])
        let bySession = Dictionary(grouping: listed, by: { $0["session"] as? String ?? "" }).mapValues { Set($0.compactMap { $0["role"] as? String }) }
        #expect(bySession.values.allSatisfy { $0.count == 1 })
        // Multi-episode predictions name the episode of each window.
        let csv = try String(contentsOf: out.appendingPathComponent("timeline_action/predictions.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("episode,window_index"))
    }
}

@Suite("Validation episodes")
struct ValidationEpisodeTests {
    /// In `strict`, the neural head stops early on the validation episodes of a held-out split
    /// and says so in its metrics; the reference protocol trains every epoch.
    @Test func strictStopsEarlyOnValidationEpisodes() throws {
        let tmp = try TempFolder()
        var episodes: [SuiteEpisode] = []
        for (i, session) in ["s1", "s2", "s3", "s4", "s5", "s6"].enumerated() {
            var e = try Fixture.episode(frames: 300, seed: UInt64(40 + i), in: tmp)
            e.name = "\(session)/ep\(i)"
            e.session = session
            episodes.append(e)
        }
        var config = Fixture.quick(.strict)
        config.tasks = [.timelineAction]
        config.heads = [.neural]
        config.headSettings.mlp.epochs = 12
        config.headSettings.mlp.earlyStopping = MLPConfig.EarlyStopping(patience: 2)
        config.bootstrap = false
        let out = tmp.url.appendingPathComponent("out")
        _ = try SuiteRunner.run(episodes: episodes, configuration: config, output: out)
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("neural_mlp/timeline_action/metrics.json"))) as? [String: Any])
        let stop = try #require(metrics["neural_early_stopping"] as? [String: Any], "strict with validation episodes records its early stop")
        // The validation windows are exactly those of the validation episodes.
        let policy = SplitPolicy.heldOutEpisodes(try EpisodeAssignment.bySession(sessions: episodes.map(\.session), seed: 7))
        let problem = try TaskProblemBuilder.build(TaskContract(.timelineAction, protocol: .strict), episodes: episodes, policy: policy)
        #expect(!problem.validationRows.isEmpty)
        #expect(stop["validation_samples"] as? Int == problem.validationRows.count)
        let best = try #require(stop["best_epoch"] as? Int), ran = try #require(stop["epochs_run"] as? Int)
        #expect(best >= 1 && best <= ran && ran <= 12)
        // Every recorded epoch has a validation loss.
        let history = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("neural_mlp/timeline_action/history.json"))) as? [[String: Any]])
        #expect(history.count == ran && history.allSatisfy { $0["validation_loss"] is Double })
        let summary = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(summary.contains("stopped early on the validation episodes, keeping epochs \(best)–\(best) of 12"))

        // Reference: no early stop, all epochs.
        var ref = Fixture.quick(.reference)
        ref.tasks = [.timelineAction]
        ref.heads = [.neural]
        ref.bootstrap = false
        let refOut = tmp.url.appendingPathComponent("ref")
        _ = try SuiteRunner.run(episodes: episodes, configuration: ref, output: refOut)
        let refMetrics = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: refOut.appendingPathComponent("neural_mlp/timeline_action/metrics.json"))) as? [String: Any])
        #expect(refMetrics["neural_early_stopping"] == nil)
        #expect(!(try String(contentsOf: refOut.appendingPathComponent("summary.md"), encoding: .utf8)).contains("stopped early"))
    }
}

@Suite("Episode lists and provenance")
struct EpisodeListTests {
    @Test func listFilesParseTabsCommasAndComments() throws {
        let tmp = try TempFolder()
        let list = tmp.url.appendingPathComponent("list.txt")
        try """
        # episodes of the pilot
        data/s1/ep1\tsession-1\tfeats/ep1
        data/s1/ep2,session-1

        data/s2/ep1
        """.write(to: list, atomically: true, encoding: .utf8)
        let inputs = try EpisodeInput.list(file: list.path)
        #expect(inputs.map(\.episode.lastPathComponent) == ["ep1", "ep2", "ep1"])
        #expect(inputs.map(\.session) == ["session-1", "session-1", nil])
        #expect(inputs.map { $0.features?.lastPathComponent } == ["ep1", nil, nil])

        try "data/s1/ep1,a,b,c\n".write(to: list, atomically: true, encoding: .utf8)
        #expect { try EpisodeInput.list(file: list.path) } throws: { error in
            guard case let SuiteError.unreadable(file, detail) = error else { return false }
            return file == list.path && detail.hasPrefix("line 1:")
        }
        try "# nothing\n".write(to: list, atomically: true, encoding: .utf8)
        #expect(throws: SuiteError.self) { try EpisodeInput.list(file: list.path) }
        #expect(throws: SuiteError.self) { try EpisodeInput.list(file: tmp.url.appendingPathComponent("missing.txt").path) }
    }

    @Test func predictionsRecordTheirSplitAndEarlyStop() throws {
        let tmp = try TempFolder()
        var p = HeadPredictions(task: .nextAction, head: .neural, seed: 8, testRows: [3, 4, 5])
        p.predictedClass = [0, 1, 1]
        p.confidence = [0.5, 0.75, 1]
        p.bestEpoch = 12
        p.validationSamples = 40
        let provenance = PredictionsFile.Provenance(episodes: ["s1/ep1", "s2/ep1"], split: "held_out_episodes", splitSeed: 11)
        let folder = tmp.url.appendingPathComponent("pred")
        try PredictionsFile.write(p, protocol: .strict, provenance: provenance, to: folder)
        let (back, proto, readProvenance) = try PredictionsFile.readWithProvenance(folder)
        #expect(proto == .strict)
        #expect(readProvenance == provenance)
        #expect(back.bestEpoch == 12 && back.validationSamples == 40)
        #expect(back.testRows == [3, 4, 5] && back.predictedClass == [0, 1, 1] && back.seed == 8)
        // Written without provenance: none read back.
        try PredictionsFile.write(p, protocol: .reference, to: tmp.url.appendingPathComponent("plain"))
        #expect(try PredictionsFile.readWithProvenance(tmp.url.appendingPathComponent("plain")).provenance == nil)
    }
}
