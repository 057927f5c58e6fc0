// Pixel-area downscaling that reproduces OpenCV's `cv::resize(..., INTER_AREA)` for shrinking.
//
// The reference feature pipeline resizes every decoded frame (and depth maps) with INTER_AREA, so
// parity needs OpenCV's arithmetic, not just "an average": the same weight tables, the same Float32
// operation order and the same rounding (round half to even, saturating). OpenCV picks one of two
// algorithms:
//
// * Integer factors (`src/dst` exactly integral on both axes): every destination pixel is the mean
//   of its `fx × fy` block, computed as `sum * (1/area)` in Float32 (integer sum for 8-bit input)
//   and rounded. For 2×2 on 8-bit data OpenCV's SIMD kernel computes `(sum + 2) >> 2` instead; we
//   do the same.
// * Otherwise: each destination column `dx` covers the source interval `[dx·sx, (dx+1)·sx)` with
//   `sx = src/dst`. Source pixels fully inside get weight `1/sx`; the partially covered pixels at
//   either edge get weight `covered fraction / sx`. Rows work the same way. Columns are combined
//   first for each source row, then rows are accumulated with their weights (all Float32).

/// A precomputed INTER_AREA downscale from one size to another, reusable across frames.
///
/// Building the plan computes OpenCV's weight tables once; `apply` then only does arithmetic.
public struct AreaResizePlan: Sendable, Equatable {
    public let sourceWidth: Int
    public let sourceHeight: Int
    public let destinationWidth: Int
    public let destinationHeight: Int
    /// Interleaved channels per pixel (1 for grey or depth, 3 for RGB).
    public let channels: Int
    /// The integer block size when both factors are exact integers (OpenCV's fast path), else nil.
    public let integerFactors: (x: Int, y: Int)?

    struct Tap: Sendable, Equatable {
        var destination: Int  // destination index (already multiplied by channels for x)
        var source: Int  // source index (already multiplied by channels for x)
        var weight: Float
    }
    let xTaps: [Tap]
    let yTaps: [Tap]

    public static func == (a: AreaResizePlan, b: AreaResizePlan) -> Bool {
        a.sourceWidth == b.sourceWidth && a.sourceHeight == b.sourceHeight
            && a.destinationWidth == b.destinationWidth && a.destinationHeight == b.destinationHeight
            && a.channels == b.channels
    }

    /// Plans a downscale of a `sourceWidth × sourceHeight` image with `channels` interleaved
    /// channels to `destinationWidth × destinationHeight`.
    ///
    /// Throws `MediaError.invalidArgument` for empty sizes or an enlargement on either axis
    /// (INTER_AREA only averages when shrinking; OpenCV switches to a bilinear variant otherwise).
    public init(sourceWidth: Int, sourceHeight: Int, destinationWidth: Int, destinationHeight: Int,
                channels: Int = 1) throws(MediaError) {
        guard sourceWidth > 0, sourceHeight > 0, destinationWidth > 0, destinationHeight > 0,
              channels > 0 else {
            throw .invalidArgument(path: "area resize",
                detail: "expected positive sizes and channels, found \(sourceWidth)×\(sourceHeight)×\(channels) → \(destinationWidth)×\(destinationHeight)")
        }
        guard destinationWidth <= sourceWidth, destinationHeight <= sourceHeight else {
            throw .invalidArgument(path: "area resize",
                detail: "INTER_AREA here only shrinks; \(sourceWidth)×\(sourceHeight) → \(destinationWidth)×\(destinationHeight) enlarges an axis")
        }
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.destinationWidth = destinationWidth
        self.destinationHeight = destinationHeight
        self.channels = channels
        // OpenCV derives the scale as 1 / (dst/src), not src/dst; the two can differ in the last
        // bit, and the fast-path test compares against the integer with DBL_EPSILON.
        let scaleX = 1.0 / (Double(destinationWidth) / Double(sourceWidth))
        let scaleY = 1.0 / (Double(destinationHeight) / Double(sourceHeight))
        let ix = Int(scaleX.rounded()), iy = Int(scaleY.rounded())
        if abs(scaleX - Double(ix)) < Double.ulpOfOne, abs(scaleY - Double(iy)) < Double.ulpOfOne {
            integerFactors = (ix, iy)
            xTaps = []
            yTaps = []
        } else {
            integerFactors = nil
            xTaps = Self.taps(source: sourceWidth, destination: destinationWidth, channels: channels, scale: scaleX)
            yTaps = Self.taps(source: sourceHeight, destination: destinationHeight, channels: 1, scale: scaleY)
        }
    }

