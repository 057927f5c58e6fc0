import EpisodeIO
import Foundation
import Heads
import Metrics
import Testing
import WindowAlign
import XPTestSupport
@testable import TaskContracts

/// One end-to-end test per strict rule of issue 17: each asserts an output that only that
/// rule produces, on a fixture built for it, so switching the rule off fails the test.
@Suite(.serialized) struct StrictRuleTests {
    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func run(_ tasks: [TaskID], heads: [HeadKind] = [.minimal], seeds: [UInt64] = [7], episodes: [SuiteEpisode],
                    policy: SplitPolicy? = nil, in tmp: TempFolder, name: String = "out") throws -> (SuiteReport, URL) {
        var config = Fixture.quick(.strict, seeds: seeds)
        config.tasks = tasks
        config.heads = heads
        config.policy = policy
        let out = tmp.url.appendingPathComponent(name)
        return (try SuiteRunner.run(episodes: episodes, configuration: config, output: out), out)
    }

    // MARK: 1. Intervals

    /// The interval stands beside the mean over seeds: its estimate is that mean, it pools
    /// the seeds, its blocks are label runs, and summary.md prints it beside that mean.
    @Test func intervalDescribesTheMeanOverSeeds() throws {
        let tmp = try TempFolder()
        let episode = try Fixture.episode(in: tmp)
        let (report, out) = try Self.run([.timelineAction], heads: [.neural], seeds: [7, 8, 9], episodes: [episode], in: tmp)
        let m = try Self.json(out.appendingPathComponent("neural_mlp/timeline_action/metrics.json"))
        let over = try #require(m["primary_over_seeds"] as? [String: Any])
        let values = try #require(over["values"] as? [Double])
        let mean = values.reduce(0, +) / Double(values.count)
        let interval = try #require(m["interval"] as? [String: Any])
        let estimate = try #require(interval["estimate"] as? Double)
        #expect(abs(estimate - mean) < 1e-12)
        #expect(interval["seeds_pooled"] as? Int == 3)
        #expect(interval["blocks"] as? String == "label_runs")
        let low = try #require(interval["low"] as? Double), high = try #require(interval["high"] as? Double)
        #expect(low <= mean && mean <= high)
        // The first seed's own interval is kept, and its estimate is the first seed's value.
        let own = try #require(m["primary_interval"] as? [String: Any])
        #expect(own["estimate"] as? Double == values[0])
        // The label runs of the truth are longer than the 4-window overlap blocks.
        #expect(try #require(interval["block"] as? Double) > 4)
        let row = try #require(report.rows.first)
        // (JSON text round trip: equal to the last printed digit.)
        #expect(abs((row.interval?.lower ?? .nan) - low) < 1e-12 && abs((row.interval?.upper ?? .nan) - high) < 1e-12)
        let md = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(md.contains(String(format: "[%.4f, %.4f]", low, high)))
        // Each seed file has its own interval from the same resamples.
        let seed8 = try Self.json(out.appendingPathComponent("neural_mlp/timeline_action/seeds/seed_8.metrics.json"))
        #expect((seed8["primary_interval"] as? [String: Any])?["estimate"] as? Double == values[1])
    }

    /// Boundary F1 has an interval of its own.
    @Test func boundaryF1HasAnInterval() throws {
        let tmp = try TempFolder()
        let (_, out) = try Self.run([.transitionDetection], episodes: [try Fixture.episode(in: tmp)], in: tmp)
        let m = try Self.json(out.appendingPathComponent("transition_detection/metrics.json"))
        let f1 = try #require(m["boundary_f1"] as? Double)
        let i = try #require(m["boundary_f1_interval"] as? [String: Any])
        #expect(i["estimate"] as? Double == f1)
        #expect(try #require(i["low"] as? Double) <= f1)
    }

    // MARK: 2. Baselines

