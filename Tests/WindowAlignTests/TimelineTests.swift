import EpisodeIO
import Foundation
import Testing
@testable import WindowAlign

/// The one-pass timeline: each file read once, the protocol's depth-confidence rule, and the
/// caption rule set as a parameter of the build.
@Suite("EpisodeTimeline")
struct TimelineTests {
    @Test("one build opens the annotation once, reads each dataset once and decodes each stream once")
    func singlePass() throws {
        let log = EpisodeAccessLog()
        let folder = try TinyEpisodes.complete.get()
        let timeline = try EpisodeTimeline.build(episodeAt: folder, options: FeatureBuildOptions(featureProtocol: .strict), accessLog: log)
        _ = try timeline.features()
        #expect(log.repeated.isEmpty, "read more than once: \(log.repeated)")
        #expect(log.count("open annotation.hdf5") == 1)
        for stream in episodeVideoStreamNames {
            #expect(log.count("decode video \(stream).mp4") == 1, "\(stream)")
        }
        #expect(log.count("decode audio fisheye_cam0.mp4") == 1)
        // The datasets that both features and targets need were each read, once.
        for dataset in ["caption", "slam/frame_names", "slam/quat_wxyz", "hand_mocap/left_joints_3d", "full_body_mocap/keypoints",
                        "full_body_mocap/contacts", "imu/accel_xyz"] {
            #expect(log.count("read " + dataset) == 1, "\(dataset)")
        }
        #expect(log.count("stream depth/depth") == 1)
        // T_c0_b comes from the calibration group read for the static block.
        #expect(log.count("read calibration/cam01/T_c0_b") == 1)
    }

    @Test("a sensors-only timeline decodes no media and reads no depth frames")
    func sensorsOnlyReadsNoMedia() throws {
        let log = EpisodeAccessLog()
        let folder = try TinyEpisodes.complete.get()
        let options = FeatureBuildOptions(featureProtocol: .reference, includeMediaBlocks: false)
        let timeline = try EpisodeTimeline.build(episodeAt: folder, options: options, accessLog: log)
        #expect(!log.events.keys.contains { $0.hasPrefix("decode") || $0.hasPrefix("probe") || $0.contains("depth/") })
        let absent = timeline.caches.diagnostics.filter { !$0.present }.map(\.block).sorted()
        #expect(absent == (["audio_fisheye_cam0_aac", "depth_confidence"] + episodeVideoStreamNames.map { "video_" + $0 }).sorted())
    }

    /// The synthetic confidence never reaches 0 (its smallest value is 28), so the reference's
    /// `c.min(initial=0)` and the true minimum differ on every frame.
    @Test("reference confidence min is numpy's min(initial=0); strict keeps the true minimum")
    func confidenceMinimum() throws {
        let folder = try TinyEpisodes.complete.get()
        let episode = try Episode(path: folder.path)
        let raw: [UInt8] = try episode.file.readRows("depth/confidence", rows: 0..<1)
        let smallest = try #require(raw.min())
        #expect(smallest > 0, "the fixture's confidence must stay above 0 for this test to mean anything")

        func depthCache(_ p: FeatureProtocol) throws -> PerFrameCache {
            let caches = try EpisodeFeatures.buildCaches(episode: Episode(path: folder.path), options: FeatureBuildOptions(featureProtocol: p))
            guard case .perFrame(let cache, _)? = caches.sources["depth_confidence"] else {
                Issue.record("no depth cache")
                throw WindowAlignError.unknownBlock("depth_confidence")
            }
            return cache
        }
        let reference = try depthCache(.reference)
        let strict = try depthCache(.strict)
        let d = DepthFeatures.dimension
        // Column 74 is the confidence minimum, 75 the maximum.
        for f in 0..<reference.rows { #expect(reference.values[f * d + 74] == 0) }
        #expect(abs(Double(strict.values[74]) - Double(smallest) / 255) < 1e-6)
        #expect(strict.values[75] == reference.values[75], "the maximum is the same under both rules on frame 0")

        // In the window matrix, all 7 temporal statistics of that column are 0 in reference.
        let result = try EpisodeFeatures.build(episode: Episode(path: folder.path), options: FeatureBuildOptions(featureProtocol: .reference))
        let block = try FeatureSchema.reference.block(named: "depth_confidence")
        for row in 0..<result.windows.windows.count {
            for s in 0..<7 { #expect(result.values[row * result.dimension + block.start + s * d + 74] == 0) }
        }
    }

    @Test("the caption rules are a parameter: release keeps the unresolved last segment's objects on keyed frames only")
    func captionRules() throws {
        let folder = try TinyEpisodes.complete.get()
        func timeline(_ rules: CaptionRules) throws -> EpisodeTimeline {
            try EpisodeTimeline.build(episodeAt: folder, options: FeatureBuildOptions(featureProtocol: .reference, captionRules: rules,
                                                                                      includeMediaBlocks: false))
        }
        let current = try timeline(.current)
        let release = try timeline(.release)
        #expect(current.captionRules == .current && release.captionRules == .release)
        #expect(FeatureBuildOptions(featureProtocol: .reference).resolvedCaptionRules == .release)
        #expect(FeatureBuildOptions(featureProtocol: .strict).resolvedCaptionRules == .current)
        // Labels agree (both rule sets label the synthetic episode as generated) ...
        #expect(current.labels.actions == release.labels.actions)
        #expect(current.labels.subtasks == release.labels.subtasks)
        // ... but the last frame: the current resolver fills the last segment to the end, the
        // release loader does not (its end_frame "frame_%07d" of N + 1 resolves to no frame).
        let n = current.frameCount
        #expect(!current.labels.objects[n - 1].isEmpty)
        #expect(release.labels.objects[n - 1].isEmpty)
        // The text block of the last window differs, and presence.json says which rules.
        let a = try current.features(), b = try release.features()
        let last = a.windows.windows.count - 1
        #expect(try blockValues(a, row: last, block: "caption_objects_interaction_text") != blockValues(b, row: last, block: "caption_objects_interaction_text"))
        #expect(try blockValues(a, row: 0, block: "caption_objects_interaction_text") == blockValues(b, row: 0, block: "caption_objects_interaction_text"))
        #expect(b.presenceJSON().contains("\"caption_rules\": \"release\""))
    }

    @Test("strict target hands are the feature rows, masked where the feature build masks them")
    func handsFollowTheFeatureRule() throws {
        let folder = try TinyEpisodes.complete.get()
        let timeline = try EpisodeTimeline.build(episodeAt: folder, options: FeatureBuildOptions(featureProtocol: .strict, includeMediaBlocks: false))
        let hands = try #require(timeline.hands)
        let valid = try #require(timeline.handValid)
        let n = timeline.frameCount
        for (side, block) in ["hand_left_joints", "hand_right_joints"].enumerated() {
            guard case .perFrame(let cache, _)? = timeline.caches.sources[block] else {
                Issue.record("no \(block) cache")
                continue
            }
            let mask = try #require(timeline.caches.handValid[block])
            for f in 0..<n {
                #expect(valid[f * 2 + side] == mask[f])
                #expect(Array(hands[(f * 126 + side * 63)..<(f * 126 + side * 63 + 63)]) == Array(cache.values[(f * 63)..<(f * 63 + 63)]))
            }
        }
    }
}
