/// How confidence values are brought to [0, 1].
public enum ConfidenceScaling: Sendable, Hashable {
    /// The reference: divide by 255 when this frame's maximum exceeds 1, else keep.
    /// A dim frame whose values are all ≤ 1 is therefore scaled differently from its neighbours.
    case perFrame
    /// One factor for the whole episode (strict protocol), e.g. `1/255` for UInt8 confidence.
    case fixed(Double)

    /// The episode-wide factor the per-frame rule would pick on the episode's maximum.
    public static func episode(maxConfidence: Double) -> ConfidenceScaling {
        .fixed(maxConfidence > 1 ? 1.0 / 255 : 1)
    }
}

/// How the confidence minimum is taken.
public enum ConfidenceMinimum: String, Sendable, Hashable, Codable {
    /// The reference's `c.min(initial=0)`: numpy's `initial` joins the reduction, so the
    /// minimum of non-negative confidence is always 0 (the column carries no information).
    /// `c.max(initial=0)` is unaffected for non-negative values.
    case numpyInitialZero = "numpy-initial-0"
    /// The true minimum over the frame (strict).
    case observed
}

/// Per-frame depth features of the reference (`depth_frame_features`, 140 values):
/// `[d_stats8, d_grid64, c_stats4, c_grid64]`.
public enum DepthFeatures {
    /// Values per frame.
    public static let dimension = 140
    /// Side of the depth and confidence grids.
    public static let gridSize = 8
    /// Reference defaults when `depth/depth_min` / `depth/depth_max` are absent (metres).
    public static let defaultDepthMin: Double = 0
    public static let defaultDepthMax: Double = 4

    /// The 140 features of one depth frame (`width × height` Float32 metres, 0 = invalid) and
    /// its optional confidence (same size).
    ///
    /// 1. valid = finite and > 0; `[mean, std, min, max, p10, p50, p90, valid fraction]` over the
    ///    valid depths (percentiles interpolated linearly), zeros when none is valid;
    /// 2. `clip((nan_to_num(d) − dmin) / max(dmax − dmin, 1e-6), 0, 1)` → 8×8 INTER_AREA grid;
    /// 3. confidence scaled per `confidenceScaling` and clipped to [0, 1] →
    ///    `[mean, std, min, max]` and an 8×8 INTER_AREA grid; zeros without confidence. The
    ///    minimum follows `confidenceMinimum` (the reference's is always 0).
    public static func frameFeatures(depth: [Float], width: Int, height: Int, confidence: [UInt8]?,
                                     depthMin: Double = defaultDepthMin, depthMax: Double = defaultDepthMax,
                                     confidenceScaling: ConfidenceScaling = .perFrame,
                                     confidenceMinimum: ConfidenceMinimum = .numpyInitialZero) throws(WindowAlignError) -> [Float] {
        let extractor = DepthFeatureExtractor(depthMin: depthMin, depthMax: depthMax, confidenceScaling: confidenceScaling,
                                              confidenceMinimum: confidenceMinimum)
        return try extractor.features(depth: depth, width: width, height: height, confidence: confidence)
    }
}

/// Computes `DepthFeatures` frame after frame, reusing its scratch buffers (a depth frame
/// needs about 1 MB of them), which matters over thousands of frames. Not thread-safe: use
/// one extractor per thread.
public final class DepthFeatureExtractor {
    public let depthMin: Double
    public let depthMax: Double
    public let confidenceScaling: ConfidenceScaling
    public let confidenceMinimum: ConfidenceMinimum
    private var valid: [Float] = []
    private var norm: [Float] = []
    private var conf: [Float] = []
    private var histogram = [Int32](repeating: 0, count: 1 << 15)
    private var marks = [Int8](repeating: -1, count: 1 << 15)

    public init(depthMin: Double = DepthFeatures.defaultDepthMin, depthMax: Double = DepthFeatures.defaultDepthMax,
                confidenceScaling: ConfidenceScaling = .perFrame, confidenceMinimum: ConfidenceMinimum = .numpyInitialZero) {
        self.depthMin = depthMin
        self.depthMax = depthMax
        self.confidenceScaling = confidenceScaling
        self.confidenceMinimum = confidenceMinimum
    }

    /// The 140 features of one frame; see `DepthFeatures.frameFeatures`.
    public func features(depth: [Float], width: Int, height: Int, confidence: [UInt8]?) throws(WindowAlignError) -> [Float] {
        try features(depth: depth[...], width: width, height: height, confidence: confidence?[...])
    }

