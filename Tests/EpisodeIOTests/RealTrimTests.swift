import Foundation
import Testing
@testable import EpisodeIO

/// Conformance on the real 8-frame trim of the public sample (gzip-chunked storage). Expected
/// values come from the episode-format spec and from reading the same file with h5py/numpy.
@Suite("Real sample trim", .sharedFixtures("real-sample-trim8/annotation.hdf5"))
struct RealTrimTests {
    static let trim = "real-sample-trim8/annotation.hdf5"
    static func path() throws -> URL { try SharedFixtures.url(trim) }

    @Test("holds the 65 datasets of the release schema, all present")
    func schema() throws {
        let episode = try Episode(path: Self.path().path)
        #expect(episode.file.allDatasets().count == 65)
        let report = episode.schemaReport()
        #expect(report.presentCount == 65)
        #expect(report.extraDatasets.isEmpty)
        #expect(report.sizes["N"] == 8)
        #expect(report.sizes["M"] == 80)
        #expect(report.sizes["P"] == 4089)
        #expect(report.modalities.allSatisfy { $0.usable }, "\(report.problems)")
        // The trim stores per-frame arrays gzip-compressed in chunks.
        let depth = try episode.file.info("depth/depth")
        #expect(depth.gzip)
        #expect(depth.chunks == [1, 64, 64])
        #expect(try episode.file.info("slam/frame_names").type == .fixedString(18))
        #expect(try episode.file.info("video/device_timestamp").type == .fixedString(14))
        #expect(try episode.file.info("caption").type == .variableString)
    }

    @Test("timeline: names, integer device timestamps, fps near 20")
    func timeline() throws {
        let episode = try Episode(path: Self.path().path)
        let timeline = try episode.timeline()
        #expect(timeline.frameCount == 8)
        #expect(Array(timeline.frameNames.prefix(3)) == ["72857807732824.jpg", "72857854785699.jpg", "72857904786782.jpg"])
        #expect(!timeline.namesAreFallback)
        let ts = try #require(timeline.deviceTimestamps)
        #expect(ts.first == 72857807732824)
        // Spec §2.3: the first frame spacings are 47052875, 50001083, 49998375, ...
        #expect(ts[1] - ts[0] == 47052875)
        #expect(ts[2] - ts[1] == 50001083)
        // Names equal the timestamps plus ".jpg".
        #expect(zip(timeline.frameNames, ts).allSatisfy { $0 == "\($1).jpg" })
        let fps = try #require(timeline.fpsEstimate)
        #expect(abs(fps - 20) < 0.2)
    }

    @Test("IMU: 80 samples, keyframe indices 0 9 18 28 39 48 58 69")
    func imu() throws {
        let imu = try Episode(path: Self.path().path).imu()
        #expect(imu.count == 80)
        #expect(imu.keyframeIndices == [0, 9, 18, 28, 39, 48, 58, 69])
        #expect(imu.accel.count == 240)
        // Spec §2.8: the first IMU sample is 3.28 ms after frame 0.
        #expect(imu.timestamps[0] == 72857811010157.0)
        // Gravity: |accel| ≈ 9.88 m/s².
        let norm = (imu.accel[0] * imu.accel[0] + imu.accel[1] * imu.accel[1] + imu.accel[2] * imu.accel[2]).squareRoot()
        #expect(abs(norm - 9.8) < 0.3)
    }

    @Test("calibration: baseline, cam01 K and the canonical 117-vector")
    func calibration() throws {
        let calibration = try Episode(path: Self.path().path).calibration()
        #expect(calibration.cameras.map(\.camera) == ["cam0", "cam01", "cam1", "cam2", "cam3"])
        #expect(calibration["cam01", "baseline"] == .number(0.14530696269782056))
        #expect(zip(calibration.array("cam01", "K") ?? [], [200.0, 200, 256, 256]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(calibration["cam0", "camera_model"] == .string("pinhole"))
        let v = calibration.canonicalVector
        #expect(v.count == 117)
        // cam0: D (4), K (4), T_c_b (16); then cam01: K (4), T_c0_b (16), baseline (1); then cam1…3.
        #expect(abs(v[0] - -0.05762) < 1e-5)            // cam0 D[0]
        #expect(abs(v[4] - 395.001096) < 1e-3)          // cam0 K fx
        #expect(abs(v[7] - 673.655359) < 1e-3)          // cam0 K cy
        #expect(abs(v[8] - 0.251409) < 1e-5)            // cam0 T_c_b[0][0]
        #expect(Array(v[24..<28]) == [200, 200, 256, 256]) // cam01 K
        #expect(abs(v[28] - 0.999993) < 1e-5)           // cam01 T_c0_b[0][0]
        #expect(abs(v[44] - 0.14530696) < 1e-7)         // cam01 baseline
        #expect(abs(v[49] - 393.553) < 1e-3)            // cam1 K fx (after cam1 D)
    }

