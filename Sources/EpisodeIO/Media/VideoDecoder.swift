import CLibAV
import Foundation

/// The pixel layout a decoder hands out.
public enum VideoPixelOutput: String, Sendable, Codable, CaseIterable {
    /// Packed 8-bit R, G, B (libswscale's conversion with OpenCV's flags; BT.601 limited range).
    case rgb24
    /// 8-bit luma from libswscale. Not OpenCV's BGR2GRAY: for reference parity, convert RGB with
    /// OpenCV's weights instead.
    case gray8
    /// The decoder's own planes (e.g. Y, U, V for yuv420p), copied without conversion.
    case planes
}

/// The size of decoded frames.
public enum VideoOutputSize: Sendable, Equatable {
    /// The stream's own width and height.
    case native
    /// Downscaled with OpenCV INTER_AREA semantics (`AreaResizePlan`); rgb24 and gray8 only.
    case area(width: Int, height: Int)
}

/// How to decode a video stream.
public struct VideoDecodeOptions: Sendable, Equatable {
    public var output: VideoPixelOutput
    public var size: VideoOutputSize
    /// Decoder threads; 0 lets libavcodec use one per core.
    public var threads: Int
    /// Skip H.264's deblocking loop filter (`skip_loop_filter = AVDISCARD_ALL`): about a
    /// quarter less decoding work, but the pictures are no longer the ones the encoder meant
    /// (block edges stay visible, and the error drifts until the next keyframe). Not OpenCV's
    /// frames: for protocols that do not need OpenCV's exact bytes.
    public var skipLoopFilter: Bool
    /// For `.area` RGB output of yuv420p (limited range) streams: shrink the Y, U and V planes
    /// with INTER_AREA weights first (unrounded Float32 means) and convert the small image to
    /// RGB with libswscale's BT.601 coefficients, instead of converting every pixel and then
    /// shrinking. Since the conversion is affine, this differs from OpenCV's bytes only by the
    /// per-pixel rounding and clipping the exact path does (typically ±1 on a thumbnail byte).
    /// Other pixel formats take the exact path.
    public var areaBeforeColour: Bool

    public init(output: VideoPixelOutput = .rgb24, size: VideoOutputSize = .native, threads: Int = 0,
                skipLoopFilter: Bool = false, areaBeforeColour: Bool = false) {
        self.output = output
        self.size = size
        self.threads = threads
        self.skipLoopFilter = skipLoopFilter
        self.areaBeforeColour = areaBeforeColour
    }
}

/// One plane of pixels, rows tightly packed (`bytesPerRow` bytes each).
public struct VideoPlane: Sendable, Equatable {
    public var bytesPerRow: Int
    public var rows: Int
    public var bytes: [UInt8]

    public init(bytesPerRow: Int, rows: Int, bytes: [UInt8]) {
        self.bytesPerRow = bytesPerRow
        self.rows = rows
        self.bytes = bytes
    }
}

/// A borrowed view of one plane of the decoder's current frame (see `VideoDecoder.withCurrentPlanes`).
public struct VideoPlaneView {
    /// First byte of the plane; row y starts at `base + y * stride`.
    public let base: UnsafePointer<UInt8>
    /// Bytes between row starts (may exceed `bytesPerRow`, may be negative for flipped images).
    public let stride: Int
    public let bytesPerRow: Int
    public let rows: Int

    /// Row `y` as a buffer of `bytesPerRow` bytes.
    public func row(_ y: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + y * stride, count: bytesPerRow)
    }
}

/// One decoded frame with its position in the stream.
public struct VideoFrame: Sendable, Equatable {
    /// Presentation index: frame i of the stream aligns with annotation row i.
    public var index: Int
    /// Presentation timestamp in the stream's time base.
    public var pts: Int64
    /// `pts` in seconds.
    public var seconds: Double
    public var width: Int
    public var height: Int
    public var output: VideoPixelOutput
    /// libav name of the pixel layout ("rgb24", "gray", or the decoder's own, e.g. "yuv420p").
    public var pixelFormat: String
    /// One plane for rgb24 and gray8; the decoder's planes for `.planes`.
    public var planes: [VideoPlane]

    /// An empty frame, to be filled by `VideoDecoder.nextFrame(into:)`.
    public init() {
        self.init(index: 0, pts: 0, seconds: 0, width: 0, height: 0, output: .rgb24, pixelFormat: "", planes: [])
    }

    public init(index: Int, pts: Int64, seconds: Double, width: Int, height: Int, output: VideoPixelOutput,
                pixelFormat: String, planes: [VideoPlane]) {
        self.index = index
        self.pts = pts
        self.seconds = seconds
        self.width = width
        self.height = height
        self.output = output
        self.pixelFormat = pixelFormat
        self.planes = planes
    }