    /// The same, on slices of a block of frames, so a frame is not copied out of its block.
    public func features(depth: ArraySlice<Float>, width: Int, height: Int, confidence: ArraySlice<UInt8>?) throws(WindowAlignError) -> [Float] {
        let gridSize = DepthFeatures.gridSize
        guard width >= gridSize, height >= gridSize else {
            throw .invalidArgument(what: "depth frame", detail: "must be at least \(gridSize)×\(gridSize), found \(width)×\(height)")
        }
        let n = width * height
        guard depth.count == n else { throw .shapeMismatch(what: "depth frame of \(width)×\(height)", expected: n, found: depth.count) }
        if let confidence, confidence.count != n {
            throw .shapeMismatch(what: "confidence frame of \(width)×\(height)", expected: n, found: confidence.count)
        }
        if valid.count != n {
            valid = [Float](repeating: 0, count: n)
            norm = [Float](repeating: 0, count: n)
            conf = [Float](repeating: 0, count: n)
        }
        var out = [Float](repeating: 0, count: DepthFeatures.dimension)

        // One pass over the depth: collect the valid values with their sum, min and max, and
        // build the normalised map (Float32 like the reference's arrays).
        let lo = Float(depthMin)
        let span = Float(max(depthMax - depthMin, 1e-6))
        var validCount = 0
        var sum = 0.0
        var mnF = Float.infinity, mxF = -Float.infinity
        depth.withUnsafeBufferPointer { d in
            valid.withUnsafeMutableBufferPointer { vb in
                norm.withUnsafeMutableBufferPointer { nb in
                    for i in 0..<n {
                        var v = d[i]
                        if v.isFinite {
                            if v > 0 {
                                vb[validCount] = v
                                validCount += 1
                                sum += Double(v)
                                mnF = min(mnF, v)
                                mxF = max(mxF, v)
                            }
                        } else {
                            // nan_to_num: NaN → 0, ±inf → ±greatest finite.
                            v = v.isNaN ? 0 : (v > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude)
                        }
                        nb[i] = min(max((v - lo) / span, 0), 1)
                    }
                }
            }
        }
        // 1. Stats over the valid depths.
        if validCount > 0 {
            let mean = sum / Double(validCount)
            var ss = 0.0
            valid.withUnsafeBufferPointer { vb in
                for v in vb[0..<validCount] { let d = Double(v) - mean; ss += d * d }
            }
            let p = valid.withUnsafeBufferPointer { vb in
                positivePercentiles(UnsafeBufferPointer(rebasing: vb[0..<validCount]), [10, 50, 90],
                                    histogram: &histogram, marks: &marks)
            }
            out[0] = Float(mean)
            out[1] = Float((ss / Double(validCount)).squareRoot())
            out[2] = mnF
            out[3] = mxF
            out[4] = Float(p[0])
            out[5] = Float(p[1])
            out[6] = Float(p[2])
            out[7] = Float(Double(validCount) / Double(n))
        }

        // 2. Normalised depth grid.
        let dGrid = try shrink(norm, width: width, height: height, toWidth: gridSize, toHeight: gridSize)
        out.replaceSubrange(8..<72, with: dGrid)

        // 3. Confidence.
        guard let confidence else { return out }
        let factor: Float
        switch confidenceScaling {
        case .perFrame: factor = (confidence.max() ?? 0) > 1 ? Float(1) / 255 : 1
        case .fixed(let f): factor = Float(f)
        }
        // 256 possible inputs: tabulate the scaled values and count occurrences, so the stats
        // cost one pass of table lookups.
        var table = [Float](repeating: 0, count: 256)
        for u in 0..<256 { table[u] = min(max(Float(u) * factor, 0), 1) }
        var counts = [Int](repeating: 0, count: 256)
        confidence.withUnsafeBufferPointer { cb in
            conf.withUnsafeMutableBufferPointer { out in
                for i in 0..<n {
                    let u = Int(cb[i])
                    counts[u] += 1
                    out[i] = table[u]
                }
            }
        }
        var csum = 0.0, cmin = Double.infinity, cmax = -Double.infinity
        for u in 0..<256 where counts[u] > 0 {
            let v = Double(table[u])
            csum += v * Double(counts[u])
            cmin = min(cmin, v)
            cmax = max(cmax, v)
        }
        let cmean = csum / Double(n)
        var css = 0.0
        for u in 0..<256 where counts[u] > 0 {
            let d = Double(table[u]) - cmean
            css += d * d * Double(counts[u])
        }
        out[72] = Float(cmean)
        out[73] = Float((css / Double(n)).squareRoot())
        switch confidenceMinimum {
        case .numpyInitialZero:
            out[74] = Float(min(cmin, 0))
            out[75] = Float(max(cmax, 0))
        case .observed:
            out[74] = Float(cmin)
            out[75] = Float(cmax)
        }
        let cGrid = try shrink(conf, width: width, height: height, toWidth: gridSize, toHeight: gridSize)
        out.replaceSubrange(76..<140, with: cGrid)
        return out
    }
}

