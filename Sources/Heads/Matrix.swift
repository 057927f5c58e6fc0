import CBLAS
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A dense matrix of `Float` in contiguous row-major storage: element (r, c) is
/// `storage[r * cols + c]`. This is the layout NumPy uses for C-contiguous float32 arrays,
/// so buffers move between the two without reordering.
public struct Matrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let cols: Int
    /// Row-major elements; `storage.count == rows * cols` always holds.
    public private(set) var storage: [Float]

    /// Wraps existing row-major storage. Throws when `storage.count != rows * cols`.
    public init(rows: Int, cols: Int, storage: [Float]) throws {
        guard rows >= 0, cols >= 0 else {
            throw HeadsError.invalidParameter(name: "Matrix shape", expected: "non-negative rows and cols", found: "\(rows)x\(cols)")
        }
        guard storage.count == rows * cols else {
            throw HeadsError.shapeMismatch(operation: "Matrix(rows:cols:storage:)", expected: "\(rows * cols) elements (\(rows)x\(cols))", found: "\(storage.count) elements")
        }
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// A matrix with every element set to `value`.
    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        self.rows = max(rows, 0)
        self.cols = max(cols, 0)
        self.storage = [Float](repeating: value, count: self.rows * self.cols)
    }

    /// Builds a matrix from nested rows. Throws when the rows differ in length.
    public init(_ nested: [[Float]]) throws {
        let cols = nested.first?.count ?? 0
        var flat: [Float] = []
        flat.reserveCapacity(nested.count * cols)
        for (index, row) in nested.enumerated() {
            guard row.count == cols else {
                throw HeadsError.shapeMismatch(operation: "Matrix(nested rows)", expected: "\(cols) columns in every row", found: "\(row.count) columns in row \(index)")
            }
            flat.append(contentsOf: row)
        }
        try self.init(rows: nested.count, cols: cols, storage: flat)
    }

    /// Internal initialiser for storage whose size is known to be right.
    init(uncheckedRows rows: Int, cols: Int, storage: [Float]) {
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// Element access. Indices are the caller's responsibility, like Array's subscript.
    public subscript(row: Int, col: Int) -> Float {
        get { storage[row * cols + col] }
        set { storage[row * cols + col] = newValue }
    }

    /// The elements of one row.
    public func row(_ index: Int) -> ArraySlice<Float> {
        storage[(index * cols)..<((index + 1) * cols)]
    }

    /// Shape as "RxC", for error messages.
    public var shapeDescription: String { "\(rows)x\(cols)" }

    /// Mutable access to the storage for the layer's own hot loops.
    mutating func withUnsafeMutableStorage<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0) }
    }

    // MARK: Gathers

    /// The rows at `indices`, in that order (indices may repeat).
    public func gatherRows(_ indices: [Int]) throws -> Matrix {
        for index in indices where !(0..<rows).contains(index) {
            throw HeadsError.invalidIndex(what: "row index", index: index, validRange: 0..<rows)
        }
        var out = [Float](repeating: 0, count: indices.count * cols)
        storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for (k, index) in indices.enumerated() {
                    (d + k * cols).update(from: s + index * cols, count: cols)
                }
            }
        }
        return Matrix(uncheckedRows: indices.count, cols: cols, storage: out)
    }

    /// The rows in `range`.
    public func gatherRows(_ range: Range<Int>) throws -> Matrix {
        try gatherRows(Array(range))
    }

    /// The columns at `indices`, in that order (a task's input is a selection of feature blocks).
    public func gatherColumns(_ indices: [Int]) throws -> Matrix {
        for index in indices where !(0..<cols).contains(index) {
            throw HeadsError.invalidIndex(what: "column index", index: index, validRange: 0..<cols)
        }
        let outCols = indices.count
        var out = [Float](repeating: 0, count: rows * outCols)
        storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for r in 0..<rows {
                    let srcRow = r * cols, dstRow = r * outCols
                    for (k, index) in indices.enumerated() { dst[dstRow + k] = src[srcRow + index] }
                }
            }
        }
        return Matrix(uncheckedRows: rows, cols: outCols, storage: out)
    }

    /// The columns covered by `ranges` (for example the column ranges of the selected feature
    /// blocks), concatenated in the order given. Copies whole runs at a time.
    public func gatherColumns(_ ranges: [Range<Int>]) throws -> Matrix {
        for range in ranges where range.lowerBound < 0 || range.upperBound > cols {
            throw HeadsError.invalidIndex(what: "column range end", index: range.lowerBound < 0 ? range.lowerBound : range.upperBound, validRange: 0..<(cols + 1))
        }
        let outCols = ranges.reduce(0) { $0 + $1.count }
        var out = [Float](repeating: 0, count: rows * outCols)
        storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for r in 0..<rows {
                    var offset = r * outCols
                    for range in ranges where !range.isEmpty {
                        (d + offset).update(from: s + r * cols + range.lowerBound, count: range.count)
                        offset += range.count
                    }
                }
            }
        }
        return Matrix(uncheckedRows: rows, cols: outCols, storage: out)
    }

    /// The transpose, materialised (matmul takes transpose flags instead; use this only when a
    /// transposed copy is really needed).
    public func transposed() -> Matrix {
        var out = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols { out[c * rows + r] = storage[r * cols + c] }
        }
        return Matrix(uncheckedRows: cols, cols: rows, storage: out)
    }

    /// A copy with a column of ones appended on the right (the bias column of a linear model).
    public func appendingOnesColumn() -> Matrix {
        var out = [Float]()
        out.reserveCapacity(rows * (cols + 1))
        for r in 0..<rows {
            out.append(contentsOf: row(r))
            out.append(1)
        }
        return Matrix(uncheckedRows: rows, cols: cols + 1, storage: out)
    }

    // MARK: Validation

    /// The first non-finite element in row-major order, if any.
    public func firstNonFinite() -> (row: Int, col: Int)? {
        guard cols > 0 else { return nil }
        for (i, v) in storage.enumerated() where !v.isFinite { return (i / cols, i % cols) }
        return nil
    }

    /// Throws `HeadsError.nonFinite` naming `name` and the first bad row and column.
    public func requireFinite(name: String) throws {
        if let bad = firstNonFinite() { throw HeadsError.nonFinite(matrix: name, row: bad.row, column: bad.col) }
    }

    /// Throws `HeadsError.emptyData` when there are no rows or no columns.
    public func requireNonEmpty(name: String) throws {
        guard rows > 0, cols > 0 else { throw HeadsError.emptyData(what: "\(name) (\(shapeDescription))") }
    }

    // MARK: BLAS

    /// `op(self) · op(other)` through `cblas_sgemm`; transposition is a flag passed to BLAS,
    /// never a copy.
    public func matmul(_ other: Matrix, transposeSelf: Bool = false, transposeOther: Bool = false) throws -> Matrix {
        let m = transposeSelf ? cols : rows
        let k = transposeSelf ? rows : cols
        let k2 = transposeOther ? other.cols : other.rows
        let n = transposeOther ? other.rows : other.cols
        guard k == k2 else {
            throw HeadsError.shapeMismatch(operation: "matmul", expected: "inner dimensions to agree (\(k))", found: "\(k2) (left \(transposeSelf ? "T " : "")\(shapeDescription), right \(transposeOther ? "T " : "")\(other.shapeDescription))")
        }
        var out = Matrix(rows: m, cols: n)
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                out.storage.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(transA: transposeSelf, transB: transposeOther, m: m, n: n, k: k,
                               alpha: 1, a: a.baseAddress, lda: cols, b: b.baseAddress, ldb: other.cols,
                               beta: 0, c: c.baseAddress, ldc: n)
                }
            }
        }
        return out
    }

    /// `op(self) · vector` through `cblas_sgemv`.
    public func multiply(vector: [Float], transposeSelf: Bool = false) throws -> [Float] {
        let inner = transposeSelf ? rows : cols
        let outCount = transposeSelf ? cols : rows
        guard vector.count == inner else {
            throw HeadsError.shapeMismatch(operation: "gemv", expected: "vector of \(inner) elements", found: "\(vector.count)")
        }
        var out = [Float](repeating: 0, count: outCount)
        guard rows > 0, cols > 0 else { return out }
        storage.withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { y in
                    cblas_sgemv(CblasRowMajor, transposeSelf ? CblasTrans : CblasNoTrans, Int32(rows), Int32(cols),
                                1, a.baseAddress, Int32(cols), x.baseAddress, 1, 0, y.baseAddress, 1)
                }
            }
        }
        return out
    }

    /// Elementwise sum; shapes must agree.
    public static func + (lhs: Matrix, rhs: Matrix) throws -> Matrix {
        guard lhs.rows == rhs.rows, lhs.cols == rhs.cols else {
            throw HeadsError.shapeMismatch(operation: "+", expected: lhs.shapeDescription, found: rhs.shapeDescription)
        }
        return Matrix(uncheckedRows: lhs.rows, cols: lhs.cols, storage: zip(lhs.storage, rhs.storage).map { $0 + $1 })
    }

    /// Every element multiplied by `scalar`.
    public func scaled(by scalar: Float) -> Matrix {
        Matrix(uncheckedRows: rows, cols: cols, storage: storage.map { $0 * scalar })
    }

    /// Index of the largest element of each row (first one on ties, like `numpy.argmax`).
    public func argmaxPerRow() -> [Int] {
        guard cols > 0 else { return [Int](repeating: 0, count: rows) }
        return (0..<rows).map { r in
            let base = r * cols
            var best = 0
            var bestValue = storage[base]
            for c in 1..<cols where storage[base + c] > bestValue {
                best = c
                bestValue = storage[base + c]
            }
            return best
        }
    }
}

