import ArgumentParser
import ToolSupport

/// `xp-bench AREA`: one benchmark executable for every area. Each area is a subcommand in a
/// file of its own (`Bench<Area>.swift`) and prints one JSON object on stdout.
@main
struct XPBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-bench",
        abstract: "Measure speed and memory of one area and print one JSON object.",
        discussion: """
            Each area generates or reuses its input, runs its work with warm-up and repeats, and \
            prints medians, peak memory and, where a Python counterpart is installed, the ratio.

            Example:
              swift run -c release xp-bench heads
            """,
        subcommands: benchAreas
    )

    /// The project's exit codes (0, 1, 2 for usage) rather than ArgumentParser's 64.
    static func main() { Tool.main(XPBench.self) }
}
