import Foundation
import XPCore

/// Where a sample goes.
public enum SplitRole: String, Sendable, Codable {
    case train, validation, test
    /// Dropped by the strict purge gap (neither train nor test).
    case purged
}

/// The reference `chronological_split_indices`: `k = round(n·(1 − testFraction))` (half to
/// even), clipped to [1, n − 1]; train = [0, k), test = [k, n).
public func chronologicalSplitPoint(count n: Int, testFraction: Double) -> Int {
    guard n >= 2 else { return n }
    let k = Int(Statistics.roundHalfEven(Double(n) * (1 - testFraction)))
    return min(max(k, 1), n - 1)
}

/// The strict purge gap in windows: ⌈(window + horizon) / stride⌉, so no frame a train
/// sample reads (its window plus its target horizon) reaches the first test window.
public func purgeGapWindows(windowFrames: Int, strideFrames: Int, horizonFrames: Int) -> Int {
    guard strideFrames > 0 else { return 0 }
    return (windowFrames + horizonFrames + strideFrames - 1) / strideFrames
}

/// How episodes are split.
public enum SplitPolicy: Sendable, Equatable, Codable {
    /// One episode (or each episode independently), chronological: the reference's per-task
    /// 70/30 over samples with no gap, or the strict window-level split with a purge gap.
    case chronological
    /// Whole episodes go to train, validation or test, grouped by session.
    case heldOutEpisodes(EpisodeAssignment)

    public var name: String {
        switch self {
        case .chronological: return "chronological"
        case .heldOutEpisodes: return "held_out_episodes"
        }
    }
}

/// Which episode is in which split.
public struct EpisodeAssignment: Sendable, Equatable, Codable {
    /// Role per episode, in input order.
    public var roles: [SplitRole]
    /// The session of each episode.
    public var sessions: [String]

    /// Assigns sessions (never episodes of one session apart) to test, then validation, until
    /// each holds about its fraction of the episodes; the rest train. Sessions are ordered by
    /// a seeded shuffle of their sorted names, so the same list and seed give the same split.
    /// Needs at least two sessions (one for train, one for test).
    public static func bySession(sessions: [String], testFraction: Double = 0.125, validationFraction: Double = 0.125,
                                 seed: UInt64 = 7) throws(SuiteError) -> EpisodeAssignment {
        let unique = Array(Set(sessions)).sorted()
        guard unique.count >= 2 else {
            throw .invalidArgument(what: "episode list", detail: "held-out-episode splits need episodes from at least 2 sessions, found \(unique.count)")
        }
        var order = unique
        // SplitMix64 started one increment past the seed, and a plain modulo (not
        // `nextInt(below:)`): the published split assignments depend on these exact draws.
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        let count: [String: Int] = sessions.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        let total = Double(sessions.count)
        var role: [String: SplitRole] = [:]
        var testN = 0, valN = 0
        var rest: [String] = []
        for (i, s) in order.enumerated() {
            let wantsTest = testN == 0 || Double(testN) < testFraction * total
            if wantsTest, order.count - i - 1 >= 1 {
                role[s] = .test; testN += count[s] ?? 0
            } else { rest.append(s) }
        }
        for (i, s) in rest.enumerated() {
            // Validation only while at least one session is left for train.
            if validationFraction > 0, Double(valN) < validationFraction * total, rest.count - i - 1 >= 1 {
                role[s] = .validation; valN += count[s] ?? 0
            } else {
                role[s] = .train
            }
        }
        return EpisodeAssignment(roles: sessions.map { role[$0] ?? .train }, sessions: sessions)
    }
}

/// One sample of a task: its window (and partner window for pair tasks) in one episode, and
/// the frames it reads including its target horizon.
public struct Sample: Sendable, Equatable, Codable {
    public var episode: Int
    public var window: Int
    public var partner: Int?
    /// First and last frame read by inputs or targets (inclusive).
    public var firstFrame: Int
    public var lastFrame: Int
}

