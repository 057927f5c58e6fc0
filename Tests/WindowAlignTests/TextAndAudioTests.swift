import Foundation
import Testing
@testable import WindowAlign

@Suite("BLAKE2b and hashed text")
struct TextHashingTests {
    func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    @Test("RFC 7693 Appendix A: BLAKE2b-512(\"abc\")")
    func rfcVector() throws {
        let d = try BLAKE2b.hash(Array("abc".utf8), digestLength: 64)
        #expect(hex(d) == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    @Test("empty message and a two-block message (hashlib.blake2b values)")
    func moreVectors() throws {
        // hashlib.blake2b(b"").hexdigest()
        #expect(hex(try BLAKE2b.hash([UInt8](), digestLength: 64)) ==
                "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
                + "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce")
        // hashlib.blake2b(bytes(range(200)), digest_size=16).hexdigest()
        let long = (0..<200).map { UInt8($0) }
        #expect(hex(try BLAKE2b.hash(long, digestLength: 16)) == BLAKE2bVectors.range200Digest16)
        #expect(hex(try BLAKE2b.hash((0..<128).map { UInt8($0) }, digestLength: 8)) == BLAKE2bVectors.range128Digest8)
        #expect(throws: WindowAlignError.self) { try BLAKE2b.hash([1], digestLength: 65) }
    }

    @Test("spec token digests, buckets and signs (8-byte digest in the parameter block)")
    func tokenTable() throws {
        let table: [(String, String, Int, Double)] = [
            ("kettle", "18f05a35c1fd03a9", 24, 1), ("coffee", "79378458e90b15fc", 121, 1),
            ("mug", "dbcfc51625a33801", 91, 1), ("white", "0376562be0d53726", 3, -1),
            ("bottle", "055bdf1ce6e639fc", 5, -1), ("pour", "a4514ab2c868e94d", 36, -1),
        ]
        for (token, digest, bucket, sign) in table {
            #expect(hex(try BLAKE2b.hash(Array(token.utf8), digestLength: 8)) == digest, "\(token)")
            let b = tokenBucket(token)
            #expect(b.bucket == bucket && b.sign == sign, "\(token)")
        }
    }

    @Test("spec sentence: five tokens, ±1/√5 at 3, 24, 54, 91, 99")
    func sentence() {
        #expect(hashTokens("Kettle, white mug; pour_water 2x") == ["kettle", "white", "mug", "pour_water", "2x"])
        let v = hashedTextFeatures("Kettle, white mug; pour_water 2x")
        let s = Float(1 / 5.0.squareRoot())  // 0.4472
        var expected = [Float](repeating: 0, count: 128)
        expected[3] = -s; expected[24] = s; expected[54] = -s; expected[91] = s; expected[99] = -s
        #expect(v.count == 128)
        for i in 0..<128 { #expect(abs(v[i] - expected[i]) < 1e-6, "index \(i)") }
        #expect(hashedTextFeatures("").allSatisfy { $0 == 0 })
        #expect(hashedTextFeatures(" ,;! ").allSatisfy { $0 == 0 })
    }

    @Test("frame text joins objects and interaction")
    func frameText() {
        #expect(frameCaptionText(objects: ["kettle", "mug"], interaction: "pour") == "kettle mug pour")
        // "kettle" twice: bucket 24 gets +2 and is the only non-zero → 1 after normalising.
        let v = hashedTextFeatures(frameCaptionText(objects: ["kettle"], interaction: "Kettle"))
        #expect(v[24] == 1 && v.filter { $0 != 0 }.count == 1)
    }
}

/// Values printed by Python's hashlib (BLAKE2b per RFC 7693) for multi-block inputs.
enum BLAKE2bVectors {
    /// `hashlib.blake2b(bytes(range(200)), digest_size=16)`: two blocks, the last partial.
    static let range200Digest16 = "61479efa6267fea757b3f881e2979bbc"
    /// `hashlib.blake2b(bytes(range(128)), digest_size=8)`: exactly one full, final block.
    static let range128Digest8 = "c2d13df1b6617e82"
}

@Suite("Audio features and sample alignment")
struct AudioTests {
    @Test("frame → sample ranges (spec §1.3)")
    func sampleRanges() {
        let fps = 20.00137419266181
        let n = 4_656_994
        #expect(frameSampleRange(frame: 0, fps: fps, sampleRate: 16000, sampleCount: n) == 0..<800)
        #expect(frameSampleRange(frame: 1, fps: fps, sampleRate: 16000, sampleCount: n) == 800..<1600)
        #expect(frameSampleRange(frame: 2, fps: fps, sampleRate: 16000, sampleCount: n) == 1600..<2400)
        #expect(frameSampleRange(frame: 3, fps: fps, sampleRate: 16000, sampleCount: n) == 2400..<3200)
        #expect(frameSampleRange(frame: 5820, fps: fps, sampleRate: 16000, sampleCount: n) == 4655680..<4656480)
        // Clipping: past the end → empty; a zero-length rounding → at least one sample.
        #expect(frameSampleRange(frame: 10, fps: 20, sampleRate: 16000, sampleCount: 100).isEmpty)
        #expect(frameSampleRange(frame: 0, fps: 20, sampleRate: 16000, sampleCount: 100) == 0..<100)
        #expect(frameSampleRange(frame: 0, fps: 1e9, sampleRate: 16000, sampleCount: 100) == 0..<1)
        // Half to even: k/fps·sr = 2.5 → 2 and 5.0 → 5 (fps = 6400 at 16 kHz).
        #expect(frameSampleRange(frame: 1, fps: 6400, sampleRate: 16000, sampleCount: 100) == 2..<5)
    }

