import Foundation

// Helpers the suite shares with other layers, kept here unchanged until they move to XPCore
// (most common with first-seen ties, RFC 4180 minimal quoting).

/// The most common value, ties to the first seen (Python `Counter.most_common`).
func mostCommon(_ values: [Int]) -> Int? {
    var counts: [Int: Int] = [:], order: [Int] = []
    for v in values { if counts[v] == nil { order.append(v) }; counts[v, default: 0] += 1 }
    var best: Int? = nil, bestCount = 0
    for v in order where (counts[v] ?? 0) > bestCount { best = v; bestCount = counts[v] ?? 0 }
    return best
}

/// A CSV field, quoted when it holds a comma, quote or newline (Python `csv` minimal quoting).
func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
