import Foundation

/// Counts what is read from an episode: each whole-dataset read, each dataset opened for
/// streaming, each media stream decoded or probed.
///
/// It exists so that a test can prove that a pipeline reads every dataset and decodes every
/// stream once (the single pass of `WindowAlign`'s timeline), and so that a user chasing a
/// slow run can see what was read twice. Pass one to ``Episode/init(path:accessLog:)``; the
/// reader records into it from any thread.
///
/// ```swift
/// let log = EpisodeAccessLog()
/// let episode = try Episode(path: folder, accessLog: log)
/// _ = try episode.hands()
/// print(log.count("read hand_mocap/left_joints_3d"))   // 1
/// ```
public final class EpisodeAccessLog: @unchecked Sendable {
    private var counts: [String: Int] = [:]
    private let lock = NSLock()

    public init() {}

    /// Records one event, e.g. `read slam/quat_wxyz`, `stream depth/depth`,
    /// `decode video fisheye_cam0.mp4`.
    public func record(_ event: String) {
        lock.lock()
        counts[event, default: 0] += 1
        lock.unlock()
    }

    /// How often `event` happened.
    public func count(_ event: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts[event] ?? 0
    }

    /// Every event with its count.
    public var events: [String: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    /// Events that happened more than once, sorted.
    public var repeated: [(event: String, count: Int)] {
        events.filter { $0.value > 1 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
