import Foundation
import XPCore

/// The suite's twelve tasks in suite order with their canonical names (§3.2) and primary
/// metrics (`task-suite.md` §3.1); a run's own `primary_metric` key wins when present.
public enum SuiteTasks {
    public static let order: [(id: String, name: String, primary: String, higherIsBetter: Bool)] = [
        ("timeline_action", "Action Recognition", "macro_f1", true),
        ("timeline_subtask", "Procedure Step Recognition", "macro_f1", true),
        ("transition_detection", "Action Boundary Detection", "macro_f1", true),
        ("next_action", "Next-Action Prediction", "macro_f1", true),
        ("hand_trajectory_forecast", "Hand Trajectory Forecasting", "mpjpe", false),
        ("contact_prediction", "Contact State Prediction", "macro_f1", true),
        ("object_relevance", "Object Relevance Prediction", "micro_f1", true),
        ("caption_grounding", "Language Grounding", "mrr", true),
        ("cross_modal_retrieval", "Cross-Modal Retrieval", "mrr", true),
        ("modality_reconstruction", "Cross-Modal Reconstruction", "r2", true),
        ("temporal_order", "Temporal Order Verification", "f1", true),
        ("misalignment_detection", "Multimodal Synchronization Detection", "f1", true),
    ]

    /// The canonical name of `id` (the id itself when unknown).
    public static func name(_ id: String) -> String { order.first { $0.id == id }?.name ?? id }

    /// Metrics where lower is better.
    public static func lowerIsBetter(_ metric: String) -> Bool {
        ["mpjpe", "final_frame_mpjpe", "mae", "mse", "median_rank", "mean_rank", "mean_abs_timing_error_frames"].contains(metric)
    }
}

/// An interval and the number it describes (the rule: never beside another number).
public struct DescribedInterval: Sendable, Equatable {
    public var low: Double, high: Double
    /// What it describes: "the value shown" or "seed 7's value".
    public var describes: String
    /// The value it describes.
    public var value: Double?
    /// Level and method, when given (e.g. "95 %, block bootstrap over samples and seeds").
    public var method: String
}

/// One head's score of one task, read leniently from its `metrics.json` (today's keys and
/// the strict-II keys: `interval`, `baselines` as a list, `strongest_baseline`,
/// `beats_baseline`, `primary_metric`).
public struct ReportedScore: Sendable {
    public var task: String
    public var displayName: String
    public var head: String
    public var status: String
    public var reason: String?
    /// The metric shown and its value (rule A in reference mode, the primary metric in strict).
    public var metric: String
    public var value: Double?
    /// The raw value before rule A's clipping (equal to `value` in strict mode).
    public var rawValue: Double?
    public var higherIsBetter: Bool
    /// Seeds and per-seed values of the primary metric, when several.
    public var seeds: [Int]
    public var perSeed: [Double]
    public var std: Double?
    public var baselines: [(name: String, value: Double)]
    public var strongestBaseline: (name: String, value: Double)?
    public var beatsBaseline: Bool?
    public var interval: DescribedInterval?
    public var metrics: JSONValue

    /// Rule A of §3.2: the first of macro_f1, f1, micro_f1, top5_accuracy, r2; null → 0; clipped at 0.
    public static func ruleA(_ m: JSONValue) -> (metric: String, value: Double, raw: Double?) {
        for key in ["macro_f1", "f1", "micro_f1", "top5_accuracy", "r2"] {
            if let v = m[key] {
                let raw = v.lenientNumber
                return (key, max(0, raw.flatMap { $0.isNaN ? nil : $0 } ?? 0), raw)
            }
        }
        return ("none", 0, nil)
    }