    /// OpenCV's `computeResizeAreaTab`.
    static func taps(source: Int, destination: Int, channels: Int, scale: Double) -> [Tap] {
        var taps: [Tap] = []
        taps.reserveCapacity(source * 2)
        for dx in 0..<destination {
            let fsx1 = Double(dx) * scale
            let fsx2 = fsx1 + scale
            let cellWidth = min(scale, Double(source) - fsx1)
            var sx1 = Int(fsx1.rounded(.up))
            var sx2 = Int(fsx2.rounded(.down))
            sx2 = min(sx2, source - 1)
            sx1 = min(sx1, sx2)
            if Double(sx1) - fsx1 > 1e-3 {
                taps.append(Tap(destination: dx * channels, source: (sx1 - 1) * channels,
                                weight: Float((Double(sx1) - fsx1) / cellWidth)))
            }
            if sx1 < sx2 {
                for sx in sx1..<sx2 {
                    taps.append(Tap(destination: dx * channels, source: sx * channels, weight: Float(1.0 / cellWidth)))
                }
            }
            if fsx2 - Double(sx2) > 1e-3 {
                taps.append(Tap(destination: dx * channels, source: sx2 * channels,
                                weight: Float(min(min(fsx2 - Double(sx2), 1.0), cellWidth) / cellWidth)))
            }
        }
        return taps
    }

    var sourceCount: Int { sourceWidth * sourceHeight * channels }
    var destinationCount: Int { destinationWidth * destinationHeight * channels }

