// Retrieval by cosine similarity (`retrieval_metrics` in the reference suite), with
// tolerance-aware positives for the strict protocol and closed-form chance levels.

import XPCore

/// How a query scores a candidate; higher is better.
public enum RetrievalSimilarity: String, Codable, Sendable, CaseIterable {
    /// Cosine of the L2-normalised rows (norm floored at 1e-8). The reference suite.
    case cosine
    /// Raw dot product. The multi-episode caption-grounding baseline.
    case dot
    /// Negative Euclidean distance. The future-window retrieval of the world-model evaluator.
    case negativeEuclidean = "negative_euclidean"
}

/// Ranking metrics. JSON keys follow the reference `metrics.json`.
public struct RetrievalMetrics: Codable, Equatable, Sendable {
    /// Mean reciprocal rank of the (best) positive.
    public var mrr: Double
    public var top1Accuracy: Double
    public var top5Accuracy: Double
    public var top10Accuracy: Double
    /// Median rank (the mean of the two middle ranks for an even count, as numpy).
    public var medianRank: Double
    public var meanRank: Double
    public var numQueries: Int
    /// Number of candidates each query was ranked against.
    public var numCandidates: Int

    enum CodingKeys: String, CodingKey {
        case mrr
        case top1Accuracy = "top1_accuracy"
        case top5Accuracy = "top5_accuracy"
        case top10Accuracy = "top10_accuracy"
        case medianRank = "median_rank"
        case meanRank = "mean_rank"
        case numQueries = "num_queries"
        case numCandidates = "num_candidates"
    }

    /// The chance level against `candidates` candidates with one positive per query, in
    /// closed form: a uniformly random rank r ∈ 1...n gives MRR = H_n / n (the n-th harmonic
    /// number over n), top-k = min(k, n)/n, and median and mean rank (n + 1)/2. For n = 348:
    /// MRR 0.01848, top-1 0.00287, top-5 0.01437, top-10 0.02874, median 174.5.
    ///
    /// - Throws: `MetricsError.invalidParameter` when `candidates < 1`.
    public static func chance(candidates n: Int) throws(MetricsError) -> RetrievalMetrics {
        guard n >= 1 else {
            throw .invalidParameter(name: "candidates", expected: "≥ 1", found: "\(n)")
        }
        let harmonic = (1...n).reduce(0.0) { $0 + 1 / Double($1) }
        let count = Double(n)
        return RetrievalMetrics(
            mrr: harmonic / count,
            top1Accuracy: Double(min(1, n)) / count,
            top5Accuracy: Double(min(5, n)) / count,
            top10Accuracy: Double(min(10, n)) / count,
            medianRank: (count + 1) / 2, meanRank: (count + 1) / 2,
            numQueries: n, numCandidates: n)
    }
}

extension RetrievalMetrics {
    /// The chance level when query i has `positivesPerQuery[i]` positives among `candidates`
    /// (tolerance-aware retrieval), averaged over queries. For a uniformly random order and
    /// m positives among n, the best positive's rank R has P(R > r) = C(n − r, m)/C(n, m), so
    /// top-k = 1 − C(n − k, m)/C(n, m), E[1/R] = Σ_r P(R = r)/r and E[R] = (n + 1)/(m + 1).
    /// The median rank is that of the pooled rank distribution: the smallest r with
    /// F(r) ≥ 1/2, or r + 1/2 when F(r) equals 1/2 within 1e-12 (numpy's convention, which gives
    /// (n + 1)/2 for one positive). With one positive per query this equals
    /// `chance(candidates:)`.
    ///
    /// - Throws: `MetricsError` when there are no queries, `candidates < 1`, or a positive
    ///   count is outside `1...candidates`.
    public static func chance(candidates n: Int, positivesPerQuery: [Int]) throws(MetricsError) -> RetrievalMetrics {
        guard n >= 1 else { throw .invalidParameter(name: "candidates", expected: "≥ 1", found: "\(n)") }
        try requireNonEmpty("positives per query", count: positivesPerQuery.count)
        for (i, m) in positivesPerQuery.enumerated() where m < 1 || m > n {
            throw .invalidParameter(name: "positivesPerQuery[\(i)]", expected: "a count in 1...\(n)", found: "\(m)")
        }
        // survival[m][r] = P(R > r) = Π_{i<m} (n − r − i)/(n − i), for r in 0...n.
        var survivalByCount: [Int: [Double]] = [:]
        for m in Set(positivesPerQuery) {
            survivalByCount[m] = (0...n).map { r in
                var p = 1.0
                for i in 0..<m {
                    let num = n - r - i
                    if num <= 0 { return 0 }
                    p *= Double(num) / Double(n - i)
                }
                return p
            }
        }
        let q = Double(positivesPerQuery.count)
        var mrr = 0.0, top1 = 0.0, top5 = 0.0, top10 = 0.0, meanRank = 0.0
        var pooledCDF = [Double](repeating: 0, count: n + 1)
        for m in positivesPerQuery {
            guard let survival = survivalByCount[m] else { continue }
            for r in 1...n {
                mrr += (survival[r - 1] - survival[r]) / Double(r)
                pooledCDF[r] += (1 - survival[r]) / q
            }
            top1 += 1 - survival[min(1, n)]
            top5 += 1 - survival[min(5, n)]
            top10 += 1 - survival[min(10, n)]
            meanRank += Double(n + 1) / Double(m + 1)
        }
        var median = Double(n)
        for r in 1...n where pooledCDF[r] >= 0.5 - 1e-12 {
            median = abs(pooledCDF[r] - 0.5) <= 1e-12 && r < n ? Double(r) + 0.5 : Double(r)
            break
        }
        return RetrievalMetrics(
            mrr: mrr / q, top1Accuracy: top1 / q, top5Accuracy: top5 / q, top10Accuracy: top10 / q,
            medianRank: median, meanRank: meanRank / q,
            numQueries: positivesPerQuery.count, numCandidates: n)
    }
}

