/// Row-level value scans shared by the quality pass and the readers that mask bad rows: one
/// pass over a block of rows, counting rows that hold a non-finite value and rows that are all
/// zero. Pure functions over buffers, so the feature build can run them on the arrays it has
/// already read instead of reading a dataset twice.
public struct RowScan: Sendable, Equatable {
    /// Rows holding at least one NaN or ±Inf (absolute row numbers, ascending).
    public private(set) var nonFiniteRows: [Int] = []
    /// Rows whose every value is exactly zero (and finite).
    public private(set) var zeroRows: [Int] = []
    /// Rows holding at least one negative value (for non-negative quantities such as depth).
    public private(set) var negativeRows: [Int] = []
    /// Rows scanned so far.
    public private(set) var rows = 0

    public init() {}

    /// Scans `values` as rows of `width` numbers, the first being absolute row `firstRow`.
    public mutating func scan<T: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<T>, width: Int, firstRow: Int, negatives: Bool = false) {
        guard width > 0 else { return }
        let count = values.count / width
        for r in 0..<count {
            let row = UnsafeBufferPointer(rebasing: values[(r * width)..<((r + 1) * width)])
            let (finite, zero, negative): (Bool, Bool, Bool)
            if T.self == Float.self {
                (finite, zero, negative) = row.withMemoryRebound(to: UInt32.self) { Self.classify($0, magnitude: 0x7fff_ffff, exponent: 0x7f80_0000, carry: 0x0080_0000) }
            } else if T.self == Double.self {
                (finite, zero, negative) = row.withMemoryRebound(to: UInt64.self) {
                    Self.classify($0, magnitude: 0x7fff_ffff_ffff_ffff, exponent: 0x7ff0_0000_0000_0000, carry: 0x0010_0000_0000_0000)
                }
            } else {
                (finite, zero, negative) = (row.allSatisfy(\.isFinite), row.allSatisfy { $0 == 0 }, row.contains { $0 < 0 })
            }
            if !finite { nonFiniteRows.append(firstRow + r) } else if zero { zeroRows.append(firstRow + r) }
            if negatives && negative && finite { negativeRows.append(firstRow + r) }
        }
        rows += count
    }

    /// One row's IEEE bit patterns, branch-free so the loop vectorises (depth rows are 65,536
    /// values): non-finite when the exponent is all ones (adding its lowest bit carries into
    /// the sign position), zero when the magnitude is, negative when the sign is set on a
    /// non-zero magnitude.
    @inline(__always)
    static func classify<U: FixedWidthInteger & UnsignedInteger>(_ bits: UnsafeBufferPointer<U>, magnitude: U, exponent: U, carry: U) -> (finite: Bool, zero: Bool, negative: Bool) {
        let top = U.bitWidth - 1
        var nonFinite: U = 0, nonZero: U = 0, negative: U = 0
        for b in bits {
            let m = b & magnitude
            nonFinite |= ((b & exponent) &+ carry) >> top
            nonZero |= m
            negative |= (b >> top) & ((m &+ magnitude) >> top)
        }
        return (nonFinite == 0, nonZero == 0, negative != 0)
    }

    /// Scans an array (see ``scan(_:width:firstRow:negatives:)``).
    public mutating func scan<T: BinaryFloatingPoint>(_ values: [T], width: Int, firstRow: Int = 0, negatives: Bool = false) {
        values.withUnsafeBufferPointer { scan($0, width: width, firstRow: firstRow, negatives: negatives) }
    }

    /// The scan of a whole array.
    public static func of<T: BinaryFloatingPoint>(_ values: [T], width: Int, negatives: Bool = false) -> RowScan {
        var scan = RowScan()
        scan.scan(values, width: width, negatives: negatives)
        return scan
    }

    /// Per-row validity: false where a row holds a non-finite value.
    public func finiteMask(rows n: Int) -> [Bool] {
        var mask = [Bool](repeating: true, count: n)
        for r in nonFiniteRows where r < n { mask[r] = false }
        return mask
    }
}
