import EpisodeIO
import Foundation
import Testing
import XPCore
import XPTestSupport

/// The bad-input matrix end to end (issue 12, item 5): for every ``CorruptionKind`` a corrupted
/// copy of a tiny synthetic episode (40 frames, generated in the test process), `xp-qa --json`
/// must report the kind's finding and exit by `--fail-on`; `xp-inspect`, `xp-windows` and
/// `xp-features` must print the finding on stderr, exit 0 with `--on-bad-data warn` unless the
/// episode is unusable for them, and exit 1 with `--on-bad-data error` when the finding
/// touches their inputs, leaving nothing in `--out`. Every run is timed.
///
/// The expected exits follow from the kind's finding (severity, what it touches) and the rules
/// in ``CorruptedEpisode/exit(_:onBadData:)``, never from a tool's output.
@Suite("Corruption matrix")
struct CorruptionMatrixTests {
    /// Wall-time bound of one tool run (debug builds, a 40-frame episode).
    static let timeBound = 30.0

    static func timed(_ tool: String, _ arguments: [String], in directory: URL? = nil) throws -> ToolRun {
        let start = Date()
        let run = try Tools.run(tool, arguments, in: directory)
        let seconds = Date().timeIntervalSince(start)
        #expect(seconds < timeBound, "\(tool) took \(String(format: "%.1f", seconds)) s: \(run)")
        return run
    }

    /// The tool's command line on `episode`, its outputs going into `out` and any cache beside
    /// it (`cache`). xp-suite and xp-train use the reference protocol: its unpurged 70/30 split
    /// leaves training windows on a 40-frame episode, the strict one does not.
    static func arguments(_ tool: EpisodeTool, episode: String, out: URL) -> [String] {
        let cache = out.deletingLastPathComponent().appendingPathComponent("cache").path
        switch tool {
        case .inspect: return [episode]
        case .windows: return [episode, "--out", out.appendingPathComponent("windows.csv").path]
        case .features: return [episode, "--out", out.appendingPathComponent("features").path, "--no-cache", "--quiet"]
        case .suite:
            return ["--episode", episode, "--seeds", "7", "--heads", "minimal", "--tasks", "timeline_action", "--protocol", "reference",
                    "--out", out.appendingPathComponent("suite").path, "--cache", cache, "--quiet"]
        case .train:
            return ["--episode", episode, "--task", "timeline_action", "--protocol", "reference",
                    "--out", out.appendingPathComponent("run").path, "--cache", cache]
        }
    }

    /// The working folder may hold `out` and the tool's cache, nothing else.
    static func expectOnlyOutAndCache(_ work: URL, _ label: String) {
        let entries = Scratch.entries(work)
        #expect(entries.contains("out") && entries.allSatisfy { $0 == "out" || $0 == "cache" }, "\(label): wrote \(entries) into its working folder")
    }

    /// What a successful run must leave in `out`.
    static func expectOutputs(_ tool: EpisodeTool, _ out: URL, _ run: ToolRun) {
        switch tool {
        case .inspect: #expect(!run.stdout.isEmpty, "xp-inspect printed no summary: \(run)")
        case .windows: #expect(Scratch.entries(out) == ["windows.csv"], "\(Scratch.entries(out)): \(run)")
        case .features:
            #expect(Scratch.entries(out) == ["features"], "\(Scratch.entries(out)): \(run)")
            #expect(Scratch.entries(out.appendingPathComponent("features")).contains("features.npy"), "\(run)")
        case .suite: #expect(Scratch.entries(out.appendingPathComponent("suite")).contains("summary.md"), "\(run)")
        case .train: #expect(Scratch.entries(out) == ["run"], "\(Scratch.entries(out)): \(run)")
        }
    }

    /// The one `xp-qa --json` episode object's findings, or nil (with an issue) when the output
    /// is not the promised JSON.
    static func qaEpisode(_ run: ToolRun, _ label: String) -> JSONValue? {
        let value: JSONValue
        do { value = try JSONParser.parse(run.stdout) } catch {
            Issue.record("\(label): xp-qa --json printed no JSON (\(error)): \(run)")
            return nil
        }
        #expect(value["tool"]?.stringValue == "xp-qa", "\(label): \(run)")
        guard let episodes = value["episodes"]?.arrayValue, episodes.count == 1, let episode = episodes.first else {
            Issue.record("\(label): expected one episode in xp-qa --json: \(run)")
            return nil
        }
        #expect(value["summary"] != nil, "\(label): no summary: \(run)")
        return episode
    }

