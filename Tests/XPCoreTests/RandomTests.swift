import Testing
import XPCore

// Expected values come from an independent Python model of the published algorithms
// (Vigna's splitmix64.c and xoshiro256starstar.c) and of each helper's mapping, not from this
// code: scripts/xpcore-test-vectors.py prints them; each mapping is also summarised here.

@Suite("SplitMix64")
struct SplitMix64Tests {
    @Test func publishedVector() {
        // splitmix64.c from state 0.
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
        #expect(g.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.next() == 0x06C4_5D18_8009_454F)
        var h = SplitMix64(seed: 7)
        #expect([h.next(), h.next(), h.next()] == [0x63CB_E1E4_5932_0DD7, 0x044C_3CD7_F43C_661C, 0xE698_4080_BAB1_2A02])
    }

    @Test func uniformMapping() {
        // (next >> 11) · 2⁻⁵³ and a + (b − a)·u.
        var g = SplitMix64(seed: 42)
        #expect([g.uniform(), g.uniform(), g.uniform()] == [0x1.7bae644c5fd6dp-1, 0x1.477f199d93378p-3, 0x1.1d499d5c4c3e6p-2])
        var h = SplitMix64(seed: 42)
        #expect([h.uniform(-1, 3), h.uniform(-1, 3)] == [0x1.f75cc898bfadap+0, -0x1.7101ccc4d9910p-2])
    }

    @Test func normalIsOneBoxMullerCosinePerCall() {
        // sqrt(−2·log(max(u1, 1e-300)))·cos(2π·u2), Python's math (the same libm).
        var g = SplitMix64(seed: 9)
        #expect([g.normal(), g.normal(), g.normal()] == [0x1.f4567108dd6dbp-9, 0x1.69f9f9055b112p-2, 0x1.3aba670e0f040p+0])
    }

    @Test func integerHelpers() {
        // int(a...b): a + Lemire's multiply-shift of the draw by (b − a + 1), as the standard
        // library's Int.random(in:using:) does; nextInt(below:): rejection of draws below
        // 2⁶⁴ mod b, then draw % b.
        var g = SplitMix64(seed: 5)
        #expect((0..<8).map { _ in g.int(3...10) } == [6, 9, 4, 3, 4, 6, 10, 7])
        var h = SplitMix64(seed: 5)
        #expect((0..<8).map { _ in h.nextInt(below: 7) } == [3, 5, 2, 2, 3, 0, 1, 1])
    }

    @Test func forkIsIndependentOfLaterDraws() {
        // seed state ^ (salt · 0xD6E8FEB86659FD93), first output discarded.
        let g = SplitMix64(seed: 11)
        var f = g.fork(0x5C3E_0A10)
        #expect([f.next(), f.next()] == [0x2E47_F336_6066_376B, 0x3B98_014B_305B_C808])
        var other = g.fork(0x5C3E_0A11)
        var again = g.fork(0x5C3E_0A10)
        #expect(other.next() != again.next())
    }
}

@Suite("SeededGenerator (xoshiro256**)")
struct SeededGeneratorTests {
    @Test func publishedVector() {
        // xoshiro256starstar.c from state {1, 2, 3, 4}.
        var g = SeededGenerator(state: (1, 2, 3, 4))
        #expect([g.next(), g.next(), g.next(), g.next()] == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test func seedingThroughSplitMix() {
        // Seed 7 → state = four SplitMix64(7) outputs; stream s → seed' = first output of
        // SplitMix64(seed ^ s·0xD1B54A32D192ED03).
        var g = SeededGenerator(seed: 7)
        #expect([g.next(), g.next(), g.next()] == [0xB358_FAF7_4EF9_765A, 0x475C_3D96_4F48_2CD2, 0xD6F1_D349_952C_7996])
        var s = SeededGenerator(seed: 5, stream: 2)
        #expect([s.next(), s.next()] == [0xBF99_149F_9E3C_2E4C, 0xECD6_DC83_98B1_0043])
    }

    @Test func uniformNormalIntegersPermutation() {
        var g = SeededGenerator(seed: 3)
        #expect([g.uniform(), g.uniform()] == [0x1.619b57b5cacd1p-1, 0x1.47fa3bd4bc30cp-1])
        // Box–Muller with u1 = 1 − u: the cosine value, then the cached sine value.
        var n = SeededGenerator(seed: 3)
        #expect([n.standardNormal(), n.standardNormal(), n.standardNormal()]
                == [-0x1.f1b7fd3e718b3p-1, -0x1.2f10ac9bedd0fp+0, -0x1.5f2759cbeccf2p-1])
        // Lemire's method; Fisher–Yates from the back.
        var i = SeededGenerator(seed: 3)
        #expect((0..<8).map { _ in i.integer(below: 10) } == [6, 6, 2, 5, 4, 3, 2, 7])
        var p = SeededGenerator(seed: 3)
        #expect(p.permutation(8) == [6, 0, 3, 7, 2, 1, 4, 5])
        #expect(p.permutation(0).isEmpty)
    }

    @Test func normalMoments() {
        // n = 200,000 draws: the sample mean has sd 1/√n ≈ 0.0022 and the sample variance sd
        // √(2/n) ≈ 0.0032; 5 sd bounds make a false failure essentially impossible.
        var g = SeededGenerator(seed: 99)
        let n = 200_000
        var sum = 0.0, sq = 0.0
        for _ in 0..<n {
            let z = g.standardNormal()
            sum += z
            sq += z * z
        }
        let mean = sum / Double(n)
        #expect(abs(mean) < 0.011)
        #expect(abs(sq / Double(n) - mean * mean - 1) < 0.016)
    }
}
