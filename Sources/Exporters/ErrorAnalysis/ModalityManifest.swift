import Metrics
import XPCore

/// The episode records the error analysis reads from an `episode_manifest.json`: per episode,
/// which files exist and which HDF5 modalities are present (§1.3 "Modality state").
///
/// Two formats are read, both with `episodes[]` whose `files` is a list of `{name, bytes,
/// exists}` records and `hdf5_modalities` a name → bool map:
/// - the reference's selection manifest, keyed by `episode_id` (`<session>__<epN>`, the ids of
///   the prediction rows);
/// - ours (`xp-scan`, ``EpisodeManifestEntry``), whose `episode_id` is the folder name (`ep1`)
///   and whose `episode_key` is the session-qualified id: `episode_key` is used when present.
///
/// The reference turns `files` into `{name: bool(exists)}` (a repeated name keeps its last
/// record), so a required video is missing when its record is absent or its `exists` is falsy,
/// and the RRD is "missing" only when its record is present with a falsy `exists`.
public struct ModalityManifest: Sendable {
    public struct Episode: Sendable, Equatable {
        /// File name → `bool(exists)`, in record order, a repeated name keeping its last value.
        public var files: [(String, Bool)]
        /// HDF5 modality → `bool(value)`.
        public var hdf5: [(String, Bool)]
        /// False for a record that is `{}` (the reference's `if not episode`).
        public var nonEmpty: Bool

        public static func == (a: Episode, b: Episode) -> Bool {
            a.nonEmpty == b.nonEmpty && a.files.elementsEqual(b.files, by: ==) && a.hdf5.elementsEqual(b.hdf5, by: ==)
        }

        public init(files: [(String, Bool)], hdf5: [(String, Bool)], nonEmpty: Bool = true) {
            self.files = files
            self.hdf5 = hdf5
            self.nonEmpty = nonEmpty
        }

        /// `files.get(name)`: nil when no record names it.
        public func file(_ name: String) -> Bool? { files.last { codePointsEqual($0.0, name) }?.1 }
        public func modality(_ name: String) -> Bool? { hdf5.last { codePointsEqual($0.0, name) }?.1 }
    }

    /// Episode id → record; a repeated id keeps its last record (a dict comprehension's rule).
    var episodes: [CodePoints: Episode]
    /// Records the reader could not use, as sentences (a `files` item that is not an object…).
    public var notes: [String]

    public init(episodes: [String: Episode] = [:]) {
        self.episodes = Dictionary(episodes.map { (CodePoints($0.key), $0.value) }, uniquingKeysWith: { _, b in b })
        self.notes = []
    }

    public func episode(_ id: String) -> Episode? { episodes[CodePoints(id)] }
    public var count: Int { episodes.count }

    /// Reads the parsed manifest. Throws when it has no `episodes` list.
    public init(json: JSONValue, file: String) throws(ErrorAnalysisError) {
        guard json.isObject else { throw .badInput(file: file, line: nil, detail: "an episode manifest must be a JSON object, found \(json.typeName)") }
        guard let list = json.pythonGet("episodes") else {
            throw .badInput(file: file, line: nil, detail: "no \"episodes\" list (is this an episode_manifest.json?)")
        }
        guard case .array(let records) = list else { throw .badInput(file: file, line: nil, detail: "\"episodes\" must be a list, found \(list.typeName)") }
        var episodes: [CodePoints: Episode] = [:]
        var notes: [String] = []
        for (i, record) in records.enumerated() {
            guard record.isObject else {
                notes.append("episodes[\(i)] is \(record.typeName), not an object; ignored")
                continue
            }
            // Ours carries episode_key (<session>__<epN>) beside a folder-name episode_id.
            let idValue = record.pythonGet("episode_key") ?? record.pythonGet("episode_id")
            guard let id = idValue?.stringValue else {
                notes.append("episodes[\(i)] has no string episode_key or episode_id; ignored")
                continue
            }
            var files: [(String, Bool)] = []
            if case .array(let items)? = record.pythonGet("files") {
                for item in items {
                    guard item.isObject else { notes.append("episodes[\(i)].files holds \(item.typeName), not an object; ignored"); continue }
                    let name = item.pythonGet("name")?.pythonString ?? "None"
                    let exists = item.pythonGet("exists")?.pythonTruthy ?? false
                    if let k = files.firstIndex(where: { codePointsEqual($0.0, name) }) { files[k].1 = exists } else { files.append((name, exists)) }
                }
            } else if let other = record.pythonGet("files"), other != .null {
                notes.append("episodes[\(i)].files is \(other.typeName), not a list; read as no files")
            }
            var hdf5: [(String, Bool)] = []
            if let h = record.pythonGet("hdf5_modalities"), case .object(let pairs) = h {
                for (k, v) in pairs {
                    if let j = hdf5.firstIndex(where: { codePointsEqual($0.0, k) }) { hdf5[j].1 = v.pythonTruthy } else { hdf5.append((k, v.pythonTruthy)) }
                }
            }
            episodes[CodePoints(id)] = Episode(files: files, hdf5: hdf5, nonEmpty: record.pythonTruthy)
        }
        self.episodes = episodes
        self.notes = notes
    }
}

/// The modality rule (§1.3).
enum ModalityRule {
    static let requiredVideos = ["fisheye_cam0.mp4", "fisheye_cam1.mp4", "fisheye_cam2.mp4", "fisheye_cam3.mp4", "stereo_left.mp4", "stereo_right.mp4"]
    /// Sorted, as the reference iterates `sorted(REQUIRED_HDF5_MODALITIES)`.
    static let requiredHDF5 = ["body_mocap", "calibration", "caption", "contacts", "depth", "depth_confidence", "hand_mocap", "imu", "slam_point_cloud", "slam_pose"]
    static let rrd = "visualization.rrd"
    /// Optional modalities reported (strict) but never required.
    static let optional = ["visualization.rrd", "captions"]

    /// The reference's state and missing list.
    static func reference(_ episode: ModalityManifest.Episode?) -> (String, [String]) {
        guard let episode, episode.nonEmpty else { return ("episode_manifest_missing", ["episode_manifest_missing"]) }
        let missing = requiredMissing(episode)
        if !missing.isEmpty { return ("missing_required_modalities", missing) }
        if episode.file(rrd) == false { return ("rrd_missing_only_required_modalities_present", [rrd]) }
        return ("required_modalities_present", [])
    }

    /// Strict (§6 row 9): the RRD is optional, so it never decides the state.
    static func strict(_ episode: ModalityManifest.Episode?) -> (String, [String]) {
        guard let episode, episode.nonEmpty else { return ("episode_manifest_missing", ["episode_manifest_missing"]) }
        let missing = requiredMissing(episode)
        return missing.isEmpty ? ("required_modalities_present", []) : ("missing_required_modalities", missing)
    }

    static func requiredMissing(_ episode: ModalityManifest.Episode) -> [String] {
        requiredVideos.filter { episode.file($0) != true } + requiredHDF5.filter { episode.modality($0) != true }
    }
}
