import Metrics
import Foundation
import XPCore

/// The compact dense multiscale hierarchical index (exporters.md §5.4, analysis-and-report.md
/// §2.1): every window of every scale over each episode's sparse span, labelled by the
/// nearest sparse window, with the provenance of that label on every row.
///
/// ```swift
/// let seeds = try DenseIndex.loadSeeds("export/dataset.jsonl")
/// let index = DenseIndex.build(seeds: seeds, options: DenseIndexOptions(datasetPath: "export/dataset.jsonl"))
/// try DenseIndexWriter.write(index, to: URL(fileURLWithPath: "dense"), force: false)
/// ```
public enum DenseIndex {
    /// How a dense window got its label.
    public enum Provenance: String, Sendable, CaseIterable {
        /// The sparse window itself (same start and end).
        case exact = "exact_sparse_window"
        /// The nearest sparse window, which overlaps the dense one.
        case overlap = "overlap_nearest_sparse_window"
        /// The nearest sparse window, which does not overlap it.
        case gap = "gap_nearest_sparse_window"

        /// Strict: the weight a consumer should give the row's label (1 when the labelled
        /// sparse window covers some of the dense window, 0 when it lies elsewhere).
        public var labelWeight: Int { self == .gap ? 0 : 1 }
    }

    /// `max(0, min(a_end, b_end) − max(a_start, b_start) + 1)`.
    public static func overlap(_ aStart: Int, _ aEnd: Int, _ bStart: Int, _ bEnd: Int) -> Int {
        max(0, min(aEnd, bEnd) - max(aStart, bStart) + 1)
    }

    /// The reference's `nearest_source`: among the seeds `[pos − 4, pos + 4]` around
    /// `pos = bisect_left(starts, start)`, the one with the smallest (|centre distance|,
    /// −overlap, index). `seeds` are one episode's, sorted by (start, end); `starts` their
    /// starts. Returns the index into `seeds` (nil only when there is none).
    public static func nearest(_ seeds: [DenseSeed], starts: [Int], start: Int, end: Int) -> Int? {
        guard !seeds.isEmpty else { return nil }
        let center = Double(start + end) / 2.0
        var lo = 0, hi = starts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if starts[mid] < start { lo = mid + 1 } else { hi = mid }
        }
        let pos = lo
        var best: (Double, Int, Int)?
        for idx in max(0, pos - 4)..<min(seeds.count, pos + 5) {
            let s = seeds[idx]
            let key = (abs(Double(s.start + s.end) / 2.0 - center), -overlap(start, end, s.start, s.end), idx)
            if best.map({ key < $0 }) ?? true { best = key }
        }
        return best?.2
    }

    /// Reads the seeds of a sparse export: a `dataset.jsonl` (or `.jsonl.zst`), one seed per
    /// non-blank line. A line that is not JSON or cannot seed fails naming `path:line`.
    public static func loadSeeds(_ path: String) throws(ErrorAnalysisError) -> [DenseSeed] {
        var seeds: [DenseSeed] = []
        try ErrorAnalysisInput.forEachLine(path) { (line, number) throws(ErrorAnalysisError) in
            let value: JSONValue
            do { value = try JSONParser.parse(line) } catch { throw .badInput(file: path, line: number, detail: "not JSON: \(error)") }
            do { seeds.append(try DenseSeed(row: value)) } catch { throw .badInput(file: path, line: number, detail: "\(error)") }
        }
        return seeds
    }

    /// Builds the index. Seeds are sorted by (episode, start, end) (stable, code-point order
    /// of the episode ids); episodes are taken in code-point order, scales in the given order.
    public static func build(seeds: [DenseSeed], options: DenseIndexOptions) -> DenseIndexResult {
        let sorted = seeds.indices.sorted { a, b in
            let x = seeds[a], y = seeds[b]
            if !codePointsEqual(x.episodeID, y.episodeID) { return codePointsPrecede(x.episodeID, y.episodeID) }
            if x.start != y.start { return x.start < y.start }
            if x.end != y.end { return x.end < y.end }
            return a < b
        }.map { seeds[$0] }
        var episodes: [DenseIndexResult.Episode] = []
        for seed in sorted {
            if let last = episodes.last, codePointsEqual(last.id, seed.episodeID) {
                episodes[episodes.count - 1].seeds.append(seed)
            } else {
                episodes.append(.init(id: seed.episodeID, seeds: [seed]))
            }
        }
        var rows: [DenseIndexResult.Row] = []
        var skipped: [DenseIndexResult.Skip] = []
        for (e, episode) in episodes.enumerated() {
            let starts = episode.seeds.map(\.start)
            let maxEnd = episode.seeds.map(\.end).max() ?? 0
            for (k, scale) in options.scales.enumerated() {
                if maxEnd + 1 < scale.window {
                    skipped.append(.init(episode: e, scale: k))
                    continue
                }
                for start in scale.starts(maxEnd: maxEnd) {
                    let end = start + scale.window - 1
                    guard let s = nearest(episode.seeds, starts: starts, start: start, end: end) else { continue }
                    let seed = episode.seeds[s]
                    let ov = overlap(start, end, seed.start, seed.end)
                    let kind: Provenance = seed.start == start && seed.end == end ? .exact : (ov > 0 ? .overlap : .gap)
                    rows.append(.init(episode: e, scale: k, start: start, end: end, seed: s, kind: kind, overlap: ov))
                }
            }
        }
        return DenseIndexResult(options: options, seedCount: seeds.count, episodes: episodes, rows: rows, skipped: skipped)
    }
}

