import Foundation

/// The six MP4 streams every episode folder holds, in the order tools list them.
public let episodeVideoStreamNames: [String] = [
    "fisheye_cam0", "fisheye_cam1", "fisheye_cam2", "fisheye_cam3", "stereo_left", "stereo_right",
]

/// One expected media file of an episode folder and what was found.
public struct EpisodeMediaEntry: Codable, Sendable, Equatable {
    /// Stream name, e.g. "fisheye_cam0".
    public var name: String
    /// File name, e.g. "fisheye_cam0.mp4".
    public var file: String
    /// "ok", "missing" or "error".
    public var status: String
    /// The probed facts when `status == "ok"`.
    public var info: MediaInfo?
    /// What went wrong when `status == "error"`.
    public var error: String?
}

/// Lists the six expected MP4 streams of an episode folder, each with its `MediaInfo`, or marked
/// "missing", or "error" with the reason. Never throws: a bad file is reported, not fatal.
///
/// ```swift
/// for entry in listEpisodeMedia(folder: episode) { print(entry.name, entry.status) }
/// ```
public func listEpisodeMedia(folder: URL) -> [EpisodeMediaEntry] {
    episodeVideoStreamNames.map { name in
        let file = name + ".mp4"
        let url = folder.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            return EpisodeMediaEntry(name: name, file: file, status: "missing", info: nil, error: nil)
        }
        do throws(MediaError) {
            let info = try MediaInfo.probe(url)
            return EpisodeMediaEntry(name: name, file: file, status: "ok", info: info, error: nil)
        } catch {
            return EpisodeMediaEntry(name: name, file: file, status: "error", info: nil, error: error.description)
        }
    }
}
