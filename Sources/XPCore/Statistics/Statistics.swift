import Foundation

/// Small statistics with numpy and Python semantics, where parity with the reference's
/// numbers matters down to the last bit.
///
/// ```swift
/// Statistics.percentile([4, 1, 3, 2], 25)   // 1.75, as numpy.percentile
/// Statistics.median([4, 1, 3, 2])           // 2.5, as numpy.median
/// Statistics.mostCommon(["b", "a", "a", "b"]) // "b": tied, first seen
/// Statistics.roundHalfEven(2.5)             // 2.0, as Python's round
/// ```
public enum Statistics {
    /// `numpy.percentile(sorted, q)` with the default linear method, on values already sorted
    /// ascending: position `(n − 1)·(q/100)`, then numpy's `_lerp` between its neighbours
    /// (`a + (b − a)·t`, or `b − (b − a)·(1 − t)` when `t ≥ 0.5`), bit for bit.
    /// NaN for no values or a `q` outside `0...100`.
    public static func percentile(sorted: [Double], _ q: Double) -> Double {
        let n = sorted.count
        guard n > 0, q >= 0, q <= 100 else { return .nan }
        if n == 1 { return sorted[0] }
        let position = q / 100 * Double(n - 1)
        let lower = min(Int(position.rounded(.down)), n - 1)
        let upper = min(lower + 1, n - 1)
        let t = position - Double(lower)
        let a = sorted[lower], b = sorted[upper]
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }

    /// `numpy.percentile(values, q)` (linear); NaN for no values or `q` outside `0...100`.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        percentile(sorted: values.sorted(), q)
    }

    /// `numpy.median`: the middle value, or for an even count the mean of the two middle
    /// values computed as numpy does, `(a + b) / 2` (not the percentile interpolation, which
    /// can differ in the last bit). NaN for no values.
    public static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// The most common element, ties broken by first appearance (Python's
    /// `Counter(values).most_common(1)`); nil for no values.
    public static func mostCommon<S: Sequence>(_ values: S) -> S.Element? where S.Element: Hashable {
        mostCommonCounts(values).first?.element
    }

    /// Every distinct element with its count, as Python's `Counter(values).most_common()`
    /// orders them: count descending, ties by first appearance.
    public static func mostCommonCounts<S: Sequence>(_ values: S) -> [(element: S.Element, count: Int)] where S.Element: Hashable {
        var counts: [S.Element: Int] = [:]
        var order: [S.Element] = []
        for v in values {
            if counts[v] == nil { order.append(v) }
            counts[v, default: 0] += 1
        }
        // Swift's sort is not stable: order by (count descending, first appearance).
        return order.enumerated().sorted { a, b in
            let ca = counts[a.element] ?? 0, cb = counts[b.element] ?? 0
            return ca != cb ? ca > cb : a.offset < b.offset
        }.map { (element: $0.element, count: counts[$0.element] ?? 0) }
    }

    /// Python's `round(x)` and numpy's `round`: to the nearest integer, halves to even
    /// (`0.5 → 0`, `1.5 → 2`, `2.5 → 2`, `-0.5 → -0.0`).
    public static func roundHalfEven(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }

    /// Python's `round(x, digits)` for a float: the decimal with `digits` places nearest to the
    /// exact binary value of `x`, halves to even. `round(2.675, 2)` is 2.67 because 2.675 is
    /// stored as 2.67499999…; scaling by 100 first would not see that. Non-finite values and
    /// `digits` beyond 300 come back unchanged.
    public static func roundHalfEven(_ x: Double, digits: Int) -> Double {
        guard x.isFinite, (0...300).contains(digits) else { return x }
        // printf's %.Nf rounds the exact binary value (ties to even in the default mode), which
        // is what CPython's correctly rounded `round` computes.
        return Double(String(format: "%.*f", digits, x)) ?? x
    }
}