/// What the index is built with.
public struct DenseIndexOptions: Sendable, Equatable {
    public var scales: [DenseScale]
    public var runID: String
    public var analysisProtocol: AnalysisProtocol
    /// `source.dataset_jsonl` as written: the input path as given (relative stays relative).
    public var datasetPath: String
    /// `created_at`; nil → the current UTC time in Python's `isoformat()`.
    public var createdAt: String?

    public static let defaultRunID = "xperience10m_128ep_dense_multiscale_hierarchical_v1_20260608"

    public init(scales: [DenseScale] = DenseScale.defaults, runID: String = DenseIndexOptions.defaultRunID,
                analysisProtocol: AnalysisProtocol = .strict, datasetPath: String, createdAt: String? = nil) {
        self.scales = scales
        self.runID = runID
        self.analysisProtocol = analysisProtocol
        self.datasetPath = datasetPath
        self.createdAt = createdAt
    }

    public func validate() throws(ErrorAnalysisError) {
        guard !scales.isEmpty else { throw .invalidOption("at least one scale is needed") }
        var seen = Set<CodePoints>()
        for s in scales {
            guard s.window >= 1, s.stride >= 1 else { throw .invalidOption("scale \(s.id): window and stride must be positive") }
            guard seen.insert(CodePoints(s.id)).inserted else { throw .invalidOption("scale id \(s.id) is given twice (row ids would collide)") }
        }
    }
}

/// The built index: episodes with their seeds, and one compact row per dense window.
public struct DenseIndexResult: Sendable {
    public struct Episode: Sendable {
        public var id: String
        /// Sorted by (start, end); `split` of the first is the episode's.
        public var seeds: [DenseSeed]
        public var split: String { seeds.first?.split ?? "None" }
    }

    public struct Row: Sendable, Equatable {
        public var episode: Int
        public var scale: Int
        public var start: Int
        public var end: Int
        /// Index into the episode's seeds.
        public var seed: Int
        public var kind: DenseIndex.Provenance
        public var overlap: Int
    }

    public struct Skip: Sendable, Equatable {
        public var episode: Int
        public var scale: Int
        public init(episode: Int, scale: Int) {
            self.episode = episode
            self.scale = scale
        }
    }

    public var options: DenseIndexOptions
    public var seedCount: Int
    public var episodes: [Episode]
    public var rows: [Row]
    public var skipped: [Skip]

    public func seed(of row: Row) -> DenseSeed { episodes[row.episode].seeds[row.seed] }

    /// Rows per provenance kind, in the enum's order.
    public var provenanceCounts: [(DenseIndex.Provenance, Int)] {
        var counts = [0, 0, 0]
        for r in rows { counts[DenseIndex.Provenance.allCases.firstIndex(of: r.kind)!] += 1 }
        return zip(DenseIndex.Provenance.allCases, counts).map { ($0, $1) }
    }
}
