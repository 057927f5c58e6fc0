import Testing
@testable import Heads

@Suite("Standardiser")
struct StandardiserTests {
    // Columns: c0 = [1, 2, 3, 4] (mean 2.5, population std √1.25 = 1.1180340),
    //          c1 = [5, 5, 5, 5] (constant), c2 = [0, 0, 10, 10] (mean 5, std 5).
    let x = try! Matrix([[1, 5, 0], [2, 5, 0], [3, 5, 10], [4, 5, 10]])

    @Test func referenceHandWorked() throws {
        let s = try Standardiser.fit(x)
        #expect(s.mean == [2.5, 5, 5])
        #expect(abs(s.scale[0] - 1.118_034) < 1e-6)
        #expect(s.scale[1] == 1)            // std 0 < 1e-6 → 1
        #expect(s.scale[2] == 5)
        let z = try s.transform(x)
        // (1 − 2.5)/1.1180340 = −1.3416408; the constant column becomes 5 − 5 = 0.
        #expect(abs(z[0, 0] + 1.341_640_8) < 1e-6)
        #expect(z[0, 1] == 0)
        #expect(z[3, 2] == 1)
        #expect(s.keptColumns == [0, 1, 2])
    }

    @Test func fitUsesTrainRowsOnly() throws {
        // Rows 0 and 1 only: c0 = [1, 2] → mean 1.5, std 0.5; c2 = [0, 0] → std 0 → 1.
        let s = try Standardiser.fit(x, rows: [0, 1])
        #expect(s.mean == [1.5, 5, 0])
        #expect(s.scale == [0.5, 1, 1])
        // A test row far outside: (4 − 1.5)/0.5 = 5.
        #expect(try s.transform(x)[3, 0] == 5)
    }

    @Test func strictDropsConstantFloorsAndClips() throws {
        // Rows 0 and 1 for fitting: c0 std 0.5 (kept), c1 constant (dropped), c2 constant (dropped).
        let options = Standardiser.StrictOptions(floorFraction: 1e-3, absoluteFloor: 0, clip: 4)
        let s = try Standardiser.fit(x, rows: [0, 1], mode: .strict(options))
        #expect(s.keptColumns == [0])
        #expect(s.droppedColumns == [1, 2])
        let z = try s.transform(x)
        #expect(z.cols == 1)
        // Row 3: (4 − 1.5)/0.5 = 5, clipped to 4.
        #expect(z.storage == [-1, 1, 3, 4])
    }

    @Test func strictRobustFloor() throws {
        // Column stds: c0 = 1 (values ±1), c1 = 100 (±100), c2 = 0.01 (±0.01), c3 = 2e-5 (±2e-5, above
        // the 1e-6 constant tolerance). Median std of the kept block = (0.01 + 1)/2 = 0.505,
        // floor = 0.1·0.505 = 0.0505: c2 and c3 are floored to 0.0505; c0, c1 keep theirs.
        let m = try Matrix([[1, 100, 0.01, 2e-5], [-1, -100, -0.01, -2e-5]])
        let s = try Standardiser.fit(m, mode: .strict(.init(floorFraction: 0.1, clip: nil)))
        #expect(s.keptColumns == [0, 1, 2, 3])
        #expect(s.scale[0] == 1 && s.scale[1] == 100)
        #expect(abs(s.scale[2] - 0.0505) < 1e-7 && abs(s.scale[3] - 0.0505) < 1e-7)
        // An absolute floor above that wins: max(0.0505, 0.2) = 0.2.
        let t = try Standardiser.fit(m, mode: .strict(.init(floorFraction: 0.1, absoluteFloor: 0.2, clip: nil)))
        #expect(abs(t.scale[2] - 0.2) < 1e-7)
    }

    @Test func strictRelativeToleranceDropsStaticNoise() throws {
        // A static column around 1000 with Float32 rounding noise (std ≈ 6e-5 < 1e-5·1000 = 0.01).
        let m = try Matrix([[1000, 1], [1000.0001, 2], [999.9999, 3]])
        let s = try Standardiser.fit(m, mode: .strict(.init()))
        #expect(s.keptColumns == [1])
    }

    @Test func errors() throws {
        var bad = x
        bad[1, 2] = .nan
        #expect(throws: HeadsError.nonFinite(matrix: "standardiser training features", row: 1, column: 2)) { try Standardiser.fit(bad) }
        #expect(throws: HeadsError.emptyData(what: "standardiser training rows")) { try Standardiser.fit(x, rows: []) }
        let s = try Standardiser.fit(x)
        #expect(throws: HeadsError.self) { try s.transform(Matrix(rows: 2, cols: 2)) }
    }
}