    /// The first plane's bytes (all pixels for rgb24 and gray8).
    public var pixels: [UInt8] { planes.first?.bytes ?? [] }

    /// Interleaved channels per pixel of the first plane (3 for rgb24, 1 for gray8 and luma).
    public var channels: Int { output == .rgb24 ? 3 : 1 }

    /// The channel values of pixel (x, y) in the first plane, or nil outside the frame.
    public func pixel(x: Int, y: Int) -> [UInt8]? {
        guard x >= 0, y >= 0, x < width, y < height, let p = planes.first else { return nil }
        let start = y * p.bytesPerRow + x * channels
        guard start + channels <= p.bytes.count else { return nil }
        return Array(p.bytes[start..<(start + channels)])
    }
}

/// The presentation order of a stream's packets, from one demuxing pass (no decoding).
struct FrameTable {
    /// Presentation timestamps in order: frame i has `pts[i]`.
    var pts: [Int64]
    /// Keyframes sorted by pts, with the dts the demuxer seeks by.
    var keyframes: [(pts: Int64, dts: Int64)]
    /// Every video packet read, and those an edit list marks as never shown.
    var packetCount = 0
    var discarded = 0

    func index(of p: Int64) -> Int? {
        var lo = 0, hi = pts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if pts[mid] < p { lo = mid + 1 } else { hi = mid }
        }
        return lo < pts.count && pts[lo] == p ? lo : nil
    }

    /// Position in `keyframes` of the last keyframe with pts ≤ `p`, or nil.
    func keyframePosition(atOrBefore p: Int64) -> Int? {
        var lo = 0, hi = keyframes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if keyframes[mid].pts <= p { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }

    static func build(url: URL, streamIndex: Int32) throws(MediaError) -> FrameTable {
        let input = try AVInput(url: url)
        input.discardAll(except: streamIndex)
        let pkt = try AVPacketBox()
        var all: [Int64] = []
        var keys: [(pts: Int64, dts: Int64)] = []
        var packets = 0, discarded = 0
        let none = xp_AV_NOPTS_VALUE()
        while true {
            let r = av_read_frame(input.format, pkt.packet)
            if r < 0 {
                if r == xp_AVERROR_EOF() { break }
                throw .corruptStream(path: input.path, detail: "demuxing packet \(all.count): \(avErrorString(r))")
            }
            let p = pkt.packet.pointee
            // Packets the container marks as discarded (before an edit list's start) are decoded
            // for reference but never shown.
            if p.stream_index == streamIndex {
                packets += 1
                if p.flags & AV_PKT_FLAG_DISCARD != 0 { discarded += 1 }
            }
            if p.stream_index == streamIndex, p.flags & AV_PKT_FLAG_DISCARD == 0 {
                let ts = p.pts != none ? p.pts : p.dts
                if ts != none {
                    all.append(ts)
                    if p.flags & AV_PKT_FLAG_KEY != 0 { keys.append((ts, p.dts != none ? p.dts : ts)) }
                }
            }
            av_packet_unref(pkt.packet)
        }
        all.sort()
        keys.sort { $0.pts < $1.pts }
        return FrameTable(pts: all, keyframes: keys, packetCount: packets, discarded: discarded)
    }
}

/// Decodes the video stream of one file: sequentially with `nextFrame()`, or by index with
/// `frame(at:)` and `frames(in:)`, which seek to the keyframe before the target and decode
/// forward (continuing without a seek when the target is in the current group of pictures).
///
/// ```swift
/// let decoder = try VideoDecoder(url: mp4, options: .init(output: .rgb24, size: .area(width: 32, height: 32)))
/// while let frame = try decoder.nextFrame() { use(frame.index, frame.pixels) }
/// ```
///
/// Not thread-safe: use one decoder per task.
public final class VideoDecoder {
    public let url: URL
    public let options: VideoDecodeOptions
    /// Width and height of the coded frames.
    public let width: Int
    public let height: Int
    public let timeBase: MediaRational
    /// The average frame rate (what OpenCV's `CAP_PROP_FPS` reports), or nil when unknown.
    public let fps: Double?
    /// The frame count the container declares (`nb_frames`, what OpenCV's `CAP_PROP_FRAME_COUNT`
    /// reports), or nil when it does not say. It can exceed the frames shown when an edit list
    /// hides some.
    public let declaredFrameCount: Int?
    /// Samples in the demuxer's index (MP4), or nil.
    private let indexedFrameCount: Int?
    /// The index points past the end of the file: its data was cut short.
    private let dataCutShort: Bool

