import Foundation
import Heads
import Testing
import WindowAlign
import XPCore
@testable import TaskContracts

/// Diagnostics on a synthetic episode whose signal sits in one known block: the test writes
/// the features itself (the scripted episode's windows, labels and targets, with every block
/// seeded noise except the one that carries the action), so each expectation follows from how
/// the matrix was built, not from the code under test.
@Suite(.serialized) struct DiagnosticsTests {
    static let folder = Result { try TempFolder() }
    /// The default synthetic episode's timeline over a compact 18-block schema (3 per-step
    /// dimensions, 21 columns a block).
    static let base = Result { () throws -> SuiteEpisode in
        try Fixture.episode(frames: 2000, fillMedia: false, perStep: 3, in: folder.get())
    }

    /// Every column seeded noise; the audio block holds a one-hot of the window's action label
    /// (class number by first appearance, one column each) plus small noise.
    static func actionInAudio() throws -> SuiteEpisode {
        var e = try base.get()
        let d = e.features.cols
        let audio = try e.schema.block(named: "audio_fisheye_cam0_aac")
        var rng = SeededGenerator(seed: 99)
        var storage = rng.normalFloats(count: e.windows.count * d)
        var classOf: [String: Int] = [:]
        for (r, w) in e.windows.enumerated() {
            let k = classOf[w.action] ?? classOf.count
            classOf[w.action] = k
            for c in audio.columns { storage[r * d + c] *= 0.05 }
            if k < audio.dim { storage[r * d + audio.start + k] += 1 }
        }
        #expect(classOf.count <= audio.dim, "the one-hot needs one audio column per action (\(classOf.count) actions)")
        e.features = try Matrix(rows: e.windows.count, cols: d, storage: storage)
        e.presentBlocks = nil
        return e
    }

    func row(_ rows: [AblationRow], _ group: ModalityGroup, _ mode: AblationMode) throws -> DiagnosticScore {
        try #require(rows.first { $0.group == group && $0.mode == mode }?.score, "no computed \(mode.rawValue) row for \(group.name)")
    }

    @Test func removingTheGroupThatDrivesATaskDropsItToItsBaselineAndAnUnrelatedOneDoesNot() throws {
        let episode = try Self.actionInAudio()
        var c = ModalityAblation.Configuration(protocol: .strict)
        c.tasks = [.timelineAction]
        c.groups = [.audio, .video, .inertial]
        let rows = try ModalityAblation.run(episodes: [episode], configuration: c)
        #expect(rows.count == 6)
        let withoutAudio = try row(rows, .audio, .removed)
        let withoutVideo = try row(rows, .video, .removed)
        let audioOnly = try row(rows, .audio, .only)
        let imuOnly = try row(rows, .inertial, .only)
        // The baseline is the train majority class, scored by the same macro-F1.
        #expect(withoutAudio.baselineName == "majority_class")
        #expect(withoutAudio.score <= withoutAudio.baselineScore + 0.1, "no audio: \(withoutAudio.score) vs baseline \(withoutAudio.baselineScore)")
        #expect(imuOnly.score <= imuOnly.baselineScore + 0.1, "IMU alone: \(imuOnly.score) vs baseline \(imuOnly.baselineScore)")
        #expect(withoutVideo.score >= withoutVideo.baselineScore + 0.3, "no video: \(withoutVideo.score) vs baseline \(withoutVideo.baselineScore)")
        #expect(audioOnly.score >= audioOnly.baselineScore + 0.3, "audio alone: \(audioOnly.score)")
        // Input widths: 16 per-step blocks of 21 columns and 2 static blocks of 8; strict
        // action inputs exclude the text block: 15 per-step blocks and the 2 static ones.
        let widths = Dictionary(uniqueKeysWithValues: rows.map { ("\($0.group.name)-\($0.mode.rawValue)", $0.inputDim) })
        #expect(widths["audio-removed"] == 14 * 21 + 2 * 8)
        #expect(widths["video-removed"] == 9 * 21 + 2 * 8)
        #expect(widths["audio-only"] == 21)
    }

    @Test func aViewRemovedAtTestTimeDropsOnlyTheTaskThatLeansOnIt() throws {
        let episode = try Self.actionInAudio()
        var c = MissingViews.Configuration(protocol: .strict)
        c.tasks = [.timelineAction]
        let rows = try MissingViews.run(episodes: [episode], configuration: c)
        let audio = try #require(rows.first { $0.view == "audio" })
        let cam = try #require(rows.first { $0.view == "fisheye_cam0" })
        #expect(audio.drop > 0.2, "audio removed: \(audio.full.score) → \(audio.without.score)")
        #expect(abs(cam.drop) < 0.05, "fisheye_cam0 removed: \(cam.full.score) → \(cam.without.score)")
        // The text block is not a strict input of the action task: no row for it.
        #expect(!rows.contains { $0.view == "caption_text" })
    }

