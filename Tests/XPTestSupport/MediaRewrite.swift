import EpisodeIO
import Foundation
import XPCore

/// Re-encodes one MP4 stream of a corrupted copy with the project's `MP4Writer`: another
/// resolution, fewer frames, no audio or a short audio track.
enum MediaRewrite {
    /// Writes `frames` frames of `width`×`height` (a moving gradient) at the annotation's
    /// timestamps (pts in µs from the first, as the synthetic writer does; frames past the
    /// annotation 50 ms apart), and, with `audio` (sample rate, seconds), a tone of that length.
    static func write(_ url: URL, width: Int, height: Int, timestamps: [Int64], frames: Int, audio: (rate: Int, seconds: Double)?) throws {
        let video = MP4VideoTrackOptions(width: width, height: height, frameRate: MediaRational(20, 1),
                                         timeBase: MediaRational(1, 1_000_000), keyframeInterval: 40)
        let writer = try MP4Writer(url: url, video: video, audio: audio.map { MP4AudioTrackOptions(sampleRate: $0.rate, channels: 1) })
        let t0 = timestamps.first ?? 0
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var written = 0
        let totalSamples = audio.map { Int($0.seconds * Double($0.rate)) } ?? 0
        for i in 0..<frames {
            for y in 0..<height {
                for x in 0..<width {
                    let p = (y * width + x) * 3
                    pixels[p] = UInt8((x * 4 + i * 3) & 0xFF)
                    pixels[p + 1] = UInt8((y * 4) & 0xFF)
                    pixels[p + 2] = UInt8((i * 7) & 0xFF)
                }
            }
            let pts = i < timestamps.count ? (timestamps[i] - t0) / 1000 : ((timestamps.last ?? t0) - t0) / 1000 + Int64(i - timestamps.count + 1) * 50_000
            try writer.appendFrame(pixels, pts: pts)
            if let audio {
                let end = min(totalSamples, Int((Double(pts) / 1e6 + 0.05) * Double(audio.rate)))
                if end > written {
                    let samples = (written..<end).map { Float(0.25 * sin(2 * Double.pi * 440 * Double($0) / Double(audio.rate))) }
                    try writer.appendAudio(samples)
                    written = end
                }
            }
        }
        try writer.finish()
    }

    /// Problems when `url` does not probe, or its probe fails `predicate`.
    static func probeProblems(_ url: URL, _ predicate: (MediaInfo) -> Bool) throws -> [String] {
        let info = try MediaInfo.probe(url, countFrames: true)
        if predicate(info) { return [] }
        let v = info.video.map { "\($0.width)x\($0.height), \($0.frameCount) frames" } ?? "no video"
        let a = info.audio.map { "audio \($0.durationSeconds.map { String($0) } ?? "?") s" } ?? "no audio"
        return ["\(url.lastPathComponent) probes as \(v), \(a)"]
    }

    /// `count` seeded bytes that are no media container.
    static func garbage(count: Int) -> [UInt8] {
        var rng = SplitMix64(seed: 0x6A5B_A6E0)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }
}
