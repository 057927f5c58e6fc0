import Exporters
import Foundation
import Heads
import Metrics
import TaskContracts
import Testing
import WindowAlign
import XPCore
import XPTestSupport

/// The raw log-mel window features against the reference's published NPZ
/// (`analysis-and-report.md` §5.1): the extractor's mel bins and filter bank against the
/// spec's listed values, the NPZ's structure, and the spec's downstream check from committed
/// files only (the ablation ridge head on `features` alone reproduces the published
/// `raw_logmel_audio_only` rows).
@Suite struct LogMelConformanceTests {
    static let npz = "reference-sample-outputs/audio_ablation/raw_logmel_fisheye_cam0_sr16000_mels64_fft512_hop160.npz"
    static let windows = "reference-sample-outputs/windows.csv"
    static let boundaries = "reference-sample-outputs/transition_detection_true_boundaries.csv"

    /// §5.1 step 5, the 66 bins as the spec lists them.
    @Test func melBinsAndFilterBankMatchTheSpec() {
        let listed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 16, 17, 19, 21, 22, 24, 26, 28, 30, 32, 34, 36, 38, 41, 43, 46, 48, 51, 54, 57,
                      60, 63, 66, 70, 74, 77, 81, 85, 89, 94, 98, 103, 108, 113, 118, 123, 129, 135, 141, 147, 154, 161, 168, 175, 183, 191, 199,
                      208, 217, 226, 236, 246, 256]
        #expect(LogMelFeatures.melBins == listed)
        let bins = 257
        let bank = LogMelFeatures.filterBank
        #expect(bank.count == 64 * bins)
        // "Filters 0–7 are single FFT bins, each with weight 1, at bins 2–9": (l, c, r) =
        // (k, k + 1, k + 2) puts weight 0 at l, 1 at c, and excludes r.
        for i in 0..<8 {
            let row = Array(bank[(i * bins)..<((i + 1) * bins)])
            #expect(row[i + 2] == 1, "filter \(i): weight at bin \(i + 2) is \(row[i + 2])")
            #expect(row.filter { $0 != 0 }.count == 1, "filter \(i) covers more than one bin")
        }
        // Filter 10: (l, c, r) = (12, 13, 14): raw weights 0, 1 at 12, 13 → bin 13 alone.
        // Filter 20: (28, 30, 32): raw 0, 1/2, 1, 1/2 at 28…31, sum 2 → 1/4, 1/2, 1/4 at 29, 30, 31.
        let f20 = Array(bank[(20 * bins)..<(21 * bins)])
        #expect(f20[28] == 0 && f20[29] == 0.25 && f20[30] == 0.5 && f20[31] == 0.25 && f20[32] == 0)
        #expect(bank[10 * bins + 13] == 1)
        // Every row sums to 1 (float32 rounding).
        for i in 0..<64 {
            let sum = bank[(i * bins)..<((i + 1) * bins)].reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum - 1) < 1e-6, "filter \(i) sums to \(sum)")
        }
    }

    /// `features` of the published file through `NPZArchive` (zlib: np.savez_compressed
    /// deflates both members); its `metadata` member is a 0-d `<U370` string of sorted-key JSON.
    static func features() throws -> (values: [Float], rows: Int, cols: Int) {
        let url = try SharedFixtures.url(npz)
        let zip = try ZipArchive.decode(try Data(contentsOf: url), file: url.path)
        #expect(zip.entries.allSatisfy { $0.method == .deflate }, "np.savez_compressed deflates every member")
        let archive = try NPZArchive.read(from: url)
        #expect(archive.names == ["features", "metadata"])
        if case let .strings(metadata)? = archive["metadata"] {
            #expect(metadata.count == 1)
            #expect(metadata.first?.count == 370)
            #expect(metadata.first?.hasPrefix(#"{"exists": true, "feature_description": "#) == true)
            #expect(metadata.first?.contains(#""feature_dim": 588, "fft_size": 512, "fps": 20.00137419266181"#) == true)
        } else {
            Issue.record("metadata is not a string member")
        }
        guard case let .float32(shape, values)? = archive["features"], shape.count == 2 else {
            throw SuiteError.shapeMismatch(what: "\(npz) features.npy", expected: "a 2-D float32 array", found: "another member set or dtype")
        }
        return (values, shape[0], shape[1])
    }

    /// §5.1's published structure of the file (read with zlib: np.savez_compressed deflates
    /// both members).
    @Test(.sharedFixtures(npz)) func publishedNPZHasTheSpecStructure() throws {
        let f = try Self.features()
        #expect(f.rows == 1161 && f.cols == 588)
        let column = { (c: Int) in (0..<f.rows).map { f.values[$0 * f.cols + c] } }
        #expect(column(587).allSatisfy { $0 == 97 })
        // n / 16000 for segments of 15,999 and 15,998 samples.
        let duration = column(586)
        #expect(duration.filter { $0 == Float(15_999.0 / 16_000) }.count == 1046)
        #expect(duration.filter { $0 == Float(15_998.0 / 16_000) }.count == 115)
        let sum = f.values.reduce(0.0) { $0 + Double($1) }
        #expect(abs(sum - 127_770.68859852501) < 1e-6, "float64 sum \(sum)")
        #expect(f.values.allSatisfy { $0.isFinite })
        let waveform0: [Float] = [5.8223777e-03, 4.6486198e-03, 3.5057694e-03, 2.2527145e-02, 1.1751469e-01, 3.3899509e-05,
                                  4.8009097e-03, 4.6287291e-03, 4.5162211e-03, -2.8468855e-04, 0.99993747, 97]
        for (k, v) in waveform0.enumerated() {
            #expect(abs(f.values[576 + k] - v) <= 1e-6 * max(1, abs(v)), "features[0, \(576 + k)] = \(f.values[576 + k]), spec \(v)")
        }
    }

    /// One `windows.csv` column by header name (the file has no quoted fields).
    static func column(_ name: String, _ lines: [Substring]) throws -> [String] {
        let header = lines[0].split(separator: ",").map(String.init)
        guard let k = header.firstIndex(of: name) else {
            throw SuiteError.shapeMismatch(what: "\(windows) header", expected: "a \(name) column", found: header.joined(separator: ","))
        }
        return try lines.dropFirst().enumerated().map { i, line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard k < f.count else { throw SuiteError.shapeMismatch(what: "\(windows) row \(i + 1)", expected: "\(header.count) fields", found: "\(f.count)") }
            return String(f[k])
        }
    }

    /// The ablation ridge head (reference: train-row z-score, bias column, l2 10, float32),
    /// chronological 813/348, on `features` alone, scored by the reference's macro-F1.
    static func score(_ labels: [String], x: Matrix) throws -> ClassificationMetrics {
        let names = Array(Set(labels)).sorted(by: codePointLess)
        let ids = labels.compactMap { names.firstIndex(of: $0) }
        var oneHot = [Float](repeating: 0, count: labels.count * names.count)
        for (r, k) in ids.enumerated() { oneHot[r * names.count + k] = 1 }
        let split = chronologicalSplitPoint(count: labels.count, testFraction: 0.3)
        #expect(split == 813)
        let train = Array(0..<split), test = Array(split..<labels.count)
        let model = try DiagnosticModel.fit(x: x, y: try Matrix(rows: labels.count, cols: names.count, storage: oneHot), train: train,
                                            protocol: .reference, zScoreTargets: false)
        let predicted = try model.predict(x, rows: test).argmaxPerRow()
        return try classificationMetrics(truth: test.map { ids[$0] }, predicted: predicted, classNames: names,
                                         macroAverage: .trueOrPredictedClasses).metrics
    }

    @Test(.sharedFixtures(npz, windows, boundaries))
    func ridgeOnThePublishedFeaturesReproducesTheRawLogmelOnlyRows() throws {
        let f = try Self.features()
        let x = try Matrix(rows: f.rows, cols: f.cols, storage: f.values)
        let lines = try String(contentsOf: try SharedFixtures.url(Self.windows), encoding: .utf8).split(whereSeparator: \.isNewline)
        #expect(lines.count == 1 + 1161)
        // Labels as windows.csv gives them, the empty label kept as a class.
        let action = try Self.score(try Self.column("action_label", lines), x: x)
        #expect(action.macroF1 == 0.0 && action.accuracy == 0.0 && action.balancedAccuracy == 0.0)
        let subtask = try Self.score(try Self.column("subtask_label", lines), x: x)
        // Exact only because the head regresses the raw one-hot, as `ridge_predict` does
        // (task-suite.md §6.1): z-scoring the one-hot columns first, with the penalised bias,
        // moves one test window's prediction and gives 0.0016906… instead.
        #expect(subtask.macroF1 == 0.0016722408026755855)
        #expect(subtask.accuracy == 0.0028735632183908046)
        #expect(subtask.balancedAccuracy == 0.001349527665317139)
        // A window is a transition when its centre frame lies within ±10 frames of a boundary.
        let boundaryLines = try String(contentsOf: try SharedFixtures.url(Self.boundaries), encoding: .utf8).split(whereSeparator: \.isNewline)
        let frames = boundaryLines.dropFirst().compactMap { Int($0) }
        #expect(frames.count == boundaryLines.count - 1)
        let transition = try Self.column("center_frame", lines).map { c -> String in
            guard let centre = Int(c) else { return "0" }
            return frames.contains { abs($0 - centre) <= 10 } ? "1" : "0"
        }
        let t = try Self.score(transition, x: x)
        #expect(t.macroF1 == 0.4637904468412942)
        #expect(t.accuracy == 0.8649425287356322)
        #expect(t.balancedAccuracy == 0.45331325301204817)
    }
}
