import Foundation

extension EpisodeQualityReport {
    /// Checks the episode at `path` (a folder or `annotation.hdf5`). Never throws: a file that
    /// cannot be opened is an `unreadable_file` finding.
    public static func check(path: String, options: QualityOptions = QualityOptions()) -> EpisodeQualityReport {
        // Placeholder while the pass is written (issue 12); replaced in the same change.
        EpisodeQualityReport(episode: path, annotation: path)
    }
}
