/// What stops the error analysis or the dense index: an input that cannot be read (named by
/// file and, for JSON Lines, by line), an option that cannot work, or an output that cannot be
/// written.
public enum ErrorAnalysisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `file` (and `line`, 1-based, for a JSONL file) cannot be used.
    case badInput(file: String, line: Int?, detail: String)
    case invalidOption(String)
    case writeFailed(path: String, detail: String)

    public var description: String {
        switch self {
        case let .badInput(file, line?, detail): return "\(file):\(line): \(detail)"
        case let .badInput(file, nil, detail): return "\(file): \(detail)"
        case let .invalidOption(detail): return detail
        case let .writeFailed(path, detail): return "cannot write \(path): \(detail)"
        }
    }
}

/// A place where the reference script would have crashed (or done something it cannot do
/// twice the same way) and this port carries on, with what it did instead. Reference-mode
/// outputs reproduce the reference only for inputs that produce no deviation.
public struct ReferenceDeviation: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// `objects` is null, a number or a boolean: iterating it raises `TypeError`.
        case objectsNotIterable = "objects_not_iterable"
        /// `true_json` / `pred_json` is truthy but not an object: `.get` raises.
        case jsonNotObject = "json_not_object"
        /// A predicted `objects` dict with more than 20 keys: slicing it raises.
        case objectsDictSliced = "objects_dict_sliced"
        /// `json_validity_rate` is null or not a number: `:.4f` raises.
        case validityNotNumber = "validity_not_number"
        /// The family label is truthy but not a string: `.strip()` raises (§1.8).
        case labelNotString = "label_not_string"
    }

    public var kind: Kind
    /// The row's position among the prediction rows (0-based), nil for file-level cases.
    public var row: Int?
    /// The row's `id`, when it has a string one.
    public var id: String?
    /// The field, e.g. `pred_json.objects`.
    public var field: String
    /// What the reference does and what was done instead.
    public var detail: String

    public var description: String {
        var where_ = field
        if let row { where_ = "row \(row + 1)" + (id.map { " (\($0))" } ?? "") + " " + field }
        return "\(kind.rawValue): \(where_): \(detail)"
    }
}
