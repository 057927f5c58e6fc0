import EpisodeIO
import Foundation

/// The raw log-mel features of an episode's `fisheye_cam0.mp4` audio, one row per window.
public struct LogMelEpisodeFeatures: Sendable {
    /// windows × 588, row-major.
    public var values: [Float]
    public var rows: Int
    /// The video frame rate the segments were cut with (the container's, as the reference's ffprobe).
    public var fps: Double
    /// Decoded mono 16 kHz samples.
    public var sampleCount: Int
    public var source: String

    /// Decodes the audio of `fisheye_cam0.mp4` (mono, 16 kHz) and computes the 588 values of
    /// each window. Without a container frame rate, the annotation's frame count over the
    /// audio duration is used (the reference divides the window count instead, a bug).
    /// - Throws: `EpisodeError` / `MediaError` naming the file when it is absent or has no audio.
    public static func compute(episodeAt folder: URL, windows: [Window], frameCount: Int) throws -> LogMelEpisodeFeatures {
        let episode = try Episode(path: folder.path)
        let info = try episode.probeMedia("fisheye_cam0")
        guard info.hasAudio else {
            throw WindowAlignError.invalidArgument(what: "\(episode.mediaURL("fisheye_cam0").path)",
                                                   detail: "has no audio track; the log-mel audio ablation needs the AAC track of fisheye_cam0.mp4")
        }
        let decoded = try episode.decodeAudioTrack("fisheye_cam0", options: AudioDecodeOptions(sampleRate: LogMelFeatures.sampleRate, channels: 1))
        let fps = info.fps ?? fallbackAudioFPS(frameCount: frameCount, sampleCount: decoded.samples.count, sampleRate: LogMelFeatures.sampleRate)
        let values = LogMelFeatures.windowFeatures(samples: decoded.samples, windows: windows.map { ($0.start, $0.end) }, fps: fps)
        return LogMelEpisodeFeatures(values: values, rows: windows.count, fps: fps, sampleCount: decoded.samples.count, source: "fisheye_cam0.mp4")
    }
}