    /// Resizes 8-bit interleaved pixels (row stride `sourceWidth * channels`).
    /// Throws `MediaError.invalidArgument` when the buffer does not hold exactly one image.
    public func apply(_ source: UnsafeBufferPointer<UInt8>) throws(MediaError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: destinationCount)
        try out.withUnsafeMutableBufferPointer { (o) throws(MediaError) in
            try apply(source, into: o, sourceRowStride: sourceWidth * channels)
        }
        return out
    }

    /// Resizes 8-bit interleaved pixels whose rows are `sourceRowStride` bytes apart into
    /// `destination` (tightly packed, `destinationWidth * channels` per row).
    public func apply(_ source: UnsafeBufferPointer<UInt8>, into destination: UnsafeMutableBufferPointer<UInt8>,
                      sourceRowStride: Int) throws(MediaError) {
        let rowBytes = sourceWidth * channels
        guard sourceRowStride >= rowBytes,
              source.count >= sourceRowStride * (sourceHeight - 1) + rowBytes,
              destination.count >= destinationCount,
              let src = source.baseAddress, let dst = destination.baseAddress else {
            throw .invalidArgument(path: "area resize",
                detail: "expected a \(sourceWidth)×\(sourceHeight)×\(channels) source (stride \(sourceRowStride)) and \(destinationCount) output bytes, found \(source.count) and \(destination.count)")
        }
        if let f = integerFactors {
            Self.blockMeansU8(src, stride: sourceRowStride, plan: self, fx: f.x, fy: f.y, dst: dst)
        } else {
            Self.generalU8(src, stride: sourceRowStride, plan: self, dst: dst)
        }
    }

    /// Resizes Float32 interleaved values (row stride `sourceWidth * channels`), e.g. depth maps.
    public func apply(_ source: UnsafeBufferPointer<Float>) throws(MediaError) -> [Float] {
        guard source.count == sourceCount, let src = source.baseAddress else {
            throw .invalidArgument(path: "area resize",
                detail: "expected \(sourceCount) Float values for \(sourceWidth)×\(sourceHeight)×\(channels), found \(source.count)")
        }
        var out = [Float](repeating: 0, count: destinationCount)
        out.withUnsafeMutableBufferPointer { o in
            guard let dst = o.baseAddress else { return }
            if let f = integerFactors {
                Self.blockMeansF32(src, plan: self, fx: f.x, fy: f.y, dst: dst)
            } else {
                Self.generalF32(src, plan: self, dst: dst)
            }
        }
        return out
    }

    // MARK: Kernels

    /// OpenCV's `resizeAreaFast_` for 8-bit data: integer block sums, `sum * (1/area)` in Float32,
    /// rounded half to even. Column sums are accumulated row by row first so the inner loop is a
    /// contiguous add the compiler vectorises.
    static func blockMeansU8(_ src: UnsafePointer<UInt8>, stride: Int, plan: AreaResizePlan, fx: Int, fy: Int,
                             dst: UnsafeMutablePointer<UInt8>) {
        let cn = plan.channels
        let rowLen = plan.sourceWidth * cn
        let dw = plan.destinationWidth
        let area = fx * fy
        let scale: Float = 1 / Float(area)
        // Column sums fit in 16 bits while fy·255 does (fy ≤ 257), which halves memory traffic and
        // doubles the SIMD width of the hot loop; larger blocks use 32 bits.
        let narrow = fy * 255 <= Int(UInt16.max)
        let acc = UnsafeMutablePointer<UInt32>.allocate(capacity: rowLen)
        let acc16 = UnsafeMutablePointer<UInt16>.allocate(capacity: rowLen)
        defer { acc.deallocate(); acc16.deallocate() }
        for dy in 0..<plan.destinationHeight {
            if narrow {
                acc16.initialize(repeating: 0, count: rowLen)
                for r in 0..<fy {
                    let row = src + (dy * fy + r) * stride
                    for i in 0..<rowLen { acc16[i] &+= UInt16(row[i]) }
                }
                for i in 0..<rowLen { acc[i] = UInt32(acc16[i]) }
            } else {
                acc.initialize(repeating: 0, count: rowLen)
                for r in 0..<fy {
                    let row = src + (dy * fy + r) * stride
                    for i in 0..<rowLen { acc[i] &+= UInt32(row[i]) }
                }
            }
            let out = dst + dy * dw * cn
            for dx in 0..<dw {
                for c in 0..<cn {
                    var s: UInt32 = 0
                    var i = dx * fx * cn + c
                    for _ in 0..<fx {
                        s &+= acc[i]
                        i += cn
                    }
                    if area == 4 {
                        out[dx * cn + c] = UInt8(truncatingIfNeeded: (s + 2) >> 2)
                    } else {
                        out[dx * cn + c] = saturateU8(Float(s) * scale)
                    }
                }
            }
        }
    }

    /// OpenCV's `resizeAreaFast_` for float data: the block is summed in row-major order in Float32,
    /// four taps at a time as OpenCV's unrolled loop does, then multiplied by `1/area`.
    static func blockMeansF32(_ src: UnsafePointer<Float>, plan: AreaResizePlan, fx: Int, fy: Int,
                              dst: UnsafeMutablePointer<Float>) {
        let cn = plan.channels
        let stride = plan.sourceWidth * cn
        let area = fx * fy
        let scale: Float = 1 / Float(area)
        var offsets = [Int]()
        offsets.reserveCapacity(area)
        for sy in 0..<fy { for sx in 0..<fx { offsets.append(sy * stride + sx * cn) } }
        offsets.withUnsafeBufferPointer { ofs in
            for dy in 0..<plan.destinationHeight {
                for dx in 0..<(plan.destinationWidth * cn) {
                    let base = src + dy * fy * stride + (dx / cn) * fx * cn + dx % cn
                    var sum: Float = 0
                    var k = 0
                    while k <= area - 4 {
                        sum += base[ofs[k]] + base[ofs[k + 1]] + base[ofs[k + 2]] + base[ofs[k + 3]]
                        k += 4
                    }
                    while k < area {
                        sum += base[ofs[k]]
                        k += 1
                    }
                    dst[dy * plan.destinationWidth * cn + dx] = sum * scale
                }
            }
        }
    }

    /// OpenCV's `ResizeArea_Invoker` (8-bit in, Float32 work type, saturating round at the end).
    static func generalU8(_ src: UnsafePointer<UInt8>, stride: Int, plan: AreaResizePlan,
                          dst: UnsafeMutablePointer<UInt8>) {
        let width = plan.destinationWidth * plan.channels
        generalCore(plan: plan, width: width,
                    row: { sy, buf in
                        let s = src + sy * stride
                        for t in plan.xTaps {
                            for c in 0..<plan.channels {
                                buf[t.destination + c] = buf[t.destination + c] + Float(s[t.source + c]) * t.weight
                            }
                        }
                    },
                    store: { dy, sum in
                        let d = dst + dy * width
                        for i in 0..<width { d[i] = saturateU8(sum[i]) }
                    })
    }

    /// OpenCV's `ResizeArea_Invoker` for float data.
    static func generalF32(_ src: UnsafePointer<Float>, plan: AreaResizePlan, dst: UnsafeMutablePointer<Float>) {
        let width = plan.destinationWidth * plan.channels
        let stride = plan.sourceWidth * plan.channels
        generalCore(plan: plan, width: width,
                    row: { sy, buf in
                        let s = src + sy * stride
                        for t in plan.xTaps {
                            for c in 0..<plan.channels {
                                buf[t.destination + c] = buf[t.destination + c] + s[t.source + c] * t.weight
                            }
                        }
                    },
                    store: { dy, sum in
                        let d = dst + dy * width
                        for i in 0..<width { d[i] = sum[i] }
                    })
    }

    /// The row loop shared by both element types: for each vertical tap, combine one source row
    /// horizontally into `buf`, then add `beta * buf` into the running destination row `sum`;
    /// a new destination row flushes the previous one.
    @inline(__always)
    static func generalCore(plan: AreaResizePlan, width: Int,
                            row: (Int, UnsafeMutablePointer<Float>) -> Void,
                            store: (Int, UnsafeMutablePointer<Float>) -> Void) {
        guard let first = plan.yTaps.first else { return }
        let buf = UnsafeMutablePointer<Float>.allocate(capacity: width)
        let sum = UnsafeMutablePointer<Float>.allocate(capacity: width)
        defer { buf.deallocate(); sum.deallocate() }
        sum.initialize(repeating: 0, count: width)
        var prevDy = first.destination
        for t in plan.yTaps {
            buf.initialize(repeating: 0, count: width)
            row(t.source, buf)
            let beta = t.weight
            if t.destination != prevDy {
                store(prevDy, sum)
                for i in 0..<width { sum[i] = beta * buf[i] }
                prevDy = t.destination
            } else {
                for i in 0..<width { sum[i] += beta * buf[i] }
            }
        }
        store(prevDy, sum)
    }
}

