import Foundation
import XPCore

/// The episodes of an `xp-scan` manifest (`episode_manifest.json`), read as plain JSON: the
/// pipeline needs each episode's key, folder, frame count, video streams and bytes, not its
/// labels or findings.
public enum EpisodeManifest {
    /// The manifest's episodes in its order, each checked for the fields the plan needs.
    public static func read(_ url: URL) throws(PipelineError) -> [PlanEpisode] {
        var file = url
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            file = url.appendingPathComponent("episode_manifest.json")
        }
        let text: String
        do { text = String(decoding: try Data(contentsOf: file), as: UTF8.self) } catch {
            throw .badInput(file: file.path, detail: "expected an episode manifest; run xp-scan ROOT --out SCAN first")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch {
            throw .badInput(file: file.path, detail: "expected JSON, found a parse error (\(error)); run xp-scan again")
        }
        guard let rows = json["episodes"]?.arrayValue else {
            throw .badInput(file: file.path, detail: "expected an \"episodes\" array (xp-scan's episode_manifest.json), found \(json["episodes"]?.typeName ?? "none")")
        }
        var episodes: [PlanEpisode] = []
        var keys: Set<String> = []
        for (i, row) in rows.enumerated() {
            guard let key = row["episode_key"]?.stringValue, !key.isEmpty, !key.contains("/") else {
                throw .badInput(file: file.path, detail: "episode \(i + 1): expected an episode_key without '/', found \(row["episode_key"]?.typeName ?? "none")")
            }
            guard let path = row["path"]?.stringValue, !path.isEmpty else {
                throw .badInput(file: file.path, detail: "episode \(i + 1) (\(key)): expected a \"path\", found none")
            }
            guard keys.insert(key).inserted else { throw .badInput(file: file.path, detail: "episode \(i + 1): key \(key) appears twice") }
            let frames = row["frame_count"]?.numberValue.map { $0.isFinite && $0 >= 0 && $0 < 1e9 ? Int($0) : 0 } ?? 0
            let streams = row["videos"]?.arrayValue?.filter { $0["exists"]?.boolValue == true }.count ?? 0
            let bytes = row["files"]?.arrayValue?.reduce(0) { sum, f in
                sum + (f["bytes"]?.numberValue.map { $0.isFinite && $0 >= 0 && $0 < 1e15 ? Int($0) : 0 } ?? 0)
            } ?? 0
            episodes.append(PlanEpisode(key: key, folder: URL(fileURLWithPath: path).standardizedFileURL.path, frames: frames, streams: streams, bytes: bytes))
        }
        guard !episodes.isEmpty else { throw .badInput(file: file.path, detail: "expected at least one episode, found none; check the dataset root given to xp-scan") }
        return episodes
    }
}
