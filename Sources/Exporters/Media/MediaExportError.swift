import EpisodeIO
import Foundation

/// What can go wrong while rendering a record's mosaic clip or context audio. Every case names the
/// file or folder it is about; per-camera and per-frame read failures are not errors (they become
/// black tiles, reported in `MosaicResult`), and an episode without audio is not one either
/// (`ContextAudio.hasAudio == false` with a reason).
public enum MediaExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The episode folder does not exist or is not a directory.
    case folderNotFound(path: String)
    /// The renderer's options cannot produce a clip (odd mosaic size, more cameras than tiles, ...).
    case invalidOptions(path: String, detail: String)
    /// Encoding or writing an output file failed (the underlying error names the file).
    case media(MediaError)

    /// The file or folder this error is about.
    public var path: String {
        switch self {
        case .folderNotFound(let p), .invalidOptions(let p, _): return p
        case .media(let e): return e.path
        }
    }

    public var description: String {
        switch self {
        case .folderNotFound(let p):
            return "\(p): expected an episode folder, found nothing (or not a directory); check the path."
        case .invalidOptions(let p, let d):
            return "\(p): \(d)"
        case .media(let e):
            return e.description
        }
    }
}
