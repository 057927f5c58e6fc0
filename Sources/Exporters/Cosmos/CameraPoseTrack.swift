import EpisodeIO
import Foundation

/// The SLAM camera track of one `annotation.hdf5` as the Cosmos camera-pose export reads it
/// (spec exporters.md §3.2 "pose cache"): `slam/trans_xyz` as float64, `slam/quat_wxyz`
/// L2-normalised (a norm ≤ 1e-12 divides by 1) and then made sign-continuous (row i is negated
/// when its dot product with row i − 1, as already adjusted, is negative), and
/// `video/frame_number`.
///
/// These are the raw SLAM values (world→body), not `Episode.cameraPoses()`'s camera-to-world
/// poses: the reference's targets are deltas of the stored pair.
public struct CameraPoseTrack: Sendable, Equatable {
    /// Row-major N × 3.
    public var translation: [Double]
    /// Row-major N × 4 (w, x, y, z), normalised and sign-continuous.
    public var quaternion: [Double]
    public var frameNumbers: [Int64]
    /// Rows whose stored quaternion has a norm ≤ 1e-12 or a non-finite component (left as
    /// the formula leaves them: zero, or NaN).
    public var badQuaternionRows: Set<Int>
    /// Rows whose stored translation has a non-finite component.
    public var nonFiniteTranslationRows: Set<Int>

    public var translationRows: Int { translation.count / 3 }
    public var quaternionRows: Int { quaternion.count / 4 }

    /// A track from stored values (`quaternion` as stored: this normalises it).
    public init(translation: [Double], storedQuaternion: [Double], frameNumbers: [Int64]) {
        self.translation = translation
        self.frameNumbers = frameNumbers
        var bad = Set<Int>()
        for i in 0..<(storedQuaternion.count / 4) {
            let q = storedQuaternion[(i * 4)..<(i * 4 + 4)]
            let norm = Self.norm(Array(q))
            if !(norm > 1e-12) || !q.allSatisfy(\.isFinite) { bad.insert(i) }
        }
        var nonFinite = Set<Int>()
        for i in 0..<(translation.count / 3) where !translation[(i * 3)..<(i * 3 + 3)].allSatisfy(\.isFinite) { nonFinite.insert(i) }
        badQuaternionRows = bad
        nonFiniteTranslationRows = nonFinite
        quaternion = Self.normalised(storedQuaternion)
    }

    /// Reads the three datasets of `annotation` (checking their shapes: `[N, 3]`, `[N, 4]` and
    /// `[K]`). Throws the `EpisodeError` that names the file and dataset.
    public static func read(annotation: String) throws(EpisodeError) -> CameraPoseTrack {
        let file = try HDF5File(path: annotation)
        func rows(_ dataset: String, width: Int?) throws(EpisodeError) -> Int {
            let info = try file.info(dataset)
            guard info.type.isNumeric else {
                throw .wrongType(file: annotation, dataset: dataset, expected: "a numeric type", found: info.type.description)
            }
            if let width {
                guard info.shape.count == 2, info.shape[1] == width else {
                    throw .wrongShape(file: annotation, dataset: dataset, expected: "[N, \(width)]", found: info.shapeDescription)
                }
            } else {
                guard info.shape.count == 1 else { throw .wrongShape(file: annotation, dataset: dataset, expected: "[N]", found: info.shapeDescription) }
            }
            return info.shape[0]
        }
        _ = try rows("slam/trans_xyz", width: 3)
        _ = try rows("slam/quat_wxyz", width: 4)
        _ = try rows("video/frame_number", width: nil)
        let t: [Double] = try file.read("slam/trans_xyz")
        let q: [Double] = try file.read("slam/quat_wxyz")
        let f: [Int64] = try file.read("video/frame_number")
        return CameraPoseTrack(translation: t, storedQuaternion: q, frameNumbers: f)
    }

    /// `normalize_quat_array`: each row divided by its L2 norm (1 when the norm is ≤ 1e-12),
    /// then row i negated when `dot(q[i−1], q[i]) < 0`, in order.
    public static func normalised(_ stored: [Double]) -> [Double] {
        var q = stored
        let n = q.count / 4
        for i in 0..<n {
            var norm = Self.norm(Array(q[(i * 4)..<(i * 4 + 4)]))
            if norm <= 1e-12 { norm = 1 }
            for a in 0..<4 { q[i * 4 + a] /= norm }
        }
        if n > 1 {
            for i in 1..<n {
                var dot = 0.0
                for a in 0..<4 { dot += q[(i - 1) * 4 + a] * q[i * 4 + a] }
                if dot < 0 { for a in 0..<4 { q[i * 4 + a] = -q[i * 4 + a] } }
            }
        }
        return q
    }

    /// √(Σ xᵢ²), summed left to right (numpy's norm of a short row).
    static func norm(_ v: [Double]) -> Double {
        var s = 0.0
        for x in v { s += x * x }
        return s.squareRoot()
    }

    /// `nearest_index(frame_numbers, f)`: 0 when `f ≤ fn[0]`, the last index when
    /// `f ≥ fn[−1]`, otherwise `searchsorted(fn, f, 'left')`, the first index whose frame
    /// number is ≥ f. Despite the reference's name this is not the nearest index. Nil when
    /// there are no frame numbers.
    public func nearestIndex(_ frame: Int) -> Int? { Self.nearestIndex(frameNumbers, frame) }

