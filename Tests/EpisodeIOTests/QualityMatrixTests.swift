import EpisodeIO
import Foundation
import Testing
import XPCore

/// The bad-input matrix at the library level (issue 12, item 5): `EpisodeQualityReport.check`
/// on a corrupted copy of a tiny synthetic episode for every ``CorruptionKind``, asserting the
/// finding's check, dataset, severity, modality and rows. The same kinds run through the tools
/// in `ToolTests/CorruptionMatrixTests.swift`.
@Suite("Quality matrix")
struct QualityMatrixTests {
    @Test("the generator: every corrupted copy differs from the base exactly as intended", arguments: CorruptionKind.allCases)
    func generatorMakesTheCorruption(_ kind: CorruptionKind) throws {
        let corrupted = try kind.make()
        defer { try? FileManager.default.removeItem(at: corrupted.folder.deletingLastPathComponent()) }
        for problem in try corrupted.verify() { Issue.record("\(kind): \(problem)") }
        // The copy is not the base: at least one file's bytes differ (or a file is gone).
        let base = try CorruptionBase.base().folder
        let names = try FileManager.default.contentsOfDirectory(atPath: base.path).sorted()
        let differs = try names.contains { name in
            let copy = corrupted.folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: copy.path) else { return true }
            return try Data(contentsOf: copy) != Data(contentsOf: base.appendingPathComponent(name))
        }
        #expect(differs, "\(kind): the corrupted copy is byte-identical to the base")
    }

    @Test("the generator: the base holds all 65 datasets and six MP4s with audio")
    func baseIsIntact() throws {
        let base = try CorruptionBase.base()
        let datasets = try HDF5Rewrite.readAll(base.annotation)
        #expect(datasets.count == 65, "\(datasets.map(\.path))")
        #expect(base.timestamps.count == CorruptionBase.frames)
        for stream in episodeVideoStreamNames {
            let info = try MediaInfo.probe(base.folder.appendingPathComponent(stream + ".mp4"), countFrames: true)
            #expect(info.video?.frameCount == CorruptionBase.frames + 1, "\(stream): \(info)")
        }
        #expect(try MediaInfo.probe(base.folder.appendingPathComponent("fisheye_cam0.mp4")).hasAudio)
        #expect(base.seconds < 60, "generating the base took \(base.seconds) s")
    }

    @Test("the matcher: accepts the finding an expectation describes, rejects each wrong field")
    func matcher() throws {
        let expected = ExpectedFinding(.nonFiniteRows, .warning, datasets: ["hand_mocap/left_joints_3d"], modality: .hands, rows: [3, 7], totalRows: 40)
        let right = QualityFinding(.nonFiniteRows, .warning, file: "/x/ep1/annotation.hdf5", dataset: "hand_mocap/left_joints_3d", modality: .hands,
                                   rows: [3, 7], totalRows: 40, expected: "finite values", found: "NaN", action: "mask the rows")
        #expect(expected.problems(in: [ReportedFinding(right)]).isEmpty, "\(expected.problems(in: [ReportedFinding(right)]))")
        #expect(expected.isLine(Substring(right.description)), "\(right.description)")
        var wrong: [QualityFinding] = []
        for edit in 0..<6 {
            var f = right
            switch edit {
            case 0: f.check = .zeroRows
            case 1: f.severity = .error
            case 2: f.dataset = "hand_mocap/right_joints_3d"
            case 3: f.firstRows = [3, 8]
            case 4: f.totalRows = 41
            default: f.file = "/x/ep1/stereo_left.mp4"
            }
            wrong.append(f)
        }
        for f in wrong { #expect(!expected.problems(in: [ReportedFinding(f)]).isEmpty, "accepted \(f)") }
        #expect(!expected.problems(in: []).isEmpty)
        // Through the JSON form xp-qa prints.
        let parsed = try #require(ReportedFinding(json: try JSONParser.parse(right.json.pythonJSON())))
        #expect(parsed == ReportedFinding(right))
    }

    @Test("the control: the intact base gives no warning or error finding")
    func control() throws {
        let base = try CorruptionBase.base()
        let start = Date()
        let report = EpisodeQualityReport.check(path: base.folder.path)
        let noisy = report.findings(atLeast: .warning)
        #expect(noisy.isEmpty, "findings on the intact base:\n\(noisy.map(\.description).joined(separator: "\n"))")
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test("the control: the report names the episode and N")
    func controlFrames() throws {
        let base = try CorruptionBase.base()
        let report = EpisodeQualityReport.check(path: base.folder.path)
        #expect(report.frames == CorruptionBase.frames)
        #expect(report.annotation.hasSuffix("annotation.hdf5"))
        #expect(!report.checked.isEmpty, "the report lists nothing as checked")
    }

    @Test("each corruption gives its finding", arguments: CorruptionKind.allCases)
    func finding(_ kind: CorruptionKind) throws {
        let corrupted = try kind.make()
        defer { try? FileManager.default.removeItem(at: corrupted.folder.deletingLastPathComponent()) }
        let start = Date()
        let report = EpisodeQualityReport.check(path: corrupted.folder.path)
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < 10, "\(kind): the check took \(seconds) s")
        let reported = report.findings.map(ReportedFinding.init)
        for problem in corrupted.expected.problems(in: reported) { Issue.record("\(kind): \(problem)") }
        // A warning-level corruption must not raise an error elsewhere (xp-qa would fail on it).
        if corrupted.expected.severity < .error {
            let errors = report.findings(atLeast: .error)
            #expect(errors.isEmpty, "\(kind): error findings for a warning-level corruption:\n\(errors.map(\.description).joined(separator: "\n"))")
        }
        switch corrupted.frames {
        case .count(let n): #expect(report.frames == n, "\(kind): frames")
        case .null: #expect(report.frames == nil, "\(kind): frames")
        case .any: break
        }
        // The one-line form (what the tools print) names the severity, check, file and dataset.
        let expected = corrupted.expected
        if let match = report.findings.first(where: { $0.check == expected.check && $0.severity == expected.severity }) {
            #expect(expected.isLine(Substring(match.description)), "\(kind): '\(match.description)' is not the line of \(expected)")
        }
    }
}