    static func findings(_ episode: JSONValue) -> [ReportedFinding] {
        (episode["findings"]?.arrayValue ?? []).compactMap(ReportedFinding.init(json:))
    }

    /// Runs `tool` in both `--on-bad-data` modes on the corrupted copy and checks exits,
    /// stderr and outputs.
    static func checkTool(_ tool: EpisodeTool, _ corrupted: CorruptedEpisode) throws {
        for mode in OnBadData.allCases {
            let label = "\(corrupted.kind) · \(tool.rawValue) --on-bad-data \(mode.rawValue)"
            let work = try Scratch.folder("matrix-\(tool.rawValue)")
            defer { try? FileManager.default.removeItem(at: work) }
            let out = work.appendingPathComponent("out")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            var arguments = Self.arguments(tool, episode: corrupted.folder.path, out: out)
            if mode == .error { arguments += ["--on-bad-data", "error"] }
            let run = try timed(tool.rawValue, arguments, in: work)
            let expected = corrupted.exit(tool, onBadData: mode)
            #expect(run.status == expected, "\(label): exit \(run.status), expected \(expected) for \(corrupted.expected): \(run)")
            #expect(!run.stderr.contains("Usage:"), "\(label): bad data is not a usage error: \(run)")
            if corrupted.reported(by: tool) {
                let lines = run.stderr.split(whereSeparator: \.isNewline)
                #expect(lines.contains(where: corrupted.expected.isLine),
                        "\(label): stderr has no line '\(corrupted.expected)': \(run)")
            }
            if run.status != 0 {
                #expect(run.stderr.contains("error: "), "\(label): a failure says so: \(run)")
                #expect(Scratch.entries(out).isEmpty, "\(label): left \(Scratch.entries(out)) in --out after failing")
                if tool == .inspect { #expect(run.stdout.isEmpty, "\(label): a failed xp-inspect printed a summary: \(run)") }
            } else {
                expectOutputs(tool, out, run)
            }
            expectOnlyOutAndCache(work, label)
        }
    }

