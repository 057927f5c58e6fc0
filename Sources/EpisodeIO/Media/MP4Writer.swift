import CLibAV
import Foundation
import XPCore

/// The H.264 video track of an `MP4Writer`.
public struct MP4VideoTrackOptions: Sendable, Equatable {
    /// Frame size; both must be even (yuv420p halves the chroma planes).
    public var width: Int
    public var height: Int
    /// Nominal frame rate, written as the stream's frame rate (e.g. 20/1).
    public var frameRate: MediaRational
    /// The time base of the timestamps given to `appendFrame(_:pts:)`; nil means one tick per
    /// frame (`1/frameRate`), so frame i gets pts i.
    public var timeBase: MediaRational?
    /// Layout of the pixels given to `appendFrame`: `.rgb24` or `.gray8`.
    public var input: VideoPixelOutput
    /// x264 constant rate factor (0 lossless ... 51; 23 is x264's default).
    public var crf: Int
    /// x264 preset ("ultrafast" ... "veryslow").
    public var preset: String
    /// Frames between keyframes; nil keeps x264's default (250).
    public var keyframeInterval: Int?
    /// Encoder threads; 0 lets libx264 choose.
    public var threads: Int

    /// Fast settings, suitable for fixtures and clips: preset "veryfast", crf 23.
    public init(width: Int, height: Int, frameRate: MediaRational, timeBase: MediaRational? = nil,
                input: VideoPixelOutput = .rgb24, crf: Int = 23, preset: String = "veryfast",
                keyframeInterval: Int? = nil, threads: Int = 0) {
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.timeBase = timeBase
        self.input = input
        self.crf = crf
        self.preset = preset
        self.keyframeInterval = keyframeInterval
        self.threads = threads
    }
}

/// The AAC audio track of an `MP4Writer` (libavcodec's native "aac" encoder).
public struct MP4AudioTrackOptions: Sendable, Equatable {
    public var sampleRate: Int
    /// 1 (mono) or 2 (stereo); `appendAudio` takes interleaved samples.
    public var channels: Int
    public var bitRate: Int

    public init(sampleRate: Int = 48_000, channels: Int = 1, bitRate: Int = 96_000) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitRate = bitRate
    }
}

/// How the MP4 is laid out on disk.
public enum MP4Layout: String, Sendable, Codable {
    /// Media data first, index (moov) at the end: what libavformat and x264 tools write by default.
    case standard
    /// Index moved to the front at `finish()` (a second pass), so players can start before the end.
    case fastStart
    /// Fragmented MP4: an empty index up front, then self-contained fragments; every track is
    /// declared even when it receives no samples.
    case fragmented
}

/// Writes an MP4 with an optional H.264 video track and an optional AAC audio track.
///
/// Output goes to a temporary file next to `url` and is renamed into place by `finish()`; a writer
/// released without `finish()` (or whose `finish()` fails) removes the temporary file.
///
/// ```swift
/// let writer = try MP4Writer(url: out, video: .init(width: 960, height: 480, frameRate: .init(8, 1)))
/// for tile in mosaics { try writer.appendFrame(tile) }   // 960·480·3 RGB bytes each
/// try writer.finish()
/// ```
public final class MP4Writer {
    public let url: URL
    public let video: MP4VideoTrackOptions?
    public let audio: MP4AudioTrackOptions?
    /// Frames appended so far.
    public private(set) var framesWritten = 0
    /// Audio samples (per channel) appended so far.
    public private(set) var audioSamplesWritten = 0

    private let tempURL: URL
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var videoCodec: AVCodecBox?
    private var audioCodec: AVCodecBox?
    private var videoStream: UnsafeMutablePointer<AVStream>?
    private var audioStream: UnsafeMutablePointer<AVStream>?
    private let packet: AVPacketBox
    private var videoFrame: AVFrameBox?
    private var sws: OpaquePointer?
    private var pendingAudio: [Float] = []
    private var inputBuffer: [UInt8] = []
    private var audioPts: Int64 = 0
    private var lastVideoPts: Int64? = nil
    private var ticksPerFrame: Int64 = 1
    private var finished = false
    private var headerWritten = false

