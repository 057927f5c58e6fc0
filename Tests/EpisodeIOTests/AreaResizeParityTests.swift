import Testing
@testable import EpisodeIO

// INTER_AREA parity cases written against OpenCV's semantics: hand-derived weights and goldens
// printed by cv2.resize. They pin the one area resize every layer uses.

private func close(_ a: [Float], _ b: [Float], _ tol: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol * max(1, abs($1)) }
}

@Suite("INTER_AREA resize parity")
struct AreaResizeTests {
    @Test("integer factor: exact block means")
    func integerFactor() throws {
        // 4×4 → 2×2: block (0,0) = {0,1,4,5} → 2.5, (0,1) = {2,3,6,7} → 4.5, (1,0) → 10.5, (1,1) → 12.5.
        let src = (0..<16).map { Float($0) }
        #expect(try areaResize(src, width: 4, height: 4, toWidth: 2, toHeight: 2) == [2.5, 4.5, 10.5, 12.5])
    }

    @Test("non-integer factor 5 → 2: weights 0.4, 0.4, 0.2 | 0.2, 0.4, 0.4")
    func oneDimensional() throws {
        // Output cell 0 covers source [0, 2.5): pixels 0, 1 fully and half of pixel 2, each
        // weight = overlap / 2.5. [1,2,3,4,5] → 0.4+0.8+0.6 = 1.8 and 0.6+1.6+2.0 = 4.2.
        let got = try areaResize([1, 2, 3, 4, 5] as [Float], width: 5, height: 1, toWidth: 2, toHeight: 1)
        #expect(close(got, [1.8, 4.2]))
    }

    @Test("non-integer factor 3×3 → 2×2 (scale 1.5), single and three channels")
    func twoDimensional() throws {
        // v(r,c) = 3(3r + c). Per axis the weights are [2/3, 1/3, 0] and [0, 1/3, 2/3]:
        // (0,0): rows 0,1 combined over cols → 1 and 10 → 2/3·1 + 1/3·10 = 4;
        // (0,1): 5 and 14 → 8; (1,0): 10 and 19 → 16; (1,1): 14 and 23 → 20.
        let src: [Float] = [0, 3, 6, 9, 12, 15, 18, 21, 24]
        #expect(close(try areaResize(src, width: 3, height: 3, toWidth: 2, toHeight: 2), [4, 8, 16, 20], 1e-5))
        // The same image in three channels scaled by 1, 2, 3 → each channel resizes alone.
        let rgb = src.flatMap { [UInt8($0), UInt8(2 * $0), UInt8(3 * $0)] }
        let got = try areaResize(rgb, width: 3, height: 3, channels: 3, toWidth: 2, toHeight: 2)
        #expect(got == [4, 8, 12, 8, 16, 24, 16, 32, 48, 20, 40, 60])
        // UInt8: 3.9999998 and friends round back to the integers.
        let u8 = try areaResize(src.map { UInt8($0) }, width: 3, height: 3, channels: 1, toWidth: 2, toHeight: 2)
        #expect(u8 == [4, 8, 16, 20])
    }

    @Test("UInt8 rounding: half to even on the float path, (sum+2)>>2 on 2×2 blocks")
    func uint8Rounding() throws {
        // 2×1 blocks: means 0.5 → 0, 1.5 → 2, 2.5 → 2.
        #expect(try areaResize([0, 1, 1, 2, 2, 3] as [UInt8], width: 6, height: 1, channels: 1, toWidth: 3, toHeight: 1) == [0, 2, 2])
        // 2×2 block summing to 2: OpenCV's SIMD path gives (2+2)>>2 = 1 (not 0.5 → 0).
        #expect(try areaResize([0, 0, 0, 2] as [UInt8], width: 2, height: 2, channels: 1, toWidth: 1, toHeight: 1) == [1])
    }

    @Test("enlarging and bad shapes are refused")
    func errors() {
        #expect(throws: MediaError.self) { try areaResize([Float](repeating: 0, count: 4), width: 2, height: 2, toWidth: 4, toHeight: 4) }
        #expect(throws: MediaError.self) { try areaResize([Float](repeating: 0, count: 5), width: 2, height: 2, toWidth: 1, toHeight: 1) }
    }

    /// A 13×11 test pattern; the goldens (`Fixtures/goldens/opencv-inter-area-pattern.json`)
    /// were printed by `cv2.resize(..., INTER_AREA)` (OpenCV 5.0.0, whose area code matches 4.x)
    /// for exactly these formulas: RGB = ((37x + 11y) % 256, (5x² + 29y) % 256, (13xy + 7) % 256)
    /// and f = float32((0.37x + 0.11y²) % 1.7).
    @Test("non-integer 13×11 → 4×3 UInt8 (3 channels) and → 5×4 Float32, bit for bit")
    func golden() throws {
        let g = try Goldens.areaPattern()
        #expect(g.width == 13 && g.height == 11)
        #expect(g.u8.expected.count == g.u8.toWidth * g.u8.toHeight * 3)
        #expect(try areaResize(g.rgb, width: g.width, height: g.height, channels: 3, toWidth: g.u8.toWidth, toHeight: g.u8.toHeight) == g.u8.expected)
        let bits = try g.expectedFloatBits()
        #expect(bits.count == g.f32.toWidth * g.f32.toHeight)
        let got = try areaResize(g.floats, width: g.width, height: g.height, toWidth: g.f32.toWidth, toHeight: g.f32.toHeight)
        #expect(got.map(\.bitPattern) == bits)
    }
}