/// OpenCV's `saturate_cast<uchar>(float)`: round half to even, then clamp to 0...255.
@inline(__always)
func saturateU8(_ v: Float) -> UInt8 {
    let r = v.rounded(.toNearestOrEven)
    if !(r > 0) { return 0 }  // also maps NaN to 0, as cvRound's int conversion then clamp does in practice
    if r >= 255 { return 255 }
    return UInt8(r)
}

/// Downscales interleaved 8-bit pixels with OpenCV INTER_AREA semantics.
///
/// - Parameters:
///   - pixels: `width * height * channels` bytes, rows packed.
///   - width, height, channels: the source layout (channels 1 for grey, 3 for RGB).
///   - toWidth, toHeight: the destination size, no larger than the source on either axis.
/// - Returns: `toWidth * toHeight * channels` bytes.
///
/// ```swift
/// let small = try areaResize(rgb, width: 1088, height: 1280, channels: 3, toWidth: 32, toHeight: 32)
/// ```
public func areaResize(_ pixels: [UInt8], width: Int, height: Int, channels: Int,
                       toWidth: Int, toHeight: Int) throws(MediaError) -> [UInt8] {
    let plan = try AreaResizePlan(sourceWidth: width, sourceHeight: height,
                                  destinationWidth: toWidth, destinationHeight: toHeight, channels: channels)
    guard pixels.count == width * height * channels else {
        throw .invalidArgument(path: "area resize",
            detail: "expected \(width * height * channels) bytes for \(width)×\(height)×\(channels), found \(pixels.count)")
    }
    return try pixels.withUnsafeBufferPointer { (p) throws(MediaError) in try plan.apply(p) }
}

/// Downscales a single-channel Float32 map (a depth or confidence map) with OpenCV INTER_AREA
/// semantics, in OpenCV's Float32 arithmetic so results match `cv2.resize` on float32 arrays.
public func areaResize(_ values: [Float], width: Int, height: Int,
                       toWidth: Int, toHeight: Int) throws(MediaError) -> [Float] {
    let plan = try AreaResizePlan(sourceWidth: width, sourceHeight: height,
                                  destinationWidth: toWidth, destinationHeight: toHeight, channels: 1)
    return try values.withUnsafeBufferPointer { (p) throws(MediaError) in try plan.apply(p) }
}
