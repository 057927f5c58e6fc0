import Foundation

/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit state advanced by the golden-ratio
/// increment 0x9E3779B97F4A7C15, then mixed by two xor-shift-multiply rounds
/// (`z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB;
/// z ^= z >> 31`). Small, fast and fully specified here, so a seed gives the same stream on
/// every platform and Swift version (unlike the standard library's generator).
///
/// The package's streams that run on it, each bit-for-bit fixed by its own helper:
/// the synthetic episodes (``uniform()``, ``uniform(_:_:)``, ``normal()``, ``int(_:)``,
/// ``fork(_:)``), the block bootstrap (``nextInt(below:)``) and the seeding of
/// ``SeededGenerator``. Changing any helper changes fixtures, intervals or initial weights.
///
/// ```swift
/// var rng = SplitMix64(seed: 7)
/// let u = rng.uniform()          // [0, 1), 53 random bits
/// let k = rng.nextInt(below: 10) // 0..<10, unbiased
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The internal counter: the seed plus the increment times the number of draws.
    public private(set) var state: UInt64

    /// A generator starting from `seed` (its first output mixes `seed + 0x9E3779B97F4A7C15`).
    public init(seed: UInt64) { state = seed }

    /// The next 64 bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double uniform in [0, 1) from the top 53 bits: `(next() >> 11) · 2⁻⁵³`.
    @inline(__always)
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A double uniform in [a, b): `a + (b − a) · uniform()`.
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

    /// A standard normal deviate by Box–Muller, one value per call (two uniforms each; the
    /// sine half is discarded, and the first uniform is kept at or above 1e-300 so the
    /// logarithm is finite). ``SeededGenerator/standardNormal()`` is a different stream.
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300)
        let u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// An integer in `range`, by the standard library's `Int.random(in:using:)` on this
    /// generator (the synthetic episodes' stream depends on that algorithm).
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// An integer uniform in `0..<bound` by rejection: draws below `2⁶⁴ mod bound` are
    /// discarded so that every residue is equally likely, then `draw % bound`. `bound` must be
    /// positive (a programming error otherwise, like an empty range in `Int.random(in:)`).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let b = UInt64(bound)
        let threshold = (0 &- b) % b  // = 2⁶⁴ mod b
        while true {
            let r = next()
            if r >= threshold { return Int(r % b) }
        }
    }

    /// A derived generator for an independent sub-stream (e.g. one per modality), so that adding
    /// draws to one stream does not change another's: seeded with
    /// `state ^ (salt · 0xD6E8FEB86659FD93)`, its first output discarded.
    public func fork(_ salt: UInt64) -> SplitMix64 {
        var g = SplitMix64(seed: state ^ (salt &* 0xD6E8_FEB8_6659_FD93))
        _ = g.next()
        return g
    }
}
