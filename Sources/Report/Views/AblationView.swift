import Foundation

/// The ablation matrix (task × modality group, §3.4/§3.6): each cell the score (mean over
/// seeds when a run has several), on the reference's fill, `n/a` where nothing was
/// computed; a `*` marks groups that overlap the task's own target (leakage, not signal).
public struct AblationMatrix: Sendable {
    public var tasks: [String]
    public var taskNames: [String]
    public var metrics: [String]
    public var groups: [String]
    /// `scores[t][g]`; nil for n/a.
    public var scores: [[Double?]]
    /// `overlap[t][g]`.
    public var overlap: [[Bool]]

    /// Builds the matrix from the rows of one (protocol, mode); tasks and groups in
    /// first-seen order; rows whose status is not computed, or without a score, are n/a.
    public init(_ csv: CSVTable, rows: [[String]]) {
        var tasks: [String] = [], groups: [String] = [], names: [String: String] = [:], metrics: [String: String] = [:]
        var sums: [String: (Double, Int)] = [:], overlaps: Set<String> = []
        for r in rows {
            let t = csv.value(r, "task"), g = csv.value(r, "modality_group")
            if !tasks.contains(t) { tasks.append(t) }
            if !groups.contains(g) { groups.append(g) }
            if names[t] == nil { names[t] = SuiteTasks.order.contains { $0.id == t } ? SuiteTasks.name(t) : (csv.value(r, "task_display").isEmpty ? t : csv.value(r, "task_display")) }
            if metrics[t] == nil, !csv.value(r, "primary_metric").isEmpty { metrics[t] = csv.value(r, "primary_metric") }
            let status = csv.value(r, "status")
            if csv.value(r, "target_source_overlap").lowercased() == "true" { overlaps.insert("\(t)\u{1F}\(g)") }
            guard status.isEmpty || status == "computed", let s = csv.number(r, "score"), s.isFinite else { continue }
            let key = "\(t)\u{1F}\(g)"
            let old = sums[key] ?? (0, 0)
            sums[key] = (old.0 + s, old.1 + 1)
        }
        self.tasks = tasks
        self.groups = groups
        taskNames = tasks.map { names[$0] ?? $0 }
        self.metrics = tasks.map { metrics[$0] ?? "" }
        scores = tasks.map { t in groups.map { g in sums["\(t)\u{1F}\(g)"].map { $0.0 / Double($0.1) } } }
        overlap = tasks.map { t in groups.map { g in overlaps.contains("\(t)\u{1F}\(g)") } }
    }

    /// The heat map: fill `Palette.ablationFill`, text `.2f` (dark when s > 0.62), `*` on overlap.
    public func heatMap(title: String) -> HeatMap {
        let ov = overlap
        let sc = scores
        var map = HeatMap(title: title, rowLabels: zip(taskNames, metrics).map { $1.isEmpty ? $0 : "\($0) (\($1))" }, columnLabels: groups, values: scores,
                          left: 330, top: 150, cellWidth: 74, cellHeight: 26,
                          fill: { Palette.ablationFill($0) }, format: { String(format: "%.2f", $0) }, textColor: { $0 > 0.62 ? "#111" : "#fff" })
        map.cellText = { r, c in
            guard r < sc.count, c < sc[r].count, let v = sc[r][c] else { return nil }
            return String(format: "%.2f", v) + (ov[r][c] ? "*" : "")
        }
        return map
    }
}