    /// Creates the file (at a temporary name) and opens the encoders.
    ///
    /// - Parameter layout: where the MP4 index goes (`.standard` by default).
    /// Throws `.invalidArgument` (no track, odd size, non-positive rate, ...), `.unsupportedCodec`
    /// (no libx264 or aac encoder), `.writeFailed`.
    public init(url: URL, video: MP4VideoTrackOptions? = nil, audio: MP4AudioTrackOptions? = nil,
                layout: MP4Layout = .standard) throws(MediaError) {
        _ = quietLibavLogging
        self.url = url
        self.video = video
        self.audio = audio
        let path = url.path
        self.tempURL = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        self.packet = try AVPacketBox()
        guard video != nil || audio != nil else {
            throw .invalidArgument(path: path, detail: "an MP4 needs a video or an audio track; neither was given")
        }
        var ctx: UnsafeMutablePointer<AVFormatContext>? = nil
        let r = avformat_alloc_output_context2(&ctx, nil, "mp4", tempURL.path)
        guard r >= 0, let fmt = ctx else { throw .writeFailed(path: path, detail: "creating the MP4 muxer: \(avErrorString(r))") }
        format = fmt
        do {
            if let v = video { try openVideo(v, fmt: fmt) }
            if let a = audio { try openAudio(a, fmt: fmt) }
            let o = avio_open(&fmt.pointee.pb, tempURL.path, AVIO_FLAG_WRITE)
            if o < 0 { throw MediaError.writeFailed(path: path, detail: "opening \(tempURL.lastPathComponent) for writing: \(avErrorString(o))") }
            var opts: OpaquePointer? = nil
            switch layout {
            case .standard: break
            case .fastStart: av_dict_set(&opts, "movflags", "+faststart", 0)
            case .fragmented: av_dict_set(&opts, "movflags", "+frag_keyframe+empty_moov+default_base_moof", 0)
            }
            let h = avformat_write_header(fmt, &opts)
            av_dict_free(&opts)
            if h < 0 { throw MediaError.writeFailed(path: path, detail: "writing the MP4 header: \(avErrorString(h))") }
            headerWritten = true
        } catch let e as MediaError {
            cleanup()
            throw e
        } catch {
            cleanup()
            throw .writeFailed(path: path, detail: "\(error)")
        }
    }

    deinit {
        if !finished { cleanup() }
        sws_freeContext(sws)
    }

    private func cleanup() {
        if let fmt = format {
            if fmt.pointee.pb != nil { avio_closep(&fmt.pointee.pb) }
            avformat_free_context(fmt)
            format = nil
        }
        try? FileManager.default.removeItem(at: tempURL)
    }

