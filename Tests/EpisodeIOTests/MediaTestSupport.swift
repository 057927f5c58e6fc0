import Foundation
@testable import EpisodeIO

/// Synthetic media the media tests write for themselves into a fresh temporary directory.
enum MediaTestSupport {
    static let width = 64
    static let height = 48
    static let frames = 24
    static let fps = 20
    /// Keyframe every 8 frames so random access has to pick the right group of pictures.
    static let gop = 8
    static let squareSize = 8

    /// Background colours, cycled per frame; far apart so codec error cannot confuse them.
    static let palette: [[UInt8]] = [[200, 40, 40], [40, 200, 40], [40, 40, 200], [200, 200, 40]]

    static func background(_ i: Int) -> [UInt8] { palette[i % palette.count] }
    /// Top-left corner of the white square in frame i (moves 2 px right, 1 px down per frame).
    static func square(_ i: Int) -> (x: Int, y: Int) { (4 + 2 * i, 8 + i) }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("xp-media-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func rgbFrame(_ i: Int) -> [UInt8] {
        var px = [UInt8](repeating: 0, count: width * height * 3)
        let bg = background(i)
        let sq = square(i)
        for y in 0..<height {
            for x in 0..<width {
                let inSquare = x >= sq.x && x < sq.x + squareSize && y >= sq.y && y < sq.y + squareSize
                let o = (y * width + x) * 3
                if inSquare {
                    px[o] = 255; px[o + 1] = 255; px[o + 2] = 255
                } else {
                    px[o] = bg[0]; px[o + 1] = bg[1]; px[o + 2] = bg[2]
                }
            }
        }
        return px
    }

    /// 0.5·sin(2π·440t) + 0.1·sin(2π·3000t), the test vector of the task-suite spec.
    static func tone(seconds: Double, rate: Int) -> [Float] {
        let n = Int(seconds * Double(rate))
        return (0..<n).map { i in
            let t = Double(i) / Double(rate)
            return Float(0.5 * sin(2 * .pi * 440 * t) + 0.1 * sin(2 * .pi * 3000 * t))
        }
    }

    /// Writes the coloured moving-square clip (optionally with the two-tone audio track).
    @discardableResult
    static func writeClip(to url: URL, frames: Int = frames, audioRate: Int? = nil, layout: MP4Layout = .standard) throws -> URL {
        let writer = try MP4Writer(
            url: url,
            video: MP4VideoTrackOptions(width: width, height: height, frameRate: MediaRational(fps, 1),
                                        crf: 12, preset: "veryfast", keyframeInterval: gop, threads: 1),
            audio: audioRate.map { MP4AudioTrackOptions(sampleRate: $0, channels: 1, bitRate: 128_000) },
            layout: layout)
        if let rate = audioRate {
            try writer.appendAudio(tone(seconds: Double(frames) / Double(fps), rate: rate))
        }
        for i in 0..<frames { try writer.appendFrame(rgbFrame(i)) }
        try writer.finish()
        return url
    }

    /// Goertzel power of `x` at frequency `f` (Hz) for sample rate `sr`.
    static func goertzel(_ x: ArraySlice<Float>, _ f: Double, _ sr: Double) -> Double {
        let w = 2 * Double.pi * f / sr
        let c = 2 * cos(w)
        var s1 = 0.0, s2 = 0.0
        for v in x {
            let s0 = Double(v) + c * s1 - s2
            s2 = s1
            s1 = s0
        }
        return s1 * s1 + s2 * s2 - c * s1 * s2
    }

    /// Amplitude of a sinusoid at `f` estimated from the Goertzel power over n samples.
    static func amplitude(_ x: ArraySlice<Float>, _ f: Double, _ sr: Double) -> Double {
        2 * sqrt(goertzel(x, f, sr)) / Double(x.count)
    }
}
