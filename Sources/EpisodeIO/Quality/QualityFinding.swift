import XPCore

/// How bad a finding is. `error`: the data is wrong and whatever reads it would be wrong too
/// (a tool with `--on-bad-data error` stops). `warning`: part of the data is unusable and is
/// masked or left out. `info`: worth knowing, nothing is masked.
public enum QualitySeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case info, warning, error

    public static func < (a: QualitySeverity, b: QualitySeverity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The kind of a finding: a stable, snake_case identifier users can filter and count on.
///
/// A struct of named constants rather than an enum, so that a new check adds one `static let`
/// beside its code and no switch elsewhere has to learn it.
public struct QualityCheck: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: QualityCheck, b: QualityCheck) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    // Files and structure
    /// The annotation file cannot be opened: missing, empty, a Git LFS pointer, not HDF5, truncated.
    public static let unreadableFile = QualityCheck("unreadable_file")
    /// The HDF5 file opens but its group tables cannot be walked: an error, never "absent".
    public static let corruptStructure = QualityCheck("corrupt_structure")
    /// A dataset of the release schema is absent.
    public static let missingDataset = QualityCheck("missing_dataset")
    /// A dataset has another element type than the release schema says.
    public static let wrongType = QualityCheck("wrong_type")
    /// A dataset has another shape than the release schema says (other than its row count).
    public static let wrongShape = QualityCheck("wrong_shape")
    /// A per-frame dataset has another number of rows than the frame timeline (N).
    public static let rowCountMismatch = QualityCheck("row_count_mismatch")
    /// A dataset cannot be read although it opens (corrupt chunk, filter failure).
    public static let unreadableDataset = QualityCheck("unreadable_dataset")
    /// The frame timeline has no frames.
    public static let noFrames = QualityCheck("no_frames")

    // Values
    /// Rows holding NaN or ±Inf.
    public static let nonFiniteRows = QualityCheck("non_finite_rows")
    /// Rows that are all zero, beyond the share the modality normally has.
    public static let zeroRows = QualityCheck("zero_rows")
    /// Quaternions that cannot be normalised (zero length).
    public static let badQuaternion = QualityCheck("bad_quaternion")
    /// Values outside their physical or index range (negative depth, an IMU keyframe index past M).
    public static let outOfRange = QualityCheck("out_of_range")
    /// A calibration matrix or intrinsic that is not usable.
    public static let badCalibration = QualityCheck("bad_calibration")

    // Time
    /// Timestamps that go backwards.
    public static let nonMonotonicTimestamps = QualityCheck("non_monotonic_timestamps")
    /// Timestamps repeated on consecutive rows.
    public static let duplicateTimestamps = QualityCheck("duplicate_timestamps")
    /// Frame names and `video/device_timestamp` disagree, or a timestamp is not a number.
    public static let timestampMismatch = QualityCheck("timestamp_mismatch")
    /// Two clocks of the episode (frame timestamps, video pts, IMU) drift apart.
    public static let clockDrift = QualityCheck("clock_drift")

    // Captions
    /// The caption payload is absent or cannot be parsed.
    public static let captionUnparseable = QualityCheck("caption_unparseable")
    /// Caption bytes that are not valid UTF-8.
    public static let captionInvalidUTF8 = QualityCheck("caption_invalid_utf8")
    /// No segments, or a `segments` key that is absent.
    public static let captionNoSegments = QualityCheck("caption_no_segments")
    /// Segments without actions.
    public static let captionEmptyActions = QualityCheck("caption_empty_actions")
    /// Frame references that resolve to no frame.
    public static let captionUnresolvedReferences = QualityCheck("caption_unresolved_references")
    /// Frame references that only resolve to a frame far away from them.
    public static let captionFarReferences = QualityCheck("caption_far_references")
    /// Ranges whose end comes before their start.
    public static let captionReversedRange = QualityCheck("caption_reversed_range")

    // Media
    /// An MP4 stream of the release is absent.
    public static let mediaMissing = QualityCheck("media_missing")
    /// An MP4 stream cannot be opened or decoded.
    public static let mediaUnreadable = QualityCheck("media_unreadable")
    /// A video's frame count differs from the annotation's N.
    public static let videoFrameCount = QualityCheck("video_frame_count")
    /// A video's resolution differs from the release's.
    public static let videoResolution = QualityCheck("video_resolution")
    /// The audio track is absent.
    public static let audioMissing = QualityCheck("audio_missing")
    /// The audio track's length differs from the episode's duration.
    public static let audioLength = QualityCheck("audio_length")
}