    private func openVideo(_ v: MP4VideoTrackOptions, fmt: UnsafeMutablePointer<AVFormatContext>) throws(MediaError) {
        let path = url.path
        guard v.width > 0, v.height > 0, v.width % 2 == 0, v.height % 2 == 0 else {
            throw .invalidArgument(path: path, detail: "H.264 yuv420p needs a positive even size, found \(v.width)×\(v.height)")
        }
        guard v.frameRate.numerator > 0, v.frameRate.denominator > 0 else {
            throw .invalidArgument(path: path, detail: "expected a positive frame rate, found \(v.frameRate.numerator)/\(v.frameRate.denominator)")
        }
        guard v.input != .planes else {
            throw .invalidArgument(path: path, detail: "appendFrame takes rgb24 or gray8 pixels, not planes")
        }
        let tb = v.timeBase ?? MediaRational(v.frameRate.denominator, v.frameRate.numerator)
        guard tb.numerator > 0, tb.denominator > 0 else {
            throw .invalidArgument(path: path, detail: "expected a positive time base, found \(tb.numerator)/\(tb.denominator)")
        }
        // Default timestamps: one frame = 1/frameRate seconds expressed in the time base, when that
        // is a whole number of ticks.
        let num = Int64(tb.denominator) * Int64(v.frameRate.denominator)
        let den = Int64(tb.numerator) * Int64(v.frameRate.numerator)
        ticksPerFrame = num % den == 0 ? max(1, num / den) : 0

        guard let codec = avcodec_find_encoder_by_name("libx264") ?? avcodec_find_encoder(AV_CODEC_ID_H264) else {
            throw .unsupportedCodec(path: path, codec: "h264 encoder (libx264)")
        }
        guard let st = avformat_new_stream(fmt, nil), let c = avcodec_alloc_context3(codec) else {
            throw .writeFailed(path: path, detail: "out of memory creating the video stream")
        }
        let box = AVCodecBox(c)
        videoCodec = box
        videoStream = st
        c.pointee.width = Int32(v.width)
        c.pointee.height = Int32(v.height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = AVRational(num: Int32(clamping: tb.numerator), den: Int32(clamping: tb.denominator))
        c.pointee.framerate = AVRational(num: Int32(clamping: v.frameRate.numerator), den: Int32(clamping: v.frameRate.denominator))
        c.pointee.thread_count = Int32(clamping: max(0, v.threads))
        if let g = v.keyframeInterval, g > 0 {
            c.pointee.gop_size = Int32(clamping: g)
            c.pointee.keyint_min = Int32(clamping: g)
        }
        if fmt.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            c.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        if let priv = c.pointee.priv_data {
            av_opt_set(priv, "preset", v.preset, 0)
            av_opt_set(priv, "crf", String(v.crf), 0)
        }
        st.pointee.time_base = c.pointee.time_base
        st.pointee.avg_frame_rate = c.pointee.framerate
        let r = avcodec_open2(c, codec, nil)
        if r < 0 { throw .unsupportedCodec(path: path, codec: "h264 encoder: \(avErrorString(r))") }
        if avcodec_parameters_from_context(st.pointee.codecpar, c) < 0 {
            throw .writeFailed(path: path, detail: "copying video encoder parameters")
        }
        let frame = try AVFrameBox()
        frame.frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        frame.frame.pointee.width = c.pointee.width
        frame.frame.pointee.height = c.pointee.height
        if av_frame_get_buffer(frame.frame, 0) < 0 { throw .writeFailed(path: path, detail: "out of memory for a video frame") }
        videoFrame = frame
        let srcFmt = v.input == .rgb24 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_GRAY8
        sws = sws_getContext(Int32(v.width), Int32(v.height), srcFmt, Int32(v.width), Int32(v.height), AV_PIX_FMT_YUV420P,
                             SWS_BICUBIC, nil, nil, nil)
        if sws == nil { throw .writeFailed(path: path, detail: "creating the RGB → yuv420p converter") }
    }

    private func openAudio(_ a: MP4AudioTrackOptions, fmt: UnsafeMutablePointer<AVFormatContext>) throws(MediaError) {
        let path = url.path
        guard a.sampleRate > 0, a.channels == 1 || a.channels == 2, a.bitRate > 0 else {
            throw .invalidArgument(path: path, detail: "AAC needs a positive rate and 1 or 2 channels, found \(a.sampleRate) Hz × \(a.channels)")
        }
        guard let codec = avcodec_find_encoder_by_name("aac") else {
            throw .unsupportedCodec(path: path, codec: "aac encoder")
        }
        guard let st = avformat_new_stream(fmt, nil), let c = avcodec_alloc_context3(codec) else {
            throw .writeFailed(path: path, detail: "out of memory creating the audio stream")
        }
        let box = AVCodecBox(c)
        audioCodec = box
        audioStream = st
        c.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        c.pointee.sample_rate = Int32(a.sampleRate)
        xp_codecctx_set_channels(c, Int32(a.channels))
        c.pointee.bit_rate = Int64(a.bitRate)
        c.pointee.time_base = AVRational(num: 1, den: Int32(a.sampleRate))
        if fmt.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            c.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        st.pointee.time_base = c.pointee.time_base
        let r = avcodec_open2(c, codec, nil)
        if r < 0 { throw .unsupportedCodec(path: path, codec: "aac encoder: \(avErrorString(r))") }
        if avcodec_parameters_from_context(st.pointee.codecpar, c) < 0 {
            throw .writeFailed(path: path, detail: "copying audio encoder parameters")
        }
    }

    /// Appends one frame of `width * height * 3` (rgb24) or `width * height` (gray8) bytes.
    ///
    /// - Parameter pts: the timestamp in the video time base; nil means `framesWritten` frames
    ///   after 0 at the nominal rate. Timestamps must increase.
    public func appendFrame(_ pixels: [UInt8], pts: Int64? = nil) throws(MediaError) {
        guard !finished, let v = video, let codec = videoCodec, let frame = videoFrame, let st = videoStream else {
            throw .invalidArgument(path: url.path, detail: finished ? "appendFrame after finish()" : "this writer has no video track")
        }
        let cn = v.input == .rgb24 ? 3 : 1
        guard pixels.count == v.width * v.height * cn else {
            throw .invalidArgument(path: url.path, detail: "expected \(v.width * v.height * cn) bytes (\(v.width)×\(v.height)×\(cn)) for frame \(framesWritten), found \(pixels.count)")
        }
        let t: Int64
        if let pts {
            t = pts
        } else {
            guard ticksPerFrame > 0 else {
                throw .invalidArgument(path: url.path, detail: "the time base does not hold a whole frame duration; pass explicit pts")
            }
            t = Int64(framesWritten) * ticksPerFrame
        }
        if let last = lastVideoPts, t <= last {
            throw .invalidArgument(path: url.path, detail: "frame \(framesWritten) pts \(t) does not increase past \(last)")
        }
        if av_frame_make_writable(frame.frame) < 0 { throw .writeFailed(path: url.path, detail: "out of memory for a video frame") }
        let f = frame.frame
        // libswscale's SIMD readers may load a vector past the last pixel; convert from a copy
        // with spare capacity rather than from the caller's exact-size array.
        if inputBuffer.capacity < pixels.count + 256 + v.width * cn {
            inputBuffer = []
            inputBuffer.reserveCapacity(pixels.count + 256 + v.width * cn)
        }
        inputBuffer.removeAll(keepingCapacity: true)
        inputBuffer.append(contentsOf: pixels)
        let converted: Int32 = inputBuffer.withUnsafeBufferPointer { src in
            var srcData: [UnsafePointer<UInt8>?] = [src.baseAddress, nil, nil, nil]
            var srcLines: [Int32] = [Int32(v.width * cn), 0, 0, 0]
            var dstData: [UnsafeMutablePointer<UInt8>?] = [xp_frame_data(f, 0), xp_frame_data(f, 1), xp_frame_data(f, 2), nil]
            var dstLines: [Int32] = [xp_frame_linesize(f, 0), xp_frame_linesize(f, 1), xp_frame_linesize(f, 2), 0]
            return sws_scale(sws, &srcData, &srcLines, 0, Int32(v.height), &dstData, &dstLines)
        }
        guard converted > 0 else { throw .writeFailed(path: url.path, detail: "converting frame \(framesWritten) to yuv420p") }
        f.pointee.pts = t
        try encode(codec, frame: f, stream: st)
        lastVideoPts = t
        framesWritten += 1
    }

    /// Appends interleaved Float32 samples (nominally in [-1, 1]) to the audio track.
    public func appendAudio(_ samples: [Float]) throws(MediaError) {
        guard !finished, let a = audio, let codec = audioCodec, let st = audioStream else {
            throw .invalidArgument(path: url.path, detail: finished ? "appendAudio after finish()" : "this writer has no audio track")
        }
        guard samples.count % a.channels == 0 else {
            throw .invalidArgument(path: url.path, detail: "expected interleaved samples in multiples of \(a.channels), found \(samples.count)")
        }
        pendingAudio.append(contentsOf: samples)
        audioSamplesWritten += samples.count / a.channels
        let frameSize = max(1, Int(codec.context.pointee.frame_size))
        let chunk = frameSize * a.channels
        var offset = 0
        while pendingAudio.count - offset >= chunk {
            try sendAudio(pendingAudio[offset..<(offset + chunk)], codec: codec, stream: st)
            offset += chunk
        }
        pendingAudio.removeFirst(offset)
    }

    private func sendAudio(_ interleaved: ArraySlice<Float>, codec: AVCodecBox, stream: UnsafeMutablePointer<AVStream>) throws(MediaError) {
        guard let a = audio else { return }
        let c = codec.context
        let n = interleaved.count / a.channels
        guard let box = try? AVFrameBox() else { throw .writeFailed(path: url.path, detail: "out of memory for an audio frame") }
        let f = box.frame
        f.pointee.nb_samples = Int32(n)
        f.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        f.pointee.sample_rate = c.pointee.sample_rate
        if xp_frame_set_layout_from(f, c) < 0 || av_frame_get_buffer(f, 0) < 0 {
            throw .writeFailed(path: url.path, detail: "out of memory for an audio frame")
        }
        for ch in 0..<a.channels {
            guard let plane = xp_frame_data(f, Int32(ch)) else { continue }
            plane.withMemoryRebound(to: Float.self, capacity: n) { p in
                var i = interleaved.startIndex + ch
                for s in 0..<n {
                    p[s] = interleaved[i]
                    i += a.channels
                }
            }
        }
        f.pointee.pts = audioPts
        audioPts += Int64(n)
        try encode(codec, frame: f, stream: stream)
    }

    /// Sends one frame (nil flushes) and writes every packet the encoder returns.
    private func encode(_ codec: AVCodecBox, frame: UnsafeMutablePointer<AVFrame>?, stream: UnsafeMutablePointer<AVStream>) throws(MediaError) {
        guard let fmt = format else { throw .writeFailed(path: url.path, detail: "the writer is closed") }
        let c = codec.context
        let s = avcodec_send_frame(c, frame)
        if s < 0 && !(frame == nil && s == xp_AVERROR_EOF()) {
            throw .writeFailed(path: url.path, detail: "encoding: \(avErrorString(s))")
        }
        let pkt = packet.packet
        while true {
            let r = avcodec_receive_packet(c, pkt)
            if r == xp_AVERROR_EAGAIN() || r == xp_AVERROR_EOF() { return }
            if r < 0 { throw .writeFailed(path: url.path, detail: "encoding: \(avErrorString(r))") }
            av_packet_rescale_ts(pkt, c.pointee.time_base, stream.pointee.time_base)
            pkt.pointee.stream_index = stream.pointee.index
            let w = av_interleaved_write_frame(fmt, pkt)
            if w < 0 { throw .writeFailed(path: url.path, detail: "writing a packet: \(avErrorString(w))") }
        }
    }

    /// Flushes the encoders, writes the MP4 index and renames the file into place.
    public func finish() throws(MediaError) {
        guard !finished else { return }
        do {
            if let codec = audioCodec, let st = audioStream, let a = audio {
                if !pendingAudio.isEmpty {
                    var tail = pendingAudio
                    let frameSize = max(1, Int(codec.context.pointee.frame_size))
                    let smallLast = (codec.context.pointee.codec.pointee.capabilities & Int32(AV_CODEC_CAP_SMALL_LAST_FRAME)) != 0
                    if !smallLast { tail += [Float](repeating: 0, count: frameSize * a.channels - tail.count) }
                    try sendAudio(tail[...], codec: codec, stream: st)
                    pendingAudio = []
                }
                try encode(codec, frame: nil, stream: st)
            }
            if let codec = videoCodec, let st = videoStream { try encode(codec, frame: nil, stream: st) }
            guard let fmt = format else { throw MediaError.writeFailed(path: url.path, detail: "the writer is closed") }
            let t = av_write_trailer(fmt)
            if t < 0 { throw MediaError.writeFailed(path: url.path, detail: "writing the MP4 index: \(avErrorString(t))") }
            let c = avio_closep(&fmt.pointee.pb)
            if c < 0 { throw MediaError.writeFailed(path: url.path, detail: "closing: \(avErrorString(c))") }
            avformat_free_context(fmt)
            format = nil
            try replaceItem(at: url, with: tempURL)
            finished = true
        } catch let e as MediaError {
            cleanup()
            finished = true
            throw e
        } catch {
            cleanup()
            finished = true
            throw .writeFailed(path: url.path, detail: "\(error)")
        }
    }
}

/// Moves `temp` over `destination` (replacing it), as the last step of a write: `fsync`, then
/// `rename(2)` (XPCore's `AtomicFile.commit`); `temp` is removed on failure.
func replaceItem(at destination: URL, with temp: URL) throws(MediaError) {
    do {
        try AtomicFile.commit(temp, to: destination)
    } catch {
        throw .writeFailed(path: destination.path, detail: "renaming the finished file into place: \(error.reason)")
    }
}