    @Test("depth: range read, scalars, and frame-by-frame reads agree")
    func depth() throws {
        let episode = try Episode(path: Self.path().path)
        let info = try episode.depthInfo()
        #expect(info.frames == 8 && info.height == 256 && info.width == 256 && info.hasConfidence)
        #expect(info.depthMin == 0.16499313712120056)
        #expect(info.depthMax == 2.67332124710083)
        #expect(info.scale == 0.5)
        let block = try episode.depthFrames(2..<5)
        #expect(block.depth.count == 3 * 256 * 256)
        let single = try episode.depthFrames(3..<4)
        #expect(Array(block.depth(frame: 3)) == single.depth)
        // Spec §2.5: valid depth of the first frames lies in 0.164–2.53 m, 0 marks invalid.
        let all = try episode.depthFrames(0..<8)
        let valid = all.depth.filter { $0 > 0 }
        #expect(valid.min()! > 0.16 && valid.max()! < 2.54)
        #expect(all.depth.contains(0))
        #expect(throws: EpisodeError.self) { try episode.depthFrames(6..<9) }
    }

    @Test("metadata, ground height, point cloud filter")
    func metadataAndGround() throws {
        let episode = try Episode(path: Self.path().path)
        let metadata = try episode.metadata()
        #expect(metadata.bodyHeight == 1.78)
        #expect(metadata.deviceID == "7211577584")
        #expect(metadata.deviceVersion == "v2")
        #expect(metadata.healthReport?["recordings"] != nil)
        #expect(episode.groundHeight() == -1.78)
        let cloud = try episode.pointCloud()
        #expect(cloud.rawCount == 4089)
        // numpy: d = |p − median(p, axis=0)|; (d <= percentile(d, 95)).sum() == 3884.
        #expect(cloud.filteredCount == 3884)
    }

    @Test("hands and body: right hand absent, poses put the left wrist on the body's")
    func geometry() throws {
        let episode = try Episode(path: Self.path().path)
        let hands = try episode.hands()
        #expect(hands.count == 8)
        #expect(hands.rightPresent.allSatisfy { !$0 })
        #expect(hands.leftPresent.allSatisfy { $0 })
        #expect(abs(hands.left[0] - -0.06967533) < 1e-6)
        let body = try episode.body()
        #expect(body.count == 8)
        #expect(!body.valid.contains(false))
        #expect(body.contacts?.count == 8 * 21)
        let poses = try episode.cameraPoses()
        // Spec §2.4: the left wrist (camera frame) mapped to the world lands within 8 mm of body
        // keypoint 20, and the camera centre within ~7.5 cm of Ts_world_cpf.
        let r = poses.rotation(0)
        let wrist = (0..<3).map { Double(hands.left[$0]) }
        let world = (0..<3).map { i in r[i][0] * wrist[0] + r[i][1] * wrist[1] + r[i][2] * wrist[2] + poses.translation[i] }
        let k20 = (0..<3).map { Double(body.keypoints[20 * 3 + $0]) }
        let wristError = zip(world, k20).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        #expect(wristError < 0.01, "left wrist \(wristError) m from body joint 20")
        let cpf: [Float] = try episode.file.read("full_body_mocap/Ts_world_cpf")
        let centreError = (0..<3).map { Double(cpf[4 + $0]) - poses.translation[$0] }.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(centreError < 0.1, "camera centre \(centreError) m from the central pupil frame")
    }

    @Test("caption: main task and 18 segments")
    func caption() throws {
        let episode = try Episode(path: Self.path().path)
        let document = try episode.captionDocument()
        #expect(document.mainTask == "Making pour-over coffee")
        #expect(document.segments.count == 18)
        #expect(document.segments[0].subTask == "Pick up and position kettle")
        #expect(document.segments[17].endFrame == .string("frame_0005822"))
        // Only the first 8 frames exist. Segment 0's references name frames 0 and beyond; every
        // later timestamp resolves to its nearest frame, the last one (7), so the final segment's
        // action overwrites frame 7 (spec §3.3, nearest-timestamp rule).
        let table = try episode.captions()
        #expect(table.frames.count == 8)
        #expect(table.labels(.action) == Array(repeating: "Pick up kettle", count: 7) + ["Pour milk into coffee"])
        // Those far matches are flagged: the caption belongs to a longer timeline.
        #expect(table.farReferences > 100)
        #expect(table.frames[0].objects == ["kettle", "coffee dripper", "scale", "bottle"])
        // Spec §3.4: frames 0–39 have no interaction.
        #expect(table.frames[0].interaction == nil)
    }
}
