import Foundation
import XPCore

/// Which version of the toolkit's frame-reference rules to follow (spec §3.3).
public enum CaptionRules: String, Sendable, CaseIterable {
    /// The current toolkit (`_resolve_frame_ref`): name or stem, `frame_(\d+)` 1-based, small
    /// integers 1-based, large integers nearest timestamp; reversed ranges swapped.
    case current
    /// The first public release: name lookup then nearest timestamp for digit strings; segment
    /// bounds first tried as 0-based indices.
    case release
}

/// The caption fields of one frame after resolution. `nil` means the key is absent, which the
/// rules distinguish from an empty string.
public struct FrameCaption: Sendable, Equatable {
    /// The subtask (`"Sub Task"` of the segment that defined the frame).
    public var theme: String?
    public var actionLabel: String?
    public var actionDescription: String?
    public var objects: [String]?
    public var interaction: String?

    public init(theme: String? = nil, actionLabel: String? = nil, actionDescription: String? = nil,
                objects: [String]? = nil, interaction: String? = nil) {
        self.theme = theme
        self.actionLabel = actionLabel
        self.actionDescription = actionDescription
        self.objects = objects
        self.interaction = interaction
    }
}

/// A resolved caption segment: inclusive frame range, subtask and id.
public struct SegmentBoundary: Sendable, Equatable, Codable {
    public var start: Int
    public var end: Int
    public var theme: String
    public var segmentID: Int64
}

/// Which per-frame label the task suite reads.
public enum LabelTarget: String, Sendable, CaseIterable {
    case action, subtask
}

/// The per-frame caption table of an episode (spec §3.4): one ``FrameCaption`` per frame.
public struct CaptionTable: Sendable {
    public var mainTask: String
    public var frames: [FrameCaption]
    public var segmentBoundaries: [SegmentBoundary]
    /// Subtask → 1-based rank of first appearance in ``segmentBoundaries``.
    public var taskIDs: [(task: String, id: Int)]
    /// Frame references that resolved to no frame (`segments[i].…: 'ref'`).
    public var unresolvedReferences: [String]
    /// How many frame references the document holds, resolved or not.
    public var referenceCount: Int
    /// References matched by the nearest-timestamp rule to a frame more than
    /// ``CaptionTable/farReferenceThreshold`` away: a sign that the caption belongs to a longer
    /// timeline than the file's (a trimmed file), and that an external timeline is needed.
    public var farReferences: Int
    /// 100 ms, two frame periods at 20 fps.
    public static let farReferenceThreshold: UInt64 = 100_000_000

    /// The task suite's per-frame label (spec §3.5): stripped, and `""` when missing or `N/A`.
    public func label(_ target: LabelTarget, frame: Int) -> String {
        guard frames.indices.contains(frame) else { return "" }
        let info = frames[frame]
        return normalizedLabel(target == .action ? info.actionLabel : info.theme)
    }

    /// ``label(_:frame:)`` for every frame.
    public func labels(_ target: LabelTarget) -> [String] {
        frames.indices.map { label(target, frame: $0) }
    }

    /// Frames `i ≥ 1` whose label differs from frame `i−1`, both non-empty (task 3's boundaries).
    public func boundaries(_ target: LabelTarget) -> [Int] {
        let labels = labels(target)
        guard labels.count > 1 else { return [] }
        return (1..<labels.count).filter { !labels[$0].isEmpty && !labels[$0 - 1].isEmpty && labels[$0] != labels[$0 - 1] }
    }

    /// Builds the table from a caption document against a frame-name timeline.
    public init(document: CaptionDocument, frames index: FrameReferenceIndex, rules: CaptionRules = .current) {
        var resolver = CaptionResolver(index: index, rules: rules)
        let (frames, boundaries) = resolver.build(document)
        self.mainTask = document.mainTask
        self.frames = frames
        self.segmentBoundaries = boundaries
        var ids: [(task: String, id: Int)] = []
        for boundary in boundaries where !ids.contains(where: { $0.task == boundary.theme }) {
            ids.append((boundary.theme, ids.count + 1))
        }
        self.taskIDs = ids
        self.unresolvedReferences = resolver.unresolved
        self.referenceCount = resolver.referenceCount
        self.farReferences = resolver.farReferences
    }
}