    private let input: AVInput
    private let streamIndex: Int32
    private let tb: AVRational
    private let codec: AVCodecBox
    private let packet: AVPacketBox
    private let frame: AVFrameBox
    private var sws: OpaquePointer? = nil
    private var swsKey: (Int32, Int32, Int32) = (0, 0, -1)
    private var plan: AreaResizePlan? = nil
    /// Streams converted bands through `plan` (exact path) — rebuilt when the plan changes.
    private var rows: AreaRowAccumulator? = nil
    /// Luma and chroma plans and accumulators of the `areaBeforeColour` path, and their means.
    private var yuvRows: (luma: AreaRowAccumulator, chroma: AreaRowAccumulator)? = nil
    private var yuvMeans: [Float] = []
    private var scratch: [UInt8] = []
    private var table: FrameTable? = nil
    private var flushSent = false
    private var ended = false
    /// Index of the last frame that came out of the decoder (shown or skipped).
    private var lastIndex: Int? = nil
    private var sequentialNext = 0
    private var seeked = false
    private var current: (Int, Int64)? = nil

    /// Opens `url`'s best video stream.
    ///
    /// Throws `.fileNotFound`, `.notMediaFile`, `.noStream`, `.unsupportedCodec`, or
    /// `.invalidArgument` (a downscale to a larger or empty size, or `.planes` with `.area`).
    public init(url: URL, options: VideoDecodeOptions = VideoDecodeOptions()) throws(MediaError) {
        self.url = url
        self.options = options
        let input = try AVInput(url: url)
        guard let si = input.bestStream(AVMEDIA_TYPE_VIDEO), let st = input.stream(si) else {
            throw .noStream(path: url.path, kind: "video")
        }
        input.discardAll(except: si)
        self.input = input
        self.streamIndex = si
        self.tb = st.pointee.time_base
        self.timeBase = MediaRational(st.pointee.time_base)
        let avg = MediaRational(st.pointee.avg_frame_rate), real = MediaRational(st.pointee.r_frame_rate)
        self.fps = avg.value ?? real.value
        self.declaredFrameCount = st.pointee.nb_frames > 0 ? Int(st.pointee.nb_frames) : nil
        let indexed = Int(avformat_index_get_entries_count(st))
        self.indexedFrameCount = indexed > 0 ? indexed : nil
        let dataEnd = xp_index_data_end(st)
        let fileSize = input.format.pointee.pb.map { avio_size($0) } ?? -1
        self.dataCutShort = dataEnd > 0 && fileSize > 0 && dataEnd > fileSize
        self.codec = try AVCodecBox.decoder(for: st, path: url.path, threads: options.threads,
                                           skipLoopFilter: options.skipLoopFilter)
        self.packet = try AVPacketBox()
        self.frame = try AVFrameBox()
        self.width = Int(codec.context.pointee.width)
        self.height = Int(codec.context.pointee.height)
        guard width > 0, height > 0 else {
            throw .corruptStream(path: url.path, detail: "video stream reports size \(width)×\(height)")
        }
        if case .area(let w, let h) = options.size {
            guard options.output != .planes else {
                throw .invalidArgument(path: url.path, detail: "an area downscale needs rgb24 or gray8 output, not planes")
            }
            plan = try AreaResizePlan(sourceWidth: width, sourceHeight: height, destinationWidth: w,
                                      destinationHeight: h, channels: options.output == .rgb24 ? 3 : 1)
        }
    }

    deinit {
        sws_freeContext(sws)
    }

    // MARK: Public API

    /// The next frame in presentation order, or nil after the last one.
    ///
    /// Throws `.emptyStream` when the stream has no frames, `.truncatedStream` when it ends before
    /// the frame count the container declares, `.corruptStream` on unreadable packets.
    public func nextFrame() throws(MediaError) -> VideoFrame? {
        guard let (idx, pts) = try decodeRaw() else { return nil }
        return try convert(index: idx, pts: pts)
    }

    /// Decodes the next frame into `frame`, reusing its buffers when they have the right size and
    /// are not shared with another value: the allocation-free form of `nextFrame()` for streaming
    /// loops. Returns false after the last frame (leaving `frame` unchanged).
    ///
    /// ```swift
    /// var frame = VideoFrame()
    /// while try decoder.nextFrame(into: &frame) { features.append(encode(frame.pixels)) }
    /// ```
    public func nextFrame(into frame: inout VideoFrame) throws(MediaError) -> Bool {
        guard let (idx, pts) = try decodeRaw() else { return false }
        try convert(index: idx, pts: pts, into: &frame)
        return true
    }

    /// Decodes the next frame in presentation order without converting or copying it, and returns
    /// its index and pts, or nil after the last frame. Read it with `withCurrentPlanes(_:)`; the
    /// fastest way to look at native frames (no allocation, no copy).
    public func advance() throws(MediaError) -> (index: Int, pts: Int64)? {
        guard let (idx, pts) = try decodeRaw() else { return nil }
        return (idx, pts)
    }