/// Counts and overlaps that show whether train information reaches test samples.
public struct LeakageReport: Sendable, Codable, Equatable {
    public var task: String
    public var split: String
    public var gapWindows: Int
    public var trainSamples: Int
    public var validationSamples: Int
    public var testSamples: Int
    public var purgedSamples: Int
    /// Test windows that are also the window of a train sample.
    public var sharedWindows: Int
    /// Train samples whose frames (inputs, partner, target horizon) overlap a test sample's frames.
    public var trainSamplesTouchingTestFrames: Int
    /// Train samples whose partner window (negative pair, next window) is a test window.
    public var trainPartnersInTest: Int
    /// Test samples whose partner window is a train window.
    public var testPartnersInTrain: Int
    public var leakFree: Bool

    enum CodingKeys: String, CodingKey {
        case task, split
        case gapWindows = "gap_windows"
        case trainSamples = "train_samples"
        case validationSamples = "validation_samples"
        case testSamples = "test_samples"
        case purgedSamples = "purged_samples"
        case sharedWindows = "shared_windows"
        case trainSamplesTouchingTestFrames = "train_samples_touching_test_frames"
        case trainPartnersInTest = "train_partners_in_test"
        case testPartnersInTrain = "test_partners_in_train"
        case leakFree = "leak_free"
    }

    /// Audits `samples` split into `roles`.
    public static func audit(task: String, split: String, gapWindows: Int, samples: [Sample], roles: [SplitRole]) -> LeakageReport {
        var testWindows = Set<[Int]>(), trainWindows = Set<[Int]>()
        // Per episode, the test frame intervals merged into a sorted list.
        var testSpans: [Int: [(Int, Int)]] = [:]
        for (s, r) in zip(samples, roles) {
            if r == .test {
                testWindows.insert([s.episode, s.window])
                if let p = s.partner { testWindows.insert([s.episode, p]) }
                testSpans[s.episode, default: []].append((s.firstFrame, s.lastFrame))
            } else if r == .train {
                trainWindows.insert([s.episode, s.window])
            }
        }
        // Merge intervals for a fast overlap test.
        var merged: [Int: [(Int, Int)]] = [:]
        for (e, spans) in testSpans {
            var out: [(Int, Int)] = []
            for sp in spans.sorted(by: { $0.0 < $1.0 }) {
                if let last = out.last, sp.0 <= last.1 + 1 { out[out.count - 1].1 = max(last.1, sp.1) } else { out.append(sp) }
            }
            merged[e] = out
        }
        func touches(_ s: Sample) -> Bool {
            guard let spans = merged[s.episode] else { return false }
            return spans.contains { s.firstFrame <= $0.1 && s.lastFrame >= $0.0 }
        }
        var shared = 0, touching = 0, trainPartners = 0, testPartners = 0
        var counts: [SplitRole: Int] = [:]
        for (s, r) in zip(samples, roles) {
            counts[r, default: 0] += 1
            switch r {
            case .train:
                if touches(s) { touching += 1 }
                if let p = s.partner, testWindows.contains([s.episode, p]) { trainPartners += 1 }
            case .test:
                if trainWindows.contains([s.episode, s.window]) { shared += 1 }
                if let p = s.partner, trainWindows.contains([s.episode, p]) { testPartners += 1 }
            default: break
            }
        }
        return LeakageReport(task: task, split: split, gapWindows: gapWindows,
                             trainSamples: counts[.train] ?? 0, validationSamples: counts[.validation] ?? 0,
                             testSamples: counts[.test] ?? 0, purgedSamples: counts[.purged] ?? 0,
                             sharedWindows: shared, trainSamplesTouchingTestFrames: touching,
                             trainPartnersInTest: trainPartners, testPartnersInTrain: testPartners,
                             leakFree: shared == 0 && touching == 0 && trainPartners == 0 && testPartners == 0)
    }
}
