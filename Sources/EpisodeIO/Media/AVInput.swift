import CLibAV
import Foundation

/// libav logs every recoverable problem on stderr; errors reach callers as `MediaError`
/// instead, so only fatal messages are printed.
let quietLibavLogging: Void = { av_log_set_level(AV_LOG_FATAL) }()

/// Owns an opened `AVFormatContext` for one input file (closed in `deinit`).
final class AVInput {
    let path: String
    let format: UnsafeMutablePointer<AVFormatContext>

    /// Opens `url` and reads its stream headers. Never returns a half-open context.
    init(url: URL) throws(MediaError) {
        _ = quietLibavLogging
        let path = url.path
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              FileManager.default.isReadableFile(atPath: path) else {
            throw .fileNotFound(path: path)
        }
        // A FIFO or device would block the demuxer's probe read forever; only plain files are media.
        if let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType,
           type != .typeRegular {
            throw .notMediaFile(path: path, detail: "not a regular file (\(type.rawValue))")
        }
        var ctx: UnsafeMutablePointer<AVFormatContext>? = nil
        let r = avformat_open_input(&ctx, path, nil, nil)
        guard r >= 0, let opened = ctx else {
            throw .notMediaFile(path: path, detail: avErrorString(r))
        }
        let s = avformat_find_stream_info(opened, nil)
        if s < 0 {
            var c: UnsafeMutablePointer<AVFormatContext>? = opened
            avformat_close_input(&c)
            throw .notMediaFile(path: path, detail: "reading stream headers: \(avErrorString(s))")
        }
        if opened.pointee.nb_streams == 0 {
            var c: UnsafeMutablePointer<AVFormatContext>? = opened
            avformat_close_input(&c)
            throw .notMediaFile(path: path, detail: "no streams")
        }
        format = opened
    }

    deinit {
        var c: UnsafeMutablePointer<AVFormatContext>? = format
        avformat_close_input(&c)
    }

    func stream(_ index: Int32) -> UnsafeMutablePointer<AVStream>? {
        guard index >= 0, UInt32(index) < format.pointee.nb_streams, let streams = format.pointee.streams else { return nil }
        return streams[Int(index)]
    }

    /// The best stream of a kind, or nil. Attached pictures (cover art) are not video.
    func bestStream(_ type: AVMediaType) -> Int32? {
        let i = av_find_best_stream(format, type, -1, -1, nil, 0)
        guard i >= 0, let st = stream(i) else { return nil }
        if type == AVMEDIA_TYPE_VIDEO, st.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 { return nil }
        return i
    }

    /// Ignore every stream but `keep` while demuxing (saves reading audio while decoding video).
    func discardAll(except keep: Int32) {
        for i in 0..<Int32(format.pointee.nb_streams) {
            stream(i)?.pointee.discard = i == keep ? AVDISCARD_DEFAULT : AVDISCARD_ALL
        }
    }
}

/// Owns an `AVPacket`.
final class AVPacketBox {
    let packet: UnsafeMutablePointer<AVPacket>
    init() throws(MediaError) {
        guard let p = av_packet_alloc() else { throw .invalidArgument(path: "libav", detail: "out of memory allocating a packet") }
        packet = p
    }
    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&p)
    }
}

/// Owns an `AVFrame`.
final class AVFrameBox {
    let frame: UnsafeMutablePointer<AVFrame>
    init() throws(MediaError) {
        guard let f = av_frame_alloc() else { throw .invalidArgument(path: "libav", detail: "out of memory allocating a frame") }
        frame = f
    }
    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
    }
}

/// Owns an `AVCodecContext`.
final class AVCodecBox {
    let context: UnsafeMutablePointer<AVCodecContext>
    init(_ c: UnsafeMutablePointer<AVCodecContext>) { context = c }
    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    /// Opens a decoder for a stream's parameters with `threads` threads (0 = libavcodec's
    /// automatic choice, one per core).
    /// `skipLoopFilter` drops the deblocking filter (`AVDISCARD_ALL`), which is not the picture
    /// the encoder meant; only for callers that do not need exact frames.
    static func decoder(for stream: UnsafeMutablePointer<AVStream>, path: String, threads: Int,
                        skipLoopFilter: Bool = false) throws(MediaError) -> AVCodecBox {
        guard let par = stream.pointee.codecpar else { throw .corruptStream(path: path, detail: "stream without codec parameters") }
        let name = String(cString: avcodec_get_name(par.pointee.codec_id))
        guard let codec = avcodec_find_decoder(par.pointee.codec_id) else {
            throw .unsupportedCodec(path: path, codec: name == "none" ? tagName(par.pointee.codec_tag) : name)
        }
        guard let ctx = avcodec_alloc_context3(codec) else { throw .invalidArgument(path: path, detail: "out of memory") }
        let box = AVCodecBox(ctx)
        if avcodec_parameters_to_context(ctx, par) < 0 {
            throw .corruptStream(path: path, detail: "codec parameters rejected by \(name) decoder")
        }
        ctx.pointee.pkt_timebase = stream.pointee.time_base
        ctx.pointee.thread_count = Int32(clamping: max(0, threads))
        ctx.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        if skipLoopFilter { ctx.pointee.skip_loop_filter = AVDISCARD_ALL }
        let r = avcodec_open2(ctx, codec, nil)
        if r < 0 { throw .unsupportedCodec(path: path, codec: "\(name) (\(avErrorString(r)))") }
        return box
    }
}

/// A four-character code as text ("avc1"), for naming codecs libav does not know.
func tagName(_ tag: UInt32) -> String {
    if tag == 0 { return "unknown" }
    let bytes = (0..<4).map { UInt8(truncatingIfNeeded: tag >> (8 * UInt32($0))) }
    let printable = bytes.allSatisfy { $0 >= 32 && $0 < 127 }
    return printable ? "tag '" + String(decoding: bytes, as: UTF8.self) + "'" : "tag 0x" + String(tag, radix: 16)
}

func seconds(_ ts: Int64, _ tb: AVRational) -> Double {
    Double(ts) * Double(tb.num) / Double(tb.den)
}