/// The task suite's label rule: strip white space; empty or `N/A` (any case) means no label.
public func normalizedLabel(_ raw: String?) -> String {
    guard let raw else { return "" }
    let stripped = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    if stripped.isEmpty || stripped.uppercased() == "N/A" { return "" }
    return stripped
}

/// Resolves frame references and fills the per-frame table, following the toolkit's
/// `_build_frame_info_map_from_caption` step by step (spec §3.4).
struct CaptionResolver {
    let index: FrameReferenceIndex
    let rules: CaptionRules
    var unresolved: [String] = []
    var referenceCount = 0
    var farReferences = 0
    var n: Int { index.count }

    /// Nearest-timestamp lookup that counts matches far from any frame.
    mutating func nearest(_ value: Int64) -> Int? {
        guard let (frame, distance) = index.nearestWithDistance(to: value) else { return nil }
        if distance > CaptionTable.farReferenceThreshold { farReferences += 1 }
        return frame
    }

    init(index: FrameReferenceIndex, rules: CaptionRules) {
        self.index = index
        self.rules = rules
    }

    /// The current rules' `_resolve_frame_ref`: a 0-based frame or nil.
    mutating func resolveCurrent(_ ref: JSONValue?) -> Int? {
        guard let ref, ref != .null else { return nil }
        let s = ref.pythonString.trimmingCharacters(in: .whitespacesAndNewlines)
        if s.isEmpty { return nil }
        if let i = index.exact(s) { return i }
        let stem = FrameReferenceIndex.stem(s)
        if let i = index.exact(stem) { return i }
        guard n > 0 else { return nil }
        if let range = s.range(of: #"frame_(\d+)"#, options: .regularExpression) {
            let digits = s[range].dropFirst("frame_".count)
            let k = Int64(digits) ?? Int64.max
            return Int(min(max(k - 1, 0), Int64(n - 1)))
        }
        let digits = stem.hasPrefix("-") ? stem.dropFirst() : Substring(stem)
        if FrameReferenceIndex.isDigits(digits) {
            let value = Int64(stem) ?? (stem.hasPrefix("-") ? Int64.min : Int64.max)
            if value >= 100_000_000 { return nearest(value) }
            // 1-based, clamped; `max` first, so that Int64.min (a huge negative) cannot overflow.
            return Int(min(max(value, 1) - 1, Int64(n - 1)))
        }
        return nil
    }

    /// The release rules' lookup for action and object references: name, then nearest
    /// timestamp when the reference is all digits.
    mutating func resolveRelease(_ key: String) -> Int? {
        if let i = index.exact(key) { return i }
        if FrameReferenceIndex.isDigits(Substring(key)), let value = Int64(key) { return nearest(value) }
        return nil
    }

    mutating func note(_ resolved: Int?, _ field: String, _ ref: JSONValue?) -> Int? {
        referenceCount += 1
        if resolved == nil { unresolved.append("\(field): '\(ref?.pythonString ?? "None")'") }
        return resolved
    }

