import Foundation

/// The timeline of one episode (§3.5's explorer content, §3.4's overlay): true action and
/// subtask segments, each task's predicted labels over the test windows (green correct, red
/// wrong), true and predicted boundaries, and per-block feature energy over time.
public enum TimelineView {
    /// The per-task lanes read from the minimal head's `predictions.csv`.
    public static let laneTasks = ["timeline_action", "timeline_subtask", "transition_detection", "next_action", "contact_prediction"]

    /// Runs of equal labels over windows: frames from the first window's start to the last
    /// window's end (the explorer's rule, so segments overlap by window − stride).
    public static func segments(_ windows: CSVTable, column: String) -> [TimelineChart.Segment] {
        var out: [TimelineChart.Segment] = []
        var labels: [String] = []
        for row in windows.rows {
            let label = windows.value(row, column)
            guard let s = windows.number(row, "start_frame"), let e = windows.number(row, "end_frame") else { continue }
            if let last = out.last, last.label == label {
                out[out.count - 1].end = e
            } else {
                if !labels.contains(label) { labels.append(label) }
                let color = label.isEmpty ? "#dddddd" : Palette.color(labels.firstIndex(of: label) ?? 0)
                out.append(TimelineChart.Segment(start: s, end: e, label: label.isEmpty ? "(no label)" : label, color: color))
            }
        }
        return out
    }

    /// One prediction lane: a segment per prediction row, coloured by `correct`.
    public static func predictionLane(_ p: CSVTable, name: String) -> (lane: TimelineChart.Lane, correct: Int, total: Int) {
        var segments: [TimelineChart.Segment] = []
        var correct = 0
        let firstEpisode = p.has("episode") ? p.rows.first.map { p.value($0, "episode") } : nil
        for row in p.rows {
            if let firstEpisode, p.value(row, "episode") != firstEpisode { continue }
            guard let s = p.number(row, "start_frame"), let e = p.number(row, "end_frame") else { continue }
            let ok = p.value(row, "correct") == "1" || p.value(row, "correct").lowercased() == "true"
            if ok { correct += 1 }
            segments.append(TimelineChart.Segment(start: s, end: e, label: "true \(p.value(row, "true_label")), predicted \(p.value(row, "predicted_label"))",
                                                  color: ok ? Palette.correct : Palette.wrong))
        }
        return (TimelineChart.Lane(name: name, segments: segments), correct, segments.count)
    }

    /// Predicted boundaries: centre frames of transition rows predicted positive.
    public static func predictedBoundaries(_ p: CSVTable) -> [Double] {
        let positive: Set<String> = ["1", "true", "transition", "boundary", "yes"]
        return p.rows.compactMap { row in
            positive.contains(p.value(row, "predicted_label").lowercased()) ? (p.number(row, "center_frame") ?? p.number(row, "start_frame")) : nil
        }
    }

    public static func section(_ run: SuiteRun, energy: FeatureEnergy?) -> HTMLDocument.Section? {
        let windows = (try? CSVTable.read(run.root.appendingPathComponent("windows.csv"))) ?? nil
        var lanes: [TimelineChart.Lane] = []
        var countRows: [[String]] = []
        var first = Double.infinity, last = -Double.infinity
        if let w = windows {
            for (column, name) in [("action_label", "true action"), ("subtask_label", "true subtask")] where w.has(column) {
                let segs = segments(w, column: column)
                lanes.append(TimelineChart.Lane(name: name, segments: segs))
            }
            for row in w.rows {
                if let s = w.number(row, "start_frame") { first = min(first, s) }
                if let e = w.number(row, "end_frame") { last = max(last, e) }
            }
        }
        var predicted: [Double] = []
        for task in laneTasks {
            guard let p = (try? CSVTable.read(run.folder(head: "minimal", task: task).appendingPathComponent("predictions.csv"))) ?? nil,
                  p.has("start_frame"), p.has("predicted_label") else { continue }
            let lane = predictionLane(p, name: "predicted: \(SuiteTasks.name(task))")
            lanes.append(lane.lane)
            countRows.append([SuiteTasks.name(task), String(lane.correct), String(lane.total),
                              lane.total > 0 ? fixed4(Double(lane.correct) / Double(lane.total)) : "n/a"])
            for s in lane.lane.segments { first = min(first, s.start); last = max(last, s.end) }
            if task == "transition_detection" { predicted = predictedBoundaries(p) }
        }
        let boundaries = ((try? CSVTable.read(run.folder(head: "minimal", task: "transition_detection").appendingPathComponent("true_boundaries.csv"))) ?? nil)
            .map { t in t.rows.compactMap { t.number($0, "frame") } } ?? []
        if let energy, let w = windows, energy.windows == w.rows.count {
            // At most 240 cells a lane: neighbouring windows averaged, so a long episode stays small.
            let step = max(1, Int((Double(energy.windows) / 240).rounded(.up)))
            for (b, name) in energy.blocks.enumerated() {
                var segs: [TimelineChart.Segment] = []
                var i = 0
                while i < energy.windows {
                    let j = min(energy.windows, i + step)
                    let mean = energy.relative[b][i..<j].reduce(0, +) / Double(j - i)
                    let s = w.number(w.rows[i], "start_frame") ?? 0, e = w.number(w.rows[j - 1], "end_frame") ?? s
                    segs.append(TimelineChart.Segment(start: s, end: e, label: "energy \(String(format: "%.3f", mean))", color: Palette.heat(mean)))
                    i = j
                }
                lanes.append(TimelineChart.Lane(name: "energy: \(name)", segments: segs))
            }
        }
        guard !lanes.isEmpty, first.isFinite, last.isFinite else { return nil }
        let chart = TimelineChart(title: "Episode timeline (frames \(Int(first))–\(Int(last)))", frames: (first, last), lanes: lanes,
                                  trueBoundaries: boundaries, predictedBoundaries: predicted)
        var body = Fragment.paragraph("Lanes: true segments (one colour per label), each task's test-window predictions (green correct, red wrong), "
            + "true boundaries (solid black), predicted boundaries (dashed orange)"
            + (energy == nil ? "." : ", and per-block feature energy (L2 norm relative to the block's maximum, white 0 to blue 1)."))
        body += "<div class=\"plot\">\n\(chart.svg())</div>\n"
        body += Table(caption: "Predictions per lane (correct / total)", header: ["task", "correct", "total", "fraction"], rows: countRows).html()
        body += Table(caption: "Boundaries", header: ["kind", "count", "frames"],
                      rows: [["true", String(boundaries.count), boundaries.map { String(Int($0)) }.joined(separator: " ")],
                             ["predicted", String(predicted.count), predicted.map { String(Int($0)) }.joined(separator: " ")]]).html()
        if let w = windows {
            let segs = segments(w, column: "action_label")
            body += Table(caption: "True action segments", header: ["action", "start frame", "end frame"],
                          rows: segs.map { [$0.label, String(Int($0.start)), String(Int($0.end))] }).html()
        }
        if energy == nil { body += Fragment.note("Feature energy: no features given (xp-report --features DIR, the xp-features output folder).") }
        return HTMLDocument.Section(id: "timeline", title: "Episode timeline", body: body)
    }
}
