import EpisodeIO
import Foundation
import XPCore

// The 2×3 multi-camera mosaic clip of a Qwen3-Omni record (spec exporters.md §2.3, §9 item 4).

/// Where each camera's tile goes in the grid.
public enum MosaicLayout: String, Sendable, Codable {
    /// Camera i of the renderer's list is always tile i (row-major); a missing or unopenable camera
    /// is a black tile in its own position. A given tile always shows the same camera.
    case fixed
    /// The reference exporter's packing: tiles in the order of the cameras whose *file exists*,
    /// padded with black up to `columns × rows`, so a missing file shifts the later tiles left
    /// (an existing file that cannot be opened still takes its place, black).
    case compacted
}

/// How the renderer reaches the sampled frames of one camera.
public enum MosaicDecodeAccess: String, Sendable, Codable {
    /// `VideoDecoder.frame(at:)` in ascending order: decodes forward, continuing without a seek
    /// inside a group of pictures and seeking forward to the keyframe before the next target when
    /// a keyframe lies in between; only the sampled frames are converted and resized. Never
    /// decodes more than `.sequential`.
    case seek
    /// `VideoDecoder.nextFrame()` from the first frame to the last sampled one, converting every
    /// frame (kept for comparison; also what a camera falls back to when its frame table cannot
    /// be built).
    case sequential
}

/// How to render mosaic clips. The defaults are the reference's 128-episode export: 320×240 tiles
/// in a 3-wide × 2-high grid (960×480), 8 fps, 16 sampled frames.
public struct MosaicOptions: Sendable, Equatable {
    public var tileWidth = 320
    public var tileHeight = 240
    public var columns = 3
    public var rows = 2
    /// Frame rate of the clip (16 frames at 8 fps = a 2 s clip).
    public var fps = 8.0
    /// `max_video_frames`: at most this many frames, sampled with `mosaicFrameIndices`.
    public var maxFrames = 16
    public var layout: MosaicLayout = .fixed
    /// x264 constant rate factor and preset of the clip.
    public var crf = 23
    public var preset = "veryfast"
    /// x264 threads. 1 (default) makes the bytes independent of the machine's core count: x264's
    /// output depends on its thread count, and 0 ("auto") picks one from the cores.
    public var encoderThreads = 1
    /// libavcodec decoder threads per camera; 0 = one per core (decoding is bit-exact whatever
    /// the count). 1 by default, since `parallelCameras` already spreads the six cameras over
    /// the cores.
    public var decoderThreads = 1
    public var access: MosaicDecodeAccess = .seek
    /// Decode the cameras' frames concurrently (one task per camera for each visited frame).
    /// The bytes do not depend on it. Measured on the sample-size episode (32 clips, 2 busy
    /// cores): 56 s with this and one decoder thread per camera, 86 s one camera at a time with
    /// frame-threaded decoders.
    public var parallelCameras = true

    public init(tileWidth: Int = 320, tileHeight: Int = 240, columns: Int = 3, rows: Int = 2, fps: Double = 8.0,
                maxFrames: Int = 16, layout: MosaicLayout = .fixed, crf: Int = 23, preset: String = "veryfast",
                encoderThreads: Int = 1, decoderThreads: Int = 1, access: MosaicDecodeAccess = .seek,
                parallelCameras: Bool = true) {
        self.tileWidth = tileWidth
        self.tileHeight = tileHeight
        self.columns = columns
        self.rows = rows
        self.fps = fps
        self.maxFrames = maxFrames
        self.layout = layout
        self.crf = crf
        self.preset = preset
        self.encoderThreads = encoderThreads
        self.decoderThreads = decoderThreads
        self.access = access
        self.parallelCameras = parallelCameras
    }

    /// Width and height of the mosaic (960×480 by default).
    public var width: Int { tileWidth * columns }
    public var height: Int { tileHeight * rows }
    public var tiles: Int { columns * rows }
}