    /// Visual = a fixed linear map of the IMU block of the same window plus small noise; every
    /// other block noise. Retrieval from IMU then peaks at shift 0 and collapses at ±5 windows,
    /// as the reference's pose/IMU curves do (`analysis-and-report.md` §5.3); the noise-only
    /// language block stays near chance everywhere.
    @Test func shiftingAStreamByKWindowsMovesRetrievalOffItsPeak() throws {
        var e = try Self.base.get()
        let d = e.features.cols
        let imu = try e.schema.block(named: "imu_accel_gyro")
        let visual = e.schema.columnIndices(.visual)
        var rng = SeededGenerator(seed: 5)
        var storage = rng.normalFloats(count: e.windows.count * d)
        for r in 0..<e.windows.count {
            for (k, c) in visual.enumerated() {
                storage[r * d + c] = storage[r * d + imu.start + k % imu.dim] * Float(1 + k % 3) + 0.05 * storage[r * d + c]
            }
        }
        e.features = try Matrix(rows: e.windows.count, cols: d, storage: storage)
        e.presentBlocks = nil
        var c = AlignmentStress.Configuration(protocol: .reference)
        c.groups = [.inertial, .language]
        c.shifts = [-5, 0, 5]
        let rows = try AlignmentStress.run(episodes: [e], configuration: c)
        #expect(rows.count == 6)
        let nTest = e.windows.count - chronologicalSplitPoint(count: e.windows.count, testFraction: 0.3)
        for r in rows { #expect(r.metrics.numQueries == nTest - abs(r.shiftWindows)) }
        func mrr(_ g: ModalityGroup, _ s: Int) throws -> AlignmentShiftRow { try #require(rows.first { $0.group == g && $0.shiftWindows == s }) }
        #expect(try mrr(.inertial, 0).metrics.mrr > 0.9)
        #expect(try mrr(.inertial, 5).metrics.mrr < 0.2)
        #expect(try mrr(.inertial, -5).metrics.mrr < 0.2)
        let language = try mrr(.language, 0)
        #expect(language.metrics.mrr < 5 * language.chanceMRR, "noise query: \(language.metrics.mrr) vs chance \(language.chanceMRR)")
        #expect(try mrr(.inertial, 0).shiftFrames == 0 && mrr(.inertial, 5).shiftFrames == 25)
    }

    /// The group dims of `task-suite.md` §6.1 on the reference schema.
    @Test func groupDimensionsMatchTheReference() {
        let dims = Dictionary(uniqueKeysWithValues: ModalityGroups.dimensions(.reference))
        #expect(dims == ["all_features": 8546, "video": 4116, "depth": 980, "pose_slam": 223, "motion_capture": 2121, "inertial": 42,
                         "audio": 168, "language": 896, "no_language": 7650, "motion_pose_inertial": 2386])
    }

    /// The reference overlap rule reproduces the published `target_source_overlap` column of
    /// all 108 rows, and the CSV starts with the published header.
    @Test(.sharedFixtures("reference-sample-outputs/single_episode_diagnostics/modality_ablation/ablation_metrics.csv"))
    func overlapMarksAndColumnsMatchThePublishedAblation() throws {
        let url = try SharedFixtures.url("reference-sample-outputs/single_episode_diagnostics/modality_ablation/ablation_metrics.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        #expect(Array(DiagnosticsWriter.ablationColumns.prefix(header.count)) == header)
        #expect(DiagnosticsWriter.ablationColumns.count == header.count + 5)
        let groups = Dictionary(uniqueKeysWithValues: ModalityGroups.ablation.map { ($0.name, $0) })
        var checked = 0
        for line in lines.dropFirst() {
            // task, task_display, group, display, status, score, metric, value, variant, overlap: no quoted commas before column 10.
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let task = try #require(TaskID(rawValue: f[0])), group = try #require(groups[f[2]])
            #expect(ModalityGroups.overlapsTarget(group, task: task, schema: .reference, protocol: .reference) == (f[9] == "true"), "\(f[0]) × \(f[2])")
            checked += 1
        }
        #expect(checked == 108)
    }

    @Test func writerEmitsTheNamedFilesWithTheirColumns() throws {
        let score = DiagnosticScore(score: 0.5, primaryMetric: "mrr", primaryValue: 0.5, metrics: ["mrr": 0.5, "median_rank": 2],
                                    numQueries: 10, numTrain: 20, numTest: 10, baselineName: "chance", baselineScore: 0.2928968253968254)
        let row = AblationRow(task: .crossModalRetrieval, group: .video, mode: .only, suiteProtocol: .strict, seed: 7, targetVariant: "t",
                              targetSourceOverlap: true, inputDim: 5, score: score)
        let result = DiagnosticsResult(suiteProtocol: .strict, seeds: [7, 8], episodes: ["ep1"], schema: .reference, ablation: [row],
                                       missingViews: [MissingViewRow(task: .crossModalRetrieval, view: "audio", full: score, without: score,
                                                                     suiteProtocol: .strict, seed: 7)])
        let files = DiagnosticsWriter.contents(result)
        #expect(files.map(\.0) == ["ablation_metrics.csv", "missing_views.csv", "diagnostics.json"])
        let ablation = files[0].1.split(separator: "\n").map(String.init)
        let expected = ["cross_modal_retrieval", "Cross-Modal Retrieval", "video", "Video", "computed", "0.5", "mrr", "0.5", "t", "true", ""]
            + [String](repeating: "", count: 16) + ["0.5", "", "", "", "2.0", "", "10", "strict", "7", "only", "chance", "0.2928968253968254"]
        #expect(ablation[1] == expected.joined(separator: ","))
        let missing = files[1].1.split(separator: "\n").map(String.init)
        #expect(missing[0] == DiagnosticsWriter.missingViewColumns.joined(separator: ","))
        #expect(missing[1] == "cross_modal_retrieval,Cross-Modal Retrieval,audio,mrr,0.5,0.5,0.0,chance,0.2928968253968254,strict,7")
        let json = try #require(try? JSONParser.parse(files[2].1))
        #expect(json["protocol"]?.stringValue == "strict")
        #expect(json["groups"]?["pose_slam"]?.numberValue == 223)
        #expect(json["files"]?["ablation"]?.stringValue == "ablation_metrics.csv")
        #expect(json["ablation"]?["tasks"]?["cross_modal_retrieval"]?["best_group"]?["group"]?.stringValue == "video")
    }
}
