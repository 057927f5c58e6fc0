import Foundation
import Testing

/// Every bounded option of every tool, and the output location, are checked before any work
/// (issue 12): an out-of-range count is a usage error (exit 2) that names the option and its
/// range within moments, and an unusable `--out` stops the tool before it opens an episode or
/// writes a cache entry.
@Suite("Tool option validation")
struct OptionValidationTests {
    /// One out-of-range value: the command line (the scratch folder's `out` and `cache` stand
    /// in for output locations) and the option and range the message must name.
    struct Case: Sendable, CustomTestStringConvertible {
        var tool: String
        var arguments: [String]
        var option: String
        var range: String
        var testDescription: String { "\(tool) \(arguments.joined(separator: " "))" }
    }

    static func cases(_ tool: String, _ prefix: [String], _ option: String, _ range: String, _ values: [String]) -> [Case] {
        values.map { Case(tool: tool, arguments: prefix + [option, $0], option: option, range: range) }
    }

    /// The window options, which xp-windows and xp-features share.
    static func windowCases(_ tool: String, _ prefix: [String]) -> [Case] {
        cases(tool, prefix, "--window", "[1, 100000]", ["0", "-5", "100001"])
            + cases(tool, prefix, "--stride", "[1, 100000]", ["0", "-1", "100001"])
            + cases(tool, prefix, "--min-fraction", "[0, 1]", ["-0.1", "1.5", "nan", "inf"])
            + [Case(tool: tool, arguments: prefix + ["--multiscale", "multiscale_20s10_100001s5"], option: "--multiscale", range: "[1, 100000]")]
    }

    static let train = ["--episode", "ep", "--task", "timeline_action", "--out", "out", "--cache", "cache"]
    static let features = ["ep", "--out", "out", "--cache", "cache"]
    static let suite = ["--out", "out", "--cache", "cache"]

    static let all: [Case] =
        windowCases("xp-windows", ["ep", "--out", "out/windows.csv"])
        + windowCases("xp-features", features)
        + cases("xp-features", features, "--threads", "[0, 64]", ["-1", "65", "100000"])
        + cases("xp-suite", suite, "--frames", "[200, 50000]", ["199", "-200", "50001"])
        + cases("xp-suite", suite, "--concurrent-tasks", "[1, 64]", ["0", "-2", "65"])
        + cases("xp-suite", suite, "--seeds", "between 1 and 32 seeds", [(0...32).map(String.init).joined(separator: ",")])
        + cases("xp-train", train, "--blas-threads", "[1, 64]", ["0", "-1", "65"])
        + cases("xp-fixture", ["--out", "out"], "--frames", "[100, 50000]", ["99", "-1", "50001"])
        + cases("xp-fixture", ["--out", "out"], "--dataset", "[1, 1000]", ["0", "-3", "1001"])
        + cases("xp-bench", ["hdf5", "--cache", "cache"], "--repeats", "[1, 100]", ["0", "101"])
        + cases("xp-bench", ["hdf5", "--cache", "cache"], "--frames", "[100, 50000]", ["99", "50001"])
        + cases("xp-bench", ["media", "--cache", "cache"], "--frames", "[10, 20000]", ["9", "20001"])
        + cases("xp-bench", ["media", "--cache", "cache"], "--threads", "[0, 64]", ["-1", "65"])
        + cases("xp-bench", ["media", "--cache", "cache"], "--repeats", "[1, 100]", ["0", "101"])
        + cases("xp-bench", ["media", "--cache", "cache"], "--audio-seconds", "[1, 3600]", ["0", "3601"])
        + cases("xp-bench", ["features", "--cache", "cache"], "--frames", "[100, 50000]", ["99", "50001"])
        + cases("xp-bench", ["features", "--cache", "cache"], "--repeats", "[1, 100]", ["0", "101"])
        + cases("xp-bench", ["features", "--cache", "cache"], "--depth-pool", "[1, 1024]", ["0", "1025"])
        + cases("xp-bench", ["features", "--cache", "cache"], "--video-frames", "[1, 20000]", ["0", "20001"])
        + cases("xp-bench", ["features", "--cache", "cache"], "--rounds", "[1, 20]", ["0", "21"])
        + cases("xp-bench", ["features", "--cache", "cache"], "--ffmpeg-threads", "[0, 64]", ["-1", "65"])
        + cases("xp-bench", ["features", "--cache", "cache"], "--breakdown-frames", "[0, 20000]", ["-1", "20001"])
        + cases("xp-bench", ["heads"], "--repeats", "[1, 100]", ["0", "101"])
        + cases("xp-bench", ["heads"], "--softmax-epochs", "[1, 10000]", ["0", "10001"])
        + cases("xp-bench", ["heads"], "--mlp-epochs", "[1, 10000]", ["0", "10001"])
        + cases("xp-bench", ["suite", "--cache", "cache"], "--frames", "[200, 50000]", ["199", "50001"])
        + cases("xp-bench", ["suite", "--cache", "cache"], "--concurrent-tasks", "[1, 64]", ["0", "65"])
        + cases("xp-bench", ["suite", "--cache", "cache"], "--seeds", "between 1 and 32 seeds", [(0...32).map(String.init).joined(separator: ",")])

