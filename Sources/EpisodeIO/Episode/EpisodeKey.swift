import Foundation

/// The one identity of an episode across every multi-episode output: `<session>__<epN>`, the
/// episode folder's parent name, two underscores, and the folder's own name (the reference's
/// `episode_key`). Two episodes of different sessions share `epN`; they never share a key.
///
/// ```swift
/// let key = EpisodeKey(folder: URL(fileURLWithPath: "data/1e13…/ep3"))
/// key.text      // "1e13…__ep3"
/// key.session   // "1e13…"
/// ```
public struct EpisodeKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The session (the parent folder's name; "" for a folder at the file-system root).
    public var session: String
    /// The episode folder's name (`epN` in the release).
    public var episode: String

    public init(session: String, episode: String) {
        self.session = session
        self.episode = episode
    }

    /// The key of an episode folder (or of its `annotation.hdf5`).
    public init(folder: URL) {
        var url = folder.standardizedFileURL
        if url.lastPathComponent == "annotation.hdf5" { url.deleteLastPathComponent() }
        episode = url.lastPathComponent
        let parent = url.deletingLastPathComponent().lastPathComponent
        session = parent == "/" ? "" : parent
    }

    /// Parses `<session>__<episode>`; nil unless both parts are non-empty. The split is at
    /// the last `__`, so a session name may itself hold `__`.
    public init?(parsing text: String) {
        guard let r = text.range(of: "__", options: .backwards) else { return nil }
        let s = String(text[..<r.lowerBound]), e = String(text[r.upperBound...])
        guard !s.isEmpty, !e.isEmpty else { return nil }
        session = s
        episode = e
    }

    /// `<session>__<episode>`, or the episode alone when there is no session.
    public var text: String { session.isEmpty ? episode : "\(session)__\(episode)" }
    public var description: String { text }

    /// The relative path `<session>/<episode>` below a dataset root.
    public var relativePath: String { session.isEmpty ? episode : "\(session)/\(episode)" }

    /// The number in `epN`, or nil when the folder is not named that way.
    public var episodeNumber: Int? {
        guard episode.hasPrefix("ep"), episode.count > 2 else { return nil }
        let digits = episode.dropFirst(2)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// Orders by code point of the key text, like Python's `sorted` on strings.
    public static func < (a: EpisodeKey, b: EpisodeKey) -> Bool {
        a.text.utf8.lexicographicallyPrecedes(b.text.utf8)
    }
}

extension Episode {
    /// This episode's ``EpisodeKey``.
    public var key: EpisodeKey { EpisodeKey(folder: directory) }
}
