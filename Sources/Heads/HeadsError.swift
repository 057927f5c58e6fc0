/// Everything that can go wrong in the heads layer. Each case says what was expected and what
/// was found, so a caller can report it without guessing.
public enum HeadsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two operands (or an operand and a declared shape) do not fit together.
    case shapeMismatch(operation: String, expected: String, found: String)
    /// A NaN or infinity in data that must be finite; row and column of the first bad value.
    case nonFinite(matrix: String, row: Int, column: Int)
    /// An operation that needs at least one row (or column, or class) got none.
    case emptyData(what: String)
    /// A label or index outside its valid range.
    case invalidIndex(what: String, index: Int, validRange: Range<Int>)
    /// A configuration value outside its valid range.
    case invalidParameter(name: String, expected: String, found: String)
    /// A LAPACK solve or factorisation reported failure (`info` as returned by LAPACK).
    case solveFailed(routine: String, info: Int)
    /// A safetensors file (or buffer) that does not follow the format.
    case malformedSafetensors(reason: String)
    /// A safetensors file that is valid but does not hold the head that was asked for.
    case incompatibleArchive(expected: String, found: String)
    /// Reading or writing a file failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, expected, found):
            return "\(operation): expected shape \(expected), found \(found)"
        case let .nonFinite(matrix, row, column):
            return "\(matrix) holds a non-finite value (NaN or infinity) at row \(row), column \(column); clean or impute the input before training"
        case let .emptyData(what):
            return "\(what) is empty; at least one element is needed"
        case let .invalidIndex(what, index, range):
            return "\(what) \(index) is outside the valid range \(range.lowerBound)..<\(range.upperBound)"
        case let .invalidParameter(name, expected, found):
            return "parameter \(name): expected \(expected), found \(found)"
        case let .solveFailed(routine, info):
            return "\(routine) failed with info \(info) (matrix singular or not positive definite); increase the regularisation"
        case let .malformedSafetensors(reason):
            return "malformed safetensors data: \(reason)"
        case let .incompatibleArchive(expected, found):
            return "safetensors archive holds \(found), expected \(expected)"
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}
