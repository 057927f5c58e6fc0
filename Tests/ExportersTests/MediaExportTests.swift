import Foundation
import Testing
@testable import EpisodeIO
@testable import Exporters

/// A temporary folder for one test, removed by `cleanup()`.
private struct MediaTempFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("xp-media-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// A tiny synthetic episode (241 frames; fisheye 64×80, stereo 64×64; AAC in fisheye_cam0).
private func writeTinyEpisode(in folder: MediaTempFolder, name: String = "ep1", variant: SyntheticVariant = .complete) throws -> URL {
    let config = SyntheticEpisodeConfig.tiny(seed: 11, frames: 240, variant: variant)
    return try SyntheticEpisode.write(config, to: folder.url.appendingPathComponent(name), media: SyntheticMedia.writer).folder
}

/// Copies an episode's MP4s into a new folder (to delete or damage some without touching the original).
private func copyEpisode(_ source: URL, to dest: URL) throws {
    try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
    for name in MosaicRenderer.cameraOrder {
        try FileManager.default.copyItem(at: source.appendingPathComponent(name + ".mp4"), to: dest.appendingPathComponent(name + ".mp4"))
    }
}

/// Every frame of a clip, RGB.
private func decodeAll(_ url: URL) throws -> [VideoFrame] {
    let decoder = try VideoDecoder(url: url, options: VideoDecodeOptions(output: .rgb24))
    var frames: [VideoFrame] = []
    while let f = try decoder.nextFrame() { frames.append(f) }
    return frames
}

/// The pixels of tile `slot` of a 960×480 mosaic frame, without an 8-pixel margin (codec bleeding
/// at tile edges), as RGB triples.
private func tilePixels(_ frame: VideoFrame, slot: Int, margin: Int = 8) -> [UInt8] {
    let tw = 320, th = 240
    let x0 = (slot % 3) * tw, y0 = (slot / 3) * th
    var out: [UInt8] = []
    for y in (y0 + margin)..<(y0 + th - margin) {
        let row = y * frame.width * 3
        out.append(contentsOf: frame.pixels[(row + (x0 + margin) * 3)..<(row + (x0 + tw - margin) * 3)])
    }
    return out
}

/// The same inner region of a 320×240 tile.
private func innerRegion(_ tile: [UInt8], margin: Int = 8) -> [UInt8] {
    var out: [UInt8] = []
    for y in margin..<(240 - margin) {
        out.append(contentsOf: tile[((y * 320 + margin) * 3)..<((y * 320 + 320 - margin) * 3)])
    }
    return out
}

// Plain loops over buffers: these run over ~200K bytes many times in a debug build.
private func meanRGB(_ p: [UInt8]) -> [Double] {
    var sums = [0, 0, 0]
    p.withUnsafeBufferPointer { b in
        var i = 0
        while i + 2 < b.count {
            sums[0] += Int(b[i]); sums[1] += Int(b[i + 1]); sums[2] += Int(b[i + 2])
            i += 3
        }
    }
    return sums.map { Double($0) / Double(max(1, p.count / 3)) }
}

private func meanAbsDiff(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count)
    var total = 0
    a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { y in
            for i in 0..<x.count { total += abs(Int(x[i]) - Int(y[i])) }
        }
    }
    return Double(total) / Double(max(1, a.count))
}

/// Camera `name`'s frame `index` resized to a 320×240 tile the way the renderer does.
private func expectedTile(_ episode: URL, _ name: String, _ index: Int) throws -> [UInt8] {
    let decoder = try VideoDecoder(url: episode.appendingPathComponent(name + ".mp4"), options: VideoDecodeOptions(output: .rgb24))
    let frame = try decoder.frame(at: index)
    let plan = AreaEnlargePlan(sourceWidth: frame.width, sourceHeight: frame.height, destinationWidth: 320, destinationHeight: 240, channels: 3)
    return try #require(plan.apply(frame.pixels))
}

/// Which camera each slot of a mosaic frame shows: the expected tile closest to it (mean absolute
/// difference), or "black"; fails on a tile whose mean colour is not within 6 levels of its match.
private func identifyTiles(_ frame: VideoFrame, candidates: [String: [UInt8]]) -> [String] {
    (0..<6).map { slot in
        let tile = tilePixels(frame, slot: slot)
        if meanRGB(tile).max()! < 4 { return "black" }
        let distances = candidates.mapValues { meanAbsDiff(tile, $0) }
        let best = candidates.min { (distances[$0.key]!, $0.key) < (distances[$1.key]!, $1.key) }!
        let dm = zip(meanRGB(tile), meanRGB(best.value)).map { abs($0 - $1) }.max()!
        #expect(dm < 6, "slot \(slot): mean colour \(meanRGB(tile)) vs \(best.key)'s \(meanRGB(best.value))")
        return best.key
    }
}

