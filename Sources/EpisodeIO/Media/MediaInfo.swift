import CLibAV
import Foundation

/// A rational number as libav stores time bases and frame rates.
public struct MediaRational: Codable, Sendable, Equatable, Hashable {
    public var numerator: Int
    public var denominator: Int
    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }
    init(_ r: AVRational) { self.init(Int(r.num), Int(r.den)) }
    /// The value, or nil for 0/0 or x/0 (libav's "unknown").
    public var value: Double? { denominator == 0 || numerator == 0 ? nil : Double(numerator) / Double(denominator) }
}

/// The video stream of a media file.
public struct VideoStreamInfo: Codable, Sendable, Equatable {
    /// libav codec name, e.g. "h264".
    public var codec: String
    public var width: Int
    public var height: Int
    /// libav pixel format name, e.g. "yuv420p".
    public var pixelFormat: String
    public var timeBase: MediaRational
    /// Frames over duration as the container reports it; this is what OpenCV's `CAP_PROP_FPS` returns.
    public var averageFrameRate: MediaRational
    /// The lowest rate at which all timestamps are represented exactly (libav's `r_frame_rate`).
    public var realFrameRate: MediaRational
    /// Number of frames: from the container when it says (`nb_frames`, what OpenCV's
    /// `CAP_PROP_FRAME_COUNT` reports), else counted by demuxing packets. An edit list can hide some
    /// of the container's frames; `VideoDecoder.frameCount()` counts the frames actually shown.
    public var frameCount: Int
    /// "container" or "demuxed": where `frameCount` comes from.
    public var frameCountSource: String
    /// The stream's first timestamp in seconds (0 for most MP4s).
    public var startTimeSeconds: Double?
    public var durationSeconds: Double?
    public var bitRate: Int?

    /// Frames per second: the average rate, else the real rate, else nil.
    public var fps: Double? { averageFrameRate.value ?? realFrameRate.value }
}

/// The audio stream of a media file.
public struct AudioStreamInfo: Codable, Sendable, Equatable {
    /// libav codec name, e.g. "aac".
    public var codec: String
    public var sampleRate: Int
    public var channels: Int
    public var startTimeSeconds: Double?
    public var durationSeconds: Double?
    public var bitRate: Int?
}

/// What a media file holds: container, video and audio stream facts.
public struct MediaInfo: Codable, Sendable, Equatable {
    /// The file's name (last path component), as printed by tools.
    public var file: String
    /// libavformat's container name, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    public var container: String
    public var durationSeconds: Double?
    public var startTimeSeconds: Double?
    public var hasVideo: Bool
    public var video: VideoStreamInfo?
    public var hasAudio: Bool
    public var audio: AudioStreamInfo?

    /// Reads a file's headers (and, when the container does not give a frame count, demuxes its
    /// video packets to count them). Set `countFrames` to always count by demuxing.
    ///
    /// Throws `MediaError.fileNotFound` or `.notMediaFile`; a file without video or audio is not an
    /// error here (see `hasVideo`, `hasAudio`).
    public static func probe(_ url: URL, countFrames: Bool = false) throws(MediaError) -> MediaInfo {
        let input = try AVInput(url: url)
        let fmt = input.format
        let containerName = fmt.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        var info = MediaInfo(
            file: url.lastPathComponent, container: containerName,
            durationSeconds: fmt.pointee.duration > 0 ? Double(fmt.pointee.duration) / Double(AV_TIME_BASE) : nil,
            startTimeSeconds: fmt.pointee.start_time != xp_AV_NOPTS_VALUE() ? Double(fmt.pointee.start_time) / Double(AV_TIME_BASE) : nil,
            hasVideo: false, video: nil, hasAudio: false, audio: nil)

        if let vi = input.bestStream(AVMEDIA_TYPE_VIDEO), let st = input.stream(vi), let par = st.pointee.codecpar {
            let tb = st.pointee.time_base
            var count = Int(st.pointee.nb_frames)
            var source = "container"
            if count <= 0 || countFrames {
                count = try countVideoPackets(url: url, streamIndex: vi)
                source = "demuxed"
            }
            let pixName = av_get_pix_fmt_name(AVPixelFormat(rawValue: par.pointee.format)).map { String(cString: $0) } ?? "unknown"
            info.hasVideo = true
            info.video = VideoStreamInfo(
                codec: codecName(par),
                width: Int(par.pointee.width), height: Int(par.pointee.height),
                pixelFormat: pixName,
                timeBase: MediaRational(tb),
                averageFrameRate: MediaRational(st.pointee.avg_frame_rate),
                realFrameRate: MediaRational(st.pointee.r_frame_rate),
                frameCount: count, frameCountSource: source,
                startTimeSeconds: st.pointee.start_time != xp_AV_NOPTS_VALUE() ? seconds(st.pointee.start_time, tb) : nil,
                durationSeconds: st.pointee.duration > 0 ? seconds(st.pointee.duration, tb) : nil,
                bitRate: par.pointee.bit_rate > 0 ? Int(par.pointee.bit_rate) : nil)
        }
        if let ai = input.bestStream(AVMEDIA_TYPE_AUDIO), let st = input.stream(ai), let par = st.pointee.codecpar {
            let tb = st.pointee.time_base
            info.hasAudio = true
            info.audio = AudioStreamInfo(
                codec: codecName(par),
                sampleRate: Int(par.pointee.sample_rate),
                channels: Int(xp_codecpar_channels(par)),
                startTimeSeconds: st.pointee.start_time != xp_AV_NOPTS_VALUE() ? seconds(st.pointee.start_time, tb) : nil,
                durationSeconds: st.pointee.duration > 0 ? seconds(st.pointee.duration, tb) : nil,
                bitRate: par.pointee.bit_rate > 0 ? Int(par.pointee.bit_rate) : nil)
        }
        return info
    }

    /// Frames per second of the video stream (average rate, as OpenCV reports it), or nil.
    public var fps: Double? { video?.fps }
}

func codecName(_ par: UnsafeMutablePointer<AVCodecParameters>) -> String {
    let name = String(cString: avcodec_get_name(par.pointee.codec_id))
    return name == "none" ? tagName(par.pointee.codec_tag) : name
}

/// Counts the video packets of a stream by demuxing (no decoding), in a separate context.
func countVideoPackets(url: URL, streamIndex: Int32) throws(MediaError) -> Int {
    let input = try AVInput(url: url)
    input.discardAll(except: streamIndex)
    let pkt = try AVPacketBox()
    var n = 0
    while true {
        let r = av_read_frame(input.format, pkt.packet)
        if r < 0 {
            if r == xp_AVERROR_EOF() { break }
            throw .corruptStream(path: input.path, detail: "demuxing packet \(n): \(avErrorString(r))")
        }
        if pkt.packet.pointee.stream_index == streamIndex { n += 1 }
        av_packet_unref(pkt.packet)
    }
    return n
}