/// One clip to render: the record's context span (inclusive) and where the MP4 goes.
public struct MosaicRequest: Sendable, Equatable {
    public var contextStart: Int
    /// Inclusive.
    public var contextEnd: Int
    public var output: URL
    /// The exact frames to sample, one clip frame each, in non-decreasing order (a repeated
    /// frame is written again); nil = `mosaicFrameIndices` of the context with `maxFrames`.
    public var frames: [Int]?

    public init(contextStart: Int, contextEnd: Int, output: URL, frames: [Int]? = nil) {
        self.contextStart = contextStart
        self.contextEnd = contextEnd
        self.output = output
        self.frames = frames
    }
}

/// What was rendered for one request.
public struct MosaicResult: Sendable, Equatable {
    /// The clip, or nil when none was written (`reason` says why).
    public var output: URL?
    /// The sampled frame indices (`mosaicFrameIndices`), one clip frame each.
    public var frameIndices: [Int]
    public var framesWritten: Int
    /// Cameras with no picture at all in this render: the file is missing or cannot be opened
    /// (in the renderer's camera order). Details in `cameraProblems`.
    public var missingCameras: [String]
    /// Camera frames that could not be read (each a black tile), summed over the clip's frames.
    public var unreadFrames: Int
    /// Black tiles in the clip: missing cameras, unread frames and (`.compacted`) padding.
    public var blackTiles: Int
    /// The clip's video codec ("h264"), nil without a clip.
    public var codec: String?
    /// Why there is no clip (no camera opens, empty context), nil otherwise.
    public var reason: String?
    /// Camera name → what is wrong with it ("missing file ...", or the open error).
    public var cameraProblems: [String: String]

    public init(output: URL?, frameIndices: [Int], framesWritten: Int, missingCameras: [String], unreadFrames: Int,
                blackTiles: Int, codec: String?, reason: String?, cameraProblems: [String: String]) {
        self.output = output
        self.frameIndices = frameIndices
        self.framesWritten = framesWritten
        self.missingCameras = missingCameras
        self.unreadFrames = unreadFrames
        self.blackTiles = blackTiles
        self.codec = codec
        self.reason = reason
        self.cameraProblems = cameraProblems
    }
}

/// Renders the mosaic clips of an episode's records.
///
/// **Codec.** Clips are H.264 (libx264, yuv420p, crf 23, preset veryfast, one thread) in MP4,
/// written with `MP4Writer`, which writes atomically. The reference wrote OpenCV's `mp4v`
/// (MPEG-4 Part 2); H.264 is the project's only encoder, is decoded by every loader the trainer
/// uses, and is smaller at equal quality. The clips therefore cannot match the reference's bytes;
/// `MosaicResult.codec` records "h264".
///
/// **Tiles.** Each sampled frame of each camera is resized to `tileWidth × tileHeight` with OpenCV
/// INTER_AREA semantics inside the decoder (`VideoDecodeOptions.size = .area`), exact to
/// OpenCV's bytes. Sources smaller than a tile on an axis (the tiny synthetic episodes) take
/// OpenCV's INTER_AREA enlargement instead (its bilinear path with area-mode coefficients, in
/// its x86 fixed-point arithmetic), since INTER_AREA only averages when shrinking.
///
/// **Layout.** `.fixed` (default) keeps camera i in tile i; `.compacted` is the reference's
/// packing (see `MosaicLayout`). A frame that cannot be read is a black tile, counted in
/// `unreadFrames`.
///
/// **Cost.** One `render` call opens each camera once and visits the union of all requests'
/// sampled frames in ascending order, so each camera is decoded at most once per call whatever
/// the requests' overlap (`MosaicDecodeAccess.seek` skips the groups of pictures no request
/// needs). Each mosaic frame is composed once and appended to every clip that samples it; a
/// clip's writer is open from its first sampled frame to its last. Measured on the sample-size
/// episode, 32 clips of 120-frame contexts (keyframes every 40 frames): 56 s with `.seek`
/// (release build, two shared cores), 294 s with `.sequential` (which converts every frame);
/// both give the same bytes.
///
/// **Memory bound.** The renderer holds one `tileWidth × tileHeight × 3` tile per camera (230 KB
/// each), one mosaic frame (1.4 MB), the six decoders (their reference frames: tens of MB for
/// 1088×1280 streams) and one x264 encoder per clip whose context spans the frame being visited
/// (≈ 10–20 MB each at 960×480 with one thread); nothing grows with the number of requests
/// except the encoders of overlapping clips, so even 32 clips open at once stay under 1 GiB.
/// Measured: 32 clips of the sample-size episode (six 5,821-frame streams, fisheye 1088×1280)
/// peak at 356 MB RSS for the whole process (210 MB with `parallelCameras` off).
///
/// **Determinism.** The same inputs give byte-identical clips: decoding is bit-exact, the tiles
/// are integer arithmetic, and x264 runs with a fixed thread count (`encoderThreads`, 1).
public struct MosaicRenderer {
    /// The six cameras in tile order.
    public static let cameraOrder: [String] = episodeVideoStreamNames
    /// The codec of every clip.
    public static let codec = "h264"

