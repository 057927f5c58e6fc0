import Foundation

/// Per-frame audio features of the reference (`audio_segment_features`, 24 values):
/// `[rms, mean_abs, peak, zcr, log_energy, centroid/ny, bandwidth/ny, rolloff/ny, bands16]`.
public enum AudioFeatures {
    /// Values per frame.
    public static let dimension = 24
    /// Number of log-spaced bands.
    public static let bandCount = 16
    /// The reference decode rate (mono, Hz).
    public static let referenceSampleRate = 16_000

    /// The band edges `geomspace(50, 8000, 17)`, computed as NumPy does (10^linspace of the
    /// log10 endpoints, with the endpoints then set exactly).
    public static let bandEdges: [Double] = geomspace(50, 8000, count: 17)

    /// The 24 features of one segment (`samples` may be empty → zeros).
    ///
    /// - Parameters:
    ///   - samples: the segment's mono samples.
    ///   - sampleRate: Hz; the spectral features are divided by the Nyquist frequency.
    ///   - plan: a power-spectrum plan for `samples.count`; one is built when nil or mismatched.
    public static func segmentFeatures(_ samples: ArraySlice<Float>, sampleRate: Int = referenceSampleRate,
                                       plan: PowerSpectrumPlan? = nil) -> [Float] {
        var out = [Float](repeating: 0, count: dimension)
        let n = samples.count
        guard n > 0 else { return out }
        let x = samples.map { $0.isFinite ? Double($0) : 0 }
        var sq = 0.0, absSum = 0.0, peak = 0.0
        for v in x {
            sq += v * v
            absSum += abs(v)
            peak = max(peak, abs(v))
        }
        var crossings = 0
        for i in 1..<max(n, 1) where x[i] * x[i - 1] < 0 { crossings += 1 }
        out[0] = Float((sq / Double(n)).squareRoot())
        out[1] = Float(absSum / Double(n))
        out[2] = Float(peak)
        // NumPy gives NaN (mean of nothing) for one sample; the reference's later nan_to_num
        // turns it into 0, which is what we store directly.
        out[3] = n > 1 ? Float(Double(crossings) / Double(n - 1)) : 0

        let window = hanning(n)
        var windowed = [Double](repeating: 0, count: n)
        for i in 0..<n { windowed[i] = x[i] * window[i] }
        let usePlan: PowerSpectrumPlan
        if let plan, plan.n == n { usePlan = plan } else { usePlan = PowerSpectrumPlan(n: n) }
        let power = usePlan.power(windowed)
        var total = 0.0
        for p in power { total += p }
        out[4] = Float(log1p(total / Double(n)))
        guard total > 1e-12 else { return out }

        // np.fft.rfftfreq(n, 1/sr): k · (1 / (n · (1/sr))); matters only at band edges.
        let binWidth = 1.0 / (Double(n) * (1.0 / Double(sampleRate)))
        let nyquist = Double(sampleRate) / 2
        var centroidNum = 0.0
        for (k, p) in power.enumerated() { centroidNum += Double(k) * binWidth * p }
        let centroid = centroidNum / total
        var spread = 0.0
        for (k, p) in power.enumerated() {
            let d = Double(k) * binWidth - centroid
            spread += d * d * p
        }
        let bandwidth = (spread / total).squareRoot()
        let threshold = 0.85 * total
        var cumulative = 0.0
        var rolloffBin = power.count - 1
        for (k, p) in power.enumerated() {
            cumulative += p
            if cumulative >= threshold { rolloffBin = k; break }
        }
        out[5] = Float(centroid / nyquist)
        out[6] = Float(bandwidth / nyquist)
        out[7] = Float(Double(rolloffBin) * binWidth / nyquist)

        let edges = bandEdges
        var bands = [Double](repeating: 0, count: bandCount)
        for (k, p) in power.enumerated() {
            let f = Double(k) * binWidth
            guard f >= edges[0], f < edges[bandCount] else { continue }
            // Half-open bands [lo, hi); a linear scan over 16 edges is cheap.
            for b in 0..<bandCount where f >= edges[b] && f < edges[b + 1] {
                bands[b] += p
                break
            }
        }
        var norm = 0.0
        for b in 0..<bandCount {
            bands[b] = log1p(bands[b])
            norm += bands[b] * bands[b]
        }
        norm = norm.squareRoot()
        for b in 0..<bandCount { out[8 + b] = Float(norm > 0 ? bands[b] / norm : bands[b]) }
        return out
    }