/// Thin wrappers over CBLAS/LAPACK on raw pointers, used by the hot loops of the heads.
enum BLAS {
    /// Row-major `C = alpha · op(A) · op(B) + beta · C`.
    @inline(__always)
    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>?, lda: Int, b: UnsafePointer<Float>?, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>?, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // BLAS would only scale C; do it here so that empty inner dimensions are well defined.
            guard let c else { return }
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)),
                    beta, c, Int32(max(ldc, 1)))
    }

    /// Row-major double-precision `C = alpha · op(A) · op(B) + beta · C`.
    @inline(__always)
    static func dgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                      a: UnsafePointer<Double>?, lda: Int, b: UnsafePointer<Double>?, ldb: Int,
                      beta: Double, c: UnsafeMutablePointer<Double>?, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            guard let c else { return }
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)),
                    beta, c, Int32(max(ldc, 1)))
    }
}

/// The BLAS library's threading, for tools that report or pin it.
public enum BLASConfiguration {
    /// Number of threads OpenBLAS uses.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads OpenBLAS uses (process-wide, like `OPENBLAS_NUM_THREADS`).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(count, 1)))
    }

    /// The idle spin of OpenBLAS's worker threads (`OPENBLAS_THREAD_TIMEOUT`, log₂ of the
    /// cycles a worker polls for new work before it sleeps), as set in the environment.
    public static var threadTimeout: String {
        ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] ?? "library default (2^28 cycles)"
    }

    /// Makes OpenBLAS's idle worker threads sleep after 2^`log2Cycles` cycles instead of the
    /// library's 2^28 (about 0.1 s), unless `OPENBLAS_THREAD_TIMEOUT` is already set.
    ///
    /// Why: between two BLAS calls a worker keeps polling its core. When the caller then
    /// runs its own two-thread work (the MLP's AdamW pass, batch loads), the poller competes
    /// for a core; on a 2-core machine that cost the MLP 16 % and the suite 18 %.
    ///
    /// OpenBLAS reads this setting only when its thread pool starts, so the pool is restarted
    /// through `openblas_read_env`, `blas_thread_shutdown_` and `blas_thread_init`, looked up
    /// at run time (they are exported by OpenBLAS but not declared in its headers). Call it
    /// once, at start-up, before any other thread uses BLAS. Returns false, changing nothing,
    /// when the variable is set already or the library lacks those symbols.
    @discardableResult
    public static func shortenIdleSpin(log2Cycles: Int = 4) -> Bool {
        guard ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"] == nil else { return false }
        #if canImport(Glibc)
        typealias ReadEnvironment = @convention(c) () -> Void
        typealias PoolControl = @convention(c) () -> Int32
        let handle = dlopen(nil, RTLD_NOW)
        defer { if let handle { dlclose(handle) } }
        guard let read = dlsym(handle, "openblas_read_env"), let shutdown = dlsym(handle, "blas_thread_shutdown_"),
              let start = dlsym(handle, "blas_thread_init") else { return false }
        setenv("OPENBLAS_THREAD_TIMEOUT", String(min(max(log2Cycles, 4), 30)), 1)
        unsafeBitCast(read, to: ReadEnvironment.self)()
        _ = unsafeBitCast(shutdown, to: PoolControl.self)()
        _ = unsafeBitCast(start, to: PoolControl.self)()
        return true
        #else
        return false
        #endif
    }
}
