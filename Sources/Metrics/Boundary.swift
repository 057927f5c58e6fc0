// Boundary detection: tolerance matching of predicted to true boundary frames
// (`boundary_f1` in the reference suite) and the peak picking that the strict protocol puts
// in front of it, so that a run of positive windows yields one boundary, not many.

/// Boundary precision/recall/F1 under a frame tolerance. JSON keys follow the reference
/// `metrics.json` of the transition-detection task.
public struct BoundaryMetrics: Codable, Equatable, Sendable {
    /// matched / predicted, 0 when nothing was predicted.
    public var boundaryPrecision: Double
    /// matched / true, 0 when there are no true boundaries.
    public var boundaryRecall: Double
    /// 2PR/(P+R), 0 when P + R = 0.
    public var boundaryF1: Double
    public var matchedBoundaries: Int
    public var trueBoundaries: Int
    public var predictedBoundaries: Int
    /// Mean |predicted − true| over the matched pairs, in frames; null when nothing matched.
    public var meanAbsTimingErrorFrames: Double?

    enum CodingKeys: String, CodingKey {
        case boundaryPrecision = "boundary_precision"
        case boundaryRecall = "boundary_recall"
        case boundaryF1 = "boundary_f1"
        case matchedBoundaries = "matched_boundaries"
        case trueBoundaries = "true_boundaries"
        case predictedBoundaries = "predicted_boundaries"
        case meanAbsTimingErrorFrames = "mean_abs_timing_error_frames"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(boundaryPrecision, forKey: .boundaryPrecision)
        try c.encode(boundaryRecall, forKey: .boundaryRecall)
        try c.encode(boundaryF1, forKey: .boundaryF1)
        try c.encode(matchedBoundaries, forKey: .matchedBoundaries)
        try c.encode(trueBoundaries, forKey: .trueBoundaries)
        try c.encode(predictedBoundaries, forKey: .predictedBoundaries)
        // The reference writes null, not a missing key, when nothing matched.
        try c.encode(meanAbsTimingErrorFrames, forKey: .meanAbsTimingErrorFrames)
    }
}

/// Greedy tolerance matching of predicted boundary frames to true boundary frames.
///
/// Predicted frames are visited in the order given (test order). Each is matched to the
/// unused true boundary with the smallest |Δ| ≤ `toleranceFrames`; among equally distant
/// ones the one earlier in `truth` wins. A true boundary is used at most once.
///
/// - Parameters:
///   - predicted: predicted boundary frames, in test order; duplicates allowed.
///   - truth: true boundary frames.
///   - toleranceFrames: largest |predicted − true| that still counts as a match (default 10).
/// - Throws: `MetricsError.invalidParameter` for a negative tolerance.
public func boundaryF1(predicted: [Int], truth: [Int], toleranceFrames: Int = 10) throws(MetricsError) -> BoundaryMetrics {
    guard toleranceFrames >= 0 else {
        throw .invalidParameter(name: "toleranceFrames", expected: "≥ 0", found: "\(toleranceFrames)")
    }
    var used = [Bool](repeating: false, count: truth.count)
    var matched = 0
    var errorSum = 0
    for p in predicted {
        var best: (distance: Int, index: Int)?
        for (j, t) in truth.enumerated() where !used[j] {
            let d = abs(p - t)
            guard d <= toleranceFrames else { continue }
            // Strictly smaller distance only: the earlier index keeps a tie.
            if let b = best, d >= b.distance { continue }
            best = (d, j)
        }
        if let best {
            used[best.index] = true
            matched += 1
            errorSum += best.distance
        }
    }
    let precision = ratioOrZero(matched, predicted.count)
    let recall = ratioOrZero(matched, truth.count)
    return BoundaryMetrics(
        boundaryPrecision: precision, boundaryRecall: recall,
        boundaryF1: harmonicF1(precision, recall),
        matchedBoundaries: matched, trueBoundaries: truth.count,
        predictedBoundaries: predicted.count,
        meanAbsTimingErrorFrames: matched > 0 ? Double(errorSum) / Double(matched) : nil)
}

