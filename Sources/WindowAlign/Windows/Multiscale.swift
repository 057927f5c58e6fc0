/// One component scale of a multiscale window set.
public struct WindowScale: Sendable, Hashable, Codable {
    /// Frames per window.
    public var size: Int
    /// Frames between window starts.
    public var stride: Int
    /// The scale's id as the reference exports name it: `dense_20f_stride10`,
    /// `medium_40f_stride20`, `long_80f_stride40`; other sizes get `w{W}f_stride{S}`.
    public var scaleID: String

    public init(size: Int, stride: Int) {
        self.size = size
        self.stride = stride
        let prefix: String
        switch size {
        case 20: prefix = "dense_"
        case 40: prefix = "medium_"
        case 80: prefix = "long_"
        default: prefix = "w"
        }
        self.scaleID = "\(prefix)\(size)f_stride\(stride)"
    }

    /// The window spec of this scale with the given majority threshold.
    public func windowSpec(minLabelFraction: Double = 0.6) -> WindowSpec {
        WindowSpec(size: size, stride: stride, minLabelFraction: minLabelFraction)
    }
}

/// A multiscale window set such as `multiscale_20s10_40s20_80s40`: the prefix `multiscale`
/// followed by `_`-separated components `{W}s{S}` (W frames per window, stride S), in order.
/// Each scale is windowed independently over the same frames; the set's window count is the
/// sum of the components' counts.
public struct MultiscaleSpec: Sendable, Hashable, Codable {
    /// The text the spec was parsed from (its id).
    public var name: String
    /// The component scales, in the order given.
    public var scales: [WindowScale]

    /// Parses `multiscale_{W}s{S}[_{W}s{S}…]`. W and S must be positive integers; at least one
    /// component is required and the same (W, S) may not appear twice.
    public init(parsing text: String) throws(WindowAlignError) {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "multiscale" else {
            throw .invalidMultiscaleSpec(spec: text, reason: "must start with 'multiscale_'")
        }
        guard parts.count >= 2 else {
            throw .invalidMultiscaleSpec(spec: text, reason: "no component scale after 'multiscale'")
        }
        var scales: [WindowScale] = []
        for part in parts.dropFirst() {
            let pieces = part.split(separator: "s", omittingEmptySubsequences: false)
            guard pieces.count == 2,
                  pieces[0].allSatisfy(\.isASCIIDigit), pieces[1].allSatisfy(\.isASCIIDigit),
                  let w = Int(pieces[0]), let s = Int(pieces[1]), w > 0, s > 0
            else {
                throw .invalidMultiscaleSpec(
                    spec: text, reason: "component '\(part)' is not {W}s{S} with positive integers")
            }
            let scale = WindowScale(size: w, stride: s)
            guard !scales.contains(where: { $0.size == w && $0.stride == s }) else {
                throw .invalidMultiscaleSpec(spec: text, reason: "component '\(part)' appears twice")
            }
            scales.append(scale)
        }
        self.name = text
        self.scales = scales
    }

    /// Sum over the scales of ⌊(N − W)/S⌋ + 1 (0 for a scale with W > N).
    public func windowCount(frameCount: Int) -> Int {
        scales.reduce(0) { $0 + $1.windowSpec().windowCount(frameCount: frameCount) }
    }

    /// The windows of every scale, in scale order.
    public func buildWindows(frameCount: Int) throws(WindowAlignError) -> [(scale: WindowScale, windows: [Window])] {
        var out: [(scale: WindowScale, windows: [Window])] = []
        for scale in scales {
            out.append((scale, try WindowAlign.buildWindows(frameCount: frameCount, spec: scale.windowSpec())))
        }
        return out
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
