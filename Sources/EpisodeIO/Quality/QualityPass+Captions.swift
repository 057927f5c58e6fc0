import Foundation
import XPCore

/// The caption payload: valid UTF-8, parseable, with segments and actions, ranges in order, and
/// frame references that land on this episode's frames.
extension QualityPass {
    /// The offset of the first byte that is not part of valid UTF-8, nil when all is valid.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error(let length): _ = length; return offset
            }
        }
    }

    func checkCaptions() {
        guard let key = ["caption", "captions"].first(where: { datasets[$0] != nil }) else { return }
        checked.append(key)
        if let bytes = try? episode.file.readStringBytes(key) {
            let joined = Array(bytes.joined())
            if let offset = Self.firstInvalidUTF8(joined) {
                let context = String(decoding: joined[max(0, offset - 20)..<offset], as: UTF8.self)
                add(.captionInvalidUTF8, .error, dataset: key, modality: .captions, expected: "UTF-8 text",
                    found: String(format: "byte 0x%02X at offset \(offset), after \"\(context)\"", joined[offset]),
                    action: "Labels around it would be read with replacement characters, creating classes that do not exist. Fix the caption encoding.")
            }
        }
        let document: CaptionDocument
        do { document = try episode.captionDocument() } catch {
            add(.captionUnparseable, .error, dataset: key, modality: .captions, expected: "the caption JSON of the release (config, segments)",
                found: error.description, action: "No labels can be read; every caption task is not applicable to this episode.")
            return
        }
        if document.root["segments"] == nil || document.segments.isEmpty {
            add(.captionNoSegments, .warning, dataset: key, modality: .captions,
                expected: "a non-empty 'segments' array", found: document.root["segments"] == nil ? "no 'segments' key" : "an empty 'segments' array",
                action: "The episode has no labels; caption tasks are not applicable.")
            return
        }
        let empty = document.segments.indices.filter { document.segments[$0].actions.isEmpty }
        if !empty.isEmpty {
            // The release has segments without actions (7 of 18 in the sample): only all of them empty is a warning.
            add(.captionEmptyActions, empty.count == document.segments.count ? .warning : .info, dataset: key, modality: .captions,
                rows: empty, totalRows: document.segments.count, unit: "segments",
                expected: "at least one 'Current Action' per segment", found: "segments without actions",
                action: "Frames of those segments carry no action label.")
        }
        guard !names.isEmpty || options.frameNames != nil else { return }
        let index = FrameReferenceIndex(names: options.frameNames ?? names)

        // Reversed ranges: both ends resolved, end before start (the resolver swaps them silently).
        var resolver = CaptionResolver(index: index, rules: .current)
        var reversed: [String] = []
        for (s, segment) in document.segments.enumerated() {
            if let a = resolver.resolveCurrent(segment.startFrame), let b = resolver.resolveCurrent(segment.endFrame), b < a {
                reversed.append("segments[\(s)] \(segment.startFrame.pythonString)→\(segment.endFrame.pythonString)")
            }
            for (k, action) in segment.actions.enumerated() {
                if let a = resolver.resolveCurrent(action.startFrame), let b = resolver.resolveCurrent(action.endFrame), b < a {
                    reversed.append("segments[\(s)].Current Action[\(k)] \(action.startFrame?.pythonString ?? "")→\(action.endFrame?.pythonString ?? "")")
                }
            }
        }
        if !reversed.isEmpty {
            add(.captionReversedRange, .warning, dataset: key, modality: .captions, rowsAffected: reversed.count, unit: "ranges",
                expected: "ranges whose end is not before their start", found: reversed.prefix(3).joined(separator: "; "),
                action: "The range is read with its ends swapped, which may not be what the annotator meant.")
        }

        let table = CaptionTable(document: document, frames: index, rules: options.captionRules)
        let total = table.referenceCount
        if !table.unresolvedReferences.isEmpty {
            add(.captionUnresolvedReferences, .warning, dataset: key, modality: .captions, rowsAffected: table.unresolvedReferences.count, totalRows: total, unit: "references",
                expected: "every frame reference resolving to a frame (\(options.captionRules.rawValue) rules)",
                found: "\(table.unresolvedReferences.count) of \(total) unresolved, e.g. " + table.unresolvedReferences.prefix(2).joined(separator: "; "),
                action: "Their labels are dropped. For a trimmed file pass the full timeline (`--timeline`).")
        }
        if table.farReferences > 0 {
            add(.captionFarReferences, .warning, dataset: key, modality: .captions, rowsAffected: table.farReferences, totalRows: total, unit: "references",
                expected: "references within \(Double(CaptionTable.farReferenceThreshold) / 1e9) s of a frame",
                found: "\(table.farReferences) of \(total) only resolve to a frame farther away",
                action: "The caption may belong to a longer recording or reference frames that do not exist; labels land on the nearest frame instead. Check the timeline.")
        }
    }
}
