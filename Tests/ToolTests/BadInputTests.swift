import Foundation
import Testing

/// Bad inputs exit 1, name the file on stderr and leave no output behind.
@Suite("Tool bad inputs")
struct BadInputTests {
    enum Input: String, CaseIterable, Sendable {
        case missingFolder, garbageAnnotation, emptyAnnotation

        /// The episode path to pass and the file the message must name.
        func make() throws -> (episode: String, named: String) {
            switch self {
            case .missingFolder:
                let path = Scratch.root.appendingPathComponent("no-such-episode-\(UUID().uuidString.prefix(6))").path
                return (path, path)
            case .garbageAnnotation:
                let folder = try Scratch.corruptEpisode(Scratch.garbage)
                return (folder.path, folder.appendingPathComponent("annotation.hdf5").path)
            case .emptyAnnotation:
                let folder = try Scratch.corruptEpisode([])
                return (folder.path, folder.appendingPathComponent("annotation.hdf5").path)
            }
        }
    }

    /// The episode tools, with an output location inside `out` (which must stay empty).
    static let episodeTools: [(String, @Sendable (String, URL) -> [String])] = [
        ("xp-inspect", { ep, _ in [ep] }),
        ("xp-windows", { ep, out in [ep, "--out", out.appendingPathComponent("windows.csv").path] }),
        ("xp-features", { ep, out in [ep, "--out", out.appendingPathComponent("features").path, "--quiet"] }),
        ("xp-suite", { ep, out in ["--episode", ep, "--seeds", "7", "--heads", "minimal", "--tasks", "timeline_action",
                                   "--out", out.appendingPathComponent("suite").path, "--quiet"] }),
        ("xp-train", { ep, out in ["--episode", ep, "--task", "timeline_action", "--out", out.appendingPathComponent("run").path] }),
    ]

    @Test("an unreadable episode exits 1 naming the file, and writes nothing",
          arguments: 0..<episodeTools.count, Input.allCases)
    func unreadableEpisode(_ index: Int, _ input: Input) throws {
        let (tool, arguments) = Self.episodeTools[index]
        let (episode, named) = try input.make()
        let work = try Scratch.folder("bad-\(tool)")
        let out = work.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let run = try Tools.run(tool, arguments(episode, out), in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains(named), "stderr does not name \(named): \(run)")
        #expect(run.stderr.contains("error: "), "\(run)")
        #expect(!run.stderr.contains("Usage:"), "a bad input is not a usage error: \(run)")
        #expect(Scratch.entries(out).isEmpty, "\(tool) left \(Scratch.entries(out)) after failing")
        #expect(Scratch.entries(work) == ["out"], "\(tool) wrote \(Scratch.entries(work)) into its working folder")
    }

    @Test("xp-evaluate: missing or corrupt predictions exit 1 naming predictions.json")
    func evaluateBadPredictions() throws {
        let episode = try SharedEpisode.episode()
        let features = try SharedEpisode.featureFolder()
        let work = try Scratch.folder("bad-evaluate")
        let missing = work.appendingPathComponent("no-run")
        let corrupt = work.appendingPathComponent("corrupt-run")
        try FileManager.default.createDirectory(at: corrupt, withIntermediateDirectories: true)
        try Data("{\"task\": ".utf8).write(to: corrupt.appendingPathComponent("predictions.json"))
        for predictions in [missing, corrupt] {
            let out = work.appendingPathComponent("eval-\(predictions.lastPathComponent)")
            let run = try Tools.run("xp-evaluate", ["--episode", episode.path, "--features", features.path,
                                                    "--predictions", predictions.path, "--out", out.path], in: work)
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.contains(predictions.appendingPathComponent("predictions.json").path), "\(run)")
            #expect(run.stderr.contains("xp-train"), "says what was expected: \(run)")
            #expect(!run.stderr.contains("Code="), "no Foundation error dump: \(run)")
            #expect(!FileManager.default.fileExists(atPath: out.path), "xp-evaluate created \(out.path) after failing")
        }
    }

    @Test("xp-fixture: an existing episode without --overwrite exits 1 naming its folder")
    func fixtureRefusesToOverwrite() throws {
        let episode = try SharedEpisode.episode()
        // OUT/<session>/ep1: the same seed and count give the same layout.
        let out = episode.deletingLastPathComponent().deletingLastPathComponent()
        let before = try Data(contentsOf: episode.appendingPathComponent("annotation.hdf5"))
        let run = try Tools.run("xp-fixture", ["--size", "tiny", "--frames", "\(SharedEpisode.frames)", "--seed", "7", "--out", out.path])
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains(episode.path), "\(run)")
        #expect(run.stderr.contains("--overwrite"), "\(run)")
        #expect(try Data(contentsOf: episode.appendingPathComponent("annotation.hdf5")) == before)
    }

    @Test("xp-fixture: an output folder that cannot be created exits 1 naming it")
    func fixtureUnwritableOutput() throws {
        let work = try Scratch.folder("bad-fixture")
        let file = work.appendingPathComponent("a-file")
        try Data("not a folder".utf8).write(to: file)
        let run = try Tools.run("xp-fixture", ["--size", "tiny", "--out", file.appendingPathComponent("fixtures").path], in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains(file.path), "\(run)")
        #expect(run.stderr.contains("is a file, not a folder"), "the reason in words: \(run)")
        #expect(!run.stderr.contains("NSCocoaErrorDomain"), "no Foundation error dump: \(run)")
        #expect(Scratch.entries(work) == ["a-file"])
    }

    @Test("xp-bench hdf5: a corrupt cached episode exits 1 naming it")
    func benchCorruptCache() throws {
        let work = try Scratch.folder("bad-bench")
        let cached = work.appendingPathComponent("cache/sample-seed7")
        try FileManager.default.createDirectory(at: cached, withIntermediateDirectories: true)
        let annotation = cached.appendingPathComponent("annotation.hdf5")
        try Data(Scratch.garbage).write(to: annotation)
        let run = try Tools.run("xp-bench", ["hdf5", "--frames", "100", "--repeats", "1", "--cache", work.appendingPathComponent("cache").path], in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains(annotation.path), "\(run)")
        #expect(run.stdout.isEmpty, "a failed benchmark printed a report: \(run)")
    }
}
