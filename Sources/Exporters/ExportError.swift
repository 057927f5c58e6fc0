import Foundation

/// What stops an export step. Every case names the file (and the episode or record) so a user
/// can find the bad input; per-episode problems that only skip an episode are not errors but
/// skip reasons in the manifests.
public enum ExportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A dataset root that does not exist or holds no episode folder.
    case noEpisodes(root: String, detail: String)
    /// An input file (manifest, split, template, JSONL) that cannot be read or parsed.
    case badInput(file: String, detail: String)
    /// An output that cannot be written.
    case writeFailed(path: String, detail: String)
    /// An option value or a combination that cannot work.
    case invalidOption(String)
    /// An existing output folder made with different settings (a resume needs the same ones).
    case settingsChanged(folder: String, detail: String)

    public var description: String {
        switch self {
        case .noEpisodes(let root, let detail): return "\(root): no episodes (\(detail))"
        case .badInput(let file, let detail): return "\(file): \(detail)"
        case .writeFailed(let path, let detail): return "cannot write \(path): \(detail)"
        case .invalidOption(let detail): return detail
        case .settingsChanged(let folder, let detail): return "\(folder) was made with other settings (\(detail)); use a new --out folder, or pass --overwrite to start again"
        }
    }
}
