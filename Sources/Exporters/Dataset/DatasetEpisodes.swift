import EpisodeIO
import Foundation

/// The files an episode of the release holds beside each other.
public enum EpisodeFiles {
    /// The annotation file.
    public static let annotation = "annotation.hdf5"
    /// The six MP4s in the reference's fixed order (`VIDEO_NAMES`).
    public static let videos = episodeVideoStreamNames.map { $0 + ".mp4" }
    /// The annotation and the six MP4s: a complete episode (`REQUIRED_FILES`, the order of
    /// the selection's `download_files`).
    public static let required = [annotation] + videos
    /// The visualisation recording, never needed for training (`EXCLUDED_TRAINING_FILES`).
    public static let visualization = "visualization.rrd"
    /// Every file the manifest lists, in its order.
    public static let all = [annotation] + videos + [visualization]
}

/// The episode folders below a dataset root.
///
/// A dataset root is the release's layout `<session>/ep<k>/` (what `xp-fixture --dataset K`
/// writes), or a single episode folder. A folder counts as an episode when it holds
/// `annotation.hdf5` **or any of the six MP4s**, so that an episode whose annotation is missing
/// is listed (and skipped with that reason) rather than silently ignored.
public enum DatasetEpisodes {
    /// Folders deeper than this below the root are not searched (the release has two levels).
    public static let maxDepth = 4

    /// Episode folders below `root`, sorted by ``EpisodeKey`` (code-point order).
    /// Throws ``ExportError/noEpisodes(root:detail:)`` when the root is missing or holds none.
    public static func find(root: URL) throws(ExportError) -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw .noEpisodes(root: root.path, detail: "the folder does not exist")
        }
        guard isDirectory.boolValue else {
            throw .noEpisodes(root: root.path, detail: "not a folder; give the dataset root (<session>/ep<k>/ below it)")
        }
        var found: [URL] = []
        search(root.standardizedFileURL, depth: 0, into: &found)
        guard !found.isEmpty else {
            throw .noEpisodes(root: root.path, detail: "no folder below it holds annotation.hdf5 or an episode MP4 (searched \(maxDepth) levels)")
        }
        return found.sorted { EpisodeKey(folder: $0) < EpisodeKey(folder: $1) }
    }

    private static func search(_ folder: URL, depth: Int, into found: inout [URL]) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { return }
        if names.contains(where: { EpisodeFiles.required.contains($0) }) {
            found.append(folder)
            return
        }
        guard depth < maxDepth else { return }
        for name in names.sorted() where !name.hasPrefix(".") {
            let child = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: child.path, isDirectory: &isDirectory), isDirectory.boolValue {
                search(child, depth: depth + 1, into: &found)
            }
        }
    }
}