/// Summarises 1-based ranks of the positive for each query.
///
/// - Throws: `MetricsError` for no ranks or a rank outside `1...candidates`.
public func retrievalMetrics(ranks: [Int], candidates: Int) throws(MetricsError) -> RetrievalMetrics {
    try requireNonEmpty("ranks", count: ranks.count)
    for (i, r) in ranks.enumerated() where r < 1 || r > candidates {
        throw .invalidParameter(name: "ranks[\(i)]", expected: "a rank in 1...\(candidates)", found: "\(r)")
    }
    let n = Double(ranks.count)
    let values = ranks.map(Double.init)
    let topK: (Int) -> Double = { k in Double(ranks.filter { $0 <= k }.count) / n }
    return RetrievalMetrics(
        mrr: values.reduce(0) { $0 + 1 / $1 } / n,
        top1Accuracy: topK(1), top5Accuracy: topK(5), top10Accuracy: topK(10),
        medianRank: Statistics.median(values),
        meanRank: values.reduce(0, +) / n,
        numQueries: ranks.count, numCandidates: candidates)
}

/// Rows of a row-major matrix scaled to unit L2 norm, with the norm floored at 1e-8 as the
/// reference does (a zero row stays zero).
func normalisedRows(_ values: [Double], dimension d: Int) -> [Double] {
    var out = values
    let rows = values.count / d
    for r in 0..<rows {
        var sq = 0.0
        for k in 0..<d { sq += values[r * d + k] * values[r * d + k] }
        let scale = 1 / max(sq.squareRoot(), 1e-8)
        for k in 0..<d { out[r * d + k] = values[r * d + k] * scale }
    }
    return out
}

