import XPCore
extension SyntheticPlan {
    /// The caption JSON for this plan, with the quirks of the release (spec §3.2): timestamp
    /// references written as integers or strings at random, actions that run into a later
    /// segment, segments with no actions, the last segment ending in `frame_%07d`, objects and
    /// interaction keyed by timestamp strings with synonyms, sampled frames, token counts.
    ///
    /// An action that ends inside its own segment ends on the last sampled frame before the next
    /// action (the gap is filled by the toolkit's "last action that ended" rule, as in the
    /// release). One that runs into a later segment ends on the frame before the next action, so
    /// that the toolkit's "first action of the segment" rule cannot relabel the gap: the
    /// intended labels and the resolved ones then agree frame for frame.
    public func captionJSON(timestamps: [Int64], seed: UInt64) -> JSONValue {
        var rng = SplitMix64(seed: seed).fork(0xCA97_1011)
        let catalogue = PourOverCoffee.activities
        func ref(_ frame: Int) -> JSONValue {
            rng.uniform() < 0.5 ? .int(timestamps[frame]) : .string(String(timestamps[frame]))
        }
        func segmentIndex(of frame: Int) -> Int { segments.firstIndex { $0.frames.contains(frame) } ?? segments.count - 1 }
        var totalTokens: Int64 = 0
        var segmentValues: [JSONValue] = []
        var clock = 1_741_540_000.0 // 2025-03-09, a plausible captioning time
        for (s, segment) in segments.enumerated() {
            var actionsJSON: [JSONValue] = []
            for action in actions where action.segment == s {
                let a = catalogue[action.activity]
                let start = action.frames.lowerBound
                let isTail = s == segments.count - 1
                let endFrame: Int
                if isTail {
                    endFrame = start
                } else {
                    let lastGrid = action.frames.upperBound - grid
                    endFrame = segmentIndex(of: lastGrid) == s ? lastGrid : action.frames.upperBound - 1
                }
                actionsJSON.append(.object([
                    ("label", .string(a.label)), ("description", .string(a.description)),
                    ("start_frame", ref(start)), ("end_frame", endFrame == start ? ref(start) : ref(endFrame)),
                ]))
            }
            var sampled: [(String, JSONValue)] = []
            for (i, frame) in segment.sampled.enumerated() { sampled.append(("Image \(i + 1)", .int(timestamps[frame]))) }
            // Objects at the first sampled frame, where an action starts, and at some others;
            // interaction likewise, except at the very first frame of the episode.
            var objects: [(String, JSONValue)] = []
            var interaction: [(String, JSONValue)] = []
            for (i, frame) in segment.sampled.enumerated() {
                let active = actions[actionOfFrame[frame]]
                let a = catalogue[active.activity]
                let startsHere = active.frames.lowerBound == frame
                if i == 0 || startsHere || rng.uniform() < 0.3 {
                    let names = a.objects.map { synonyms in synonyms[rng.int(0...(synonyms.count - 1))] }
                    objects.append((String(timestamps[frame]), .array(names.map { .string($0) })))
                }
                if frame != 0 && (i == 0 || startsHere || rng.uniform() < 0.3) {
                    interaction.append((String(timestamps[frame]), .string(a.interaction)))
                }
            }
            let tokensIn = Int64(1800 + rng.int(0...400) * segment.sampled.count)
            let tokensOut = Int64(150 + rng.int(0...200))
            totalTokens += tokensIn + tokensOut
            let callStart = clock
            clock += rng.uniform(2, 9)
            let isTail = s == segments.count - 1
            segmentValues.append(.object([
                ("segment_id", .int(Int64(s))),
                ("start_frame", .string(String(timestamps[segment.frames.lowerBound]))),
                ("end_frame", isTail ? .string(String(format: "frame_%07d", frameCount + 1)) : .string(String(timestamps[segment.frames.upperBound]))),
                ("Sub Task", .string(segment.subTask)),
                ("Current Action", .array(actionsJSON)),
                ("sampled_frames", .object(sampled)),
                ("objects", .object(objects)),
                ("interaction", .object(interaction)),
                ("api_call_start", .string(isoTimestamp(callStart))),
                ("api_call_end", .string(isoTimestamp(clock))),
                ("tokens_in", .int(tokensIn)), ("tokens_out", .int(tokensOut)),
            ]))
            clock += rng.uniform(0.5, 2)
        }
        return .object([
            ("config", .object([("total_frames", .int(Int64(frameCount + 1))), ("total_tokens", .int(totalTokens)),
                                ("Main Task", .string(PourOverCoffee.mainTask))])),
            ("segments", .array(segmentValues)),
        ])
    }

    /// The objects a reader following the toolkit's current rules must give each frame: those
    /// keyed at the latest keyed frame at or before it in its segment.
    public func intendedObjects(caption: JSONValue, timestamps: [Int64]) -> [[String]?] {
        var frameOf: [String: Int] = [:]
        for (i, t) in timestamps.enumerated() { frameOf[String(t)] = i }
        var out = [[String]?](repeating: nil, count: frameCount)
        guard let segmentsJSON = caption["segments"]?.arrayValue else { return out }
        for (s, segment) in segments.enumerated() where s < segmentsJSON.count {
            let keyed = (segmentsJSON[s]["objects"]?.objectValue ?? []).compactMap { key, value -> (Int, [String])? in
                guard let f = frameOf[key], let list = value.arrayValue else { return nil }
                return (f, list.compactMap(\.stringValue))
            }.sorted { $0.0 < $1.0 }
            for f in segment.frames {
                if let last = keyed.last(where: { $0.0 <= f }) { out[f] = last.1 }
            }
        }
        return out
    }
}

import Foundation

/// `YYYY-MM-DDTHH:MM:SS.ffffff` (naive, UTC), as the caption's api_call times.
func isoTimestamp(_ seconds: Double) -> String {
    let date = Date(timeIntervalSince1970: seconds)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    let micro = Int((seconds - seconds.rounded(.down)) * 1_000_000)
    return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0, micro)
}