    /// Calls `body` with the decoder's own planes of the frame last decoded (by `advance()`,
    /// `nextFrame()` or `frame(at:)`); empty before the first frame and after the end. The pointers
    /// are valid only inside `body`.
    public func withCurrentPlanes<R, E: Error>(_ body: ([VideoPlaneView]) throws(E) -> R) throws(E) -> R {
        let f = frame.frame
        guard current != nil, f.pointee.width > 0, f.pointee.height > 0, f.pointee.format >= 0 else { return try body([]) }
        let fmt = AVPixelFormat(rawValue: f.pointee.format)
        var lines = [Int32](repeating: 0, count: 4)
        guard av_image_fill_linesizes(&lines, fmt, f.pointee.width) >= 0, let desc = av_pix_fmt_desc_get(fmt) else { return try body([]) }
        let h = Int(f.pointee.height)
        let chromaShift = Int(desc.pointee.log2_chroma_h)
        var views: [VideoPlaneView] = []
        for p in 0..<4 where lines[p] > 0 {
            guard let data = xp_frame_data(f, Int32(p)) else { break }
            let rows = (p == 1 || p == 2) ? (h + (1 << chromaShift) - 1) >> chromaShift : h
            views.append(VideoPlaneView(base: UnsafePointer(data), stride: Int(xp_frame_linesize(f, Int32(p))),
                                        bytesPerRow: Int(lines[p]), rows: rows))
        }
        return try body(views)
    }

    /// The number of frames, by demuxing the stream once (cached). Random access uses the same pass.
    public func frameCount() throws(MediaError) -> Int { try frameTable().pts.count }

    /// Presentation timestamps of every frame (index i → pts, in `timeBase` units).
    public func presentationTimestamps() throws(MediaError) -> [Int64] { try frameTable().pts }

    /// Frame `index` (0-based presentation order). Throws `.frameOutOfRange` past the end.
    public func frame(at index: Int) throws(MediaError) -> VideoFrame {
        let table = try frameTable()
        guard !table.pts.isEmpty else { throw .emptyStream(path: url.path) }
        guard index >= 0, index < table.pts.count else {
            // The container promised more frames than its data holds: the file is cut short.
            let expected = expectedFrames(table)
            if index >= 0, index < expected {
                throw .truncatedStream(path: url.path, expectedFrames: expected, decodedFrames: table.pts.count)
            }
            throw .frameOutOfRange(path: url.path, index: index, frameCount: table.pts.count)
        }
        let target = table.pts[index]
        if !canContinue(to: index, table: table) {
            try seek(toKeyframeAtOrBefore: target, table: table)
        }
        var keyPosition = table.keyframePosition(atOrBefore: target)
        while true {
            guard let (idx, pts) = try decodeRaw() else {
                throw .truncatedStream(path: url.path, expectedFrames: table.pts.count, decodedFrames: (lastIndex ?? -1) + 1)
            }
            if pts == target { return try convert(index: idx, pts: pts) }
            if pts > target {
                // Landed after the target (a seek that the container resolved too late, or an
                // open group of pictures): step back one keyframe and try again.
                let earlier = (keyPosition ?? 0) - 1
                if earlier >= 0 {
                    keyPosition = earlier
                    try seek(toKeyframeDts: table.keyframes[earlier].dts)
                } else if keyPosition != -1 {
                    keyPosition = -1
                    try seekToStart()
                } else {
                    throw .corruptStream(path: url.path, detail: "frame \(index) (pts \(target)) is never produced by the decoder")
                }
            }
        }
    }

    /// Frames `range` in order. Throws `.frameOutOfRange` when the range leaves the stream.
    public func frames(in range: Range<Int>) throws(MediaError) -> [VideoFrame] {
        guard !range.isEmpty else { return [] }
        let n = max(try frameCount(), declaredFrameCount ?? 0)
        guard range.lowerBound >= 0, range.upperBound <= n else {
            throw .frameOutOfRange(path: url.path, index: range.lowerBound < 0 ? range.lowerBound : range.upperBound - 1, frameCount: n)
        }
        var out: [VideoFrame] = [try frame(at: range.lowerBound)]
        out.reserveCapacity(range.count)
        while out.count < range.count {
            let want = range.lowerBound + out.count
            out.append(try frame(at: want))
        }
        return out
    }

    // MARK: Decoding

    private func frameTable() throws(MediaError) -> FrameTable {
        if let t = table { return t }
        let t = try FrameTable.build(url: url, streamIndex: streamIndex)
        table = t
        return t
    }

    /// Whether decoding forward from the current position reaches `index` without passing a
    /// keyframe (in which case a seek would be faster).
    private func canContinue(to index: Int, table: FrameTable) -> Bool {
        guard !ended, let last = lastIndex, last < index else { return false }
        guard let k = table.keyframePosition(atOrBefore: table.pts[index]) else { return true }
        return table.keyframes[k].pts <= table.pts[last]
    }

