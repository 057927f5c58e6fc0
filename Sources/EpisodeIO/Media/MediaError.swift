import CLibAV

/// Everything that can go wrong while reading or writing an episode's MP4 and WAV files.
///
/// Each case names the file, says what was expected and what was found, and its
/// `description` tells the user what to do next.
public enum MediaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be opened for reading.
    case fileNotFound(path: String)
    /// The file exists but libavformat does not recognise it as a media container
    /// (garbage bytes, a truncated MP4 whose index is missing, an empty file).
    case notMediaFile(path: String, detail: String)
    /// The container has no stream of the requested kind ("video" or "audio").
    case noStream(path: String, kind: String)
    /// The stream's codec has no decoder (or encoder) in this libavcodec build.
    case unsupportedCodec(path: String, codec: String)
    /// Packets could not be read or decoded.
    case corruptStream(path: String, detail: String)
    /// The stream ended before the frame count the container declares.
    case truncatedStream(path: String, expectedFrames: Int, decodedFrames: Int)
    /// The video stream holds no frames at all.
    case emptyStream(path: String)
    /// A frame index outside `0..<frameCount` was requested.
    case frameOutOfRange(path: String, index: Int, frameCount: Int)
    /// A caller-supplied parameter is not usable (odd size for yuv420p, wrong buffer length, ...).
    case invalidArgument(path: String, detail: String)
    /// Encoding or writing an output file failed; nothing is left at the final path.
    case writeFailed(path: String, detail: String)

    /// The file this error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let p), .notMediaFile(let p, _), .noStream(let p, _),
            .unsupportedCodec(let p, _), .corruptStream(let p, _), .truncatedStream(let p, _, _),
            .emptyStream(let p), .frameOutOfRange(let p, _, _), .invalidArgument(let p, _),
            .writeFailed(let p, _):
            return p
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let p):
            return "\(p): file not found or not readable; check the episode folder and its permissions."
        case .notMediaFile(let p, let d):
            return "\(p): expected an MP4/media container, found something libavformat cannot open (\(d)); "
                + "the file may be truncated (missing moov index) or not a video; re-download or re-export it."
        case .noStream(let p, let k):
            return "\(p): expected a \(k) stream, found none; use a file that carries one."
        case .unsupportedCodec(let p, let c):
            return "\(p): codec '\(c)' has no decoder/encoder in this FFmpeg build; "
                + "re-encode the file to H.264/AAC or install an FFmpeg with that codec."
        case .corruptStream(let p, let d):
            return "\(p): the stream is corrupt (\(d)); re-download or re-export the file."
        case .truncatedStream(let p, let e, let f):
            return "\(p): the container declares \(e) frames but only \(f) could be decoded; "
                + "the file is truncated or damaged; re-download or re-export it."
        case .emptyStream(let p):
            return "\(p): expected at least one video frame, found none; the file holds an empty stream."
        case .frameOutOfRange(let p, let i, let n):
            return "\(p): frame \(i) requested, but the stream has frames 0..<\(n); ask for an index below \(n)."
        case .invalidArgument(let p, let d):
            return "\(p): \(d)"
        case .writeFailed(let p, let d):
            return "\(p): writing failed (\(d)); check free space and permissions; no partial file was left."
        }
    }
}

/// The text libav gives for an error code.
func avErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    let ok = buffer.withUnsafeMutableBufferPointer { av_strerror(code, $0.baseAddress, 256) }
    if ok < 0 { return "libav error \(code)" }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
