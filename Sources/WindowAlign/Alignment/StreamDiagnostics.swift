import EpisodeIO
import Foundation

/// What happened to one input stream: where it came from, how it was aligned to the
/// annotation frames, and whether its cache was reused.
public struct StreamDiagnostics: Sendable, Codable, Equatable {
    /// The feature block (or blocks, for `hands`) the stream feeds.
    public var block: String
    /// Whether the stream contributed data.
    public var present: Bool
    /// The dataset or file read.
    public var source: String
    /// Why it is absent, or how it was aligned when that deserves a note.
    public var note: String?
    /// Rows (samples, video frames) in the source.
    public var sourceRows: Int?
    /// Annotation frames filled from the source.
    public var alignedFrames: Int
    /// Annotation frames filled by holding the last good vector (reference video).
    public var heldFrames: Int
    /// Annotation frames left zero (past the end of the source, unmatched or masked).
    public var zeroFrames: Int
    /// Strict video: median of (video pts time − device time) over matched frames, seconds.
    /// Strict audio: the audio track's start relative to the first video pts, seconds.
    public var offsetSeconds: Double?
    /// Strict video: the largest |pts time − device time| among matched frames, seconds.
    public var maxResidualSeconds: Double?
    /// Strict video: matched frames whose video index differs from the annotation index.
    public var indexMismatchFrames: Int?
    /// "hit", "built" or "off".
    public var cache: String
    /// Seconds spent on this stream.
    public var seconds: Double

    init(block: String, present: Bool, source: String, note: String? = nil, sourceRows: Int? = nil,
         alignedFrames: Int = 0, heldFrames: Int = 0, zeroFrames: Int = 0, cache: String = "off", seconds: Double = 0) {
        self.block = block
        self.present = present
        self.source = source
        self.note = note
        self.sourceRows = sourceRows
        self.alignedFrames = alignedFrames
        self.heldFrames = heldFrames
        self.zeroFrames = zeroFrames
        self.cache = cache
        self.seconds = seconds
    }
}

/// Audio facts for `available_modalities.json`.
public struct AudioSummary: Sendable, Codable, Equatable {
    public var source: String
    public var exists: Bool
    public var hasAudio: Bool
    public var sampleRate: Int
    /// The frame rate used to map frames to samples (container fps in `reference`).
    public var fps: Double
    public var numSamples: Int
}