    /// Reads one entry (`metrics`, the task's `metrics.json` or its summary entry).
    public init(task: String, head: String, metrics m: JSONValue, strict: Bool) {
        self.task = task
        self.head = head
        self.metrics = m
        displayName = SuiteTasks.order.contains { $0.id == task } ? SuiteTasks.name(task) : (m["task_display_name"]?.stringValue ?? task)
        status = m["status"]?.stringValue ?? (m["error"] != nil ? "error" : "ok")
        reason = m["reason"]?.stringValue ?? m["error"]?.stringValue
        let known = SuiteTasks.order.first { $0.id == task }
        let primary = m["primary_metric"]?.stringValue ?? known?.primary ?? "macro_f1"
        if strict {
            metric = primary
            higherIsBetter = !SuiteTasks.lowerIsBetter(primary)
            let over = m["primary_over_seeds"]
            let overMetric = over?["metric"]?.stringValue
            if let over, overMetric == nil || overMetric == primary, let mean = over["mean"]?.lenientNumber {
                value = mean
                std = over["std"]?.lenientNumber
                seeds = over["seeds"]?.arrayValue?.compactMap { $0.lenientNumber.map { Int($0) } } ?? []
                perSeed = over["values"]?.arrayValue?.compactMap(\.lenientNumber) ?? []
            } else {
                value = m[primary]?.lenientNumber
                std = nil
                seeds = m["seed"]?.lenientNumber.map { [Int($0)] } ?? []
                perSeed = value.map { [$0] } ?? []
            }
            rawValue = value
        } else {
            let a = ReportedScore.ruleA(m)
            metric = a.metric
            value = status == "ok" ? a.value : nil
            rawValue = a.raw
            higherIsBetter = true
            std = nil
            seeds = m["seed"]?.lenientNumber.map { [Int($0)] } ?? []
            perSeed = []
        }
        // Baselines: an object name → value (today) or a list of {name, value} (strict-II).
        var list: [(String, Double)] = []
        if let pairs = m["baselines"]?.objectValue {
            for (k, v) in pairs { if let n = v.lenientNumber { list.append((k, n)) } }
        } else if let items = m["baselines"]?.arrayValue {
            for item in items {
                if let n = item["name"]?.stringValue, let v = item["value"]?.lenientNumber { list.append((n, v)) }
            }
        }
        baselines = list
        if let s = m["strongest_baseline"], let n = s["name"]?.stringValue, let v = s["value"]?.lenientNumber {
            strongestBaseline = (n, v)
        } else {
            var best: (name: String, value: Double)? = nil
            for b in list where best == nil || (higherIsBetter ? b.1 > (best?.value ?? 0) : b.1 < (best?.value ?? 0)) {
                best = (name: b.0, value: b.1)
            }
            strongestBaseline = best
        }
        beatsBaseline = m["beats_baseline"]?.boolValue
        interval = ReportedScore.interval(m, shown: value, seeds: seeds, perSeed: perSeed, primary: primary)
    }

    /// The interval and the number it describes. `interval` (strict-II) describes the value
    /// shown; today's `primary_interval` was computed on the first seed only, so with
    /// several seeds it is tied to that seed's value, never to the mean.
    static func interval(_ m: JSONValue, shown: Double?, seeds: [Int], perSeed: [Double], primary: String) -> DescribedInterval? {
        if let i = m["interval"], let lo = i["low"]?.lenientNumber, let hi = i["high"]?.lenientNumber {
            var method = [i["level"]?.lenientNumber.map { "\(Int(($0 <= 1 ? $0 * 100 : $0).rounded())) %" }, i["method"]?.stringValue,
                          i["block"]?.lenientNumber.map { "block \(Int($0))" }].compactMap { $0 }.joined(separator: ", ")
            if method.isEmpty { method = "interval" }
            return DescribedInterval(low: lo, high: hi, describes: "the value shown", value: shown, method: method)
        }
        guard let i = m["primary_interval"] else { return nil }
        guard let lo = (i["lower"] ?? i["low"])?.lenientNumber, let hi = (i["upper"] ?? i["high"])?.lenientNumber else { return nil }
        let level = (i["confidence"] ?? i["level"])?.lenientNumber.map { "\(Int(($0 <= 1 ? $0 * 100 : $0).rounded())) %" } ?? ""
        let block = (i["blockLength"] ?? i["block_length"])?.lenientNumber.map { "block \(Int($0))" }
        let method = [level, "bootstrap over test samples", block].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
        let estimate = (i["estimate"] ?? m[primary])?.lenientNumber
        if perSeed.count > 1, let seed = m["seed"]?.lenientNumber.map({ Int($0) }) ?? seeds.first {
            return DescribedInterval(low: lo, high: hi, describes: "seed \(seed)'s value", value: estimate, method: method)
        }
        return DescribedInterval(low: lo, high: hi, describes: "the value shown", value: estimate ?? shown, method: method)
    }
}
