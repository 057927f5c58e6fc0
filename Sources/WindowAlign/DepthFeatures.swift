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
    ///    `[mean, std, min, max]` and an 8×8 INTER_AREA grid; zeros without confidence.
    public static func frameFeatures(depth: [Float], width: Int, height: Int, confidence: [UInt8]?,
                                     depthMin: Double = defaultDepthMin, depthMax: Double = defaultDepthMax,
                                     confidenceScaling: ConfidenceScaling = .perFrame) throws(WindowAlignError) -> [Float] {
        guard width >= gridSize, height >= gridSize else {
            throw .invalidArgument(what: "depth frame", detail: "must be at least \(gridSize)×\(gridSize), found \(width)×\(height)")
        }
        let n = width * height
        guard depth.count == n else { throw .shapeMismatch(what: "depth frame of \(width)×\(height)", expected: n, found: depth.count) }
        if let confidence, confidence.count != n {
            throw .shapeMismatch(what: "confidence frame of \(width)×\(height)", expected: n, found: confidence.count)
        }
        var out = [Float](repeating: 0, count: dimension)

        // 1. Stats over the valid depths.
        var valid = [Float]()
        valid.reserveCapacity(n)
        for v in depth where v.isFinite && v > 0 { valid.append(v) }
        if !valid.isEmpty {
            var sum = 0.0, mn = Double.infinity, mx = -Double.infinity
            for v in valid {
                let d = Double(v)
                sum += d
                if d < mn { mn = d }
                if d > mx { mx = d }
            }
            let mean = sum / Double(valid.count)
            var ss = 0.0
            for v in valid { let d = Double(v) - mean; ss += d * d }
            out[0] = Float(mean)
            out[1] = Float((ss / Double(valid.count)).squareRoot())
            out[2] = Float(mn)
            out[3] = Float(mx)
            out[4] = Float(selectPercentile(&valid, 10))
            out[5] = Float(selectPercentile(&valid, 50))
            out[6] = Float(selectPercentile(&valid, 90))
            out[7] = Float(Double(valid.count) / Double(n))
        }

        // 2. Normalised depth grid (Float32 like the reference's arrays).
        let lo = Float(depthMin)
        let span = Float(max(depthMax - depthMin, 1e-6))
        var norm = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var v = depth[i]
            if v.isNaN { v = 0 } else if v == .infinity { v = .greatestFiniteMagnitude } else if v == -.infinity { v = -.greatestFiniteMagnitude }
            norm[i] = min(max((v - lo) / span, 0), 1)
        }
        let dGrid = try areaResize(norm, width: width, height: height, channels: 1, toWidth: gridSize, toHeight: gridSize)
        out.replaceSubrange(8..<72, with: dGrid)

        // 3. Confidence.
        guard let confidence else { return out }
        let factor: Float
        switch confidenceScaling {
        case .perFrame: factor = (confidence.max() ?? 0) > 1 ? Float(1) / 255 : 1
        case .fixed(let f): factor = Float(f)
        }
        var c = [Float](repeating: 0, count: n)
        var sum = 0.0, mn = Double.infinity, mx = -Double.infinity
        for i in 0..<n {
            let v = min(max(Float(confidence[i]) * factor, 0), 1)
            c[i] = v
            let d = Double(v)
            sum += d
            if d < mn { mn = d }
            if d > mx { mx = d }
        }
        let mean = sum / Double(n)
        var ss = 0.0
        for v in c { let d = Double(v) - mean; ss += d * d }
        out[72] = Float(mean)
        out[73] = Float((ss / Double(n)).squareRoot())
        out[74] = Float(mn)
        out[75] = Float(mx)
        let cGrid = try areaResize(c, width: width, height: height, channels: 1, toWidth: gridSize, toHeight: gridSize)
        out.replaceSubrange(76..<140, with: cGrid)
        return out
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
