/// OpenCV `resize(..., INTER_AREA)` for shrinking interleaved images (row-major, `channels`
/// values per pixel), reproducing OpenCV's arithmetic so that results match bit for bit where
/// the operation order allows:
///
/// - When both scale factors are integers (`1280×1088 → 32×32` is 40×34, `256 → 8` is 32),
///   each output is the block sum times `1/area`, computed like OpenCV's `resizeAreaFast`:
///   an integer sum for UInt8 (rounded half to even back to UInt8), a Float32 sum otherwise.
///   UInt8 2×2 blocks use OpenCV's SIMD rounding `(sum + 2) >> 2`.
/// - Otherwise each source pixel contributes with its overlap weight (OpenCV `resizeArea`):
///   Float32 weights and accumulators, rows summed in OpenCV's order, UInt8 results rounded
///   half to even and saturated.
///
/// Enlarging is not an area operation (OpenCV switches to a bilinear variant); it is refused.
public func areaResize(_ src: [Float], width: Int, height: Int, channels: Int,
                       toWidth: Int, toHeight: Int) throws(WindowAlignError) -> [Float] {
    try checkResize(count: src.count, width: width, height: height, channels: channels, toWidth: toWidth, toHeight: toHeight)
    return src.withUnsafeBufferPointer { s in
        areaResizeCore(s, width: width, height: height, channels: channels, toWidth: toWidth, toHeight: toHeight,
                       fastBlock: { ptr, offsets, scale in
                           // OpenCV: float sum, unrolled by 4 as sum += ((a + b) + c) + d.
                           var sum: Float = 0
                           var k = 0
                           let area = offsets.count
                           while k <= area - 4 {
                               sum += ptr[offsets[k]] + ptr[offsets[k + 1]] + ptr[offsets[k + 2]] + ptr[offsets[k + 3]]
                               k += 4
                           }
                           while k < area { sum += ptr[offsets[k]]; k += 1 }
                           return sum * scale
                       },
                       toFloat: { $0 }, fromAccumulator: { $0 })
    }
}

/// `areaResize` for UInt8 images, with OpenCV's rounding back to UInt8 (see the Float overload).
public func areaResize(_ src: [UInt8], width: Int, height: Int, channels: Int,
                       toWidth: Int, toHeight: Int) throws(WindowAlignError) -> [UInt8] {
    try checkResize(count: src.count, width: width, height: height, channels: channels, toWidth: toWidth, toHeight: toHeight)
    let twoByTwo = width == 2 * toWidth && height == 2 * toHeight
    return src.withUnsafeBufferPointer { s in
        areaResizeCore(s, width: width, height: height, channels: channels, toWidth: toWidth, toHeight: toHeight,
                       fastBlock: { ptr, offsets, scale in
                           var sum = 0
                           for o in offsets { sum += Int(ptr[o]) }
                           if twoByTwo { return UInt8(clamping: (sum + 2) >> 2) }
                           return saturateUInt8(Float(sum) * scale)
                       },
                       toFloat: { Float($0) }, fromAccumulator: saturateUInt8)
    }
}

/// OpenCV `saturate_cast<uchar>(float)`: round half to even, then clamp to 0…255.
@inline(__always)
func saturateUInt8(_ v: Float) -> UInt8 {
    let r = v.rounded(.toNearestOrEven)
    if !(r > 0) { return 0 }  // also NaN → 0 (OpenCV's cvRound of NaN is undefined)
    if r >= 255 { return 255 }
    return UInt8(r)
}

private func checkResize(count: Int, width: Int, height: Int, channels: Int, toWidth: Int, toHeight: Int) throws(WindowAlignError) {
    guard width > 0, height > 0, channels > 0 else {
        throw .invalidArgument(what: "areaResize source", detail: "width, height and channels must be > 0, found \(width)×\(height)×\(channels)")
    }
    guard count == width * height * channels else {
        throw .shapeMismatch(what: "areaResize source of \(width)×\(height)×\(channels)", expected: width * height * channels, found: count)
    }
    guard toWidth > 0, toHeight > 0, toWidth <= width, toHeight <= height else {
        throw .invalidArgument(what: "areaResize target",
                               detail: "must be 1…\(width) × 1…\(height) (INTER_AREA shrinks), found \(toWidth)×\(toHeight)")
    }
}

/// One entry of OpenCV's `DecimateAlpha` table: output index, source index, weight.
private struct AreaTap {
    var di: Int
    var si: Int
    var alpha: Float
}

