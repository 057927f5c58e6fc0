import Testing
@testable import WindowAlign
import XPCore

private func close(_ a: [Float], _ b: [Float], _ tol: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol * max(1, abs($1)) }
}

@Suite("Video frame features")
struct VideoFeatureTests {
    @Test("OpenCV 4 grey conversion (15-bit fixed point)")
    func gray() {
        #expect(VideoFeatures.opencvGray(r: 255, g: 0, b: 0) == 76)     // (255·9798 + 16384) >> 15 = 76
        #expect(VideoFeatures.opencvGray(r: 0, g: 0, b: 255) == 29)     // (255·3735 + 16384) >> 15 = 29
        #expect(VideoFeatures.opencvGray(r: 255, g: 255, b: 255) == 255)
        #expect(VideoFeatures.opencvGray(r: 2, g: 182, b: 255) == 136)  // the 14-bit formula gives 137
    }

    @Test("constant grey frame: flat stats, one histogram bin, no edges")
    func constantFrame() throws {
        // 100×50 of (128,128,128): thumbnail 128 everywhere (area of a constant),
        // 128/255 = 0.50196 → bin ⌊8·128/255⌋ = 4; grey = 128.
        let frame = [UInt8](repeating: 128, count: 100 * 50 * 3)
        let f = try VideoFeatures.frameFeatures(rgb: frame, width: 100, height: 50)
        #expect(f.count == 98)
        let v = Float(128.0 / 255.0)
        #expect(close(Array(f[0..<6]), [v, v, v, 0, 0, 0]))
        for c in 0..<3 {
            var h = [Float](repeating: 0, count: 8); h[4] = 1
            #expect(Array(f[(6 + 8 * c)..<(14 + 8 * c)]) == h)
        }
        #expect(close(Array(f[30..<94]), [Float](repeating: v, count: 64)))
        #expect(Array(f[94..<98]) == [0, 0, 0, 0])
    }

    @Test("left red / right blue frame: hand-derived features")
    func splitFrame() throws {
        // 64×64, x < 32 red (255,0,0), else blue (0,0,255). Thumbnail: columns 0–15 red, 16–31 blue.
        var frame = [UInt8](repeating: 0, count: 64 * 64 * 3)
        for y in 0..<64 { for x in 0..<64 { frame[(y * 64 + x) * 3 + (x < 32 ? 0 : 2)] = 255 } }
        let f = try VideoFeatures.frameFeatures(rgb: frame, width: 64, height: 64)
        // mean R = B = 0.5, G = 0; std of a 0/1 half split = 0.5.
        #expect(close(Array(f[0..<6]), [0.5, 0, 0.5, 0.5, 0, 0.5]))
        // R: half in bin 0, half in bin 7 (1.0 lands in the closed last bin). G all in bin 0.
        #expect(Array(f[6..<14]) == [0.5, 0, 0, 0, 0, 0, 0, 0.5])
        #expect(Array(f[14..<22]) == [1, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(f[22..<30]) == [0.5, 0, 0, 0, 0, 0, 0, 0.5])
        // Grey: red → 76, blue → 29; grid columns 0–3 = 76/255, 4–7 = 29/255.
        var grid = [Float]()
        for _ in 0..<8 { grid += [Float](repeating: 76.0 / 255, count: 4) + [Float](repeating: 29.0 / 255, count: 4) }
        #expect(close(Array(f[30..<94]), grid))
        // gx ≠ 0 only at columns 15 and 16: |(29 − 76)/255/2| = 47/510 on 64 of 1024 pixels.
        // mean = 47/510/16 = 0.0057598; std = 47/510·√(1/16·15/16) = 0.0223076; gy = 0.
        let a = 47.0 / 510.0
        #expect(close(Array(f[94..<98]), [Float(a / 16), 0, Float(a * (15.0 / 256.0).squareRoot()), 0]))
    }

    @Test("frames smaller than the thumbnail are refused")
    func tooSmall() {
        #expect(throws: WindowAlignError.self) { try VideoFeatures.frameFeatures(rgb: [UInt8](repeating: 0, count: 16 * 16 * 3), width: 16, height: 16) }
    }
}

