import Foundation
import Testing
@testable import EpisodeIO

/// Outputs of OpenCV 4.6 `cv2.resize(a, (dw, dh), interpolation=cv2.INTER_AREA)` on inputs the
/// tests rebuild from a formula: byte i of the (row-major, interleaved) input is
/// `(i·mul + add) mod 256`; float inputs are the same bytes (mul 37, add 11) divided by 8, which
/// is exact in Float32. Produced once with `Benchmarks/media_area_parity.py --golden`.
@Suite("Media INTER_AREA OpenCV goldens")
struct MediaResizeGoldenTests {
    static func input(_ n: Int, mul: Int, add: Int) -> [UInt8] { (0..<n).map { UInt8((($0 * mul) + add) % 256) } }

    struct U8Case: Sendable, CustomStringConvertible {
        var w, h, c, dw, dh, mul, add: Int
        var expected: [UInt8]
        var description: String { "\(w)×\(h)×\(c) → \(dw)×\(dh)" }
    }

    static let u8Cases: [U8Case] = [
        // Non-integer on both axes (7/3, 5/2), grey.
        U8Case(w: 7, h: 5, c: 1, dw: 3, dh: 2, mul: 37, add: 11, expected: [40, 124, 209, 47, 132, 216]),
        // Non-integer (2.5, 2.25), RGB.
        U8Case(w: 10, h: 9, c: 3, dw: 4, dh: 4, mul: 37, add: 11, expected: [
            117, 132, 112, 122, 136, 128, 138, 118, 149, 142, 134, 120, 115, 129, 109, 120, 134, 125, 135, 115, 135, 140, 109, 129,
            118, 138, 107, 112, 132, 135, 144, 113, 127, 138, 118, 132, 127, 159, 105, 98, 129, 155, 165, 111, 125, 135, 115, 130]),
        // 2×2 blocks, RGB (OpenCV's SIMD (sum + 2) >> 2 rounding).
        U8Case(w: 8, h: 6, c: 3, dw: 4, dh: 3, mul: 53, add: 1, expected: [
            141, 130, 55, 139, 64, 117, 73, 126, 179, 135, 188, 113, 189, 114, 167, 123, 112, 101,
            57, 110, 163, 119, 172, 97, 173, 98, 151, 107, 160, 85, 169, 94, 147, 103, 156, 145]),
        // 4×4 blocks, RGB.
        U8Case(w: 12, h: 8, c: 3, dw: 3, dh: 2, mul: 29, add: 5, expected: [102, 114, 112, 130, 142, 140, 158, 122, 120, 118, 130, 144, 146, 142, 124, 110, 106, 120]),
        // Non-integer (2.6, 2.75), grey.
        U8Case(w: 13, h: 11, c: 1, dw: 5, dh: 4, mul: 101, add: 7, expected: [106, 132, 110, 128, 134, 135, 139, 124, 136, 113, 136, 138, 127, 133, 117, 115, 142, 116, 126, 118]),
    ]

    @Test(arguments: u8Cases)
    func bytesMatchOpenCV(_ c: U8Case) throws {
        let src = Self.input(c.w * c.h * c.c, mul: c.mul, add: c.add)
        let out = try areaResize(src, width: c.w, height: c.h, channels: c.c, toWidth: c.dw, toHeight: c.dh)
        #expect(out == c.expected)
    }

    struct F32Case: Sendable, CustomStringConvertible {
        var w, h, dw, dh: Int
        var expected: [Float]
        var description: String { "\(w)×\(h) → \(dw)×\(dh)" }
    }

    static let f32Cases: [F32Case] = [
        F32Case(w: 9, h: 7, dw: 4, dh: 3, expected: [
            11.333333969116211, 18.563491821289062, 16.650794982910156, 11.69047737121582, 16.571428298950195, 14.658731460571289,
            18.841270446777344, 16.928571701049805, 21.809524536132812, 16.849206924438477, 14.936509132385254, 16.071430206298828]),
        F32Case(w: 12, h: 8, dw: 3, dh: 2, expected: [15.5625, 16.0625, 16.5625, 15.5625, 16.0625, 14.5625]),
        F32Case(w: 10, h: 10, dw: 4, dh: 4, expected: [
            12.635000228881836, 16.05500030517578, 17.84000015258789, 13.579999923706055, 18.674999237060547, 16.975000381469727,
            16.200000762939453, 17.060001373291016, 14.765000343322754, 15.625, 16.130001068115234, 14.430001258850098,
            13.125000953674316, 13.984999656677246, 17.049999237060547, 15.350000381469727]),
    ]

    @Test(arguments: f32Cases)
    func floatsMatchOpenCV(_ c: F32Case) throws {
        let src = Self.input(c.w * c.h, mul: 37, add: 11).map { Float($0) / 8 }
        let out = try areaResize(src, width: c.w, height: c.h, toWidth: c.dw, toHeight: c.dh)
        #expect(out.count == c.expected.count)
        // Same Float32 operations in the same order: bit-identical is expected; allow one ulp.
        for (a, b) in zip(out, c.expected) {
            #expect(abs(a - b) <= b.ulp, "\(a) vs OpenCV \(b)")
        }
    }
}
