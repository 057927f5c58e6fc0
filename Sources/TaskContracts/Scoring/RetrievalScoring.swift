import Foundation
import Heads
import Metrics

/// Scoring shared by the retrieval tasks (8, 9): a head projects one side onto the other's
/// block, and each test query ranks all test candidates by cosine. MRR is the primary metric
/// and chance MRR the baseline. The reference ranks in raw space with the one exact window as
/// the positive; strict ranks in train z-scores and also counts windows within the tolerance
/// (and, for grounding, windows with the same caption text) as hits, since overlapping
/// neighbours are near-duplicates (spec §7, 7).
enum RetrievalScoring {
    /// The metric names of the contract, primary first.
    static let metrics = ["mrr", "top1_accuracy", "top5_accuracy", "top10_accuracy", "median_rank", "mean_rank"]
    /// The files written beside metrics.json.
    static let artifacts = ["metrics.json", "model.safetensors"]

    /// Which side is the query.
    enum Queries {
        /// The true targets query the predicted projections (task 8: a caption finds its window).
        case targets
        /// The predicted projections query the true targets (task 9).
        case predictions
    }

    /// - Parameters:
    ///   - queries: which side queries the other.
    ///   - sameGroupPositives: strict: samples of the problem's group (identical caption
    ///     text) are also hits.
    ///   - positivesDescription: the strict `positives` key.
    static func score(_ s: TaskScoring, queries side: Queries, sameGroupPositives: Bool, positivesDescription: String) throws -> TaskScoreParts {
        let (yTest, yPred) = try RegressionScoring.values(s)
        let predictions = s.predictions, test = s.test, strict = s.strict
        var k = yTest.cols
        var parts = TaskScoreParts()
        var queries: [Float], candidates: [Float]
        switch side {
        case .targets: queries = yTest.storage; candidates = yPred.storage
        case .predictions: queries = yPred.storage; candidates = yTest.storage
        }
        var positives: [[Int]]? = nil
        if strict {
            let q = try RegressionScoring.standardised(try Matrix(rows: test.count, cols: k, storage: queries), predictions)
            let c = try RegressionScoring.standardised(try Matrix(rows: test.count, cols: k, storage: candidates), predictions)
            (queries, candidates, k) = (q.storage, c.storage, q.cols)
            // Within the tolerance of the same episode's window: test positions of different
            // episodes are not neighbours, however close their positions in the test list.
            let where_ = test.map { (episode: s.problem.samples[$0].episode, window: s.problem.samples[$0].window) }
            var sets = try episodeTolerancePositives(where_, tolerance: s.parameters.retrievalToleranceWindows)
            if sameGroupPositives, let groups = s.problem.groups {
                let g = test.map { groups[$0] }
                let same = try groupPositives(queryGroups: g, candidateGroups: g)
                sets = zip(sets, same).map { Array(Set($0).union($1)).sorted() }
            }
            positives = sets
        }
        let ranks = try retrievalRanks(queries: queries, candidates: candidates, dimension: k, positives: positives)
        let r = try retrievalMetrics(ranks: ranks, candidates: test.count)
        parts.fields += [("mrr", .num(r.mrr)), ("median_rank", .num(r.medianRank)), ("mean_rank", .num(r.meanRank)), ("num_queries", .int(r.numQueries)),
                         ("top1_accuracy", .num(r.top1Accuracy)), ("top5_accuracy", .num(r.top5Accuracy)), ("top10_accuracy", .num(r.top10Accuracy))]
        parts.fields += s.header(.trainTestWindows)
        parts.primary = r.mrr
        let chance = try positives.map { try RetrievalMetrics.chance(candidates: test.count, positivesPerQuery: $0.map(\.count)) }
            ?? RetrievalMetrics.chance(candidates: test.count)
        parts.baselines.append(BaselineScore(name: "chance_mrr", value: chance.mrr))
        if strict {
            parts.fields += [("retrieval_space", .string("train z-scores")),
                             ("positives", .string(positivesDescription)),
                             ("mean_positives_per_query", .num(Double(positives?.reduce(0) { $0 + $1.count } ?? test.count) / Double(test.count))),
                             ("chance_mrr", .num(chance.mrr)), ("chance_top5_accuracy", .num(chance.top5Accuracy)),
                             ("positives_within", .string("the same episode"))]
            parts.fields += RegressionScoring.standardisationFields(predictions)
        }
        let rr = ranks.map { 1 / Double($0) }
        parts.resampled.append(ResampledMetric(key: "primary") { idx in
            idx.isEmpty ? nil : idx.reduce(0.0) { $0 + rr[$1] } / Double(idx.count)
        })
        return parts
    }
}

/// For each test position, the positions of the same episode whose window is within
/// `tolerance` windows of its own (itself included), in increasing order.
func episodeTolerancePositives(_ items: [(episode: Int, window: Int)], tolerance: Int) throws -> [[Int]] {
    guard tolerance >= 0 else { throw SuiteError.invalidArgument(what: "retrieval tolerance", detail: "expected ≥ 0 windows, found \(tolerance)") }
    var byEpisode: [Int: [(window: Int, position: Int)]] = [:]
    for (k, it) in items.enumerated() { byEpisode[it.episode, default: []].append((it.window, k)) }
    return items.map { it in
        (byEpisode[it.episode] ?? []).filter { abs($0.window - it.window) <= tolerance }.map(\.position).sorted()
    }
}
