import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import EpisodeIO

@Suite("Media errors")
struct MediaErrorTests {
    typealias S = MediaTestSupport

    @Test func missingFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/fisheye_cam0.mp4")
        #expect(throws: MediaError.fileNotFound(path: url.path)) { _ = try MediaInfo.probe(url) }
        #expect(throws: MediaError.fileNotFound(path: url.path)) { _ = try VideoDecoder(url: url) }
        #expect(throws: MediaError.fileNotFound(path: url.path)) { _ = try decodeAudio(url: url) }
    }

    @Test func garbageIsNotAMediaFile() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("garbage.mp4")
        try Data(String(repeating: "this is not a video file. ", count: 400).utf8).write(to: url)
        let empty = dir.appendingPathComponent("empty.mp4")
        try Data().write(to: empty)
        for u in [url, empty] {
            do {
                _ = try VideoDecoder(url: u)
                Issue.record("expected an error for \(u.lastPathComponent)")
            } catch {
                guard case .notMediaFile(let p, _) = error else { Issue.record("got \(error)"); continue }
                #expect(p == u.path)
                #expect(error.description.contains(u.lastPathComponent))
            }
        }
    }

    @Test func fifoIsRejectedWithoutBlocking() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe.mp4")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        do {
            _ = try MediaInfo.probe(fifo)
            Issue.record("expected an error for a FIFO")
        } catch {
            guard case .notMediaFile(let p, _) = error else { Issue.record("got \(error)"); return }
            #expect(p == fifo.path)
        }
    }

    @Test func truncatedFileWithIndexAtTheEnd() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"))
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        do {
            _ = try VideoDecoder(url: url)
            Issue.record("expected an error")
        } catch {
            guard case .notMediaFile = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func truncatedFileWithIndexAtTheFront() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"), layout: .fastStart)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count * 6 / 10).write(to: url)
        let decoder = try VideoDecoder(url: url)
        var n = 0
        do {
            while try decoder.nextFrame() != nil { n += 1 }
            Issue.record("expected an error after \(n) frames")
        } catch {
            switch error {
            case .truncatedStream(let p, let expected, let decoded):
                #expect(p == url.path)
                #expect(expected == S.frames)
                #expect(decoded < S.frames)
            case .corruptStream(let p, _):
                #expect(p == url.path)
            default:
                Issue.record("got \(error)")
            }
        }
        #expect(n < S.frames)
        // Random access to a frame in the missing part fails the same way, without hanging.
        let random = try VideoDecoder(url: url)
        do {
            _ = try random.frame(at: S.frames - 1)
            Issue.record("expected an error for the last frame")
        } catch {
            switch error {
            case .truncatedStream(_, let expected, let decoded):
                #expect(expected == S.frames && decoded < S.frames)
            case .corruptStream: break
            default: Issue.record("got \(error)")
            }
        }
    }

    @Test func zeroFrameStream() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A fragmented MP4 declares its track up front, so a video track with no samples survives.
        let url = dir.appendingPathComponent("empty.mp4")
        let w = try MP4Writer(url: url, video: .init(width: 16, height: 16, frameRate: MediaRational(20, 1)), layout: .fragmented)
        try w.finish()
        let info = try MediaInfo.probe(url)
        #expect(info.hasVideo)
        #expect(info.video?.frameCount == 0)
        let decoder = try VideoDecoder(url: url)
        #expect(throws: MediaError.emptyStream(path: url.path)) { _ = try decoder.nextFrame() }
        #expect(throws: MediaError.emptyStream(path: url.path)) { _ = try decoder.frame(at: 0) }
        // A standard MP4 with no samples drops the track altogether: no video stream at all.
        let plain = dir.appendingPathComponent("plain.mp4")
        let p = try MP4Writer(url: plain, video: .init(width: 16, height: 16, frameRate: MediaRational(20, 1)))
        try p.finish()
        #expect(throws: MediaError.self) { _ = try VideoDecoder(url: plain) }
    }

    @Test func unsupportedCodec() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"), frames: 2)
        // Rename the sample entry 'avc1' (and the brand) to an unknown four-character code.
        var bytes = [UInt8](try Data(contentsOf: url))
        let avc1 = Array("avc1".utf8), fake = Array("zzz9".utf8)
        var replaced = 0
        var i = 0
        while i + 4 <= bytes.count {
            if Array(bytes[i..<(i + 4)]) == avc1 {
                bytes.replaceSubrange(i..<(i + 4), with: fake)
                replaced += 1
            }
            i += 1
        }
        #expect(replaced >= 1)
        try Data(bytes).write(to: url)
        do {
            _ = try VideoDecoder(url: url)
            Issue.record("expected unsupportedCodec")
        } catch {
            guard case .unsupportedCodec(let p, let codec) = error else { Issue.record("got \(error)"); return }
            #expect(p == url.path)
            #expect(codec.contains("zzz9"))
        }
    }

    @Test func seekPastTheEnd() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try S.writeClip(to: dir.appendingPathComponent("clip.mp4"))
        let d = try VideoDecoder(url: url)
        #expect(throws: MediaError.frameOutOfRange(path: url.path, index: S.frames, frameCount: S.frames)) { _ = try d.frame(at: S.frames) }
        #expect(throws: MediaError.frameOutOfRange(path: url.path, index: -1, frameCount: S.frames)) { _ = try d.frame(at: -1) }
        #expect(throws: MediaError.self) { _ = try d.frames(in: 20..<30) }
        // The decoder still works afterwards.
        #expect(try d.frame(at: S.frames - 1).index == S.frames - 1)
    }

    @Test func writerRejectsBadInputAndLeavesNoFile() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("bad.mp4")
        #expect(throws: MediaError.self) { _ = try MP4Writer(url: url, video: .init(width: 15, height: 16, frameRate: MediaRational(20, 1))) }
        #expect(throws: MediaError.self) { _ = try MP4Writer(url: url) }
        do {
            let w = try MP4Writer(url: url, video: .init(width: 16, height: 16, frameRate: MediaRational(20, 1)))
            #expect(throws: MediaError.self) { try w.appendFrame([1, 2, 3]) }
            try w.appendFrame([UInt8](repeating: 0, count: 16 * 16 * 3), pts: 5)
            #expect(throws: MediaError.self) { try w.appendFrame([UInt8](repeating: 0, count: 16 * 16 * 3), pts: 5) }
            // Released without finish(): the temporary file is removed.
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers.isEmpty, "left \(leftovers)")
        #expect(throws: MediaError.self) { try writeWAV([0, 0, 0], sampleRate: 16_000, channels: 2, to: dir.appendingPathComponent("x.wav")) }
    }

    @Test func episodeListingReportsEachStream() throws {
        let dir = try S.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try S.writeClip(to: dir.appendingPathComponent("fisheye_cam0.mp4"), frames: 3, audioRate: 16_000)
        try Data("garbage".utf8).write(to: dir.appendingPathComponent("stereo_left.mp4"))
        let entries = listEpisodeMedia(folder: dir)
        #expect(entries.map(\.name) == episodeVideoStreamNames)
        #expect(entries.map(\.status) == ["ok", "missing", "missing", "missing", "error", "missing"])
        #expect(entries[0].info?.video?.frameCount == 3)
        #expect(entries[0].info?.hasAudio == true)
        #expect(entries[4].error?.contains("stereo_left.mp4") == true)
        #expect((try? JSONEncoder().encode(entries)) != nil)
    }
}
