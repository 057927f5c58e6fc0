/// Why a metric could not be computed. Each case says what was expected and what was found.
public enum MetricsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two inputs that must pair up element by element have different lengths.
    case lengthMismatch(what: String, expected: Int, found: Int)
    /// An input that must hold at least one element is empty.
    case empty(what: String)
    /// An input holds NaN or an infinity at the given flat index.
    case nonFinite(what: String, index: Int)
    /// A class id lies outside `0..<classCount`.
    case labelOutOfRange(what: String, index: Int, value: Int, classCount: Int)
    /// A flat array cannot be read with the stated shape.
    case shapeMismatch(what: String, expected: String, found: String)
    /// A parameter is outside its valid range.
    case invalidParameter(name: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .lengthMismatch(what, expected, found):
            return "\(what): expected \(expected) elements, found \(found); pass arrays that pair up element by element"
        case let .empty(what):
            return "\(what): expected at least one element, found none; metrics are undefined on an empty set"
        case let .nonFinite(what, index):
            return "\(what): expected finite values, found NaN or infinity at index \(index); clean or mask the input first"
        case let .labelOutOfRange(what, index, value, classCount):
            return "\(what): expected class ids in 0..<\(classCount), found \(value) at index \(index); check the class list"
        case let .shapeMismatch(what, expected, found):
            return "\(what): expected shape \(expected), found \(found)"
        case let .invalidParameter(name, expected, found):
            return "parameter \(name): expected \(expected), found \(found)"
        }
    }
}

// MARK: - Input checks shared by the metric files

@inline(__always)
func requireSameLength(_ what: String, expected: Int, found: Int) throws(MetricsError) {
    if expected != found { throw .lengthMismatch(what: what, expected: expected, found: found) }
}

@inline(__always)
func requireNonEmpty(_ what: String, count: Int) throws(MetricsError) {
    if count == 0 { throw .empty(what: what) }
}

func requireFinite(_ what: String, _ values: [Double]) throws(MetricsError) {
    for (i, v) in values.enumerated() where !v.isFinite {
        throw .nonFinite(what: what, index: i)
    }
}

func requireFinite(_ what: String, _ values: [Float]) throws(MetricsError) {
    for (i, v) in values.enumerated() where !v.isFinite {
        throw .nonFinite(what: what, index: i)
    }
}

func requireLabels(_ what: String, _ labels: [Int], classCount: Int) throws(MetricsError) {
    for (i, v) in labels.enumerated() where v < 0 || v >= classCount {
        throw .labelOutOfRange(what: what, index: i, value: v, classCount: classCount)
    }
}

/// `2PR/(P+R)`, or 0 when `P + R == 0` (the reference's convention for undefined F1).
@inline(__always)
func harmonicF1(_ p: Double, _ r: Double) -> Double {
    p + r > 0 ? 2 * p * r / (p + r) : 0
}

/// `num/den`, or 0 when `den == 0`.
@inline(__always)
func ratioOrZero(_ num: Int, _ den: Int) -> Double {
    den > 0 ? Double(num) / Double(den) : 0
}
