import Exporters
import Foundation
import Testing
import XPCore

/// The closed-form future-window compatibility evaluator on a case small enough to do by hand.
@Suite("Cosmos future-window compatibility evaluator")
struct CosmosEvalTests {
    /// Train x = (0, 2), y = (1, 3): μx = 1, σx = 1, μy = 2, σy = 1, mean delta 0, so ŷ = x + 1.
    /// Eval x = (0, 5, 10) → ŷ = (1, 6, 11) against candidates y = (1, 20, 11):
    /// query 0: distances (0, 19, 10) → order 0, 2, 1 → rank 1;
    /// query 1: (5, 14, 5) → the tie keeps row order: 0, 2, 1 → rank 3;
    /// query 2: (10, 9, 0) → 2, 1, 0 → rank 1.
    @Test("Ranks, MRR, recall@k, temporal consistency, reconstruction error and label accuracies by hand")
    func byHand() {
        let p = FutureWindowEval.retrieve(trainX: [[0], [2]], trainY: [[1], [3]], evalX: [[0], [5], [10]], evalY: [[1], [20], [11]], topK: 2)
        #expect(p.map(\.rank) == [1, 3, 1])
        #expect(p.map(\.top) == [[0, 2], [0, 2], [2, 1]])
        #expect(p.map(\.reconstructionError) == [0, 14, 0])
        func row(_ episode: String, _ action: String, _ contact: String) -> JSONValue {
            .object([("episode_id", .string(episode)), ("future_target", .object([("action", .string(action)), ("contact", .string(contact)),
                                                                                  ("transition", .string("unknown"))]))])
        }
        // Query 1 (episode B) retrieves row 0 (episode A): temporal consistency 2/3.
        let rows = [row("A", "cut", "yes"), row("B", "pour", "yes"), row("C", "cut", "unknown")]
        let m = FutureWindowEval.metrics(rows: rows, predictions: p, topK: 2)
        #expect(abs(m.mrr - 7.0 / 9.0) < 1e-15)
        #expect(m.recallAtK == 2.0 / 3.0)
        #expect(m.temporalConsistency == 2.0 / 3.0)
        #expect(m.featureReconstructionError == 14.0 / 3.0)
        // Action: row 0 → itself (cut = cut), row 1 → row 0 (cut ≠ pour), row 2 → itself: 2/3.
        #expect(m.actionAccuracy == 2.0 / 3.0)
        // Contact: row 2's truth is unknown, so over rows 0 and 1: both retrieve "yes": 1.
        #expect(m.contactAccuracy == 1)
        // Transition: every truth unknown: 0.
        #expect(m.transitionAccuracy == 0)
    }

    @Test("Standardisation uses the population std; a constant column divides by 1")
    func constantColumn() {
        // Column 0 constant in train (std 0 → 1); column 1 std 1.
        let p = FutureWindowEval.retrieve(trainX: [[3, 0], [3, 2]], trainY: [[4, 0], [4, 2]], evalX: [[3, 1]], evalY: [[4, 1]], topK: 1)
        #expect(p[0].rank == 1 && p[0].reconstructionError == 0)
    }

    @Test("eval-future on a written future dataset: reads the NPZ rows, writes the five files")
    func run() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xp-cosmos-eval-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("src"), withIntermediateDirectories: true)
        var npz = NPZArchive()
        try npz.add("features", float32: [0, 0, 2, 0, 1, 0, 3, 0, 0, 1, 5, 1, 10, 1, 1, 1, 20, 1, 11, 1], shape: [10, 2])
        try npz.write(to: root.appendingPathComponent("src/e.npz"))
        func pair(_ id: String, split: String, _ context: Int, _ future: Int) -> JSONValue {
            .object([("id", .string(id)), ("episode_id", .string("s__ep1")), ("split", .string(split)),
                     ("context_record_id", .string("c\(context)")), ("future_record_id", .string("f\(future)")),
                     ("sensor_feature_path", .string("e.npz")), ("sensor_feature_index", .int(context)),
                     ("future_sensor_feature_path", .string("e.npz")), ("future_sensor_feature_index", .int(future)),
                     ("conditioning", .object([("action", .string("a"))])),
                     ("future_target", .object([("action", .string("b")), ("contact", .string("no")), ("transition", .string("yes"))]))])
        }
        // Rows of e.npz: 0 (0,0) 1 (2,0) 2 (1,0) 3 (3,0) 4 (0,1) 5 (5,1) 6 (10,1) 7 (1,1) 8 (20,1) 9 (11,1).
        let rows = [pair("t0", split: "train", 0, 2), pair("t1", split: "train", 1, 3),
                    pair("q0", split: "test", 4, 7), pair("q1", split: "test", 5, 8), pair("q2", split: "test", 6, 9)]
        let dataset = root.appendingPathComponent("future/dataset.jsonl")
        try FileManager.default.createDirectory(at: dataset.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(rows.map { $0.pythonJSON(.unicode) + "\n" }.joined().utf8).write(to: dataset)
        let out = root.appendingPathComponent("eval")
        let summary = try FutureWindowEval.run(dataset: dataset, out: out, options: .init(topK: 2, base: root.appendingPathComponent("src")))
        #expect(summary.trainSamples == 2 && summary.evalSamples == 3)
        // Column 0 is the by-hand case; column 1 is 0 in train (std 1) and 1 in eval, the same
        // shift for every query and candidate, so the ranks are the by-hand ones.
        #expect(abs(summary.metrics.mrr - 7.0 / 9.0) < 1e-12)
        let metrics = try JSONOutput.read(summary.metricsURL)
        #expect(metrics.objectValue?.map(\.0).prefix(15) == ["eval_split", "num_samples", "num_eval_episodes", "held_out_episode_count",
                                                             "future_retrieval_mrr", "future_retrieval_recall_at_5", "temporal_consistency",
                                                             "feature_reconstruction_error", "transition_accuracy", "contact_accuracy",
                                                             "action_accuracy_from_retrieved_future", "train_samples", "val_samples",
                                                             "dataset_jsonl", "cosmos_model"])
        #expect(metrics["transition_accuracy"] == .double(1) && metrics["temporal_consistency"] == .double(1))
        for name in ["future_predictions.jsonl", "retrieval_rankings.csv", "temporal_consistency.csv", "qualitative_examples.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        let predictions = try JSONOutput.readLines(out.appendingPathComponent("future_predictions.jsonl")).map { try JSONParser.parse($0) }
        #expect(predictions.map { $0["rank"] } == [.int(1), .int(3), .int(1)])
        #expect(predictions[1]["pred_future_record_id"] == .string("f7"))
        let csv = try String(contentsOf: out.appendingPathComponent("retrieval_rankings.csv"), encoding: .utf8)
        #expect(csv.contains("q1,1,q0,f7,s__ep1,5.0,False\r\n"), "\(csv)")
    }
}