/// Score matrix `S[q][c]`, accumulated in Float64: dot products, or with `euclidean` the
/// negative squared distance (computed from differences, not from norms, so that identical
/// rows score exactly 0). Four queries share each pass over a candidate row so that the
/// candidate matrix is read from memory a quarter as often; each sum runs in SIMD4 lanes.
func blockedScores(queries q: [Double], candidates c: [Double], dimension d: Int, euclidean: Bool) -> [[Double]] {
    let nq = q.count / d, nc = c.count / d
    var s = [[Double]](repeating: [Double](repeating: 0, count: nc), count: nq)
    guard nq > 0, nc > 0 else { return s }
    let vectorEnd = d - d % 4
    q.withUnsafeBufferPointer { qb in
        c.withUnsafeBufferPointer { cb in
            guard let qp = qb.baseAddress, let cp = cb.baseAddress else { return }
            var q0 = 0
            while q0 < nq {
                // A short last block repeats its final query; the duplicate sums are dropped.
                let r0 = qp + q0 * d
                let r1 = qp + min(q0 + 1, nq - 1) * d
                let r2 = qp + min(q0 + 2, nq - 1) * d
                let r3 = qp + min(q0 + 3, nq - 1) * d
                for j in 0..<nc {
                    let crow = cp + j * d
                    var a0 = SIMD4<Double>.zero, a1 = SIMD4<Double>.zero
                    var a2 = SIMD4<Double>.zero, a3 = SIMD4<Double>.zero
                    var k = 0
                    // Two copies of the loop keep the branch out of the inner iteration.
                    if euclidean {
                        while k < vectorEnd {
                            let cv = UnsafeRawPointer(crow + k).loadUnaligned(as: SIMD4<Double>.self)
                            let e0 = UnsafeRawPointer(r0 + k).loadUnaligned(as: SIMD4<Double>.self) - cv
                            let e1 = UnsafeRawPointer(r1 + k).loadUnaligned(as: SIMD4<Double>.self) - cv
                            let e2 = UnsafeRawPointer(r2 + k).loadUnaligned(as: SIMD4<Double>.self) - cv
                            let e3 = UnsafeRawPointer(r3 + k).loadUnaligned(as: SIMD4<Double>.self) - cv
                            a0 += e0 * e0; a1 += e1 * e1; a2 += e2 * e2; a3 += e3 * e3
                            k += 4
                        }
                    } else {
                        while k < vectorEnd {
                            let cv = UnsafeRawPointer(crow + k).loadUnaligned(as: SIMD4<Double>.self)
                            a0 += UnsafeRawPointer(r0 + k).loadUnaligned(as: SIMD4<Double>.self) * cv
                            a1 += UnsafeRawPointer(r1 + k).loadUnaligned(as: SIMD4<Double>.self) * cv
                            a2 += UnsafeRawPointer(r2 + k).loadUnaligned(as: SIMD4<Double>.self) * cv
                            a3 += UnsafeRawPointer(r3 + k).loadUnaligned(as: SIMD4<Double>.self) * cv
                            k += 4
                        }
                    }
                    var t0 = a0.sum(), t1 = a1.sum(), t2 = a2.sum(), t3 = a3.sum()
                    while k < d {
                        if euclidean {
                            let e0 = r0[k] - crow[k], e1 = r1[k] - crow[k], e2 = r2[k] - crow[k], e3 = r3[k] - crow[k]
                            t0 += e0 * e0; t1 += e1 * e1; t2 += e2 * e2; t3 += e3 * e3
                        } else {
                            t0 += r0[k] * crow[k]; t1 += r1[k] * crow[k]
                            t2 += r2[k] * crow[k]; t3 += r3[k] * crow[k]
                        }
                        k += 1
                    }
                    let sums = euclidean ? (-t0, -t1, -t2, -t3) : (t0, t1, t2, t3)
                    s[q0][j] = sums.0
                    if q0 + 1 < nq { s[q0 + 1][j] = sums.1 }
                    if q0 + 2 < nq { s[q0 + 2][j] = sums.2 }
                    if q0 + 3 < nq { s[q0 + 3][j] = sums.3 }
                }
                q0 += 4
            }
        }
    }
    return s
}

