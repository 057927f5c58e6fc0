import Foundation
import XPCore

/// One `"Current Action"` entry of a caption segment.
public struct CaptionAction: Sendable, Equatable {
    public var label: String
    public var description: String
    /// `start_frame_name` / `end_frame_name` (checked first by the toolkit; absent in real data).
    public var startFrameName: JSONValue?
    public var endFrameName: JSONValue?
    /// `start_frame` / `end_frame`: a device timestamp as an integer or a string, or a
    /// `frame_%07d` reference.
    public var startFrame: JSONValue?
    public var endFrame: JSONValue?
}

/// One caption segment, with its keys typed and checked.
public struct CaptionSegment: Sendable, Equatable {
    public var segmentID: Int64
    /// `"Sub Task"`: the subtask ("theme") label.
    public var subTask: String
    public var startFrame: JSONValue
    public var endFrame: JSONValue
    public var actions: [CaptionAction]
    /// `objects`, keyed by frame reference, in document order.
    public var objects: [(key: String, value: [String])]
    /// `interaction`, keyed by frame reference, in document order.
    public var interaction: [(key: String, value: String)]

    public static func == (lhs: CaptionSegment, rhs: CaptionSegment) -> Bool {
        lhs.segmentID == rhs.segmentID && lhs.subTask == rhs.subTask && lhs.startFrame == rhs.startFrame
            && lhs.endFrame == rhs.endFrame && lhs.actions == rhs.actions
            && lhs.objects.map(\.key) == rhs.objects.map(\.key) && lhs.objects.map(\.value) == rhs.objects.map(\.value)
            && lhs.interaction.map(\.key) == rhs.interaction.map(\.key) && lhs.interaction.map(\.value) == rhs.interaction.map(\.value)
    }
}

/// The caption JSON of an episode (spec §3.2), parsed and type-checked.
///
/// The toolkit swallows every parse error and silently returns no captions; here a malformed
/// payload is an ``EpisodeError/caption(file:field:reason:)`` that names the offending field.
public struct CaptionDocument: Sendable {
    /// `config."Main Task"`, or `"N/A"` when absent (as the toolkit).
    public var mainTask: String
    /// The whole `config` object.
    public var config: JSONValue
    public var segments: [CaptionSegment]
    /// `global_summary`, present in full-dataset episodes only.
    public var globalSummary: String?
    /// The parsed document.
    public var root: JSONValue

    /// Parses the caption payload. `file` names the source in errors.
    public init(json text: String, file: String) throws(EpisodeError) {
        let root: JSONValue
        do { root = try JSONParser.parse(text) } catch {
            throw .caption(file: file, field: "caption", reason: "not valid JSON (\(error.description))")
        }
        try self.init(root: root, file: file)
    }

    /// Type-checks an already parsed document.
    public init(root: JSONValue, file: String) throws(EpisodeError) {
        guard case .object = root else {
            throw .caption(file: file, field: "caption", reason: "the top level is \(root.typeName), expected an object with 'config' and 'segments'")
        }
        self.root = root
        let config = root["config"] ?? .object([])
        guard case .object = config else {
            throw .caption(file: file, field: "config", reason: "expected an object, found \(config.typeName)")
        }
        self.config = config
        switch config["Main Task"] {
        case nil: mainTask = "N/A"
        case .string(let s)?: mainTask = s
        case let other?: mainTask = other.pythonString
        }
        globalSummary = root["global_summary"]?.stringValue
        guard let segmentsValue = root["segments"] else { segments = []; return }
        guard case .array(let items) = segmentsValue else {
            throw .caption(file: file, field: "segments", reason: "expected an array, found \(segmentsValue.typeName)")
        }
        segments = []
        for (i, item) in items.enumerated() {
            segments.append(try Self.segment(item, field: "segments[\(i)]", file: file))
        }
    }