/// Parses a PCM WAV header: (channels, rate, bits, data bytes).
private func wavHeader(_ url: URL) throws -> (channels: Int, rate: Int, bits: Int, dataBytes: Int, fileBytes: Int) {
    let d = [UInt8](try Data(contentsOf: url))
    func u16(_ o: Int) -> Int { Int(d[o]) | Int(d[o + 1]) << 8 }
    func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
    #expect(String(decoding: d[0..<4], as: UTF8.self) == "RIFF")
    #expect(String(decoding: d[8..<16], as: UTF8.self) == "WAVEfmt ")
    #expect(u16(20) == 1)
    #expect(String(decoding: d[36..<40], as: UTF8.self) == "data")
    return (u16(22), u32(24), u16(34), u32(40), d.count)
}

@Suite("MediaExportTests")
struct MediaExportTests {
    // MARK: Context span (hand-computed with Python's floor division)

    @Test("context span: the spec's example, multiscale C, episode edges, short episodes")
    func contextSpans() {
        // §2.3 example: center (440+459)//2 = 449, start 449−60 = 389, end 389+119 = 508.
        #expect(contextSpan(start: 440, endInclusive: 459, frameCount: 5821, contextFrames: 120) == 389...508)
        #expect(contextSpan(start: 440, endInclusive: 459, frameCount: 100_000, contextFrames: 120) == 389...508)
        #expect(contextSpan(start: 440, endInclusive: 459, frameCount: 5821, contextFrames: 160) == 369...528)
        #expect(contextSpan(start: 440, endInclusive: 459, frameCount: 5821, contextFrames: 240) == 329...568)
        // Odd C: C//2 = 60, span 121 frames.
        #expect(contextSpan(start: 100, endInclusive: 119, frameCount: 1000, contextFrames: 121) == 49...169)
        // Start edge: clamped at 0, still C frames.
        #expect(contextSpan(start: 0, endInclusive: 19, frameCount: 5821, contextFrames: 120) == 0...119)
        #expect(contextSpan(start: 40, endInclusive: 59, frameCount: 5821, contextFrames: 120) == 0...119)
        // End edge: center 5809 → 5749, end clamped to 5820, start pulled back to 5701.
        #expect(contextSpan(start: 5800, endInclusive: 5819, frameCount: 5821, contextFrames: 120) == 5701...5820)
        // An even-length window's center rounds down: (441+460)//2 = 450 → 390...509.
        #expect(contextSpan(start: 441, endInclusive: 460, frameCount: 5821, contextFrames: 120) == 390...509)
        // Episode shorter than C: the whole episode.
        #expect(contextSpan(start: 10, endInclusive: 29, frameCount: 50, contextFrames: 120) == 0...49)
        #expect(contextSpan(start: 0, endInclusive: 0, frameCount: 1, contextFrames: 120) == 0...0)
        // Python floor division of negatives (not C's truncation).
        #expect(pythonFloorDiv(-3, 2) == -2)
        #expect(pythonFloorDiv(7, 2) == 3)
        #expect(pythonFloorDiv(-4, 2) == -2)
    }