    public let episodeFolder: URL
    public let cameras: [String]
    public let options: MosaicOptions

    public init(episodeFolder: URL, cameras: [String] = MosaicRenderer.cameraOrder, options: MosaicOptions = .init()) {
        self.episodeFolder = episodeFolder
        self.cameras = cameras
        self.options = options
    }

    /// Renders every request (results in request order). `progress(done, total)` is called as
    /// each request completes.
    ///
    /// Throws `.invalidOptions` for options that cannot make a clip and `.media` when a clip
    /// cannot be encoded or written (clips already finished stay). Missing cameras, unreadable
    /// frames, an empty context or an episode without any camera are reported in the results.
    public func render(_ requests: [MosaicRequest], progress: ((Int, Int) -> Void)? = nil) throws(MediaExportError) -> [MosaicResult] {
        let o = options
        let folderPath = episodeFolder.path
        guard o.tileWidth > 0, o.tileHeight > 0, o.columns > 0, o.rows > 0 else {
            throw .invalidOptions(path: folderPath, detail: "expected positive tile sizes and grid, found \(o.tileWidth)×\(o.tileHeight) tiles in \(o.columns)×\(o.rows)")
        }
        guard o.width % 2 == 0, o.height % 2 == 0 else {
            throw .invalidOptions(path: folderPath, detail: "H.264 yuv420p needs an even mosaic size, found \(o.width)×\(o.height)")
        }
        guard o.fps > 0, o.fps.isFinite else {
            throw .invalidOptions(path: folderPath, detail: "expected a positive clip frame rate, found \(o.fps)")
        }
        guard cameras.count <= o.tiles else {
            throw .invalidOptions(path: folderPath, detail: "\(cameras.count) cameras do not fit \(o.tiles) tiles")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folderPath, isDirectory: &isDir), isDir.boolValue else {
            throw .folderNotFound(path: folderPath)
        }

        // Open the cameras (once per call).
        var sources: [CameraSource] = []
        var problems: [String: String] = [:]
        var missing: [String] = []
        var existingSlot = 0
        for (i, name) in cameras.enumerated() {
            let url = episodeFolder.appendingPathComponent(name + ".mp4")
            guard FileManager.default.fileExists(atPath: url.path) else {
                problems[name] = "missing file \(url.path)"
                missing.append(name)
                continue
            }
            let slot = o.layout == .fixed ? i : existingSlot
            existingSlot += 1
            do {
                sources.append(try CameraSource(name: name, url: url, slot: slot, options: o))
            } catch {
                problems[name] = error.description
                missing.append(name)
            }
        }

        let total = requests.count
        var done = 0
        var results: [MosaicResult?] = Array(repeating: nil, count: total)
        func finishEmpty(_ r: Int, indices: [Int], reason: String) {
            results[r] = MosaicResult(output: nil, frameIndices: indices, framesWritten: 0, missingCameras: missing,
                                      unreadFrames: 0, blackTiles: 0, codec: nil, reason: reason, cameraProblems: problems)
            done += 1
            progress?(done, total)
        }

        // Plan: each request's sampled frames, and which requests sample each frame.
        var plans: [[Int]] = Array(repeating: [], count: total)
        var needers: [Int: [Int]] = [:]
        for (r, request) in requests.enumerated() {
            let indices = request.frames ?? mosaicFrameIndices(contextStart: request.contextStart, contextEnd: request.contextEnd, maxFrames: o.maxFrames)
            plans[r] = indices
            if let frames = request.frames, zip(frames, frames.dropFirst()).contains(where: { $0 > $1 }) || frames.contains(where: { $0 < 0 }) {
                finishEmpty(r, indices: indices, reason: "explicit frames \(frames) are not non-decreasing and non-negative")
            } else if indices.isEmpty {
                finishEmpty(r, indices: indices, reason: "empty context \(request.contextStart)...\(request.contextEnd) (or maxFrames \(o.maxFrames)): no frame to sample")
            } else if sources.isEmpty {
                let detail = cameras.map { "\($0): \(problems[$0] ?? "?")" }.joined(separator: "; ")
                finishEmpty(r, indices: indices, reason: "no camera opens in \(folderPath) (\(detail))")
            } else {
                for u in Set(indices) { needers[u, default: []].append(r) }
            }
        }
        guard !needers.isEmpty else { return results.map { $0! } }

        let frameRate = Self.rational(o.fps)
        let track = MP4VideoTrackOptions(width: o.width, height: o.height, frameRate: frameRate, input: .rgb24, crf: o.crf,
                                         preset: o.preset, threads: o.encoderThreads)
        var writers: [MP4Writer?] = Array(repeating: nil, count: total)
        var cursor = [Int](repeating: 0, count: total)
        var unread = [Int](repeating: 0, count: total)
        var black = [Int](repeating: 0, count: total)
        let tileBytes = o.tileWidth * o.tileHeight * 3
        let rowBytes = o.width * 3
        var mosaic = [UInt8](repeating: 0, count: o.height * rowBytes)

        for u in needers.keys.sorted() {
            // One tile per opened camera (nil = unread), composed once for every clip sampling u.
            var drawn = 0, unreadHere = 0
            mosaic.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            let tiles = Self.tiles(of: sources, at: u, parallel: o.parallelCameras)
            for (source, tile) in zip(sources, tiles) {
                guard let tile, tile.count == tileBytes else {
                    unreadHere += 1
                    continue
                }
                drawn += 1
                let x0 = (source.slot % o.columns) * o.tileWidth * 3, y0 = (source.slot / o.columns) * o.tileHeight
                let tileRow = o.tileWidth * 3
                tile.withUnsafeBufferPointer { t in
                    mosaic.withUnsafeMutableBufferPointer { m in
                        guard let tp = t.baseAddress, let mp = m.baseAddress else { return }
                        for y in 0..<o.tileHeight {
                            (mp + (y0 + y) * rowBytes + x0).update(from: tp + y * tileRow, count: tileRow)
                        }
                    }
                }
            }
            let blackHere = o.tiles - drawn
            for r in needers[u] ?? [] {
                let request = requests[r]
                do throws(MediaError) {
                    if writers[r] == nil {
                        try Self.makeParent(of: request.output)
                        writers[r] = try MP4Writer(url: request.output, video: track)
                    }
                    guard let writer = writers[r] else { continue }
                    let indices = plans[r]
                    while cursor[r] < indices.count, indices[cursor[r]] == u {
                        try writer.appendFrame(mosaic)
                        unread[r] += unreadHere
                        black[r] += blackHere
                        cursor[r] += 1
                    }
                    if cursor[r] == indices.count {
                        try writer.finish()
                        results[r] = MosaicResult(output: request.output, frameIndices: indices, framesWritten: writer.framesWritten,
                                                  missingCameras: missing, unreadFrames: unread[r], blackTiles: black[r],
                                                  codec: Self.codec, reason: nil, cameraProblems: problems)
                        writers[r] = nil
                        done += 1
                        progress?(done, total)
                    }
                } catch {
                    throw .media(error)
                }
            }
        }
        return results.map { $0! }
    }