/// One data-quality finding: what is wrong, where (file, dataset, rows), what was expected and
/// found, and what to do.
public struct QualityFinding: Sendable, Equatable, Codable, CustomStringConvertible {
    public var check: QualityCheck
    public var severity: QualitySeverity
    /// The file the finding is about (annotation.hdf5, an MP4, the caption file).
    public var file: String
    /// The dataset path inside `file` (`hand_mocap/left_joints_3d`), or the stream, or nil for
    /// the file as a whole.
    public var dataset: String?
    /// The modality the finding touches (tools report the findings that touch their inputs).
    public var modality: Modality?
    /// Rows affected, and the dataset's row count, when the finding is about rows.
    public var rowsAffected: Int?
    public var totalRows: Int?
    /// The first affected rows (0-based), at most ``QualityFinding/firstRowsLimit``.
    public var firstRows: [Int]
    public var expected: String
    public var found: String
    /// What the user can do about it.
    public var action: String
    /// What `rowsAffected` counts: "rows" (of `dataset`), or e.g. "references", "segments".
    public var unit: String

    public static let firstRowsLimit = 5

    public init(_ check: QualityCheck, _ severity: QualitySeverity, file: String, dataset: String? = nil, modality: Modality? = nil,
                rows: [Int]? = nil, rowsAffected: Int? = nil, totalRows: Int? = nil,
                expected: String, found: String, action: String, unit: String = "rows") {
        self.check = check
        self.unit = unit
        self.severity = severity
        self.file = file
        self.dataset = dataset
        self.modality = modality
        self.firstRows = Array((rows ?? []).prefix(Self.firstRowsLimit))
        self.rowsAffected = rowsAffected ?? rows?.count
        self.totalRows = totalRows
        self.expected = expected
        self.found = found
        self.action = action
    }

    /// `warning [non_finite_rows] FILE: hand_mocap/left_joints_3d: 3 of 8 rows (first: 0, 1, 2): expected …; found …. …`
    public var description: String {
        var s = "\(severity.rawValue) [\(check.rawValue)] \(file)"
        if let dataset { s += ": \(dataset)" }
        if let rowsAffected {
            let singular = unit.hasSuffix("s") ? String(unit.dropLast()) : unit
            s += ": \(rowsAffected)" + (totalRows.map { " of \($0)" } ?? "") + " " + (rowsAffected == 1 && totalRows == nil ? singular : unit)
            if !firstRows.isEmpty {
                s += " (first: " + firstRows.map(String.init).joined(separator: ", ") + (rowsAffected > firstRows.count ? ", …" : "") + ")"
            }
        }
        s += ": expected \(expected); found \(found). \(action)"
        return s
    }

    /// The finding as ordered JSON (snake_case keys, absent values omitted), for the
    /// `presence.json`, `summary.md` and `xp-qa --json` outputs.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("check", .string(check.rawValue)), ("severity", .string(severity.rawValue)), ("file", .string(file)),
        ]
        if let dataset { pairs.append(("dataset", .string(dataset))) }
        if let modality { pairs.append(("modality", .string(modality.rawValue))) }
        if let rowsAffected { pairs.append(("rows_affected", .int(Int64(rowsAffected)))) }
        if let totalRows { pairs.append(("total_rows", .int(Int64(totalRows)))) }
        if !firstRows.isEmpty { pairs.append(("first_rows", .array(firstRows.map { .int(Int64($0)) }))) }
        if rowsAffected != nil { pairs.append(("unit", .string(unit))) }
        pairs += [("expected", .string(expected)), ("found", .string(found)), ("action", .string(action))]
        return .object(pairs)
    }

    enum CodingKeys: String, CodingKey {
        case check, severity, file, dataset, modality, expected, found, action, unit
        case rowsAffected = "rows_affected", totalRows = "total_rows", firstRows = "first_rows"
    }
}

extension Array where Element == QualityFinding {
    /// The most severe finding's severity, nil when empty.
    public var worstSeverity: QualitySeverity? { map(\.severity).max() }

    /// The findings about any of `modalities`, plus those about the file as a whole.
    public func touching(_ modalities: Set<Modality>) -> [QualityFinding] {
        filter { $0.modality.map(modalities.contains) ?? true }
    }

    /// Most severe first, then by file, dataset and kind: the order every report prints.
    public var ordered: [QualityFinding] {
        enumerated().sorted { a, b in
            if a.element.severity != b.element.severity { return a.element.severity > b.element.severity }
            return a.offset < b.offset
        }.map(\.element)
    }
}