    @Test("an out-of-range value exits 2 at once, names the option and the range, and writes nothing", arguments: all)
    func outOfRange(_ c: Case) throws {
        let scratch = try Scratch.folder("bounds")
        let start = Date()
        let run = try Tools.run(c.tool, c.arguments, in: scratch)
        let seconds = Date().timeIntervalSince(start)
        expectUsageExit(run, tool: c.tool)
        #expect(seconds < 5, "took \(seconds) s: \(run)")
        #expect(run.stderr.contains(c.option) && run.stderr.contains(c.range), "stderr must name \(c.option) and \(c.range): \(run)")
        #expect(run.stderr.contains("found "), "stderr must say what was found: \(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(Scratch.entries(scratch).isEmpty, "a usage error wrote \(Scratch.entries(scratch))")
    }

    @Test("the window options, and the bounds themselves, are accepted by the parser")
    func negativeNumbersAreValues() throws {
        let scratch = try Scratch.folder("negative")
        // A negative number is read as the option's value (not as a flag: "Missing value").
        for arguments in [["ep", "--window", "-5"], ["ep", "--stride", "-1"], ["ep", "--min-fraction", "-0.5"]] {
            let run = try Tools.run("xp-windows", arguments, in: scratch)
            expectUsageExit(run, tool: "xp-windows")
            #expect(!run.stderr.contains("Missing value"), "\(run)")
            #expect(run.stderr.contains("found -"), "\(run)")
        }
        let seed = try Tools.run("xp-train", ["--episode", "ep", "--task", "timeline_action", "--out", "out", "--seed", "-5"], in: scratch)
        expectUsageExit(seed, tool: "xp-train")
        #expect(!seed.stderr.contains("Missing value") && seed.stderr.contains("'-5'") && seed.stderr.contains("--seed"), "\(seed)")
        #expect(seed.stderr.contains("non-negative integer"), "says what is expected: \(seed)")
        #expect(Scratch.entries(scratch).isEmpty)
    }

    @Test("xp-features --threads 100000 on a real episode exits 2 immediately: no output, no cache")
    func threadsOnARealEpisode() throws {
        let episode = try SharedEpisode.episode()
        let work = try Scratch.folder("threads")
        let start = Date()
        let run = try Tools.run("xp-features", [episode.path, "--out", work.appendingPathComponent("features").path, "--threads", "100000"], in: work)
        let seconds = Date().timeIntervalSince(start)
        expectUsageExit(run, tool: "xp-features")
        #expect(seconds < 2, "took \(seconds) s")
        #expect(run.stderr.contains("--threads must lie in [0, 64], found 100000"), "\(run)")
        #expect(Scratch.entries(work).isEmpty, "wrote \(Scratch.entries(work))")
    }

    static let badSeeds = [",", "", "7,,8", "7,", "x", "-1", "7, 8x"]

