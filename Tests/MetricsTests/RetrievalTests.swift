import Testing
@testable import Metrics

@Suite("Retrieval")
struct RetrievalTests {
    @Test func handWorkedRanks() throws {
        // Candidates c0 (1, 0), c1 (0, 1), c2 (1, 1); queries q0 (1, 0.1), q1 (0, 2), q2 (−1, −1).
        // Cosines: q0 → c0 0.995, c1 0.0995, c2 0.774: c0 first → rank 1.
        //          q1 → c0 0, c1 1, c2 0.707: c1 first → rank 1.
        //          q2 → c0 −0.707, c1 −0.707, c2 −1: c2 last → rank 3.
        let q: [Double] = [1, 0.1, 0, 2, -1, -1]
        let c: [Double] = [1, 0, 0, 1, 1, 1]
        #expect(try retrievalRanks(queries: q, candidates: c, dimension: 2) == [1, 1, 3])
        let m = try retrievalMetrics(queries: q, candidates: c, dimension: 2)
        #expect(close(m.mrr, (1 + 1 + 1.0 / 3) / 3))   // 7/9
        #expect(close(m.top1Accuracy, 2.0 / 3) && m.top5Accuracy == 1 && m.top10Accuracy == 1)
        #expect(m.medianRank == 1 && close(m.meanRank, 5.0 / 3))
        #expect(m.numQueries == 3 && m.numCandidates == 3)
        let json = try jsonObject(m)
        for key in ["mrr", "top1_accuracy", "top5_accuracy", "top10_accuracy", "median_rank", "mean_rank", "num_queries"] {
            #expect(json[key] != nil)
        }
    }

    @Test func exactTiesRankByCandidateIndex() throws {
        // Query (1, 0); c1 (2, 0) and c2 (1, 0) both normalise to (1, 0): similarity exactly 1.
        // Positive c2 ties with the lower-index c1, which is ranked first → rank 2.
        let q: [Double] = [1, 0]
        let c: [Double] = [0, 1, 2, 0, 1, 0]
        #expect(try retrievalRanks(queries: q, candidates: c, dimension: 2, positives: [[2]]) == [2])
        #expect(try retrievalRanks(queries: q, candidates: c, dimension: 2, positives: [[1]]) == [1])
    }

    @Test func toleranceAwarePositivesTakeTheBestRank() throws {
        // Query (0, 1): c0 (0, 1) sim 1, c1 (1, 1) sim 0.707, c2 (1, 0) sim 0.
        // Positives {1, 2}: best is c1, behind the non-positive c0 → rank 2.
        let c: [Double] = [0, 1, 1, 1, 1, 0]
        #expect(try retrievalRanks(queries: [0, 1], candidates: c, dimension: 2, positives: [[1, 2]]) == [2])
        #expect(try retrievalRanks(queries: [0, 1], candidates: c, dimension: 2, positives: [[2, 0]]) == [1])
        #expect(try tolerancePositives(queries: 3, candidates: 3, tolerance: 1) == [[0, 1], [0, 1, 2], [1, 2]])
        #expect(try groupPositives(queryGroups: [7, 9], candidateGroups: [9, 7, 7]) == [[1, 2], [0]])
    }

