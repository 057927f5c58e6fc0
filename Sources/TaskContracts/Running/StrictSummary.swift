import Foundation
import Metrics

/// `summary.md` of a strict run: per task both heads' primary metric with the interval of
/// exactly that number, the strongest trivial baseline, the verdict, and (classification)
/// the seen-class macro F1 and the unseen-class ceiling.
enum StrictSummary {
    static func markdown(rows: [TaskSummaryRow], config: SuiteConfiguration, episodes: [SuiteEpisode], policy: SplitPolicy) -> String {
        let several = config.seeds.count > 1
        func value(_ r: TaskSummaryRow?) -> String {
            guard let r else { return "—" }
            switch r.status {
            case "ok":
                guard let ms = r.primaryMeanStd else { return "undefined" }
                // A deterministic head (ridge) gives the same value for every seed, up to the
                // last bits of a BLAS sum: no "± 0.0000" that reads as a measured certainty.
                return ms.n > 1 && ms.std >= 0.00005 ? String(format: "%.4f ± %.4f", ms.mean, ms.std) : String(format: "%.4f", ms.mean)
            case "not_applicable": return "N/A"
            default: return "error"
            }
        }
        func ci(_ r: TaskSummaryRow?) -> String {
            guard let i = r?.interval else { return "—" }
            return String(format: "[%.4f, %.4f]", i.lower, i.upper)
        }
        func verdict(_ r: TaskSummaryRow?) -> String {
            guard let r, r.status == "ok" else { return "—" }
            switch r.beatsBaseline {
            case true?: return "beats"
            case false?: return "does not beat"
            case nil: return "—"
            }
        }
        func seen(_ r: TaskSummaryRow?) -> String {
            let v = (r?.seenClassPerSeed ?? []).compactMap { $0 }
            guard !v.isEmpty else { return "—" }
            return String(format: "%.4f", v.reduce(0, +) / Double(v.count))
        }
        let blocks = rows.compactMap(\.interval).first
        var lines = [
            "# Task suite summary (strict protocol)", "",
            "Episodes: \(episodes.map(\.name).joined(separator: ", ")). Split: \(policy.name). Seeds: \(config.seeds.map(String.init).joined(separator: ", "))\(several ? " (mean ± std over seeds; no ± where every seed gives the same value to the printed digits)" : "").",
        ]
        if blocks != nil {
            lines.append("Intervals: 95% block bootstrap of the printed number over test samples; blocks are the runs of one label (the true class, or the window's action) within an episode, at least one window overlap long (whole episodes with \(DependenceBlocks.episodeBlocksFrom) or more test episodes)\(several ? "; every resample scores every seed and keeps their mean, so the interval is that of the mean over seeds" : "").")
        } else {
            lines.append("Intervals: not computed.")
        }
        lines.append("Baseline: the strongest trivial baseline in the primary metric (binary: always-positive, always-negative, prior-rate; forecast: last pose, constant velocity, train mean; retrieval: chance; classification: majority and prior-rate; every baseline is in each metrics.json). Verdict: \"beats\" only when the whole interval is on the better side of it.")
        lines.append("Pair tasks (temporal order, misalignment): AUROC is primary (their F1 rewards predicting one class); controls in each task's controls.json.")
        let kept = rows.flatMap(\.bestEpochs)
        if let low = kept.min(), let high = kept.max() {
            lines.append("Neural head: stopped early on the validation episodes, keeping epochs \(low)–\(high) of \(config.headSettings.mlp.epochs) (per task in each metrics.json).")
        }
        lines += ["",
                  "| Task | Metric | Minimal | Neural | Minimal 95% CI | Neural 95% CI | Strongest baseline | Verdict (minimal / neural) | Seen-class macro F1 (minimal / neural) | Unseen ceiling |",
                  "| --- | --- | ---: | ---: | --- | --- | --- | --- | --- | ---: |"]
        var notes: [String] = []
        for t in config.tasks {
            let m = rows.first { $0.task == t && $0.head == .minimal }
            let n = rows.first { $0.task == t && $0.head == .neural }
            let metric = t.primaryMetric(for: .strict)
            let base = (m?.baseline ?? n?.baseline).map { String(format: "%@ %.4f", $0.name, $0.value) } ?? "—"
            let hasSeen = !((m?.seenClassPerSeed ?? []) + (n?.seenClassPerSeed ?? [])).compactMap({ $0 }).isEmpty
            let ceiling = (m?.unseenCeiling ?? n?.unseenCeiling).map { String(format: "%.4f", $0) } ?? "—"
            lines.append("| \(t.displayName) (`\(t.rawValue)`) | \(metric)\(t.higherIsBetter ? "" : " ↓") | \(value(m)) | \(value(n)) | \(ci(m)) | \(ci(n)) | \(base) | \(verdict(m)) / \(verdict(n)) | \(hasSeen ? "\(seen(m)) / \(seen(n))" : "—") | \(ceiling) |")
            for r in [m, n].compactMap({ $0 }) where r.status != "ok" {
                if let reason = r.reason, !notes.contains("- `\(t.rawValue)`: \(reason)") { notes.append("- `\(t.rawValue)`: \(reason)") }
            }
        }
        if !notes.isEmpty { lines += ["", "Not applicable or failed:", ""] + notes }
        lines += SuiteRunner.dataQualityLines(episodes)
        return lines.joined(separator: "\n") + "\n"
    }
}
