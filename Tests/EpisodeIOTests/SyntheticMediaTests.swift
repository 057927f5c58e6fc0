import Foundation
import Testing
@testable import EpisodeIO

@Suite("Synthetic media")
struct SyntheticMediaTests {
    @Test("six H.264 streams of N + 1 frames with the annotation's timing; audio tones follow the action")
    func streams() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let config = SyntheticEpisodeConfig.tiny(seed: 5, frames: 240)
        let episode = try SyntheticEpisode.write(config, to: folder.url.appendingPathComponent("ep1"), media: SyntheticMedia.writer)
        let media = listEpisodeMedia(folder: episode.folder)
        #expect(media.map(\.status) == Array(repeating: "ok", count: 6))
        for entry in media {
            let video = try #require(entry.info?.video)
            #expect(video.codec == "h264")
            #expect(video.frameCount == 241)
            let size = entry.name.hasPrefix("stereo") ? config.stereoSize : config.fisheyeSize
            #expect(video.width == size.width && video.height == size.height)
            #expect(entry.info?.hasAudio == (entry.name == "fisheye_cam0"))
        }
        // Video pts follow the device timestamps (µs time base).
        let decoder = try VideoDecoder(url: episode.folder.appendingPathComponent("stereo_left.mp4"))
        let pts = try decoder.presentationTimestamps()
        let expected = episode.timestamps.map { Double($0 - episode.timestamps[0]) / 1e9 }
        let first = try decoder.frame(at: 100)
        #expect(abs(first.seconds - expected[100]) < 1e-3)
        #expect(pts.count == 241)

        // Two frames of different actions have different colours (the action drives the scene).
        let plan = episode.plan
        let a = plan.actions[0].frames.lowerBound + 2
        let b = plan.actions[1].frames.lowerBound + 2
        func meanRGB(_ frame: VideoFrame) -> [Double] {
            let p = frame.pixels
            return (0..<3).map { c in stride(from: c, to: p.count, by: 3).map { Double(p[$0]) }.reduce(0, +) / Double(p.count / 3) }
        }
        let ma = meanRGB(try decoder.frame(at: a)), mb = meanRGB(try decoder.frame(at: b))
        #expect(zip(ma, mb).map { abs($0 - $1) }.max()! > 3)

        // The audio plays the action's tone: at 16 kHz, the energy at that tone beats an off tone.
        let audio = try decodeAudio(url: episode.folder.appendingPathComponent("fisheye_cam0.mp4"))
        #expect(audio.hasAudio)
        #expect(abs(audio.durationSeconds - 241.0 / 20) < 0.2)
        let action = plan.actions[1]
        let start = Int(expected[action.frames.lowerBound] * 16_000) + 400
        let segment = Array(audio.samples[start..<(start + 1600)])
        let tone = 220 * pow(2, Double(action.activity) / 6)
        func power(_ f: Double) -> Double {
            var re = 0.0, im = 0.0
            for (k, x) in segment.enumerated() {
                let w = 2 * Double.pi * f * Double(k) / 16_000
                re += Double(x) * cos(w)
                im -= Double(x) * sin(w)
            }
            return re * re + im * im
        }
        #expect(power(tone) > 20 * power(tone * 1.37))
    }

    @Test("no-audio and no-video variants")
    func variants() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let silent = try SyntheticEpisode.write(.tiny(seed: 5, frames: 120, variant: .noAudio), to: folder.url.appendingPathComponent("a"), media: SyntheticMedia.writer)
        #expect(listEpisodeMedia(folder: silent.folder).allSatisfy { $0.status == "ok" && $0.info?.hasAudio == false })
        let none = try SyntheticEpisode.write(.tiny(seed: 5, frames: 120, variant: .noVideo), to: folder.url.appendingPathComponent("b"), media: SyntheticMedia.writer)
        #expect(listEpisodeMedia(folder: none.folder).allSatisfy { $0.status == "missing" })
        let summary = try Episode(path: none.folder.path).summary()
        #expect(summary.problems.contains { $0.hasPrefix("media missing") })
    }
}
