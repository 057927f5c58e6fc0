import Foundation
import Testing

/// `--help` and usage errors of every tool: exit 0 with an example, or exit 2 with a usage
/// message naming what is wrong (the project's convention: 0 ok, 1 failure, 2 usage).
@Suite("Tool help and usage errors")
struct HelpAndUsageTests {
    @Test("--help exits 0 on stdout with USAGE and an example", arguments: Tools.names)
    func help(_ tool: String) throws {
        let run = try Tools.run(tool, ["--help"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("USAGE: \(tool)"), "\(run)")
        #expect(run.stdout.contains("Example"), "no example in the help of \(tool)")
        #expect(run.stdout.contains("\n  \(tool) ") || run.stdout.contains("\n  swift run") , "the example does not show a \(tool) command line")
        #expect(run.stderr.isEmpty, "\(run)")
    }

    static let commands: [[String]] = Tools.names.map { [$0] } + benchAreas.map { ["xp-bench", $0] }

    @Test("every option the help's examples use is one the command has", arguments: commands)
    func examplesUseRealOptions(_ command: [String]) throws {
        let tool = command.joined(separator: " ")
        let help = try Tools.run(command[0], Array(command.dropFirst()) + ["--help"]).stdout
        let parts = help.components(separatedBy: "USAGE:")
        try #require(parts.count == 2, "no USAGE section in the help of \(tool)")
        let discussion = parts[0], reference = parts[1]
        let examples = discussion.split(separator: "\n").filter { $0.hasPrefix("  \(tool)") || $0.hasPrefix("  swift run") && $0.contains(tool) }
        #expect(!examples.isEmpty, "no example command line in the help of \(tool)")
        for line in examples {
            // An example of a subcommand (`xp-slurm plan ...`) is checked against that subcommand's help.
            var reference = reference
            let words = line.split(separator: " ").map(String.init)
            if command.count == 1, words.count > 1, !words[1].hasPrefix("-"), reference.contains("SUBCOMMANDS:"),
               reference.components(separatedBy: "SUBCOMMANDS:")[1].contains("\n  \(words[1]) ") {
                reference = try Tools.run(command[0], [words[1], "--help"]).stdout
            }
            for word in words where word.hasPrefix("--") {
                let option = word.split(separator: "=").first.map(String.init) ?? String(word)
                #expect(reference.contains(option + " ") || reference.contains(option + "\n") || reference.contains(option + ","),
                        "\(tool) example uses \(option), which its help does not list: \(line)")
            }
        }
    }

    static let benchAreas = ["hdf5", "media", "features", "heads", "suite", "qa", "export", "eval", "baselines", "slurm", "diagnose", "report"]

