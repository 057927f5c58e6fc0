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
            var finite = true, zero = true, negative = false
            let base = r * width
            for k in base..<(base + width) {
                let v = values[k]
                if !v.isFinite { finite = false } else if v != 0 { zero = false; if v < 0 { negative = true } }
            }
            if !finite { nonFiniteRows.append(firstRow + r) } else if zero { zeroRows.append(firstRow + r) }
            if negatives && negative { negativeRows.append(firstRow + r) }
        }
        rows += count
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
