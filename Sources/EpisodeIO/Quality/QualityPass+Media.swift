import Foundation
import XPCore

/// The MP4 streams beside the annotation: present, readable, N (or N + 1, as the release) frames,
/// resolutions consistent with each other and with depth, the audio track present and as long as
/// the episode. With `decode`, every frame is decoded and its timestamps compared with the
/// frame clock.
extension QualityPass {
    func checkMedia() {
        var probed: [(stream: String, info: MediaInfo)] = []
        var missing: [String] = []
        for stream in options.mediaStreams {
            let url = episode.mediaURL(stream)
            let name = url.lastPathComponent
            guard FileManager.default.fileExists(atPath: url.path) else {
                missing.append(stream)
                continue
            }
            do {
                let info = try episode.probeMedia(stream)
                guard let video = info.video else {
                    add(.mediaUnreadable, .warning, dataset: name, modality: .video, file: url.path, expected: "a video stream", found: "no video stream in the container",
                        action: "The \(stream) video block is left out.")
                    continue
                }
                probed.append((stream, info))
                checked.append(name)
                if let n = frames, n > 0, video.frameCount != n, video.frameCount != n + 1 {
                    add(.videoFrameCount, .error, dataset: name, modality: .video, file: url.path,
                        expected: "N = \(n) or N + 1 = \(n + 1) frames (the release stores one more)", found: "\(video.frameCount) frames (\(video.frameCountSource))",
                        action: "Video frames and annotation frames do not line up; \(video.frameCount < n ? "the last frames get held or zero video features" : "the video belongs to a longer recording").")
                }
                if options.decode { decodeCheck(stream, url: url, probedFrames: video.frameCount) }
            } catch {
                add(.mediaUnreadable, .warning, dataset: name, modality: .video, file: url.path, expected: "a readable MP4", found: error.description,
                    action: "The \(stream) video block is left out. Download the file again.")
            }
        }
        if !missing.isEmpty {
            // One finding for all absent streams: annotation-only downloads lack all six.
            let files = missing.map { $0 + ".mp4" }
            add(.mediaMissing, .warning, dataset: files.joined(separator: ", "), modality: .video,
                file: missing.count == 1 ? episode.mediaURL(missing[0]).path : episode.directory.path,
                rowsAffected: missing.count, totalRows: options.mediaStreams.count, unit: "streams",
                expected: "the \(options.mediaStreams.count) MP4 streams beside annotation.hdf5", found: "\(missing.count) absent",
                action: "Their video blocks\(missing.contains("fisheye_cam0") ? " and the audio block" : "") are left out for this episode.")
        }
        checkResolutions(probed)
        checkAudio(probed)
    }

    /// Streams of one camera kind share a size; stereo is depth's size divided by `depth/scale`.
    func checkResolutions(_ probed: [(stream: String, info: MediaInfo)]) {
        func size(_ info: MediaInfo) -> String { "\(info.video!.width)×\(info.video!.height)" }
        var groups: [String: [(stream: String, info: MediaInfo)]] = [:]
        for p in probed { groups[p.stream.hasPrefix("stereo") ? "stereo" : "fisheye", default: []].append(p) }
        var expected: [String: String] = [:]
        if let d = datasets["depth/depth"], d.shape.count == 3, let scale = try? episode.file.readScalar("depth/scale"), scale > 0 {
            expected["stereo"] = "\(Int((Double(d.shape[2]) / scale).rounded()))×\(Int((Double(d.shape[1]) / scale).rounded()))"
        }
        for (kind, members) in groups.sorted(by: { $0.key < $1.key }) {
            let counts = Dictionary(grouping: members, by: { size($0.info) })
            let majority = counts.max { a, b in a.value.count != b.value.count ? a.value.count < b.value.count : a.key > b.key }!.key
            let reference = expected[kind] ?? majority
            for member in members {
                let name = member.stream + ".mp4"
                let explicit = options.expectedResolution.map { "\($0.width)×\($0.height)" }
                let want = (kind == "stereo" ? explicit : nil) ?? reference
                if size(member.info) != want {
                    let why = expected[kind] == want ? "depth \(datasets["depth/depth"]!.shape[2])×\(datasets["depth/depth"]!.shape[1]) at depth/scale" : "the other \(kind) streams"
                    add(.videoResolution, .warning, dataset: name, modality: .video, file: episode.mediaURL(member.stream).path,
                        expected: "\(want) (as \(why))", found: size(member.info),
                        action: "Features are resized to 32×32 so they still build, but the stream is probably from another recording or re-encoded.")
                }
            }
        }
    }

