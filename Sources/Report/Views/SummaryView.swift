/// The summary: per head, a bar chart of each task's plotted metric against its strongest
/// baseline, and the table of the same numbers with the intervals and verdicts (§3.6 task
/// scores: the metric actually plotted, 4 dp; rule A in reference mode, the primary metric
/// with its direction and baseline in strict mode).
public enum SummaryView {
    /// The rows one head's score chart plots: scores bounded above by 1 (lower-is-better
    /// metrics go to ``errorRows(_:)``, on their own axis).
    public static func scoreRows(_ scores: [ReportedScore]) -> [BarChart.Row] {
        scores.filter(\.higherIsBetter).map { s in
            BarChart.Row(label: s.displayName, value: s.value, baseline: s.strongestBaseline?.value,
                         valueText: s.value.map { "\(fixed4($0)) \(s.metric)" } ?? "n/a (\(s.status))")
        }
    }

    /// The rows of lower-is-better metrics (MPJPE).
    public static func errorRows(_ scores: [ReportedScore]) -> [BarChart.Row] {
        scores.filter { !$0.higherIsBetter }.map { s in
            BarChart.Row(label: s.displayName, value: s.value, baseline: s.strongestBaseline?.value,
                         valueText: s.value.map { "\(fixed4($0)) \(s.metric)" } ?? "n/a (\(s.status))")
        }
    }

    /// The nice axis end for error rows: the smallest nice tick ≥ every value and baseline.
    public static func errorMaximum(_ rows: [BarChart.Row]) -> Double {
        let top = rows.flatMap { [$0.value, $0.baseline].compactMap { $0 } }.filter(\.isFinite).max() ?? 1
        return NiceTicks.ticks(lower: 0, upper: top > 0 ? top : 1, count: 5).last ?? 1
    }

    public static func section(_ run: SuiteRun) -> HTMLDocument.Section {
        var body = ""
        if run.isStrict {
            body += Fragment.paragraph("Strict protocol: each task's primary metric (mean over the seeds when there are several) with its direction, "
                + "beside the strongest trivial baseline. An interval is printed only beside the number it describes.")
        } else {
            body += Fragment.paragraph("Reference protocol, score rule A (§3.2): the first of macro_f1, f1, micro_f1, top5_accuracy, r2; "
                + "a null counts as 0 and negatives are clipped to 0. The metric plotted is named on every bar; the raw value is in the table.")
        }
        for head in run.heads {
            let scores = run.scores[head] ?? []
            let title = head == "minimal" ? "Minimal heads" : "Neural heads (MLP)"
            body += Fragment.heading(title)
            let rows = scoreRows(scores)
            if !rows.isEmpty {
                body += Fragment.figure(svg: BarChart(title: "\(title): \(run.isStrict ? "primary metric" : "rule-A score")", rows: rows).svg(),
                                        table: table(scores.filter(\.higherIsBetter), run: run, caption: "\(title): the plotted numbers"))
            }
            let errors = errorRows(scores)
            if !errors.isEmpty {
                let chart = BarChart(title: "\(title): error metrics (lower is better)", rows: errors, maximum: errorMaximum(errors))
                body += Fragment.figure(svg: chart.svg(), table: table(scores.filter { !$0.higherIsBetter }, run: run, caption: "\(title): error metrics"))
            }
        }
        if run.heads.isEmpty { body += Fragment.note("summary_report.json has neither tasks nor neural_tasks.") }
        return HTMLDocument.Section(id: "summary", title: "Task scores", body: body)
    }

    /// The table of one head's scores.
    public static func table(_ scores: [ReportedScore], run: SuiteRun, caption: String) -> Table {
        var header = ["task", "metric", "direction", "value"]
        if run.isStrict { header += ["per seed", "strongest baseline", "baseline value", "beats baseline", "interval", "interval describes"] } else { header += ["raw value"] }
        let rows: [[String]] = scores.map { s in
            var row = [s.displayName, s.metric, s.higherIsBetter ? "higher is better" : "lower is better"]
            if s.status != "ok" && s.value == nil {
                row.append("n/a (\(s.status)\(s.reason.map { ": " + $0 } ?? ""))")
            } else if let std = s.std, s.perSeed.count > 1 {
                row.append("\(fixed4(s.value)) ± \(fixed4(std)) (mean ± std, \(s.perSeed.count) seeds)")
            } else {
                row.append(fixed4(s.value))
            }
            if run.isStrict {
                row.append(zip(s.seeds, s.perSeed).map { "seed \($0.0): \(fixed4($0.1))" }.joined(separator: "; "))
                row.append(s.strongestBaseline?.name ?? "")
                row.append(s.strongestBaseline.map { fixed4($0.value) } ?? "")
                row.append(s.beatsBaseline.map { $0 ? "yes" : "no" } ?? "not decided")
                if let i = s.interval {
                    row.append(intervalText(i.low, i.high))
                    row.append(i.describes == "the value shown" ? "the value shown (\(i.method))" : "\(i.describes) \(fixed4(i.value)) (\(i.method))")
                } else {
                    row += ["", ""]
                }
            } else {
                row.append(s.rawValue.map { fixed4($0) } ?? "null")
            }
            return row
        }
        return Table(caption: caption, header: header, rows: rows)
    }
}