    private func seek(toKeyframeAtOrBefore target: Int64, table: FrameTable) throws(MediaError) {
        if let k = table.keyframePosition(atOrBefore: target) {
            try seek(toKeyframeDts: table.keyframes[k].dts)
        } else {
            try seekToStart()
        }
    }

    private func seek(toKeyframeDts dts: Int64) throws(MediaError) {
        let r = av_seek_frame(input.format, streamIndex, dts, AVSEEK_FLAG_BACKWARD)
        if r < 0 { throw .corruptStream(path: url.path, detail: "seeking to dts \(dts): \(avErrorString(r))") }
        resetAfterSeek()
    }

    private func seekToStart() throws(MediaError) {
        let r = avformat_seek_file(input.format, streamIndex, Int64.min, Int64.min, Int64.min, AVSEEK_FLAG_BACKWARD)
        if r < 0 { throw .corruptStream(path: url.path, detail: "seeking to the start: \(avErrorString(r))") }
        resetAfterSeek()
    }

    private func resetAfterSeek() {
        avcodec_flush_buffers(codec.context)
        flushSent = false
        ended = false
        lastIndex = nil
        seeked = true
    }

    /// Decodes the next frame into `frame`; returns its index and pts, or nil at the end.
    private func decodeRaw() throws(MediaError) -> (Int, Int64)? {
        current = nil
        if ended { return nil }
        let ctx = codec.context
        while true {
            av_frame_unref(frame.frame)
            let r = avcodec_receive_frame(ctx, frame.frame)
            if r >= 0 {
                let f = frame.frame.pointee
                let none = xp_AV_NOPTS_VALUE()
                let pts = f.best_effort_timestamp != none ? f.best_effort_timestamp : (f.pts != none ? f.pts : f.pkt_dts)
                let idx: Int
                if let t = table, pts != none, let i = t.index(of: pts) {
                    idx = i
                } else if !seeked {
                    idx = sequentialNext
                } else {
                    idx = (lastIndex ?? -1) + 1
                }
                sequentialNext = idx + 1
                lastIndex = idx
                current = (idx, pts)
                return (idx, pts == none ? Int64(idx) : pts)
            }
            if r == xp_AVERROR_EOF() {
                ended = true
                try checkComplete()
                return nil
            }
            if r != xp_AVERROR_EAGAIN() {
                throw .corruptStream(path: url.path, detail: "decoding after frame \(lastIndex.map(String.init) ?? "none"): \(avErrorString(r))")
            }
            // The decoder wants input.
            if flushSent {
                ended = true
                try checkComplete()
                return nil
            }
            try feedPacket()
        }
    }

    private func feedPacket() throws(MediaError) {
        let ctx = codec.context
        while true {
            let r = av_read_frame(input.format, packet.packet)
            if r == xp_AVERROR_EOF() || (r < 0 && input.format.pointee.pb?.pointee.eof_reached != 0) {
                // End of data (or a read error at the physical end of a truncated file): drain.
                flushSent = true
                _ = avcodec_send_packet(ctx, nil)
                return
            }
            if r < 0 { throw .corruptStream(path: url.path, detail: "reading packet: \(avErrorString(r))") }
            defer { av_packet_unref(packet.packet) }
            guard packet.packet.pointee.stream_index == streamIndex else { continue }
            let s = avcodec_send_packet(ctx, packet.packet)
            if s >= 0 || s == xp_AVERROR_EAGAIN() { return }
            if s == xp_AVERROR_INVALIDDATA() {
                throw .corruptStream(path: url.path, detail: "packet at dts \(packet.packet.pointee.dts) is not valid \(String(cString: avcodec_get_name(ctx.pointee.codec_id)))")
            }
            throw .corruptStream(path: url.path, detail: "sending packet: \(avErrorString(s))")
        }
    }

    /// At the end of the stream: an empty stream, or fewer frames than the container declares
    /// (or the demuxing pass found), is an error.
    private func checkComplete() throws(MediaError) {
        let produced = (lastIndex ?? -1) + 1
        if table == nil, let declared = indexedFrameCount ?? declaredFrameCount, produced < declared {
            // The container's count includes packets an edit list hides; before calling the file
            // truncated, count the frames that should be shown (one demuxing pass, no decoding).
            table = try? FrameTable.build(url: url, streamIndex: streamIndex)
        }
        let expected = table.map(expectedFrames) ?? indexedFrameCount ?? declaredFrameCount ?? 0
        if lastIndex == nil, !seeked, expected == 0 { throw .emptyStream(path: url.path) }
        if produced < expected {
            throw .truncatedStream(path: url.path, expectedFrames: expected, decodedFrames: produced)
        }
    }

