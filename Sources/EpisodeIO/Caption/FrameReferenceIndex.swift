/// Frame names of an episode's timeline, indexed the way the caption rules look them up.
///
/// Lookups are by full name (`72857807732824.jpg`) or stem (`72857807732824`); a timestamp that
/// matches no name exactly resolves to the frame whose stem, read as an integer, is nearest.
public struct FrameReferenceIndex: Sendable {
    public let names: [String]
    /// Name or stem → frame index. A repeated name maps to its last frame, a stem to its first
    /// (the toolkit builds the table that way).
    let lookup: [String: Int]
    /// (timestamp, frame) in the toolkit's iteration order (names, then stems not already seen).
    /// Ties in the nearest search go to the earlier entry.
    let timestamps: [(value: Int64, frame: Int)]

    public var count: Int { names.count }

    public init(names: [String]) {
        self.names = names
        var lookup: [String: Int] = [:]
        var order: [String] = []
        for (i, name) in names.enumerated() {
            if lookup[name] == nil { order.append(name) }
            lookup[name] = i
        }
        for (i, name) in names.enumerated() {
            let stem = Self.stem(name)
            if lookup[stem] == nil {
                lookup[stem] = i
                order.append(stem)
            }
        }
        self.lookup = lookup
        var timestamps: [(value: Int64, frame: Int)] = []
        for key in order {
            if let value = Self.pythonInt(Self.stem(key)), let frame = lookup[key] {
                timestamps.append((value, frame))
            }
        }
        self.timestamps = timestamps
    }

    /// `name.rsplit(".", 1)[0]`.
    static func stem(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return name }
        return String(name[..<dot])
    }

    /// Python's `int(str)` for the forms that can appear here: optional sign, ASCII digits,
    /// surrounding whitespace.
    static func pythonInt(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return Int64(trimmed)
    }

    /// `str.isdigit()` for ASCII: non-empty and all digits.
    static func isDigits(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Exact name or stem lookup.
    public func exact(_ key: String) -> Int? { lookup[key] }

    /// The frame whose name, read as a timestamp, is nearest to `timestamp`; nil when no name
    /// is numeric.
    public func nearest(to timestamp: Int64) -> Int? { nearestWithDistance(to: timestamp)?.frame }

    /// ``nearest(to:)`` with the absolute distance between the timestamp and the frame's.
    public func nearestWithDistance(to timestamp: Int64) -> (frame: Int, distance: UInt64)? {
        var best: Int? = nil
        var bestDiff = UInt64.max
        for entry in timestamps {
            let (difference, overflow) = entry.value.subtractingReportingOverflow(timestamp)
            let diff = overflow ? UInt64.max : difference.magnitude
            if diff < bestDiff {
                bestDiff = diff
                best = entry.frame
            }
        }
        return best.map { ($0, bestDiff) }
    }
}

import Foundation
