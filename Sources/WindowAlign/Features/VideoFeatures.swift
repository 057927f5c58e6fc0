/// Per-frame video features of the reference (`video_frame_features`, 98 values):
/// `[mean3, std3, histR8, histG8, histB8, grid64, edge4]`.
public enum VideoFeatures {
    /// Values per frame.
    public static let dimension = 98
    /// Side of the thumbnail the features are computed on.
    public static let imageSize = 32
    /// Side of the grey grid.
    public static let gridSize = 8
    /// Histogram bins per channel on [0, 1].
    public static let histogramBins = 8

    /// The 98 features of one RGB frame (`width × height × 3` UInt8, row-major, R G B order).
    ///
    /// Steps, as the reference does them with OpenCV on the decoded frame:
    /// 1. `small` = INTER_AREA resize to 32×32 in UInt8 (OpenCV rounds back to UInt8);
    /// 2. channel means and population stds of `small/255`;
    /// 3. per-channel 8-bin histograms on [0, 1] (last bin closed), normalised to sum 1;
    /// 4. grey = OpenCV BGR2GRAY on the UInt8 thumbnail, `/255`, then an 8×8 INTER_AREA grid;
    /// 5. `np.gradient` of the grey image (central differences, one-sided at the borders):
    ///    `[mean|gx|, mean|gy|, std|gx|, std|gy|]`.
    public static func frameFeatures(rgb: [UInt8], width: Int, height: Int) throws(WindowAlignError) -> [Float] {
        guard width >= imageSize, height >= imageSize else {
            throw .invalidArgument(what: "video frame", detail: "must be at least \(imageSize)×\(imageSize), found \(width)×\(height)")
        }
        let small = try shrink(rgb, width: width, height: height, channels: 3, toWidth: imageSize, toHeight: imageSize)
        return thumbnailFeatures(small)
    }

    /// Features of an already resized 32×32×3 UInt8 RGB thumbnail.
    static func thumbnailFeatures(_ small: [UInt8]) -> [Float] {
        let pixels = imageSize * imageSize
        var out = [Float]()
        out.reserveCapacity(dimension)
        // Means and stds of value/255, in Float64.
        var means = [Double](repeating: 0, count: 3)
        var stds = [Double](repeating: 0, count: 3)
        for c in 0..<3 {
            var sum = 0.0
            for p in 0..<pixels { sum += Double(small[p * 3 + c]) / 255 }
            let mean = sum / Double(pixels)
            var ss = 0.0
            for p in 0..<pixels {
                let d = Double(small[p * 3 + c]) / 255 - mean
                ss += d * d
            }
            means[c] = mean
            stds[c] = (ss / Double(pixels)).squareRoot()
        }
        out += means.map { Float($0) }
        out += stds.map { Float($0) }
        // Histograms: bin of v/255 on [0,1] in 8 bins = ⌊8v/255⌋, with 255 in the last bin.
        // No v/255 lies within rounding distance of an edge k/8 (|8v − 255k| ≥ 1), so the
        // integer form equals NumPy's floating-point binning.
        for c in 0..<3 {
            var counts = [Int](repeating: 0, count: histogramBins)
            for p in 0..<pixels {
                let v = Int(small[p * 3 + c])
                counts[min(v * histogramBins / 255, histogramBins - 1)] += 1
            }
            out += counts.map { Float(Double($0) / Double(pixels)) }
        }
        // Grey: OpenCV 4.x BGR2GRAY for 8-bit images uses 15-bit fixed point,
        // Y = (B·3735 + G·19235 + R·9798 + 2^14) >> 15.
        var gray = [Float](repeating: 0, count: pixels)
        for p in 0..<pixels {
            gray[p] = Float(opencvGray(r: small[p * 3], g: small[p * 3 + 1], b: small[p * 3 + 2])) / 255
        }
        // 32 → 8 is an exact 4×4 block mean; failure is impossible for these fixed sizes.
        let grid = (try? shrink(gray, width: imageSize, height: imageSize, toWidth: gridSize, toHeight: gridSize)) ?? [Float](repeating: 0, count: gridSize * gridSize)
        out += grid
        out += gradientEdgeStats(gray, width: imageSize, height: imageSize)
        return out
    }

    /// OpenCV 4.x `cvtColor(..., BGR2GRAY)` of one 8-bit pixel: 15-bit fixed point
    /// `(B·3735 + G·19235 + R·9798 + 2^14) >> 15`. (OpenCV 3.x used 14 bits,
    /// `(B·1868 + G·9617 + R·4899 + 2^13) >> 14`, which differs by 1 on some colours.)
    public static func opencvGray(r: UInt8, g: UInt8, b: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (Int(b) * 3735 + Int(g) * 19235 + Int(r) * 9798 + (1 << 14)) >> 15)
    }

    /// `[mean|gx|, mean|gy|, std|gx|, std|gy|]` of `np.gradient` of a row-major image.
    static func gradientEdgeStats(_ img: [Float], width w: Int, height h: Int) -> [Float] {
        func at(_ y: Int, _ x: Int) -> Double { Double(img[y * w + x]) }
        var gx = [Double](), gy = [Double]()
        gx.reserveCapacity(w * h); gy.reserveCapacity(w * h)
        for y in 0..<h {
            for x in 0..<w {
                let dx: Double
                if w < 2 { dx = 0 } else if x == 0 { dx = at(y, 1) - at(y, 0) }
                else if x == w - 1 { dx = at(y, w - 1) - at(y, w - 2) }
                else { dx = (at(y, x + 1) - at(y, x - 1)) / 2 }
                let dy: Double
                if h < 2 { dy = 0 } else if y == 0 { dy = at(1, x) - at(0, x) }
                else if y == h - 1 { dy = at(h - 1, x) - at(h - 2, x) }
                else { dy = (at(y + 1, x) - at(y - 1, x)) / 2 }
                gx.append(abs(dx)); gy.append(abs(dy))
            }
        }
        let sx = meanStd(gx), sy = meanStd(gy)
        return [Float(sx.mean), Float(sy.mean), Float(sx.std), Float(sy.std)]
    }
}