    static func string(_ value: JSONValue?, field: String, file: String) throws(EpisodeError) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case let other?: throw .caption(file: file, field: field, reason: "expected a string, found \(other.typeName)")
        }
    }

    static func frameRef(_ value: JSONValue?, field: String, file: String) throws(EpisodeError) -> JSONValue? {
        switch value {
        case nil, .null?: return nil
        case .int?, .string?: return value
        case .double(let d)? where d == d.rounded(): return value
        case let other?: throw .caption(file: file, field: field, reason: "expected a frame reference (an integer timestamp or a string), found \(other.typeName)")
        }
    }

    static func segment(_ item: JSONValue, field: String, file: String) throws(EpisodeError) -> CaptionSegment {
        guard case .object = item else {
            throw .caption(file: file, field: field, reason: "expected an object, found \(item.typeName)")
        }
        var segmentID: Int64 = 0
        switch item["segment_id"] {
        case nil, .null?: break
        case .int(let v)?: segmentID = v
        case .string(let s)? where Int64(s) != nil: segmentID = Int64(s) ?? 0
        case let other?: throw .caption(file: file, field: field + ".segment_id", reason: "expected an integer, found \(other.typeName)")
        }
        let subTask = try string(item["Sub Task"], field: field + ".Sub Task", file: file)
        let start = try frameRef(item["start_frame"], field: field + ".start_frame", file: file) ?? .int(0)
        let end = try frameRef(item["end_frame"], field: field + ".end_frame", file: file) ?? .int(0)

        var actions: [CaptionAction] = []
        switch item["Current Action"] {
        case nil, .null?: break
        case .array(let list)?:
            for (j, entry) in list.enumerated() {
                let f = field + ".Current Action[\(j)]"
                guard case .object = entry else {
                    throw .caption(file: file, field: f, reason: "expected an object, found \(entry.typeName)")
                }
                actions.append(CaptionAction(
                    label: try string(entry["label"], field: f + ".label", file: file),
                    description: try string(entry["description"], field: f + ".description", file: file),
                    startFrameName: try frameRef(entry["start_frame_name"], field: f + ".start_frame_name", file: file),
                    endFrameName: try frameRef(entry["end_frame_name"], field: f + ".end_frame_name", file: file),
                    startFrame: try frameRef(entry["start_frame"], field: f + ".start_frame", file: file),
                    endFrame: try frameRef(entry["end_frame"], field: f + ".end_frame", file: file)))
            }
        case let other?:
            throw .caption(file: file, field: field + ".Current Action", reason: "expected an array, found \(other.typeName)")
        }

        var objects: [(key: String, value: [String])] = []
        switch item["objects"] {
        case nil, .null?: break
        case .object(let pairs)?:
            for (key, value) in pairs {
                let f = field + ".objects[\(key)]"
                switch value {
                case .string(let s): objects.append((key, [s]))
                case .array(let list):
                    var names: [String] = []
                    for element in list {
                        guard case .string(let s) = element else {
                            throw .caption(file: file, field: f, reason: "expected a list of strings, found an element that is \(element.typeName)")
                        }
                        names.append(s)
                    }
                    objects.append((key, names))
                default: throw .caption(file: file, field: f, reason: "expected a list of strings, found \(value.typeName)")
                }
            }
        case let other?:
            throw .caption(file: file, field: field + ".objects", reason: "expected an object keyed by frame, found \(other.typeName)")
        }

        var interaction: [(key: String, value: String)] = []
        switch item["interaction"] {
        case nil, .null?: break
        case .object(let pairs)?:
            for (key, value) in pairs {
                interaction.append((key, try string(value, field: field + ".interaction[\(key)]", file: file)))
            }
        case let other?:
            throw .caption(file: file, field: field + ".interaction", reason: "expected an object keyed by frame, found \(other.typeName)")
        }
        return CaptionSegment(segmentID: segmentID, subTask: subTask, startFrame: start, endFrame: end,
                              actions: actions, objects: objects, interaction: interaction)
    }
}
