import ArgumentParser
import Foundation

/// What every `xp-*` tool shares: the exit-code convention (0 ok, 1 failure, 2 usage),
/// messages and progress on stderr.
public enum Tool {
    /// Parses the command line, runs the command and exits with the project's codes: 0 on
    /// success, 1 when the work failed, 2 for a usage error (ArgumentParser's default is 64).
    public static func main<C: ParsableCommand>(_ type: C.Type, arguments: [String]? = nil) -> Never {
        do {
            var command = try type.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch {
            let code = type.exitCode(for: error)
            if code == .success {
                // --help and --version
                print(type.fullMessage(for: error))
                exit(0)
            }
            if code == .validationFailure {
                FileHandle.standardError.write(Data((type.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            if error is ExitCode {
                exit(code.rawValue == 0 ? 0 : 1)
            }
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
    }

    /// Creates `folder` (and its parents) unless it exists, or fails with a message that names
    /// the folder, the option and the reason in words (not Foundation's error dump).
    public static func prepareOutputFolder(_ folder: URL, option: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ToolError("\(option) \(folder.path) is a file, not a folder; name a folder") }
            return
        }
        var blocker = folder.deletingLastPathComponent()
        while blocker.path != "/" && !FileManager.default.fileExists(atPath: blocker.path) { blocker.deleteLastPathComponent() }
        if FileManager.default.fileExists(atPath: blocker.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ToolError("cannot create \(option) \(folder.path): \(blocker.path) is a file, not a folder")
        }
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw ToolError("cannot create \(option) \(folder.path): \(FileManager.default.isWritableFile(atPath: blocker.path) ? "\(error.localizedDescription)" : "\(blocker.path) is not writable")")
        }
    }

    /// Writes a line to stderr.
    public static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// Progress on stderr for work that takes more than a second: a line every `interval`
/// seconds and one at the end. Silent when stderr is not wanted (`quiet`).
public final class Progress: @unchecked Sendable {
    let label: String
    let total: Int
    let quiet: Bool
    let start = Date()
    var last = Date.distantPast
    let lock = NSLock()

    public init(_ label: String, total: Int, quiet: Bool = false) {
        self.label = label
        self.total = total
        self.quiet = quiet
    }

    /// Reports that `done` of `total` units are finished.
    public func update(_ done: Int) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(last) >= 1 || done >= total else { return }
        last = now
        let elapsed = now.timeIntervalSince(start)
        let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
        var line = String(format: "%@: %d/%d (%.0f%%) %.1f s", label, done, total, percent, elapsed)
        if done > 0 && done < total { line += String(format: ", about %.0f s left", elapsed / Double(done) * Double(total - done)) }
        Tool.note(line)
    }
}

/// A failure a tool reports in one sentence (`error: <message>`, exit 1).
public struct ToolError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
