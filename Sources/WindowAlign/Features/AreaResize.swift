import EpisodeIO

// The feature formulas shrink images with OpenCV's INTER_AREA. The one implementation lives in
// EpisodeIO (`areaResize`, shared with video decoding); these wrappers report its errors in this
// layer's terms.

/// INTER_AREA on interleaved UInt8 pixels (video thumbnails).
func shrink(_ pixels: [UInt8], width: Int, height: Int, channels: Int, toWidth: Int, toHeight: Int) throws(WindowAlignError) -> [UInt8] {
    do throws(MediaError) {
        return try areaResize(pixels, width: width, height: height, channels: channels, toWidth: toWidth, toHeight: toHeight)
    } catch {
        throw .invalidArgument(what: "area resize \(width)×\(height)×\(channels) → \(toWidth)×\(toHeight)", detail: error.description)
    }
}

/// INTER_AREA on a single-channel Float32 map (depth, confidence, grey grids).
func shrink(_ values: [Float], width: Int, height: Int, toWidth: Int, toHeight: Int) throws(WindowAlignError) -> [Float] {
    guard values.count == width * height else {
        throw .shapeMismatch(what: "area resize input", expected: width * height, found: values.count)
    }
    do throws(MediaError) {
        return try areaResize(values, width: width, height: height, toWidth: toWidth, toHeight: toHeight)
    } catch {
        throw .invalidArgument(what: "area resize \(width)×\(height) → \(toWidth)×\(toHeight)", detail: error.description)
    }
}
