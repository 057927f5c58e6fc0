import Foundation
import Testing
@testable import WindowAlign

@Suite("BLAKE2b and hashed text")
struct TextHashingTests {
    func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    /// RFC 7693 Appendix A ("abc", 64 bytes), and hashlib.blake2b of the empty message, a
    /// two-block message (200 bytes, the last block partial) and exactly one full block, from
    /// `Fixtures/goldens/blake2b.json`.
    @Test("RFC 7693 and hashlib.blake2b vectors", arguments: try Goldens.blake2b().vectors)
    func vectors(_ v: Goldens.BLAKE2b.Vector) throws {
        #expect(hex(try BLAKE2b.hash(v.message, digestLength: v.digestLength)) == v.hex)
    }

    @Test("the golden file holds the RFC vector and digests longer than one block")
    func vectorFileCoverage() throws {
        let g = try Goldens.blake2b()
        #expect(g.vectors.contains { $0.utf8 == "abc" && $0.digestLength == 64 })
        #expect(g.vectors.contains { $0.message.count > 128 })
        #expect(g.tokens.count == 6)
    }

    @Test("digest lengths above 64 are refused")
    func tooLong() {
        #expect(throws: WindowAlignError.self) { try BLAKE2b.hash([1], digestLength: 65) }
    }

    @Test("spec token digests, buckets and signs (8-byte digest in the parameter block)")
    func tokenTable() throws {
        for t in try Goldens.blake2b().tokens {
            #expect(hex(try BLAKE2b.hash(Array(t.token.utf8), digestLength: 8)) == t.digest, "\(t.token)")
            let b = tokenBucket(t.token)
            #expect(b.bucket == t.bucket && b.sign == t.sign, "\(t.token)")
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
    func twoTone() throws {
        let x = (0..<800).map { i -> Float in
            let t = Double(i) / 16000
            return Float(0.5 * sin(2 * Double.pi * 440 * t) + 0.1 * sin(2 * Double.pi * 3000 * t))
        }
        let got = AudioFeatures.segmentFeatures(x[...])
        // Fixtures/goldens/numpy-audio-two-tone.json (the spec's vector).
        let spec = try Goldens.audioTwoTone().expected
        #expect(spec.count == 24)
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
