import Foundation

/// Runs a command to completion with its streams in files.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` in `directory`, stdout and stderr into the given files
    /// (created or truncated), stdin empty; returns the exit status (128 + signal when killed).
    public static func run(executable: String, arguments: [String], stdout: URL, stderr: URL, directory: URL? = nil,
                           environment: [String: String]? = nil) throws(PipelineError) -> Int32 {
        let fm = FileManager.default
        _ = fm.createFile(atPath: stdout.path, contents: nil)
        _ = fm.createFile(atPath: stderr.path, contents: nil)
        guard let out = FileHandle(forWritingAtPath: stdout.path), let err = FileHandle(forWritingAtPath: stderr.path) else {
            throw .cannotWrite(path: stdout.path, reason: "cannot open the command's output files")
        }
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw .command(command: executable, detail: "cannot start it (\(error.localizedDescription)); check the plan's tool paths")
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Runs a short command and returns its exit status, stdout and stderr (for the Slurm
    /// clients, whose answers are small).
    public static func capture(_ executable: String, _ arguments: [String]) throws(PipelineError) -> (status: Int32, stdout: String, stderr: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("xp-pipeline-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))")
        do { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) } catch {
            throw .cannotWrite(path: scratch.path, reason: error.localizedDescription)
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let o = scratch.appendingPathComponent("out"), e = scratch.appendingPathComponent("err")
        let status = try run(executable: executable, arguments: arguments, stdout: o, stderr: e)
        return (status, String(decoding: FileManager.default.contents(atPath: o.path) ?? Data(), as: UTF8.self),
                String(decoding: FileManager.default.contents(atPath: e.path) ?? Data(), as: UTF8.self))
    }

    /// The absolute path of `name` on `PATH`, or nil.
    public static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = String(dir) + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