    func checkAudio(_ probed: [(stream: String, info: MediaInfo)]) {
        guard !probed.isEmpty else { return }
        guard let carrier = probed.first(where: { $0.info.audio != nil }), let audio = carrier.info.audio else {
            let first = probed[0].stream + ".mp4"
            add(.audioMissing, .warning, dataset: first, modality: .audio, file: episode.mediaURL(probed[0].stream).path,
                expected: "an audio track (the release carries it in fisheye_cam0.mp4)", found: "no audio track in any of the \(probed.count) MP4s",
                action: "The audio block is zero for this episode.")
            return
        }
        guard let duration = audio.durationSeconds ?? carrier.info.durationSeconds, let stamps = frameTimestamps, stamps.count > 1 else { return }
        let span = Double(stamps.last! - stamps.first!) / 1e9
        let frame = span / Double(stamps.count - 1)
        let episodeSeconds = span + frame
        let difference = duration - episodeSeconds
        clockOffsets.append(ClockOffset(clocks: "audio_duration-frame_span", medianSeconds: difference, maxSeconds: abs(difference), samples: 1))
        if abs(difference) > max(0.5, 0.02 * episodeSeconds) {
            add(.audioLength, .warning, dataset: carrier.stream + ".mp4", modality: .audio, file: episode.mediaURL(carrier.stream).path,
                expected: String(format: "about %.2f s (the frame clock)", episodeSeconds), found: String(format: "%.2f s of audio", duration),
                action: "Audio windows are mapped by time from the start; past the shorter of the two they are silent or misplaced.")
        }
    }

    /// Decodes every frame of `stream`, and compares its presentation times with the frame clock.
    func decodeCheck(_ stream: String, url: URL, probedFrames: Int) {
        let name = url.lastPathComponent
        var pts: [Double] = []
        do {
            let decoder = try episode.videoDecoder(stream, options: VideoDecodeOptions())
            let timeBase = Double(decoder.timeBase.numerator) / Double(max(1, decoder.timeBase.denominator))
            while let frame = try decoder.advance() {
                pts.append(Double(frame.pts) * timeBase)
                if pts.count % 200 == 0 { options.progress?("decode \(name)", pts.count, probedFrames) }
            }
            options.progress?("decode \(name)", pts.count, probedFrames)
        } catch {
            add(.mediaUnreadable, .warning, dataset: name, modality: .video, file: url.path, rowsAffected: max(0, probedFrames - pts.count), totalRows: probedFrames, unit: "frames",
                expected: "every frame decodable", found: "decoding stopped at frame \(pts.count): \(error.description)",
                action: "Frames after it get held or zero video features. Download the file again.")
        }
        checked.append("decode " + name)
        if pts.count != probedFrames, !pts.isEmpty {
            add(.mediaUnreadable, .warning, dataset: name, modality: .video, file: url.path, rowsAffected: abs(probedFrames - pts.count), totalRows: probedFrames, unit: "frames",
                expected: "\(probedFrames) frames (the container's count)", found: "\(pts.count) decoded", action: "The container's frame table is wrong; alignment by index is off.")
        }
        let backwards = Self.order(pts).backwards
        if !backwards.isEmpty {
            add(.nonMonotonicTimestamps, .warning, dataset: name, modality: .video, file: url.path, rows: backwards, totalRows: pts.count, unit: "frames",
                expected: "presentation times increasing frame by frame", found: "presentation times earlier than the frame before",
                action: "Frames are taken in decode order; timestamp alignment of this stream is unreliable.")
        }
        guard let stamps = frameTimestamps, let p0 = pts.first, let t0 = stamps.first else { return }
        var offsets: [Double] = []
        var far: [Int] = []
        for i in 0..<min(pts.count, stamps.count) {
            let offset = (pts[i] - p0) - Double(stamps[i] - t0) / 1e9
            offsets.append(offset)
            if abs(offset) > options.driftToleranceSeconds { far.append(i) }
        }
        guard !offsets.isEmpty else { return }
        let offset = ClockOffset(clocks: "\(stream)_pts-frame_timestamps", medianSeconds: Statistics.median(offsets), maxSeconds: offsets.map(abs).max() ?? 0, samples: offsets.count)
        clockOffsets.append(offset)
        if !far.isEmpty {
            add(.clockDrift, .warning, dataset: name, modality: .video, file: url.path, rows: far, totalRows: offsets.count, unit: "frames",
                expected: "frame i's presentation time within \(options.driftToleranceSeconds) s of its device timestamp (both from the first frame)",
                found: String(format: "median offset %.4f s, largest %.4f s", offset.medianSeconds, offset.maxSeconds),
                action: "Video and annotation drift apart; by-index video features describe another moment (the strict protocol aligns by time).")
        }
    }
}
