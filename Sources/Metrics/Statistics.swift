// Small numerical and ordering functions with numpy / Python semantics, shared by the
// metric files and useful to callers that summarise metrics (mean ± std over seeds).

import XPCore

/// The `q`-th percentile (`0...100`) of `values` with linear interpolation between the two
/// nearest order statistics, as `numpy.percentile(values, q)` (method "linear") computes it,
/// bit for bit (XPCore's `Statistics.percentile`), after checking the input.
///
/// - Throws: `MetricsError.empty` for no values, `.nonFinite` for NaN or infinity, and
///   `.invalidParameter` when `q` is outside `0...100`.
public func percentile(_ values: [Double], _ q: Double) throws(MetricsError) -> Double {
    try requireNonEmpty("percentile values", count: values.count)
    try requireFinite("percentile values", values)
    guard q.isFinite, q >= 0, q <= 100 else {
        throw .invalidParameter(name: "q", expected: "a percentile in 0...100", found: "\(q)")
    }
    return Statistics.percentile(values, q)
}

/// The median with numpy semantics (XPCore's `Statistics.median`): the middle value, or the
/// mean of the two middle values for an even count.
///
/// - Throws: `MetricsError.empty` for no values, `.nonFinite` for NaN or infinity.
public func median(_ values: [Double]) throws(MetricsError) -> Double {
    try requireNonEmpty("median values", count: values.count)
    try requireFinite("median values", values)
    return Statistics.median(values)
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
