import Foundation

/// What can go wrong in a pipeline: every case names the file (or command), what was expected,
/// what was found, and what to do.
public enum PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file read from disk (manifest, plan, marker) is not what it should be.
    case badInput(file: String, detail: String)
    /// A plan's option or setting is out of range.
    case badPlan(detail: String)
    /// Writing an output failed.
    case cannotWrite(path: String, reason: String)
    /// A command (a step's tool, or a Slurm client) could not be started or answered badly.
    case command(command: String, detail: String)

    public var description: String {
        switch self {
        case .badInput(let file, let detail): return "\(file): \(detail)"
        case .badPlan(let detail): return "plan: \(detail)"
        case .cannotWrite(let path, let reason): return "cannot write \(path): \(reason)"
        case .command(let command, let detail): return "\(command): \(detail)"
        }
    }
}
