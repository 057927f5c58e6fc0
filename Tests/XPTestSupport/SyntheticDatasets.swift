import EpisodeIO
import Foundation

/// Small multi-episode datasets for the exporter tests, written once per test process into a
/// temporary folder (`<session>/ep<k>/`, the release layout, as `xp-fixture --dataset` writes).
public enum SyntheticDatasets {
    /// Tests run in parallel: one writer at a time, so two tests asking for the same dataset
    /// get one copy, written once.
    private static let lock = NSLock()

    /// A dataset of `count` tiny episodes of `frames` frames (sessions of up to 3 episodes).
    public static func make(count: Int, frames: Int = 300, seed: UInt64 = 11, label: String) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xp-dataset-\(label)-\(ProcessInfo.processInfo.processIdentifier)")
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(".complete").path) { return root }
        try? FileManager.default.removeItem(at: root)
        try SyntheticDataset.writeTiny(count: count, frames: frames, seed: seed, to: root)
        _ = FileManager.default.createFile(atPath: root.appendingPathComponent(".complete").path, contents: Data())
        return root
    }

    /// Every regular file below `root` (relative paths, sorted) with its bytes: for comparing
    /// two output folders byte for byte.
    public static func files(_ root: URL, excluding: Set<String> = []) -> [(String, Data)] {
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var out: [(String, Data)] = []
        let base = root.standardizedFileURL.path + "/"
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let rel = String(url.standardizedFileURL.path.dropFirst(base.count))
            if excluding.contains(rel) || excluding.contains(url.lastPathComponent) { continue }
            out.append((rel, fm.contents(atPath: url.path) ?? Data()))
        }
        return out.sorted { $0.0 < $1.0 }
    }
}
