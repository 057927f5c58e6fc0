import Foundation

/// Why a suite step failed. Each case names the file or field and what to do.
public enum SuiteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A command-line or API argument is out of range.
    case invalidArgument(what: String, detail: String)
    /// A file could not be read or parsed.
    case unreadable(file: String, detail: String)
    /// Two inputs disagree in shape.
    case shapeMismatch(what: String, expected: String, found: String)
    /// The task cannot run on these inputs (missing modality, single class, no labels, ...).
    case notApplicable(task: String, reason: String)
    /// The output folder exists and `overwrite` was not given.
    case outputExists(path: String)
    /// Writing an output failed.
    case writeFailed(path: String, detail: String)

    public var description: String {
        switch self {
        case let .invalidArgument(what, detail): return "invalid \(what): \(detail)"
        case let .unreadable(file, detail): return "cannot read \(file): \(detail)"
        case let .shapeMismatch(what, expected, found): return "\(what): expected \(expected), found \(found)"
        case let .notApplicable(task, reason): return "\(task) is not applicable: \(reason)"
        case let .outputExists(path): return "output folder \(path) exists; pass --overwrite to replace it"
        case let .writeFailed(path, detail): return "cannot write \(path): \(detail)"
        }
    }
}
