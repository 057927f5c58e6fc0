import Foundation
import XPCore

/// The release's folder layout for several synthetic episodes: `<session-uuid>/ep<k>/`, with
/// a few episodes per session, each episode its own seed.
public enum SyntheticDataset {
    /// One planned episode.
    public struct Item: Sendable, Equatable {
        public var session: String
        public var episode: Int
        public var seed: UInt64
        /// `<session>/ep<k>`.
        public var relativePath: String { "\(session)/ep\(episode)" }
    }

    /// A deterministic UUID-shaped session name (version-4 layout) from a seed.
    public static func sessionName(seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed).fork(0x5E55_1011)
        var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// `count` episodes spread over sessions of up to `perSession` episodes (episode numbers
    /// start at 1 and are not zero-padded, as in the release).
    public static func layout(count: Int, seed: UInt64, perSession: Int = 3) -> [Item] {
        (0..<count).map { i in
            let session = sessionName(seed: seed &+ UInt64(i / max(perSession, 1)))
            return Item(session: session, episode: i % max(perSession, 1) + 1, seed: seed &+ UInt64(i) &* 1_000_003)
        }
    }

    /// Writes a dataset of `count` tiny episodes of `frames` frames below `root` (the layout of
    /// ``layout(count:seed:perSession:)``, MP4s included) and returns the episode folders.
    @discardableResult
    public static func writeTiny(count: Int, frames: Int, seed: UInt64, to root: URL) throws -> [URL] {
        try layout(count: count, seed: seed).map { item in
            let folder = root.appendingPathComponent(item.relativePath)
            _ = try SyntheticEpisode.write(.preset(.tiny, seed: item.seed, frames: frames), to: folder, media: SyntheticMedia.writer)
            return folder
        }
    }
}
