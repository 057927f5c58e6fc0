import Foundation
import WindowAlign

/// One episode a run reads: its folder, optionally its `xp-features` output folder and its
/// session (episodes of one session never span two splits).
public struct EpisodeInput: Sendable, Equatable {
    public var episode: URL
    public var features: URL?
    public var session: String?

    public init(episode: URL, features: URL? = nil, session: String? = nil) {
        self.episode = episode
        self.features = features
        self.session = session
    }

    /// The inputs a command line names: each `--episode` with its `--features` (same order,
    /// optional), then the episodes of the `--episodes` list file, if any.
    public static func fromCommandLine(episodes: [String], features: [String], list: String?) throws -> [EpisodeInput] {
        var inputs = episodes.enumerated().map { i, e in
            EpisodeInput(episode: URL(fileURLWithPath: e), features: i < features.count ? URL(fileURLWithPath: features[i]) : nil)
        }
        if let list { inputs += try EpisodeInput.list(file: list) }
        return inputs
    }

    /// Reads an episode list: one episode folder per line, optionally followed by a tab or
    /// comma and its session id, and optionally a third field, its `xp-features` folder.
    /// Blank lines and lines starting with `#` are skipped; relative paths are relative to
    /// the working directory.
    /// - Throws: `SuiteError.unreadable` naming the file (and the line, for a bad one).
    public static func list(file path: String) throws -> [EpisodeInput] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw SuiteError.unreadable(file: path, detail: "\(error)") }
        var inputs: [EpisodeInput] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false).count > 1
                ? trimmed.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                : trimmed.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count <= 3, !fields[0].isEmpty else {
                throw SuiteError.unreadable(file: path, detail: "line \(number + 1): expected 'episode[,session[,features]]', found '\(trimmed)'")
            }
            inputs.append(EpisodeInput(episode: URL(fileURLWithPath: fields[0]),
                                       features: fields.count > 2 && !fields[2].isEmpty ? URL(fileURLWithPath: fields[2]) : nil,
                                       session: fields.count > 1 && !fields[1].isEmpty ? fields[1] : nil))
        }
        guard !inputs.isEmpty else { throw SuiteError.unreadable(file: path, detail: "lists no episode") }
        return inputs
    }

    /// Loads `inputs` for `suiteProtocol`: features from each input's folder when given, else
    /// built from the episode (per-frame caches under `cache`/frame-caches), or only the
    /// sensor blocks with `sensorsOnly`. With several episodes, each is named by its
    /// `<session>__<epN>` key; without a session given, the parent folder names the session.
    /// `captionRules` (nil = the protocol's default) label the windows and fill the text block.
    public static func load(_ inputs: [EpisodeInput], protocol suiteProtocol: SuiteProtocol, cache: URL, sensorsOnly: Bool = false,
                            captionRules: CaptionRuleSet? = nil,
                            progress: @escaping @Sendable (String) -> Void) throws -> [SuiteEpisode] {
        let featureProtocol = suiteProtocol.featureProtocol
        let frameCaches = cache.appendingPathComponent("frame-caches")
        var loaded: [SuiteEpisode] = []
        for (i, input) in inputs.enumerated() {
            if inputs.count > 1 || input.features == nil {
                progress("loading episode \(i + 1)/\(inputs.count): \(input.episode.path)\(input.features == nil ? " (building \(suiteProtocol.rawValue) features)" : "")")
            }
            var source = EpisodeLoader.FeatureSource.episodeFeatures(featureProtocol, cache: frameCaches)
            if sensorsOnly { source = .sensorsOnly }
            if let f = input.features { source = .folder(f) }
            var e = try EpisodeLoader.load(folder: input.episode, source: source, suiteProtocol: suiteProtocol, session: input.session,
                                           captionRules: captionRules, progress: progress)
            if inputs.count > 1 {
                // One identity everywhere: <session>__<epN> (EpisodeKey), so two sessions' ep1
                // never read alike in the summary or the leakage audit.
                let key = EpisodeIdentity(folder: input.episode)
                if input.session == nil { e.session = key.session }
                e.name = EpisodeIdentity(session: input.session ?? key.session, episode: key.episode).text
            }
            loaded.append(e)
        }
        return loaded
    }
}

extension SplitPolicy {
    /// The split a run uses by default: chronological within one episode; with several,
    /// held-out episodes grouped by session, assigned with `seed`.
    public static func standard(for episodes: [SuiteEpisode], seed: UInt64) throws -> SplitPolicy {
        episodes.count > 1 ? .heldOutEpisodes(try EpisodeAssignment.bySession(sessions: episodes.map(\.session), seed: seed)) : .chronological
    }
}