    /// Each source's tile of frame `u` (nil = unread), one camera per task when `parallel`.
    static func tiles(of sources: [CameraSource], at u: Int, parallel: Bool) -> [[UInt8]?] {
        // Each call touches only its own source (its own decoder).
        nonisolated(unsafe) let cams = sources
        return Parallel.map(sources.count, width: parallel ? sources.count : 1) { i in cams[i].tile(at: u) }
    }

    /// `fps` as a rational: n/1 for whole rates, else thousandths.
    static func rational(_ fps: Double) -> MediaRational {
        if fps == fps.rounded(), fps < 1e6 { return MediaRational(Int(fps), 1) }
        return MediaRational(Int((fps * 1000).rounded()), 1000)
    }

    static func makeParent(of url: URL) throws(MediaError) {
        let dir = url.deletingLastPathComponent()
        guard !FileManager.default.fileExists(atPath: dir.path) else { return }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: url.path, detail: "creating the folder \(dir.path): \(error.localizedDescription)")
        }
    }
}

/// One opened camera: its decoder, its tile position, and how it reaches a frame.
final class CameraSource {
    let name: String
    let slot: Int
    private let decoder: VideoDecoder
    /// Set for sources smaller than a tile on an axis: the decoder hands out native frames and this
    /// enlarges them.
    private let enlarge: AreaEnlargePlan?
    private let sequential: Bool
    private var last: VideoFrame? = nil
    private var exhausted = false