/// The true boundaries that a test range can be scored against: those within
/// `[min(centres), max(centres)]`, as the reference restricts the 17 episode boundaries to
/// the 4 inside the test windows' centres. Empty when `centres` is empty.
public func boundaries(_ all: [Int], withinCentres centres: [Int]) -> [Int] {
    guard let lo = centres.min(), let hi = centres.max() else { return [] }
    return all.filter { $0 >= lo && $0 <= hi }
}

/// One boundary proposed by `pickBoundaryPeaks`.
public struct BoundaryPeak: Codable, Equatable, Sendable {
    /// Frame of the peak (a window centre).
    public var frame: Int
    /// Score of the window the peak came from (1 when only labels were given).
    public var score: Double
}

/// Turns per-window boundary decisions into boundary frames: merge runs, then suppress
/// neighbours (the strict protocol's peak picking).
///
/// 1. A window is positive when `positive[i]` is true.
/// 2. Consecutive positive windows (adjacent in the given order) form a run. Each run
///    proposes one peak: the window with the highest score (the first on a tie); without
///    scores, the middle window of the run (the earlier of the two middles for an even run).
/// 3. Non-maximum suppression: peaks are visited by descending score (earlier frame first on
///    a tie) and a peak is kept unless it lies strictly closer than `minSeparationFrames`
///    to an already kept peak. The default separation, twice the matching tolerance,
///    keeps at most one peak per tolerance window on each side.
///
/// - Parameters:
///   - centres: window centre frames, strictly increasing.
///   - positive: per-window decision (for example predicted label == "transition", or
///     probability ≥ 0.5).
///   - scores: optional per-window scores; higher means more boundary-like.
///   - minSeparationFrames: suppression distance (default 20 = 2 × the 10-frame tolerance).
/// - Returns: the kept peaks in frame order.
/// - Throws: `MetricsError` for mismatched lengths, unsorted centres, non-finite scores or
///   a negative separation.
public func pickBoundaryPeaks(
    centres: [Int], positive: [Bool], scores: [Double]? = nil, minSeparationFrames: Int = 20
) throws(MetricsError) -> [BoundaryPeak] {
    try requireSameLength("positive flags", expected: centres.count, found: positive.count)
    if let scores {
        try requireSameLength("scores", expected: centres.count, found: scores.count)
        try requireFinite("scores", scores)
    }
    guard minSeparationFrames >= 0 else {
        throw .invalidParameter(name: "minSeparationFrames", expected: "≥ 0", found: "\(minSeparationFrames)")
    }
    for i in centres.indices.dropFirst() where centres[i] <= centres[i - 1] {
        throw .invalidParameter(name: "centres", expected: "strictly increasing frames",
                                found: "\(centres[i - 1]) then \(centres[i]) at index \(i)")
    }

    var candidates: [BoundaryPeak] = []
    var i = 0
    while i < centres.count {
        guard positive[i] else { i += 1; continue }
        var j = i
        while j + 1 < centres.count && positive[j + 1] { j += 1 }
        if let scores {
            var best = i
            for k in i...j where scores[k] > scores[best] { best = k }
            candidates.append(BoundaryPeak(frame: centres[best], score: scores[best]))
        } else {
            candidates.append(BoundaryPeak(frame: centres[i + (j - i) / 2], score: 1))
        }
        i = j + 1
    }

    // Candidates are in frame order already, so a stable sort by score keeps earlier frames
    // first among equal scores.
    let byScore = candidates.enumerated().sorted {
        $0.element.score != $1.element.score ? $0.element.score > $1.element.score : $0.offset < $1.offset
    }.map(\.element)
    var kept: [BoundaryPeak] = []
    for c in byScore where !kept.contains(where: { abs($0.frame - c.frame) < minSeparationFrames }) {
        kept.append(c)
    }
    return kept.sorted { $0.frame < $1.frame }
}

/// Convenience: peak picking from per-window probabilities thresholded at `threshold`.
public func pickBoundaryPeaks(
    centres: [Int], probabilities: [Double], threshold: Double = 0.5, minSeparationFrames: Int = 20
) throws(MetricsError) -> [BoundaryPeak] {
    try requireSameLength("probabilities", expected: centres.count, found: probabilities.count)
    try requireFinite("probabilities", probabilities)
    return try pickBoundaryPeaks(
        centres: centres, positive: probabilities.map { $0 >= threshold },
        scores: probabilities, minSeparationFrames: minSeparationFrames)
}
