import Foundation
import Testing
@testable import EpisodeIO

@Suite("Synthetic episodes")
struct SyntheticEpisodeTests {
    static func generate(_ config: SyntheticEpisodeConfig, in folder: TemporaryFolder) throws -> SyntheticEpisode {
        try SyntheticEpisode.write(config, to: folder.url.appendingPathComponent("ep1"))
    }

    @Test("the tiny episode has all 65 datasets and every modality is usable")
    func complete() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let generated = try Self.generate(.tiny(), in: folder)
        let episode = try Episode(path: generated.folder.path)
        let report = episode.schemaReport()
        #expect(report.presentCount == 65, "\(report.problems)")
        #expect(report.isComplete, "\(report.problems)")
        #expect(report.sizes["N"] == 1200)
        #expect(episode.file.allDatasets().count == 65)
        #expect(try episode.calibration().canonicalVector.count == 117)
        #expect(try episode.file.info("slam/frame_names").type == .fixedString(18))
        #expect(try episode.file.info("video/device_timestamp").type == .fixedString(14))
        #expect(try episode.file.info("imu/device_timestamp_ns").type == .float64)
    }

    @Test("the caption resolves to the intended label of every frame, under both rule sets", arguments: CaptionRules.allCases)
    func captionsResolve(rules: CaptionRules) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let generated = try Self.generate(.tiny(seed: 11), in: folder)
        let table = try Episode(path: generated.folder.path).captions(rules: rules)
        let plan = generated.plan
        let action = table.labels(.action)
        let subtask = table.labels(.subtask)
        let wrongActions = (0..<plan.frameCount).filter { action[$0] != plan.actionLabels[$0] }
        let wrongSubtasks = (0..<plan.frameCount).filter { subtask[$0] != plan.subtaskLabels[$0] }
        #expect(wrongActions.isEmpty, "frames \(wrongActions.prefix(10)): \(wrongActions.prefix(3).map { (action[$0], plan.actionLabels[$0]) })")
        #expect(wrongSubtasks.isEmpty, "frames \(wrongSubtasks.prefix(10)): \(wrongSubtasks.prefix(3).map { (subtask[$0], plan.subtaskLabels[$0]) })")
        #expect(table.unresolvedReferences.isEmpty || rules == .release)
        #expect(table.farReferences == 0)
        if rules == .current {
            let intended = plan.intendedObjects(caption: try #require(generated.caption), timestamps: generated.timestamps)
            let wrongObjects = (0..<plan.frameCount).filter { table.frames[$0].objects != intended[$0] }
            #expect(wrongObjects.isEmpty, "frames \(wrongObjects.prefix(10))")
        }
    }

    @Test("the caption carries the release's quirks")
    func captionQuirks() throws {
        let plan = SyntheticPlan(frameCount: 5821, grid: 40, seed: 7)
        let timestamps = SyntheticEpisode.timestamps(frames: 5821, seed: 7)
        let caption = plan.captionJSON(timestamps: timestamps, seed: 7)
        let document = try CaptionDocument(root: caption, file: "synthetic")
        #expect(document.mainTask == "Making pour-over coffee")
        #expect(document.segments.count == 18)  // as the sample: 17 × 10/10/5 cells and a tail
        #expect(document.segments.last?.endFrame == .string("frame_0005822"))
        #expect(document.segments.contains { $0.actions.isEmpty })
        let refs = document.segments.flatMap { $0.actions.flatMap { [$0.startFrame, $0.endFrame] } }
        #expect(refs.contains { if case .int? = $0 { return true } else { return false } })
        #expect(refs.contains { if case .string? = $0 { return true } else { return false } })
        // Some action runs into a later segment.
        #expect(plan.actions.contains { a in plan.segments[a.segment].frames.upperBound < a.frames.upperBound - 1 })
        #expect(Set(plan.actionLabels).count >= 12)
        #expect(Set(plan.subtaskLabels).count >= 8)
        // A chronological 70/30 split sees every test action in train.
        let cut = Int((Double(5821) * 0.7).rounded())
        #expect(Set(plan.actionLabels[cut...]).isSubset(of: Set(plan.actionLabels[..<cut])))
        #expect(caption["config"]?["total_frames"] == .int(5822))
        // The tiny default also lets a chronological split see every test action in train.
        let tiny = SyntheticPlan(frameCount: 1200, grid: 8, seed: 7)
        let tinyCut = Int((Double(1200) * 0.7).rounded())
        #expect(Set(tiny.actionLabels[tinyCut...]).isSubset(of: Set(tiny.actionLabels[..<tinyCut])))
    }

    @Test("signals are consistent: hands on the body's wrists, feet on the floor, IMU keyframes nearest")
    func geometry() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let generated = try Self.generate(.tiny(), in: folder)
        let episode = try Episode(path: generated.folder.path)
        let hands = try episode.hands()
        let body = try episode.body()
        let poses = try episode.cameraPoses()
        var checked = 0
        for i in stride(from: 0, to: 1200, by: 37) where hands.leftPresent[i] {
            let r = poses.rotation(i)
            let x = (0..<3).map { Double(hands.left[i * 63 + $0]) }
            let world = (0..<3).map { a in r[a][0] * x[0] + r[a][1] * x[1] + r[a][2] * x[2] + poses.translation[i * 3 + a] }
            let k = (0..<3).map { Double(body.keypoints[i * 156 + 20 * 3 + $0]) }
            #expect(zip(world, k).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() < 1e-3)
            checked += 1
        }
        #expect(checked > 5)
        // Some frames have no right hand, recorded as all zeros.
        #expect(hands.rightPresent.contains(false) && hands.rightPresent.contains(true))
        // Feet (joints 10, 11) near the floor at −body height.
        let ground = episode.groundHeight()
        let footZ = (0..<1200).map { Double(body.keypoints[$0 * 156 + 10 * 3 + 2]) }
        #expect(footZ.allSatisfy { abs($0 - ground) < 0.15 })
        let imu = try episode.imu()
        let kf = try #require(imu.keyframeIndices)
        let ts = try #require(try episode.timeline().deviceTimestamps)
        for i in [0, 100, 1199] {
            let target = Double(ts[i])
            let best = imu.timestamps.indices.min { abs(imu.timestamps[$0] - target) < abs(imu.timestamps[$1] - target) }
            #expect(Int(kf[i]) == best)
        }
        #expect(abs(Double(imu.count) / 1200 - 10) < 0.5)
        let depth = try episode.depthFrames(0..<2)
        #expect(depth.depth.contains(0) && depth.depth.contains { $0 > 0.16 })
        #expect(try episode.pointCloud().filteredCount < 400)
    }

    @Test("same seed, byte-identical annotation.hdf5; another seed differs")
    func deterministic() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let a = try SyntheticEpisode.write(.tiny(seed: 3, frames: 300), to: folder.url.appendingPathComponent("a"))
        let b = try SyntheticEpisode.write(.tiny(seed: 3, frames: 300), to: folder.url.appendingPathComponent("b"))
        let c = try SyntheticEpisode.write(.tiny(seed: 4, frames: 300), to: folder.url.appendingPathComponent("c"))
        let da = try Data(contentsOf: URL(fileURLWithPath: a.annotationPath))
        #expect(da == (try Data(contentsOf: URL(fileURLWithPath: b.annotationPath))))
        #expect(da != (try Data(contentsOf: URL(fileURLWithPath: c.annotationPath))))
    }

    @Test("each degraded variant reports exactly what is missing", arguments: [
        (SyntheticVariant.noSlamBody, ["slam/frame_names", "slam/point_cloud", "slam/quat_wxyz", "slam/trans_xyz", "full_body_mocap/contacts", "full_body_mocap/keypoints"], [Modality.cameraPoses, .body, .contacts, .captions, .pointCloud]),
        (.noCaption, ["caption"], [.captions]),
        (.noIMU, ["imu/accel_xyz", "imu/device_timestamp_ns", "imu/gyro_xyz", "imu/keyframe_indices"], [.imu]),
        (.noDepth, ["depth/confidence", "depth/depth", "depth/depth_max", "depth/depth_min", "depth/scale"], [.depth, .confidence]),
        (.noHands, ["hand_mocap/left_joints_3d", "hand_mocap/left_mano_hand_betas", "hand_mocap/left_mano_hand_global_orient", "hand_mocap/left_mano_hand_pose", "hand_mocap/left_translation", "hand_mocap/right_joints_3d", "hand_mocap/right_mano_hand_betas", "hand_mocap/right_mano_hand_global_orient", "hand_mocap/right_mano_hand_pose", "hand_mocap/right_translation"], [.hands]),
    ])
    func variants(variant: SyntheticVariant, absent: [String], unusable: [Modality]) throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let generated = try Self.generate(.tiny(frames: 300, variant: variant), in: folder)
        let report = try Episode(path: generated.folder.path).schemaReport()
        #expect(report.entries.filter { $0.status == .absent }.map(\.path).sorted() == absent.sorted())
        #expect(report.modalities.filter { !$0.usable }.map(\.modality).sorted() == unusable.sorted())
    }

    @Test("invalid-ends: NaN body rows at the start, zero SLAM rows at the end, flagged invalid")
    func invalidEnds() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let generated = try Self.generate(.tiny(frames: 300, variant: .invalidEnds), in: folder)
        let episode = try Episode(path: generated.folder.path)
        #expect(try episode.body().valid.enumerated().filter { !$0.element }.map(\.offset) == [0, 1, 2])
        #expect(try episode.cameraPoses().valid.enumerated().filter { !$0.element }.map(\.offset) == [297, 298, 299])
    }

    @Test("truncated: the annotation cannot be read whole, with a typed error")
    func truncated() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let generated = try Self.generate(.tiny(frames: 300, variant: .truncated), in: folder)
        let opened = Result { () throws(EpisodeError) -> Episode in try Episode(path: generated.folder.path) }
        switch opened {
        case .failure(let error):
            #expect(error.description.contains("annotation.hdf5"))
        case .success(let episode):
            let reads = Result { () throws(EpisodeError) -> Int in
                _ = try episode.depthFrames(0..<300)
                _ = try episode.imu()
                return try episode.timeline().frameCount
            }
            guard case .failure(let error) = reads else { Issue.record("a truncated file must fail to read"); return }
            #expect(error.description.contains("annotation.hdf5"))
        }
    }
}
