import Foundation
import XPCore

/// A per-frame feature cache: `rows` frames × `cols` values, row-major Float32.
public struct PerFrameCache: Sendable {
    public let values: [Float]
    public let rows: Int
    public let cols: Int

    public init(values: [Float], rows: Int, cols: Int) throws(WindowAlignError) {
        guard rows >= 0, cols > 0 else {
            throw .invalidArgument(what: "per-frame cache", detail: "needs rows >= 0 and cols > 0, found \(rows)×\(cols)")
        }
        guard values.count == rows * cols else {
            throw .shapeMismatch(what: "per-frame cache of \(rows)×\(cols)", expected: rows * cols, found: values.count)
        }
        self.values = values
        self.rows = rows
        self.cols = cols
    }
}

/// Where one block of a window row comes from.
public enum BlockSource: Sendable {
    /// One row per annotation frame; a window [s, e) uses rows [s, min(e, rows)) (the
    /// reference `safe_window`). With `rezeroAtWindowStart` each row has the window's first
    /// row subtracted (the reference's camera translation). A window starting past the last
    /// row is absent.
    case perFrame(PerFrameCache, rezeroAtWindowStart: Bool = false)
    /// A faster stream mapped to frames by keyframe indices (the reference IMU rule): window
    /// [s, e) uses rows [kf[s], min(M, max(kf[s] + 1, kf[e − 1] + 1))), and is absent when
    /// `keyframes` has no entry e − 1 or the range is empty.
    case keyframed(PerFrameCache, keyframes: [Int])
    /// A faster stream mapped to frames by row boundaries (the strict IMU rule, by
    /// timestamps): `boundaries` has N + 1 entries and window [s, e) uses rows
    /// [boundaries[s], boundaries[e]); absent when that range is empty or out of bounds.
    case rowRanges(PerFrameCache, boundaries: [Int])
    /// The same vector for every window (point cloud, calibration).
    case staticVector([Float])
    /// Not available: zero-filled and flagged absent.
    case absent
}

/// Which blocks were present, per window: `rows` windows × `blockNames.count` flags.
public struct PresenceMask: Sendable, Hashable {
    public let blockNames: [String]
    public private(set) var rows: Int
    /// Row-major flags (window-major).
    public private(set) var flags: [Bool]

    public init(blockNames: [String]) {
        self.blockNames = blockNames
        self.rows = 0
        self.flags = []
    }

    mutating func setFlag(_ index: Int, _ value: Bool) { flags[index] = value }

    mutating func append(_ row: [Bool]) {
        flags += row
        rows += 1
    }

    /// Whether `block` was present in window `row`.
    public func isPresent(row: Int, block: Int) -> Bool { flags[row * blockNames.count + block] }

    /// Flags as 0/1 Int64 (for `.npy` export).
    public var asInt64: [Int64] { flags.map { $0 ? 1 : 0 } }
}

/// Builds window feature rows from per-block sources under a fixed schema. Every per-step
/// block becomes `temporalStats` over the window's rows; static blocks are copied; absent
/// blocks are zeros, and the presence mask says which is which.
public struct WindowFeatureAssembler: Sendable {
    public let schema: FeatureSchema
    private let sources: [BlockSource]

    /// `sources` by block name; blocks not named are absent. Throws for unknown names and for
    /// sources whose width does not fit their block.
    public init(schema: FeatureSchema = .reference, sources: [String: BlockSource]) throws(WindowAlignError) {
        for name in sources.keys where !schema.blocks.contains(where: { $0.name == name }) {
            throw .unknownBlock(name)
        }
        var ordered: [BlockSource] = []
        for block in schema.blocks {
            let source = sources[block.name] ?? .absent
            switch source {
            case .perFrame(let cache, _), .keyframed(let cache, _), .rowRanges(let cache, _):
                guard let d = block.perStepDim else {
                    throw .invalidArgument(what: "block \(block.name)", detail: "is static; pass .staticVector, not a per-frame cache")
                }
                guard cache.cols == d else {
                    throw .shapeMismatch(what: "per-frame values of block \(block.name)", expected: d, found: cache.cols)
                }
            case .staticVector(let v):
                guard block.perStepDim == nil else {
                    throw .invalidArgument(what: "block \(block.name)", detail: "is per-frame; pass a per-frame cache, not a static vector")
                }
                guard v.count == block.dim else {
                    throw .shapeMismatch(what: "static vector of block \(block.name)", expected: block.dim, found: v.count)
                }
            case .absent:
                break
            }
            ordered.append(source)
        }
        self.schema = schema
        self.sources = ordered
    }