    @Test("control: the intact base has no warning or error finding, and every tool succeeds in both modes")
    func control() throws {
        let base = try CorruptionBase.base()
        let qa = try Self.timed("xp-qa", [base.folder.path, "--json"])
        #expect(qa.status == 0, "\(qa)")
        if let episode = Self.qaEpisode(qa, "control") {
            let noisy = Self.findings(episode).filter { $0.severity == "warning" || $0.severity == "error" }
            #expect(noisy.isEmpty, "findings on the intact base: \(noisy.map(\.summary))")
            #expect(episode["frames"]?.numberValue == Double(CorruptionBase.frames), "\(qa)")
            #expect(episode["worst"]?.stringValue != "warning" && episode["worst"]?.stringValue != "error", "\(qa)")
        }
        let strict = try Self.timed("xp-qa", [base.folder.path, "--json", "--fail-on", "warning"])
        #expect(strict.status == 0, "\(strict)")
        for tool in EpisodeTool.allCases {
            for mode in OnBadData.allCases {
                let work = try Scratch.folder("control-\(tool.rawValue)")
                defer { try? FileManager.default.removeItem(at: work) }
                let out = work.appendingPathComponent("out")
                try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                var arguments = Self.arguments(tool, episode: base.folder.path, out: out)
                if mode == .error { arguments += ["--on-bad-data", "error"] }
                let run = try Self.timed(tool.rawValue, arguments, in: work)
                #expect(run.status == 0, "control · \(tool.rawValue) --on-bad-data \(mode.rawValue): \(run)")
                let findingLines = run.stderr.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("warning [") || $0.hasPrefix("error [") }
                #expect(findingLines.isEmpty, "control · \(tool.rawValue): findings on the intact base: \(findingLines)")
                if run.status == 0 { Self.expectOutputs(tool, out, run) }
                Self.expectOnlyOutAndCache(work, "control · \(tool.rawValue)")
            }
        }
    }

    @Test("each corruption: xp-qa's finding and exit, and the episode tools' exits, stderr and --out", arguments: CorruptionKind.allCases)
    func corruption(_ kind: CorruptionKind) throws {
        let corrupted = try kind.make()
        defer { try? FileManager.default.removeItem(at: corrupted.folder.deletingLastPathComponent()) }

        let qa = try Self.timed("xp-qa", [corrupted.folder.path, "--json"])
        #expect(qa.status == corrupted.qaExit, "\(kind): xp-qa exit \(qa.status), expected \(corrupted.qaExit) for \(corrupted.expected): \(qa)")
        if let episode = Self.qaEpisode(qa, "\(kind)") {
            for problem in corrupted.expected.problems(in: Self.findings(episode)) { Issue.record("\(kind): \(problem)") }
            #expect(episode["worst"]?.stringValue == corrupted.expected.severity.rawValue, "\(kind): worst: \(qa)")
            switch corrupted.frames {
            case .count(let n): #expect(episode["frames"]?.numberValue == Double(n), "\(kind): frames: \(qa)")
            case .null: #expect(episode["frames"].map { if case .null = $0 { return true } else { return false } } ?? false, "\(kind): frames: \(qa)")
            case .any: break
            }
        }
        if corrupted.expected.severity == .warning {
            let strict = try Self.timed("xp-qa", [corrupted.folder.path, "--json", "--fail-on", "warning"])
            #expect(strict.status == 1, "\(kind): xp-qa --fail-on warning: \(strict)")
        }
        for tool in [EpisodeTool.inspect, .windows, .features] { try Self.checkTool(tool, corrupted) }
    }

    /// xp-suite is slower: a few kinds that cover its three outcomes (clean, masked, unusable).
    @Test("xp-suite on a few corruptions", arguments: [CorruptionKind.nanHandRows, .captionNotJSON, .zeroByteAnnotation, .videoFewerFrames])
    func suite(_ kind: CorruptionKind) throws {
        let corrupted = try kind.make()
        defer { try? FileManager.default.removeItem(at: corrupted.folder.deletingLastPathComponent()) }
        try Self.checkTool(.suite, corrupted)
    }

    @Test("xp-train on a few corruptions", arguments: [CorruptionKind.nanBodyKeypoints, .emptySegments])
    func train(_ kind: CorruptionKind) throws {
        let corrupted = try kind.make()
        defer { try? FileManager.default.removeItem(at: corrupted.folder.deletingLastPathComponent()) }
        try Self.checkTool(.train, corrupted)
    }

    @Test("masking: NaN hand frames are not detections (presence.json hand_valid_fraction drops by exactly them)")
    func nanHandFramesAreMasked() throws {
        let corrupted = try CorruptionKind.nanHandRows.make()
        defer { try? FileManager.default.removeItem(at: corrupted.folder.deletingLastPathComponent()) }
        let rows = try #require(corrupted.expected.rows)
        func fractions(_ episode: URL) throws -> [Double] {
            let work = try Scratch.folder("masking")
            defer { try? FileManager.default.removeItem(at: work) }
            let out = work.appendingPathComponent("features")
            let run = try Self.timed("xp-features", [episode.path, "--out", out.path, "--no-cache", "--quiet"], in: work)
            try #require(run.status == 0, "\(run)")
            let presence = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("presence.json"), encoding: .utf8))
            let values = presence["hand_valid_fraction"]?["hand_left_joints"]?.arrayValue?.compactMap { $0.numberValue }
            return try #require(values, "no hand_valid_fraction.hand_left_joints in presence.json: \(run)")
        }
        let before = try fractions(try CorruptionBase.base().folder)
        let after = try fractions(corrupted.folder)
        try #require(before.count == after.count && !before.isEmpty)
        // Windows of 20 frames every 5: window w holds frames 5w ..< 5w + 20.
        for w in before.indices {
            let masked = rows.filter { (5 * w)..<(5 * w + 20) ~= $0 }.count
            #expect(abs(after[w] - (before[w] - Double(masked) / 20)) < 1e-9,
                    "window \(w): hand_valid_fraction \(after[w]), expected \(before[w]) − \(masked)/20 (NaN rows \(rows))")
        }
    }

    @Test("a window longer than the episode is a clear error, not an empty result", arguments: [EpisodeTool.windows, .features])
    func windowLongerThanEpisode(_ tool: EpisodeTool) throws {
        let base = try CorruptionBase.base()
        let work = try Scratch.folder("long-window")
        defer { try? FileManager.default.removeItem(at: work) }
        let out = work.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let run = try Self.timed(tool.rawValue, Self.arguments(tool, episode: base.folder.path, out: out) + ["--window", "10000"], in: work)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("error: "), "\(run)")
        #expect(run.stderr.contains("10000") && run.stderr.contains("\(CorruptionBase.frames)"), "names the window and the episode's \(CorruptionBase.frames) frames: \(run)")
        #expect(Scratch.entries(out).isEmpty, "left \(Scratch.entries(out))")
    }
}
