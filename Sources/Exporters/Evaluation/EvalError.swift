/// What stops an evaluation of generated JSON answers. Every case names the file and, where
/// there is one, the line, says what was expected and what was found, and what to do. Nothing
/// is written when one is thrown.
public enum EvalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file that cannot be opened or decompressed.
    case cannotRead(file: String, detail: String)
    /// A line that is not one JSON object.
    case malformedLine(file: String, line: Int, detail: String)
    /// A line without a field it needs, or with the wrong type.
    case badField(file: String, line: Int, field: String, expected: String, found: String)
    /// Two prediction rows for one id whose raw predictions differ.
    case conflictingDuplicate(id: String, first: String, second: String)
    /// Eval records without a prediction, and `--allow-missing` not given.
    case missingPredictions(missing: Int, expected: Int, examples: [String])
    /// No record of the eval split.
    case noEvalRecords(file: String, split: String, splitsFound: [String])
    /// A metrics or manifest file without what the re-score needs.
    case badMetadata(file: String, detail: String)
    /// The output folder cannot be written.
    case writeFailed(path: String, detail: String)

    public var description: String {
        switch self {
        case let .cannotRead(file, detail): return "cannot read \(file): \(detail)"
        case let .malformedLine(file, line, detail):
            return "\(file):\(line): \(detail); fix or remove the line (each line must be one JSON object)"
        case let .badField(file, line, field, expected, found):
            return "\(file):\(line): '\(field)' must be \(expected), found \(found)"
        case let .conflictingDuplicate(id, first, second):
            return "prediction id \(id) appears twice with different raw predictions, at \(first) and at \(second); keep one of them"
        case let .missingPredictions(missing, expected, examples):
            return "\(missing) of \(expected) eval records have no prediction (first: \(examples.joined(separator: ", "))); "
                + "add the missing shards, or pass --allow-missing to score them as empty answers"
        case let .noEvalRecords(file, split, found):
            return "\(file): no record has split '\(split)' (splits found: \(found.isEmpty ? "none" : found.joined(separator: ", "))); choose one with --split"
        case let .badMetadata(file, detail): return "\(file): \(detail)"
        case let .writeFailed(path, detail): return "cannot write \(path): \(detail)"
        }
    }
}
