import EpisodeIO
import Foundation
import XPCore

// The split of every usable episode, for datasets where the §5.1 size filters make no sense
// (a handful of generated episodes, several per session): whole sessions go to one split, in
// sha256("{seed}:{session}") order, in proportion to 96/16/16. And the `split.json` file that
// records any split (this one or the pilot's) and is read back verbatim.

/// The split names, in their order.
public enum SplitNames {
    public static let all = ["train", "val", "test"]
}

/// One episode's split.
public struct EpisodeSplitEntry: Sendable, Hashable {
    public var key: EpisodeKey
    /// The session the leakage checks group by (the top-level session).
    public var session: String
    /// `train`, `val` or `test`.
    public var split: String

    public init(key: EpisodeKey, session: String, split: String) {
        self.key = key
        self.session = session
        self.split = split
    }
}

/// A split of episodes into train, val and test: built here (``grouped(_:seed:valFraction:testFraction:)``),
/// taken from the pilot selection (``PilotSelection/assignment``), or read from `split.json`.
///
/// ```swift
/// let split = EpisodeSplitAssignment.grouped(catalogue.episodes, seed: 7)
/// split.split(of: EpisodeKey(session: "s1", episode: "ep2"))   // "train"
/// try split.write(to: out.appendingPathComponent("split.json"))
/// ```
public struct EpisodeSplitAssignment: Sendable, Equatable {
    /// `split.json`'s format version.
    public static let version = 1
    public static let groupedMethod = "session_grouped_sha256"

    public var method: String
    public var seed: Int
    /// In file order (grouped: split order, then key order).
    public var entries: [EpisodeSplitEntry]
    let index: [EpisodeKey: Int]

    /// An assignment as given; duplicate keys are kept (the leakage audit reports them) and
    /// ``split(of:)`` answers with the first.
    public init(method: String, seed: Int, entries: [EpisodeSplitEntry]) {
        self.method = method
        self.seed = seed
        self.entries = entries
        var index: [EpisodeKey: Int] = [:]
        for (i, e) in entries.enumerated() where index[e.key] == nil { index[e.key] = i }
        self.index = index
    }

    public static func == (a: EpisodeSplitAssignment, b: EpisodeSplitAssignment) -> Bool {
        a.method == b.method && a.seed == b.seed && a.entries == b.entries
    }

    /// The episode's split, nil when it has none.
    public func split(of key: EpisodeKey) -> String? { index[key].map { entries[$0].split } }

    /// Episodes per split, for the three names.
    public var counts: [String: Int] {
        var c = Dictionary(uniqueKeysWithValues: SplitNames.all.map { ($0, 0) })
        for e in entries { c[e.split, default: 0] += 1 }
        return c
    }

    /// The keys of one split, in code-point order.
    public func keys(in split: String) -> [EpisodeKey] { entries.filter { $0.split == split }.map(\.key).sorted() }

    /// Sessions of one split.
    public func sessions(in split: String) -> Set<String> { Set(entries.filter { $0.split == split }.map(\.session)) }

    // MARK: The grouped split

    /// Splits every episode of `episodes` by session: sessions in `sha256("{seed}:{session}")`
    /// order (code-point order of the hex), val filled first until it holds
    /// `round(n·valFraction)` episodes, then test until `round(n·testFraction)`, the rest to
    /// train (n = episodes, half to even). With 3 sessions or more, val and test get at least
    /// one session each and train keeps at least one. A session is never in two splits.
    public static func grouped(_ episodes: [CatalogueEpisode], seed: Int = 7, valFraction: Double = 0.125, testFraction: Double = 0.125) -> EpisodeSplitAssignment {
        grouped(episodes.map { ($0.key, $0.session) }, seed: seed, valFraction: valFraction, testFraction: testFraction)
    }

