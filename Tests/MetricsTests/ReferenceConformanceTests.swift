import Foundation
import Testing
@testable import Metrics

/// The reference's published transition-detection confusion, worked by hand (needs no files).
@Suite("Published confusion counts")
struct PublishedConfusionTests {
    @Test func transitionDetectionFromPublishedConfusion() throws {
        // Minimal head: steady→steady 310, steady→transition 22, transition→steady 10,
        // transition→transition 6. By hand: F1_steady = 620/652, F1_transition = 12/44,
        // macro = (620/652 + 12/44)/2 ≈ 0.61182; balanced = (310/332 + 6/16)/2;
        // accuracy = 316/348; majority (steady in train) = 332/348.
        let m = try ReferenceConformanceTests.transitionMetrics()
        #expect(close(m.macroF1, (620.0 / 652 + 12.0 / 44) / 2))
        #expect(close(m.balancedAccuracy, (310.0 / 332 + 6.0 / 16) / 2))
        #expect(close(m.weightedF1, (332 * 620.0 / 652 + 16 * 12.0 / 44) / 348))
        #expect(close(m.accuracy, 316.0 / 348) && close(m.majorityBaselineAccuracy, 332.0 / 348))
    }

    @Test func testBoundariesOfThePublishedList() {
        // The 17 episode boundaries (spec/task-suite.md, task 3); the test
        // windows 813…1160 have centres 4074…5809 (start 5·i, centre start + 9).
        let all = [160, 800, 1000, 1240, 1561, 2000, 2800, 2920, 3400, 3560, 3680, 3800, 3920, 4400, 4520, 5000, 5800]
        let centres = (813...1160).map { 5 * $0 + 9 }
        #expect(centres.first == 4074 && centres.last == 5809)
        #expect(boundaries(all, withinCentres: centres) == [4400, 4520, 5000, 5800])
    }
}

/// Checks against the reference suite's published metrics (`reference-sample-outputs`). The
/// inputs are rebuilt from counts the reference reports, so these tests need no predictions.
@Suite("Reference conformance")
struct ReferenceConformanceTests {
    static let summary = "reference-sample-outputs/summary_report.json"

