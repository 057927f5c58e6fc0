import EpisodeIO
import Foundation

// The context audio of a Qwen3-Omni record (spec exporters.md §2.3): 16 kHz mono PCM16 WAV of the
// record's context span, from the episode's primary stream.

/// One written WAV clip.
public struct AudioClipResult: Sendable, Equatable {
    public var url: URL
    /// 16 000.
    public var sampleRate: Int
    /// Samples written (mono); 0 when the span starts past the end of the audio.
    public var samples: Int
    /// `samples / sampleRate`.
    public var seconds: Double
    /// The span asked for, as the reference formats it (`%.3f` of `ctx_start/fps` and of
    /// `max((ctx_end − ctx_start + 1)/fps, 0.01)`).
    public var start: Double
    public var duration: Double
}

/// The audio of one episode, decoded once, cut into per-record WAV clips.
///
/// The reference runs `ffmpeg -ss {ctx_start/fps:.3f} -t {duration:.3f} -i primary -vn -ac 1
/// -ar 16000 out.wav` for every record (an input seek, then decoding the span). This decodes the
/// primary stream's audio **once per episode** to 16 kHz mono (`decodeAudio`, libswresample's
/// downmix and resampler, as ffmpeg's `-ac 1 -ar 16000`) and slices each record's samples
/// `[round(start·16000), round((start+duration)·16000))` (half to even), clamped to the decoded
/// audio. The samples can differ slightly from ffmpeg's at the cut edges (its resampler starts
/// afresh at each seek point; here it runs through), not in count or timing.
///
/// ```swift
/// let audio = try ContextAudio(episodeFolder: episode)
/// if let clip = try audio.write(contextStart: 389, contextEnd: 508, to: wav) { print(clip.samples) }
/// ```
public struct ContextAudio {
    /// Primary candidates in the reference's order; after them, the other cameras.
    public static let primaryCandidates = ["fisheye_cam0.mp4", "stereo_left.mp4", "stereo_right.mp4"]
    public static let sampleRate = 16_000

    public let episodeFolder: URL
    /// File name of the primary stream (e.g. "fisheye_cam0.mp4"), nil when the folder has no video.
    public var primary: String?
    /// The primary video's average frame rate (OpenCV's `CAP_PROP_FPS`), 30 when unknown.
    public var fps: Double
    /// Whether clips can be written: the primary exists and its audio track decodes.
    public var hasAudio: Bool
    /// Why there is no audio (no video, no audio track, or the decode error), nil with audio.
    public var unavailableReason: String?
    /// The primary's whole audio track, 16 kHz mono Float32.
    private var samples: [Float]

    /// Finds the primary stream, reads its frame rate and decodes its audio.
    ///
    /// Throws `.folderNotFound` when `episodeFolder` is not a directory. A missing video, a file
    /// without an audio track or one whose audio cannot be decoded is not an error (the reference
    /// writes `audio_path = null`): `hasAudio` is false and `unavailableReason` says why.
    public init(episodeFolder: URL) throws(MediaExportError) {
        self.episodeFolder = episodeFolder
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: episodeFolder.path, isDirectory: &isDir), isDir.boolValue else {
            throw .folderNotFound(path: episodeFolder.path)
        }
        let all = Self.primaryCandidates + EpisodeFiles.videos
        let primary = all.first { FileManager.default.fileExists(atPath: episodeFolder.appendingPathComponent($0).path) }
        self.primary = primary
        self.fps = 30
        self.hasAudio = false
        self.samples = []
        guard let primary else {
            unavailableReason = "no video in \(episodeFolder.path) (looked for \(all.joined(separator: ", ")))"
            return
        }
        let url = episodeFolder.appendingPathComponent(primary)
        // OpenCV reports 0 for an unknown or unopenable rate; the reference then uses 30.
        if let d = try? VideoDecoder(url: url), let f = d.fps, f > 0, f.isFinite { fps = f }
        do throws(MediaError) {
            let audio = try decodeAudio(url: url, options: AudioDecodeOptions(sampleRate: Self.sampleRate, channels: 1, start: 0))
            if audio.hasAudio {
                hasAudio = true
                samples = audio.samples
            } else {
                unavailableReason = "\(url.path): expected an audio track, found none"
            }
        } catch {
            unavailableReason = error.description
        }
    }

    /// Decoded samples of the primary (16 kHz mono).
    public var sampleCount: Int { samples.count }

    /// The reference's span for a context: `%.3f` of `ctx_start/fps` and of
    /// `max((ctx_end − ctx_start + 1)/fps, 0.01)`, read back as numbers.
    public func span(contextStart: Int, contextEnd: Int) -> (start: Double, duration: Double) {
        let start = Self.threeDecimals(Double(contextStart) / fps)
        let duration = Self.threeDecimals(max(Double(contextEnd - contextStart + 1) / fps, 0.01))
        return (start, duration)
    }

    /// Sample range `[round(start·rate), round((start+duration)·rate))` clamped to the audio.
    public func sampleRange(contextStart: Int, contextEnd: Int) -> Range<Int> {
        let (start, duration) = span(contextStart: contextStart, contextEnd: contextEnd)
        let rate = Double(Self.sampleRate)
        let a = Int((start * rate).rounded(.toNearestOrEven)), b = Int(((start + duration) * rate).rounded(.toNearestOrEven))
        let lo = min(max(0, a), samples.count), hi = min(max(lo, b), samples.count)
        return lo..<hi
    }

    /// Writes the context's WAV (16 kHz mono PCM16, atomically), or returns nil without audio
    /// (`unavailableReason`). Throws `.media(.writeFailed)` when the file cannot be written.
    public func write(contextStart: Int, contextEnd: Int, to url: URL) throws(MediaExportError) -> AudioClipResult? {
        guard hasAudio else { return nil }
        let range = sampleRange(contextStart: contextStart, contextEnd: contextEnd)
        let (start, duration) = span(contextStart: contextStart, contextEnd: contextEnd)
        let clip = Array(samples[range])
        do throws(MediaError) {
            try MosaicRenderer.makeParent(of: url)
            try writeWAV(clip, sampleRate: Self.sampleRate, channels: 1, to: url)
        } catch {
            throw .media(error)
        }
        return AudioClipResult(url: url, sampleRate: Self.sampleRate, samples: clip.count,
                               seconds: Double(clip.count) / Double(Self.sampleRate), start: start, duration: duration)
    }

    /// Python's `'%.3f' % x` read back as a Double (printf rounds the exact binary value, as Python).
    static func threeDecimals(_ x: Double) -> Double {
        Double(String(format: "%.3f", x)) ?? x
    }
}
