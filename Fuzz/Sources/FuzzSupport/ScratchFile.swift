import Foundation

/// A file that a target rewrites with each input, in a folder of its own (so that nothing else
/// sits beside it: the episode reader looks for MP4s and caption files in the same folder).
public final class ScratchFile: @unchecked Sendable {
    public let folder: String
    public let path: String

    /// Creates `<TMPDIR>/xp-fuzz-<pid>-<uuid>/<name>`. The folder is removed at exit.
    public init(name: String) {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        folder = base + "/xp-fuzz-\(getpid())-\(UUID().uuidString)"
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            fatalError("cannot create the scratch folder \(folder): \(error)")
        }
        path = folder + "/" + name
        ScratchFile.created.append(folder)
        if ScratchFile.created.count == 1 { atexit { ScratchFile.removeAll() } }
    }

    /// Replaces the file's contents with `bytes` (plain POSIX calls: this runs per input).
    public func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fatalError("cannot write \(path)") }
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let n = Foundation.write(fd, base + offset, bytes.count - offset)
            guard n > 0 else { fatalError("short write to \(path)") }
            offset += n
        }
        close(fd)
    }

    nonisolated(unsafe) static var created: [String] = []
    static func removeAll() {
        for folder in created { try? FileManager.default.removeItem(atPath: folder) }
    }
}
