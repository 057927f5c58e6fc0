import EpisodeIO
import Foundation
import XPCore

// The 128-episode pilot selection and its split (spec §5.1, `select_xperience10m_pilot_episodes.py`):
// complete episodes, size filters at the bottom 5 %, four annotation-size bands, one episode per
// session, a deterministic score, and a per-band 75/12.5/12.5 split ordered by sha256.

/// The parameters of the pilot selection; the defaults are the published run's.
public struct SelectionOptions: Sendable, Equatable {
    /// Episodes to select (`--target-episodes`, 128).
    public var target = 128
    /// Seed of the tie-breaks (`"{seed}:{path}"`) and of the split order (`"{seed+101}:{path}"`).
    public var seed = 7
    /// The smallest annotation kept, before the percentile rule (`int(0.5·1024³)`).
    public var annotationFloorBytes = 536_870_912
    /// Episodes below this quantile of the complete set's annotation bytes are dropped (0.05).
    public var dropBottomAnnotationPercentile = 0.05
    /// Episodes below this quantile of the complete set's training bytes are dropped (0.05).
    public var dropBottomTrainingPercentile = 0.05
    public var trainFraction = 0.75
    public var valFraction = 0.125
    public var testFraction = 0.125
    /// One episode per top-level session (the reference always does; false keeps every
    /// episode of a session as a candidate and lets one session give several).
    public var onePerSession = true
    /// Windows per episode quoted in the summary (`--windows-per-episode`, 256).
    public var windowsPerEpisode = 256
    public var repoID = "ropedia-ai/xperience-10m"
    /// `generated_at_utc`; nil for the time of the run.
    public var generatedAt: Date?

    public init() {}

    func validate() throws(SelectionError) {
        guard target >= 1 else { throw .invalidOptions("the target must be at least 1, found \(target)") }
        for (name, f) in [("train", trainFraction), ("val", valFraction), ("test", testFraction)] {
            guard f.isFinite, (0...1).contains(f) else { throw .invalidOptions("the \(name) fraction must lie in [0, 1], found \(f)") }
        }
        let total = trainFraction + valFraction + testFraction
        guard abs(total - 1.0) <= 1e-6 else { throw .invalidOptions("split fractions must sum to 1.0, got \(total)") }
        for p in [dropBottomAnnotationPercentile, dropBottomTrainingPercentile] {
            guard p.isFinite, (0...1).contains(p) else { throw .invalidOptions("a drop-bottom percentile must lie in [0, 1], found \(p)") }
        }
        guard annotationFloorBytes >= 0 else { throw .invalidOptions("the annotation floor must not be negative") }
    }
}

/// The four annotation-size bands, in the order they are walked.
public enum SizeBand: String, CaseIterable, Sendable, Comparable {
    case short, lowerMid = "lower_mid", upperMid = "upper_mid", long

    public var index: Int { SizeBand.allCases.firstIndex(of: self)! }
    public static func < (a: SizeBand, b: SizeBand) -> Bool { a.index < b.index }

    /// `≤ q25` short, `≤ q50` lower_mid, `≤ q75` upper_mid, else long.
    public static func of(annotationBytes a: Int, q25: Int, q50: Int, q75: Int) -> SizeBand {
        a <= q25 ? .short : a <= q50 ? .lowerMid : a <= q75 ? .upperMid : .long
    }

    /// `target // 4` per band, the remainder to the first bands.
    public static func targets(_ target: Int) -> [SizeBand: Int] {
        let base = target / 4, remainder = target % 4
        return Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, base + ($0 < remainder ? 1 : 0)) })
    }
}

/// One selected episode.
public struct SelectedEpisode: Sendable, Hashable {
    public var episode: CatalogueEpisode
    public var band: SizeBand
    /// `round(size + 0.25·training + index + tie, 8)`.
    public var score: Double
    public var split: String
    /// 1-based, in (band, score, path) order.
    public var rank: Int
}

/// A size distribution as the reference's `summarize_sizes` reports it.
public struct SizeSummary: Sendable, Equatable {
    public var count: Int
    public var min = 0, p05 = 0, p25 = 0, p75 = 0, p95 = 0, max = 0
    public var median = 0.0, mean = 0.0