/// 1-based rank of each query's best positive among the candidates, by cosine similarity
/// (or the chosen `similarity`).
///
/// Ranking rule: candidates are ordered by descending similarity; equal similarities are
/// ordered by candidate index (a stable order). The reference uses `np.argsort(−s)`, which
/// is not stable, so exact ties may rank differently there; with real-valued features they
/// practically never occur. The rank of positive `p` is therefore
/// `1 + #{j : s_j > s_p} + #{j < p : s_j = s_p}`, and a query's rank is the smallest rank
/// over its positives (every candidate ranked before it is a non-positive).
///
/// - Parameters:
///   - queries: query vectors, row-major `(numQueries, dimension)`.
///   - candidates: candidate vectors, row-major `(numCandidates, dimension)`.
///   - dimension: vector length.
///   - positives: for each query, the indices of its positive candidates (the strict
///     protocol counts windows of the same segment or within ±k windows). Nil means the
///     reference's rule: the positive of query i is candidate i.
///   - similarity: how candidates are scored (default `.cosine`, as the reference).
/// - Throws: `MetricsError` for shape mismatches, non-finite values, a query without
///   positives or a positive index out of range.
public func retrievalRanks(
    queries: [Double], candidates: [Double], dimension: Int, positives: [[Int]]? = nil,
    similarity: RetrievalSimilarity = .cosine
) throws(MetricsError) -> [Int] {
    let nq = try matrixRows("query vectors", count: queries.count, columns: dimension)
    let nc = try matrixRows("candidate vectors", count: candidates.count, columns: dimension)
    try requireFinite("query vectors", queries)
    try requireFinite("candidate vectors", candidates)
    let positiveSets: [[Int]]
    if let positives {
        try requireSameLength("positive sets (one per query)", expected: nq, found: positives.count)
        for (i, set) in positives.enumerated() {
            guard !set.isEmpty else { throw .empty(what: "positive candidates of query \(i)") }
            for p in set where p < 0 || p >= nc {
                throw .labelOutOfRange(what: "positive candidates of query \(i)", index: i, value: p, classCount: nc)
            }
        }
        positiveSets = positives
    } else {
        guard nq <= nc else {
            throw .shapeMismatch(what: "candidates", expected: "at least one candidate per query (\(nq))",
                                 found: "\(nc); pass explicit positives")
        }
        positiveSets = (0..<nq).map { [$0] }
    }
    let s: [[Double]]
    switch similarity {
    case .cosine:
        s = blockedScores(queries: normalisedRows(queries, dimension: dimension),
                          candidates: normalisedRows(candidates, dimension: dimension),
                          dimension: dimension, euclidean: false)
    case .dot:
        s = blockedScores(queries: queries, candidates: candidates, dimension: dimension, euclidean: false)
    case .negativeEuclidean:
        s = blockedScores(queries: queries, candidates: candidates, dimension: dimension, euclidean: true)
    }
    return (0..<nq).map { i in
        let row = s[i]
        return positiveSets[i].map { p in
            var before = 0
            for j in 0..<nc where row[j] > row[p] || (row[j] == row[p] && j < p) { before += 1 }
            return before + 1
        }.min() ?? nc
    }
}

/// `retrievalRanks` for Float32 storage; values are widened to Float64 first.
public func retrievalRanks(
    queries: [Float], candidates: [Float], dimension: Int, positives: [[Int]]? = nil,
    similarity: RetrievalSimilarity = .cosine
) throws(MetricsError) -> [Int] {
    try retrievalRanks(queries: queries.map(Double.init), candidates: candidates.map(Double.init),
                       dimension: dimension, positives: positives, similarity: similarity)
}

/// Cosine retrieval metrics: ranks by `retrievalRanks`, summarised by
/// `retrievalMetrics(ranks:candidates:)`.
public func retrievalMetrics(
    queries: [Double], candidates: [Double], dimension: Int, positives: [[Int]]? = nil,
    similarity: RetrievalSimilarity = .cosine
) throws(MetricsError) -> RetrievalMetrics {
    let ranks = try retrievalRanks(queries: queries, candidates: candidates, dimension: dimension, positives: positives, similarity: similarity)
    return try retrievalMetrics(ranks: ranks, candidates: candidates.count / dimension)
}

/// `retrievalMetrics` for Float32 storage.
public func retrievalMetrics(
    queries: [Float], candidates: [Float], dimension: Int, positives: [[Int]]? = nil,
    similarity: RetrievalSimilarity = .cosine
) throws(MetricsError) -> RetrievalMetrics {
    try retrievalMetrics(queries: queries.map(Double.init), candidates: candidates.map(Double.init),
                         dimension: dimension, positives: positives, similarity: similarity)
}

/// Positive sets that count every candidate within `±tolerance` positions of the query's own
/// index as a hit (the strict protocol's tolerance-aware retrieval over consecutive windows).
public func tolerancePositives(queries: Int, candidates: Int, tolerance: Int) throws(MetricsError) -> [[Int]] {
    guard tolerance >= 0 else {
        throw .invalidParameter(name: "tolerance", expected: "≥ 0", found: "\(tolerance)")
    }
    guard queries <= candidates else {
        throw .shapeMismatch(what: "candidates", expected: "at least \(queries)", found: "\(candidates)")
    }
    return (0..<queries).map { i in Array(max(0, i - tolerance)...min(candidates - 1, i + tolerance)) }
}

/// Positive sets that count every candidate in the query's group as a hit (for example all
/// windows of the same caption segment, whose text queries are identical).
public func groupPositives(queryGroups: [Int], candidateGroups: [Int]) throws(MetricsError) -> [[Int]] {
    var members: [Int: [Int]] = [:]
    for (j, g) in candidateGroups.enumerated() { members[g, default: []].append(j) }
    var out: [[Int]] = []
    for (i, g) in queryGroups.enumerated() {
        guard let m = members[g] else { throw .empty(what: "candidates in the group of query \(i)") }
        out.append(m)
    }
    return out
}
