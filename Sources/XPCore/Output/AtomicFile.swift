import Foundation

/// A file that appears whole or not at all: written to a temporary name in the destination's
/// folder, flushed to disk with `fsync`, then moved over the destination with `rename(2)`,
/// which replaces an existing file atomically on POSIX file systems. A reader never sees a
/// half-written file, and a crash leaves the old file or the new one (plus, at worst, a
/// hidden `.NAME.partial-…` file), never a mix. (`FileManager.replaceItemAt` fails on Linux
/// when the destination exists, and `Data.write(options: .atomic)` does not `fsync`.)
///
/// ```swift
/// try AtomicFile.write(Data("{}".utf8), to: URL(fileURLWithPath: "out/metrics.json"))
/// ```
public enum AtomicFile {
    /// Writes `data` to `url` atomically. The folder must exist.
    public static func write(_ data: Data, to url: URL) throws(OutputError) {
        let temporary = temporarySibling(of: url)
        do {
            try writeAndSync(data, to: temporary, destination: url)
        } catch {
            unlink(temporary.path)
            throw error
        }
        try commit(temporary, to: url)
    }

    /// A fresh hidden name in `url`'s folder for staging it: `.NAME.partial-PID-RANDOM`. Being
    /// in the same folder (so on the same file system) is what makes the final rename atomic.
    public static func temporarySibling(of url: URL) -> URL {
        let unique = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)-\(unique)")
    }

    /// Moves a finished temporary file (written by a library that needs a path, such as HDF5
    /// or an encoder) over `url`: `fsync` the file, `rename(2)`, `fsync` the folder. On failure
    /// the temporary file is removed and `url` is unchanged.
    public static func commit(_ temporary: URL, to url: URL) throws(OutputError) {
        do {
            try sync(path: temporary.path, destination: url)
        } catch {
            unlink(temporary.path)
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = systemReason()
            unlink(temporary.path)
            throw OutputError(path: url.path, reason: "cannot rename the finished file into place: \(reason)")
        }
        syncFolder(of: url)
    }

    // MARK: POSIX helpers

    static func writeAndSync(_ data: Data, to temporary: URL, destination: URL) throws(OutputError) {
        // 0666 less the umask, as `Data.write` creates files.
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o666)
        guard fd >= 0 else {
            throw OutputError(path: destination.path, reason: "cannot create a temporary file in its folder: \(systemReason())")
        }
        defer { close(fd) }
        var failure: String?
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard var pointer = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = Foundation.write(fd, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = systemReason()
                    return
                }
                remaining -= written
                pointer += written
            }
        }
        if let failure { throw OutputError(path: destination.path, reason: "cannot write: \(failure)") }
        guard fsync(fd) == 0 else { throw OutputError(path: destination.path, reason: "cannot flush to disk: \(systemReason())") }
    }

    static func sync(path: String, destination: URL) throws(OutputError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw OutputError(path: destination.path, reason: "cannot open the finished file: \(systemReason())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw OutputError(path: destination.path, reason: "cannot flush to disk: \(systemReason())") }
    }

    /// Makes a rename in `url`'s folder durable. Best effort: some file systems refuse to
    /// `fsync` a directory, and the rename itself has already happened.
    static func syncFolder(of url: URL) { syncDirectory(url.deletingLastPathComponent().path) }

    /// `fsync` of a directory, best effort.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    static func systemReason() -> String { String(cString: strerror(errno)) }
}