    public init(_ values: [Int]) {
        count = values.count
        guard !values.isEmpty else { return }
        let s = values.sorted()
        min = s[0]
        max = s[s.count - 1]
        p05 = PythonNumbers.quantile(sorted: s, 0.05)
        p25 = PythonNumbers.quantile(sorted: s, 0.25)
        p75 = PythonNumbers.quantile(sorted: s, 0.75)
        p95 = PythonNumbers.quantile(sorted: s, 0.95)
        median = PythonNumbers.median(sorted: s)
        mean = Double(s.reduce(0, +)) / Double(s.count)
    }

    public var json: JSONValue {
        guard count > 0 else { return .object([("count", .int(0))]) }
        let h = PythonNumbers.humanBytes(_:) as (Double) -> String
        return .object([
            ("count", .int(count)), ("min_bytes", .int(min)), ("p05_bytes", .int(p05)), ("p25_bytes", .int(p25)),
            ("median_bytes", .int(Int(median))), ("p75_bytes", .int(p75)), ("p95_bytes", .int(p95)), ("max_bytes", .int(max)),
            ("mean_bytes", .int(Int(mean))),
            ("min_human", .string(h(Double(min)))), ("p05_human", .string(h(Double(p05)))), ("p25_human", .string(h(Double(p25)))),
            ("median_human", .string(h(median))), ("p75_human", .string(h(Double(p75)))), ("p95_human", .string(h(Double(p95)))),
            ("max_human", .string(h(Double(max)))), ("mean_human", .string(h(mean))),
        ])
    }
}

/// The result of the §5.1 selection: the thresholds, the filter counts and the selected
/// episodes with their bands, scores, splits and ranks.
public struct PilotSelection: Sendable {
    public var options: SelectionOptions
    /// Episodes with all six videos (`available_complete_episodes`).
    public var completeCount: Int
    public var candidateCount: Int
    /// `rejected_counts` in the order the reasons first occur (`annotation_too_small`,
    /// `training_too_small`).
    public var rejectedCounts: [(reason: String, count: Int)]
    public var q25: Int, q50: Int, q75: Int
    public var minAnnotationBytes: Int
    public var minTrainingBytes: Int
    public var annotationSummary: SizeSummary
    public var trainingSummary: SizeSummary
    /// In rank order.
    public var selected: [SelectedEpisode]

