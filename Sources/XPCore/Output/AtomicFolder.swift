import Foundation

/// A folder of outputs committed as a whole: every file is written into a hidden staging
/// folder beside the destination, which is renamed into place only when all of them are
/// written. A failure at any file leaves neither a partial destination nor the staging
/// folder; an existing destination is replaced only after the new folder is complete.
///
/// ```swift
/// try AtomicFolder.write(to: URL(fileURLWithPath: "features/ep1")) { staging in
///     try Data(npy).write(to: staging.appendingPathComponent("features.npy"))
///     try Data(manifest.utf8).write(to: staging.appendingPathComponent("feature_manifest.json"))
/// }
/// ```
public enum AtomicFolder {
    /// Creates `url`'s parent folders if needed, runs `body` on an empty staging folder, then
    /// flushes every file in it to disk and renames it to `url`. An existing `url` (folder or
    /// file) is first renamed aside and removed once the new folder is in place; if that final
    /// rename fails, the old one is put back.
    ///
    /// - Throws: what `body` throws, unchanged; ``OutputError`` naming `url` when the staging
    ///   folder cannot be made or the result cannot be put in place.
    public static func write(to url: URL, _ body: (_ staging: URL) throws -> Void) throws {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: url.path, reason: "cannot create the parent folder: \(error.localizedDescription)")
        }
        let staging = AtomicFile.temporarySibling(of: url)
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw OutputError(path: url.path, reason: "cannot create a staging folder beside it: \(error.localizedDescription)")
        }
        do {
            try body(staging)
            try syncTree(staging, destination: url)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
        try commit(staging, to: url)
    }

    /// Renames a complete staging folder over `url`, keeping the old destination until the new
    /// one is in place. On failure the staging folder is removed.
    static func commit(_ staging: URL, to url: URL) throws(OutputError) {
        let fm = FileManager.default
        var aside: URL?
        if fm.fileExists(atPath: url.path) || (try? fm.destinationOfSymbolicLink(atPath: url.path)) != nil {
            let old = AtomicFile.temporarySibling(of: url)
            guard rename(url.path, old.path) == 0 else {
                let reason = AtomicFile.systemReason()
                try? fm.removeItem(at: staging)
                throw OutputError(path: url.path, reason: "cannot move the existing output aside to replace it: \(reason)")
            }
            aside = old
        }
        guard rename(staging.path, url.path) == 0 else {
            let reason = AtomicFile.systemReason()
            if let aside { _ = rename(aside.path, url.path) }
            try? fm.removeItem(at: staging)
            throw OutputError(path: url.path, reason: "cannot rename the finished folder into place: \(reason)")
        }
        AtomicFile.syncFolder(of: url)
        if let aside { try? fm.removeItem(at: aside) }
    }

    /// `fsync` every regular file under `folder`, and the folder itself.
    static func syncTree(_ folder: URL, destination: URL) throws(OutputError) {
        let fm = FileManager.default
        var paths: [String] = []
        if let walker = fm.enumerator(atPath: folder.path) {
            while let relative = walker.nextObject() as? String { paths.append(relative) }
        }
        for relative in paths {
            let path = folder.appendingPathComponent(relative).path
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            try AtomicFile.sync(path: path, destination: destination.appendingPathComponent(relative))
        }
        AtomicFile.syncDirectory(folder.path)
    }
}
