import Foundation
import Heads
import WindowAlign
import XPCore

/// The on-disk form of ``HeadPredictions``, so `xp-train`'s output is `xp-evaluate`'s input:
/// `predictions.json` (task, head, protocol, seed, test rows, classes, probabilities, labels,
/// target statistics, history) plus `values.npy` for regression and projection outputs, and
/// `model.safetensors`.
public enum PredictionsFile {
    /// Which episodes and split the predictions were made on, so that an evaluation rebuilds
    /// the same problem.
    public struct Provenance: Sendable, Equatable {
        /// Episode names in input order.
        public var episodes: [String]
        /// `chronological` or `held_out_episodes`.
        public var split: String
        /// Seed of the episode-to-split assignment (held-out episodes only).
        public var splitSeed: UInt64?

        public init(episodes: [String], split: String, splitSeed: UInt64?) {
            self.episodes = episodes
            self.split = split
            self.splitSeed = splitSeed
        }
    }

    /// Writes `p` into `folder` (created).
    public static func write(_ p: HeadPredictions, protocol suiteProtocol: SuiteProtocol, provenance: Provenance? = nil, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func floats(_ v: [Float]) -> JSON { .array(v.map { .num(Double($0)) }) }
        var f: [(String, JSON)] = [
            ("task", .string(p.task.rawValue)), ("head", .string(p.head.rawValue)), ("protocol", .string(suiteProtocol.rawValue)),
            ("seed", .int(Int(p.seed))), ("test_rows", .array(p.testRows.map { .int($0) })),
            ("predicted_class", .array(p.predictedClass.map { .int($0) })), ("confidence", floats(p.confidence)),
            ("probability_of_class_1", floats(p.probabilityOfClass1)),
            ("predicted_labels", .array(p.predictedLabels.map { row in .array(row.map { .bool($0) }) })),
            ("target_mean", floats(p.targetMean)), ("target_std", floats(p.targetStd)),
            ("train_final_loss", .num(p.trainFinalLoss)), ("train_final_accuracy", .num(p.trainFinalAccuracy)),
            ("history", .array(p.history.map { r in
                .object([("epoch", .int(r.epoch)), ("loss", .num(r.loss)), ("accuracy", .num(r.accuracy)), ("validation_loss", .num(r.validationLoss))])
            })),
        ]
        if let best = p.bestEpoch { f += [("best_epoch", .int(best)), ("validation_samples", .int(p.validationSamples))] }
        if let provenance {
            f += [("episodes", .array(provenance.episodes.map { .string($0) })), ("split", .string(provenance.split)),
                  ("split_seed", provenance.splitSeed.map { .int(Int($0)) } ?? .null)]
        }
        if let v = p.values {
            try NumPyFile.write(v.storage, shape: [v.rows, v.cols], to: folder.appendingPathComponent("values.npy"))
            f.append(("values", .string("values.npy")))
        }
        try AtomicFile.write(Data(JSON.object(f).text().utf8), to: folder.appendingPathComponent("predictions.json"))
        if let model = p.model { try model.write(to: folder.appendingPathComponent("model.safetensors")) }
    }

    /// Reads a folder written by ``write(_:protocol:provenance:to:)``.
    public static func read(_ folder: URL) throws -> (predictions: HeadPredictions, suiteProtocol: SuiteProtocol) {
        let (p, proto, _) = try readWithProvenance(folder)
        return (p, proto)
    }

    /// Reads a folder and the provenance it records (nil when written without one).
    public static func readWithProvenance(_ folder: URL) throws -> (predictions: HeadPredictions, suiteProtocol: SuiteProtocol, provenance: Provenance?) {
        let url = folder.appendingPathComponent("predictions.json")
        let any: Any
        // Our parser, not JSONSerialization: Foundation's number parsing on Linux is not
        // correctly rounded, and a loss read back one ulp off changes metrics.json.
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SuiteError.unreadable(file: url.path, detail: FileManager.default.fileExists(atPath: url.path)
                                        ? "the file cannot be read (permissions?)"
                                        : "no such file; --predictions must name a folder written by xp-train")
        }
        do { any = try JSONParser.parse(String(decoding: data, as: UTF8.self)).foundationObject } catch {
            throw SuiteError.unreadable(file: url.path, detail: "not valid JSON (\(error)); expected the predictions.json that xp-train writes")
        }
        guard let o = any as? [String: Any] else { throw SuiteError.unreadable(file: url.path, detail: "not a JSON object") }
        func field<T>(_ key: String, _ type: T.Type) throws -> T {
            guard let v = o[key] as? T else { throw SuiteError.unreadable(file: url.path, detail: "field '\(key)' is missing or has the wrong type") }
            return v
        }
        func numbers(_ key: String) throws -> [Double] { try field(key, [Any].self).map { ($0 as? NSNumber)?.doubleValue ?? .nan } }
        guard let task = TaskID(rawValue: try field("task", String.self)),
              let head = HeadKind(rawValue: try field("head", String.self)),
              let proto = SuiteProtocol(rawValue: try field("protocol", String.self)) else {
            throw SuiteError.unreadable(file: url.path, detail: "unknown task, head or protocol")
        }
        var p = HeadPredictions(task: task, head: head, seed: UInt64(try field("seed", NSNumber.self).int64Value),
                                testRows: try numbers("test_rows").map { Int($0) })
        p.predictedClass = try numbers("predicted_class").map { Int($0) }
        p.confidence = try numbers("confidence").map { Float($0) }
        p.probabilityOfClass1 = try numbers("probability_of_class_1").map { Float($0) }
        p.predictedLabels = try field("predicted_labels", [[Any]].self).map { $0.map { ($0 as? NSNumber)?.boolValue ?? false } }
        p.targetMean = try numbers("target_mean").map { Float($0) }
        p.targetStd = try numbers("target_std").map { Float($0) }
        p.trainFinalLoss = (o["train_final_loss"] as? NSNumber)?.doubleValue
        p.trainFinalAccuracy = (o["train_final_accuracy"] as? NSNumber)?.doubleValue
        if let h = o["history"] as? [[String: Any]] {
            p.history = h.map { EpochRecord(epoch: ($0["epoch"] as? NSNumber)?.intValue ?? 0, loss: ($0["loss"] as? NSNumber)?.doubleValue ?? .nan,
                                            accuracy: ($0["accuracy"] as? NSNumber)?.doubleValue, validationLoss: ($0["validation_loss"] as? NSNumber)?.doubleValue) }
        }
        if o["values"] != nil {
            let npy = folder.appendingPathComponent("values.npy")
            let array: NumPyFile.Array
            do { array = try NumPyFile.read(from: npy) } catch { throw SuiteError.unreadable(file: npy.path, detail: "\(error)") }
            guard case let .float32(shape, values) = array, shape.count == 2 else {
                throw SuiteError.unreadable(file: npy.path, detail: "expected a 2-D float32 array")
            }
            p.values = try Matrix(rows: shape[0], cols: shape[1], storage: values)
        }
        p.bestEpoch = (o["best_epoch"] as? NSNumber)?.intValue
        p.validationSamples = (o["validation_samples"] as? NSNumber)?.intValue ?? 0
        var provenance: Provenance? = nil
        if let split = o["split"] as? String {
            provenance = Provenance(episodes: (o["episodes"] as? [String]) ?? [], split: split,
                                    splitSeed: (o["split_seed"] as? NSNumber).map { UInt64($0.int64Value) })
        }
        return (p, proto, provenance)
    }
}
