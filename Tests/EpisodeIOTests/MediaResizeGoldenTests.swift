import Foundation
import Testing
@testable import EpisodeIO

/// Outputs of OpenCV 4.6 `cv2.resize(a, (dw, dh), interpolation=cv2.INTER_AREA)` on inputs the
/// tests rebuild from a formula: byte i of the (row-major, interleaved) input is
/// `(i·mul + add) mod 256`; float inputs are the same bytes (mul 37, add 11) divided by 8, which
/// is exact in Float32. The goldens live in `Fixtures/goldens/opencv-inter-area-sequences.json`
/// (produced once with `Benchmarks/media_area_parity.py --golden`).
@Suite("Media INTER_AREA OpenCV goldens")
struct MediaResizeGoldenTests {
    @Test(arguments: try Goldens.areaSequences().u8)
    func bytesMatchOpenCV(_ c: Goldens.AreaSequences.U8Case) throws {
        let out = try areaResize(c.input, width: c.width, height: c.height, channels: c.channels, toWidth: c.toWidth, toHeight: c.toHeight)
        #expect(out == c.expected)
    }

    @Test(arguments: try Goldens.areaSequences().f32)
    func floatsMatchOpenCV(_ c: Goldens.AreaSequences.F32Case) throws {
        let out = try areaResize(c.input, width: c.width, height: c.height, toWidth: c.toWidth, toHeight: c.toHeight)
        let expected = c.expectedFloats
        #expect(out.count == expected.count)
        // Same Float32 operations in the same order: bit-identical is expected; allow one ulp.
        for (a, b) in zip(out, expected) {
            #expect(abs(a - b) <= b.ulp, "\(a) vs OpenCV \(b)")
        }
    }

    @Test("the golden file holds the cases this suite was written for")
    func goldenFileCoversItsCases() throws {
        let g = try Goldens.areaSequences()
        // Five byte cases (grey and RGB, non-integer and 2×2/4×4 block factors), three float cases.
        #expect(g.u8.count == 5 && g.f32.count == 3)
        #expect(g.u8.allSatisfy { $0.expected.count == $0.toWidth * $0.toHeight * $0.channels })
        #expect(g.f32.allSatisfy { $0.expected.count == $0.toWidth * $0.toHeight })
    }
}