    /// The row for frames [start, end) (end exclusive) into `out` (schema.dimension values);
    /// returns the presence flag of each block.
    public func row(start: Int, end: Int, into out: UnsafeMutableBufferPointer<Float>) -> [Bool] {
        var present = [Bool](repeating: false, count: schema.blocks.count)
        for (b, block) in schema.blocks.enumerated() {
            let dest = UnsafeMutableBufferPointer(rebasing: out[block.columns])
            dest.update(repeating: 0)
            switch sources[b] {
            case .absent:
                continue
            case .staticVector(let v):
                for i in 0..<v.count { dest[i] = v[i].isFinite ? v[i] : 0 }
                present[b] = true
            case .perFrame(let cache, let rezero):
                let lo = max(start, 0), hi = min(end, cache.rows)
                guard hi > lo else { continue }
                cache.values.withUnsafeBufferPointer { vp in
                    let view = UnsafeBufferPointer(rebasing: vp[(lo * cache.cols)..<(hi * cache.cols)])
                    temporalStatsInto(view, rows: hi - lo, cols: cache.cols, rowStride: cache.cols, out: dest)
                }
                if rezero {
                    // Subtracting the first row shifts mean, min and max by it; spreads and
                    // differences are unchanged.
                    let d = cache.cols
                    for j in 0..<d {
                        let f = cache.values[lo * d + j]
                        let first = f.isFinite ? f : 0
                        dest[j] -= first
                        dest[2 * d + j] -= first
                        dest[3 * d + j] -= first
                    }
                }
                present[b] = true
            case .keyframed(let cache, let kf):
                guard start >= 0, end >= 1, end - 1 < kf.count, start < kf.count else { continue }
                let lo = kf[start]
                let hi = min(cache.rows, max(kf[start] + 1, kf[end - 1] + 1))
                guard lo >= 0, hi > lo else { continue }
                cache.values.withUnsafeBufferPointer { vp in
                    let view = UnsafeBufferPointer(rebasing: vp[(lo * cache.cols)..<(hi * cache.cols)])
                    temporalStatsInto(view, rows: hi - lo, cols: cache.cols, rowStride: cache.cols, out: dest)
                }
                present[b] = true
            case .rowRanges(let cache, let bounds):
                guard start >= 0, end > start, end < bounds.count else { continue }
                let lo = max(bounds[start], 0)
                let hi = min(bounds[end], cache.rows)
                guard hi > lo else { continue }
                cache.values.withUnsafeBufferPointer { vp in
                    let view = UnsafeBufferPointer(rebasing: vp[(lo * cache.cols)..<(hi * cache.cols)])
                    temporalStatsInto(view, rows: hi - lo, cols: cache.cols, rowStride: cache.cols, out: dest)
                }
                present[b] = true
            }
        }
        return present
    }

    /// The window matrix (windows × schema.dimension, row-major Float32) and presence mask.
    public func matrix(windows: [Window]) -> (values: [Float], presence: PresenceMask) {
        let dim = schema.dimension
        var mask = PresenceMask(blockNames: schema.blocks.map(\.name))
        var values = [Float](repeating: 0, count: windows.count * dim)
        values.withUnsafeMutableBufferPointer { all in
            for (i, w) in windows.enumerated() {
                let rowBuffer = UnsafeMutableBufferPointer(rebasing: all[(i * dim)..<((i + 1) * dim)])
                mask.append(row(start: w.start, end: w.end + 1, into: rowBuffer))
            }
        }
        return (values, mask)
    }
}

/// The static point-cloud block (22 values): per-axis mean, std, min, max, p10, p50, p90,
/// then log1p(point count). Percentiles interpolate linearly; std is the population std.
public enum PointCloudStats {
    public static let dimension = 22

    /// Stats of `points` (P × 3, row-major). Non-finite coordinates become 0 first (the
    /// reference applies nan_to_num to every block); P = 0 gives zeros.
    public static func features(_ points: [Float]) throws(WindowAlignError) -> [Float] {
        guard points.count % 3 == 0 else {
            throw .shapeMismatch(what: "point cloud (P × 3 values)", expected: points.count / 3 * 3 + 3, found: points.count)
        }
        let p = points.count / 3
        var out = [Float](repeating: 0, count: dimension)
        guard p > 0 else { return out }
        for axis in 0..<3 {
            var col = [Double](repeating: 0, count: p)
            for i in 0..<p {
                let v = points[i * 3 + axis]
                col[i] = v.isFinite ? Double(v) : 0
            }
            let ms = meanStd(col)
            col.sort()
            out[axis] = Float(ms.mean)
            out[3 + axis] = Float(ms.std)
            out[6 + axis] = Float(col[0])
            out[9 + axis] = Float(col[p - 1])
            out[12 + axis] = Float(Statistics.percentile(sorted: col, 10))
            out[15 + axis] = Float(Statistics.percentile(sorted: col, 50))
            out[18 + axis] = Float(Statistics.percentile(sorted: col, 90))
        }
        out[21] = Float(log1p(Double(p)))
        return out
    }

    /// The HOMIE toolkit's outlier filter (spec §1.1): keep points whose distance from the
    /// per-axis median point is at most the 95th percentile of those distances.
    public static func toolkitFilter(_ points: [Float]) -> [Float] {
        let p = points.count / 3
        guard p > 0 else { return [] }
        var median = [Double](repeating: 0, count: 3)
        for axis in 0..<3 {
            let col = (0..<p).map { Double(points[$0 * 3 + axis]) }.sorted()
            median[axis] = Statistics.percentile(sorted: col, 50)
        }
        var dist = [Double](repeating: 0, count: p)
        for i in 0..<p {
            var s = 0.0
            for axis in 0..<3 {
                let d = Double(points[i * 3 + axis]) - median[axis]
                s += d * d
            }
            dist[i] = s.squareRoot()
        }
        let threshold = Statistics.percentile(sorted: dist.sorted(), 95)
        var out = [Float]()
        out.reserveCapacity(points.count)
        for i in 0..<p where dist[i] <= threshold { out += points[(i * 3)..<(i * 3 + 3)] }
        return out
    }
}