    @Test("xp-bench <area> --help exits 0 with an example", arguments: benchAreas)
    func benchAreaHelp(_ area: String) throws {
        let run = try Tools.run("xp-bench", [area, "--help"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("USAGE: xp-bench \(area)"), "\(run)")
        #expect(run.stdout.contains("Example"), "no example in the help of xp-bench \(area)")
    }

    /// Otherwise valid command lines, plus an option no tool has.
    static let unknownOption: [(String, [String])] = [
        ("xp-inspect", ["ep"]),
        ("xp-fixture", ["--out", "fixtures"]),
        ("xp-windows", ["ep"]),
        ("xp-features", ["ep", "--out", "features"]),
        ("xp-suite", []),
        ("xp-train", ["--episode", "ep", "--task", "timeline_action", "--out", "run"]),
        ("xp-evaluate", ["--episode", "ep", "--predictions", "run", "--out", "eval"]),
        ("xp-bench", ["hdf5"]),
    ]

    @Test("an unknown option exits 2 with a usage message", arguments: 0..<unknownOption.count)
    func unknownOptionIsAUsageError(_ index: Int) throws {
        let (tool, arguments) = Self.unknownOption[index]
        let scratch = try Scratch.folder("usage")
        let run = try Tools.run(tool, arguments + ["--no-such-option"], in: scratch)
        expectUsageExit(run, tool: tool)
        #expect(run.stderr.contains("Unknown option '--no-such-option'"), "\(run)")
        #expect(run.stderr.contains("Usage: \(tool)"), "\(run)")
        #expect(run.stdout.isEmpty, "\(run)")
        #expect(Scratch.entries(scratch).isEmpty, "a usage error wrote \(Scratch.entries(scratch))")
    }

    /// A bad value for each tool, and what the message must say about it.
    static let badValues: [(String, [String], String)] = [
        ("xp-inspect", ["ep", "--rules", "newest"], "--rules must be one of: current, release"),
        ("xp-inspect", ["ep", "--json", "--tree"], "choose at most one of --json, --tree, --labels"),
        ("xp-fixture", ["--size", "huge", "--out", "fixtures"], "--size must be tiny or sample"),
        ("xp-fixture", ["--frames", "10", "--out", "fixtures"], "--frames must lie in [100, 50000], found 10"),
        ("xp-fixture", ["--variant", "no-such-variant", "--out", "fixtures"], "--variant must be one of: complete"),
        ("xp-windows", ["ep", "--window", "0"], "--window must lie in [1, 100000], found 0"),
        ("xp-windows", ["ep", "--min-fraction", "1.5"], "--min-fraction must lie in [0, 1]"),
        ("xp-windows", ["ep", "--stride", "five"], "The value 'five' is invalid for '--stride <stride>'"),
        ("xp-features", ["ep", "--out", "features", "--protocol", "loose"], "--protocol must be reference or strict, found 'loose'"),
        ("xp-features", ["ep", "--out", "features", "--threads=-1"], "--threads must lie in [0, 64], found -1"),
        ("xp-suite", ["--seeds", "7,x"], "--seeds must be comma-separated non-negative integers"),
        ("xp-suite", ["--heads", "minimal,huge"], "unknown head 'huge'"),
        ("xp-suite", ["--frames", "10"], "--frames must lie in [200, 50000], found 10"),
        ("xp-train", ["--episode", "ep", "--task", "juggling", "--out", "run"], "unknown task 'juggling'"),
        ("xp-train", ["--task", "timeline_action", "--out", "run"], "give --episode (repeatable) or --episodes LIST"),
        ("xp-train", ["--episode", "ep", "--task", "timeline_action", "--head", "huge", "--out", "run"], "--head must be minimal or neural"),
        ("xp-evaluate", ["--predictions", "run", "--out", "eval"], "give --episode (repeatable) or --episodes LIST"),
        ("xp-evaluate", ["--episode", "a", "--features", "f1", "--features", "f2", "--predictions", "run", "--out", "eval"], "give one --features per --episode"),
        ("xp-bench", ["hdf5", "--repeats", "three"], "The value 'three' is invalid for '--repeats <repeats>'"),
        ("xp-bench", ["no-such-area"], "Unexpected argument 'no-such-area'"),
    ]

    @Test("a bad value exits 2 and says what is wrong", arguments: 0..<badValues.count)
    func badValueIsAUsageError(_ index: Int) throws {
        let (tool, arguments, message) = Self.badValues[index]
        let scratch = try Scratch.folder("usage")
        let run = try Tools.run(tool, arguments, in: scratch)
        expectUsageExit(run, tool: tool)
        #expect(run.stderr.contains(message), "expected '\(message)' in \(run)")
        #expect(run.stderr.contains("Usage: \(tool)"), "\(run)")
        #expect(Scratch.entries(scratch).isEmpty, "a usage error wrote \(Scratch.entries(scratch))")
    }
}

/// Usage errors exit 2 (ToolSupport's `Tool.main`, which every tool, xp-bench included, uses).
func expectUsageExit(_ run: ToolRun, tool: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status == 2, "\(run)", sourceLocation: sourceLocation)
}
