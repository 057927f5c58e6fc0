import Foundation
import Heads
import Metrics
import Testing
import WindowAlign
import XPCore
@testable import TaskContracts

/// `by_session.csv` across episodes: four one-episode sessions on the default synthetic
/// timeline. Every block is seeded noise (a fresh seed per episode); in three sessions the
/// audio block also holds a one-hot of the window's action, in the "hard" one it does not. A
/// head trained on the other sessions then reads the action wherever the one-hot is, and
/// nothing in the hard session, so the structure fixes which held-out session is easy.
@Suite(.serialized) struct DiagnosticsBySessionTests {
    static let sessions = ["s0", "s1", "s2", "s3"]
    static let hard = "s2"

    static func episodes() throws -> [SuiteEpisode] {
        let base = try DiagnosticsTests.base.get()
        let d = base.features.cols, n = base.windows.count
        let audio = try base.schema.block(named: "audio_fisheye_cam0_aac")
        var classOf: [String: Int] = [:]
        for w in base.windows where classOf[w.action] == nil { classOf[w.action] = classOf.count }
        return try sessions.enumerated().map { i, session in
            var rng = SeededGenerator(seed: 200 + UInt64(i))
            var storage = rng.normalFloats(count: n * d)
            for (r, w) in base.windows.enumerated() {
                for c in audio.columns { storage[r * d + c] *= 0.05 }
                if session != hard, let k = classOf[w.action], k < audio.dim { storage[r * d + audio.start + k] += 1 }
            }
            var e = base
            e.name = "ep-\(session)"
            e.session = session
            e.features = try Matrix(rows: n, cols: d, storage: storage)
            e.presentBlocks = nil
            return e
        }
    }

    /// The first seed (from 1) whose held-out session is or is not the hard one: the split's
    /// session draw, read from the assignment itself.
    static func seed(heldOutHard: Bool) throws -> UInt64 {
        for seed in UInt64(1)...64 {
            let a = try EpisodeAssignment.bySession(sessions: sessions, seed: seed)
            let test = zip(a.sessions, a.roles).filter { $0.1 == .test }.map(\.0)
            if test.count == 1, (test[0] == hard) == heldOutHard { return seed }
        }
        throw SuiteError.invalidArgument(what: "test seeds", detail: "no seed in 1...64 holds out \(heldOutHard ? "" : "not ")the hard session")
    }

    @Test func eachHeldOutSessionGetsItsOwnScoreIntervalAndTestCount() throws {
        let episodes = try Self.episodes()
        let seeds = [try Self.seed(heldOutHard: true), try Self.seed(heldOutHard: false)]
        var c = BySession.Configuration(protocol: .strict)
        c.tasks = [.timelineAction]
        c.seeds = seeds
        c.resamples = 50
        let rows = try BySession.run(episodes: episodes, configuration: c)
        // One held-out session per seed (4 sessions, test fraction 1/8): one row each.
        #expect(rows.count == 2)
        for seed in seeds {
            let seeded = rows.filter { $0.seed == seed }
            let row = try #require(seeded.first, "no row for seed \(seed)")
            #expect(seeded.count == 1)
            // n_test is the held-out session's whole test set: every sample of the task's own
            // problem under this seed's split.
            let contract = TaskContract(.timelineAction, protocol: .strict, parameters: c.parameters)
            let problem = try TaskProblemBuilder.build(contract, episodes: episodes, policy: try SplitPolicy.standard(for: episodes, seed: seed),
                                                       parameters: c.parameters)
            #expect(row.score.numTest == problem.testRows.count, "seed \(seed): n_test \(row.score.numTest) vs \(problem.testRows.count) test samples")
            #expect(Set(problem.testRows.map { episodes[problem.samples[$0].episode].session }) == [row.session])
            let interval = try #require(row.interval, "seed \(seed): no interval")
            #expect(interval.lower <= row.score.score && row.score.score <= interval.upper, "seed \(seed): \(row.score.score) outside \(interval)")
            if row.session == Self.hard {
                #expect(row.score.score <= row.score.baselineScore + 0.1, "hard \(row.session): \(row.score.score) vs baseline \(row.score.baselineScore)")
            } else {
                #expect(row.score.score >= row.score.baselineScore + 0.5, "easy \(row.session): \(row.score.score) vs baseline \(row.score.baselineScore)")
            }
        }
        #expect(Set(rows.map { $0.session == Self.hard }) == [true, false])
        // The file: its header and one line per row, the fields in column order.
        let lines = DiagnosticsWriter.bySessionCSV(rows).split(separator: "\n").map(String.init)
        #expect(lines.first == "session,task,metric,value,ci_low,ci_high,n_test,baseline_name,baseline_score")
        #expect(lines.count == 1 + rows.count)
        for (line, row) in zip(lines.dropFirst(), rows) {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(f.count == 9)
            #expect(f[0] == row.session && f[1] == "timeline_action" && f[2] == "macro_f1" && f[6] == String(row.score.numTest))
        }
    }
}