    init(name: String, url: URL, slot: Int, options o: MosaicOptions) throws(MediaError) {
        self.name = name
        self.slot = slot
        let probe = try VideoDecoder(url: url, options: VideoDecodeOptions(output: .rgb24, size: .native, threads: o.decoderThreads))
        if probe.width >= o.tileWidth, probe.height >= o.tileHeight {
            decoder = try VideoDecoder(url: url, options: VideoDecodeOptions(output: .rgb24, size: .area(width: o.tileWidth, height: o.tileHeight),
                                                                            threads: o.decoderThreads))
            enlarge = nil
        } else {
            decoder = probe
            enlarge = AreaEnlargePlan(sourceWidth: probe.width, sourceHeight: probe.height,
                                      destinationWidth: o.tileWidth, destinationHeight: o.tileHeight, channels: 3)
        }
        if o.access == .seek {
            // Random access needs the frame table (one demuxing pass). A stream whose packets
            // cannot all be demuxed (e.g. cut short) is read sequentially instead, as far as it goes.
            sequential = (try? decoder.frameCount()) == nil
        } else {
            sequential = true
        }
    }

    /// The tile of frame `index`, or nil when it cannot be read. Indices must not decrease
    /// between calls (the renderer visits them in ascending order).
    func tile(at index: Int) -> [UInt8]? {
        let frame: VideoFrame
        if sequential {
            if let f = last, f.index == index {
                frame = f
            } else {
                guard !exhausted else { return nil }
                var found: VideoFrame? = nil
                while true {
                    do {
                        guard let f = try decoder.nextFrame() else { exhausted = true; break }
                        last = f
                        if f.index >= index {
                            if f.index == index { found = f }
                            break
                        }
                    } catch {
                        // An unreadable stretch: this frame is black; the next call reads on.
                        if let l = last, l.index >= index { break }
                        return nil
                    }
                }
                guard let f = found else { return nil }
                frame = f
            }
        } else {
            do { frame = try decoder.frame(at: index) } catch { return nil }
        }
        if let enlarge { return enlarge.apply(frame.pixels) }
        return frame.pixels
    }
}