    /// ``grouped(_:seed:valFraction:testFraction:)`` for (key, session) pairs; a repeated key
    /// is taken once.
    public static func grouped(_ episodes: [(key: EpisodeKey, session: String)], seed: Int = 7, valFraction: Double = 0.125, testFraction: Double = 0.125) -> EpisodeSplitAssignment {
        var seen = Set<EpisodeKey>()
        var bySession: [String: [EpisodeKey]] = [:]
        for e in episodes where seen.insert(e.key).inserted { bySession[e.session, default: []].append(e.key) }
        let sessions = bySession.keys.map { ($0, PythonNumbers.stableHash(seed: seed, $0)) }
            .sorted { $0.1 != $1.1 ? PythonNumbers.codePointLess($0.1, $1.1) : PythonNumbers.codePointLess($0.0, $1.0) }
            .map(\.0)
        let n = seen.count
        var valTarget = PythonNumbers.roundHalfEven(Double(n) * valFraction)
        var testTarget = PythonNumbers.roundHalfEven(Double(n) * testFraction)
        if sessions.count >= 3 {
            valTarget = max(valTarget, 1)
            testTarget = max(testTarget, 1)
        }
        var splitOf: [String: String] = [:]
        var valCount = 0, testCount = 0
        for (i, session) in sessions.enumerated() {
            let size = bySession[session]!.count
            // Sessions still unassigned after this one: train keeps at least one, and with 3+
            // sessions val leaves one for test.
            let after = sessions.count - i - 1
            let testStillEmpty = sessions.count >= 3 && testCount == 0 ? 1 : 0
            if valCount < valTarget && after >= 1 + testStillEmpty {
                splitOf[session] = "val"
                valCount += size
            } else if testCount < testTarget && after >= 1 {
                splitOf[session] = "test"
                testCount += size
            } else {
                splitOf[session] = "train"
            }
        }
        let entries = SplitNames.all.flatMap { split in
            sessions.filter { splitOf[$0] == split }
                .flatMap { session in bySession[session]!.map { EpisodeSplitEntry(key: $0, session: session, split: split) } }
                .sorted { $0.key < $1.key }
        }
        return EpisodeSplitAssignment(method: groupedMethod, seed: seed, entries: entries)
    }

    // MARK: split.json

    /// `{"version": 1, "method": …, "seed": …, "episodes": [{"episode_key", "session", "split"}]}`.
    public var json: JSONValue {
        .object([
            ("version", .int(Self.version)),
            ("method", .string(method)),
            ("seed", .int(seed)),
            ("episodes", .array(entries.map { .object([("episode_key", .string($0.key.text)), ("session", .string($0.session)), ("split", .string($0.split))]) })),
        ])
    }

    /// Writes `split.json` atomically (`json.dumps(indent=2)` and a newline).
    public func write(to url: URL) throws(OutputError) {
        try AtomicFile.write(Data((json.pythonJSON(indent: 2) + "\n").utf8), to: url)
    }

    /// Reads a `split.json`, validated: version 1, each entry an object with an `episode_key`
    /// of the form `<session>__<episode>` and a `split` of train, val or test, no key twice,
    /// and, when `dataset` is given, every key one of its episodes. `session` defaults to the
    /// key's session. `method` and `seed` are optional.
    public static func read(_ url: URL, dataset: Set<EpisodeKey>? = nil) throws(SelectionError) -> EpisodeSplitAssignment {
        try parse(try Catalogue.readText(url), file: url.path, dataset: dataset)
    }

    /// ``read(_:dataset:)`` on the file's text.
    public static func parse(_ text: String, file: String, dataset: Set<EpisodeKey>? = nil) throws(SelectionError) -> EpisodeSplitAssignment {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { throw .badSplitFile(file: file, reason: "not JSON: \(error)") }
        guard value.objectValue != nil else { throw .badSplitFile(file: file, reason: "a split file is an object, found \(value.typeName)") }
        if let version = value["version"] {
            guard version == .int(Self.version) else { throw .badSplitFile(file: file, reason: "version \(version.pythonJSON()) is not supported (only 1)") }
        }
        guard let list = value["episodes"]?.arrayValue else { throw .badSplitFile(file: file, reason: "no \"episodes\" array") }
        var entries: [EpisodeSplitEntry] = []
        var seen = Set<EpisodeKey>()
        for (i, item) in list.enumerated() {
            guard let keyText = item["episode_key"]?.stringValue else {
                throw .badSplitFile(file: file, reason: "episodes[\(i)] has no \"episode_key\" string")
            }
            guard let key = EpisodeKey(parsing: keyText) else {
                throw .badSplitFile(file: file, reason: "episodes[\(i)]: \"\(keyText)\" is not an episode key <session>__<episode>")
            }
            guard let split = item["split"]?.stringValue else { throw .badSplitFile(file: file, reason: "episodes[\(i)] (\(keyText)) has no \"split\" string") }
            guard SplitNames.all.contains(split) else { throw .unknownSplitName(file: file, key: keyText, split: split) }
            guard seen.insert(key).inserted else { throw .duplicateKey(file: file, key: keyText) }
            if let dataset, !dataset.contains(key) { throw .unknownEpisode(file: file, key: keyText) }
            let session = item["session"]?.stringValue ?? key.session
            entries.append(EpisodeSplitEntry(key: key, session: session.isEmpty ? key.session : session, split: split))
        }
        let method = value["method"]?.stringValue ?? "supplied"
        let seed: Int
        if case .int(let s)? = value["seed"] { seed = Int(s) } else { seed = 0 }
        return EpisodeSplitAssignment(method: method, seed: seed, entries: entries)
    }
}