    public static func nearestIndex(_ fn: [Int64], _ frame: Int) -> Int? {
        guard let first = fn.first, let last = fn.last else { return nil }
        let f = Int64(frame)
        if f <= first { return 0 }
        if f >= last { return fn.count - 1 }
        // numpy's binary search for side='left' (on an unsorted array it gives what numpy gives).
        var lo = 0, hi = fn.count
        while lo < hi {
            let mid = lo + (hi - lo) >> 1
            if fn[mid] < f { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The chunk's sample frames: `linspace(start, end, chunkSize + 1)` rounded half to even
    /// (Python's `round`), with `end = start + chunkSize` when `end ≤ start`. For 0–19 and 8:
    /// 0, 2, 5, 7, 10, 12, 14, 17, 19.
    public static func chunkPoints(start: Int, end: Int, chunkSize: Int) -> [Int] {
        precondition(chunkSize >= 1, "chunk_size must be >= 1")
        let stop = end <= start ? start + chunkSize : end
        let a = Double(start), b = Double(stop)
        let step = (b - a) / Double(chunkSize)
        var points: [Int] = []
        points.reserveCapacity(chunkSize + 1)
        for k in 0..<chunkSize { points.append(Int((Double(k) * step + a).rounded(.toNearestOrEven))) }
        points.append(stop)
        return points
    }

    /// `sampled_frame_pairs`: consecutive chunk points `(l, r)`, with `r = l + 1` when `r ≤ l`.
    public static func framePairs(start: Int, end: Int, chunkSize: Int) -> [(left: Int, right: Int)] {
        let points = chunkPoints(start: start, end: end, chunkSize: chunkSize)
        return zip(points, points.dropFirst()).map { l, r in (l, r <= l ? l + 1 : r) }
    }

    /// Why a window's actions cannot be built (the reference's `rows_skipped_action_build_error`).
    public struct BuildError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The pose rows a window reads: `start_idx` and each transition's (li, ri).
    public func rowsUsed(start: Int, end: Int, chunkSize: Int) -> (start: Int, pairs: [(Int, Int)])? {
        guard let s = nearestIndex(start) else { return nil }
        var pairs: [(Int, Int)] = []
        for (l, r) in Self.framePairs(start: start, end: end, chunkSize: chunkSize) {
            guard let li = nearestIndex(l), let ri = nearestIndex(r) else { return nil }
            pairs.append((li, ri))
        }
        return (s, pairs)
    }

    /// `camera_pose_actions`: one 9-D row per transition, `[Δt, rotvec(q_r ⊗ q_l⁻¹),
    /// t_r − t_start]`, computed in float64 and rounded to float32.
    public func actions(start: Int, end: Int, chunkSize: Int) throws(BuildError) -> [[Float]] {
        guard let used = rowsUsed(start: start, end: end, chunkSize: chunkSize) else {
            throw BuildError(description: "video/frame_number is empty: no pose row for frames \(start)-\(end)")
        }
        let limit = min(translationRows, quaternionRows)
        for i in [used.start] + used.pairs.flatMap({ [$0.0, $0.1] }) where i >= limit {
            throw BuildError(description: "pose row \(i) (from video/frame_number, \(frameNumbers.count) rows) is past slam/trans_xyz (\(translationRows) rows) or slam/quat_wxyz (\(quaternionRows) rows)")
        }
        func t(_ i: Int) -> [Double] { Array(translation[(i * 3)..<(i * 3 + 3)]) }
        func q(_ i: Int) -> [Double] { Array(quaternion[(i * 4)..<(i * 4 + 4)]) }
        let origin = t(used.start)
        return used.pairs.map { li, ri in
            let tl = t(li), tr = t(ri)
            let dq = Self.multiply(q(ri), Self.inverse(q(li)))
            let rv = Self.rotationVector(dq)
            let row = [tr[0] - tl[0], tr[1] - tl[1], tr[2] - tl[2], rv[0], rv[1], rv[2], tr[0] - origin[0], tr[1] - origin[1], tr[2] - origin[2]]
            return row.map { Float($0) }
        }
    }

    /// `quat_inverse`: the conjugate divided by max(|q|², 1e-12).
    static func inverse(_ q: [Double]) -> [Double] {
        var d = 0.0
        for x in q { d += x * x }
        d = max(d, 1e-12)
        return [q[0] / d, -q[1] / d, -q[2] / d, -q[3] / d]
    }

    /// The Hamilton product a ⊗ b in (w, x, y, z) order.
    static func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
        let (aw, ax, ay, az) = (a[0], a[1], a[2], a[3])
        let (bw, bx, by, bz) = (b[0], b[1], b[2], b[3])
        return [
            aw * bw - ax * bx - ay * by - az * bz,
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
        ]
    }

    /// `quat_to_rotvec`: normalise, take the w ≥ 0 sign, angle = 2·atan2(|xyz|, w); 2·xyz when
    /// |xyz| < 1e-8. (The reference's `angle > π` branch cannot fire once w ≥ 0; kept anyway.)
    static func rotationVector(_ raw: [Double]) -> [Double] {
        let n = max(norm(raw), 1e-12)
        var q = raw.map { $0 / n }
        if q[0] < 0 { q = q.map { -$0 } }
        let w = min(max(q[0], -1), 1)
        let xyz = Array(q[1...])
        let sinHalf = norm(xyz)
        if sinHalf < 1e-8 { return xyz.map { 2 * $0 } }
        var angle = 2 * atan2(sinHalf, w)
        if angle > Double.pi { angle -= 2 * Double.pi }
        return xyz.map { $0 / sinHalf * angle }
    }
}
