import Foundation

/// A confusion matrix folded to its top-K classes by support; the rest become one "other"
/// row and column, so the counts still sum to the total.
public struct FoldedConfusion: Sendable, Equatable {
    public var labels: [String]
    public var counts: [[Int]]

    /// Folds `counts` (rows true, columns predicted, over `labels`) to the `k` classes with
    /// the largest support (row sum; ties: first in label order), in label order, plus
    /// "other (n classes)" when anything is left.
    public static func fold(labels: [String], counts: [[Int]], k: Int) -> FoldedConfusion {
        let n = labels.count
        let support = (0..<n).map { i in i < counts.count ? counts[i].reduce(0, +) : 0 }
        let ranked = (0..<n).sorted { support[$0] != support[$1] ? support[$0] > support[$1] : $0 < $1 }
        let keep = Set(ranked.prefix(max(0, k)))
        let kept = (0..<n).filter(keep.contains)
        let hasOther = kept.count < n
        let size = kept.count + (hasOther ? 1 : 0)
        var slot = [Int](repeating: kept.count, count: n)
        for (s, i) in kept.enumerated() { slot[i] = s }
        var out = [[Int]](repeating: [Int](repeating: 0, count: size), count: size)
        for i in 0..<min(n, counts.count) {
            for j in 0..<min(n, counts[i].count) { out[slot[i]][slot[j]] += counts[i][j] }
        }
        var names = kept.map { labels[$0] }
        if hasOther { names.append("other (\(n - kept.count) classes)") }
        return FoldedConfusion(labels: names, counts: out)
    }
}

/// Per classification task: the confusion heat map (top-K, rest folded; the fill is the
/// row-normalised fraction, the text the count) and the per-class precision/recall/F1,
/// with the seen/unseen split where `metrics.json` names unseen classes.
public enum ConfusionView {
    /// Classes kept on the heat map.
    public static let topK = 12

    /// Reads `confusion_matrix.csv` (`true\pred` header, one row per true class).
    public static func readConfusion(_ table: CSVTable) -> (labels: [String], counts: [[Int]]) {
        let labels = Array(table.header.dropFirst())
        let counts = table.rows.map { row in labels.indices.map { j in j + 1 < row.count ? Int(row[j + 1].trimmingCharacters(in: .whitespaces)) ?? 0 : 0 } }
        return (labels, counts)
    }

    /// The heat map of a folded matrix.
    public static func heatMap(_ f: FoldedConfusion, title: String) -> HeatMap {
        let totals = f.counts.map { $0.reduce(0, +) }
        let fractions: [[Double?]] = f.counts.enumerated().map { i, row in row.map { totals[i] > 0 ? Double($0) / Double(totals[i]) : 0 } }
        return HeatMap(title: title, rowLabels: f.labels.map { "true: " + $0 }, columnLabels: f.labels, values: fractions,
                       left: 280, top: 190, cellWidth: 42, cellHeight: 24,
                       fill: { Palette.heat($0) }, format: { String(format: "%.2f", $0) }, textColor: { $0 > 0.55 ? "#fff" : "#222" })
            .withCounts(f.counts)
    }

    public static func section(_ run: SuiteRun) -> HTMLDocument.Section? {
        var body = ""
        var any = false
        for head in run.heads {
            for task in run.tasks {
                let folder = run.folder(head: head, task: task)
                let perClass = try? CSVTable.read(folder.appendingPathComponent("per_class_metrics.csv"))
                let confusion = try? CSVTable.read(folder.appendingPathComponent("confusion_matrix.csv"))
                guard perClass ?? nil != nil || confusion ?? nil != nil else { continue }
                any = true
                let name = "\(SuiteTasks.name(task)) (\(head))"
                body += Fragment.heading(name)
                let unseen = Set(run.score(head: head, task: task)?.metrics["unseen_test_classes"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                if let c = confusion ?? nil {
                    let (labels, counts) = readConfusion(c)
                    let folded = FoldedConfusion.fold(labels: labels, counts: counts, k: topK)
                    let rows = folded.labels.enumerated().map { i, l in [l] + folded.counts[i].map(String.init) }
                    body += Fragment.figure(svg: heatMap(folded, title: "\(name): confusion (row fraction; top \(topK) by support)").svg(),
                                            table: Table(caption: "Counts (rows true, columns predicted)", header: ["true \\ predicted"] + folded.labels, rows: rows))
                }
                if let p = perClass ?? nil {
                    body += perClassTable(p, unseen: unseen, caption: "\(name): per-class metrics").html()
                }
                if let m = run.score(head: head, task: task)?.metrics {
                    let seenKeys = (m.objectValue ?? []).filter { $0.0.contains("seen") && $0.1.lenientNumber != nil }
                    if !seenKeys.isEmpty || !unseen.isEmpty {
                        var rows = seenKeys.map { [$0.0, fixed4($0.1.lenientNumber)] }
                        if !unseen.isEmpty { rows.append(["unseen test classes (\(unseen.count))", unseen.sorted().joined(separator: " | ")]) }
                        body += Table(caption: "\(name): seen / unseen classes", header: ["key", "value"], rows: rows).html()
                    }
                }
            }
        }
        guard any else { return nil }
        return HTMLDocument.Section(id: "confusion", title: "Confusion matrices and per-class F1", body: body)
    }

    /// The per-class table, with a seen/unseen column when unseen classes are known.
    public static func perClassTable(_ p: CSVTable, unseen: Set<String>, caption: String) -> Table {
        var header = ["class", "support", "predicted", "precision", "recall", "f1"]
        if !unseen.isEmpty { header.append("in train") }
        let rows = p.rows.map { r -> [String] in
            var row = [p.value(r, "class_name"), p.value(r, "support"), p.value(r, "predicted"),
                       fixed4(p.number(r, "precision")), fixed4(p.number(r, "recall")), fixed4(p.number(r, "f1"))]
            if !unseen.isEmpty { row.append(unseen.contains(p.value(r, "class_name")) ? "unseen" : "seen") }
            return row
        }
        return Table(caption: caption, header: header, rows: rows)
    }
}

extension HeatMap {
    /// The same map with the counts printed in the cells (the fill stays the fraction).
    func withCounts(_ counts: [[Int]]) -> HeatMap {
        var copy = self
        let flat = counts
        copy.cellText = { r, c in r < flat.count && c < flat[r].count ? String(flat[r][c]) : nil }
        return copy
    }
}
