import Foundation
import XPCore

/// The reference's raw log-mel window audio feature (588 = 64 × 9 + 12 values per window;
/// `analysis-and-report.md` §5.1, `extract_raw_audio_window_features`): each window's audio
/// as one segment, a 512-point STFT every 160 samples, 64 HTK mel bands, log1p, nine
/// statistics per band over the STFT frames, then twelve waveform values.
public enum LogMelFeatures {
    public static let sampleRate = 16_000
    public static let fftSize = 512
    public static let hopLength = 160
    public static let melBands = 64
    public static let minHz = 40.0
    public static let maxHz = 8000.0
    /// 64 × 9 mel statistics + 12 waveform values.
    public static let dimension = 588

    /// The 66 FFT bins of the mel points: 66 points linear in HTK mel from mel(40) to
    /// mel(8000), back to Hz, `floor((n_fft + 1)·hz/sr)` clipped to [0, n_fft/2].
    public static let melBins: [Int] = {
        func mel(_ f: Double) -> Double { 2595 * log10(1 + f / 700) }
        let lo = mel(minHz), hi = mel(maxHz)
        let count = melBands + 2
        return (0..<count).map { i in
            // numpy.linspace: start + i·step, the last point exactly `hi`.
            let m = i == count - 1 ? hi : lo + Double(i) * (hi - lo) / Double(count - 1)
            let hz = 700 * (pow(10, m / 2595) - 1)
            return min(max(Int((Double(fftSize + 1) * hz / Double(sampleRate)).rounded(.down)), 0), fftSize / 2)
        }
    }()

    /// The 64 × 257 filter bank, row-major, each row normalised to sum 1 (Float32, as the
    /// reference): weights (k − l)/(c − l) on [l, c) and (r − k)/(r − c) on [c, r).
    public static let filterBank: [Float] = {
        let bins = fftSize / 2 + 1
        var bank = [Float](repeating: 0, count: melBands * bins)
        let b = melBins
        for i in 0..<melBands {
            let l = b[i]
            var c = b[i + 1], r = b[i + 2]
            if c <= l { c = min(l + 1, fftSize / 2) }
            if r <= c { r = min(c + 1, fftSize / 2 + 1) }
            var row = [Float](repeating: 0, count: bins)
            for k in l..<c where c > l { row[k] = Float(k - l) / Float(c - l) }
            for k in c..<r where r > c && k < bins { row[k] = Float(r - k) / Float(r - c) }
            let sum = row.reduce(Float(0), +)
            let norm = sum < 1e-8 ? Float(1) : sum
            for k in 0..<bins { bank[i * bins + k] = row[k] / norm }
        }
        return bank
    }()

    /// Each filter's non-zero span (first bin, weights): a filter covers a few bins, so the
    /// mel projection need not multiply the 257-bin rows in full.
    static let filterSpans: [(start: Int, weights: [Double])] = {
        let bins = fftSize / 2 + 1
        return (0..<melBands).map { m in
            let row = (0..<bins).map { Double(filterBank[m * bins + $0]) }
            guard let first = row.firstIndex(where: { $0 != 0 }), let last = row.lastIndex(where: { $0 != 0 }) else { return (0, []) }
            return (first, Array(row[first...last]))
        }
    }()

