import Foundation
import Heads
import Metrics
import XPCore

/// One row of `dense_multiscale_windows.jsonl` (analysis-and-report.md §2.1) as the dense
/// baselines read it.
public struct DenseRow: Sendable {
    public var line: Int
    public var id: String
    public var episodeID: String
    /// `str(split)`.
    public var split: String
    /// `str(scale_id)`.
    public var scaleID: String
    public var windowFrames: Double
    public var strideFrames: Double
    public var start: Double
    public var end: Double
    /// `int(end_frame or 0)`, over which the episode's M is taken.
    public var rawEnd: Int
    /// `source_sparse_window.kind` as `str(kind or "")` (`exact_sparse_window`, ...).
    public var provenance: String
    /// `source_sparse_window.kind` as written (nil when absent), for predictions.csv.
    public var provenanceCell: String
    public var centerDistance: Double
    public var overlapOfDense: Double
    public var overlapOfSource: Double
    public var sensorFeatureDim: Double
    public var hasMosaic: Bool
    public var hasAudio: Bool
    public var mediaNameCount: Int
    /// `str(labels.get(t, "unknown") or "unknown")` per target.
    public var labels: [String: String]

    /// Reads one parsed line; throws naming `file:line` for what the reference could not read
    /// (no `id` or `episode_id`, a non-numeric frame or fraction).
    public init(_ value: JSONValue, line: Int, file: String) throws(ExportError) {
        let at = "\(file):\(line)"
        func fail(_ d: String) -> ExportError { .badInput(file: at, detail: d) }
        guard let idValue = value["id"] else { throw fail("the row has no \"id\"") }
        guard let episode = value["episode_id"] else { throw fail("row \(idValue.pythonString) has no \"episode_id\"") }
        let rowID = idValue.pythonString
        id = rowID
        episodeID = episode.pythonString
        split = value["split"]?.pythonString ?? "None"
        scaleID = value["scale_id"]?.pythonString ?? "None"
        self.line = line
        func number(_ v: JSONValue?, _ d: Double, _ name: String) throws(ExportError) -> Double {
            guard let x = PythonValues.float(v, default: d) else { throw fail("row \(rowID): \(name) is not a number") }
            return x
        }
        let window = value["center_window"]
        start = try number(window?["start_frame"], 0, "center_window.start_frame")
        end = try number(window?["end_frame"], start, "center_window.end_frame")
        rawEnd = Int(try number(window?["end_frame"], 0, "center_window.end_frame"))
        windowFrames = try number(value["window_frames"], 0, "window_frames")
        strideFrames = try number(value["stride_frames"], 0, "stride_frames")
        let source = value["source_sparse_window"]
        let kind = source?["kind"]
        provenance = kind?.pythonString ?? ""
        provenanceCell = kind.map { $0 == .null ? "" : $0.pythonString } ?? ""
        centerDistance = try number(source?["center_distance_frames"], 0, "source_sparse_window.center_distance_frames")
        overlapOfDense = try number(source?["overlap_fraction_of_dense"], 0, "source_sparse_window.overlap_fraction_of_dense")
        overlapOfSource = try number(source?["overlap_fraction_of_source"], 0, "source_sparse_window.overlap_fraction_of_source")
        sensorFeatureDim = try number(value["sensor_feature_dim"], 0, "sensor_feature_dim")
        hasMosaic = PythonValues.truthy(value["source_has_mosaic"])
        hasAudio = PythonValues.truthy(value["source_has_audio"])
        let names = value["source_media_names"]
        if let names, PythonValues.truthy(names) {
            switch names {
            case .array(let a): mediaNameCount = a.count
            case .string(let s): mediaNameCount = s.unicodeScalars.count
            case .object(let o): mediaNameCount = o.count
            default: throw fail("row \(rowID): source_media_names is \(names.typeName), not a list")
            }
        } else {
            mediaNameCount = 0
        }
        let labelObject = value["labels"]
        var labels: [String: String] = [:]
        for t in DenseBaselines.targets {
            let v = labelObject?[t]
            labels[t] = PythonValues.truthy(v) ? v!.pythonString : "unknown"
        }
        self.labels = labels
    }