    /// Frames the stream should show: the demuxed count, unless the file is cut short (its index
    /// points past the end, or without an index fewer packets than declared), in which case the
    /// promised count minus the hidden packets.
    private func expectedFrames(_ t: FrameTable) -> Int {
        if dataCutShort, let d = indexedFrameCount ?? declaredFrameCount { return max(t.pts.count, d - t.discarded) }
        // Without an index, trust the declared count. With one that the data covers, packets the
        // demuxer skips (before an edit list's start) are not missing frames.
        if indexedFrameCount == nil, let d = declaredFrameCount, t.packetCount < d { return d - t.discarded }
        return t.pts.count
    }

    // MARK: Conversion

    private func convert(index: Int, pts: Int64) throws(MediaError) -> VideoFrame {
        var out = VideoFrame(index: 0, pts: 0, seconds: 0, width: 0, height: 0, output: options.output, pixelFormat: "", planes: [])
        try convert(index: index, pts: pts, into: &out)
        return out
    }

    /// Fills `out` from the decoded frame, reusing its plane buffers when they already have the
    /// right size and are not shared (no allocation, no page faults in a streaming loop).
    private func convert(index: Int, pts: Int64, into out: inout VideoFrame) throws(MediaError) {
        let f = frame.frame
        let w = Int(f.pointee.width), h = Int(f.pointee.height)
        let fmt = AVPixelFormat(rawValue: f.pointee.format)
        guard w > 0, h > 0, f.pointee.format >= 0 else {
            throw .corruptStream(path: url.path, detail: "frame \(index) has no picture (\(w)×\(h))")
        }
        out.index = index
        out.pts = pts
        out.seconds = seconds(pts, tb)
        out.output = options.output
        switch options.output {
        case .planes:
            let name = av_get_pix_fmt_name(fmt).map { String(cString: $0) } ?? "unknown"
            var lines = [Int32](repeating: 0, count: 4)
            guard av_image_fill_linesizes(&lines, fmt, Int32(w)) >= 0, let desc = av_pix_fmt_desc_get(fmt) else {
                throw .unsupportedCodec(path: url.path, codec: "pixel format \(name)")
            }
            let chromaShift = Int(desc.pointee.log2_chroma_h)
            var count = 0
            for p in 0..<4 where lines[p] > 0 {
                guard let src = xp_frame_data(f, Int32(p)) else { break }
                let rows = (p == 1 || p == 2) ? (h + (1 << chromaShift) - 1) >> chromaShift : h
                let rowBytes = Int(lines[p])
                let stride = Int(xp_frame_linesize(f, Int32(p)))
                if out.planes.count <= count {
                    out.planes.append(VideoPlane(bytesPerRow: rowBytes, rows: rows, bytes: []))
                }
                out.planes[count].bytesPerRow = rowBytes
                out.planes[count].rows = rows
                resize(&out.planes[count].bytes, to: rowBytes * rows)
                out.planes[count].bytes.withUnsafeMutableBufferPointer { b in
                    guard let d = b.baseAddress else { return }
                    if stride == rowBytes {
                        d.update(from: src, count: rowBytes * rows)
                    } else {
                        for y in 0..<rows { (d + y * rowBytes).update(from: src + y * stride, count: rowBytes) }
                    }
                }
                count += 1
            }
            if out.planes.count > count { out.planes.removeLast(out.planes.count - count) }
            out.width = w
            out.height = h
            out.pixelFormat = name
        case .rgb24, .gray8:
            let cn = options.output == .rgb24 ? 3 : 1
            let dstFmt = options.output == .rgb24 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_GRAY8
            let key = (Int32(w), Int32(h), f.pointee.format)
            if sws == nil || swsKey != key {
                // SWS_BICUBIC with no colour-space override is what OpenCV's FFmpeg backend uses,
                // so the same-size conversion takes the same libswscale path.
                sws = sws_getCachedContext(sws, Int32(w), Int32(h), fmt, Int32(w), Int32(h), dstFmt,
                                           SWS_BICUBIC, nil, nil, nil)
                swsKey = key
                guard sws != nil else {
                    throw .unsupportedCodec(path: url.path, codec: "pixel format \(av_get_pix_fmt_name(fmt).map { String(cString: $0) } ?? "unknown")")
                }
            }
            var outW = w, outH = h
            if case .area(let aw, let ah) = options.size {
                outW = aw
                outH = ah
                if plan == nil || plan?.sourceWidth != w || plan?.sourceHeight != h {
                    plan = try AreaResizePlan(sourceWidth: w, sourceHeight: h, destinationWidth: aw, destinationHeight: ah, channels: cn)
                }
            }
            if options.areaBeforeColour, let plan, options.output == .rgb24, fmt == AV_PIX_FMT_YUV420P,
               f.pointee.color_range != AVCOL_RANGE_JPEG, try convertAreaBeforeColour(plan: plan, into: &out) {
                out.width = outW
                out.height = outH
                out.pixelFormat = "rgb24"
                return
            }
            let rowBytes = w * cn
            // libswscale's x86 YUV→RGB kernels convert 8 pixels at a time and skip the last
            // `width mod 8` pixels of each row when the destination stride cannot hold the
            // rounded-up width; OpenCV avoids this with an aligned stride, and so do we: convert
            // into a scratch image whose stride holds the width rounded up to 16 pixels, aligned
            // to 64 bytes. When the packed row is already such a stride, convert in place.
            let alignedStride = ((w + 15) / 16 * 16 * cn + 63) / 64 * 64
            let direct = alignedStride == rowBytes && plan == nil
            let stride = direct ? rowBytes : alignedStride
            let convertInto: (UnsafeMutablePointer<UInt8>) -> Int32 = { [sws] dst in
                var dstData: [UnsafeMutablePointer<UInt8>?] = [dst, nil, nil, nil]
                var dstLines: [Int32] = [Int32(stride), 0, 0, 0]
                return withUnsafePointer(to: &f.pointee.data) { dataTuple in
                    withUnsafePointer(to: &f.pointee.linesize) { lineTuple in
                        dataTuple.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { srcData in
                            lineTuple.withMemoryRebound(to: Int32.self, capacity: 8) { srcLines in
                                sws_scale(sws, srcData, srcLines, 0, Int32(h), &dstData, &dstLines)
                            }
                        }
                    }
                }
            }
            if out.planes.count != 1 { out.planes = [VideoPlane(bytesPerRow: 0, rows: 0, bytes: [])] }
            out.planes[0].bytesPerRow = outW * cn
            out.planes[0].rows = outH
            resize(&out.planes[0].bytes, to: outW * outH * cn)
            if direct {
                let r = out.planes[0].bytes.withUnsafeMutableBufferPointer { b in b.baseAddress.map(convertInto) ?? -1 }
                guard r > 0 else { throw .corruptStream(path: url.path, detail: "converting frame \(index) failed") }
            } else if let plan, options.output == .rgb24, fmt == AV_PIX_FMT_YUV420P, h % 2 == 0 {
                // Convert a band of rows at a time into a cache-sized buffer and shrink it at once,
                // instead of writing the whole RGB frame (4 MB at 1088×1280) and reading it back.
                // Exact: for yuv420p with an even height libswscale uses its unscaled YUV→RGB
                // converter, which computes each row from its own luma row and the chroma row
                // y/2 only, so a band that starts on an even row converts to the same bytes as
                // the whole frame (pinned by the media tests against whole-frame conversion).
                let bandRows = max(2, min(h, (96 * 1024 / stride) & ~1))
                resize(&scratch, to: stride * bandRows)
                if rows == nil || rows?.plan != plan { rows = AreaRowAccumulator(plan: plan) }
                guard let rows else { return }
                let lines = (0..<3).map { Int(xp_frame_linesize(f, Int32($0))) }
                guard let y0 = xp_frame_data(f, 0), let u0 = xp_frame_data(f, 1), let v0 = xp_frame_data(f, 2) else {
                    throw .corruptStream(path: url.path, detail: "frame \(index) has no yuv420p planes")
                }
                let failed: Bool = scratch.withUnsafeMutableBufferPointer { sb in
                    out.planes[0].bytes.withUnsafeMutableBufferPointer { ob in
                        guard let sp = sb.baseAddress, let op = ob.baseAddress else { return true }
                        rows.begin(into: .bytes(op))
                        var dstData: [UnsafeMutablePointer<UInt8>?] = [sp, nil, nil, nil]
                        var dstLines: [Int32] = [Int32(stride), 0, 0, 0]
                        var srcLines: [Int32] = lines.map { Int32($0) } + [0]
                        var top = 0
                        while top < h {
                            let count = min(bandRows, h - top)
                            let srcData: [UnsafePointer<UInt8>?] = [UnsafePointer(y0 + top * lines[0]),
                                                                     UnsafePointer(u0 + (top / 2) * lines[1]),
                                                                     UnsafePointer(v0 + (top / 2) * lines[2]), nil]
                            // Each band is handed over as the top slice (srcSliceY 0) of its own
                            // pointers, so libswscale writes it at the start of the scratch buffer.
                            let r = sws_scale(sws, srcData, &srcLines, 0, Int32(count), &dstData, &dstLines)
                            guard r == Int32(count) else { return true }
                            rows.consume(sp, stride: stride, rows: count)
                            top += count
                        }
                        return false
                    }
                }
                if failed { throw .corruptStream(path: url.path, detail: "converting frame \(index) failed") }
            } else {
                resize(&scratch, to: stride * h)
                let r = scratch.withUnsafeMutableBufferPointer { b in b.baseAddress.map(convertInto) ?? -1 }
                guard r > 0 else { throw .corruptStream(path: url.path, detail: "converting frame \(index) failed") }
                if let plan {
                    try scratch.withUnsafeBufferPointer { (s) throws(MediaError) in
                        try out.planes[0].bytes.withUnsafeMutableBufferPointer { (o) throws(MediaError) in
                            try plan.apply(s, into: o, sourceRowStride: stride)
                        }
                    }
                } else {
                    scratch.withUnsafeBufferPointer { s in
                        out.planes[0].bytes.withUnsafeMutableBufferPointer { o in
                            guard let sp = s.baseAddress, let op = o.baseAddress else { return }
                            for y in 0..<h { (op + y * rowBytes).update(from: sp + y * stride, count: rowBytes) }
                        }
                    }
                }
            }
            out.width = outW
            out.height = outH
            out.pixelFormat = options.output == .rgb24 ? "rgb24" : "gray"
        }
    }
}