/// OpenCV's `resize(..., INTER_AREA)` when it enlarges an axis: its bilinear path with area-mode
/// coefficients (`sx = floor(dx·scale)`, `fx = (dx+1) − (sx+1)/scale`, fractional part, 0 when
/// ≤ 0; clamped at the last pixel), 11-bit fixed-point weights, integer horizontal sums and the
/// x86 SIMD vertical step `((b0·(S0>>4))>>16 + (b1·(S1>>4))>>16 + 2) >> 2`.
struct AreaEnlargePlan {
    let sourceWidth: Int, sourceHeight: Int, destinationWidth: Int, destinationHeight: Int, channels: Int
    private let xSource: [Int]  // first tap (pixel index × channels); second tap is +channels unless clamped
    private let xNext: [Int]
    private let xWeights: [(Int32, Int32)]
    private let ySource: [Int]
    private let yNext: [Int]
    private let yWeights: [(Int32, Int32)]

    init(sourceWidth: Int, sourceHeight: Int, destinationWidth: Int, destinationHeight: Int, channels: Int) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.destinationWidth = destinationWidth
        self.destinationHeight = destinationHeight
        self.channels = channels
        let x = Self.coefficients(source: sourceWidth, destination: destinationWidth)
        let y = Self.coefficients(source: sourceHeight, destination: destinationHeight)
        xSource = x.map { $0.0 * channels }
        xNext = x.map { min($0.0 + 1, sourceWidth - 1) * channels }
        xWeights = x.map { ($0.1, $0.2) }
        ySource = y.map { $0.0 }
        yNext = y.map { min($0.0 + 1, sourceHeight - 1) }
        yWeights = y.map { ($0.1, $0.2) }
    }

    static func coefficients(source: Int, destination: Int) -> [(Int, Int32, Int32)] {
        let inv = Double(destination) / Double(source)
        let scale = 1.0 / inv
        return (0..<destination).map { d in
            var s = Int((Double(d) * scale).rounded(.down))
            var f = Float(Double(d + 1) - Double(s + 1) * inv)
            f = f <= 0 ? 0 : f - f.rounded(.down)
            if s < 0 { f = 0; s = 0 }
            if s >= source - 1 { f = 0; s = source - 1 }
            let w0 = Int32(((1 - f) * 2048).rounded(.toNearestOrEven))
            let w1 = Int32((f * 2048).rounded(.toNearestOrEven))
            return (s, w0, w1)
        }
    }

    func apply(_ src: [UInt8]) -> [UInt8]? {
        let cn = channels
        guard src.count == sourceWidth * sourceHeight * cn else { return nil }
        let rowOut = destinationWidth * cn
        // Horizontal pass for every source row (sources here are small).
        var h = [Int32](repeating: 0, count: sourceHeight * rowOut)
        var out = [UInt8](repeating: 0, count: destinationHeight * rowOut)
        src.withUnsafeBufferPointer { s in
            h.withUnsafeMutableBufferPointer { hb in
                for sy in 0..<sourceHeight {
                    let srow = sy * sourceWidth * cn, hrow = sy * rowOut
                    for dx in 0..<destinationWidth {
                        let (a0, a1) = xWeights[dx]
                        let p0 = srow + xSource[dx], p1 = srow + xNext[dx]
                        for k in 0..<cn {
                            hb[hrow + dx * cn + k] = Int32(s[p0 + k]) * a0 + Int32(s[p1 + k]) * a1
                        }
                    }
                }
            }
        }
        h.withUnsafeBufferPointer { hb in
            out.withUnsafeMutableBufferPointer { ob in
                for dy in 0..<destinationHeight {
                    let (b0, b1) = yWeights[dy]
                    let r0 = ySource[dy] * rowOut, r1 = yNext[dy] * rowOut, orow = dy * rowOut
                    for i in 0..<rowOut {
                        let t = ((b0 &* (hb[r0 + i] >> 4)) >> 16) &+ ((b1 &* (hb[r1 + i] >> 4)) >> 16)
                        ob[orow + i] = UInt8(clamping: (t &+ 2) >> 2)
                    }
                }
            }
        }
        return out
    }
}