    /// An all-positive pair head: its F1 equals the always-positive F1 and beats the coin
    /// flip that used to be shown; in strict its primary AUROC is 0.5, the strongest baseline
    /// is 0.5 and the verdict is false.
    @Test func allPositivePairHeadDoesNotBeatItsBaseline() throws {
        let tmp = try TempFolder()
        let episode = try Fixture.episode(in: tmp)
        let contract = TaskContract(.misalignmentDetection, protocol: .strict)
        let problem = try TaskProblemBuilder.build(contract, episodes: [episode])
        let test = problem.testRows
        var pred = HeadPredictions(task: .misalignmentDetection, head: .minimal, seed: 7, testRows: test)
        pred.predictedClass = test.map { _ in 1 }
        pred.confidence = test.map { _ in 0.9 }
        pred.probabilityOfClass1 = test.map { _ in 0.9 }
        let score = try TaskEvaluator.evaluate(problem, pred, episodes: [episode])
        #expect(score.primary == 0.5)
        #expect(score.primaryMetric == "auroc")
        #expect(score.metrics["primary_metric"]?.stringValue == "auroc")
        #expect(score.strongestBaseline?.value == 0.5)
        #expect(score.metrics["beats_baseline"]?.boolValue == false)
        let names = (score.metrics["baselines"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        for n in ["always_positive", "always_negative", "prior_rate", "random_guess", "chance_accuracy"] { #expect(names.contains(n), "\(n)") }
        // Its F1 is exactly the always-positive rule's: 2p/(1 + p) with p the positive share.
        guard case let .classes(ids, _) = problem.targets else { Issue.record("classes"); return }
        let p = Double(test.filter { ids[$0] == 1 }.count) / Double(test.count)
        #expect(abs((score.metrics["f1"]?.numberValue ?? 0) - 2 * p / (1 + p)) < 1e-12)
    }

    /// Classification lists majority and prior-rate and shows the stronger one.
    @Test func strongestClassificationBaselineIsTheMaximum() throws {
        let tmp = try TempFolder()
        let (report, out) = try Self.run([.timelineAction], episodes: [try Fixture.episode(in: tmp)], in: tmp)
        let m = try Self.json(out.appendingPathComponent("timeline_action/metrics.json"))
        let list = try #require(m["baselines"] as? [[String: Any]])
        let primary = list.filter { $0["metric"] == nil }
        #expect(Set(primary.compactMap { $0["name"] as? String }) == ["majority_class", "prior_rate"])
        let best = try #require(primary.compactMap { $0["value"] as? Double }.max())
        #expect((m["strongest_baseline"] as? [String: Any])?["value"] as? Double == best)
        let interval = try #require(m["interval"] as? [String: Any])
        #expect(m["beats_baseline"] as? Bool == (try #require(interval["low"] as? Double) > best))
        #expect(report.rows.first?.baseline?.value == best)
    }

    // MARK: 3. Targets

    /// A target column constant on train and large on test: strict drops it (reported) and
    /// the per-dimension r2 stays bounded; a bare 1e-6 floor would put it at about −10^12.
    @Test func constantTrainTargetColumnsAreDroppedAndReported() throws {
        let tmp = try TempFolder()
        let episode = try Fixture.episode(in: tmp)
        var problem = try TaskProblemBuilder.build(TaskContract(.modalityReconstruction, protocol: .strict), episodes: [episode])
        guard case var .values(y) = problem.targets else { Issue.record("values"); return }
        let train = Set(problem.trainRows)
        for r in 0..<y.rows { y[r, 0] = train.contains(r) ? 1 : 1000 + Float(r) }
        problem.targets = .values(y)
        // Constant train columns counted by hand over the raw rows.
        var constant = 0
        for c in 0..<y.cols {
            let v = problem.trainRows.map { Double(y[$0, c]) }
            let mean = v.reduce(0, +) / Double(v.count)
            let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)).squareRoot()
            if sd <= max(1e-6, 1e-5 * abs(mean)) { constant += 1 }
        }
        #expect(constant >= 1)
        let pred = try HeadRunner.run(problem, head: .minimal, seed: 7, settings: .defaults(for: .strict))
        let score = try TaskEvaluator.evaluate(problem, pred, episodes: [episode])
        #expect(score.metrics["target_columns_dropped"]?.numberValue == Double(constant))
        #expect(score.metrics["target_columns_kept"]?.numberValue == Double(y.cols - constant))
        let perDim = try #require(score.metrics["mean_per_dimension_r2"]?.numberValue)
        #expect(perDim > -1000)
    }

    /// Hand frames marked undetected in the train horizon: those samples do not train, and
    /// their count is the one computed by hand from the mask.
    @Test func invalidTargetFramesDoNotTrain() throws {
        let tmp = try TempFolder()
        var episode = try Fixture.episode(in: tmp)
        var present = try #require(episode.frames.handPresent)
        var hands = try #require(episode.frames.handsMinusRoot)
        // Frames 60..<80 (train region): left hand undetected, with wild joint values.
        for f in 60..<80 {
            present[f * 2] = false
            for j in 0..<63 { hands[f * 126 + j] = 1e4 }
        }
        episode.frames.handPresent = present
        episode.frames.handsMinusRoot = hands
        let problem = try TaskProblemBuilder.build(TaskContract(.handTrajectoryForecast, protocol: .strict), episodes: [episode])
        let k = TaskParameters().forecastFrames
        // By hand: a train sample is masked when any frame end+1 … end+k is undetected.
        let expected = problem.trainRows.filter { r in
            let end = episode.windows[problem.samples[r].window].end
            return ((end + 1)...(end + k)).contains { !present[$0 * 2] || !present[$0 * 2 + 1] }
        }.count
        #expect(expected > 0)
        #expect(problem.trainRows.count - problem.fitRows.count == expected)
        let pred = try HeadRunner.run(problem, head: .minimal, seed: 7, settings: .defaults(for: .strict))
        let score = try TaskEvaluator.evaluate(problem, pred, episodes: [episode])
        #expect(score.metrics["train_samples_masked_invalid_target"]?.numberValue == Double(expected))
        // The train mean never saw the 1e4 rows.
        #expect(pred.targetMean.allSatisfy { abs($0) < 100 })
        let names = score.baselines.map(\.name)
        #expect(names.contains("constant_velocity"))
        #expect(score.strongestBaseline?.name != "test_mean_pose_oracle")
    }

    /// Without camera poses the strict forecast target has no valid frame, so the task is not
    /// applicable and says why; it never falls back to camera-frame joints. The reference
    /// protocol keeps its camera-frame target on the same file, and the same episode with its
    /// poses is applicable in strict: only the missing poses decide.
    @Test func noCameraPosesNoSilentCameraFrameTarget() throws {
        let tmp = try TempFolder()
        let dir = tmp.url.appendingPathComponent("no-poses")
        _ = try SyntheticEpisode.write(.tiny(seed: 7, frames: 300), to: dir)
        let contract = TaskContract(.handTrajectoryForecast, protocol: .strict)
        // The control: with its poses the strict problem builds and has valid targets.
        let intact = try EpisodeLoader.load(folder: dir, suiteProtocol: .strict)
        #expect(try TaskProblemBuilder.build(contract, episodes: [intact]).fitRows.count > 0)
        let annotation = dir.appendingPathComponent("annotation.hdf5").path
        let stripped = tmp.url.appendingPathComponent("stripped.hdf5").path
        try HDF5Rewrite.rewrite(annotation, to: stripped, edits: ["slam/quat_wxyz": .drop, "slam/trans_xyz": .drop])
        try FileManager.default.removeItem(atPath: annotation)
        try FileManager.default.moveItem(atPath: stripped, toPath: annotation)

        let strict = try EpisodeLoader.load(folder: dir, suiteProtocol: .strict)
        // The hand and body rows are still there: only the poses are missing.
        #expect(strict.frames.handsMinusRoot != nil)
        #expect(strict.frames.handPresent?.contains(true) == false)
        let error = #expect(throws: SuiteError.self) { try TaskProblemBuilder.build(contract, episodes: [strict]) }
        #expect("\(error.map { String(describing: $0) } ?? "")".contains("camera pose"))
        #expect(error.map { if case .notApplicable = $0 { true } else { false } } == true)
        let reference = try EpisodeLoader.load(folder: dir, suiteProtocol: .reference)
        let problem = try TaskProblemBuilder.build(TaskContract(.handTrajectoryForecast, protocol: .reference), episodes: [reference])
        #expect(problem.trainRows.count > 0)
    }

    // MARK: 4. Leaks

    /// With two test episodes, retrieval positives stay inside an episode: the mean number of
    /// positives per query is (5W − 6)/W per episode of W ≥ 4 windows, not the count over the
    /// concatenated test list.
    @Test func retrievalPositivesStayInTheirEpisode() throws {
        let tmp = try TempFolder()
        let a = try Fixture.episode(frames: 300, seed: 7, in: tmp), b = try Fixture.episode(frames: 300, seed: 8, in: tmp)
        let c = try Fixture.episode(frames: 300, seed: 9, in: tmp)
        let policy = SplitPolicy.heldOutEpisodes(EpisodeAssignment(roles: [.train, .test, .test], sessions: ["s1", "s2", "s3"]))
        let (_, out) = try Self.run([.crossModalRetrieval], episodes: [a, b, c], policy: policy, in: tmp)
        let m = try Self.json(out.appendingPathComponent("cross_modal_retrieval/metrics.json"))
        let wb = b.windows.count, wc = c.windows.count
        let expected = Double(5 * wb - 6 + 5 * wc - 6) / Double(wb + wc)
        #expect(abs(try #require(m["mean_positives_per_query"] as? Double) - expected) < 1e-12)
        #expect(m["positives_within"] as? String == "the same episode")
    }

    /// An object only the test windows have is left out of the train-built vocabulary and
    /// reported as unseen with the number of test windows it appears in.
    @Test func objectVocabularyComesFromTrain() throws {
        let tmp = try TempFolder()
        var episode = try Fixture.episode(in: tmp)
        var objects = episode.frames.objects
        let last = episode.windows.count - 1
        // The last three windows' frames hold "unicorn": all of them are test windows.
        let frames = Set((last - 2...last).flatMap { Array(episode.windows[$0].start...episode.windows[$0].end) })
        for f in frames.sorted() { objects[f].append("unicorn") }
        episode.frames.objects = objects
        let (_, out) = try Self.run([.objectRelevance], episodes: [episode], in: tmp)
        let vocab = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("object_relevance/object_vocab.json"))) as? [String])
        #expect(!vocab.contains("unicorn"))
        let m = try Self.json(out.appendingPathComponent("object_relevance/metrics.json"))
        let unseen = try #require(m["unseen_test_objects"] as? [[String: Any]])
        // Windows touching those frames, by hand (windows overlap, so more than three).
        let touching = episode.windows.filter { w in (w.start...w.end).contains { frames.contains($0) } }.count
        #expect(unseen.contains { $0["name"] as? String == "unicorn" && $0["test_windows"] as? Int == touching })
    }

    // MARK: 5. Controls

    /// Temporal order: the trained head scores test pairs 2, 4 and 8 windows apart, and is
    /// retrained without the delta block; pair counts by hand from the test windows.
    @Test func temporalOrderControls() throws {
        let tmp = try TempFolder()
        let episode = try Fixture.episode(in: tmp)
        let (_, out) = try Self.run([.temporalOrder], episodes: [episode], in: tmp)
        let controls = try Self.json(out.appendingPathComponent("temporal_order/controls.json"))
        let sets = try #require(controls["sets"] as? [[String: Any]])
        let w = episode.windows.count
        // Strict split point: round(0.7·W) half to even; test windows k … W − 1.
        let k = Int((0.7 * Double(w)).rounded(.toNearestOrEven))
        let t = w - k
        #expect(sets.map { $0["name"] as? String } == ["non_adjacent_gap_2", "across_gap_4", "across_gap_8"])
        for s in sets {
            let g = try #require(s["gap_windows"] as? Int)
            #expect(s["pairs"] as? Int == 2 * (t - g))
            #expect(s["auroc"] is Double)
        }
        let ablations = try #require(controls["ablations"] as? [[String: Any]])
        #expect(ablations.first?["name"] as? String == "no_delta_features")
        #expect(ablations.first?["auroc"] is Double)
        let m = try Self.json(out.appendingPathComponent("temporal_order/metrics.json"))
        #expect(m["controls"] != nil)
    }

    /// Misalignment: AUROC per shift for both heads.
    @Test func misalignmentShiftSweep() throws {
        let tmp = try TempFolder()
        let episode = try Fixture.episode(in: tmp)
        let (_, out) = try Self.run([.misalignmentDetection], heads: [.minimal, .neural], episodes: [episode], in: tmp)
        for dir in ["misalignment_detection", "neural_mlp/misalignment_detection"] {
            let controls = try Self.json(out.appendingPathComponent("\(dir)/controls.json"))
            let sets = try #require(controls["sets"] as? [[String: Any]])
            let shifts = sets.compactMap { $0["shift_windows"] as? Int }
            #expect(shifts.starts(with: [1, 2, 4, 8]), "\(dir): \(shifts)")
            #expect(sets.allSatisfy { $0["auroc"] is Double })
        }
    }

    // MARK: 6. Summary

    /// summary.md: the strongest baseline, the verdict, and the seen-class and ceiling
    /// columns filled for classification.
    @Test func summaryShowsSeenClassAndCeiling() throws {
        let tmp = try TempFolder()
        // Held-out episodes of the same scripted activity (a short episode's chronological
        // test segment is an activity train never saw); five test windows get an action no
        // train window has: an unseen class.
        let train = try Fixture.episode(frames: 300, seed: 7, in: tmp)
        var test = try Fixture.episode(frames: 300, seed: 8, in: tmp)
        for i in 10..<15 { test.windows[i].action = "novel action" }
        let policy = SplitPolicy.heldOutEpisodes(EpisodeAssignment(roles: [.train, .test], sessions: ["s1", "s2"]))
        let (_, out) = try Self.run([.timelineAction, .misalignmentDetection], episodes: [train, test], policy: policy, in: tmp)
        let md = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        #expect(md.contains("| Strongest baseline | Verdict (minimal / neural) | Seen-class macro F1 (minimal / neural) | Unseen ceiling |"))
        let m = try Self.json(out.appendingPathComponent("timeline_action/metrics.json"))
        let seen = try #require(m["seen_class_macro_f1"] as? Double)
        let ceiling = try #require(m["unseen_class_ceiling"] as? Double)
        // By hand: the share of labelled test windows whose action a train window has.
        let trainActions = Set(train.windows.map(\.action).filter { !$0.isEmpty })
        let labelled = test.windows.filter { !$0.action.isEmpty }
        #expect(abs(ceiling - Double(labelled.filter { trainActions.contains($0.action) }.count) / Double(labelled.count)) < 1e-12)
        let row = try #require(md.split(separator: "\n").first { $0.contains("`timeline_action`") })
        #expect(row.contains(String(format: "%.4f / —", seen)))
        #expect(row.hasSuffix(String(format: "| %.4f |", ceiling)))
        let pair = try #require(md.split(separator: "\n").first { $0.contains("`misalignment_detection`") })
        #expect(pair.contains("| auroc |"))
    }
}
