import Foundation

extension EpisodeQualityReport {
    /// Checks the episode at `path` (a folder or `annotation.hdf5`): structure, values, clocks,
    /// captions and media. Reads every dataset once (depth a block of frames at a time) and
    /// probes the MP4 containers; with `options.decode` it decodes every video frame too.
    /// Never throws: a file that cannot be opened is an `unreadable_file` finding.
    public static func check(path: String, options: QualityOptions = QualityOptions()) -> EpisodeQualityReport {
        let started = Date()
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        let folder = exists && isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let annotation = exists && isDirectory.boolValue ? (path as NSString).appendingPathComponent("annotation.hdf5") : path
        let episode: Episode
        do {
            episode = try Episode(path: path)
        } catch {
            var report = EpisodeQualityReport(episode: folder, annotation: annotation)
            report.findings = [QualityFinding(.unreadableFile, .error, file: annotation, expected: "an HDF5 annotation file",
                                              found: error.description, action: "Download the episode again; nothing in it can be checked or used.")]
            report.seconds = Date().timeIntervalSince(started)
            return report
        }
        var report = episode.qualityReport(options: options)
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}

extension Episode {
    /// The quality report of this open episode (see ``EpisodeQualityReport/check(path:options:)``).
    public func qualityReport(options: QualityOptions = QualityOptions()) -> EpisodeQualityReport {
        let started = Date()
        let pass = QualityPass(episode: self, options: options)
        pass.run()
        return EpisodeQualityReport(episode: directory.path, annotation: annotationPath, frames: pass.frames, findings: pass.findings,
                                    clockOffsets: pass.clockOffsets, checked: pass.checked, seconds: Date().timeIntervalSince(started))
    }
}

/// One run of the quality checks over an open episode. The checks live in extensions by
/// concept (structure, values, time, captions, media); each appends findings here.
final class QualityPass {
    let episode: Episode
    let options: QualityOptions
    var findings: [QualityFinding] = []
    var clockOffsets: [ClockOffset] = []
    var checked: [String] = []
    /// N from the frame timeline, once known.
    var frames: Int?
    /// Every dataset of the file with its info (from the structural walk).
    var datasets: [String: HDF5DatasetInfo] = [:]
    /// Datasets whose shape is wrong: their values are not scanned (the shape finding says it).
    var malformed: Set<String> = []
    /// The frame timeline's device timestamps (ns), when readable and numeric.
    var frameTimestamps: [Int64]?
    /// Rows of the frame clock that are usable for clock comparisons.
    var names: [String] = []

    var file: String { episode.annotationPath }

    init(episode: Episode, options: QualityOptions) {
        self.episode = episode
        self.options = options
    }

    func run() {
        checkStructure()
        checkTimeline()
        checkValues()
        checkIMU()
        checkCalibration()
        checkCaptions()
        checkMedia()
    }

    func add(_ check: QualityCheck, _ severity: QualitySeverity, dataset: String? = nil, modality: Modality?, file: String? = nil,
             rows: [Int]? = nil, rowsAffected: Int? = nil, totalRows: Int? = nil, unit: String = "rows",
             expected: String, found: String, action: String) {
        findings.append(QualityFinding(check, severity, file: file ?? self.file, dataset: dataset, modality: modality, rows: rows,
                                       rowsAffected: rowsAffected, totalRows: totalRows, expected: expected, found: found, action: action, unit: unit))
    }

    /// The schema's modality of a dataset path.
    func modality(of dataset: String) -> Modality? {
        EpisodeSchema.entries.first { $0.path == dataset }?.modality
    }

    /// A dataset that is present, numeric and well-formed, ready to scan.
    func scannable(_ dataset: String) -> HDF5DatasetInfo? {
        guard let info = datasets[dataset], !malformed.contains(dataset), info.type.isNumeric, !info.shape.isEmpty else { return nil }
        return info
    }
}
