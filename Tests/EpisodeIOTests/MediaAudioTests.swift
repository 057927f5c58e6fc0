import Foundation
import Testing
@testable import EpisodeIO

@Suite("Media audio")
struct MediaAudioTests {
    typealias S = MediaTestSupport

    @Test func aacToneComesBackAt16kHzWithItsBands() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("av.mp4"), frames: 40, audioRate: 48_000)
        let info = try MediaInfo.probe(url)
        #expect(info.hasAudio)
        #expect(info.audio?.codec == "aac")
        #expect(info.audio?.sampleRate == 48_000)
        #expect(info.audio?.channels == 1)

        let audio = try decodeAudio(url: url)
        #expect(audio.hasAudio)
        #expect(audio.sampleRate == 16_000 && audio.channels == 1)
        #expect(audio.sourceSampleRate == 48_000)
        // 40 frames at 20 fps = 2 s = 32,000 samples; AAC frames round the end up to 1024 source samples.
        #expect(abs(audio.samples.count - 32_000) <= 400, "\(audio.samples.count) samples")
        // The middle second, away from encoder edges.
        let mid = audio.samples[8_000..<24_000]
        let a440 = S.amplitude(mid, 440, 16_000)
        let a3000 = S.amplitude(mid, 3000, 16_000)
        let aOff1 = S.amplitude(mid, 1500, 16_000)
        let aOff2 = S.amplitude(mid, 6000, 16_000)
        #expect(abs(a440 - 0.5) < 0.05, "440 Hz amplitude \(a440)")
        #expect(abs(a3000 - 0.1) < 0.02, "3 kHz amplitude \(a3000)")
        #expect(aOff1 < 0.01 && aOff2 < 0.01, "off-band \(aOff1), \(aOff2)")
    }

    @Test func spanDecodeTrimsToTheRequestedSamples() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("av.mp4"), frames: 40, audioRate: 44_100)
        let span = try decodeAudio(url: url, options: .init(sampleRate: 16_000, start: 0.5, duration: 0.75))
        #expect(span.samples.count == 12_000)
        let whole = try decodeAudio(url: url)
        // The span starts where the whole decode is at 0.5 s: compare the 440 Hz phase via correlation.
        let a = span.samples[1000..<3000], b = whole.samples[9000..<11000]
        let err = zip(a, b).map { abs($0 - $1) }.max() ?? 1
        #expect(err < 0.05, "max difference \(err) between span and whole decode")
    }

    @Test func wavRoundTripIsExactAtTheSameRate() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tone.wav")
        let tone = S.tone(seconds: 0.5, rate: 16_000)
        try writeWAV(tone, sampleRate: 16_000, channels: 1, to: url)
        let attrs = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attrs[.size] as? Int) == 44 + tone.count * 2)
        let back = try decodeAudio(url: url)
        #expect(back.sourceCodec == "pcm_s16le")
        #expect(back.samples.count == tone.count)
        let worst = zip(back.samples, tone).map { abs($0 - $1) }.max() ?? 1
        #expect(worst <= 1.0 / 32768 + 1e-7, "worst \(worst)")
        // Stereo: left/right interleaved; a mono decode is the libswresample downmix (L+R)·√½.
        let st = dir.appendingPathComponent("stereo.wav")
        try writeWAV([0.25, 0.5, 0.25, 0.5], sampleRate: 8000, channels: 2, to: st)
        let both = try decodeAudio(url: st, options: .init(sampleRate: 8000, channels: 2))
        #expect(both.samples == [0.25, 0.5, 0.25, 0.5])
        let mono = try decodeAudio(url: st, options: .init(sampleRate: 8000, channels: 1))
        #expect(mono.samples.count == 2)
        #expect(abs((mono.samples.first ?? 0) - 0.75 * Float(0.5.squareRoot())) < 1e-4)
    }

    @Test func truncatedAudioIsAnError() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("audio.mp4")
        let w = try MP4Writer(url: url, audio: .init(sampleRate: 16_000, channels: 1), layout: .fastStart)
        try w.appendAudio(S.tone(seconds: 2, rate: 16_000))
        try w.finish()
        // The first half still decodes as a span that ends before the cut.
        let data = try Data(contentsOf: url)
        try data.prefix(data.count * 6 / 10).write(to: url)
        let head = try decodeAudio(url: url, options: .init(start: 0, duration: 0.25))
        #expect(head.samples.count == 4000)
        do {
            _ = try decodeAudio(url: url)
            Issue.record("expected an error for the cut file")
        } catch {
            switch error {
            case .truncatedStream(let p, let expected, let decoded):
                #expect(p == url.path)
                #expect(decoded < expected)
            case .corruptStream(let p, _):
                #expect(p == url.path)
            default:
                Issue.record("got \(error)")
            }
        }
    }

    @Test func fileWithoutAudioSaysSo() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("silent.mp4"), frames: 4)
        let audio = try decodeAudio(url: url)
        #expect(!audio.hasAudio)
        #expect(audio.samples.isEmpty)
        #expect(try !MediaInfo.probe(url).hasAudio)
    }

    @Test func audioOnlyMP4() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("audio.mp4")
        let w = try MP4Writer(url: url, audio: .init(sampleRate: 16_000, channels: 1))
        try w.appendAudio(S.tone(seconds: 1, rate: 16_000))
        try w.finish()
        let info = try MediaInfo.probe(url)
        #expect(!info.hasVideo && info.hasAudio)
        #expect(throws: MediaError.noStream(path: url.path, kind: "video")) { _ = try VideoDecoder(url: url) }
        let a = try decodeAudio(url: url)
        #expect(abs(a.samples.count - 16_000) <= 1024)
    }
}
