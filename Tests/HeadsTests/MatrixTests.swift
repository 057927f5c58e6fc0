import Testing
@testable import Heads

@Suite("Matrix")
struct MatrixTests {
    // A = [[1,2,3],[4,5,6]] (2×3), B = [[7,8],[9,10],[11,12]] (3×2).
    let a = try! Matrix([[1, 2, 3], [4, 5, 6]])
    let b = try! Matrix([[7, 8], [9, 10], [11, 12]])

    @Test func matmulHandWorked() throws {
        // A·B = [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, 4·8+5·10+6·12]] = [[58, 64], [139, 154]].
        let c = try a.matmul(b)
        #expect(c.rows == 2 && c.cols == 2)
        #expect(c.storage == [58, 64, 139, 154])
    }

    @Test func matmulTransposeFlags() throws {
        // Aᵀ·A (3×3): entry (i,j) = Σ_r A[r,i]·A[r,j]; (0,0) = 1+16 = 17, (0,1) = 2+20 = 22,
        // (0,2) = 3+24 = 27, (1,1) = 4+25 = 29, (1,2) = 6+30 = 36, (2,2) = 9+36 = 45.
        let ata = try a.matmul(a, transposeSelf: true)
        #expect(ata.storage == [17, 22, 27, 22, 29, 36, 27, 36, 45])
        // A·Aᵀ (2×2): (0,0) = 1+4+9 = 14, (0,1) = 4+10+18 = 32, (1,1) = 16+25+36 = 77.
        let aat = try a.matmul(a, transposeOther: true)
        #expect(aat.storage == [14, 32, 32, 77])
        // Bᵀ·Aᵀ = (A·B)ᵀ = [[58, 139], [64, 154]].
        let btat = try b.matmul(a, transposeSelf: true, transposeOther: true)
        #expect(btat.storage == [58, 139, 64, 154])
    }

    @Test func gemv() throws {
        // A·[1,0,−1] = [1−3, 4−6] = [−2, −2]; Aᵀ·[1,1] = [5, 7, 9].
        #expect(try a.multiply(vector: [1, 0, -1]) == [-2, -2])
        #expect(try a.multiply(vector: [1, 1], transposeSelf: true) == [5, 7, 9])
    }

    @Test func gathers() throws {
        #expect(try a.gatherRows([1, 0, 1]).storage == [4, 5, 6, 1, 2, 3, 4, 5, 6])
        #expect(try a.gatherColumns([2, 0]).storage == [3, 1, 6, 4])
        #expect(try a.gatherColumns([2..<3, 0..<2]).storage == [3, 1, 2, 6, 4, 5])
        #expect(a.transposed().storage == [1, 4, 2, 5, 3, 6])
        #expect(a.appendingOnesColumn().storage == [1, 2, 3, 1, 4, 5, 6, 1])
        #expect(a.argmaxPerRow() == [2, 2])
    }

    @Test func shapeErrors() throws {
        #expect(throws: HeadsError.self) { try a.matmul(a) }
        #expect(throws: HeadsError.shapeMismatch(operation: "Matrix(rows:cols:storage:)", expected: "6 elements (2x3)", found: "5 elements")) {
            try Matrix(rows: 2, cols: 3, storage: [1, 2, 3, 4, 5])
        }
        #expect(throws: HeadsError.invalidIndex(what: "row index", index: 2, validRange: 0..<2)) { try a.gatherRows([2]) }
        #expect(throws: HeadsError.invalidIndex(what: "column index", index: -1, validRange: 0..<3)) { try a.gatherColumns([-1]) }
        #expect(throws: HeadsError.self) { try a.multiply(vector: [1, 2]) }
        #expect(throws: HeadsError.self) { try Matrix([[1, 2], [3]]) }
    }

    @Test func nonFiniteIsLocated() throws {
        var m = Matrix(rows: 3, cols: 4)
        m[2, 1] = .nan
        m[2, 3] = .infinity
        #expect(m.firstNonFinite()! == (2, 1))
        #expect(throws: HeadsError.nonFinite(matrix: "X", row: 2, column: 1)) { try m.requireFinite(name: "X") }
    }
}
