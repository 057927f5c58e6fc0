/// Why an output could not be written or committed: the path and what went wrong (the
/// system's reason included), so the message tells the user which file and what to fix.
public struct OutputError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file or folder being written (the destination, not the temporary name).
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot write \(path): \(reason)" }
}