/// OpenCV `computeResizeAreaTab`: the overlap weights of source cells on each output cell.
private func resizeAreaTable(sourceSize ssize: Int, destSize dsize: Int, channels cn: Int, scale: Double) -> [AreaTap] {
    var tab: [AreaTap] = []
    tab.reserveCapacity(ssize * 2)
    for dx in 0..<dsize {
        let fsx1 = Double(dx) * scale
        let fsx2 = fsx1 + scale
        let cellWidth = min(scale, Double(ssize) - fsx1)
        var sx1 = Int(fsx1.rounded(.up))
        var sx2 = Int(fsx2.rounded(.down))
        sx2 = min(sx2, ssize - 1)
        sx1 = min(sx1, sx2)
        if Double(sx1) - fsx1 > 1e-3 {
            tab.append(AreaTap(di: dx * cn, si: (sx1 - 1) * cn, alpha: Float((Double(sx1) - fsx1) / cellWidth)))
        }
        if sx1 < sx2 {
            for sx in sx1..<sx2 {
                tab.append(AreaTap(di: dx * cn, si: sx * cn, alpha: Float(1.0 / cellWidth)))
            }
        }
        if fsx2 - Double(sx2) > 1e-3 {
            tab.append(AreaTap(di: dx * cn, si: sx2 * cn,
                               alpha: Float(min(min(fsx2 - Double(sx2), 1.0), cellWidth) / cellWidth)))
        }
    }
    return tab
}

/// Shared driver: chooses OpenCV's fast (integer factor) or general path.
private func areaResizeCore<T>(
    _ src: UnsafeBufferPointer<T>, width: Int, height: Int, channels cn: Int, toWidth: Int, toHeight: Int,
    fastBlock: (UnsafeBufferPointer<T>, [Int], Float) -> T,
    toFloat: (T) -> Float, fromAccumulator: (Float) -> T
) -> [T] {
    // OpenCV derives the scale as 1/(dst/src) in double and calls it integral only when it
    // is within DBL_EPSILON of its rounding.
    let scaleX = 1.0 / (Double(toWidth) / Double(width))
    let scaleY = 1.0 / (Double(toHeight) / Double(height))
    let iScaleX = Int(scaleX.rounded(.toNearestOrEven))
    let iScaleY = Int(scaleY.rounded(.toNearestOrEven))
    let isFast = abs(scaleX - Double(iScaleX)) < Double.ulpOfOne && abs(scaleY - Double(iScaleY)) < Double.ulpOfOne

    let rowStride = width * cn
    let outCount = toWidth * toHeight * cn
    if isFast {
        let area = iScaleX * iScaleY
        let scale = Float(1) / Float(area)
        var offsets = [Int]()
        offsets.reserveCapacity(area)
        for sy in 0..<iScaleY { for sx in 0..<iScaleX { offsets.append(sy * rowStride + sx * cn) } }
        return [T](unsafeUninitializedCapacity: outCount) { out, initialized in
            for dy in 0..<toHeight {
                for dx in 0..<toWidth {
                    for c in 0..<cn {
                        let base = (dy * iScaleY) * rowStride + (dx * iScaleX) * cn + c
                        let block = UnsafeBufferPointer(rebasing: src[base...])
                        out.initializeElement(at: (dy * toWidth + dx) * cn + c, to: fastBlock(block, offsets, scale))
                    }
                }
            }
            initialized = outCount
        }
    }

    let xtab = resizeAreaTable(sourceSize: width, destSize: toWidth, channels: cn, scale: scaleX)
    let ytab = resizeAreaTable(sourceSize: height, destSize: toHeight, channels: 1, scale: scaleY)
    let dWidth = toWidth * cn
    var buf = [Float](repeating: 0, count: dWidth)
    var sum = [Float](repeating: 0, count: dWidth)
    var out = [T](repeating: fromAccumulator(0), count: outCount)
    guard let firstY = ytab.first else { return out }
    var prevDy = firstY.di
    for entry in ytab {
        let beta = entry.alpha
        let dy = entry.di
        let rowBase = entry.si * rowStride
        for i in 0..<dWidth { buf[i] = 0 }
        for tap in xtab {
            for c in 0..<cn {
                buf[tap.di + c] = buf[tap.di + c] + toFloat(src[rowBase + tap.si + c]) * tap.alpha
            }
        }
        if dy != prevDy {
            for i in 0..<dWidth {
                out[prevDy * dWidth + i] = fromAccumulator(sum[i])
                sum[i] = beta * buf[i]
            }
            prevDy = dy
        } else {
            for i in 0..<dWidth { sum[i] += beta * buf[i] }
        }
    }
    for i in 0..<dWidth { out[prevDy * dWidth + i] = fromAccumulator(sum[i]) }
    return out
}