    func referenceTask(_ name: String, neural: Bool = false) throws -> [String: Any] {
        if neural {
            let url = try SharedFixtures.url("reference-sample-outputs/neural_mlp/\(name).metrics.json")
            return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], "\(url.path) is not a JSON object")
        }
        let url = try SharedFixtures.url(Self.summary)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return try #require((report?["tasks"] as? [String: Any])?[name] as? [String: Any], "\(url.path) has no tasks.\(name) object")
    }

    static func transitionMetrics() throws -> ClassificationMetrics {
        let (truth, pred) = labels(fromConfusion: [[310, 22], [10, 6]])
        return try classificationMetrics(truth: truth, predicted: pred, classNames: ["steady", "transition"],
                                         trainTruth: [0, 0, 1]).metrics
    }

    @Test(.sharedFixtures(summary))
    func transitionDetectionMatchesThePublishedMetrics() throws {
        let m = try Self.transitionMetrics()
        let ref = try referenceTask("transition_detection")
        for (key, value) in [("accuracy", m.accuracy), ("balanced_accuracy", m.balancedAccuracy),
                             ("macro_f1", m.macroF1), ("weighted_f1", m.weightedF1),
                             ("majority_baseline_accuracy", m.majorityBaselineAccuracy ?? .nan)] {
            #expect(close(value, ref[key] as? Double ?? .nan, 1e-12), "\(key)")
        }
        #expect((ref["unseen_test_classes"] as? [String]) == m.unseenTestClasses)
    }

    @Test(.sharedFixtures(summary, "reference-sample-outputs/neural_mlp/temporal_order.metrics.json",
                          "reference-sample-outputs/neural_mlp/misalignment_detection.metrics.json"))
    func binaryTasksFromPublishedCounts() throws {
        for (task, neural) in [("temporal_order", false), ("misalignment_detection", false),
                               ("temporal_order", true), ("misalignment_detection", true)] {
            let ref = try referenceTask(task, neural: neural)
            let tp = try #require(ref["tp"] as? Int, "\(task) tp"), tn = try #require(ref["tn"] as? Int, "\(task) tn")
            let fp = try #require(ref["fp"] as? Int, "\(task) fp"), fn = try #require(ref["fn"] as? Int, "\(task) fn")
            let (truth, pred) = labels(fromConfusion: [[tn, fp], [fn, tp]])
            let m = try binaryMetrics(truth: truth, predicted: pred)
            let json = try jsonObject(m)
            for key in ["accuracy", "precision", "recall", "f1", "positive_rate_true", "positive_rate_pred"] {
                #expect(close(json[key] as? Double, ref[key] as? Double ?? .nan, 1e-12), "\(task) \(key)")
            }
        }
    }

    @Test(.sharedFixtures(summary))
    func metricKeysExistInReference() throws {
        let action = try referenceTask("timeline_action")
        let hand = try referenceTask("hand_trajectory_forecast")
        let objects = try referenceTask("object_relevance")
        let retrieval = try referenceTask("cross_modal_retrieval")
        let transition = try referenceTask("transition_detection")
        let cls = try classificationMetrics(truth: [0], predicted: [0], classNames: ["a"], trainTruth: [0]).metrics
        let reg = try regressionMetrics(truth: [1, 2] as [Double], predicted: [1, 2], columns: 1)
        let pose = try poseErrorMetrics(truth: [Double](repeating: 0, count: 3), predicted: [0, 0, 0], frames: 1, joints: 1)
        let ml = try multiLabelMetrics(truth: [[true]], predicted: [[true]])
        let ret = try RetrievalMetrics.chance(candidates: 3)
        let bnd = try boundaryF1(predicted: [1], truth: [1])
        // Every key the reference writes for these metric families is one we write.
        let pairs: [([String: Any], [String], String)] = [
            (action, ["accuracy", "balanced_accuracy", "macro_f1", "weighted_f1", "num_eval_windows", "num_classes",
                      "majority_baseline_accuracy", "unseen_test_classes"], "classification"),
            (hand, ["mse", "mae", "r2", "mpjpe", "final_frame_mpjpe"], "regression"),
            (objects, ["micro_f1", "macro_f1", "exact_match", "precision", "recall"], "multi-label"),
            (retrieval, ["mrr", "top1_accuracy", "top5_accuracy", "top10_accuracy", "median_rank", "mean_rank",
                         "num_queries"], "retrieval"),
            (transition, ["boundary_precision", "boundary_recall", "boundary_f1", "matched_boundaries",
                          "true_boundaries", "predicted_boundaries", "mean_abs_timing_error_frames"], "boundary"),
        ]
        var ours = Set<String>()
        for encoded in [try jsonObject(cls), try jsonObject(reg), try jsonObject(pose), try jsonObject(ml),
                        try jsonObject(ret), try jsonObject(bnd)] {
            ours.formUnion(encoded.keys)
        }
        for (ref, keys, family) in pairs {
            for key in keys {
                #expect(ref[key] != nil, "reference lacks \(key) (\(family))")
                #expect(ours.contains(key), "we do not write \(key) (\(family))")
            }
        }
    }

    @Test(.sharedFixtures("reference-sample-outputs/transition_detection_true_boundaries.csv", summary))
    func testBoundariesFromPublishedList() throws {
        // The 17 episode boundaries; the test windows 813…1160 have centres 4074…5809
        // (start 5·i, centre start + 9), which leaves 4400, 4520, 5000 and 5800.
        let url = try SharedFixtures.url("reference-sample-outputs/transition_detection_true_boundaries.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        let all = lines.dropFirst().compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect(all.count == 17)
        let centres = (813...1160).map { 5 * $0 + 9 }
        #expect(centres.first == 4074 && centres.last == 5809)
        let test = boundaries(all, withinCentres: centres)
        #expect(test == [4400, 4520, 5000, 5800])
        let ref = try referenceTask("transition_detection")
        #expect(ref["true_boundaries"] as? Int == test.count)
    }

    @Test(.sharedFixtures(summary))
    func groundingSitsAtChance() throws {
        // The suite's grounding MRR 0.0160 is below the closed-form chance 0.01848 (§7 #7), and
        // its median rank 172 is near the chance 174.5.
        let ref = try referenceTask("caption_grounding")
        let mrr = try #require(ref["mrr"] as? Double, "caption_grounding mrr")
        let n = try #require(ref["num_queries"] as? Int, "caption_grounding num_queries")
        let chance = try RetrievalMetrics.chance(candidates: n)
        #expect(n == 348 && mrr < chance.mrr)
        #expect(abs((ref["median_rank"] as? Double ?? 0) - chance.medianRank) < 5)
    }
}
