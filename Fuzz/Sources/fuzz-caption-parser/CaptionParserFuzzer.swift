import EpisodeIO
import FuzzSupport
import XPCore

// Target `caption-parser`: the caption payload as read from `annotation.hdf5`, any bytes.
//
// 1. `JSONParser.parse` must return or throw, never trap or hang.
// 2. A document it accepts must survive the writer: `pythonJSON()` (compact and indented) must
//    read back to the identical tree. Both directions are used on every episode the package
//    touches (caption in, artifacts out), so a value that does not round-trip is a bug.
// 3. `CaptionDocument(json:file:)` must type-check or throw an `EpisodeError`.

@_cdecl("LLVMFuzzerTestOneInput")
public func captionParserFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    if let value = try? JSONParser.parse(text) {
        for indent in [nil, 2] as [Int?] {
            let written = value.pythonJSON(indent: indent)
            let reread: JSONValue
            do { reread = try JSONParser.parse(written) } catch {
                fuzzRequire(false, "the writer's output does not parse back (\(error)): \(written.prefix(200))")
                return 0
            }
            fuzzRequire(jsonIdentical(value, reread), "the write/read round trip changed the value: \(written.prefix(200))")
        }
    }
    do {
        let document = try CaptionDocument(json: text, file: "fuzz")
        // The typed view must agree with the tree it came from.
        if case .array(let items)? = document.root["segments"] {
            fuzzRequire(items.count == document.segments.count, "segments: \(items.count) in the JSON, \(document.segments.count) typed")
        }
    } catch {
        // A typed EpisodeError is the expected outcome for most inputs; it must describe itself.
        _ = error.description
    }
    return 0
}
