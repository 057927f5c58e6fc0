import Foundation
import XPCore

/// One window scale of the dense index: `id:window:stride`.
public struct DenseScale: Sendable, Equatable {
    public var id: String
    public var window: Int
    public var stride: Int

    public init(id: String, window: Int, stride: Int) {
        self.id = id
        self.window = window
        self.stride = stride
    }

    /// The reference's three scales (`multiscale_20s10_40s20_80s40`).
    public static let defaults = [
        DenseScale(id: "dense_20f_stride10", window: 20, stride: 10),
        DenseScale(id: "medium_40f_stride20", window: 40, stride: 20),
        DenseScale(id: "long_80f_stride40", window: 80, stride: 40),
    ]

    /// Parses `id:window:stride` (window and stride positive integers, the id non-empty).
    public init(parsing spec: String) throws(ErrorAnalysisError) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw .invalidOption("bad scale '\(spec)'; expected id:window_frames:stride_frames") }
        guard !parts[0].isEmpty else { throw .invalidOption("bad scale '\(spec)': the id is empty") }
        guard let w = Int(parts[1]), w >= 1 else { throw .invalidOption("bad scale '\(spec)': window_frames must be a positive integer") }
        guard let s = Int(parts[2]), s >= 1 else { throw .invalidOption("bad scale '\(spec)': stride_frames must be a positive integer") }
        self.init(id: parts[0], window: w, stride: s)
    }

    /// The window starts of an episode whose last sparse frame is `maxEnd`:
    /// `range(0, maxEnd − W + 2, stride)`, empty when `maxEnd + 1 < W` (a skip record).
    public func starts(maxEnd: Int) -> StrideTo<Int> { Swift.stride(from: 0, to: maxEnd - window + 2, by: stride) }

    /// `len(range(0, maxEnd − W + 2, stride))`.
    public func windowCount(maxEnd: Int) -> Int {
        let upper = maxEnd - window + 2
        return upper > 0 ? (upper - 1) / stride + 1 : 0
    }

    /// The planning estimate of exporters.md §5.4 (`dense_window_scenarios.csv`):
    /// `(max_frame − W) // stride + 1` with `max_frame = max(end_frame) + 1`, 0 when
    /// `max_frame < W`. It equals ``windowCount(maxEnd:)`` for `maxFrame = maxEnd + 1`.
    public static func planningEstimate(maxFrame: Int, window: Int, stride: Int) -> Int {
        maxFrame >= window ? max(0, floorDivide(maxFrame - window, stride) + 1) : 0
    }

    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

/// One sparse row reduced to what the dense index copies (the reference's `compact_source`).
public struct DenseSeed: Sendable, Equatable {
    /// The sparse row's `id` (any JSON value; written back as `source_window_id`).
    public var id: JSONValue
    public var episodeID: String
    /// `str(split)`.
    public var split: String
    public var start: Int
    public var end: Int
    public var sensorFeatureDim: Int
    /// The sorted set of `media.video_paths[].name`.
    public var mediaNames: [String]
    public var hasMosaic: Bool
    public var hasAudio: Bool
    public var action: String
    public var subtask: String
    public var nextAction: String
    public var contact: String
    public var transition: String
    /// `list(answer_json.objects or [])[:8]`, not normalised.
    public var objects: [JSONValue]

    public init(id: JSONValue, episodeID: String, split: String, start: Int, end: Int, sensorFeatureDim: Int = 0, mediaNames: [String] = [],
                hasMosaic: Bool = false, hasAudio: Bool = false, action: String = "unknown", subtask: String = "unknown",
                nextAction: String = "unknown", contact: String = "unknown", transition: String = "unknown", objects: [JSONValue] = []) {
        self.id = id
        self.episodeID = episodeID
        self.split = split
        self.start = start
        self.end = end
        self.sensorFeatureDim = sensorFeatureDim
        self.mediaNames = mediaNames
        self.hasMosaic = hasMosaic
        self.hasAudio = hasAudio
        self.action = action
        self.subtask = subtask
        self.nextAction = nextAction
        self.contact = contact
        self.transition = transition
        self.objects = objects
    }

