// Small numerical and ordering functions with numpy / Python semantics, shared by the
// metric files and useful to callers that summarise metrics (mean ± std over seeds).

/// The `q`-th percentile (`0...100`) of `values` with linear interpolation between the two
/// nearest order statistics, as `numpy.percentile(values, q)` (method "linear") computes it:
/// position `(n − 1)·q/100` in the sorted values.
///
/// - Throws: `MetricsError.empty` for no values, `.nonFinite` for NaN or infinity, and
///   `.invalidParameter` when `q` is outside `0...100`.
public func percentile(_ values: [Double], _ q: Double) throws(MetricsError) -> Double {
    try requireNonEmpty("percentile values", count: values.count)
    try requireFinite("percentile values", values)
    guard q.isFinite, q >= 0, q <= 100 else {
        throw .invalidParameter(name: "q", expected: "a percentile in 0...100", found: "\(q)")
    }
    return sortedPercentile(values.sorted(), q)
}

/// Linear-interpolated percentile of already sorted, non-empty, finite values.
func sortedPercentile(_ sorted: [Double], _ q: Double) -> Double {
    let position = Double(sorted.count - 1) * q / 100
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    // numpy evaluates `a + (b − a)·t`; the same form keeps exact endpoints when a == b.
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}

/// The median with numpy semantics: the mean of the two middle values for an even count.
public func median(_ values: [Double]) throws(MetricsError) -> Double {
    try percentile(values, 50)
}

/// Mean and population standard deviation (numpy `std`, ddof = 0) of a set of values,
/// typically one metric over several seeds.
public struct MeanStd: Codable, Equatable, Sendable {
    /// Arithmetic mean.
    public var mean: Double
    /// Population standard deviation (divides by n, not n − 1).
    public var std: Double
    /// Number of values summarised.
    public var n: Int

    /// Summarises `values` with a Float64 two-pass mean and variance.
    ///
    /// - Throws: `MetricsError.empty` or `.nonFinite`.
    public init(_ values: [Double]) throws(MetricsError) {
        try requireNonEmpty("values to summarise", count: values.count)
        try requireFinite("values to summarise", values)
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        // Two passes: the shifted sum of squares avoids the cancellation of E[x²] − E[x]².
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        self.mean = mean
        self.std = variance.squareRoot()
        self.n = values.count
    }
}

/// Python's `sorted()` order for strings: lexicographic by Unicode code point. Swift's `<`
/// on `String` compares canonical equivalents and can differ, so it is not used for names
/// that end up in reports next to the reference's.
public func codePointLess(_ a: String, _ b: String) -> Bool {
    // UTF-8 byte order equals code-point order.
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

/// Class ids in order of first appearance, as the reference's `encode_labels` assigns them.
public struct LabelEncoding: Equatable, Sendable {
    /// Class names; the id of a class is its index here.
    public var classNames: [String]
    /// The id of each input label, in input order.
    public var ids: [Int]

    /// Encodes `labels`, numbering classes in order of first appearance.
    public init(_ labels: [String]) {
        var index: [String: Int] = [:]
        var names: [String] = []
        var ids: [Int] = []
        ids.reserveCapacity(labels.count)
        for label in labels {
            if let id = index[label] {
                ids.append(id)
            } else {
                index[label] = names.count
                ids.append(names.count)
                names.append(label)
            }
        }
        self.classNames = names
        self.ids = ids
    }
}

/// The most common element, ties broken by first appearance (`Counter.most_common(1)`).
/// Returns nil for an empty sequence.
func mostCommon<T: Hashable>(_ values: [T]) -> T? {
    var counts: [T: Int] = [:]
    var order: [T] = []
    for v in values {
        if counts[v] == nil { order.append(v) }
        counts[v, default: 0] += 1
    }
    var best: T?
    var bestCount = 0
    // Visiting in first-appearance order and replacing only on a strictly larger count keeps
    // the earliest of the tied elements.
    for v in order {
        let c = counts[v] ?? 0
        if c > bestCount { best = v; bestCount = c }
    }
    return best
}
