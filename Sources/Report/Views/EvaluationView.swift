import Foundation
import XPCore

/// An `xp-eval-json` package: the headline metrics (both macro F1s named), seen/unseen
/// accuracy, per-class F1 (chart of the best-supported classes, full table), the folded
/// confusion matrix when present, and the predictions' counts.
public enum EvaluationView {
    /// Classes drawn on the per-class chart (the table has all).
    public static let chartClasses = 20

    public static func section(_ folder: URL) throws(ReportError) -> HTMLDocument.Section {
        var body = ""
        let metrics = try readJSONFile(folder.appendingPathComponent("metrics.json"))
        if let m = metrics {
            let scalars = (m.objectValue ?? []).filter { $0.1.lenientNumber != nil || $0.1.stringValue != nil }
            body += Table(caption: "metrics.json (scalar keys)", header: ["key", "value"], rows: scalars.map { [$0.0, $0.1.displayText] }).html()
            if let defs = m["macro_f1_definitions"]?.objectValue {
                body += Table(caption: "The two macro F1s", header: ["name", "value", "classes", "definition"], rows: defs.map { k, v in
                    [k, fixed4(v["value"]?.lenientNumber), v["num_classes"]?.displayText ?? "", v["definition"]?.displayText ?? v["description"]?.displayText ?? ""]
                }).html()
            }
            let seen = [("seen labels", m["seen_label_accuracy"]?.lenientNumber), ("unseen labels", m["unseen_label_accuracy"]?.lenientNumber)]
            if seen.contains(where: { $0.1 != nil }) {
                let rows = seen.map { BarChart.Row(label: $0.0, value: $0.1, valueText: "\(fixed4($0.1)) accuracy") }
                body += Fragment.figure(svg: BarChart(title: "Action accuracy, seen vs unseen in train", rows: rows).svg(),
                                        table: Table(caption: "Seen / unseen", header: ["split", "accuracy"],
                                                     rows: seen.map { [$0.0, fixed4($0.1)] } + [["unseen samples", m["num_unseen_label_samples"]?.displayText ?? ""]]))
            }
        }
        if let p = try CSVTable.read(folder.appendingPathComponent("per_class_metrics.csv")) {
            let ranked = p.rows.enumerated().sorted { a, b in
                let sa = p.number(a.element, "support") ?? 0, sb = p.number(b.element, "support") ?? 0
                return sa != sb ? sa > sb : a.offset < b.offset
            }.prefix(chartClasses).map(\.element)
            let rows = ranked.map { r in BarChart.Row(label: short(p.value(r, "class_name"), 40), value: p.number(r, "f1"),
                                                       valueText: "\(fixed4(p.number(r, "f1"))) f1 (support \(p.value(r, "support")))") }
            body += Fragment.figure(svg: BarChart(title: "Per-class F1: the \(rows.count) best-supported classes", rows: rows).svg(),
                                    table: Table(caption: "The plotted classes", header: ["class", "support", "f1"],
                                                 rows: ranked.map { [p.value($0, "class_name"), p.value($0, "support"), fixed4(p.number($0, "f1"))] }))
            let unseen = Set(metrics?["unseen_eval_labels"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            body += ConfusionView.perClassTable(p, unseen: unseen, caption: "per_class_metrics.csv (all \(p.rows.count) classes)").html()
        }
        if let c = try CSVTable.read(folder.appendingPathComponent("confusion_matrix.csv")) {
            let (labels, counts) = ConfusionView.readConfusion(c)
            let folded = FoldedConfusion.fold(labels: labels, counts: counts, k: ConfusionView.topK)
            let rows = folded.labels.enumerated().map { i, l in [l] + folded.counts[i].map(String.init) }
            body += Fragment.figure(svg: ConfusionView.heatMap(folded, title: "Confusion (row fraction; top \(ConfusionView.topK) by support)").svg(),
                                    table: Table(caption: "Counts (rows true, columns predicted)", header: ["true \\ predicted"] + folded.labels, rows: rows))
        }
        let predictions = folder.appendingPathComponent("predictions.jsonl")
        if let data = try? Data(contentsOf: predictions), let text = String(data: data, encoding: .utf8) {
            var total = 0, correct = 0, seenTotal = 0, seenCorrect = 0, bad = 0
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
                guard let row = try? JSONParser.parse(String(line)) else {
                    bad += 1
                    if bad == 1 { body += Fragment.note("\(predictions.path) line \(i + 1): not JSON; such lines are not counted.") }
                    continue
                }
                total += 1
                let ok = row["correct"]?.pythonTruthy ?? false
                if ok { correct += 1 }
                if row["true_label_seen_in_train"]?.pythonTruthy ?? false { seenTotal += 1; if ok { seenCorrect += 1 } }
            }
            body += Table(caption: "predictions.jsonl", header: ["rows", "correct", "seen-in-train rows", "seen correct", "unparsable lines"],
                          rows: [[String(total), String(correct), String(seenTotal), String(seenCorrect), String(bad)]]).html()
        }
        return HTMLDocument.Section(id: "evaluation", title: "Evaluation package", body: body)
    }
}
