import Foundation
import Testing
@testable import Exporters
import Metrics
import XPCore
import XPTestSupport

/// Re-scoring the two published evaluation packages (`reference-128ep/{qwen-v3,qwen-valmon}`)
/// from their own predictions.jsonl must give back every number of their metrics.json and
/// their per_class_metrics.csv byte for byte.
@Suite("xp-eval-json conformance on the published packages")
struct EvalJSONConformanceTests {
    static let packages = ["qwen-v3", "qwen-valmon"]
    /// Keys of the published metrics.json computed from the rows.
    static let rowKeys = ["num_samples", "accuracy", "macro_f1", "labels", "num_eval_episodes", "held_out_episode_count",
                          "unseen_eval_labels", "num_unseen_label_samples", "seen_label_accuracy", "unseen_label_accuracy",
                          "eval_label_counts", "json_validity_rate", "action_macro_f1", "subtask_accuracy", "transition_accuracy",
                          "next_action_accuracy", "contact_accuracy", "object_micro_f1"]

    static func files(_ p: String) -> (predictions: String, metrics: String, perClass: String, manifest: String) {
        ("reference-128ep/\(p)/eval/predictions.jsonl", "reference-128ep/\(p)/eval/metrics.json",
         "reference-128ep/\(p)/eval/per_class_metrics.csv", "reference-128ep/\(p)/dataset/dataset_manifest.json")
    }

    func rescore(_ p: String, _ proto: EvalProtocol, manifest: Bool = false) throws -> (JSONEvaluation, published: JSONValue, text: String) {
        let f = Self.files(p)
        let metricsURL = try SharedFixtures.url(f.metrics)
        let evaluation = try JSONEvaluation.rescore(predictions: try SharedFixtures.url(f.predictions), metrics: metricsURL,
                                                    manifest: manifest ? try SharedFixtures.url(f.manifest) : nil,
                                                    options: EvalOptions(evalProtocol: proto))
        let text = try String(contentsOf: metricsURL, encoding: .utf8)
        return (evaluation, try JSONParser.parse(text), text)
    }

    /// Values equal exactly: doubles bit for bit, object keys in the same order.
    func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case let (.double(x)?, .double(y)?): return x.bitPattern == y.bitPattern
        case let (.object(x)?, .object(y)?): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && same($0.1, $1.1) }
        case let (.array(x)?, .array(y)?): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        default: return a == b
        }
    }

    @Test("reference: every row-computed metrics.json number, exactly", .sharedFixtures(files("qwen-v3").predictions, files("qwen-v3").metrics, files("qwen-valmon").predictions, files("qwen-valmon").metrics),
          arguments: packages)
    func everyNumber(_ p: String) throws {
        let (e, published, text) = try rescore(p, .reference)
        let ours = EvalPackage.metricsObject(e)
        for key in Self.rowKeys {
            #expect(published[key] != nil, "\(p): the published metrics.json has no \(key)")
            #expect(same(ours[key], published[key]), "\(p): \(key) = \(ours[key]?.pythonJSON().prefix(200) ?? "nil"), published \(published[key]?.pythonJSON().prefix(200) ?? "nil")")
        }
        // The whole published file, run metadata included, is the head of ours: the same keys in
        // the same order with the same bytes, then our additions.
        let mine = EvalPackage.metricsJSON(e)
        #expect(text.hasSuffix("\n}") && mine.hasPrefix(String(text.dropLast(2)) + ",\n  \"protocol\": \"reference\""))
        #expect(ours["strict"] == nil && ours["protocol"] == .string("reference"))
        #expect(ours["coverage"]?["missing_prediction_rows"] == .int(0) && ours["issues"] == .array([]))
    }

    @Test("reference: per_class_metrics.csv and predictions.jsonl byte for byte", .sharedFixtures(files("qwen-v3").predictions, files("qwen-v3").metrics, files("qwen-v3").perClass,
                                                                                                 files("qwen-valmon").predictions, files("qwen-valmon").metrics, files("qwen-valmon").perClass),
          arguments: packages)
    func perClassBytes(_ p: String) throws {
        let (e, _, _) = try rescore(p, .reference)
        let published = try Data(contentsOf: try SharedFixtures.url(Self.files(p).perClass))
        #expect(Data(EvalPackage.perClassCSV(e).utf8) == published)
        // predictions.jsonl: pred_json re-parsed from raw_prediction, predicted_label re-matched.
        let rows = try Data(contentsOf: try SharedFixtures.url(Self.files(p).predictions))
        #expect(EvalPackage.predictionsJSONL(e) == rows)
    }

    @Test("with the dataset manifest's options the label list is rebuilt the same", .sharedFixtures(files("qwen-v3").predictions, files("qwen-v3").metrics, files("qwen-v3").manifest,
                                                                                                       files("qwen-valmon").predictions, files("qwen-valmon").metrics, files("qwen-valmon").manifest),
          arguments: packages)
    func manifestOptions(_ p: String) throws {
        let (e, published, _) = try rescore(p, .strict, manifest: true)
        // 1,187 options, then the predicted labels that are no option (16 for v3, 23 for valmon).
        #expect(e.labelOptions.count == 1187)
        #expect(same(EvalPackage.metricsObject(e)["labels"], published["labels"]))
        #expect(same(EvalPackage.metricsObject(e)["macro_f1"], published["macro_f1"]))
        #expect(e.strict?.optionMatchedRates.first?.rate != nil)
    }

    @Test("strict: the block is there and sane", .sharedFixtures(files("qwen-v3").predictions, files("qwen-v3").metrics, files("qwen-valmon").predictions, files("qwen-valmon").metrics),
          arguments: packages)
    func strictSanity(_ p: String) throws {
        let (e, published, _) = try rescore(p, .strict)
        let s = try #require(e.strict)
        // 131 of the 448 test rows have a label seen in train (317 unseen, §2.7).
        #expect(s.numSeenRows == 131 && s.unseenClassCeiling == 131.0 / 448)
        #expect(published["num_unseen_label_samples"] == .int(448 - 131))
        // Every truth here is well formed, so the strict object rule differs from the
        // reference's only by folding names: at least as many matches, F1 in [0, 1].
        let f1 = try #require(s.objectMicroF1)
        #expect(f1 >= 0 && f1 <= 1 && s.objectCounts.tp >= 0)
        // Published accuracy is a lower bound of neither view, but the ceiling bounds both.
        #expect(e.report.metrics.accuracy <= s.unseenClassCeiling ?? 0)
        #expect(s.seenClassAccuracy == published["seen_label_accuracy"]?.numberValue)
        for r in s.normalisedFieldAccuracy { #expect(r.scored + r.excludedUnknownTruths == 448 && (r.rate ?? -1) >= 0) }
        // Both macro F1s are labelled; the supported-class one averages over the 189 test labels.
        let defs = try #require(EvalPackage.metricsObject(e)["macro_f1_definitions"])
        #expect(defs["action_macro_f1"]?["num_classes"] == .int(published["labels"]?.arrayValue?.count ?? -1))
        #expect(defs["action_macro_f1_supported_classes"]?["num_classes"] == .int(189))
        // v3's JSON is always valid and well typed; valmon's 12 % invalid rows fail both checks.
        #expect(s.schemaValidRate == (p == "qwen-v3" ? 1.0 : 0.875))
    }
}
