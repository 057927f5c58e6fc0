import XPCore

/// True when two parsed documents are the same tree: same kinds (an integer is not a double),
/// same key order, NaN identical to NaN. Stricter than `JSONValue ==` (Python's `==`), which is
/// what a write-then-read round trip must preserve.
public func jsonIdentical(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case let (.bool(x), .bool(y)): return x == y
    case let (.int(x), .int(y)): return x == y
    case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
    case let (.string(x), .string(y)): return x == y
    case let (.array(x), .array(y)):
        return x.count == y.count && zip(x, y).allSatisfy { jsonIdentical($0, $1) }
    case let (.object(x), .object(y)):
        return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && jsonIdentical($0.1, $1.1) }
    default: return false
    }
}
