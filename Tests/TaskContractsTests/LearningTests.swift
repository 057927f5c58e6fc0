import ToolSupport
import EpisodeIO
import Foundation
import Testing
@testable import TaskContracts

/// On the default synthetic episode (whose signals depend on the scripted actions) the strict
/// heads learn: action, subtask and next action beat the majority class, temporal order beats
/// chance; with permuted training labels they do not. The features are the episode's own,
/// restricted to all seven statistics of the first 8 dimensions of each block so that the
/// debug-build test stays fast.
@Suite(.serialized) struct LearningTests {
    /// Built once; a failure to build it fails each test with the builder's own error.
    static let folder = Result { try TempFolder() }
    static let episode = Result { () throws -> SuiteEpisode in
        try Fixture.episode(frames: SuiteCache.defaultFrames, fillMedia: false, perStep: 8, in: folder.get())
    }

    func run(_ tasks: [TaskID], heads: [HeadKind], shuffled: Bool) throws -> SuiteReport {
        let episode = try Self.episode.get()
        let folder = try TempFolder()
        var config = SuiteConfiguration(protocol: .strict, seeds: [7])
        config.tasks = tasks
        config.heads = heads
        config.bootstrap = false
        config.shuffleTrainLabels = shuffled
        return try SuiteRunner.run(episodes: [episode], configuration: config, output: folder.url.appendingPathComponent("out"))
    }

    func primary(_ r: SuiteReport, _ t: TaskID, _ h: HeadKind) -> (value: Double, baseline: Double)? {
        guard let row = r.rows.first(where: { $0.task == t && $0.head == h }), let v = row.primaryPerSeed.first ?? nil, let b = row.baseline else { return nil }
        return (v, b.value)
    }

    @Test func classificationHeadsBeatTheMajorityBaselineAndShuffledLabelsDoNot() throws {
        let tasks: [TaskID] = [.timelineAction, .timelineSubtask, .nextAction]
        let real = try run(tasks, heads: [.minimal], shuffled: false)
        let control = try run(tasks, heads: [.minimal], shuffled: true)
        for t in tasks {
            let r = try #require(primary(real, t, .minimal))
            #expect(r.value > r.baseline + 0.1, "\(t.rawValue): macro F1 \(r.value) vs majority \(r.baseline)")
            let c = try #require(primary(control, t, .minimal))
            #expect(c.value < r.value - 0.1, "\(t.rawValue) shuffled: \(c.value) vs real \(r.value)")
        }
    }

    /// Accuracy is the control's measure: the pairs are balanced, so chance is 0.5, while an
    /// always-forward guess already scores F1 0.667.
    @Test func temporalOrderBeatsChanceAndShuffledLabelsDoNot() throws {
        func accuracy(_ r: SuiteReport) -> Double? { r.summary["neural_tasks"]?["temporal_order"]?["accuracy"]?.double }
        let real = try run([.temporalOrder], heads: [.neural], shuffled: false)
        let r = try #require(accuracy(real))
        #expect(r > 0.57, "temporal order accuracy \(r) vs chance 0.5")
        let f1 = try #require(primary(real, .temporalOrder, .neural))
        #expect(f1.value > f1.baseline, "F1 \(f1.value) vs random guess \(f1.baseline)")
        let control = try run([.temporalOrder], heads: [.neural], shuffled: true)
        let c = try #require(accuracy(control))
        #expect(c < 0.55, "shuffled temporal order accuracy \(c)")
    }
}