    /// Reads every row of a JSONL file.
    public static func read(_ url: URL) throws -> [DenseRow] {
        var out: [DenseRow] = []
        try BaselineJSONL.forEachObject(url) { line, value in out.append(try DenseRow(value, line: line, file: url.path)) }
        return out
    }
}

/// The dense baselines' features (§2.3): 10 position/provenance numerics, 3 media values, a
/// one-hot of the scale (over the scale ids present, code-point order), `hash_onehot(kind, 8,
/// "provenance")`, `hash_onehot(episode, 32, "episode")` and `hash_onehot(split, 4, "split")`:
/// 60 values with the three standard scales. The strict variant drops the episode and split
/// hashes (the split hash shifts every test row, the episode hash lets the model memorise
/// episodes): 24 values.
public struct DenseFeatures: Sendable {
    public enum Variant: String, Sendable, CaseIterable {
        /// The reference's 60 values.
        case reference
        /// Without the episode and split hashes.
        case withoutEpisodeAndSplitHashes = "without_episode_and_split_hashes"
    }

    public var matrix: Matrix
    public var scaleIDs: [String]
    public var variant: Variant
    /// The name of each column, in order.
    public var columnNames: [String]

    public static func build(_ rows: [DenseRow], variant: Variant) throws -> DenseFeatures {
        var maxEnd: [String: Int] = [:]
        for r in rows { maxEnd[r.episodeID] = max(maxEnd[r.episodeID] ?? 0, r.rawEnd) }
        let scales = Set(rows.map(\.scaleID)).sorted(by: codePointLess)
        let scaleIndex = Dictionary(uniqueKeysWithValues: scales.enumerated().map { ($0.element, $0.offset) })
        let withHashes = variant == .reference
        var names = ["start_over_m", "end_over_m", "center_over_m", "length_over_m", "window_frames_over_100", "stride_frames_over_100",
                     "center_distance_over_100", "overlap_fraction_of_dense", "overlap_fraction_of_source", "sensor_feature_dim_over_10000",
                     "source_has_mosaic", "source_has_audio", "media_names_over_6"]
        names += scales.map { "scale:\($0)" }
        names += (0..<8).map { "provenance_hash_\($0)" }
        if withHashes { names += (0..<32).map { "episode_hash_\($0)" } + (0..<4).map { "split_hash_\($0)" } }
        let d = names.count
        var storage = [Float](repeating: 0, count: rows.count * d)
        // Hash buckets repeat over a few values each: cache them.
        var provenance: [String: (Int, Float)] = [:], episode: [String: (Int, Float)] = [:], split: [String: (Int, Float)] = [:]
        func cached(_ cache: inout [String: (Int, Float)], _ v: String, _ dim: Int, _ ns: String) -> (Int, Float) {
            if let hit = cache[v] { return hit }
            let b = BaselineHashing.bucket(v, dimensions: dim, namespace: ns)
            cache[v] = (b.index, b.sign)
            return (b.index, b.sign)
        }
        for (i, r) in rows.enumerated() {
            let m = max(Double(maxEnd[r.episodeID] ?? Int(r.end)), 1)
            let center = (r.start + r.end) / 2
            let numeric: [Double] = [r.start / m, r.end / m, center / m, (r.end - r.start + 1) / m, r.windowFrames / 100, r.strideFrames / 100,
                                     r.centerDistance / 100, r.overlapOfDense, r.overlapOfSource, r.sensorFeatureDim / 10_000,
                                     r.hasMosaic ? 1 : 0, r.hasAudio ? 1 : 0, Double(r.mediaNameCount) / 6]
            let base = i * d
            for (k, v) in numeric.enumerated() { storage[base + k] = Float(v) }
            var offset = base + numeric.count
            storage[offset + scaleIndex[r.scaleID]!] = 1
            offset += scales.count
            let p = cached(&provenance, r.provenance, 8, "provenance")
            storage[offset + p.0] = p.1
            offset += 8
            if withHashes {
                let e = cached(&episode, r.episodeID, 32, "episode")
                storage[offset + e.0] = e.1
                offset += 32
                let s = cached(&split, r.split, 4, "split")
                storage[offset + s.0] = s.1
            }
        }
        return DenseFeatures(matrix: try Matrix(rows: rows.count, cols: d, storage: storage), scaleIDs: scales, variant: variant, columnNames: names)
    }
}