    @Test("power spectrum matches a direct DFT for a non-power-of-two length")
    func powerSpectrum() {
        let n = 799
        let x = (0..<n).map { sin(Double($0) * 0.37) + 0.25 * cos(Double($0 * $0) * 0.001) }
        let p = PowerSpectrumPlan(n: n).power(x)
        for k in [0, 1, 17, 200, 399] {
            var re = 0.0, im = 0.0
            for j in 0..<n {
                let a = -2 * Double.pi * Double((j * k) % n) / Double(n)
                re += x[j] * cos(a); im += x[j] * sin(a)
            }
            let direct = re * re + im * im
            #expect(abs(p[k] - direct) <= 1e-9 * max(1, direct), "bin \(k)")
        }
        #expect(p.count == 400)
    }

    @Test("two-tone spec vector (440 Hz + 3 kHz, 800 samples)")
    func twoTone() {
        let x = (0..<800).map { i -> Float in
            let t = Double(i) / 16000
            return Float(0.5 * sin(2 * Double.pi * 440 * t) + 0.1 * sin(2 * Double.pi * 3000 * t))
        }
        let got = AudioFeatures.segmentFeatures(x[...])
        let spec: [Double] = [0.360555, 0.321378, 0.6, 0.0538173, 3.019235, 0.0673077, 0.0615554, 0.0575,
                              2.07e-09, 3.73e-09, 1.59e-08, 3.70e-08, 2.74e-07, 2.11e-06, 0.832546, 1.82e-04,
                              4.42e-07, 2.81e-08, 4.15e-09, 1.50e-09, 0.553957, 2.08e-07, 1.05e-10, 1.32e-11]
        #expect(got.count == 24)
        for (i, (g, e)) in zip(got, spec).enumerated() {
            if abs(e) >= 1e-3 {
                // The spec prints 6 significant digits; allow that rounding (and Float32 input).
                #expect(abs(Double(g) - e) <= 2e-6 * abs(e) + 5e-7, "entry \(i): \(g) vs \(e)")
            } else {
                // Small entries are printed with 3 significant digits (±0.5 %). Below ~1e-9 the
                // band shares sit at the FFT round-off floor (NumPy itself gives 1.23e-11 for the
                // last entry in float64), so there only an absolute 1e-9 on the unit vector.
                #expect(abs(Double(g) - e) <= 0.005 * abs(e) + 1e-9, "entry \(i): \(g) vs \(e)")
            }
        }
    }

    @Test("silence and empty segments give zeros; hanning is symmetric")
    func edges() {
        #expect(AudioFeatures.segmentFeatures([Float](repeating: 0, count: 800)[...]) == [Float](repeating: 0, count: 24))
        #expect(AudioFeatures.segmentFeatures([Float]()[...]) == [Float](repeating: 0, count: 24))
        // np.hanning(5) = [0, 0.5, 1, 0.5, 0]
        let w = AudioFeatures.hanning(5)
        #expect(zip(w, [0, 0.5, 1, 0.5, 0]).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(AudioFeatures.hanning(1) == [1])
        let e = AudioFeatures.bandEdges
        #expect(e.count == 17 && e[0] == 50 && e[16] == 8000 && abs(e[8] - 632.4555320336759) < 1e-9)
    }

    @Test("per-frame matrix: one row per frame, empty frames past the end stay zero")
    func perFrame() throws {
        let samples = (0..<1700).map { Float(sin(Double($0) * 0.3)) }
        let m = try AudioFeatures.perFrameFeatures(samples: samples, frameCount: 4, fps: 20, sampleRate: 16000)
        #expect(m.count == 4 * 24)
        // Frame 0 = samples 0..<800, frame 2 = 1600..<1700 (clipped), frame 3 starts past the end.
        #expect(Array(m[0..<24]) == AudioFeatures.segmentFeatures(samples[0..<800]))
        #expect(Array(m[48..<72]) == AudioFeatures.segmentFeatures(samples[1600..<1700]))
        #expect(m[72..<96].allSatisfy { $0 == 0 })
        #expect(throws: WindowAlignError.self) { try AudioFeatures.perFrameFeatures(samples: samples, frameCount: 2, fps: 0) }
    }
}