    /// Runs the selection over `episodes` (catalogue order matters only for exact score ties
    /// within a session and band, where the first one wins, as in the reference).
    public static func run(_ episodes: [CatalogueEpisode], options: SelectionOptions = SelectionOptions()) throws(SelectionError) -> PilotSelection {
        try options.validate()
        let complete = episodes.filter(\.hasAllSixVideos)
        let annotationSizes = complete.map(\.annotationBytes).sorted()
        let trainingSizes = complete.map(\.trainingBytes).sorted()
        let q25 = PythonNumbers.quantile(sorted: annotationSizes, 0.25)
        let q50 = PythonNumbers.quantile(sorted: annotationSizes, 0.50)
        let q75 = PythonNumbers.quantile(sorted: annotationSizes, 0.75)
        let minAnnotation = Swift.max(options.annotationFloorBytes, PythonNumbers.quantile(sorted: annotationSizes, options.dropBottomAnnotationPercentile))
        let minTraining = PythonNumbers.quantile(sorted: trainingSizes, options.dropBottomTrainingPercentile)

        var rejected: [(reason: String, count: Int)] = []
        func reject(_ reason: String) {
            if let i = rejected.firstIndex(where: { $0.reason == reason }) { rejected[i].count += 1 } else { rejected.append((reason, 1)) }
        }
        var candidates: [(episode: CatalogueEpisode, band: SizeBand)] = []
        for e in complete {
            if e.annotationBytes < minAnnotation { reject("annotation_too_small"); continue }
            if e.trainingBytes < minTraining { reject("training_too_small"); continue }
            candidates.append((e, SizeBand.of(annotationBytes: e.annotationBytes, q25: q25, q50: q50, q75: q75)))
        }

        let picked = try select(candidates, options: options)
        // Order by (band, score, path), then split each band in sha256("{seed+101}:{path}") order.
        var ordered = picked.sorted { a, b in
            if a.band != b.band { return a.band < b.band }
            if a.score != b.score { return a.score < b.score }
            return PythonNumbers.codePointLess(a.episode.episodePath, b.episode.episodePath)
        }
        var splitOf: [String: String] = [:]
        for band in SizeBand.allCases {
            let members = ordered.filter { $0.band == band }
                .map { ($0.episode.episodePath, PythonNumbers.stableHash(seed: options.seed + 101, $0.episode.episodePath)) }
                .sorted { PythonNumbers.codePointLess($0.1, $1.1) }
            let n = members.count
            let valN = PythonNumbers.roundHalfEven(Double(n) * options.valFraction)
            let testN = PythonNumbers.roundHalfEven(Double(n) * options.testFraction)
            let trainN = n - valN - testN
            for (i, m) in members.enumerated() { splitOf[m.0] = i < trainN ? "train" : i < trainN + valN ? "val" : "test" }
        }
        for i in ordered.indices {
            ordered[i].split = splitOf[ordered[i].episode.episodePath]!
            ordered[i].rank = i + 1
        }
        return PilotSelection(options: options, completeCount: complete.count, candidateCount: candidates.count, rejectedCounts: rejected,
                              q25: q25, q50: q50, q75: q75, minAnnotationBytes: minAnnotation, minTrainingBytes: minTraining,
                              annotationSummary: SizeSummary(annotationSizes), trainingSummary: SizeSummary(trainingSizes), selected: ordered)
    }

    /// `select_balanced`: scores, the best episode per (session, band), the walk over the bands
    /// taking unused sessions, the fill, the truncation.
    static func select(_ candidates: [(episode: CatalogueEpisode, band: SizeBand)], options: SelectionOptions) throws(SelectionError) -> [SelectedEpisode] {
        let counts = SizeBand.targets(options.target)
        var bandMedians: [SizeBand: Double] = [:]
        for band in SizeBand.allCases {
            let sizes = candidates.filter { $0.band == band }.map(\.episode.annotationBytes)
            if !sizes.isEmpty { bandMedians[band] = PythonNumbers.median(sizes) }
        }
        let trainingMedian = PythonNumbers.median(candidates.map(\.episode.trainingBytes))
        let trainingDivisor = trainingMedian == 0 ? 1.0 : trainingMedian

        struct Scored { var record: SelectedEpisode; var hash: String }
        var bestOrder: [String] = []
        var best: [String: Scored] = [:]
        var all: [Scored] = []
        for (e, band) in candidates {
            let m = bandMedians[band] ?? Double(e.annotationBytes)
            let bandMedian = m == 0 ? 1.0 : m
            let sizeScore = abs(Double(e.annotationBytes) - bandMedian) / bandMedian
            let trainingScore = abs(Double(e.trainingBytes) - trainingMedian) / trainingDivisor
            let indexScore = e.episodeNumber.map { min(Double($0) / 64.0, 1.0) * 0.02 } ?? 0.0
            let tie = PythonNumbers.stableFloat(seed: options.seed, e.episodePath) * 0.001
            let score = PythonNumbers.round(sizeScore + 0.25 * trainingScore + indexScore + tie, digits: 8)
            let scored = Scored(record: SelectedEpisode(episode: e, band: band, score: score, split: "", rank: 0),
                                hash: PythonNumbers.stableHash(seed: options.seed, e.episodePath))
            guard options.onePerSession else { all.append(scored); continue }
            // Key "<session>\u{0}<band>": the NUL never occurs in a path.
            let key = e.session + "\u{0}" + band.rawValue
            if let current = best[key] {
                if score < current.record.score { best[key] = scored }
            } else {
                best[key] = scored
                bestOrder.append(key)
            }
        }
        if options.onePerSession { all = bestOrder.map { best[$0]! } }
        let byScoreThenHash: (Scored, Scored) -> Bool = { a, b in
            a.record.score != b.record.score ? a.record.score < b.record.score : PythonNumbers.codePointLess(a.hash, b.hash)
        }
        var byBand: [SizeBand: [Scored]] = [:]
        for band in SizeBand.allCases { byBand[band] = all.filter { $0.record.band == band }.sorted(by: byScoreThenHash) }

        var selected: [SelectedEpisode] = []
        var usedSessions = Set<String>()
        var takenPaths = Set<String>()
        for band in SizeBand.allCases {
            var taken = 0
            for s in byBand[band]! {
                if taken >= counts[band]! { break }
                if options.onePerSession && usedSessions.contains(s.record.episode.session) { continue }
                selected.append(s.record)
                usedSessions.insert(s.record.episode.session)
                takenPaths.insert(s.record.episode.episodePath)
                taken += 1
            }
        }
        if selected.count < options.target {
            let remaining = SizeBand.allCases.flatMap { byBand[$0]! }
                .filter { options.onePerSession ? !usedSessions.contains($0.record.episode.session) : !takenPaths.contains($0.record.episode.episodePath) }
                .sorted(by: byScoreThenHash)
            for s in remaining {
                // The reference marks the session used but does not re-check it here, so two
                // records of one session (in different bands) could both be filled in; the
                // check keeps "one episode per session" true.
                if options.onePerSession && usedSessions.contains(s.record.episode.session) { continue }
                selected.append(s.record)
                usedSessions.insert(s.record.episode.session)
                if selected.count >= options.target { break }
            }
        }
        guard selected.count >= options.target else { throw .tooFewEpisodes(found: selected.count, target: options.target) }
        return Array(selected.prefix(options.target))
    }