    @Test("a bad --seeds list exits 2 before any work (no synthetic episode generated)", arguments: badSeeds)
    func badSeedList(_ seeds: String) throws {
        for command in [["xp-suite", "--seeds", seeds], ["xp-bench", "suite", "--seeds", seeds]] {
            let work = try Scratch.folder("seeds")
            let start = Date()
            let run = try Tools.run(command[0], Array(command.dropFirst()), in: work)
            expectUsageExit(run, tool: command[0])
            #expect(Date().timeIntervalSince(start) < 5)
            #expect(run.stderr.contains("--seeds must be comma-separated non-negative integers"), "\(run)")
            #expect(run.stderr.contains("found "), "\(run)")
            #expect(Scratch.entries(work).isEmpty, "\(command.joined(separator: " ")) wrote \(Scratch.entries(work)) before failing")
        }
    }

    @Test("xp-suite --heads naming no head exits 2")
    func noHeads() throws {
        let work = try Scratch.folder("heads")
        let run = try Tools.run("xp-suite", ["--heads", ","], in: work)
        expectUsageExit(run, tool: "xp-suite")
        #expect(run.stderr.contains("--heads must name at least one head"), "\(run)")
        #expect(Scratch.entries(work).isEmpty)
    }

    /// An unusable output location: a regular file, or a path under one.
    enum Unusable: String, CaseIterable, Sendable {
        case file, underFile

        /// The output path inside `work` (which holds the file `blocker`), and the text the
        /// message must contain.
        func path(in work: URL, leaf: String) throws -> (path: String, reason: String) {
            let blocker = work.appendingPathComponent("blocker")
            try Data("keep me".utf8).write(to: blocker)
            switch self {
            case .file: return (blocker.path, "\(blocker.path) is a file, not a folder")
            case .underFile: return (blocker.appendingPathComponent(leaf).path, "\(blocker.path) is a file, not a folder")
            }
        }
    }

    /// Each tool that writes a folder (or xp-windows, a file), with the output `out` and the
    /// shared episode and features; the cache, when there is one, inside the work folder.
    static let outputTools: [(String, @Sendable (URL, URL, String, URL) -> [String])] = [
        ("xp-features", { ep, _, out, work in [ep.path, "--out", out, "--cache", work.appendingPathComponent("cache").path, "--quiet"] }),
        ("xp-features (default cache)", { ep, _, out, _ in [ep.path, "--out", out, "--quiet"] }),
        ("xp-suite", { ep, f, out, work in ["--episode", ep.path, "--features", f.path, "--seeds", "7", "--heads", "minimal", "--tasks", "timeline_action",
                                           "--out", out, "--cache", work.appendingPathComponent("cache").path, "--quiet"] }),
        ("xp-suite (synthetic)", { _, _, out, work in ["--seeds", "7", "--out", out, "--cache", work.appendingPathComponent("cache").path, "--quiet"] }),
        ("xp-train", { ep, _, out, work in ["--episode", ep.path, "--task", "timeline_action", "--out", out, "--cache", work.appendingPathComponent("cache").path] }),
        ("xp-evaluate", { ep, _, out, work in ["--episode", ep.path, "--predictions", work.appendingPathComponent("run").path, "--out", out,
                                              "--cache", work.appendingPathComponent("cache").path] }),
        ("xp-fixture", { _, _, out, _ in ["--size", "tiny", "--frames", "100", "--out", out] }),
        ("xp-windows", { ep, _, out, _ in [ep.path, "--out", out] }),
    ]

    struct OutputCase: Sendable, CustomTestStringConvertible {
        var index: Int
        var unusable: Unusable
        var testDescription: String { "\(OptionValidationTests.outputTools[index].0), --out \(unusable.rawValue)" }
    }

    /// Every tool with both unusable paths, except xp-windows with a file (it replaces the
    /// file; a folder in its place is `windowsOutIsAFolder`).
    static let outputCases: [OutputCase] = outputTools.indices.flatMap { i in
        Unusable.allCases.filter { outputTools[i].0 != "xp-windows" || $0 != .file }.map { OutputCase(index: i, unusable: $0) }
    }

