import EpisodeIO
import FuzzSupport
import XPCore

// Target `caption-resolver`: a frame-name timeline and a caption document (`ResolverInput`),
// resolved with both rule sets (`CaptionRules.current` and `.release`).
//
// Resolution must never trap, and its outputs must stay inside the timeline, because the
// window builder indexes per-frame arrays with them: one row per frame, every segment
// boundary a valid frame, every label boundary a frame after the first, and no more
// unresolved references than references.

@_cdecl("LLVMFuzzerTestOneInput")
public func captionResolverFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = ResolverInput(bytes: FuzzInput.bytes(data, size))
    guard let document = try? CaptionDocument(json: input.json, file: "fuzz") else { return 0 }
    let index = FrameReferenceIndex(names: input.names)
    let n = input.names.count
    for rules in CaptionRules.allCases {
        let table = CaptionTable(document: document, frames: index, rules: rules)
        let tag = "rules \(rules.rawValue), \(n) frames"
        fuzzRequire(table.frames.count == n, "\(tag): \(table.frames.count) rows")
        fuzzRequire(table.unresolvedReferences.count <= table.referenceCount,
                    "\(tag): \(table.unresolvedReferences.count) unresolved of \(table.referenceCount)")
        for boundary in table.segmentBoundaries {
            fuzzRequire((0..<n).contains(boundary.start) && (0..<n).contains(boundary.end),
                        "\(tag): segment \(boundary.segmentID) spans \(boundary.start)...\(boundary.end)")
        }
        for target in LabelTarget.allCases {
            fuzzRequire(table.labels(target).count == n, "\(tag): \(target) labels")
            fuzzRequire(table.boundaries(target).allSatisfy { (1..<max(n, 1)).contains($0) }, "\(tag): \(target) boundaries")
            fuzzRequire(table.label(target, frame: n).isEmpty && table.label(target, frame: -1).isEmpty,
                        "\(tag): a label outside the timeline")
        }
        fuzzRequire(table.taskIDs.map(\.id) == Array(1..<(table.taskIDs.count + 1)), "\(tag): task ids are not 1...k")
    }
    return 0
}