    @Test func similarityChoices() throws {
        // Query (1, 0); c0 (10, 0): cosine 1, dot 10, distance² 81;
        //               c1 (1, 0.5): cosine 1/√1.25 ≈ 0.894, dot 1, distance² 0.25.
        // Positive c1 ranks 2nd by cosine and by dot, 1st by Euclidean distance.
        let q: [Double] = [1, 0], c: [Double] = [10, 0, 1, 0.5]
        #expect(try retrievalRanks(queries: q, candidates: c, dimension: 2, positives: [[1]]) == [2])
        #expect(try retrievalRanks(queries: q, candidates: c, dimension: 2, positives: [[1]], similarity: .dot) == [2])
        #expect(try retrievalRanks(queries: q, candidates: c, dimension: 2, positives: [[1]],
                                   similarity: .negativeEuclidean) == [1])
        // Dot separates parallel vectors that cosine ties: (1, 0) vs c0 (1, 0) → 1, c1 (3, 0) → 3.
        let p: [Double] = [1, 0, 3, 0]
        #expect(try retrievalRanks(queries: q, candidates: p, dimension: 2, positives: [[0]]) == [1])
        #expect(try retrievalRanks(queries: q, candidates: p, dimension: 2, positives: [[0]], similarity: .dot) == [2])
        // Euclidean over the SIMD and tail paths (7 dims, 5 queries): each query equals its own
        // candidate, distance 0 → every rank 1.
        let d = 7
        var rows: [Double] = []
        for i in 0..<6 { for k in 0..<d { rows.append(Double((i * 5 + k * k) % 13) + (i == k ? 4 : 0)) } }
        let own = Array(rows.prefix(5 * d))
        #expect(try retrievalRanks(queries: own, candidates: rows, dimension: d, similarity: .negativeEuclidean)
                == [1, 1, 1, 1, 1])
    }

    @Test func zeroVectorUsesNormFloor() throws {
        // A zero query stays zero after the 1e-8 floor: every similarity is 0, all tie, and the
        // positive c2 is ranked after c0 and c1 → rank 3 (no NaN from dividing by zero).
        let c: [Double] = [1, 0, 0, 1, 1, 1]
        #expect(try retrievalRanks(queries: [0, 0], candidates: c, dimension: 2, positives: [[2]]) == [3])
    }

    @Test func selfAndAntiRetrievalHitBlockAndTailPaths() throws {
        // 5 queries (not a multiple of the 4-query block) in 7 dimensions (not a multiple of
        // the 4-lane SIMD width) against 6 candidates with distinct directions.
        let d = 7
        var c: [Double] = []
        for i in 0..<6 { for k in 0..<d { c.append(Double((i * 7 + k * 3) % 11) - 4.5 + Double(i == k ? 9 : 0)) } }
        let own = Array(c.prefix(5 * d))
        // Each query equals its own candidate: cosine 1, the maximum → every rank is 1.
        #expect(try retrievalRanks(queries: own, candidates: c, dimension: d) == [1, 1, 1, 1, 1])
        // Each query is its candidate negated: cosine −1, the minimum → every rank is 6.
        #expect(try retrievalRanks(queries: own.map { -$0 }, candidates: c, dimension: d) == [6, 6, 6, 6, 6])
        let f = try retrievalMetrics(queries: own.map(Float.init), candidates: c.map(Float.init), dimension: d)
        #expect(f.mrr == 1 && f.numCandidates == 6)
    }

    @Test func chanceLevelsInClosedForm() throws {
        let chance = try RetrievalMetrics.chance(candidates: 348)
        // H_348/348 = 0.018479…; the suite quotes 0.01848.
        #expect((chance.mrr * 1e5).rounded() / 1e5 == 0.01848)
        #expect((chance.top1Accuracy * 1e5).rounded() / 1e5 == 0.00287)   // 1/348
        #expect((chance.top5Accuracy * 1e5).rounded() / 1e5 == 0.01437)   // 5/348
        #expect((chance.top10Accuracy * 1e5).rounded() / 1e5 == 0.02874)  // 10/348
        #expect(chance.medianRank == 174.5 && chance.meanRank == 174.5)
        // The same numbers from the rank summary when every rank 1…348 occurs once (the
        // uniform distribution the closed form averages over).
        let uniform = try retrievalMetrics(ranks: Array(1...348), candidates: 348)
        #expect(close(uniform.mrr, chance.mrr) && uniform.medianRank == 174.5)
        #expect(close(uniform.top5Accuracy, 5.0 / 348))
        // Tiny case by hand: n = 2 → MRR (1 + 1/2)/2 = 0.75, top-5 capped at 1.
        let two = try RetrievalMetrics.chance(candidates: 2)
        #expect(two.mrr == 0.75 && two.top5Accuracy == 1 && two.medianRank == 1.5)
    }

    @Test func chanceWithSeveralPositives() throws {
        // n = 3 candidates, 2 positives: the positive positions are {1,2}, {1,3} or {2,3},
        // equally likely, so the best rank is 1, 1, 2 → MRR (1 + 1 + 1/2)/3 = 5/6,
        // top-1 2/3, mean rank 4/3 = (n + 1)/(m + 1), median 1 (F(1) = 2/3 ≥ 1/2).
        let c = try RetrievalMetrics.chance(candidates: 3, positivesPerQuery: [2])
        #expect(close(c.mrr, 5.0 / 6) && close(c.top1Accuracy, 2.0 / 3) && close(c.top5Accuracy, 1))
        #expect(close(c.meanRank, 4.0 / 3) && c.medianRank == 1)
        // One positive per query reproduces the single-positive closed form.
        let one = try RetrievalMetrics.chance(candidates: 348, positivesPerQuery: [1, 1, 1])
        let closed = try RetrievalMetrics.chance(candidates: 348)
        #expect(close(one.mrr, closed.mrr) && close(one.top10Accuracy, closed.top10Accuracy))
        #expect(one.medianRank == 174.5 && close(one.meanRank, 174.5))
        // Mixing queries averages: m = 1 (MRR (1 + 1/2 + 1/3)/3 = 11/18) and m = 3 (always rank 1).
        let mixed = try RetrievalMetrics.chance(candidates: 3, positivesPerQuery: [1, 3])
        #expect(close(mixed.mrr, (11.0 / 18 + 1) / 2) && close(mixed.meanRank, (2 + 1) / 2))
        #expect(throws: MetricsError.self) { try RetrievalMetrics.chance(candidates: 3, positivesPerQuery: [4]) }
    }

    @Test func badInputs() {
        #expect(throws: MetricsError.nonFinite(what: "query vectors", index: 1)) {
            try retrievalRanks(queries: [1, .nan] as [Double], candidates: [1, 0], dimension: 2)
        }
        #expect(throws: MetricsError.self) {
            try retrievalRanks(queries: [1, 0, 0] as [Double], candidates: [1, 0], dimension: 2)
        }
        #expect(throws: MetricsError.empty(what: "positive candidates of query 0")) {
            try retrievalRanks(queries: [1, 0] as [Double], candidates: [1, 0], dimension: 2, positives: [[]])
        }
        #expect(throws: MetricsError.self) {
            try retrievalRanks(queries: [1, 0] as [Double], candidates: [1, 0], dimension: 2, positives: [[1]])
        }
        #expect(throws: MetricsError.self) {
            // Two queries, one candidate, no explicit positives.
            try retrievalRanks(queries: [1, 0, 0, 1] as [Double], candidates: [1, 0], dimension: 2)
        }
        #expect(throws: MetricsError.self) { try retrievalMetrics(ranks: [0], candidates: 3) }
        #expect(throws: MetricsError.self) { try RetrievalMetrics.chance(candidates: 0) }
    }
}