    mutating func build(_ document: CaptionDocument) -> ([FrameCaption], [SegmentBoundary]) {
        var info = [FrameCaption](repeating: FrameCaption(), count: n)
        var boundaries: [SegmentBoundary] = []
        for (s, segment) in document.segments.enumerated() {
            let field = "segments[\(s)]"
            let theme = segment.subTask

            // 1. Action ranges, sorted by start (stable, as Python's sort).
            var ranges: [(si: Int, ei: Int, label: String, desc: String)] = []
            for (a, action) in segment.actions.enumerated() {
                let f = field + ".Current Action[\(a)]"
                switch rules {
                case .current:
                    var startRef = action.startFrameName
                    var endRef = action.endFrameName
                    if Self.falsy(startRef), action.startFrame != nil { startRef = action.startFrame }
                    if Self.falsy(endRef), action.endFrame != nil { endRef = action.endFrame }
                    guard startRef != nil, endRef != nil else { continue }
                    let si = note(resolveCurrent(startRef), f + ".start_frame", startRef)
                    let ei = note(resolveCurrent(endRef), f + ".end_frame", endRef)
                    if var si, var ei {
                        if ei < si { swap(&si, &ei) }
                        ranges.append((si, ei, action.label, action.description))
                    }
                case .release:
                    var startName = action.startFrameName?.pythonString
                    var endName = action.endFrameName?.pythonString
                    if startName == nil, let v = action.startFrame { startName = v.pythonString }
                    if endName == nil, let v = action.endFrame { endName = v.pythonString }
                    guard let startName, let endName, !startName.isEmpty, !endName.isEmpty else { continue }
                    var si = index.exact(startName)
                    var ei = index.exact(endName)
                    if si == nil || ei == nil, FrameReferenceIndex.isDigits(Substring(startName)) {
                        if si == nil, let v = Int64(startName) { si = nearest(v) }
                        if ei == nil, FrameReferenceIndex.isDigits(Substring(endName)), let v = Int64(endName) { ei = nearest(v) }
                    }
                    si = note(si, f + ".start_frame", action.startFrame)
                    ei = note(ei, f + ".end_frame", action.endFrame)
                    if let si, let ei { ranges.append((si, ei, action.label, action.description)) }
                }
            }
            ranges = ranges.enumerated().sorted { ($0.element.si, $0.offset) < ($1.element.si, $1.offset) }.map(\.element)

            // 2. Action fill, unconditional.
            var inSegment = Set<Int>()
            // Python's `range(si, min(ei + 1, n))`: empty when the range is reversed (the release
            // rules do not swap) or starts past the end.
            for range in ranges where range.si < min(range.ei + 1, n) {
                for idx in range.si..<min(range.ei + 1, n) {
                    inSegment.insert(idx)
                    info[idx].theme = theme
                    info[idx].actionLabel = range.label
                    info[idx].actionDescription = range.desc
                }
            }

            // 3. Objects and interaction at their keyed frames.
            var keys: [String] = segment.objects.map(\.key)
            for (key, _) in segment.interaction where !keys.contains(key) { keys.append(key) }
            var objectFrames: [Int] = []
            var interactionFrames: [Int] = []
            for key in keys {
                let resolved: Int?
                switch rules {
                case .current: resolved = resolveCurrent(.string(key))
                case .release: resolved = resolveRelease(key)
                }
                guard let idx = note(resolved, field + ".objects/interaction", .string(key)) else { continue }
                inSegment.insert(idx)
                if info[idx].theme == nil { info[idx].theme = theme }
                if let value = segment.objects.first(where: { $0.key == key })?.value {
                    info[idx].objects = value
                    // The release rules forward-fill only from keys that name a frame exactly.
                    if rules == .current || index.exact(key) != nil { objectFrames.append(idx) }
                }
                if let value = segment.interaction.first(where: { $0.key == key })?.value {
                    info[idx].interaction = value
                    if rules == .current || index.exact(key) != nil { interactionFrames.append(idx) }
                }
            }
            guard let lowest = inSegment.min(), let highest = inSegment.max() else { continue }

            // 4. Segment bounds.
            var segStart: Int?
            var segEnd: Int?
            switch rules {
            case .current:
                segStart = note(resolveCurrent(segment.startFrame), field + ".start_frame", segment.startFrame)
                segEnd = note(resolveCurrent(segment.endFrame), field + ".end_frame", segment.endFrame)
                if let a = segStart, let b = segEnd, b < a { segStart = b; segEnd = a }
            case .release:
                if let sf = Self.pythonIntValue(segment.startFrame), let ef = Self.pythonIntValue(segment.endFrame),
                   (0..<Int64(n)).contains(sf), (0..<Int64(n)).contains(ef) {
                    let end = min(Int(ef), n - 1)
                    segStart = min(Int(sf), end)
                    segEnd = end
                } else {
                    let startKey = segment.startFrame.pythonString
                    let endKey = segment.endFrame.pythonString
                    segStart = index.exact(startKey)
                    segEnd = index.exact(endKey)
                    if segStart == nil, FrameReferenceIndex.isDigits(Substring(startKey)), let v = Int64(startKey) { segStart = nearest(v) }
                    if segEnd == nil, FrameReferenceIndex.isDigits(Substring(endKey)), let v = Int64(endKey) { segEnd = nearest(v) }
                }
            }
            let start = segStart ?? lowest
            let end = segEnd ?? highest
            boundaries.append(SegmentBoundary(start: start, end: end, theme: theme, segmentID: segment.segmentID))
            guard start <= end else { continue }

            // 5. Fill the segment span: theme if absent; a missing or empty action takes the
            // last action that ended before the frame, else the segment's first action.
            for idx in start...end {
                if info[idx].theme == nil { info[idx].theme = theme }
                if (info[idx].actionLabel ?? "").isEmpty {
                    var previous: (label: String, desc: String)? = nil
                    for range in ranges {
                        if range.ei < idx { previous = (range.label, range.desc) } else if range.si > idx { break }
                    }
                    if let previous {
                        info[idx].actionLabel = previous.label
                        info[idx].actionDescription = previous.desc
                    } else if let first = ranges.first {
                        info[idx].actionLabel = first.label
                        info[idx].actionDescription = first.desc
                    }
                }
            }
            // 6. Within-segment forward fill of objects and interaction from the latest keyed
            // frame at or before each frame.
            objectFrames.sort()
            interactionFrames.sort()
            var o = -1
            var i = -1
            for idx in start...end {
                while o + 1 < objectFrames.count, objectFrames[o + 1] <= idx { o += 1 }
                while i + 1 < interactionFrames.count, interactionFrames[i + 1] <= idx { i += 1 }
                if o >= 0, info[idx].objects == nil { info[idx].objects = info[objectFrames[o]].objects }
                if i >= 0, info[idx].interaction == nil { info[idx].interaction = info[interactionFrames[i]].interaction }
            }
        }
        // Global forward fill of theme and action (not objects or interaction).
        if n > 1 {
            for idx in 1..<n {
                if info[idx].theme == nil, let v = info[idx - 1].theme { info[idx].theme = v }
                if info[idx].actionLabel == nil, let v = info[idx - 1].actionLabel { info[idx].actionLabel = v }
                if info[idx].actionDescription == nil, let v = info[idx - 1].actionDescription { info[idx].actionDescription = v }
            }
        }
        return (info, boundaries)
    }

    /// Python truthiness of an optional reference (`not ref`).
    static func falsy(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: return true
        case .string(let s)?: return s.isEmpty
        case .int(let i)?: return i == 0
        case .double(let d)?: return d == 0
        case .bool(let b)?: return !b
        case .array(let a)?: return a.isEmpty
        case .object(let o)?: return o.isEmpty
        }
    }

    /// Python's `int(x)` for a reference: integers, integral floats and digit strings.
    static func pythonIntValue(_ value: JSONValue) -> Int64? {
        switch value {
        case .int(let i): return i
        case .double(let d) where d.isFinite && abs(d) < 9e18: return Int64(d.rounded(.towardZero))
        case .string(let s): return FrameReferenceIndex.pythonInt(s)
        default: return nil
        }
    }
}