/// NumPy linear-interpolated percentiles of positive finite values (non-empty), for several
/// q at once in two linear passes: positive Float32 bit patterns sort like the values, so a
/// histogram over the top 16 bits finds the bucket of every needed order statistic; only
/// those buckets are gathered and sorted. Much faster than sorting for depth frames.
func positivePercentiles(_ values: [Float], _ qs: [Double]) -> [Double] {
    var histogram = [Int32](repeating: 0, count: 1 << 15)
    var marks = [Int8](repeating: -1, count: 1 << 15)
    return values.withUnsafeBufferPointer { positivePercentiles($0, qs, histogram: &histogram, marks: &marks) }
}

/// `positivePercentiles` with caller-owned scratch: `histogram` (2^15 zeros) and `marks`
/// (2^15 × −1) are used and handed back in the same state.
func positivePercentiles(_ values: UnsafeBufferPointer<Float>, _ qs: [Double],
                         histogram: inout [Int32], marks: inout [Int8]) -> [Double] {
    let n = values.count
    guard n > 0 else { return qs.map { _ in 0 } }
    // Ranks needed: floor(pos) and floor(pos) + 1 for each q.
    var ranks: [Int] = []
    for q in qs {
        let pos = q / 100 * Double(n - 1)
        let lo = Int(pos.rounded(.down))
        ranks.append(lo)
        ranks.append(min(lo + 1, n - 1))
    }
    // Positive floats have the sign bit clear, so the top 16 bits fit 2^15 buckets.
    histogram.withUnsafeMutableBufferPointer { h in
        for x in values { h[Int(x.bitPattern >> 16)] &+= 1 }
    }
    // Bucket and in-bucket offset of each rank.
    let order = ranks.indices.sorted { ranks[$0] < ranks[$1] }
    var bucketOf = [Int](repeating: 0, count: ranks.count)
    var offsetIn = [Int](repeating: 0, count: ranks.count)
    var cumulative = 0
    var bucket = 0
    for idx in order {
        let r = ranks[idx]
        while cumulative + Int(histogram[bucket]) <= r {
            cumulative += Int(histogram[bucket])
            bucket += 1
        }
        bucketOf[idx] = bucket
        offsetIn[idx] = r - cumulative
    }
    // Gather and sort the few buckets involved.
    let needed = Array(Set(bucketOf)).sorted()
    var slot = [Int: Int]()
    for (i, b) in needed.enumerated() { slot[b] = i }
    var gathered = needed.map { b -> [Float] in
        var a = [Float]()
        a.reserveCapacity(Int(histogram[b]))
        return a
    }
    for (i, b) in needed.enumerated() { marks[b] = Int8(i) }
    marks.withUnsafeBufferPointer { mk in
        for x in values {
            let m = mk[Int(x.bitPattern >> 16)]
            if m >= 0 { gathered[Int(m)].append(x) }
        }
    }
    // Hand the scratch back clean: zero counts, no marks.
    for b in needed { marks[b] = -1 }
    histogram.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    for i in gathered.indices { gathered[i].sort() }
    var stat = [Double](repeating: 0, count: ranks.count)
    for idx in ranks.indices {
        stat[idx] = Double(gathered[slot[bucketOf[idx]] ?? 0][offsetIn[idx]])
    }
    return qs.indices.map { i in
        let pos = qs[i] / 100 * Double(n - 1)
        let frac = pos - pos.rounded(.down)
        let a = stat[2 * i], b = stat[2 * i + 1]
        let diff = b - a
        return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac
    }
}

/// NumPy linear-interpolated percentile of `values` (non-empty) by selection, in O(n) on
/// average; reorders `values`.
func selectPercentile(_ values: inout [Float], _ q: Double) -> Double {
    let n = values.count
    if n == 1 { return Double(values[0]) }
    let pos = q / 100 * Double(n - 1)
    let lo = Int(pos.rounded(.down))
    let frac = pos - Double(lo)
    let a = Double(quickSelect(&values, lo))
    var b = a
    if lo + 1 < n {
        // After selection everything right of lo is ≥ values[lo]; the next order statistic is
        // the smallest of them.
        var m = values[lo + 1]
        for i in (lo + 2)..<max(lo + 2, n) where values[i] < m { m = values[i] }
        b = Double(m)
    }
    let diff = b - a
    return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac
}

/// Hoare-style quickselect with median-of-three pivots: puts the k-th smallest at index k,
/// smaller or equal values left of it, greater or equal values right of it.
func quickSelect(_ a: inout [Float], _ k: Int) -> Float {
    var lo = 0, hi = a.count - 1
    a.withUnsafeMutableBufferPointer { p in
        while hi > lo {
            let mid = lo + (hi - lo) / 2
            // Median of three to the middle.
            if p[mid] < p[lo] { p.swapAt(mid, lo) }
            if p[hi] < p[lo] { p.swapAt(hi, lo) }
            if p[hi] < p[mid] { p.swapAt(hi, mid) }
            let pivot = p[mid]
            var i = lo, j = hi
            while i <= j {
                while p[i] < pivot { i += 1 }
                while p[j] > pivot { j -= 1 }
                if i <= j {
                    p.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { break }
        }
    }
    return a[k]
}