extension VideoDecoder {
    /// The `areaBeforeColour` path: INTER_AREA means of Y (luma grid) and of U, V (chroma grid)
    /// in Float32, then libswscale's BT.601 limited-range conversion of each mean, rounded half
    /// to even and clipped. Returns false (nothing written) when a plane is too small for the
    /// destination size, so the caller takes the exact path.
    fileprivate func convertAreaBeforeColour(plan: AreaResizePlan, into out: inout VideoFrame) throws(MediaError) -> Bool {
        let f = frame.frame
        let w = Int(f.pointee.width), h = Int(f.pointee.height)
        let dw = plan.destinationWidth, dh = plan.destinationHeight
        if yuvRows == nil || yuvRows?.luma.plan.sourceWidth != w || yuvRows?.luma.plan.sourceHeight != h
            || yuvRows?.luma.plan.destinationWidth != dw || yuvRows?.luma.plan.destinationHeight != dh {
            guard let luma = try? AreaResizePlan(sourceWidth: w, sourceHeight: h, destinationWidth: dw, destinationHeight: dh),
                  let chroma = try? AreaResizePlan(sourceWidth: (w + 1) / 2, sourceHeight: (h + 1) / 2,
                                                   destinationWidth: dw, destinationHeight: dh) else { return false }
            yuvRows = (AreaRowAccumulator(plan: luma), AreaRowAccumulator(plan: chroma))
        }
        guard let (luma, chroma) = yuvRows else { return false }
        let count = dw * dh
        if yuvMeans.count != 3 * count { yuvMeans = [Float](repeating: 0, count: 3 * count) }
        var planes: [(UnsafeMutablePointer<UInt8>, Int)] = []
        for p in 0..<3 {
            guard let data = xp_frame_data(f, Int32(p)) else {
                throw .corruptStream(path: url.path, detail: "frame has no yuv420p plane \(p)")
            }
            planes.append((data, Int(xp_frame_linesize(f, Int32(p)))))
        }
        yuvMeans.withUnsafeMutableBufferPointer { m in
            guard let base = m.baseAddress else { return }
            for p in 0..<3 {
                let acc = p == 0 ? luma : chroma
                acc.begin(into: .floats(base + p * count))
                acc.consume(planes[p].0, stride: planes[p].1, rows: acc.plan.sourceHeight)
            }
        }
        if out.planes.count != 1 { out.planes = [VideoPlane(bytesPerRow: 0, rows: 0, bytes: [])] }
        out.planes[0].bytesPerRow = dw * 3
        out.planes[0].rows = dh
        resize(&out.planes[0].bytes, to: count * 3)
        // libswscale's default (BT.601, limited range) coefficients, 16.16 fixed point in
        // `ff_yuv2rgb_coeffs`: cy 76309, crv 104597, cbu 132201, cgu 25675, cgv 53279.
        let cy: Float = 76309 / 65536, crv: Float = 104597 / 65536, cbu: Float = 132201 / 65536
        let cgu: Float = 25675 / 65536, cgv: Float = 53279 / 65536
        yuvMeans.withUnsafeBufferPointer { m in
            out.planes[0].bytes.withUnsafeMutableBufferPointer { o in
                for i in 0..<count {
                    let y = cy * (m[i] - 16), u = m[count + i] - 128, v = m[2 * count + i] - 128
                    o[3 * i] = saturateU8(y + crv * v)
                    o[3 * i + 1] = saturateU8(y - cgu * u - cgv * v)
                    o[3 * i + 2] = saturateU8(y + cbu * u)
                }
            }
        }
        return true
    }
}

/// Sets `buffer` to `count` bytes, keeping its storage when the size already matches; new storage
/// is left uninitialised because the caller overwrites every byte.
private func resize(_ buffer: inout [UInt8], to count: Int) {
    if buffer.count == count { return }
    buffer = [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}
