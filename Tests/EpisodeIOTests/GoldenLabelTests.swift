import Foundation
import Testing
@testable import EpisodeIO

/// Resolving the sample's caption against its full 5,821-name timeline must give the reference
/// task suite's per-window labels exactly.
@Suite("Golden labels", .sharedFixtures("real-sample-trim8/annotation.hdf5", "real-sample-trim8/sample_frame_names.txt",
                                          "reference-sample-outputs/windows.csv",
                                          "reference-sample-outputs/transition_detection_true_boundaries.csv"))
struct GoldenLabelTests {
    static func trim() throws -> URL { try SharedFixtures.url("real-sample-trim8/annotation.hdf5") }
    static func names() throws -> URL { try SharedFixtures.url("real-sample-trim8/sample_frame_names.txt") }
    static func windows() throws -> URL { try SharedFixtures.url("reference-sample-outputs/windows.csv") }
    static func boundaries() throws -> URL { try SharedFixtures.url("reference-sample-outputs/transition_detection_true_boundaries.csv") }

    /// The reference's window rule, written out independently here (spec §1.4): drop empty
    /// labels, most common with ties to the first seen, fraction over the non-empty ones,
    /// "" below 0.6.
    static func majority(_ labels: ArraySlice<String>) -> (String, Double) {
        let kept = labels.filter { !$0.isEmpty }
        guard !kept.isEmpty else { return ("", 0) }
        var counts: [String: Int] = [:]
        var order: [String] = []
        for label in kept {
            if counts[label] == nil { order.append(label) }
            counts[label, default: 0] += 1
        }
        var best = order[0]
        for label in order where counts[label]! > counts[best]! { best = label }
        let fraction = Double(counts[best]!) / Double(kept.count)
        return fraction < 0.6 ? ("", fraction) : (best, fraction)
    }

    struct Row { var start: Int; var end: Int; var center: Int; var action: String; var actionFraction: Double; var subtask: String; var subtaskFraction: Double }

    static func readWindows(_ url: URL) throws -> [Row] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Row(start: Int(f[1])!, end: Int(f[2])!, center: Int(f[3])!, action: f[4], actionFraction: Double(f[5])!, subtask: f[6], subtaskFraction: Double(f[7])!)
        }
    }

    @Test("1,161 windows of 20/5 equal the reference windows.csv", arguments: CaptionRules.allCases)
    func windowsMatch(rules: CaptionRules) throws {
        let episode = try Episode(path: Self.trim().path)
        let names = try Episode.readTimeline(path: Self.names().path)
        #expect(names.count == 5821)
        let table = try episode.captions(rules: rules, frameNames: names)
        #expect(table.segmentBoundaries.count == 18)
        let action = table.labels(.action)
        let subtask = table.labels(.subtask)
        let expected = try Self.readWindows(Self.windows())
        try #require(expected.count == 1161)
        var mismatches: [String] = []
        for (i, start) in stride(from: 0, through: 5821 - 20, by: 5).enumerated() {
            let row = expected[i]
            let (a, af) = Self.majority(action[start..<(start + 20)])
            let (s, sf) = Self.majority(subtask[start..<(start + 20)])
            if row.start != start || row.end != start + 19 || row.center != start + 9 || row.action != a || row.subtask != s
                || abs(row.actionFraction - af) > 1e-12 || abs(row.subtaskFraction - sf) > 1e-12 {
                mismatches.append("window \(i): expected \(row.action)/\(row.actionFraction), \(row.subtask)/\(row.subtaskFraction); got \(a)/\(af), \(s)/\(sf)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test("action boundaries equal the 17 reference frames")
    func boundaries() throws {
        let episode = try Episode(path: Self.trim().path)
        let names = try Episode.readTimeline(path: Self.names().path)
        let table = try episode.captions(frameNames: names)
        let text = try String(contentsOf: Self.boundaries(), encoding: .utf8)
        let expected = text.split(whereSeparator: \.isNewline).dropFirst().compactMap { Int($0) }
        #expect(expected.count == 17)
        #expect(table.boundaries(.action) == expected)
        #expect(table.farReferences == 0)
        #expect(table.unresolvedReferences.isEmpty)
    }

    @Test("segment ends: current rules clamp frame_0005822 to 5820, release rules fall back to 5800")
    func lastSegment() throws {
        let episode = try Episode(path: Self.trim().path)
        let names = try Episode.readTimeline(path: Self.names().path)
        let current = try episode.captions(rules: .current, frameNames: names)
        let release = try episode.captions(rules: .release, frameNames: names)
        #expect(current.segmentBoundaries.last.map { [$0.start, $0.end] } == [5800, 5820])
        #expect(release.segmentBoundaries.last.map { [$0.start, $0.end] } == [5800, 5800])
        #expect(current.taskIDs.first?.task == "Pick up and position kettle")
        #expect(current.taskIDs.count == 14)
    }
}