/// The diagnose views: ablation matrix, alignment-shift curves, missing views, audio
/// deltas, by session and the diagnostics summary, each as chart + table or table.
public enum DiagnoseView {
    /// The first of `names` that exists under `folder`.
    static func find(_ folder: URL, _ names: [String]) -> URL? {
        names.map { folder.appendingPathComponent($0) }.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Rows grouped by the columns present among `keys` (e.g. protocol and mode), in
    /// first-seen order; one group with an empty name when none is present.
    static func partition(_ csv: CSVTable, by keys: [String]) -> [(String, [[String]])] {
        let present = keys.filter(csv.has)
        var order: [String] = [], groups: [String: [[String]]] = [:]
        for r in csv.rows {
            let name = present.map { "\($0) \(csv.value(r, $0))" }.joined(separator: ", ")
            if groups[name] == nil { order.append(name) }
            groups[name, default: []].append(r)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    /// A whole CSV as a table, every column, every row.
    static func fullTable(_ csv: CSVTable, caption: String, rows: [[String]]? = nil) -> Table {
        Table(caption: caption, header: csv.header, rows: (rows ?? csv.rows).map { r in csv.header.indices.map { $0 < r.count ? r[$0] : "" } })
    }

    public static func ablation(_ folder: URL) throws(ReportError) -> HTMLDocument.Section? {
        guard let url = find(folder, ["ablation_metrics.csv", "modality_ablation/ablation_metrics.csv"]), let csv = try CSVTable.read(url) else { return nil }
        var body = Fragment.paragraph("Score per task and modality group (group removed or alone, as the row says); n/a where nothing was computed; "
            + "* marks a group that overlaps the task's own target, so a high score there is leakage, not signal.")
        for (name, rows) in partition(csv, by: ["protocol", "mode"]) {
            let m = AblationMatrix(csv, rows: rows)
            let title = "Ablation matrix" + (name.isEmpty ? "" : " (\(name))")
            body += "<div class=\"plot\">\n\(m.heatMap(title: title).svg())</div>\n"
            let columns = ["task", "modality_group", "status", "score", "primary_metric", "target_source_overlap", "seed", "baseline_name", "baseline_score"].filter(csv.has)
            body += Table(caption: "\(title): the rows", header: columns, rows: rows.map { r in columns.map { csv.value(r, $0) } }).html()
        }
        return HTMLDocument.Section(id: "ablation", title: "Modality ablation", body: body)
    }

    public static func alignment(_ folder: URL) throws(ReportError) -> HTMLDocument.Section? {
        guard let url = find(folder, ["alignment_shift_metrics.csv", "alignment_stress/alignment_shift_metrics.csv"]), let csv = try CSVTable.read(url) else { return nil }
        var body = Fragment.paragraph("Retrieval: MRR of retrieving the target windows from each query group's stream shifted by k windows; the peak should sit at 0. "
            + "Misalignment: AUROC of the pair head (trained at shift 0) when the group's stream is read k windows late.")
        for (name, rows) in partition(csv, by: ["task", "protocol"]) {
            // Misalignment rows carry AUROC and a chance baseline; retrieval rows MRR.
            let pairs = rows.contains { csv.value($0, "task") == "misalignment_detection" }
            let metric = pairs ? "auroc" : "mrr", baselineColumn = pairs ? "baseline_score" : "baseline_mrr"
            var groups: [String: [(x: Double, y: Double)]] = [:]
            var baseline: [(x: Double, y: Double)] = []
            for r in rows {
                guard let x = csv.number(r, "shift_windows"), let y = csv.number(r, metric) else { continue }
                groups[csv.value(r, "query_group"), default: []].append((x, y))
                if let b = csv.number(r, baselineColumn), !baseline.contains(where: { $0.x == x }) { baseline.append((x, b)) }
            }
            var series = groups.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }.map { g in
                LineChart.Series(name: g, points: (groups[g] ?? []).sorted { $0.x < $1.x })
            }
            if !baseline.isEmpty { series.append(LineChart.Series(name: "baseline", points: baseline.sorted { $0.x < $1.x }, dashed: true)) }
            let title = "Alignment shift" + (name.isEmpty ? "" : " (\(name))")
            let chart = LineChart(title: title, xLabel: "shift (windows)", yLabel: pairs ? "AUROC" : "MRR", series: series, width: 900, height: 420)
            let columns = (pairs
                ? ["query_group", "target_group", "shift_windows", "shift_frames", "auroc", "macro_f1", "accuracy", "num_pairs", "seed", "baseline_name", "baseline_score"]
                : ["query_group", "shift_windows", "shift_frames", "mrr", "top1_accuracy", "top5_accuracy", "num_queries", "seed", "baseline_mrr"]).filter(csv.has)
            body += Fragment.figure(svg: chart.svg(), table: Table(caption: "\(title): the rows", header: columns, rows: rows.map { r in columns.map { csv.value(r, $0) } }))
        }
        return HTMLDocument.Section(id: "alignment", title: "Alignment stress", body: body)
    }

    /// Missing views, audio deltas and by-session rows: bar charts where a drop or delta is
    /// given, and the full tables.
    public static func others(_ folder: URL) throws(ReportError) -> [HTMLDocument.Section] {
        var out: [HTMLDocument.Section] = []
        if let url = find(folder, ["missing_views.csv"]), let csv = try CSVTable.read(url) {
            var body = Fragment.paragraph("Each view removed at test time only (the model trained with it): the drop of the task's score.")
            let rows = csv.rows.map { r in
                BarChart.Row(label: "\(SuiteTasks.name(csv.value(r, "task"))) − \(csv.value(r, "view"))", value: csv.number(r, "drop").map { max(0, $0) },
                             valueText: "\(fixed4(csv.number(r, "drop"))) \(csv.value(r, "metric"))")
            }
            let top = rows.compactMap(\.value).max() ?? 1
            let chart = BarChart(title: "Drop when a view is missing (negative drops drawn as 0)", rows: rows, maximum: NiceTicks.ticks(lower: 0, upper: top > 0 ? top : 1).last ?? 1)
            body += Fragment.figure(svg: chart.svg(), table: fullTable(csv, caption: "missing_views.csv"))
            out.append(HTMLDocument.Section(id: "missing-views", title: "Missing views", body: body))
        }
        if let url = find(folder, ["audio_delta_summary.csv", "audio_ablation/audio_delta_summary.csv"]), let csv = try CSVTable.read(url) {
            let body = Fragment.paragraph("Signed per-task deltas in each task's primary-metric units (never averaged across tasks).")
                + fullTable(csv, caption: "audio_delta_summary.csv").html()
            out.append(HTMLDocument.Section(id: "audio", title: "Audio ablation", body: body))
        }
        if let url = find(folder, ["by_session.csv"]), let csv = try CSVTable.read(url) {
            let body = Fragment.paragraph("Every metric per held-out session, with the interval of that session's value.")
                + fullTable(csv, caption: "by_session.csv").html()
            out.append(HTMLDocument.Section(id: "by-session", title: "By session", body: body))
        }
        if let url = find(folder, ["diagnostics.json"]), let j = try readJSONFile(url) {
            let rows = (j.objectValue ?? []).map { [$0.0, short($0.1.displayText, 400)] }
            out.append(HTMLDocument.Section(id: "diagnostics", title: "Diagnostics summary", body: Table(caption: "diagnostics.json", header: ["key", "value"], rows: rows).html()))
        }
        return out
    }
}