    @Test("mosaic frame sampling is numpy's linspace truncated to int")
    func linspaceTruncation() {
        // Literals from numpy: np.linspace(a, b, n).astype(int).tolist().
        #expect(mosaicFrameIndices(contextStart: 389, contextEnd: 508, maxFrames: 16)
            == [389, 396, 404, 412, 420, 428, 436, 444, 452, 460, 468, 476, 484, 492, 500, 508])
        #expect(mosaicFrameIndices(contextStart: 0, contextEnd: 119, maxFrames: 16)
            == [0, 7, 15, 23, 31, 39, 47, 55, 63, 71, 79, 87, 95, 103, 111, 119])
        #expect(mosaicFrameIndices(contextStart: 100, contextEnd: 339, maxFrames: 16)
            == [100, 115, 131, 147, 163, 179, 195, 211, 227, 243, 259, 275, 291, 307, 323, 339])
        #expect(mosaicFrameIndices(contextStart: 389, contextEnd: 508, maxFrames: 32)
            == [389, 392, 396, 400, 404, 408, 412, 415, 419, 423, 427, 431, 435, 438, 442, 446,
                450, 454, 458, 461, 465, 469, 473, 477, 481, 484, 488, 492, 496, 500, 504, 508])
        #expect(mosaicFrameIndices(contextStart: 60, contextEnd: 179, maxFrames: 16)
            == [60, 67, 75, 83, 91, 99, 107, 115, 123, 131, 139, 147, 155, 163, 171, 179])
        // Fewer frames than maxFrames: every frame.
        #expect(mosaicFrameIndices(contextStart: 10, contextEnd: 14, maxFrames: 16) == [10, 11, 12, 13, 14])
        #expect(mosaicFrameIndices(contextStart: 0, contextEnd: 9, maxFrames: 7) == [0, 1, 3, 4, 6, 7, 9])
        #expect(mosaicFrameIndices(contextStart: 5, contextEnd: 5, maxFrames: 16) == [5])
        // Empty context or no frames asked for.
        #expect(mosaicFrameIndices(contextStart: 10, contextEnd: 9, maxFrames: 16) == [])
        #expect(mosaicFrameIndices(contextStart: 0, contextEnd: 9, maxFrames: 0) == [])
    }

    @Test("OpenCV INTER_AREA enlargement coefficients (area mode) on a hand case")
    func enlargeCoefficients() {
        // 2 → 4: scale 0.5; dx 0: sx 0, fx = 1 − 1·2 → 0; dx 1: sx 0, fx = 2 − 2 = 0; dx 2: sx 1 = last → clamp.
        // Area mode on an exact 2× enlargement copies pixels (no blending).
        let c = AreaEnlargePlan.coefficients(source: 2, destination: 4)
        #expect(c.map(\.0) == [0, 0, 1, 1])
        #expect(c.map(\.1) == [2048, 2048, 2048, 2048])
        // 2 → 3: inv 1.5; dx 0: sx 0, fx = 1 − 1.5 < 0 → 0; dx 1: sx 0, fx = 2 − 1.5 = 0.5; dx 2: sx 1 → clamp.
        let d = AreaEnlargePlan.coefficients(source: 2, destination: 3)
        #expect(d.map(\.0) == [0, 0, 1])
        #expect(d.map(\.2) == [0, 1024, 0])
        let plan = AreaEnlargePlan(sourceWidth: 2, sourceHeight: 1, destinationWidth: 3, destinationHeight: 1, channels: 1)
        #expect(plan.apply([10, 30]) == [10, 20, 30])
    }

    // MARK: Mosaic clips on a generated episode

    @Test("a mosaic clip: 16 frames of 960×480, each tile showing its camera's resized frame, byte-identical reruns")
    func mosaicClip() throws {
        let tmp = try MediaTempFolder()
        defer { tmp.cleanup() }
        let episode = try writeTinyEpisode(in: tmp)
        let out = tmp.url.appendingPathComponent("media/ep1_w00000_ctx60_179_mosaic.mp4")
        let again = tmp.url.appendingPathComponent("media/again.mp4")
        let twin = tmp.url.appendingPathComponent("media/twin.mp4")
        let renderer = MosaicRenderer(episodeFolder: episode)
        var calls: [(Int, Int)] = []
        let results = try renderer.render([MosaicRequest(contextStart: 60, contextEnd: 179, output: out),
                                           MosaicRequest(contextStart: 60, contextEnd: 179, output: twin)]) { calls.append(($0, $1)) }
        #expect(calls.map(\.0) == [1, 2] && calls.map(\.1) == [2, 2])
        let r = results[0]
        #expect(r.output == out)
        #expect(r.codec == "h264")
        #expect(r.reason == nil)
        #expect(r.frameIndices == [60, 67, 75, 83, 91, 99, 107, 115, 123, 131, 139, 147, 155, 163, 171, 179])
        #expect(r.framesWritten == 16)
        #expect(r.missingCameras.isEmpty && r.unreadFrames == 0 && r.blackTiles == 0)

        let frames = try decodeAll(out)
        #expect(frames.count == 16)
        #expect(frames.allSatisfy { $0.width == 960 && $0.height == 480 })
        let info = try MediaInfo.probe(out)
        #expect(info.video?.codec == "h264")
        #expect(info.video?.averageFrameRate.value == 8)

        // Tile placement: each slot is closest to its own camera's resized frame, and its mean
        // colour matches that frame's within the tolerance.
        for k in [0, 7, 15] {
            let index = r.frameIndices[k]
            var candidates: [String: [UInt8]] = [:]
            for name in MosaicRenderer.cameraOrder { candidates[name] = innerRegion(try expectedTile(episode, name, index)) }
            #expect(identifyTiles(frames[k], candidates: candidates) == MosaicRenderer.cameraOrder, "frame \(k) (\(index))")
        }

        // Determinism: the twin request in the same call and a second call give the same bytes.
        let second = try renderer.render([MosaicRequest(contextStart: 60, contextEnd: 179, output: again)])
        #expect(second[0].framesWritten == 16)
        let bytes = try Data(contentsOf: out)
        #expect(try Data(contentsOf: again) == bytes)
        #expect(try Data(contentsOf: twin) == bytes)
        // No temporary files left next to the clips.
        let names = try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path).sorted()
        #expect(names == ["again.mp4", "ep1_w00000_ctx60_179_mosaic.mp4", "twin.mp4"])
        // A different context gives different frames.
        let other = tmp.url.appendingPathComponent("media/other.mp4")
        _ = try renderer.render([MosaicRequest(contextStart: 0, contextEnd: 119, output: other)])
        #expect(try Data(contentsOf: other) != bytes)
    }

    @Test("missing and unopenable cameras: black in their own tile (fixed) or shifted like the reference (compacted)")
    func missingCameras() throws {
        let tmp = try MediaTempFolder()
        defer { tmp.cleanup() }
        let episode = try writeTinyEpisode(in: tmp)
        let damaged = tmp.url.appendingPathComponent("damaged")
        try copyEpisode(episode, to: damaged)
        // fisheye_cam1 exists but is not a video; fisheye_cam2 is gone.
        try Data("not an mp4".utf8).write(to: damaged.appendingPathComponent("fisheye_cam1.mp4"))
        try FileManager.default.removeItem(at: damaged.appendingPathComponent("fisheye_cam2.mp4"))

        let index = 91  // frame 4 of the 60...179 context
        var candidates: [String: [UInt8]] = [:]
        for name in MosaicRenderer.cameraOrder { candidates[name] = innerRegion(try expectedTile(episode, name, index)) }

        let fixedURL = tmp.url.appendingPathComponent("fixed.mp4")
        let fixed = try MosaicRenderer(episodeFolder: damaged).render([MosaicRequest(contextStart: 60, contextEnd: 179, output: fixedURL)])[0]
        #expect(fixed.output == fixedURL)
        #expect(fixed.missingCameras == ["fisheye_cam1", "fisheye_cam2"])
        #expect(fixed.cameraProblems["fisheye_cam2"]?.contains("missing") == true)
        #expect(fixed.cameraProblems["fisheye_cam1"]?.contains("fisheye_cam1.mp4") == true)
        #expect(fixed.blackTiles == 2 * 16)
        #expect(fixed.unreadFrames == 0)
        let fixedFrames = try decodeAll(fixedURL)
        #expect(fixedFrames.count == 16)
        #expect(identifyTiles(fixedFrames[4], candidates: candidates)
            == ["fisheye_cam0", "black", "black", "fisheye_cam3", "stereo_left", "stereo_right"])

        let compactedURL = tmp.url.appendingPathComponent("compacted.mp4")
        let compacted = try MosaicRenderer(episodeFolder: damaged, options: MosaicOptions(layout: .compacted))
            .render([MosaicRequest(contextStart: 60, contextEnd: 179, output: compactedURL)])[0]
        #expect(compacted.missingCameras == ["fisheye_cam1", "fisheye_cam2"])
        #expect(compacted.blackTiles == 2 * 16)
        // Reference packing: existing files in order (the unopenable cam1 keeps its place, black),
        // the missing cam2 shifts cam3 and the stereo pair left, padding at the end.
        #expect(identifyTiles(try decodeAll(compactedURL)[4], candidates: candidates)
            == ["fisheye_cam0", "black", "fisheye_cam3", "stereo_left", "stereo_right", "black"])
    }

    @Test("frames past a stream's end are black and counted; no camera gives no clip with a reason; an empty context gives none")
    func unreadFramesAndNoCamera() throws {
        let tmp = try MediaTempFolder()
        defer { tmp.cleanup() }
        let episode = try writeTinyEpisode(in: tmp)
        // The streams have 241 frames (0...240): a context 200...259 samples 16 frames, 5 past the end.
        let url = tmp.url.appendingPathComponent("late.mp4")
        let late = try MosaicRenderer(episodeFolder: episode).render([MosaicRequest(contextStart: 200, contextEnd: 259, output: url)])[0]
        let past = late.frameIndices.filter { $0 > 240 }.count
        #expect(past == 5)
        #expect(late.framesWritten == 16)
        #expect(late.unreadFrames == 6 * past)
        #expect(late.blackTiles == 6 * past)
        let frames = try decodeAll(url)
        #expect(frames.count == 16)
        #expect(meanRGB(frames[15].pixels).max()! < 4)
        #expect(meanRGB(frames[0].pixels).max()! > 20)

        // The same bytes through sequential access, one camera at a time, frame-threaded decoders.
        let seqURL = tmp.url.appendingPathComponent("late-seq.mp4")
        let seq = try MosaicRenderer(episodeFolder: episode, options: MosaicOptions(decoderThreads: 0, access: .sequential, parallelCameras: false))
            .render([MosaicRequest(contextStart: 200, contextEnd: 259, output: seqURL)])[0]
        #expect(seq.unreadFrames == late.unreadFrames)
        #expect(try Data(contentsOf: seqURL) == Data(contentsOf: url))

        let empty = tmp.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = try MosaicRenderer(episodeFolder: empty).render([MosaicRequest(contextStart: 0, contextEnd: 119, output: tmp.url.appendingPathComponent("none.mp4"))])[0]
        #expect(none.output == nil)
        #expect(none.codec == nil)
        #expect(none.reason?.contains("no camera") == true)
        #expect(none.missingCameras == MosaicRenderer.cameraOrder)
        #expect(!FileManager.default.fileExists(atPath: tmp.url.appendingPathComponent("none.mp4").path))

        let backwards = try MosaicRenderer(episodeFolder: episode).render([MosaicRequest(contextStart: 10, contextEnd: 9, output: tmp.url.appendingPathComponent("b.mp4"))])[0]
        #expect(backwards.output == nil && backwards.reason != nil && backwards.frameIndices.isEmpty)

        #expect(throws: MediaExportError.self) {
            _ = try MosaicRenderer(episodeFolder: tmp.url.appendingPathComponent("nowhere")).render([])
        }
        #expect(throws: MediaExportError.self) {
            _ = try MosaicRenderer(episodeFolder: episode, options: MosaicOptions(tileWidth: 321)).render([])
        }
    }

    @Test("sources larger than a tile take the decoder's INTER_AREA shrink; each camera lands in its tile")
    func shrinkPath() throws {
        let tmp = try MediaTempFolder()
        defer { tmp.cleanup() }
        // Six 640×480 streams of 12 frames, each a flat colour of its own (far apart).
        let colours: [[UInt8]] = [[220, 30, 30], [30, 220, 30], [30, 30, 220], [220, 220, 30], [30, 220, 220], [220, 30, 220]]
        for (i, name) in MosaicRenderer.cameraOrder.enumerated() {
            let writer = try MP4Writer(url: tmp.url.appendingPathComponent(name + ".mp4"),
                                       video: MP4VideoTrackOptions(width: 640, height: 480, frameRate: MediaRational(20, 1), threads: 1))
            var px = [UInt8](repeating: 0, count: 640 * 480 * 3)
            for p in 0..<(640 * 480) { px[3 * p] = colours[i][0]; px[3 * p + 1] = colours[i][1]; px[3 * p + 2] = colours[i][2] }
            for _ in 0..<12 { try writer.appendFrame(px) }
            try writer.finish()
        }
        let out = tmp.url.appendingPathComponent("m.mp4")
        let r = try MosaicRenderer(episodeFolder: tmp.url).render([MosaicRequest(contextStart: 0, contextEnd: 11, output: out)])[0]
        #expect(r.frameIndices == Array(0...11) && r.framesWritten == 12 && r.blackTiles == 0)
        let frames = try decodeAll(out)
        #expect(frames.count == 12)
        for slot in 0..<6 {
            let m = meanRGB(tilePixels(frames[5], slot: slot))
            #expect(zip(m, colours[slot]).allSatisfy { abs($0 - Double($1)) < 6 }, "slot \(slot): \(m) vs \(colours[slot])")
        }
    }

    // MARK: Context audio

    @Test("context audio: 16 kHz mono PCM16 WAV with the span's sample count, cut from one decode")
    func contextAudio() throws {
        let tmp = try MediaTempFolder()
        defer { tmp.cleanup() }
        let episode = try writeTinyEpisode(in: tmp)
        let audio = try ContextAudio(episodeFolder: episode)
        #expect(audio.primary == "fisheye_cam0.mp4")
        #expect(audio.hasAudio && audio.unavailableReason == nil)
        let fps = try #require(VideoDecoder(url: episode.appendingPathComponent("fisheye_cam0.mp4")).fps)
        #expect(audio.fps == fps)
        #expect(abs(audio.fps - 20) < 0.5)

        let url = tmp.url.appendingPathComponent("media/clip_audio.wav")
        let clip = try #require(try audio.write(contextStart: 60, contextEnd: 179, to: url))
        // The reference's %.3f formatting of the span.
        let start = Double(String(format: "%.3f", 60 / fps))!, duration = Double(String(format: "%.3f", 120 / fps))!
        #expect(clip.start == start && clip.duration == duration)
        let expected = Int(((start + duration) * 16_000).rounded()) - Int((start * 16_000).rounded())
        #expect(clip.samples == expected)
        #expect(abs(Double(clip.samples) - 6 * 16_000) < 16_000 * 0.2)
        #expect(clip.sampleRate == 16_000)
        let header = try wavHeader(url)
        #expect(header.channels == 1 && header.rate == 16_000 && header.bits == 16)
        #expect(header.dataBytes == 2 * expected && header.fileBytes == 44 + 2 * expected)

        // The WAV holds the full decode's samples at that position (PCM16 quantisation only).
        let full = try decodeAudio(url: episode.appendingPathComponent("fisheye_cam0.mp4"), options: AudioDecodeOptions(start: 0))
        let back = try decodeAudio(url: url)
        #expect(back.sampleRate == 16_000 && back.channels == 1 && back.samples.count == expected)
        let offset = Int((start * 16_000).rounded())
        let slice = full.samples[offset..<(offset + expected)]
        let maxDiff = zip(back.samples, slice).map { abs($0 - $1) }.max() ?? 1
        #expect(maxDiff <= 1.0 / 32768 + 1e-6)
        // …and not the samples a frame later (the cut is in the right place).
        let shifted = full.samples[(offset + 800)..<(offset + 800 + 1600)]
        #expect(zip(back.samples.prefix(1600), shifted).map { abs($0 - $1) }.max()! > 0.01)

        // A context past the end of the audio clamps (an empty or short clip, still a WAV).
        let tail = try #require(try audio.write(contextStart: 230, contextEnd: 349, to: tmp.url.appendingPathComponent("tail.wav")))
        #expect(tail.samples < expected)
        #expect(try wavHeader(tail.url).dataBytes == 2 * tail.samples)
        // Short context: the duration floor is 0.01 s (%.3f of max(1/fps, 0.01)).
        #expect(audio.span(contextStart: 0, contextEnd: 0).duration == Double(String(format: "%.3f", max(1 / fps, 0.01)))!)
    }

    @Test("an episode without an audio track, or without video, gives no WAV and a reason")
    func noAudio() throws {
        let tmp = try MediaTempFolder()
        defer { tmp.cleanup() }
        let episode = try writeTinyEpisode(in: tmp, variant: .noAudio)
        let audio = try ContextAudio(episodeFolder: episode)
        #expect(audio.primary == "fisheye_cam0.mp4")
        #expect(!audio.hasAudio)
        #expect(audio.unavailableReason?.contains("audio") == true)
        let url = tmp.url.appendingPathComponent("none.wav")
        #expect(try audio.write(contextStart: 0, contextEnd: 119, to: url) == nil)
        #expect(!FileManager.default.fileExists(atPath: url.path))

        // Primary order: stereo_left when fisheye_cam0 is gone.
        try FileManager.default.removeItem(at: episode.appendingPathComponent("fisheye_cam0.mp4"))
        #expect(try ContextAudio(episodeFolder: episode).primary == "stereo_left.mp4")

        let empty = tmp.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let nothing = try ContextAudio(episodeFolder: empty)
        #expect(nothing.primary == nil && nothing.fps == 30 && !nothing.hasAudio && nothing.unavailableReason != nil)
        #expect(throws: MediaExportError.self) { _ = try ContextAudio(episodeFolder: tmp.url.appendingPathComponent("nowhere")) }
    }
}