    // MARK: Outputs

    /// The split of the selected episodes as an assignment (rank order).
    public var assignment: EpisodeSplitAssignment {
        EpisodeSplitAssignment(method: "metadata_balanced_first_pass", seed: options.seed,
                               entries: selected.map { EpisodeSplitEntry(key: $0.episode.key, session: $0.episode.session, split: $0.split) })
    }

    /// Counts by first occurrence in rank order (Python's `Counter` → `dict`).
    func counted(_ label: (SelectedEpisode) -> String) -> JSONValue {
        var order: [String] = [], counts: [String: Int] = [:]
        for s in selected {
            let k = label(s)
            if counts[k] == nil { order.append(k) }
            counts[k, default: 0] += 1
        }
        return .object(order.map { ($0, .int(counts[$0]!)) })
    }

    func sessions(_ split: String) -> Set<String> { Set(selected.filter { $0.split == split }.map(\.episode.session)) }

    func overlap(_ a: String, _ b: String) -> JSONValue {
        .array(sessions(a).intersection(sessions(b)).sorted(by: PythonNumbers.codePointLess).map { .string($0) })
    }

    /// The selection JSON (§5.1 step 9), keys in the reference's order.
    public func json(repoSHA: String? = nil, repoID: String? = nil) -> JSONValue {
        let h = PythonNumbers.humanBytes(_:) as (Int) -> String
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let stamp = formatter.string(from: options.generatedAt ?? Date()).replacingOccurrences(of: "Z", with: "+00:00")
        let downloadBytes = selected.reduce(0) { $0 + $1.episode.trainingBytes }
        let annotationBytes = selected.reduce(0) { $0 + $1.episode.annotationBytes }
        let selectedSummary: JSONValue = .object([
            ("episode_count", .int(selected.count)),
            ("unique_session_count", .int(Set(selected.map(\.episode.session)).count)),
            ("split_counts", counted(\.split)),
            ("size_band_counts", counted(\.band.rawValue)),
            ("split_band_counts", counted { "\($0.split)/\($0.band.rawValue)" }),
            ("estimated_download_bytes_excluding_visualization_rrd", .int(downloadBytes)),
            ("estimated_download_human_excluding_visualization_rrd", .string(h(downloadBytes))),
            ("estimated_annotation_bytes", .int(annotationBytes)),
            ("estimated_annotation_human", .string(h(annotationBytes))),
            ("estimated_windows_at_configured_limit", .int(selected.count * options.windowsPerEpisode)),
            ("windows_per_episode", .int(options.windowsPerEpisode)),
            ("train_sessions_overlap_val", overlap("train", "val")),
            ("train_sessions_overlap_test", overlap("train", "test")),
            ("val_sessions_overlap_test", overlap("val", "test")),
        ])
        let episodes: [JSONValue] = selected.map { s in
            .object(s.episode.json + [
                ("size_band", .string(s.band.rawValue)),
                ("annotation_human", .string(h(s.episode.annotationBytes))),
                ("training_human", .string(h(s.episode.trainingBytes))),
                ("selection_score", .double(s.score)),
                ("split", .string(s.split)),
                ("selection_rank", .int(s.rank)),
            ])
        }
        return .object([
            ("status", .string("pass")),
            ("generated_at_utc", .string(stamp)),
            ("repo_id", .string(repoID ?? options.repoID)),
            ("repo_sha", repoSHA.map { .string($0) } ?? .null),
            ("selection_type", .string("metadata_balanced_first_pass")),
            ("target_episodes", .int(options.target)),
            ("seed", .int(options.seed)),
            ("rules", .object([
                ("complete_episode_required_files", .array(EpisodeFiles.required.map { .string($0) })),
                ("excluded_training_files", .array([.string(EpisodeFiles.visualization)])),
                ("one_episode_per_top_level_session", .bool(options.onePerSession)),
                ("drop_bottom_annotation_percentile", .double(options.dropBottomAnnotationPercentile)),
                ("drop_bottom_training_percentile", .double(options.dropBottomTrainingPercentile)),
                ("min_annotation_bytes", .int(minAnnotationBytes)),
                ("min_annotation_human", .string(h(minAnnotationBytes))),
                ("min_training_bytes", .int(minTrainingBytes)),
                ("min_training_human", .string(h(minTrainingBytes))),
                ("content_category_status", .string("not directly visible in HF metadata; refine after annotations are downloaded and captions are parsed")),
            ])),
            ("available_complete_episodes", .int(completeCount)),
            ("candidate_episodes_after_filters", .int(candidateCount)),
            ("rejected_counts", .object(rejectedCounts.map { ($0.reason, .int($0.count)) })),
            ("annotation_size_summary_complete", annotationSummary.json),
            ("training_size_summary_complete", trainingSummary.json),
            ("selected_summary", selectedSummary),
            ("selected_episodes", .array(episodes)),
            ("download_files", .array(selected.flatMap(\.episode.downloadFiles).map { .string($0) })),
        ])
    }

