import ArgumentParser
import ToolSupport

// Placeholder while issue 13 is built; replaced in the same session.
struct Placeholder: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "xp-scan")
    func run() throws { throw ExitCode(1) }
}
Tool.main(Placeholder.self)
