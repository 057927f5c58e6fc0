import Foundation

/// A 64-bit FNV-1a digest, written as 16 hex digits: the key of a step's inputs.
///
/// The inputs of a full-corpus step are terabytes; hashing their bytes to decide whether a
/// task is done would cost as much as the step. The key is therefore built from what
/// identifies a file's content in practice on a cluster file system — its path relative to
/// the episode, its size and its modification time in nanoseconds — plus the resolved
/// command line and the tool's version. A rewritten or replaced file changes the key.
public struct ContentKey: Sendable, Equatable {
    private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// Mixes `bytes` into the key.
    public mutating func add<S: Sequence>(bytes: S) where S.Element == UInt8 {
        for b in bytes {
            state ^= UInt64(b)
            state &*= 0x0000_0100_0000_01b3
        }
    }

    /// Mixes a string and a separator (so `"ab","c"` and `"a","bc"` differ).
    public mutating func add(_ text: String) {
        add(bytes: text.utf8)
        add(bytes: [0])
    }

    /// The key as 16 lowercase hex digits.
    public var hex: String {
        let s = String(state, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The key of every regular file below `folder` (relative path, size, modification time),
    /// in code-point order of the relative paths. Hidden files are included; a missing folder
    /// gives the key of an empty listing plus the word "missing".
    public static func listing(of folder: URL) -> [String] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { return ["missing"] }
        if !isDirectory.boolValue { return [stamp(path: folder.path, name: folder.lastPathComponent)] }
        var rows: [String] = []
        let base = folder.standardizedFileURL.path
        guard let walker = fm.enumerator(atPath: base) else { return ["unreadable"] }
        while let relative = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            let path = base + "/" + relative
            guard fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            rows.append(stamp(path: path, name: relative))
        }
        return rows.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    /// `name size mtime-ns` of one file (`name ?` when it cannot be read).
    static func stamp(path: String, name: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "\(name) ?" }
        #if os(Linux)
        let time = info.st_mtim
        #else
        let time = info.st_mtimespec
        #endif
        let nanoseconds = Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        return "\(name) \(info.st_size) \(nanoseconds)"
    }
}
