import ArgumentParser
import Foundation
import TaskContracts

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

    /// What a tool writes at an output path.
    public enum OutputKind: Sendable {
        /// A folder the tool creates (parents included) or replaces whole.
        case folder
        /// One file, written to a temporary name and renamed into place.
        case file
    }

    /// Checks, before any work and without creating anything, that `url` can take the tool's
    /// output: an existing path is of the right kind (a folder, or a file) and writable, and
    /// a missing one can be created (its nearest existing ancestor is a writable folder, not a
    /// file). Throws a ``ToolError`` that names the option, the path and the reason in words.
    public static func checkOutput(_ url: URL, option: String, kind: OutputKind = .folder) throws(ToolError) {
        let fm = FileManager.default
        let target = url.standardizedFileURL
        let path = url.path
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: target.path, isDirectory: &isDirectory) {
            switch kind {
            case .folder:
                guard isDirectory.boolValue else { throw ToolError("\(option) \(path) is a file, not a folder; name a folder") }
                guard writable(target.path) else { throw ToolError("\(option) \(path) is not writable; choose a folder you can write to") }
            case .file:
                guard !isDirectory.boolValue else { throw ToolError("\(option) \(path) is a folder, not a file; name the file to write") }
            }
            // The new output is renamed into place beside the old one.
            let parent = target.deletingLastPathComponent().path
            guard writable(parent) else { throw ToolError("cannot replace \(option) \(path): its folder \(parent) is not writable") }
            return
        }
        var ancestor = target.deletingLastPathComponent()
        while ancestor.path != "/" && !fm.fileExists(atPath: ancestor.path) { ancestor.deleteLastPathComponent() }
        guard fm.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ToolError("cannot create \(option) \(path): \(ancestor.path) is a file, not a folder")
        }
        guard writable(ancestor.path) else { throw ToolError("cannot create \(option) \(path): \(ancestor.path) is not writable") }
    }

    /// ``checkOutput(_:option:kind:)`` for a folder, and an existing one refused unless
    /// `overwrite` (`--overwrite`): the rule of the tools that write a run folder.
    public static func checkNewOutputFolder(_ url: URL, option: String, overwrite: Bool) throws {
        try checkOutput(url, option: option, kind: .folder)
        if !overwrite && FileManager.default.fileExists(atPath: url.path) { throw SuiteError.outputExists(path: url.path) }
    }

    /// True when this process may create entries in the folder at `path`.
    static func writable(_ path: String) -> Bool { access(path, W_OK | X_OK) == 0 }

    /// Creates `folder` (and its parents) unless it exists, or fails with a message that names
    /// the folder, the option and the reason in words (not Foundation's error dump).
    public static func prepareOutputFolder(_ folder: URL, option: String) throws {
        try checkOutput(folder, option: option, kind: .folder)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw ToolError("cannot create \(option) \(folder.path): \(error.localizedDescription)")
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