    /// The N × 24 per-frame matrix (row-major) for a whole decoded track: frame k uses the
    /// samples of `frameSampleRange(frame: k, …)`. Plans are shared across equal lengths.
    public static func perFrameFeatures(samples: [Float], frameCount: Int, fps: Double,
                                        sampleRate: Int = referenceSampleRate) throws(WindowAlignError) -> [Float] {
        guard frameCount >= 0 else {
            throw .invalidArgument(what: "frameCount", detail: "must be >= 0, found \(frameCount)")
        }
        guard fps > 0, fps.isFinite else {
            throw .invalidArgument(what: "audio fps", detail: "must be a positive finite number, found \(fps)")
        }
        var out = [Float](repeating: 0, count: frameCount * dimension)
        var plans: [Int: PowerSpectrumPlan] = [:]
        for k in 0..<frameCount {
            let r = frameSampleRange(frame: k, fps: fps, sampleRate: sampleRate, sampleCount: samples.count)
            guard !r.isEmpty else { continue }
            let plan: PowerSpectrumPlan
            if let p = plans[r.count] { plan = p } else {
                plan = PowerSpectrumPlan(n: r.count)
                plans[r.count] = plan
            }
            let f = segmentFeatures(samples[r], sampleRate: sampleRate, plan: plan)
            out.replaceSubrange((k * dimension)..<((k + 1) * dimension), with: f)
        }
        return out
    }

    /// NumPy `hanning(n)`: 0.5 + 0.5·cos(π·m/(n−1)) for m = 1−n, 3−n, …, n−1 (the symmetric Hann
    /// window, equal to 0.5 − 0.5·cos(2πk/(n−1))); `[1]` for n = 1.
    public static func hanning(_ n: Int) -> [Double] {
        if n < 1 { return [] }
        if n == 1 { return [1] }
        var w = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let m = Double(1 - n + 2 * k)
            w[k] = 0.5 + 0.5 * cos(Double.pi * m / Double(n - 1))
        }
        return w
    }

    static func geomspace(_ start: Double, _ stop: Double, count: Int) -> [Double] {
        guard count > 0 else { return [] }
        guard count > 1 else { return [start] }
        let a = log10(start), b = log10(stop)
        let step = (b - a) / Double(count - 1)
        var out = (0..<count).map { pow(10, Double($0) * step + a) }
        out[0] = start
        out[count - 1] = stop
        return out
    }
}

/// The audio samples of annotation frame `frame`: `[round(k/fps·sr), round((k+1)/fps·sr))` with
/// Python rounding (half to even), start clipped to [0, count] and end to [start + 1, count].
/// The range is empty only when the frame starts at or past the end of the track.
public func frameSampleRange(frame k: Int, fps: Double, sampleRate: Int, sampleCount: Int) -> Range<Int> {
    func roundEven(_ v: Double) -> Int {
        let r = v.rounded(.toNearestOrEven)
        guard r.isFinite else { return r > 0 ? Int.max / 2 : 0 }
        return Int(max(min(r, Double(Int.max / 2)), Double(Int.min / 2)))
    }
    let sr = Double(sampleRate)
    var start = roundEven(Double(k) / fps * sr)
    var end = roundEven(Double(k + 1) / fps * sr)
    start = min(max(start, 0), sampleCount)
    end = min(max(end, start + 1), sampleCount)
    return start..<max(end, start)
}

/// The fps the reference falls back to when the container reports none: N / (samples / sr).
public func fallbackAudioFPS(frameCount: Int, sampleCount: Int, sampleRate: Int) -> Double {
    guard sampleCount > 0 else { return 0 }
    return Double(frameCount) / (Double(sampleCount) / Double(sampleRate))
}
