import Foundation

/// A seeded, deterministic random generator: xoshiro256** (Blackman and Vigna, 2018) whose
/// 256-bit state is filled from the seed by SplitMix64, as the authors recommend.
///
/// The same seed gives the same bits on every platform and run. There is no global state:
/// every function that draws random numbers takes a generator (or a seed) explicitly.
///
/// - `uniform()` is `(next() >> 11) · 2⁻⁵³`, a double in [0, 1) (the same mapping NumPy uses).
/// - `standardNormal()` is the Box–Muller transform of two uniforms; both outputs of a pair are
///   used, the second one cached, so a sequence depends only on the seed and the number of draws.
///
/// NumPy's `default_rng` (PCG64 plus a ziggurat sampler) is a different stream: initial weights
/// agree with the reference statistically, not bitwise.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var cachedNormal: Double?

    /// A generator whose state is derived from `seed` by SplitMix64.
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        // SplitMix64 never yields four zero words in a row, so the state is valid.
        cachedNormal = nil
    }

    /// A generator with an explicit 256-bit state, for test vectors against the published
    /// algorithm. An all-zero state is a fixed point (every output 0); seed with
    /// ``init(seed:)`` instead.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
        cachedNormal = nil
    }

    /// A generator for an independent purpose (dropout, shuffling, ...) derived from one seed:
    /// the stream number is mixed into the seed so that streams do not overlap in practice.
    public init(seed: UInt64, stream: UInt64) {
        var sm = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        self.init(seed: sm.next())
    }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A double uniformly distributed in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal deviate (Box–Muller).
    public mutating func standardNormal() -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return cached
        }
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u1 = 1 - uniform()
        let u2 = uniform()
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        cachedNormal = radius * sin(angle)
        return radius * cos(angle)
    }

    /// `count` Float32 values from N(mean, std²).
    public mutating func normalFloats(count: Int, mean: Double = 0, std: Double = 1) -> [Float] {
        (0..<max(count, 0)).map { _ in Float(mean + std * standardNormal()) }
    }

    /// `count` Float32 values uniform in [low, high).
    public mutating func uniformFloats(count: Int, low: Double, high: Double) -> [Float] {
        (0..<max(count, 0)).map { _ in Float(low + (high - low) * uniform()) }
    }

    /// An integer uniform in 0..<bound without modulo bias (Lemire's method). `bound` must be
    /// positive; like `Int.random(in:)` on an empty range, a non-positive bound is a programming
    /// error and traps.
    public mutating func integer(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// A uniformly random permutation of 0..<count (Fisher–Yates, drawing from the back).
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<max(count, 0))
        var i = p.count - 1
        while i > 0 {
            let j = integer(below: i + 1)
            p.swapAt(i, j)
            i -= 1
        }
        return p
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
