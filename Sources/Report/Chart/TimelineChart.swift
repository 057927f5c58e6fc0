/// Lanes over a frame axis: each lane a row of segments (`rect.segment`, at least 2 px wide,
/// as in §3.4), true boundaries as `line.boundary` across every lane, predicted ones as
/// `line.predicted-boundary` in their own lane; optional energy lanes of small cells.
///
/// A segment from frame a to frame b is at `x = left + (a − f0) / (f1 − f0) · plotWidth`
/// with width `max(2, (b − a) / (f1 − f0) · plotWidth)`.
public struct TimelineChart: Sendable {
    /// A coloured span of frames with a label (shown on hover and in the table).
    public struct Segment: Sendable {
        public var start: Double, end: Double, label: String, color: String
        public init(start: Double, end: Double, label: String, color: String) {
            self.start = start
            self.end = end
            self.label = label
            self.color = color
        }
    }

    /// A lane: a name and its segments.
    public struct Lane: Sendable {
        public var name: String
        public var segments: [Segment]
        public init(name: String, segments: [Segment]) {
            self.name = name
            self.segments = segments
        }
    }

    /// Fixed layout (public so tests recompute positions).
    public enum Layout {
        public static let left = 190.0, right = 20.0, top = 50.0, laneHeight = 26.0, laneGap = 6.0, bottom = 40.0
    }

    public var title: String
    public var frames: (first: Double, last: Double)
    public var lanes: [Lane]
    public var trueBoundaries: [Double]
    public var predictedBoundaries: [Double]
    public var width: Double

    public init(title: String, frames: (Double, Double), lanes: [Lane], trueBoundaries: [Double] = [], predictedBoundaries: [Double] = [], width: Double = 1100) {
        self.title = title
        self.frames = (frames.0, frames.1)
        self.lanes = lanes
        self.trueBoundaries = trueBoundaries
        self.predictedBoundaries = predictedBoundaries
        self.width = width
    }

    public var plotWidth: Double { width - Layout.left - Layout.right }
    public var scale: LinearScale { LinearScale(domain: (frames.first, frames.last), range: (Layout.left, Layout.left + plotWidth)) }
    public var height: Double { Layout.top + (Layout.laneHeight + Layout.laneGap) * Double(lanes.count) + Layout.bottom }

    public func svg() -> String {
        var w = SVGWriter(width: width, height: height)
        w.text(title, x: 16, y: 24, cssClass: "title")
        let s = scale
        let bottomY = Layout.top + (Layout.laneHeight + Layout.laneGap) * Double(lanes.count)
        let ticks = NiceTicks.ticks(lower: frames.first, upper: frames.last, count: 8).filter { $0 >= frames.first && $0 <= frames.last }
        for t in ticks {
            w.line(x1: s.map(t), y1: Layout.top - 4, x2: s.map(t), y2: bottomY, stroke: "#eee", cssClass: "tick")
            w.text(NiceTicks.label(t, step: ticks.count > 1 ? ticks[1] - ticks[0] : 1), x: s.map(t), y: bottomY + 16, anchor: "middle", cssClass: "axis")
        }
        w.text("frame", x: Layout.left + plotWidth / 2, y: bottomY + 32, anchor: "middle", cssClass: "axis")
        for (i, lane) in lanes.enumerated() {
            let y = Layout.top + (Layout.laneHeight + Layout.laneGap) * Double(i)
            w.text(short(lane.name, 28), x: Layout.left - 8, y: y + Layout.laneHeight * 0.65, anchor: "end")
            for seg in lane.segments {
                let x = s.map(seg.start)
                let width = Swift.max(2, s.map(seg.end) - x)
                w.rect(x: x, y: y, width: width, height: Layout.laneHeight, fill: seg.color, cssClass: "segment",
                       title: "\(lane.name) \(Int(seg.start))–\(Int(seg.end)): \(seg.label)")
            }
        }
        for b in trueBoundaries {
            w.line(x1: s.map(b), y1: Layout.top - 4, x2: s.map(b), y2: bottomY, stroke: "#111", cssClass: "boundary", width: 1.5)
        }
        for b in predictedBoundaries {
            w.element("line", ["class": "predicted-boundary", "x1": svgNumber(s.map(b)), "y1": svgNumber(Layout.top - 4), "x2": svgNumber(s.map(b)),
                               "y2": svgNumber(bottomY), "stroke": "#d55e00", "stroke-width": "1.5", "stroke-dasharray": "4 3"])
        }
        return w.svg(label: title)
    }
}
