import CLibAV
import Foundation

/// How to decode an audio track.
public struct AudioDecodeOptions: Sendable, Equatable {
    /// Output rate in Hz (16 kHz is what the feature layer and exporters use).
    public var sampleRate: Int
    /// Output channels; 1 downmixes with libswresample's default matrix, as `ffmpeg -ac 1` does.
    public var channels: Int
    /// Start of the span to decode, in seconds of the stream's timeline; nil = from the start.
    public var start: Double?
    /// Length of the span in seconds; nil = to the end.
    public var duration: Double?

    public init(sampleRate: Int = 16_000, channels: Int = 1, start: Double? = nil, duration: Double? = nil) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.start = start
        self.duration = duration
    }
}

/// An audio track decoded to Float32 PCM.
public struct DecodedAudio: Sendable, Equatable {
    /// False when the file has no audio stream; then `samples` is empty.
    public var hasAudio: Bool
    /// Interleaved Float32 samples at `sampleRate` with `channels` channels.
    public var samples: [Float]
    public var sampleRate: Int
    public var channels: Int
    /// The source stream's codec, rate and channel count (nil without audio).
    public var sourceCodec: String?
    public var sourceSampleRate: Int?
    public var sourceChannels: Int?

    /// Samples per channel.
    public var frameCount: Int { channels > 0 ? samples.count / channels : 0 }
    public var durationSeconds: Double { sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0 }
}

