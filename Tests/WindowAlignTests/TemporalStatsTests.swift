import Foundation
import Testing
@testable import WindowAlign

@Suite("temporalStats")
struct TemporalStatsTests {
    @Test("spec vector: arange(12).reshape(4,3)**1.5")
    func specVector() throws {
        let x = (0..<12).map { Float(pow(Double($0), 1.5)) }
        let got = try temporalStats(x, rows: 4, cols: 3)
        // Fixtures/goldens/numpy-temporal-stats.json (the spec's vector, re-checked with numpy).
        let golden = try Goldens.temporalStats()
        let tolerance = try #require(golden.relativeTolerance)
        #expect(golden.rows == 4 && golden.cols == 3 && golden.expected.count == 21)
        #expect(got.count == 21)
        for (g, e) in zip(got.map(Double.init), golden.expected) {
            #expect(abs(g - e) <= tolerance * max(1, abs(e)), "got \(g), expected \(e)")
        }
    }

    @Test("T = 1: velocity parts are zero; NaN and inf become 0 first")
    func singleRowAndNonFinite() throws {
        let got = try temporalStats([2, .nan, -.infinity], rows: 1, cols: 3)
        // mean = value, std 0, min = max = value, last − first = 0, Δ parts 0.
        #expect(got == [2, 0, 0, 0, 0, 0, 2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        // Column [1, NaN, 3] → [1, 0, 3]: mean 4/3, Δ = [−1, 3] → mean 1, std 2.
        let two = try temporalStats([1, .nan, 3], rows: 3, cols: 1)
        #expect(abs(two[0] - 4.0 / 3.0) < 1e-6)
        #expect(two[2] == 0 && two[3] == 3 && two[4] == 2 && two[5] == 1 && two[6] == 2)
    }

    @Test("T = 0 and shape mismatches are typed errors")
    func errors() {
        #expect(throws: WindowAlignError.emptyInput(what: "temporalStats input (T = 0 time steps)")) {
            try temporalStats([], rows: 0, cols: 3)
        }
        #expect(throws: WindowAlignError.self) { try temporalStats([1, 2, 3], rows: 2, cols: 2) }
    }
}
