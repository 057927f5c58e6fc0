/// Lines on linear x and y axes with nice ticks and a legend: the alignment-shift curves and
/// the forecast trajectories. Each series is a `polyline.series` plus a `circle.point` per point.
public struct LineChart: Sendable {
    /// One line.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var dashed: Bool
        public init(name: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
            self.name = name
            self.points = points
            self.dashed = dashed
        }
    }

    /// Plot margins (public so tests recompute positions).
    public enum Layout {
        public static let left = 70.0, right = 30.0, top = 60.0, bottom = 50.0
    }

    public var title: String, xLabel: String, yLabel: String
    public var series: [Series]
    public var width: Double, height: Double
    /// Fixed y domain (nil: the nice ticks' span of the data).
    public var yDomain: (Double, Double)?

    public init(title: String, xLabel: String, yLabel: String, series: [Series], width: Double = 760, height: Double = 380, yDomain: (Double, Double)? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.width = width
        self.height = height
        self.yDomain = yDomain
    }

    private var allPoints: [(x: Double, y: Double)] { series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite } }

    /// The x ticks (nice numbers over the data's x span).
    public var xTicks: [Double] {
        let xs = allPoints.map(\.x)
        return NiceTicks.ticks(lower: xs.min() ?? 0, upper: xs.max() ?? 1, count: 6)
    }

    /// The y ticks (over `yDomain` or the data's y span).
    public var yTicks: [Double] {
        if let yDomain { return NiceTicks.ticks(lower: yDomain.0, upper: yDomain.1, count: 5) }
        let ys = allPoints.map(\.y)
        return NiceTicks.ticks(lower: ys.min() ?? 0, upper: ys.max() ?? 1, count: 5)
    }

    /// The x scale: first to last x tick onto the plot's width.
    public var xScale: LinearScale {
        let t = xTicks
        return LinearScale(domain: (t.first ?? 0, t.last ?? 1), range: (Layout.left, width - Layout.right))
    }

    /// The y scale: first to last y tick onto the plot's height (upwards).
    public var yScale: LinearScale {
        let t = yTicks
        return LinearScale(domain: (t.first ?? 0, t.last ?? 1), range: (height - Layout.bottom, Layout.top))
    }

    public func svg() -> String {
        var w = SVGWriter(width: width, height: height)
        w.text(title, x: 16, y: 24, cssClass: "title")
        let xs = xScale, ys = yScale
        let xt = xTicks, yt = yTicks
        let xStep = xt.count > 1 ? xt[1] - xt[0] : 1, yStep = yt.count > 1 ? yt[1] - yt[0] : 1
        for t in xt {
            let x = xs.map(t)
            w.line(x1: x, y1: Layout.top, x2: x, y2: height - Layout.bottom, stroke: "#e5e5e5", cssClass: "tick")
            w.text(NiceTicks.label(t, step: xStep), x: x, y: height - Layout.bottom + 18, anchor: "middle", cssClass: "axis")
        }
        for t in yt {
            let y = ys.map(t)
            w.line(x1: Layout.left, y1: y, x2: width - Layout.right, y2: y, stroke: "#e5e5e5", cssClass: "tick")
            w.text(NiceTicks.label(t, step: yStep), x: Layout.left - 6, y: y + 4, anchor: "end", cssClass: "axis")
        }
        w.text(xLabel, x: (Layout.left + width - Layout.right) / 2, y: height - 10, anchor: "middle", cssClass: "axis")
        w.element("text", ["class": "axis", "x": "0", "y": "0", "text-anchor": "middle",
                           "transform": "translate(16,\(svgNumber((Layout.top + height - Layout.bottom) / 2))) rotate(-90)"], text: yLabel)
        for (i, s) in series.enumerated() {
            let color = Palette.color(i)
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (xs.map($0.x), ys.map($0.y)) }
            if s.dashed {
                let text = pts.map { "\(svgNumber($0.0)),\(svgNumber($0.1))" }.joined(separator: " ")
                w.element("polyline", ["class": "series", "points": text, "fill": "none", "stroke": color, "stroke-width": "2", "stroke-dasharray": "6 4"])
            } else {
                w.polyline(pts, stroke: color, cssClass: "series")
            }
            for p in pts { w.circle(cx: p.0, cy: p.1, r: 3, fill: color, cssClass: "point") }
        }
        Legend.draw(&w, entries: series.enumerated().map { ($0.element.name, Palette.color($0.offset)) }, x: Layout.left, y: 46,
                    spacing: series.count > 4 ? max(90, (width - Layout.left) / Double(series.count)) : 170)
        return w.svg(label: title)
    }
}
