import Foundation
import Heads
import Metrics
import Testing
import WindowAlign
@testable import TaskContracts

/// The reference's published counts, rebuilt from its windows.csv alone (features are zeros;
/// per-frame action labels are rebuilt from the published boundary list, which is all
/// tasks 3 needs).
@Suite(.sharedFixtures("reference-sample-outputs/windows.csv", "reference-sample-outputs/transition_detection_true_boundaries.csv"))
struct ReferenceCountTests {
    /// Built once for the suite (parsing and the zero matrix are not what the tests are about);
    /// a failure to build it fails every test that asks for it.
    static let shared = Result { try makeReferenceEpisode() }

    static func referenceEpisode() throws -> SuiteEpisode { try shared.get() }

    static func makeReferenceEpisode() throws -> SuiteEpisode {
        let csv = try SharedFixtures.url("reference-sample-outputs/windows.csv")
        let boundaryFile = try SharedFixtures.url("reference-sample-outputs/transition_detection_true_boundaries.csv")
        let windows = try WindowsCSV.read(from: csv)
        let n = 5821
        let boundaries = try String(contentsOf: boundaryFile, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst().compactMap { Int($0) }
        // Piecewise-constant per-frame labels that change exactly at the published boundaries.
        var labels = [String](repeating: "", count: n)
        var segment = 0
        for f in 0..<n {
            if boundaries.contains(f) { segment += 1 }
            labels[f] = "segment \(segment)"
        }
        let frames = FrameData(frameCount: n, actionLabels: labels, subtaskLabels: labels, objects: [],
                               handsMinusRoot: [Float](repeating: 0, count: n * 126), contacts: [Float](repeating: 1, count: n * 21))
        return try SuiteEpisode(name: "reference-sample", windows: windows, features: Matrix(rows: windows.count, cols: 8546), frames: frames)
    }

    func problem(_ task: TaskID, _ p: SuiteProtocol = .reference, _ episode: SuiteEpisode) throws -> TaskProblem {
        try TaskProblemBuilder.build(TaskContract(task, protocol: p), episodes: [episode])
    }

    @Test func windowAndSplitCountsMatchThePublishedRun() throws {
        let episode = try Self.referenceEpisode()
        #expect(episode.windows.count == 1161)
        let expected: [(TaskID, Int, Int)] = [
            (.timelineAction, 801, 343), (.timelineSubtask, 803, 344), (.transitionDetection, 813, 348),
            (.nextAction, 813, 348), (.handTrajectoryForecast, 811, 348), (.contactPrediction, 813, 348),
            (.temporalOrder, 1624, 696), (.misalignmentDetection, 1614, 692),
        ]
        for (task, train, test) in expected {
            let p = try problem(task, .reference, episode)
            #expect(p.trainRows.count == train, "\(task.rawValue) train")
            #expect(p.testRows.count == test, "\(task.rawValue) test")
        }
        #expect(try problem(.timelineAction, .reference, episode).samples.count == 1144)
        #expect(try problem(.timelineSubtask, .reference, episode).samples.count == 1147)
        // Hand forecast tests windows 811–1158; temporal order trains on pairs with i ≤ 811.
        let hand = try problem(.handTrajectoryForecast, .reference, episode)
        #expect(hand.testRows.map { hand.samples[$0].window }.first == 811)
        #expect(hand.testRows.map { hand.samples[$0].window }.last == 1158)
        let order = try problem(.temporalOrder, .reference, episode)
        #expect(order.trainRows.map { order.samples[$0].window }.max() == 811)
        let mis = try problem(.misalignmentDetection, .reference, episode)
        #expect(mis.testRows.map { mis.samples[$0].window }.min() == 807)
        #expect(mis.testRows.map { mis.samples[$0].window }.max() == 1152)
        // Input widths of the pair tasks.
        #expect(order.x.cols == 25_638)
        #expect(mis.x.cols == 7_511)
    }

    @Test func unseenTestClassesMatchThePublishedRun() throws {
        let episode = try Self.referenceEpisode()
        for (task, unseen) in [(TaskID.timelineAction, ["Place item on table", "Pour coffee", "Pour milk into coffee", "Wait/Prepare for pouring"]),
                               (.timelineSubtask, ["Move bottle to coffee equipment", "Pour coffee", "Pour milk into coffee", "Prepare for pouring"])] {
            let p = try problem(task, .reference, episode)
            guard case let .classes(ids, names) = p.targets else { Issue.record("not a class target"); continue }
            let train = Set(p.trainRows.map { ids[$0] })
            let found = Set(p.testRows.map { ids[$0] }).subtracting(train).map { names[$0] }.sorted()
            #expect(found == unseen)
            #expect(names.count == (task == .timelineAction ? 18 : 14))
        }
    }

    @Test func seventeenBoundariesFourInTheTestRange() throws {
        let episode = try Self.referenceEpisode()
        let p = try problem(.transitionDetection, .reference, episode)
        #expect(p.boundaries.first?.count == 17)
        let centres = p.testRows.map { episode.windows[p.samples[$0].window].center }
        #expect(centres.first == 4074 && centres.last == 5809)
        #expect(boundaries(p.boundaries[0], withinCentres: centres) == [4400, 4520, 5000, 5800])
        // The reference contact target is degenerate: one class.
        let contact = try problem(.contactPrediction, .reference, episode)
        if case let .classes(_, names) = contact.targets { #expect(names == ["contact"]) }
    }

    @Test func strictSplitPurgesAndTheAuditSeesTheReferenceLeak() throws {
        let episode = try Self.referenceEpisode()
        #expect(purgeGapWindows(windowFrames: 20, strideFrames: 5, horizonFrames: 0) == 4)
        let refNext = try problem(.nextAction, .reference, episode)
        let refAudit = refNext.leakage()
        #expect(!refAudit.leakFree)
        #expect(refAudit.trainSamplesTouchingTestFrames > 0)
        let strictNext = try problem(.nextAction, .strict, episode)
        #expect(strictNext.gapWindows == 8)  // ⌈(20 + 20)/5⌉
        #expect(strictNext.leakage().leakFree)
        #expect(strictNext.testRows.count == 348)
        #expect(strictNext.trainRows.count == 813 - 8)
        let strictMis = try problem(.misalignmentDetection, .strict, episode)
        #expect(strictMis.gapWindows == 12)
        let audit = strictMis.leakage()
        #expect(audit.leakFree && audit.trainPartnersInTest == 0)
        // The reference misalignment borrows test windows as train negatives.
        #expect(try problem(.misalignmentDetection, .reference, episode).leakage().trainPartnersInTest > 0)
        // Strict tasks 1–4 read sensors only.
        #expect(strictNext.x.cols == 7650)
    }
}
