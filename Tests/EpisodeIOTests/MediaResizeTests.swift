import Foundation
import Testing
@testable import EpisodeIO

@Suite("Media INTER_AREA resize")
struct MediaResizeTests {
    /// Deterministic pseudo-random bytes (LCG) so failures reproduce.
    static func bytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: s >> 56)
        }
    }

    @Test func integerFactorsGiveExactBlockMeans() throws {
        // 12×8 RGB → 3×2: 4×4 blocks of 16 pixels; sum/16 is exact in Float32, so the result is
        // the block mean rounded half to even.
        let w = 12, h = 8, cn = 3
        let src = Self.bytes(w * h * cn, seed: 7)
        let out = try areaResize(src, width: w, height: h, channels: cn, toWidth: 3, toHeight: 2)
        #expect(out.count == 3 * 2 * cn)
        for dy in 0..<2 {
            for dx in 0..<3 {
                for c in 0..<cn {
                    var sum = 0
                    for y in (dy * 4)..<(dy * 4 + 4) { for x in (dx * 4)..<(dx * 4 + 4) { sum += Int(src[(y * w + x) * cn + c]) } }
                    let mean = (Double(sum) / 16).rounded(.toNearestOrEven)
                    #expect(Int(out[(dy * 3 + dx) * cn + c]) == Int(mean), "block (\(dx),\(dy)) channel \(c)")
                }
            }
        }
        let plan = try AreaResizePlan(sourceWidth: w, sourceHeight: h, destinationWidth: 3, destinationHeight: 2, channels: cn)
        #expect(plan.integerFactors?.x == 4 && plan.integerFactors?.y == 4)
    }

    @Test func integerFactorsOnFloatMaps() throws {
        // 6×4 → 2×2 with 3×2 blocks: the float path returns the block means.
        let src: [Float] = (0..<24).map { Float($0) * 0.5 }
        let out = try areaResize(src, width: 6, height: 4, toWidth: 2, toHeight: 2)
        var expected: [Float] = []
        for dy in 0..<2 {
            for dx in 0..<2 {
                var s: Double = 0
                for y in (dy * 2)..<(dy * 2 + 2) { for x in (dx * 3)..<(dx * 3 + 3) { s += Double(src[y * 6 + x]) } }
                expected.append(Float(s / 6))
            }
        }
        for (a, b) in zip(out, expected) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
        // 32×32 → 8×8 is the reference's grey grid (exact 4×4 block means).
        let big: [Float] = (0..<(32 * 32)).map { Float(($0 * 37) % 101) / 100 }
        let grid = try areaResize(big, width: 32, height: 32, toWidth: 8, toHeight: 8)
        var s: Double = 0
        for y in 4..<8 { for x in 8..<12 { s += Double(big[y * 32 + x]) } }
        #expect(abs(Double(grid[1 * 8 + 2]) - s / 16) < 1e-6)
    }

    @Test func nonIntegerFactorFiveToTwoByThreeToTwo() throws {
        // 5×3 → 2×2. Horizontally the scale is 2.5: destination column 0 covers source
        // [0, 2.5): x0 and x1 with weight 1/2.5 = 0.4 each and half of x2 with 0.5/2.5 = 0.2;
        // column 1 covers [2.5, 5): 0.2·x2 + 0.4·x3 + 0.4·x4.
        // Vertically the scale is 1.5: row 0 = 2/3·r0 + 1/3·r1, row 1 = 1/3·r1 + 2/3·r2.
        //   r0 = [10, 20, 30, 40, 50]    → (4 + 8 + 6, 6 + 16 + 20)   = (18, 42)
        //   r1 = [60, 70, 80, 90, 100]   → (24 + 28 + 16, 16 + 36 + 40) = (68, 92)
        //   r2 = [0, 0, 0, 0, 250]       → (0, 100)
        //   out row 0 = (2/3·18 + 1/3·68, 2/3·42 + 1/3·92) = (34.67, 58.67) → (35, 59)
        //   out row 1 = (1/3·68 + 0,      1/3·92 + 2/3·100) = (22.67, 97.33) → (23, 97)
        let src: [UInt8] = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 0, 0, 0, 0, 250]
        let out = try areaResize(src, width: 5, height: 3, channels: 1, toWidth: 2, toHeight: 2)
        #expect(out == [35, 59, 23, 97])
        let f = try areaResize(src.map(Float.init), width: 5, height: 3, toWidth: 2, toHeight: 2)
        let expected: [Float] = [104.0 / 3, 176.0 / 3, 68.0 / 3, 292.0 / 3]
        for (a, b) in zip(f, expected) { #expect(abs(a - b) < 1e-4, "\(a) vs \(b)") }
        let plan = try AreaResizePlan(sourceWidth: 5, sourceHeight: 3, destinationWidth: 2, destinationHeight: 2)
        #expect(plan.integerFactors == nil)
    }

    @Test func generalPathMatchesExactAreaIntegral() throws {
        // Brute force: each output is the exact area average over [x·sx, (x+1)·sx) × [y·sy, (y+1)·sy).
        let w = 100, h = 70, dw = 32, dh = 32
        let src = Self.bytes(w * h, seed: 11)
        let out = try areaResize(src, width: w, height: h, channels: 1, toWidth: dw, toHeight: dh)
        let fl = try areaResize(src.map(Float.init), width: w, height: h, toWidth: dw, toHeight: dh)
        let sx = Double(w) / Double(dw), sy = Double(h) / Double(dh)
        func overlap(_ a0: Double, _ a1: Double, _ i: Int) -> Double { max(0, min(a1, Double(i + 1)) - max(a0, Double(i))) }
        var worstFloat = 0.0
        for dy in 0..<dh {
            for dx in 0..<dw {
                var acc = 0.0
                for y in Int(Double(dy) * sy)...min(h - 1, Int(Double(dy + 1) * sy)) {
                    let wy = overlap(Double(dy) * sy, Double(dy + 1) * sy, y)
                    for x in Int(Double(dx) * sx)...min(w - 1, Int(Double(dx + 1) * sx)) {
                        acc += wy * overlap(Double(dx) * sx, Double(dx + 1) * sx, x) * Double(src[y * w + x])
                    }
                }
                let exact = acc / (sx * sy)
                #expect(abs(Double(out[dy * dw + dx]) - exact) <= 0.5 + 1e-3, "(\(dx),\(dy)) \(out[dy * dw + dx]) vs \(exact)")
                worstFloat = max(worstFloat, abs(Double(fl[dy * dw + dx]) - exact))
            }
        }
        #expect(worstFloat < 1e-3)
    }

    @Test func fisheyeSizeToThirtyTwoIsBlockMeans() throws {
        // 1088×1280 → 32×32 is 34×40 blocks: the fast path.
        let plan = try AreaResizePlan(sourceWidth: 1088, sourceHeight: 1280, destinationWidth: 32, destinationHeight: 32, channels: 3)
        #expect(plan.integerFactors?.x == 34 && plan.integerFactors?.y == 40)
        let flat = [UInt8](repeating: 77, count: 1088 * 1280 * 3)
        let out = try flat.withUnsafeBufferPointer { try plan.apply($0) }
        #expect(out.allSatisfy { $0 == 77 })
    }

    @Test func rejectsEnlargingAndWrongBuffers() {
        #expect(throws: MediaError.self) { _ = try areaResize([UInt8](repeating: 0, count: 4), width: 2, height: 2, channels: 1, toWidth: 3, toHeight: 2) }
        #expect(throws: MediaError.self) { _ = try areaResize([UInt8](repeating: 0, count: 5), width: 2, height: 2, channels: 1, toWidth: 1, toHeight: 1) }
        #expect(throws: MediaError.self) { _ = try areaResize([Float](repeating: 0, count: 3), width: 2, height: 2, toWidth: 1, toHeight: 1) }
        #expect(throws: MediaError.self) { _ = try areaResize([UInt8](), width: 0, height: 0, channels: 1, toWidth: 0, toHeight: 0) }
    }
}