    @Test("an unusable --out stops the tool before any work and writes nothing", arguments: outputCases)
    func unusableOutput(_ c: OutputCase) throws {
        let (label, arguments) = Self.outputTools[c.index]
        let tool = String(label.split(separator: " ")[0])
        let episode = try SharedEpisode.episode()
        let features = try SharedEpisode.featureFolder()
        let work = try Scratch.folder("unusable-out")
        let (out, reason) = try c.unusable.path(in: work, leaf: tool == "xp-windows" ? "windows.csv" : "out")
        let run = try Tools.run(tool, arguments(episode, features, out, work), in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("error: ") && run.stderr.contains(reason), "expected '\(reason)': \(run)")
        #expect(!run.stderr.contains("Usage:"), "\(run)")
        #expect(!run.stderr.contains("NSCocoaErrorDomain") && !run.stderr.contains("Code="), "no Foundation error dump: \(run)")
        #expect(Scratch.entries(work) == ["blocker"], "\(label) wrote \(Scratch.entries(work)) before failing")
        #expect(try Data(contentsOf: work.appendingPathComponent("blocker")) == Data("keep me".utf8))
    }

    @Test("xp-windows: a folder as --out is refused before any work")
    func windowsOutIsAFolder() throws {
        let episode = try SharedEpisode.episode()
        let work = try Scratch.folder("windows-folder")
        let out = work.appendingPathComponent("windows.csv")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let run = try Tools.run("xp-windows", [episode.path, "--out", out.path], in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("--out \(out.path) is a folder, not a file"), "\(run)")
        #expect(Scratch.entries(out).isEmpty && Scratch.entries(work) == ["windows.csv"])
    }

    @Test("xp-features: an --out folder with other entries (even a folder named presence.json) is refused before any work")
    func featuresForeignEntries() throws {
        let episode = try SharedEpisode.episode()
        for (name, isFolder) in [("notes.txt", false), ("presence.json", true)] {
            let work = try Scratch.folder("features-foreign")
            let out = work.appendingPathComponent("features")
            let entry = out.appendingPathComponent(name)
            if isFolder {
                try FileManager.default.createDirectory(at: entry, withIntermediateDirectories: true)
                try Data("mine".utf8).write(to: entry.appendingPathComponent("inside.txt"))
            } else {
                try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                try Data("mine".utf8).write(to: entry)
            }
            let run = try Tools.run("xp-features", [episode.path, "--out", out.path, "--quiet"], in: work)
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.contains(out.path) && run.stderr.contains(name) && run.stderr.contains("choose a new or empty folder"), "\(run)")
            #expect(Scratch.entries(work) == ["features"], "wrote \(Scratch.entries(work)) (the default cache beside --out?)")
            #expect(Scratch.entries(out) == [name])
            if isFolder { #expect(Scratch.entries(entry) == ["inside.txt"]) }
        }
    }

    @Test("xp-suite: an existing --out without --overwrite is refused before any work")
    func suiteOutputExists() throws {
        let work = try Scratch.folder("suite-exists")
        let out = work.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let run = try Tools.run("xp-suite", ["--seeds", "7", "--out", out.path, "--quiet"], in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("output folder \(out.path) exists; pass --overwrite to replace it"), "\(run)")
        #expect(Scratch.entries(work) == ["results"], "the synthetic episode was generated first: \(Scratch.entries(work))")
    }

    @Test("a missing --timeline file is named as the timeline, not as an episode folder", arguments: ["xp-windows", "xp-inspect", "xp-features"])
    func missingTimeline(_ tool: String) throws {
        let episode = try SharedEpisode.episode()
        let work = try Scratch.folder("timeline")
        let missing = work.appendingPathComponent("frame_names.txt").path
        var arguments = [episode.path, "--timeline", missing]
        if tool == "xp-features" { arguments += ["--out", work.appendingPathComponent("features").path, "--quiet"] }
        let run = try Tools.run(tool, arguments, in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("\(missing): frame-name timeline unusable: the timeline file does not exist"), "\(run)")
        #expect(!run.stderr.contains("Pass an episode folder"), "\(run)")
        #expect(Scratch.entries(work).isEmpty, "wrote \(Scratch.entries(work))")
    }
}