    /// The symmetric Float32 Hann window of `fftSize` points, 0.5 − 0.5·cos(2πk/(n − 1)).
    static let hann: [Double] = (0..<fftSize).map { Double(Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(fftSize - 1)))) }
    static let plan = PowerSpectrumPlan(n: fftSize)

    /// The samples of a window from frame `start` to `end` (inclusive):
    /// `[round(start/fps·sr), round((end + 1)/fps·sr))` (half to even), the start clipped to
    /// [0, L] and the end to at least start + 1 and at most L.
    public static func segment(start: Int, end: Int, fps: Double, sampleCount: Int) -> Range<Int> {
        func roundEven(_ v: Double) -> Int { Int(v.rounded(.toNearestOrEven)) }
        let s0 = min(max(roundEven(Double(start) / fps * Double(sampleRate)), 0), sampleCount)
        let s1 = max(s0 + 1, min(roundEven(Double(end + 1) / fps * Double(sampleRate)), sampleCount))
        return s0..<min(s1, sampleCount)
    }

    /// The 588 values of one segment (all zeros for an empty one).
    public static func segmentFeatures(_ x: ArraySlice<Float>) -> [Float] {
        var out = [Float](repeating: 0, count: dimension)
        let n = x.count
        guard n > 0 else { return out }
        let samples = Array(x).map { $0.isFinite ? $0 : 0 }
        let frames = 1 + max(0, (max(n, fftSize) - fftSize) / hopLength)
        // log-mel, frames × bands.
        var logMel = [Double](repeating: 0, count: frames * melBands)
        var frame = [Double](repeating: 0, count: fftSize)
        for t in 0..<frames {
            for k in 0..<fftSize {
                let i = t * hopLength + k
                frame[k] = i < n ? Double(samples[i]) * hann[k] : 0
            }
            let power = plan.power(frame).map { Double(Float($0)) }
            for m in 0..<melBands {
                var s = 0.0
                let span = filterSpans[m]
                for (j, w) in span.weights.enumerated() { s += power[span.start + j] * w }
                logMel[t * melBands + m] = Double(Float(log1p(Double(Float(s)))))
            }
        }
        for m in 0..<melBands {
            let v = (0..<frames).map { logMel[$0 * melBands + m] }
            let delta = frames > 1 ? (1..<frames).map { v[$0] - v[$0 - 1] } : [0]
            let sorted = v.sorted()
            let stats = [mean(v), std(v), sorted.first ?? 0, sorted.last ?? 0,
                         Statistics.percentile(sorted: sorted, 10), Statistics.percentile(sorted: sorted, 50), Statistics.percentile(sorted: sorted, 90),
                         mean(delta), std(delta)]
            for (b, s) in stats.enumerated() { out[b * melBands + m] = Float(s) }
        }
        // Waveform values.
        let d = samples.map(Double.init)
        let absolute = d.map { abs($0) }
        let meanSquare = mean(d.map { $0 * $0 })
        var crossings = 0
        for i in 1..<max(n, 1) where d[i] * d[i - 1] < 0 { crossings += 1 }
        // numpy.array_split into 3: the first n mod 3 parts get one extra sample.
        let base = n / 3, extra = n % 3
        var parts: [Double] = []
        var pos = 0
        for p in 0..<3 {
            let len = base + (p < extra ? 1 : 0)
            parts.append(len > 0 ? mean(Array(absolute[pos..<(pos + len)])) : 0)
            pos += len
        }
        let wave: [Double] = [meanSquare.squareRoot(), mean(absolute), std(absolute), absolute.max() ?? 0,
                              n > 1 ? Double(crossings) / Double(n - 1) : 0, log1p(meanSquare),
                              parts[0], parts[1], parts[2], parts[2] - parts[0], Double(n) / Double(sampleRate), Double(frames)]
        for (k, v) in wave.enumerated() { out[melBands * 9 + k] = Float(v) }
        return out
    }

    /// One row per window (`windows` as (start, end) frame pairs), row-major windows × 588.
    public static func windowFeatures(samples: [Float], windows: [(start: Int, end: Int)], fps: Double) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(windows.count * dimension)
        for w in windows {
            out += segmentFeatures(samples[segment(start: w.start, end: w.end, fps: fps, sampleCount: samples.count)])
        }
        return out
    }

    static func mean(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.reduce(0, +) / Double(v.count) }
    static func std(_ v: [Double]) -> Double {
        let m = mean(v)
        return v.isEmpty ? 0 : (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot()
    }
}