    /// The seed of one sparse row (a Qwen export record, or a prediction row with
    /// `true_json`). Throws a sentence for what the reference cannot read either.
    public init(row: JSONValue) throws(SeedError) {
        guard row.isObject else { throw SeedError("a dataset row must be a JSON object, found \(row.typeName)") }
        guard let episode = row.pythonGet("episode_id") else { throw SeedError("no episode_id") }
        guard case .string(let episodeID) = episode else { throw SeedError("episode_id must be a string, found \(episode.typeName)") }
        let window = try Self.object(row.pythonGet("center_window"), "center_window")
        let media = try Self.object(row.pythonGet("media"), "media")
        var names: [String] = []
        if let paths = media.pythonGet("video_paths"), paths.pythonTruthy {
            switch paths {
            case .array(let items):
                for item in items where item.isObject {
                    if let name = item.pythonGet("name"), name.pythonTruthy { names.append(name.pythonString) }
                }
            case .string, .object: break  // iterates characters or keys, none of them a dict
            default: throw SeedError("media.video_paths must be a list, found \(paths.typeName)")
            }
        }
        var unique: [String] = []
        for n in names.sorted(by: codePointsPrecede) where !(unique.last.map { codePointsEqual($0, n) } ?? false) { unique.append(n) }
        // answer_json, else true_json, else {}.
        var answer: JSONValue = .object([])
        if let a = row.pythonGet("answer_json"), a.isObject { answer = a } else if let t = row.pythonGet("true_json"), t.isObject { answer = t }
        func label(_ v: JSONValue?) -> String {
            let s = (v.flatMap { $0.pythonTruthy ? $0 : nil } ?? .string("unknown")).pythonStrippedString
            return s.isEmpty ? "unknown" : s
        }
        let actionValue: JSONValue? = (answer.pythonGet("action")?.pythonTruthy ?? false) ? answer.pythonGet("action") : row.pythonGet("label")
        var objects: [JSONValue] = []
        if let o = answer.pythonGet("objects"), o.pythonTruthy {
            switch o {
            case .array(let items): objects = Array(items.prefix(8))
            case .string(let s): objects = s.unicodeScalars.prefix(8).map { .string(String($0)) }
            case .object: objects = o.dictionaryKeysInOrder.prefix(8).map { .string($0) }
            default: throw SeedError("answer_json.objects must be a list, found \(o.typeName)")
            }
        }
        self.init(
            id: row.pythonGet("id") ?? .null, episodeID: episodeID, split: row.pythonGet("split")?.pythonString ?? "None",
            start: try Self.int(window.pythonGet("start_frame"), "center_window.start_frame"),
            end: try Self.int(window.pythonGet("end_frame"), "center_window.end_frame"),
            sensorFeatureDim: try Self.int(row.pythonGet("sensor_feature_dim"), "sensor_feature_dim"),
            mediaNames: unique, hasMosaic: media.pythonGet("mosaic_video_path")?.pythonTruthy ?? false,
            hasAudio: media.pythonGet("audio_path")?.pythonTruthy ?? false,
            action: label(actionValue), subtask: label(answer.pythonGet("subtask")), nextAction: label(answer.pythonGet("next_action")),
            contact: label(answer.pythonGet("contact")).lowercased(), transition: label(answer.pythonGet("transition")).lowercased(),
            objects: objects)
    }

    /// `row.get(key) or {}`, which must then be a dict.
    static func object(_ v: JSONValue?, _ name: String) throws(SeedError) -> JSONValue {
        guard let v, v.pythonTruthy else { return .object([]) }
        guard v.isObject else { throw SeedError("\(name) must be an object, found \(v.typeName)") }
        return v
    }

    /// `int(v or 0)`: integers as they are, floats truncated, booleans 0/1, strings parsed as
    /// Python's `int()` does; anything else fails.
    static func int(_ v: JSONValue?, _ name: String) throws(SeedError) -> Int {
        guard let v, v.pythonTruthy else { return 0 }
        switch v {
        case .int(let i): return Int(i)
        case .bool(let b): return b ? 1 : 0
        case .double(let d):
            guard d.isFinite, abs(d) < 9e18 else { throw SeedError("\(name) is \(pythonFloatRepr(d)), not a frame") }
            return Int(d.rounded(.towardZero))
        case .string(let s):
            if let i = pythonIntLiteral(s) { return i }
            throw SeedError("\(name) is the string \(pythonStringRepr(s)), which int() cannot read")
        default: throw SeedError("\(name) must be a number, found \(v.typeName)")
        }
    }

    /// Python's `int(str)` for base 10: surrounding whitespace, one sign, digits with single
    /// underscores between them.
    static func pythonIntLiteral(_ text: String) -> Int? {
        var s = Substring(text.trimmingPythonWhitespace())
        var negative = false
        if let c = s.first, c == "+" || c == "-" { negative = c == "-"; s = s.dropFirst() }
        guard let first = s.first, first.isASCII, first.isNumber, s.last.map({ $0.isASCII && $0.isNumber }) == true else { return nil }
        var digits = ""
        var previousUnderscore = false
        for c in s {
            if c == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            guard c.isASCII, c.isNumber else { return nil }
            previousUnderscore = false
            digits.append(c)
        }
        guard let value = Int(digits) else { return nil }
        return negative ? -value : value
    }
}

/// Why a dataset row cannot seed the dense index.
public struct SeedError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
