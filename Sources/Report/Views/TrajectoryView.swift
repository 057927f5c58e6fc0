import Foundation

/// Forecast trajectories: for the first few test windows of `hand_trajectory_forecast`,
/// the true and predicted left- and right-wrist x over the forecast frames (a row of
/// `predictions.npz` is k frames × 42 joints × 3; joint 0 is the left wrist, 21 the right).
public enum TrajectoryView {
    /// Windows drawn.
    public static let windowCount = 3

    /// The wrist series of one row: (name, true points, predicted points) per wrist, over
    /// frame offsets 1…k, coordinate `axis` (0 x, 1 y, 2 z).
    public static func wristSeries(truth: ArraySlice<Double>, predicted: ArraySlice<Double>, axis: Int = 0) -> [LineChart.Series] {
        let perFrame = 126
        let frames = truth.count / perFrame
        var out: [LineChart.Series] = []
        for (name, joint) in [("left wrist", 0), ("right wrist", 21)] {
            let t = (0..<frames).map { f in (x: Double(f + 1), y: truth[truth.startIndex + f * perFrame + joint * 3 + axis]) }
            let p = (0..<frames).map { f in (x: Double(f + 1), y: predicted[predicted.startIndex + f * perFrame + joint * 3 + axis]) }
            out.append(LineChart.Series(name: "\(name) true", points: t))
            out.append(LineChart.Series(name: "\(name) predicted", points: p, dashed: true))
        }
        return out
    }

    public static func section(_ run: SuiteRun) -> HTMLDocument.Section? {
        var body = ""
        for head in run.heads {
            let url = run.folder(head: head, task: "hand_trajectory_forecast").appendingPathComponent("predictions.npz")
            let archive: StoredNPZ?
            do { archive = try StoredNPZ.read(url) } catch {
                body += Fragment.note("\(error)")
                continue
            }
            guard let archive, let t = archive.arrays["y_true"], let p = archive.arrays["y_pred"], t.shape.count == 2, t.shape == p.shape,
                  t.shape[1] >= 126, t.shape[1] % 126 == 0 else { continue }
            let cols = t.shape[1]
            let windows = archive.arrays["test_window_indices"]?.values ?? []
            for r in 0..<min(windowCount, t.shape[0]) {
                let ts = t.values[(r * cols)..<((r + 1) * cols)], ps = p.values[(r * cols)..<((r + 1) * cols)]
                let series = wristSeries(truth: ts, predicted: ps)
                let window = r < windows.count ? "window \(Int(windows[r]))" : "test row \(r)"
                let chart = LineChart(title: "\(head): \(window), wrist x (relative to the body root)", xLabel: "frames ahead", yLabel: "x", series: series,
                                      width: 640, height: 320)
                let rows = (0..<(series.first?.points.count ?? 0)).map { i in
                    [String(i + 1)] + series.map { fixed4($0.points[i].y) }
                }
                body += Fragment.figure(svg: chart.svg(), table: Table(caption: "\(head), \(window)", header: ["frame"] + series.map(\.name), rows: rows))
            }
        }
        guard !body.isEmpty else { return nil }
        return HTMLDocument.Section(id: "trajectories", title: "Forecast trajectories", body: body)
    }
}
