import Foundation
import XPCore

/// Errors raised by the WindowAlign layer. Each case names what was expected and what was
/// found, so the message alone tells the user what to fix.
public enum WindowAlignError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A window size, stride or label fraction is out of range.
    case invalidWindowSpec(String)
    /// A multiscale specification such as `multiscale_20s10_40s20_80s40` could not be parsed.
    case invalidMultiscaleSpec(spec: String, reason: String)
    /// An input that must hold at least one element was empty.
    case emptyInput(what: String)
    /// An array's element count does not match the shape it was declared with.
    case shapeMismatch(what: String, expected: Int, found: Int)
    /// A size or parameter is outside what the operation supports.
    case invalidArgument(what: String, detail: String)
    /// A CSV file could not be read as the expected table.
    case malformedCSV(line: Int, reason: String)
    /// A `.npy` file could not be read as the expected array.
    case malformedNPY(reason: String)
    /// A block name is not part of the fixed feature schema.
    case unknownBlock(String)
    /// Reading or writing a file failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidWindowSpec(let detail):
            return "invalid window spec: \(detail)"
        case .invalidMultiscaleSpec(let spec, let reason):
            return "invalid multiscale spec '\(spec)': \(reason) (expected e.g. multiscale_20s10_40s20_80s40)"
        case .emptyInput(let what):
            return "\(what) is empty; at least one element is required"
        case .shapeMismatch(let what, let expected, let found):
            return "\(what): expected \(expected) elements, found \(found)"
        case .invalidArgument(let what, let detail):
            return "\(what): \(detail)"
        case .malformedCSV(let line, let reason):
            return "CSV line \(line): \(reason)"
        case .malformedNPY(let reason):
            return "not a readable .npy array: \(reason)"
        case .unknownBlock(let name):
            return "unknown feature block '\(name)'; see FeatureSchema.reference for the 18 block names"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}

/// Writes `data` to `url` atomically (XPCore's `AtomicFile`: temporary sibling, `fsync`,
/// `rename(2)`), reporting a failure as ``WindowAlignError/io(path:reason:)``.
func atomicWrite(_ data: Data, to url: URL) throws(WindowAlignError) {
    do {
        try AtomicFile.write(data, to: url)
    } catch {
        throw .io(path: url.path, reason: error.reason)
    }
}
