import Foundation
import Metrics

/// |a − b| ≤ tol.
func close(_ a: Double?, _ b: Double, _ tol: Double = 1e-12) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tol
}

/// The JSON object an `Encodable` value encodes to, for checking key names and nulls.
func jsonObject<T: Encodable>(_ value: T) throws -> [String: Any] {
    let data = try JSONEncoder().encode(value)
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

/// Labels that realise a 2×2 confusion matrix: `counts[t][p]` items of truth t predicted p.
func labels(fromConfusion counts: [[Int]]) -> (truth: [Int], predicted: [Int]) {
    var truth: [Int] = [], predicted: [Int] = []
    for t in counts.indices {
        for p in counts[t].indices {
            truth += Array(repeating: t, count: counts[t][p])
            predicted += Array(repeating: p, count: counts[t][p])
        }
    }
    return (truth, predicted)
}
