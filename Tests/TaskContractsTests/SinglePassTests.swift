import EpisodeIO
import Foundation
import Testing
import WindowAlign
@testable import TaskContracts

/// A suite load reads the episode once: targets and features come from one timeline.
@Suite("Suite loading reads each episode file once")
struct SinglePassTests {
    static let folder: Result<URL, any Error> = Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xp-single-pass-\(ProcessInfo.processInfo.processIdentifier)")
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("annotation.hdf5").path) {
            _ = try SyntheticEpisode.write(.tiny(seed: 3, frames: 240), to: dir, media: SyntheticMedia.writer)
        }
        return dir
    }

    @Test("building features for the suite: one open, one read per dataset, one decode per stream", arguments: SuiteProtocol.allCases)
    func buildFromEpisode(_ p: SuiteProtocol) throws {
        let dir = try Self.folder.get()
        let log = EpisodeAccessLog()
        let fp = p.featureProtocol
        let episode = try EpisodeLoader.load(folder: dir, source: .episodeFeatures(fp, cache: nil), suiteProtocol: p, accessLog: log)
        #expect(log.repeated.isEmpty, "read more than once: \(log.repeated)")
        #expect(log.count("open annotation.hdf5") == 1)
        #expect(log.count("decode video fisheye_cam0.mp4") == 1)
        #expect(log.count("decode audio fisheye_cam0.mp4") == 1)
        #expect(log.count("read hand_mocap/left_joints_3d") == 1)
        #expect(episode.frames.hasLabels)
        #expect(episode.frames.handsMinusRoot?.count == episode.frames.frameCount * 126)
    }

    @Test("features from a folder: the episode is read for targets only, no media decoded")
    func featuresFromFolder() throws {
        let dir = try Self.folder.get()
        let features = dir.deletingLastPathComponent().appendingPathComponent(dir.lastPathComponent + "-features")
        let built = try EpisodeFeatures.build(episode: Episode(path: dir.path), options: FeatureBuildOptions(featureProtocol: .strict))
        try built.write(to: features)
        let log = EpisodeAccessLog()
        let episode = try EpisodeLoader.load(folder: dir, source: .folder(features), suiteProtocol: .strict, accessLog: log)
        #expect(log.repeated.isEmpty, "read more than once: \(log.repeated)")
        #expect(!log.events.keys.contains { $0.hasPrefix("decode") || $0.hasPrefix("stream depth") })
        #expect(episode.features.storage == built.values)
    }

    @Test("strict targets use the feature build's hand mask; reference targets the detection flags")
    func handMask() throws {
        let dir = try Self.folder.get()
        let strict = try EpisodeLoader.load(folder: dir, source: .sensorsOnly, suiteProtocol: .strict)
        let reference = try EpisodeLoader.load(folder: dir, source: .sensorsOnly, suiteProtocol: .reference)
        let hands = try Episode(path: dir.path).hands()
        let refMask = try #require(reference.frames.handPresent)
        let strictMask = try #require(strict.frames.handPresent)
        let strictHands = try #require(strict.frames.handsMinusRoot)
        for f in 0..<hands.count {
            #expect(refMask[f * 2] == hands.leftPresent[f] && refMask[f * 2 + 1] == hands.rightPresent[f])
            // Strict validity implies detection; a masked frame is a zero row.
            #expect(!strictMask[f * 2] || hands.leftPresent[f])
            if !strictMask[f * 2] { #expect(strictHands[(f * 126)..<(f * 126 + 63)].allSatisfy { $0 == 0 }) }
        }
    }
}
