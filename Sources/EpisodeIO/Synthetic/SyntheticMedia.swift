import Foundation
import XPCore

/// Writes the six MP4 streams of a synthetic episode: H.264 video whose colour, texture and
/// motion follow the scripted action (N + 1 frames with the annotation's timestamps, as the
/// release), and an AAC track in `fisheye_cam0.mp4` that plays the action's tone.
public enum SyntheticMedia {
    /// Writes all streams; the `no-audio` variant writes no audio track.
    public static func writer(_ episode: SyntheticEpisode, _ motion: SyntheticMotionView) throws {
        let config = episode.config
        let streams: [(name: String, size: (width: Int, height: Int), tint: [Double], shift: Double)] = [
            ("fisheye_cam0", config.fisheyeSize, [1.00, 0.95, 0.90], 0.00),
            ("fisheye_cam1", config.fisheyeSize, [0.90, 1.00, 0.95], 0.21),
            ("fisheye_cam2", config.fisheyeSize, [0.95, 0.90, 1.00], 0.43),
            ("fisheye_cam3", config.fisheyeSize, [1.00, 1.00, 0.85], 0.67),
            ("stereo_left", config.stereoSize, [1.00, 1.00, 1.00], 0.00),
            ("stereo_right", config.stereoSize, [1.00, 1.00, 1.00], 0.04),
        ]
        // The six streams are independent: encode them in parallel, one per core.
        let failures = FailureBox()
        DispatchQueue.concurrentPerform(iterations: streams.count) { index in
            let stream = streams[index]
            let withAudio = index == 0 && config.variant != .noAudio
            do {
                try writeStream(episode: episode, motion: motion, name: stream.name, size: stream.size, tint: stream.tint,
                                shift: stream.shift, audio: withAudio)
            } catch {
                failures.record(index, error)
            }
        }
        if let error = failures.first { throw error }
    }

    /// Collects errors from concurrent stream writers; the first stream's error wins.
    final class FailureBox: @unchecked Sendable {
        let lock = NSLock()
        var errors: [(Int, any Error)] = []
        func record(_ index: Int, _ error: any Error) {
            lock.lock()
            errors.append((index, error))
            lock.unlock()
        }
        var first: (any Error)? { errors.min { $0.0 < $1.0 }?.1 }
    }

    /// Frame i's picture: a background in the action's hue, stripes at the action's angle and
    /// frequency drifting with time, and a bright disc where the left hand is when it is visible.
    /// Drawn at 1/8 (1/2 for small sizes) resolution and enlarged by block copies, which keeps
    /// the sample-size episode quick to write.
    static func drawFrame(_ i: Int, motion: SyntheticMotionView, width: Int, height: Int, tint: [Double], shift: Double,
                          into pixels: inout [UInt8]) {
        let frame = min(i, motion.frameCount - 1)
        let (activity, phase) = motion.activity(frame)
        let look = motion.look(activity)
        let t = motion.seconds(frame) + Double(i - frame) * 0.05
        let block = width >= 256 ? 8 : 2
        let lw = width / block, lh = height / block
        let base = hueToRGB(look.hue)
        let (c, s) = (cos(look.stripeAngle), sin(look.stripeAngle))
        let handX = 0.35 + 0.15 * sin(2 * Double.pi * 0.7 * t) + shift * 0.2
        let handY = 0.65 + 0.1 * cos(2 * Double.pi * 0.5 * t)
        let handVisible = motion.leftHandVisible(frame)
        let brightness = 0.75 + 0.2 * sin(2 * Double.pi * phase)
        var low = [UInt8](repeating: 0, count: lw * lh * 3)
        for y in 0..<lh {
            let v = (Double(y) + 0.5) / Double(lh)
            for x in 0..<lw {
                let u = (Double(x) + 0.5) / Double(lw) + shift
                let stripe = 0.5 + 0.5 * sin(2 * Double.pi * (look.stripeFrequency * (u * c + v * s) - 0.4 * t))
                var rgb = (0..<3).map { base[$0] * tint[$0] * brightness * (0.55 + 0.45 * stripe) }
                if handVisible {
                    let dx = u - shift - handX, dy = v - handY
                    if dx * dx + dy * dy < 0.012 { rgb = [0.93, 0.76, 0.65] }
                }
                for k in 0..<3 { low[(y * lw + x) * 3 + k] = UInt8(max(0, min(255, (rgb[k] * 255).rounded()))) }
            }
        }
        for y in 0..<height {
            let ly = min(y / block, lh - 1)
            let row = y * width * 3
            for x in 0..<width {
                let lx = min(x / block, lw - 1)
                let src = (ly * lw + lx) * 3
                pixels[row + x * 3] = low[src]
                pixels[row + x * 3 + 1] = low[src + 1]
                pixels[row + x * 3 + 2] = low[src + 2]
            }
        }
    }

    static func hueToRGB(_ h: Double) -> [Double] {
        let x = h * 6
        let r = max(0, min(1, abs(x - 3) - 1)), g = max(0, min(1, 2 - abs(x - 2))), b = max(0, min(1, 2 - abs(x - 4)))
        return [0.25 + 0.7 * r, 0.25 + 0.7 * g, 0.25 + 0.7 * b]
    }

    static func writeStream(episode: SyntheticEpisode, motion: SyntheticMotionView, name: String, size: (width: Int, height: Int),
                            tint: [Double], shift: Double, audio: Bool) throws {
        let config = episode.config
        let url = episode.folder.appendingPathComponent(name + ".mp4")
        let video = MP4VideoTrackOptions(width: size.width, height: size.height, frameRate: MediaRational(20, 1),
                                         timeBase: MediaRational(1, 1_000_000), preset: size.width >= 1000 ? "ultrafast" : "veryfast",
                                         keyframeInterval: 40)
        let audioOptions = audio ? MP4AudioTrackOptions(sampleRate: config.audioSampleRate, channels: 1) : nil
        let writer = try MP4Writer(url: url, video: video, audio: audioOptions)
        let n = motion.frameCount
        let t0 = episode.timestamps[0]
        var pixels = [UInt8](repeating: 0, count: size.width * size.height * 3)
        var rng = SplitMix64(seed: config.seed).fork(0xA0D1_0001)
        let rate = Double(config.audioSampleRate)
        var sampleCursor = 0
        for i in 0...n {
            drawFrame(i, motion: motion, width: size.width, height: size.height, tint: tint, shift: shift, into: &pixels)
            let pts = i < n ? (episode.timestamps[i] - t0) / 1000 : (episode.timestamps[n - 1] - t0) / 1000 + 50_000
            try writer.appendFrame(pixels, pts: pts)
            if audio {
                // Audio up to the end of this frame's 50 ms slot.
                let end = Int((Double(pts) / 1e6 + 0.05) * rate)
                guard end > sampleCursor else { continue }
                let frame = min(i, n - 1)
                let f = motion.tone(motion.activity(frame).index)
                var samples = [Float](repeating: 0, count: end - sampleCursor)
                for k in 0..<samples.count {
                    let time = Double(sampleCursor + k) / rate
                    let value = 0.25 * sin(2 * Double.pi * f * time) + 0.08 * sin(4 * Double.pi * f * time) + 0.01 * rng.normal()
                    samples[k] = Float(value)
                }
                try writer.appendAudio(samples)
                sampleCursor = end
            }
        }
        try writer.finish()
    }
}
