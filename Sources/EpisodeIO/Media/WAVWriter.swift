import Foundation
import XPCore

/// Writes 16-bit PCM WAV (mono or stereo) from Float32 samples in [-1, 1].
///
/// Samples are converted as libswresample does (`round(x · 32768)`, half to even, clipped to
/// Int16), so a WAV written here matches `ffmpeg ... out.wav` from the same float samples. The file
/// is written to a temporary name and renamed into place.
///
/// - Parameters:
///   - samples: interleaved samples (`frames * channels`).
///   - sampleRate: e.g. 16_000.
///   - channels: 1 or 2.
public func writeWAV(_ samples: [Float], sampleRate: Int, channels: Int = 1, to url: URL) throws(MediaError) {
    guard channels == 1 || channels == 2, sampleRate > 0, samples.count % channels == 0 else {
        throw .invalidArgument(path: url.path, detail: "WAV needs 1 or 2 channels, a positive rate and whole frames; found \(channels) channels, \(sampleRate) Hz, \(samples.count) samples")
    }
    let dataBytes = samples.count * 2
    guard dataBytes <= Int(UInt32.max) - 36 else {
        throw .invalidArgument(path: url.path, detail: "\(samples.count) samples exceed the 4 GiB WAV limit")
    }
    var d = Data(capacity: 44 + dataBytes)
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    d.append(contentsOf: Array("RIFF".utf8))
    u32(UInt32(36 + dataBytes))
    d.append(contentsOf: Array("WAVEfmt ".utf8))
    u32(16)
    u16(1)  // PCM
    u16(UInt16(channels))
    u32(UInt32(sampleRate))
    u32(UInt32(sampleRate * channels * 2))
    u16(UInt16(channels * 2))
    u16(16)
    d.append(contentsOf: Array("data".utf8))
    u32(UInt32(dataBytes))
    var pcm = [Int16](repeating: 0, count: samples.count)
    for i in 0..<samples.count {
        let v = (samples[i] * 32768).rounded(.toNearestOrEven)
        pcm[i] = v.isNaN ? 0 : Int16(max(-32768, min(32767, v)))
    }
    pcm.withUnsafeBytes { raw in
        // WAV is little-endian; convert on big-endian hosts.
        if UInt16(1).littleEndian == 1 {
            d.append(contentsOf: raw)
        } else {
            for s in pcm { withUnsafeBytes(of: s.littleEndian) { d.append(contentsOf: $0) } }
        }
    }
    do {
        try AtomicFile.write(d, to: url)
    } catch {
        throw .writeFailed(path: url.path, detail: error.reason)
    }
}
