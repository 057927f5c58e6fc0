import Foundation
import Testing
@testable import EpisodeIO

@Suite("Media video decode")
struct MediaVideoTests {
    typealias S = MediaTestSupport
    /// H.264 at crf 12 through yuv420p: flat areas come back within a few levels; this allows
    /// for the RGB↔YUV round trip and quantisation, and is far below the palette's spacing (160).
    static let tolerance = 14

    static func close(_ a: [UInt8]?, _ b: [UInt8], _ tol: Int = tolerance) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { abs(Int($0) - Int($1)) <= tol }
    }

    @Test func probeReportsTheClip() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"))
        let info = try MediaInfo.probe(url)
        #expect(info.hasVideo)
        #expect(info.video?.codec == "h264")
        #expect(info.video?.width == S.width)
        #expect(info.video?.height == S.height)
        #expect(info.video?.pixelFormat == "yuv420p")
        #expect(info.video?.frameCount == S.frames)
        #expect(info.video?.frameCountSource == "container")
        #expect(abs((info.fps ?? 0) - Double(S.fps)) < 1e-6)
        #expect(!info.hasAudio)
        #expect(info.audio == nil)
        let counted = try MediaInfo.probe(url, countFrames: true)
        #expect(counted.video?.frameCount == S.frames)
        #expect(counted.video?.frameCountSource == "demuxed")
        // Codable round trip (tools print it as JSON).
        let data = try JSONEncoder().encode(info)
        #expect(try JSONDecoder().decode(MediaInfo.self, from: data) == info)
    }

    @Test func sequentialDecodeGivesFramesTimestampsColoursAndSquare() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"))
        let decoder = try VideoDecoder(url: url, options: .init(output: .rgb24, threads: 2))
        var frames: [VideoFrame] = []
        while let f = try decoder.nextFrame() { frames.append(f) }
        #expect(frames.count == S.frames)
        for (i, f) in frames.enumerated() {
            #expect(f.index == i)
            #expect(abs(f.seconds - Double(i) / Double(S.fps)) < 1e-6, "frame \(i) at \(f.seconds) s")
            #expect(f.width == S.width && f.height == S.height)
            // Background far from the square, and the square's centre.
            #expect(Self.close(f.pixel(x: 1, y: 1), S.background(i)), "frame \(i) corner \(f.pixel(x: 1, y: 1) ?? [])")
            #expect(Self.close(f.pixel(x: S.width - 2, y: S.height - 2), S.background(i)))
            let sq = S.square(i)
            #expect(Self.close(f.pixel(x: sq.x + 4, y: sq.y + 4), [255, 255, 255]), "frame \(i) square centre")
            // Where the square will be 6 frames later (not yet drawn) is background.
            let later = S.square(i + 6)
            if later.x + 4 < S.width, later.y + 4 < S.height, later.x > sq.x + S.squareSize + 1 {
                #expect(Self.close(f.pixel(x: later.x + 4, y: later.y + 4), S.background(i)))
            }
        }
        // Timestamps strictly increase and match presentationTimestamps().
        let pts = try decoder.presentationTimestamps()
        #expect(pts == frames.map(\.pts))
        #expect(try decoder.frameCount() == S.frames)
    }

    @Test func randomAccessMatchesSequentialDecode() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"))
        let seq = try VideoDecoder(url: url)
        var frames: [VideoFrame] = []
        while let f = try seq.nextFrame() { frames.append(f) }
        #expect(frames.count == S.frames)

        let random = try VideoDecoder(url: url)
        // Forward within a GOP, across GOPs, backwards, the last frame, repeats.
        for k in [5, 6, 13, 3, 23, 8, 7, 0, 16, 16, 17] {
            let f = try random.frame(at: k)
            #expect(f.index == k)
            #expect(f.pts == frames[k].pts)
            #expect(f.pixels == frames[k].pixels, "frame \(k) differs from sequential decode")
        }
        let range = try random.frames(in: 10..<14)
        #expect(range.map(\.index) == [10, 11, 12, 13])
        #expect(range.map(\.pixels) == frames[10..<14].map(\.pixels))
    }

    @Test func areaDownscaleAndGreyAndPlanes() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"))
        let native = try VideoDecoder(url: url, options: .init(output: .rgb24))
        let small = try VideoDecoder(url: url, options: .init(output: .rgb24, size: .area(width: 16, height: 12)))
        let odd = try VideoDecoder(url: url, options: .init(output: .rgb24, size: .area(width: 10, height: 7)))
        let gray = try VideoDecoder(url: url, options: .init(output: .gray8))
        let planes = try VideoDecoder(url: url, options: .init(output: .planes))
        for _ in 0..<3 {
            let n = try #require(try native.nextFrame())
            let s = try #require(try small.nextFrame())
            let o = try #require(try odd.nextFrame())
            #expect(s.width == 16 && s.height == 12 && s.pixels.count == 16 * 12 * 3)
            #expect(s.pixels == (try areaResize(n.pixels, width: S.width, height: S.height, channels: 3, toWidth: 16, toHeight: 12)))
            #expect(o.pixels == (try areaResize(n.pixels, width: S.width, height: S.height, channels: 3, toWidth: 10, toHeight: 7)))
            let g = try #require(try gray.nextFrame())
            #expect(g.pixels.count == S.width * S.height && g.channels == 1)
            let p = try #require(try planes.nextFrame())
            #expect(p.pixelFormat == "yuv420p")
            #expect(p.planes.map(\.bytes.count) == [S.width * S.height, S.width * S.height / 4, S.width * S.height / 4])
            // Luma from the planes and grey output agree up to range scaling (limited → full).
            #expect(abs(Int(p.planes[0].bytes[0]) - 16 - Int(Double(g.pixels[0]) * 219 / 255)) <= 2)
        }
    }

    @Test func reusingAFrameGivesTheSameResults() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"), frames: 6)
        for options in [VideoDecodeOptions(output: .planes), .init(output: .rgb24), .init(output: .gray8, size: .area(width: 8, height: 6))] {
            let a = try VideoDecoder(url: url, options: options)
            let b = try VideoDecoder(url: url, options: options)
            var reused = VideoFrame()
            var kept: [VideoFrame] = []
            while try b.nextFrame(into: &reused) {
                kept.append(reused)  // a copy: the next call must not write into it
                let fresh = try #require(try a.nextFrame())
                #expect(reused == fresh, "\(options.output) frame \(fresh.index)")
            }
            #expect(kept.count == 6)
            #expect(Set(kept.map(\.index)) == Set(0..<6))
            #expect(kept[0].pixels != kept[1].pixels)
        }
    }

    @Test func borrowedPlanesMatchCopiedPlanes() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"), frames: 5)
        let copied = try VideoDecoder(url: url, options: .init(output: .planes))
        let borrowed = try VideoDecoder(url: url, options: .init(output: .planes))
        #expect(borrowed.withCurrentPlanes { $0.isEmpty })  // nothing decoded yet
        var n = 0
        while let (index, pts) = try borrowed.advance() {
            let c = try #require(try copied.nextFrame())
            #expect(index == c.index && pts == c.pts)
            let planes: [[UInt8]] = borrowed.withCurrentPlanes { views in
                views.map { v in (0..<v.rows).flatMap { Array(v.row($0)) } }
            }
            #expect(planes == c.planes.map(\.bytes))
            n += 1
        }
        #expect(n == 5)
    }

    @Test func framesBeforeTheEditListStartAreNotCountedAsMissing() throws {
        // Negative timestamps make the muxer write an edit list that starts at pts 0; the demuxer
        // then hides the earlier packets. The container still counts them, which must not read as
        // a truncated file.
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("edit.mp4")
        let w = try MP4Writer(url: url, video: .init(width: 32, height: 32, frameRate: MediaRational(20, 1), keyframeInterval: 4, threads: 1))
        for t in Int64(-3)...6 { try w.appendFrame([UInt8](repeating: UInt8(100 + t * 10), count: 32 * 32 * 3), pts: t) }
        try w.finish()
        let d = try VideoDecoder(url: url)
        var frames: [VideoFrame] = []
        while let f = try d.nextFrame() { frames.append(f) }
        let n = try d.frameCount()
        #expect(frames.count == n)
        #expect(frames.map(\.index) == Array(0..<n))
        #expect(n == 7 || n == 10, "declared \(d.declaredFrameCount ?? -1), shown \(n)")
        // Random access agrees with the sequential pass.
        let r = try VideoDecoder(url: url)
        #expect(try r.frame(at: n - 1).pixels == frames[n - 1].pixels)
        #expect(throws: MediaError.frameOutOfRange(path: url.path, index: n, frameCount: n)) { _ = try r.frame(at: n) }
    }

    @Test func mosaicClipSizeAtEightFps() throws {
        // The exporter's clip: 960×480, 16 frames at 8 fps.
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("mosaic.mp4")
        let w = try MP4Writer(url: url, video: .init(width: 960, height: 480, frameRate: MediaRational(8, 1)))
        for i in 0..<16 { try w.appendFrame([UInt8](repeating: UInt8(i * 15), count: 960 * 480 * 3)) }
        try w.finish()
        let info = try MediaInfo.probe(url)
        #expect(info.video?.width == 960 && info.video?.height == 480)
        #expect(info.video?.frameCount == 16)
        #expect(abs((info.fps ?? 0) - 8) < 1e-9)
        #expect(abs((info.durationSeconds ?? 0) - 2) < 1e-6)
    }

    @Test func widthsThatAreNotVectorMultiples() throws {
        // libswscale converts in SIMD vectors; odd-multiple widths exercise the row ends.
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (w, h) in [(90, 50), (1080, 20), (34, 18)] {
            let url = dir.appendingPathComponent("w\(w).mp4")
            let writer = try MP4Writer(url: url, video: .init(width: w, height: h, frameRate: MediaRational(20, 1), crf: 10, threads: 1))
            var px = [UInt8](repeating: 0, count: w * h * 3)
            for i in 0..<px.count { px[i] = i % 3 == 0 ? 30 : (i % 3 == 1 ? 160 : 220) }
            for _ in 0..<3 { try writer.appendFrame(px) }
            try writer.finish()
            for output in [VideoPixelOutput.rgb24, .gray8] {
                let d = try VideoDecoder(url: url, options: .init(output: output))
                var kept: [VideoFrame] = []
                var f = VideoFrame()
                while try d.nextFrame(into: &f) { kept.append(f) }
                #expect(kept.count == 3)
                #expect(kept.allSatisfy { $0.width == w && $0.height == h && $0.pixels.count == w * h * $0.channels })
                if output == .rgb24, let last = kept.last {
                    #expect(Self.close(last.pixel(x: w - 1, y: h - 1), [30, 160, 220], 12), "\(w)×\(h) last pixel \(last.pixel(x: w - 1, y: h - 1) ?? [])")
                }
            }
            let small = try VideoDecoder(url: url, options: .init(output: .rgb24, size: .area(width: 17, height: 9)))
            let s0 = try #require(try small.nextFrame())
            #expect(Self.close(s0.pixel(x: 16, y: 8), [30, 160, 220], 12))
        }
    }

    @Test func planesCannotBeAreaResized() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"), frames: 2)
        #expect(throws: MediaError.self) {
            _ = try VideoDecoder(url: url, options: .init(output: .planes, size: .area(width: 8, height: 8)))
        }
    }

    @Test func explicitTimestampsAreKept() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("vfr.mp4")
        // Capture-like timestamps in milliseconds with uneven spacing.
        let times: [Int64] = [0, 50, 99, 151, 200, 260, 300]
        let w = try MP4Writer(url: url, video: .init(width: 16, height: 16, frameRate: MediaRational(20, 1),
                                                      timeBase: MediaRational(1, 1000), threads: 1))
        for t in times { try w.appendFrame([UInt8](repeating: 90, count: 16 * 16 * 3), pts: t) }
        try w.finish()
        let d = try VideoDecoder(url: url)
        var seconds: [Double] = []
        while let f = try d.nextFrame() { seconds.append(f.seconds) }
        #expect(seconds.count == times.count)
        for (s, t) in zip(seconds, times) { #expect(abs(s - Double(t) / 1000) < 1e-6) }
    }
}