    /// The selection CSV: the reference's columns, Python `csv` conventions (`\r\n`, minimal
    /// quoting, `True`/`False`, floats as `repr`).
    public var csv: String {
        var out = CSVText.row(["selection_rank", "split", "size_band", "episode_path", "top_level_session", "episode_id", "annotation_human",
                               "training_human", "annotation_bytes", "training_bytes_excluding_visualization_rrd", "has_visualization_rrd", "selection_score"])
        for s in selected {
            out += CSVText.row([
                String(s.rank), s.split, s.band.rawValue, s.episode.episodePath, s.episode.session, s.episode.episodeID,
                PythonNumbers.humanBytes(s.episode.annotationBytes), PythonNumbers.humanBytes(s.episode.trainingBytes),
                String(s.episode.annotationBytes), String(s.episode.trainingBytes), s.episode.hasVisualizationRRD ? "True" : "False",
                pythonFloatRepr(s.score),
            ])
        }
        return out
    }

    /// Writes `selection.json` (`json.dumps(indent=2)` and a newline) and `selection.csv` into
    /// `folder`, each atomically.
    public func write(to folder: URL, repoSHA: String? = nil, repoID: String? = nil) throws(OutputError) {
        try AtomicFile.write(Data((json(repoSHA: repoSHA, repoID: repoID).pythonJSON(indent: 2) + "\n").utf8), to: folder.appendingPathComponent("selection.json"))
        try AtomicFile.write(Data(csv.utf8), to: folder.appendingPathComponent("selection.csv"))
    }
}