/// Decodes the best audio stream of `url` to Float32 PCM, resampled with libswresample to
/// `options.sampleRate` and mixed to `options.channels`.
///
/// A file without audio returns `hasAudio == false` (not an error). Throws `.fileNotFound`,
/// `.notMediaFile`, `.unsupportedCodec`, `.corruptStream`, `.invalidArgument`.
///
/// ```swift
/// let audio = try decodeAudio(url: episode.appendingPathComponent("fisheye_cam0.mp4"))
/// // audio.samples: mono Float32 at 16 kHz
/// ```
public func decodeAudio(url: URL, options: AudioDecodeOptions = AudioDecodeOptions()) throws(MediaError) -> DecodedAudio {
    guard options.sampleRate > 0, options.sampleRate <= 768_000, (1...8).contains(options.channels) else {
        throw .invalidArgument(path: url.path, detail: "expected a rate in 1...768000 Hz and 1...8 channels, found \(options.sampleRate) Hz × \(options.channels)")
    }
    if let d = options.duration, !(d >= 0) {
        throw .invalidArgument(path: url.path, detail: "expected a non-negative duration, found \(d)")
    }
    let input = try AVInput(url: url)
    guard let si = input.bestStream(AVMEDIA_TYPE_AUDIO), let st = input.stream(si) else {
        return DecodedAudio(hasAudio: false, samples: [], sampleRate: options.sampleRate, channels: options.channels,
                            sourceCodec: nil, sourceSampleRate: nil, sourceChannels: nil)
    }
    input.discardAll(except: si)
    let path = url.path
    let codec = try AVCodecBox.decoder(for: st, path: path, threads: 1)
    let ctx = codec.context
    let tb = st.pointee.time_base
    let packet = try AVPacketBox()
    let frame = try AVFrameBox()
    let outRate = options.sampleRate, outCh = options.channels
    let none = xp_AV_NOPTS_VALUE()

    let start = max(0, options.start ?? 0)
    if options.start != nil, start > 0 {
        let ts = Int64((start * Double(tb.den) / Double(tb.num)).rounded(.down))
        // Seek to the packet at or before the span; samples before `start` are trimmed below.
        if av_seek_frame(input.format, si, ts, AVSEEK_FLAG_BACKWARD) < 0 {
            _ = avformat_seek_file(input.format, si, Int64.min, ts, ts, 0)
        }
    }
    let endTime = options.duration.map { start + $0 }

    var swr: OpaquePointer? = nil
    defer { if swr != nil { swr_free(&swr) } }
    var swrKey: (Int32, Int32, Int32) = (0, 0, 0)
    var out: [Float] = []
    var firstTime: Double? = nil
    var flushSent = false
    var packetsRead = 0
    // The index points past the end of the file: the track was cut short.
    let dataEnd = xp_index_data_end(st)
    let fileSize = input.format.pointee.pb.map { avio_size($0) } ?? -1
    let cutShort = dataEnd > 0 && fileSize > 0 && dataEnd > fileSize

    /// Resamples the current frame (or flushes with nil) and appends to `out`.
    func resample(_ f: UnsafeMutablePointer<AVFrame>?) throws(MediaError) {
        guard let s = swr else { return }
        let inCount = f.map { Int32($0.pointee.nb_samples) } ?? 0
        let capacity = Int(swr_get_out_samples(s, inCount)) + 32
        guard capacity > 0 else { return }
        let old = out.count
        out.append(contentsOf: repeatElement(0, count: capacity * outCh))
        let got: Int32 = out.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return -1 }
            var dst: UnsafeMutablePointer<UInt8>? = UnsafeMutableRawPointer(base + old).assumingMemoryBound(to: UInt8.self)
            if let f {
                let src = UnsafeMutablePointer<UnsafePointer<UInt8>?>(OpaquePointer(f.pointee.extended_data))
                return swr_convert(s, &dst, Int32(capacity), src, inCount)
            }
            return swr_convert(s, &dst, Int32(capacity), nil, 0)
        }
        guard got >= 0 else {
            out.removeLast(capacity * outCh)
            throw .corruptStream(path: path, detail: "resampling: \(avErrorString(got))")
        }
        out.removeLast((capacity - Int(got)) * outCh)
    }

    decoding: while true {
        let r = avcodec_receive_frame(ctx, frame.frame)
        if r >= 0 {
            let f = frame.frame
            let key = (f.pointee.sample_rate, f.pointee.format, xp_frame_channels(f))
            if swr == nil || key != swrKey {
                // First frame, or the stream changed parameters mid-way: drain the old resampler.
                if swr != nil { try resample(nil); swr_free(&swr) }
                guard f.pointee.sample_rate > 0, xp_frame_channels(f) > 0 else {
                    throw .corruptStream(path: path, detail: "audio frame with \(f.pointee.sample_rate) Hz and \(xp_frame_channels(f)) channels")
                }
                swr = withUnsafePointer(to: &f.pointee.ch_layout) { layout in
                    xp_swr_to_float(layout, AVSampleFormat(rawValue: f.pointee.format), f.pointee.sample_rate, Int32(outCh), Int32(outRate))
                }
                guard swr != nil else {
                    throw .unsupportedCodec(path: path, codec: "sample layout of \(xp_frame_channels(f)) channels at \(f.pointee.sample_rate) Hz")
                }
                swrKey = key
            }
            if firstTime == nil {
                let ts = f.pointee.best_effort_timestamp != none ? f.pointee.best_effort_timestamp : f.pointee.pts
                firstTime = ts != none ? seconds(ts, tb) : 0
            }
            try resample(f)
            av_frame_unref(f)
            // Stop once the span is covered (with half a second for the resampler's tail).
            if let e = endTime, let t0 = firstTime, t0 + Double(out.count / outCh) / Double(outRate) > e + 0.5 { break decoding }
            continue
        }
        if r == xp_AVERROR_EOF() { break }
        if r != xp_AVERROR_EAGAIN() { throw .corruptStream(path: path, detail: "decoding audio: \(avErrorString(r))") }
        if flushSent { break }
        // Feed one packet of the audio stream.
        while true {
            let rr = av_read_frame(input.format, packet.packet)
            if rr == xp_AVERROR_EOF() || (rr < 0 && input.format.pointee.pb?.pointee.eof_reached != 0) {
                flushSent = true
                _ = avcodec_send_packet(ctx, nil)
                break
            }
            if rr < 0 { throw .corruptStream(path: path, detail: "reading audio packet: \(avErrorString(rr))") }
            defer { av_packet_unref(packet.packet) }
            guard packet.packet.pointee.stream_index == si else { continue }
            packetsRead += 1
            let s = avcodec_send_packet(ctx, packet.packet)
            if s >= 0 || s == xp_AVERROR_EAGAIN() { break }
            throw .corruptStream(path: path, detail: "audio packet at dts \(packet.packet.pointee.dts): \(avErrorString(s))")
        }
    }
    try resample(nil)
    if flushSent, cutShort {
        // Decoding ran to the end of the data, which stops before the end the index promises.
        let promised = Int(avformat_index_get_entries_count(st))
        throw .truncatedStream(path: path, expectedFrames: promised, decodedFrames: packetsRead)
    }

    // Trim to the requested span on the output sample grid.
    if options.start != nil || options.duration != nil {
        let t0 = firstTime ?? 0
        let total = out.count / outCh
        let skip = min(total, max(0, Int(((start - t0) * Double(outRate)).rounded())))
        var keep = total - skip
        if let d = options.duration { keep = min(keep, Int((d * Double(outRate)).rounded())) }
        out = Array(out[(skip * outCh)..<((skip + keep) * outCh)])
    }
    return DecodedAudio(hasAudio: true, samples: out, sampleRate: outRate, channels: outCh,
                        sourceCodec: codecName(st.pointee.codecpar), sourceSampleRate: Int(ctx.pointee.sample_rate),
                        sourceChannels: Int(xp_codecctx_channels(ctx)))
}
