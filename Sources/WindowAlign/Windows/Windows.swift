/// How frames are cut into windows: `size` frames per window, a new window every `stride`
/// frames, and the share of labelled frames a label needs to become the window's label.
public struct WindowSpec: Sendable, Hashable, Codable {
    /// Frames per window (W).
    public var size: Int
    /// Frames between consecutive window starts (S).
    public var stride: Int
    /// Minimum fraction of the non-empty frame labels the majority label needs.
    public var minLabelFraction: Double

    public init(size: Int = 20, stride: Int = 5, minLabelFraction: Double = 0.6) {
        self.size = size
        self.stride = stride
        self.minLabelFraction = minLabelFraction
    }

    /// The reference suite's windows: 20 frames, stride 5, majority 0.6.
    public static let reference = WindowSpec(size: 20, stride: 5, minLabelFraction: 0.6)

    /// Throws unless size and stride are positive and the fraction lies in [0, 1].
    public func validate() throws(WindowAlignError) {
        guard size > 0 else { throw .invalidWindowSpec("size must be > 0, found \(size)") }
        guard stride > 0 else { throw .invalidWindowSpec("stride must be > 0, found \(stride)") }
        guard minLabelFraction >= 0, minLabelFraction <= 1 else {
            throw .invalidWindowSpec("minLabelFraction must lie in [0, 1], found \(minLabelFraction)")
        }
    }

    /// Number of windows over `frameCount` frames: ⌊(N − W)/S⌋ + 1, or 0 when N < W.
    public func windowCount(frameCount: Int) -> Int {
        guard size > 0, stride > 0, frameCount >= size else { return 0 }
        return (frameCount - size) / stride + 1
    }
}

/// One window of consecutive frames, with its majority labels.
public struct Window: Sendable, Hashable, Codable {
    /// Position in the window list, from 0.
    public var index: Int
    /// First frame.
    public var start: Int
    /// Last frame, inclusive (start + W − 1).
    public var end: Int
    /// ⌊(start + end)/2⌋.
    public var center: Int
    /// Majority action label, or "" when no label reaches the threshold.
    public var action: String
    /// Share of the non-empty action labels that equal the winner (0 when all are empty).
    public var actionFraction: Double
    /// Majority subtask (caption theme) label, or "".
    public var subtask: String
    /// Share of the non-empty subtask labels that equal the winner.
    public var subtaskFraction: Double

    public init(index: Int, start: Int, end: Int, center: Int? = nil,
                action: String = "", actionFraction: Double = 0,
                subtask: String = "", subtaskFraction: Double = 0) {
        self.index = index
        self.start = start
        self.end = end
        // Floor division also for negative sums, like Python's //.
        let sum = start + end
        self.center = center ?? (sum >= 0 ? sum / 2 : -((-sum + 1) / 2))
        self.action = action
        self.actionFraction = actionFraction
        self.subtask = subtask
        self.subtaskFraction = subtaskFraction
    }

    /// The frames as a half-open range [start, end + 1).
    public var frames: Range<Int> { start..<(end + 1) }
}

/// The windows over `frameCount` frames: starts 0, S, 2S, …, up to N − W (Python
/// `range(0, N − W + 1, S)`), labels left empty. Frames after the last full window are unused.
public func buildWindows(frameCount: Int, spec: WindowSpec) throws(WindowAlignError) -> [Window] {
    try spec.validate()
    guard frameCount >= 0 else {
        throw .invalidArgument(what: "frameCount", detail: "must be >= 0, found \(frameCount)")
    }
    let count = spec.windowCount(frameCount: frameCount)
    var windows: [Window] = []
    windows.reserveCapacity(count)
    for i in 0..<count {
        let s = i * spec.stride
        windows.append(Window(index: i, start: s, end: s + spec.size - 1))
    }
    return windows
}

/// The windows over the frames of `actionLabels` (one normalised label per frame, see
/// `normalizedFrameLabel`), each with its majority action and subtask per `majorityLabel`.
public func buildLabelledWindows(
    actionLabels: [String], subtaskLabels: [String], spec: WindowSpec
) throws(WindowAlignError) -> [Window] {
    guard actionLabels.count == subtaskLabels.count else {
        throw .shapeMismatch(what: "subtask labels (one per frame, like the action labels)",
                             expected: actionLabels.count, found: subtaskLabels.count)
    }
    var windows = try buildWindows(frameCount: actionLabels.count, spec: spec)
    for i in windows.indices {
        let range = windows[i].frames
        let action = majorityLabel(actionLabels[range], minFraction: spec.minLabelFraction)
        let subtask = majorityLabel(subtaskLabels[range], minFraction: spec.minLabelFraction)
        windows[i].action = action.label
        windows[i].actionFraction = action.fraction
        windows[i].subtask = subtask.label
        windows[i].subtaskFraction = subtask.fraction
    }
    return windows
}

/// The outcome of a majority vote: the label ("" when none qualifies) and its share.
public struct LabelVote: Sendable, Hashable {
    public var label: String
    public var fraction: Double
    public init(label: String, fraction: Double) {
        self.label = label
        self.fraction = fraction
    }
}

/// The reference majority rule: drop empty labels; if none remain the result is ("", 0);
/// otherwise take the most common label, ties going to the label seen first in `labels`,
/// with fraction = count / number of non-empty labels. Below `minFraction` the label is ""
/// but the fraction is still reported. Empty frames do not count against the fraction.
public func majorityLabel<C: Collection>(_ labels: C, minFraction: Double) -> LabelVote
where C.Element == String {
    // Insertion-ordered counts, so ties resolve like Python's Counter.most_common.
    var order: [String] = []
    var counts: [String: Int] = [:]
    var total = 0
    for label in labels where !label.isEmpty {
        total += 1
        if let c = counts[label] {
            counts[label] = c + 1
        } else {
            counts[label] = 1
            order.append(label)
        }
    }
    guard total > 0 else { return LabelVote(label: "", fraction: 0) }
    var best = order[0]
    var bestCount = counts[best] ?? 0
    for label in order.dropFirst() {
        let c = counts[label] ?? 0
        if c > bestCount {  // strictly greater: earlier labels keep ties
            best = label
            bestCount = c
        }
    }
    let fraction = Double(bestCount) / Double(total)
    return LabelVote(label: fraction < minFraction ? "" : best, fraction: fraction)
}

/// The per-frame label rule of the reference (`frame_label`): strip surrounding whitespace;
/// a missing value or "N/A" (any case) becomes "".
public func normalizedFrameLabel(_ raw: String?) -> String {
    guard let raw else { return "" }
    let trimmed = raw.trimmingPythonWhitespace()
    return trimmed.lowercased() == "n/a" ? "" : trimmed
}

extension String {
    /// Python's `str.strip()` with no argument: removes Unicode whitespace at both ends.
    public func trimmingPythonWhitespace() -> String {
        let scalars = unicodeScalars
        var lo = scalars.startIndex
        var hi = scalars.endIndex
        while lo < hi, scalars[lo].properties.isWhitespace || Self.isPythonExtraSpace(scalars[lo]) {
            lo = scalars.index(after: lo)
        }
        while hi > lo {
            let prev = scalars.index(before: hi)
            if scalars[prev].properties.isWhitespace || Self.isPythonExtraSpace(scalars[prev]) {
                hi = prev
            } else { break }
        }
        return String(scalars[lo..<hi])
    }

    /// Python also strips the information separators U+001C…U+001F.
    private static func isPythonExtraSpace(_ s: Unicode.Scalar) -> Bool {
        (0x1C...0x1F).contains(s.value)
    }
}
