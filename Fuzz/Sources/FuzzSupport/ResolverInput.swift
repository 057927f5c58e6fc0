/// The caption-resolver target's input: a frame-name timeline and a caption document.
///
/// Layout: frame names, one a line, then a NUL byte, then the caption JSON. A NUL cannot occur
/// in valid JSON text (it is a control character), so the split is unambiguous, and libFuzzer's
/// mutations can change the timeline and the document independently. Without a NUL the whole
/// input is the document and ``defaultNames`` is the timeline.
public struct ResolverInput: Sendable {
    public var names: [String]
    public var json: String

    public init(bytes: UnsafeBufferPointer<UInt8>) {
        if let nul = bytes.firstIndex(of: 0) {
            let head = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<nul]), as: UTF8.self)
            // Empty lines are kept: a timeline read from HDF5 can hold empty names.
            names = head.isEmpty ? [] : head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            json = String(decoding: UnsafeBufferPointer(rebasing: bytes[(nul + 1)...]), as: UTF8.self)
        } else {
            names = Self.defaultNames
            json = String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The encoding ``init(bytes:)`` reads: the seed writer uses it.
    public static func encode(names: [String], json: String) -> [UInt8] {
        Array(names.joined(separator: "\n").utf8) + [0] + Array(json.utf8)
    }

    /// 40 frames at 20 fps named `<device ns>.jpg`, as `slam/frame_names` of the release.
    public static let defaultNames: [String] = (0..<40).map { "\(72_857_807_732_824 + Int64($0) * 50_000_000).jpg" }
}
