import Foundation

/// A plan for the power spectrum `|rfft(x)|²` of real inputs of one length n (any n ≥ 1), in
/// Float64. Lengths that are not powers of two (audio segments are about 800 samples) go
/// through Bluestein's chirp-z algorithm on a power-of-two FFT of length ≥ 2n − 1; very short
/// inputs use a direct DFT. Immutable once built, so one plan can serve many threads.
public final class PowerSpectrumPlan: Sendable {
    /// Input length.
    public let n: Int
    /// Output length n/2 + 1.
    public var binCount: Int { n / 2 + 1 }

    private let m: Int                      // power-of-two convolution length (Bluestein)
    private let chirpRe: [Double], chirpIm: [Double]   // w_k = exp(−iπk²/n)
    private let kernelRe: [Double], kernelIm: [Double] // FFT of the conjugate chirp
    private let twiddleRe: [Double], twiddleIm: [Double]
    private let bitReverse: [Int]

    /// Plans for inputs of length `n` (n ≥ 1).
    public init(n: Int) {
        self.n = max(n, 1)
        let n = self.n
        if n <= 32 {
            m = 0
            chirpRe = []; chirpIm = []; kernelRe = []; kernelIm = []
            twiddleRe = []; twiddleIm = []; bitReverse = []
            return
        }
        var m = 1
        while m < 2 * n - 1 { m <<= 1 }
        self.m = m
        var cRe = [Double](repeating: 0, count: n), cIm = [Double](repeating: 0, count: n)
        let twoN = 2 * n
        for k in 0..<n {
            // k² mod 2n keeps the angle small and exact for large k.
            let kk = (k * k) % twoN
            let angle = Double.pi * Double(kk) / Double(n)
            cRe[k] = cos(angle)
            cIm[k] = -sin(angle)
        }
        chirpRe = cRe; chirpIm = cIm
        var tRe = [Double](repeating: 0, count: m / 2), tIm = [Double](repeating: 0, count: m / 2)
        for k in 0..<(m / 2) {
            let angle = -2 * Double.pi * Double(k) / Double(m)
            tRe[k] = cos(angle); tIm[k] = sin(angle)
        }
        twiddleRe = tRe; twiddleIm = tIm
        var rev = [Int](repeating: 0, count: m)
        var bits = 0
        while (1 << bits) < m { bits += 1 }
        for i in 0..<m {
            var r = 0, x = i
            for _ in 0..<bits { r = (r << 1) | (x & 1); x >>= 1 }
            rev[i] = r
        }
        bitReverse = rev
        // Kernel b_j = conj(w_j) for j in (−n, n), wrapped into [0, m).
        var bRe = [Double](repeating: 0, count: m), bIm = [Double](repeating: 0, count: m)
        for k in 0..<n {
            bRe[k] = cRe[k]; bIm[k] = -cIm[k]
            if k > 0 { bRe[m - k] = cRe[k]; bIm[m - k] = -cIm[k] }
        }
        Self.fft(&bRe, &bIm, m: m, twRe: tRe, twIm: tIm, rev: rev, inverse: false)
        kernelRe = bRe; kernelIm = bIm
    }

    /// `|X_k|²` for k = 0…n/2, where X is the DFT of `x` (which must have n elements).
    public func power(_ x: [Double]) -> [Double] {
        precondition(x.count == n, "PowerSpectrumPlan(n: \(n)) called with \(x.count) samples")
        let bins = binCount
        var out = [Double](repeating: 0, count: bins)
        if m == 0 {
            // Direct DFT for short inputs.
            for k in 0..<bins {
                var re = 0.0, im = 0.0
                for j in 0..<n {
                    let angle = -2 * Double.pi * Double((j * k) % n) / Double(n)
                    re += x[j] * cos(angle)
                    im += x[j] * sin(angle)
                }
                out[k] = re * re + im * im
            }
            return out
        }
        var aRe = [Double](repeating: 0, count: m), aIm = [Double](repeating: 0, count: m)
        for j in 0..<n {
            aRe[j] = x[j] * chirpRe[j]
            aIm[j] = x[j] * chirpIm[j]
        }
        Self.fft(&aRe, &aIm, m: m, twRe: twiddleRe, twIm: twiddleIm, rev: bitReverse, inverse: false)
        for j in 0..<m {
            let re = aRe[j] * kernelRe[j] - aIm[j] * kernelIm[j]
            let im = aRe[j] * kernelIm[j] + aIm[j] * kernelRe[j]
            aRe[j] = re; aIm[j] = im
        }
        Self.fft(&aRe, &aIm, m: m, twRe: twiddleRe, twIm: twiddleIm, rev: bitReverse, inverse: true)
        let scale = 1.0 / Double(m)
        for k in 0..<bins {
            let cr = aRe[k] * scale, ci = aIm[k] * scale
            // X_k = w_k · conv_k; |w_k| = 1, but multiply anyway to keep rounding symmetric.
            let re = cr * chirpRe[k] - ci * chirpIm[k]
            let im = cr * chirpIm[k] + ci * chirpRe[k]
            out[k] = re * re + im * im
        }
        return out
    }

    /// In-place iterative radix-2 FFT of length m (a power of two).
    private static func fft(_ re: inout [Double], _ im: inout [Double], m: Int,
                            twRe: [Double], twIm: [Double], rev: [Int], inverse: Bool) {
        for i in 0..<m {
            let j = rev[i]
            if j > i { re.swapAt(i, j); im.swapAt(i, j) }
        }
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { q in
                var size = 2
                while size <= m {
                    let half = size / 2
                    let step = m / size
                    var start = 0
                    while start < m {
                        var t = 0
                        for k in 0..<half {
                            let wr = twRe[t]
                            let wi = inverse ? -twIm[t] : twIm[t]
                            let a = start + k, b = a + half
                            let xr = r[b] * wr - q[b] * wi
                            let xi = r[b] * wi + q[b] * wr
                            r[b] = r[a] - xr; q[b] = q[a] - xi
                            r[a] += xr; q[a] += xi
                            t += step
                        }
                        start += size
                    }
                    size <<= 1
                }
            }
        }
    }
}