@Suite("Depth frame features")
struct DepthFeatureTests {
    /// 16×16: x < 8 at 1 m, x ≥ 8 at 3 m, except row 0, x < 8 = 0 (invalid).
    /// Confidence 51 on the left half and 255 on the right.
    func frame() -> ([Float], [UInt8]) {
        var d = [Float](repeating: 0, count: 256), c = [UInt8](repeating: 0, count: 256)
        for y in 0..<16 {
            for x in 0..<16 {
                d[y * 16 + x] = x < 8 ? (y == 0 ? 0 : 1) : 3
                c[y * 16 + x] = x < 8 ? 51 : 255
            }
        }
        return (d, c)
    }

    @Test("hand-derived stats and grids (reference per-frame confidence scale)")
    func referenceRule() throws {
        let (d, c) = frame()
        let f = try DepthFeatures.frameFeatures(depth: d, width: 16, height: 16, confidence: c)
        #expect(f.count == 140)
        // 248 valid: 120 at 1, 128 at 3. mean = 504/248; var = 4·120·128/248² → std 0.9994795;
        // sorted: idx 0–119 = 1, 120–247 = 3. p10 at 24.7 → 1; p50 at 123.5 → 3; p90 → 3.
        let std = (4.0 * 120 * 128).squareRoot() / 248
        #expect(close(Array(f[0..<8]), [Float(504.0 / 248), Float(std), 1, 3, 1, 3, 3, Float(248.0 / 256)]))
        // Grid of d/4 in 2×2 blocks: left 0.25, right 0.75; the top-left four cells mix
        // row 0 (0) and row 1 (0.25) → 0.125.
        var grid = [Float]()
        for r in 0..<8 { grid += [Float](repeating: r == 0 ? 0.125 : 0.25, count: 4) + [Float](repeating: 0.75, count: 4) }
        #expect(close(Array(f[8..<72]), grid))
        // max 255 > 1 → /255: left 0.2, right 1 → mean 0.6, std 0.4, min 0.2, max 1; the
        // reference's c.min(initial=0) reports 0 for the minimum.
        #expect(close(Array(f[72..<76]), [0.6, 0.4, 0, 1]))
        let observed = try DepthFeatures.frameFeatures(depth: d, width: 16, height: 16, confidence: c, confidenceMinimum: .observed)
        #expect(close(Array(observed[72..<76]), [0.6, 0.4, 0.2, 1]))
        #expect(Array(observed[0..<72]) == Array(f[0..<72]) && Array(observed[76..<140]) == Array(f[76..<140]))
        var cg = [Float]()
        for _ in 0..<8 { cg += [Float](repeating: 0.2, count: 4) + [Float](repeating: 1, count: 4) }
        #expect(close(Array(f[76..<140]), cg))
    }

    @Test("confidence: fixed scale, values ≤ 1 kept per frame, absent → zeros")
    func confidenceRules() throws {
        let (d, c) = frame()
        // Fixed factor 1: 51 and 255 clip to 1 → mean 1, std 0.
        let fixed = try DepthFeatures.frameFeatures(depth: d, width: 16, height: 16, confidence: c, confidenceScaling: .fixed(1),
                                                    confidenceMinimum: .observed)
        #expect(Array(fixed[72..<76]) == [1, 0, 1, 1])
        // A 0/1 frame keeps its scale under the per-frame rule (max = 1 is not > 1).
        let binary = [UInt8](repeating: 1, count: 256)
        let f = try DepthFeatures.frameFeatures(depth: d, width: 16, height: 16, confidence: binary)
        #expect(Array(f[72..<76]) == [1, 0, 0, 1], "reference minimum: numpy's min(initial=0)")
        #expect(ConfidenceScaling.episode(maxConfidence: 205) == .fixed(1.0 / 255))
        let none = try DepthFeatures.frameFeatures(depth: d, width: 16, height: 16, confidence: nil)
        #expect(none[72..<140].allSatisfy { $0 == 0 })
    }

