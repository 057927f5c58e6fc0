import EpisodeIO
import Testing

/// The branch-free bit tests of `RowScan` against the plain `isFinite` / `== 0` / `< 0` reading.
@Suite("Row scan")
struct RowScanTests {
    static let specials: [Float] = [0, -0.0, 1, -1, .nan, -.nan, .infinity, -.infinity, .leastNonzeroMagnitude,
                                    -.leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 3.5e-39]

    /// What each row is, read the obvious way.
    static func expected<T: BinaryFloatingPoint>(_ values: [T], width: Int) -> (nonFinite: [Int], zero: [Int], negative: [Int]) {
        var out: ([Int], [Int], [Int]) = ([], [], [])
        for r in 0..<(values.count / width) {
            let row = values[(r * width)..<((r + 1) * width)]
            let finite = row.allSatisfy(\.isFinite)
            if !finite { out.0.append(r) } else if row.allSatisfy({ $0 == 0 }) { out.1.append(r) }
            if finite && row.contains(where: { $0 < 0 }) { out.2.append(r) }
        }
        return out
    }

    @Test("every special value, alone in a row of zeros, at every position (float and double)", arguments: [1, 3, 16, 37])
    func specialsEverywhere(width: Int) {
        var values: [Float] = []
        for special in Self.specials {
            for position in 0..<width {
                var row = [Float](repeating: 0, count: width)
                row[position] = special
                values += row
            }
        }
        let want = Self.expected(values, width: width)
        let float = RowScan.of(values, width: width, negatives: true)
        #expect(float.nonFiniteRows == want.nonFinite)
        #expect(float.zeroRows == want.zero)
        #expect(float.negativeRows == want.negative)
        let doubles = values.map(Double.init)
        let double = RowScan.of(doubles, width: width, negatives: true)
        #expect(double.nonFiniteRows == want.nonFinite)
        #expect(double.zeroRows == want.zero)
        #expect(double.negativeRows == want.negative)
        #expect(float.rows == values.count / width)
    }

    @Test("row numbers are absolute across blocks; the finite mask marks non-finite rows")
    func blocks() {
        var scan = RowScan()
        scan.scan([Float](repeating: 1, count: 6), width: 3, firstRow: 0)
        scan.scan([Float.nan, 0, 0, 0, 0, 0], width: 3, firstRow: 2)
        #expect(scan.nonFiniteRows == [2])
        #expect(scan.zeroRows == [3])
        #expect(scan.finiteMask(rows: 4) == [true, true, false, true])
    }
}
