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

    /// OpenCV's `resizeAreaFast_` for 8-bit data (see `AreaRowAccumulator`, which holds the one
    /// implementation, fed here with the whole frame as a single band).
    static func blockMeansU8(_ src: UnsafePointer<UInt8>, stride: Int, plan: AreaResizePlan, fx: Int, fy: Int,
                             dst: UnsafeMutablePointer<UInt8>) {
        let rows = AreaRowAccumulator(plan: plan)
        rows.begin(into: .bytes(dst))
        rows.consume(src, stride: stride, rows: plan.sourceHeight)
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

    /// OpenCV's `ResizeArea_Invoker` (8-bit in, Float32 work type, saturating round at the end),
    /// through `AreaRowAccumulator` with the whole frame as one band.
    static func generalU8(_ src: UnsafePointer<UInt8>, stride: Int, plan: AreaResizePlan,
                          dst: UnsafeMutablePointer<UInt8>) {
        let rows = AreaRowAccumulator(plan: plan)
        rows.begin(into: .bytes(dst))
        rows.consume(src, stride: stride, rows: plan.sourceHeight)
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

/// Streams the 8-bit source rows of one image through an `AreaResizePlan`, top to bottom, in
/// bands of any height. A decoder can then convert a frame band by band into a small buffer
/// that stays in cache and shrink it as it goes, instead of writing a full-size RGB image to
/// memory and reading it back. The arithmetic and its order are exactly those of OpenCV's
/// kernels (and of `AreaResizePlan.apply`, which runs through this type with one band), so the
/// result is bit-identical however the rows are cut.
///
/// Integer factors: per destination row, 16-bit (or 32-bit) column sums over its `fy` source
/// rows, then `fx`-wide block sums, `sum * (1/area)` rounded half to even (`(sum + 2) >> 2` for
/// 2×2, OpenCV's SIMD formula). Other factors: OpenCV's `ResizeArea_Invoker` — each vertical tap
/// combines one source row horizontally (Float32), and rows are accumulated with their weights;
/// the taps' source rows never decrease, so each band consumes a contiguous run of taps.
public final class AreaRowAccumulator {
    /// Where the destination pixels go: saturated bytes (OpenCV's result) or the unrounded
    /// Float32 means (for callers that convert afterwards, e.g. YUV means to RGB).
    public enum Output {
        case bytes(UnsafeMutablePointer<UInt8>)
        case floats(UnsafeMutablePointer<Float>)
    }

    public let plan: AreaResizePlan
    private let rowLen: Int
    private let width: Int
    private let narrow: Bool
    private let acc32: UnsafeMutablePointer<UInt32>
    private let acc16: UnsafeMutablePointer<UInt16>
    private let buf: UnsafeMutablePointer<Float>
    private let sum: UnsafeMutablePointer<Float>
    private var output: Output? = nil
    /// The next source row `consume` expects.
    public private(set) var nextRow = 0
    // Integer path: rows summed into the current destination row, and its index.
    private var rowsInBlock = 0
    private var blockRow = 0
    // General path: the next vertical tap, the destination row being accumulated.
    private var tap = 0
    private var prevDy = 0

    public init(plan: AreaResizePlan) {
        self.plan = plan
        rowLen = plan.sourceWidth * plan.channels
        width = plan.destinationWidth * plan.channels
        // Column sums fit in 16 bits while fy·255 does (fy ≤ 257), which halves memory traffic
        // and doubles the SIMD width of the hot loop; larger blocks use 32 bits.
        narrow = plan.integerFactors.map { $0.y * 255 <= Int(UInt16.max) } ?? false
        acc32 = .allocate(capacity: max(rowLen, 1))
        acc16 = .allocate(capacity: max(rowLen, 1))
        buf = .allocate(capacity: max(width, 1))
        sum = .allocate(capacity: max(width, 1))
    }

    deinit {
        acc32.deallocate()
        acc16.deallocate()
        buf.deallocate()
        sum.deallocate()
    }

    /// Starts a new image whose destination pixels go to `output` (`destinationWidth ×
    /// destinationHeight × channels` values, rows packed).
    public func begin(into output: Output) {
        self.output = output
        nextRow = 0
        rowsInBlock = 0
        blockRow = 0
        tap = 0
        prevDy = plan.yTaps.first?.destination ?? 0
        sum.initialize(repeating: 0, count: width)
    }

    /// Adds the next `rows` source rows (row `nextRow` first; row r of the band starts at
    /// `src + r * stride`, each holding `sourceWidth * channels` bytes). The last destination
    /// row is written when the last source row has been consumed. Rows past the image are ignored.
    public func consume(_ src: UnsafePointer<UInt8>, stride: Int, rows: Int) {
        guard let output else { return }
        let count = min(rows, plan.sourceHeight - nextRow)
        guard count > 0 else { return }
        if let f = plan.integerFactors {
            consumeBlocks(src, stride: stride, rows: count, fx: f.x, fy: f.y, output: output)
        } else {
            consumeTaps(src, stride: stride, rows: count, output: output)
        }
        nextRow += count
        if nextRow == plan.sourceHeight, plan.integerFactors == nil, !plan.yTaps.isEmpty {
            store(prevDy, output)
        }
    }

    private func consumeBlocks(_ src: UnsafePointer<UInt8>, stride: Int, rows: Int, fx: Int, fy: Int, output: Output) {
        let rowLen = self.rowLen
        for r in 0..<rows {
            let row = src + r * stride
            if narrow {
                if rowsInBlock == 0 { acc16.initialize(repeating: 0, count: rowLen) }
                let acc = acc16
                for i in 0..<rowLen { acc[i] &+= UInt16(row[i]) }
            } else {
                if rowsInBlock == 0 { acc32.initialize(repeating: 0, count: rowLen) }
                let acc = acc32
                for i in 0..<rowLen { acc[i] &+= UInt32(row[i]) }
            }
            rowsInBlock += 1
            if rowsInBlock == fy {
                emitBlockRow(fx: fx, fy: fy, output: output)
                rowsInBlock = 0
                blockRow += 1
            }
        }
    }

    private func emitBlockRow(fx: Int, fy: Int, output: Output) {
        let cn = plan.channels
        let dw = plan.destinationWidth
        let area = fx * fy
        let scale: Float = 1 / Float(area)
        if narrow {
            for i in 0..<rowLen { acc32[i] = UInt32(acc16[i]) }
        }
        let acc = acc32
        for dx in 0..<dw {
            for c in 0..<cn {
                var s: UInt32 = 0
                var i = dx * fx * cn + c
                for _ in 0..<fx {
                    s &+= acc[i]
                    i += cn
                }
                let o = blockRow * dw * cn + dx * cn + c
                switch output {
                case .bytes(let d):
                    d[o] = area == 4 ? UInt8(truncatingIfNeeded: (s + 2) >> 2) : saturateU8(Float(s) * scale)
                case .floats(let d):
                    d[o] = Float(s) * scale
                }
            }
        }
    }

    private func consumeTaps(_ src: UnsafePointer<UInt8>, stride: Int, rows: Int, output: Output) {
        let taps = plan.yTaps
        let end = nextRow + rows
        let cn = plan.channels
        while tap < taps.count, taps[tap].source < end {
            let t = taps[tap]
            tap += 1
            guard t.source >= nextRow else { continue }  // not reachable: taps' rows never decrease
            buf.initialize(repeating: 0, count: width)
            let s = src + (t.source - nextRow) * stride
            for x in plan.xTaps {
                for c in 0..<cn {
                    buf[x.destination + c] = buf[x.destination + c] + Float(s[x.source + c]) * x.weight
                }
            }
            let beta = t.weight
            if t.destination != prevDy {
                store(prevDy, output)
                for i in 0..<width { sum[i] = beta * buf[i] }
                prevDy = t.destination
            } else {
                for i in 0..<width { sum[i] += beta * buf[i] }
            }
        }
    }

    private func store(_ dy: Int, _ output: Output) {
        switch output {
        case .bytes(let d):
            let row = d + dy * width
            for i in 0..<width { row[i] = saturateU8(sum[i]) }
        case .floats(let d):
            let row = d + dy * width
            for i in 0..<width { row[i] = sum[i] }
        }
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