    @Test("no valid depth → zero stats; NaN/inf handled; dmin/dmax honoured")
    func invalidDepth() throws {
        var d = [Float](repeating: 0, count: 64)
        d[0] = .nan; d[1] = .infinity; d[2] = -1
        let f = try DepthFeatures.frameFeatures(depth: d, width: 8, height: 8, confidence: nil)
        #expect(f[0..<8].allSatisfy { $0 == 0 })
        // Grid is the identity at 8×8: +inf → 1 after clipping, NaN → 0, −1 → 0.
        #expect(f[8] == 0 && f[9] == 1 && f[10] == 0)
        let g = try DepthFeatures.frameFeatures(depth: [Float](repeating: 2, count: 64), width: 8, height: 8,
                                                confidence: nil, depthMin: 1, depthMax: 3)
        #expect(g[8..<72].allSatisfy { $0 == 0.5 })
        #expect(throws: WindowAlignError.self) { try DepthFeatures.frameFeatures(depth: [1, 2], width: 8, height: 8, confidence: nil) }
    }

    @Test("selection percentiles equal sorted linear interpolation")
    func percentiles() {
        var rng = SystemRandomNumberGenerator()
        for n in [1, 2, 3, 10, 101, 1000, 70_000] {
            let values = (0..<n).map { _ in Float(Int.random(in: 0..<50, using: &rng)) / 7 }
            let sorted = values.sorted().map(Double.init)
            for q in [0.0, 10, 50, 90, 100] {
                var copy = values
                #expect(abs(selectPercentile(&copy, q) - Statistics.percentile(sorted: sorted, q)) < 1e-12, "n \(n) q \(q)")
                let positive = values.map { $0 + 0.5 }
                let expected = Statistics.percentile(sorted: positive.sorted().map(Double.init), q)
                #expect(abs(positivePercentiles(positive, [q])[0] - expected) < 1e-12, "histogram n \(n) q \(q)")
            }
        }
    }
}

/// The shrink the feature formulas call (WindowAlign's wrappers of EpisodeIO's `areaResize`)
/// against the OpenCV goldens of `Fixtures/goldens/` (the same files EpisodeIO's parity tests read).
@Suite("INTER_AREA parity with OpenCV output")
struct OpenCVGoldenTests {
    @Test("UInt8 cases of cv2.resize(INTER_AREA) 4.6", arguments: try Goldens.areaSequences().u8)
    func bytes(_ c: Goldens.AreaSequences.U8Case) throws {
        #expect(try shrink(c.input, width: c.width, height: c.height, channels: c.channels, toWidth: c.toWidth, toHeight: c.toHeight) == c.expected)
    }

    @Test("Float32 cases of cv2.resize(INTER_AREA) 4.6, within one ulp", arguments: try Goldens.areaSequences().f32)
    func floats(_ c: Goldens.AreaSequences.F32Case) throws {
        let got = try shrink(c.input, width: c.width, height: c.height, toWidth: c.toWidth, toHeight: c.toHeight)
        let expected = c.expectedFloats
        #expect(got.count == expected.count)
        for (a, b) in zip(got, expected) { #expect(abs(a - b) <= b.ulp, "\(a) vs OpenCV \(b)") }
    }

    @Test("13×11 pattern of OpenCV 5.0.0, bit for bit")
    func pattern() throws {
        let g = try Goldens.areaPattern()
        #expect(try shrink(g.rgb, width: g.width, height: g.height, channels: 3, toWidth: g.u8.toWidth, toHeight: g.u8.toHeight) == g.u8.expected)
        let got = try shrink(g.floats, width: g.width, height: g.height, toWidth: g.f32.toWidth, toHeight: g.f32.toHeight)
        #expect(got.map(\.bitPattern) == (try g.expectedFloatBits()))
    }

    @Test("a wrong input count is a typed error of this layer")
    func wrongCount() {
        #expect(throws: WindowAlignError.self) { try shrink([Float](repeating: 0, count: 5), width: 2, height: 2, toWidth: 1, toHeight: 1) }
        #expect(throws: WindowAlignError.self) { try shrink([UInt8](repeating: 0, count: 4), width: 2, height: 2, channels: 1, toWidth: 4, toHeight: 4) }
    }
}
