import EpisodeIO
import Foundation
import Testing
@testable import WindowAlign

/// Tiny synthetic episodes generated once per test process (300 frames; only the variants
/// that need media get MP4s, which keeps generation to a few seconds).
enum TinyEpisodes {
    static let frames = 300
    static let root = FileManager.default.temporaryDirectory
        .appendingPathComponent("xp-episode-features-tests-\(ProcessInfo.processInfo.processIdentifier)")

    static func make(_ variant: SyntheticVariant, media: Bool, seed: UInt64 = 7) -> Result<URL, any Error> {
        do {
            return .success(try generate(variant, media: media, seed: seed))
        } catch {
            return .failure(error)
        }
    }

    static func generate(_ variant: SyntheticVariant, media: Bool, seed: UInt64) throws -> URL {
        let folder = root.appendingPathComponent("\(variant.rawValue)-\(seed)")
        let config = SyntheticEpisodeConfig.tiny(seed: seed, frames: frames, variant: variant)
        if media {
            try SyntheticEpisode.write(config, to: folder, media: SyntheticMedia.writer)
        } else {
            try SyntheticEpisode.write(config, to: folder)
        }
        return folder
    }

    static let complete = make(.complete, media: true)
    static let noAudio = make(.noAudio, media: true)

    static func episode(_ r: Result<URL, any Error>) throws -> Episode {
        try Episode(path: try r.get().path)
    }
}

/// Values of one block of window `row`.
func blockValues(_ result: EpisodeFeatureResult, row: Int, block name: String) throws -> [Float] {
    let block = try FeatureSchema.reference.block(named: name)
    let base = row * result.dimension
    return Array(result.values[(base + block.start)..<(base + block.end)])
}

func maxRelativeDifference(_ a: [Float], _ b: [Float]) -> Double {
    var worst = 0.0
    for (x, y) in zip(a, b) {
        let d = abs(Double(x) - Double(y)) / max(1e-6, abs(Double(y)))
        worst = max(worst, d)
    }
    return a.count == b.count ? worst : .infinity
}

@Suite("EpisodeFeatures on a tiny synthetic episode")
struct EpisodeFeaturesTests {
    @Test func completeEpisodeIsDeterministicFiniteAndFullyPresent() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let a = try EpisodeFeatures.build(episode: episode, plan: .single(.reference), options: .init(featureProtocol: .reference))
        let b = try EpisodeFeatures.build(episode: episode, plan: .single(.reference), options: .init(featureProtocol: .reference))
        let windows = (TinyEpisodes.frames - 20) / 5 + 1
        #expect(a.windows.windows.count == windows)
        #expect(a.values.count == windows * 8546)
        let bytesA = try NumPyFile.encode(a.values, shape: [windows, 8546]), bytesB = try NumPyFile.encode(b.values, shape: [windows, 8546])
        #expect(bytesA == bytesB)
        #expect(a.values.allSatisfy { $0.isFinite })
        #expect(a.presence.flags.allSatisfy { $0 }, "absent: \(a.diagnostics.filter { !$0.present }.map(\.block))")
        // Every per-frame block carries signal somewhere.
        for block in FeatureSchema.reference.blocks {
            let any = (0..<windows).contains { r in
                (try? blockValues(a, row: r, block: block.name))?.contains { $0 != 0 } ?? false
            }
            #expect(any, "block \(block.name) is all zero")
        }
        // The synthetic streams have N + 1 frames: nothing is held in the reference mapping.
        for d in a.diagnostics where d.block.hasPrefix("video_") {
            #expect(d.heldFrames == 0 && d.alignedFrames == TinyEpisodes.frames, "\(d)")
        }
    }

    @Test func manifestOfABuildIsTheSchemaManifest() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let result = try EpisodeFeatures.build(episode: episode, options: .init(featureProtocol: .strict))
        #expect(result.manifest.entries.count == 18)
        #expect(result.manifest.entries.last?.end == 8546)
        #expect(result.manifest == FeatureSchema.reference.manifest)
    }

    @Test(.sharedFixtures("reference-sample-outputs/feature_manifest.json"))
    func manifestEqualsTheReferenceFile() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let result = try EpisodeFeatures.build(episode: episode, options: .init(featureProtocol: .strict))
        let url = try SharedFixtures.url("reference-sample-outputs/feature_manifest.json")
        let reference = try String(contentsOf: url, encoding: .utf8)
        #expect(result.manifest.jsonText() == reference)
    }

    static let degraded: [(SyntheticVariant, [String])] = [
        (.noIMU, ["imu_accel_gyro"]),
        (.noDepth, ["depth_confidence"]),
        (.noHands, ["hand_left_joints", "hand_right_joints"]),
        (.noCaption, ["caption_objects_interaction_text"]),
        (.noSlamBody, ["body_joints", "body_contacts", "camera_translation", "camera_rotation_matrix",
                       "caption_objects_interaction_text", "slam_point_cloud"]),
        (.noVideo, ["video_fisheye_cam0", "video_fisheye_cam1", "video_fisheye_cam2", "video_fisheye_cam3",
                    "video_stereo_left", "video_stereo_right", "audio_fisheye_cam0_aac"]),
        (.noAudio, ["audio_fisheye_cam0_aac"]),
    ]

    @Test(arguments: [0, 1, 2, 3, 4, 5, 6])
    func degradedVariantZeroFillsExactlyItsBlocks(_ index: Int) throws {
        let (variant, expectedAbsent) = Self.degraded[index]
        let folder = variant == .noAudio ? TinyEpisodes.noAudio : TinyEpisodes.make(variant, media: false)
        let episode = try TinyEpisodes.episode(folder)
        for proto in FeatureProtocol.allCases {
            let result = try EpisodeFeatures.build(episode: episode, options: .init(featureProtocol: proto))
            let n = result.windows.windows.count
            #expect(n > 0)
            #expect(result.values.count == n * 8546)
            #expect(result.values.allSatisfy { $0.isFinite })
            let schema = FeatureSchema.reference
            // Without media every video block is absent too (only no-audio has MP4s here).
            let mediaBlocks = schema.blocks.map(\.name).filter { $0.hasPrefix("video_") || $0.hasPrefix("audio_") }
            let absentExpected = Set(expectedAbsent + (variant == .noAudio ? [] : mediaBlocks))
            for (b, block) in schema.blocks.enumerated() {
                let presentEverywhere = (0..<n).allSatisfy { result.presence.isPresent(row: $0, block: b) }
                let absentEverywhere = (0..<n).allSatisfy { !result.presence.isPresent(row: $0, block: b) }
                if absentExpected.contains(block.name) {
                    #expect(absentEverywhere, "\(variant) \(proto): \(block.name) should be absent")
                    let zero = try (0..<n).allSatisfy { try blockValues(result, row: $0, block: block.name).allSatisfy { $0 == 0 } }
                    #expect(zero, "\(variant) \(proto): \(block.name) should be zero-filled")
                    let d = result.diagnostics.first { $0.block == block.name }
                    #expect(d?.present == false && d?.note != nil, "\(variant): \(block.name) diagnostics \(String(describing: d))")
                } else if !(proto == .strict && block.name.hasPrefix("hand_")) {
                    // Strict hands may be absent in windows without one detected hand frame.
                    #expect(presentEverywhere, "\(variant) \(proto): \(block.name) should be present")
                }
            }
        }
    }

    @Test func imuAndCameraBlocksEqualTemporalStatsOfTheExpectedRows() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let result = try EpisodeFeatures.build(episode: episode, options: .init(featureProtocol: .reference))
        let w = result.windows.windows[7]
        let s = w.start, e = w.end + 1
        // IMU: rows [kf[s], min(M, max(kf[s] + 1, kf[e − 1] + 1))).
        let imu = try episode.imu()
        let kf = try #require(imu.keyframeIndices).map { Int($0) }
        let lo = kf[s], hi = min(imu.count, max(kf[s] + 1, kf[e - 1] + 1))
        var rows: [Float] = []
        for k in lo..<hi { rows += (0..<3).map { Float(imu.accel[k * 3 + $0]) } + (0..<3).map { Float(imu.gyro[k * 3 + $0]) } }
        let expectedIMU = try temporalStats(rows, rows: hi - lo, cols: 6)
        #expect(maxRelativeDifference(try blockValues(result, row: 7, block: "imu_accel_gyro"), expectedIMU) < 1e-5)
        // Camera translation: t[s..<e] − t[s].
        let poses = try episode.cameraPoses()
        var t: [Float] = []
        for k in s..<e { t += (0..<3).map { Float(poses.translation[k * 3 + $0] - poses.translation[s * 3 + $0]) } }
        let expectedT = try temporalStats(t, rows: e - s, cols: 3)
        let got = try blockValues(result, row: 7, block: "camera_translation")
        for (x, y) in zip(got, expectedT) { #expect(abs(x - y) <= 1e-5 * max(1, abs(y))) }

        // Strict IMU: the samples whose device time lies in the window's span.
        let strict = try EpisodeFeatures.build(episode: episode, options: .init(featureProtocol: .strict))
        let ts = try #require(try episode.timeline().deviceTimestamps)
        let t0 = Double(ts[s]), t1 = Double(ts[e])
        let idx = imu.timestamps.indices.filter { imu.timestamps[$0] >= t0 && imu.timestamps[$0] < t1 }
        var strictRows: [Float] = []
        for k in idx { strictRows += (0..<3).map { Float(imu.accel[k * 3 + $0]) } + (0..<3).map { Float(imu.gyro[k * 3 + $0]) } }
        let expectedStrict = try temporalStats(strictRows, rows: idx.count, cols: 6)
        #expect(maxRelativeDifference(try blockValues(strict, row: 7, block: "imu_accel_gyro"), expectedStrict) < 1e-5)
    }

    @Test func referenceHandsSubtractTheWorldPelvisAndStrictMovesThemToTheWorld() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let ref = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .reference))
        let strict = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .strict))
        let hands = try episode.hands(), body = try episode.body(), poses = try episode.cameraPoses()
        guard case .perFrame(let r, _)? = ref.sources["hand_left_joints"], case .perFrame(let st, _)? = strict.sources["hand_left_joints"] else {
            Issue.record("hand caches missing")
            return
        }
        var refError: Float = 0, strictError = 0.0, masked = 0, differing = 0
        for i in 0..<hands.count {
            for j in 0..<21 {
                for a in 0..<3 {
                    let expected = hands.left[i * 63 + j * 3 + a] - body.keypoints[i * 156 + a]
                    refError = max(refError, abs(r.values[i * 63 + j * 3 + a] - expected))
                    if r.values[i * 63 + j * 3 + a] != st.values[i * 63 + j * 3 + a] { differing += 1 }
                }
            }
            if !hands.leftPresent[i] {
                masked += 1
                #expect(st.values[(i * 63)..<(i * 63 + 63)].allSatisfy { $0 == 0 })
                continue
            }
            // Strict: R·h + t − pelvis for joint 5.
            let h = (0..<3).map { Double(hands.left[i * 63 + 15 + $0]) }
            for a in 0..<3 {
                var w = poses.translation[i * 3 + a]
                for c in 0..<3 { w += poses.rotation[i * 9 + a * 3 + c] * h[c] }
                let expected = w - Double(body.keypoints[i * 156 + a])
                strictError = max(strictError, abs(Double(st.values[i * 63 + 15 + a]) - expected))
            }
        }
        #expect(refError == 0)
        #expect(strictError < 1e-4)
        #expect(differing > hands.count * 63 / 2)
        #expect(strict.handValid["hand_left_joints"]?.filter { !$0 }.count == masked)
        // The window blocks differ too.
        let windows = try EpisodeFeatures.windows(episode: episode, plan: .single(.reference))
        let a = try EpisodeFeatures.assemble(ref, windows: windows), b = try EpisodeFeatures.assemble(strict, windows: windows)
        #expect(try blockValues(a, row: 3, block: "hand_left_joints") != blockValues(b, row: 3, block: "hand_left_joints"))
        #expect(try blockValues(a, row: 3, block: "body_joints") == blockValues(b, row: 3, block: "body_joints"))
        #expect(b.handValidFraction["hand_left_joints"]?.count == windows.windows.count)
    }

    @Test func cachesAreReusedAndInvalidatedByContent() throws {
        let source = try TinyEpisodes.complete.get()
        let folder = TinyEpisodes.root.appendingPathComponent("cache-copy")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.copyItem(at: source, to: folder)
        let cache = TinyEpisodes.root.appendingPathComponent("cache-store")
        try? FileManager.default.removeItem(at: cache)
        let options = FeatureBuildOptions(featureProtocol: .strict, cacheDirectory: cache)
        let cached = ["depth_confidence", "video_fisheye_cam0", "video_stereo_right", "audio_fisheye_cam0_aac"]
        func states(_ r: EpisodeFeatureResult) -> [String: String] {
            Dictionary(uniqueKeysWithValues: r.diagnostics.map { ($0.block, $0.cache) })
        }
        let first = try EpisodeFeatures.build(episode: Episode(path: folder.path), options: options)
        let second = try EpisodeFeatures.build(episode: Episode(path: folder.path), options: options)
        for block in cached {
            #expect(states(first)[block] == "built", "\(block)")
            #expect(states(second)[block] == "hit", "\(block)")
        }
        #expect(first.values == second.values)
        let uncached = try EpisodeFeatures.build(episode: Episode(path: folder.path), options: .init(featureProtocol: .strict))
        #expect(uncached.values == second.values)
        // Forced: rebuilt.
        var forced = options
        forced.force = true
        let third = try EpisodeFeatures.build(episode: Episode(path: folder.path), options: forced)
        #expect(states(third)["depth_confidence"] == "built", "\(third.diagnostics.first { $0.block == "depth_confidence" }?.note ?? "")")
        // New annotation content (another seed): depth is rebuilt, the unchanged MP4s are reused.
        try SyntheticEpisode.write(.tiny(seed: 8, frames: TinyEpisodes.frames), to: folder, media: nil)
        let fourth = try EpisodeFeatures.build(episode: Episode(path: folder.path), options: options)
        #expect(states(fourth)["depth_confidence"] == "built")
        #expect(states(fourth)["video_fisheye_cam1"] == "hit", "\(fourth.diagnostics.first { $0.block == "video_fisheye_cam1" }?.note ?? "")")
    }

    @Test func strictVideoIsAlignedByPTSAndReportsTheOffset() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let result = try EpisodeFeatures.build(episode: episode, options: .init(featureProtocol: .strict))
        let d = try #require(result.diagnostics.first { $0.block == "video_stereo_left" })
        // The synthetic pts are the device timestamps, so every frame matches at zero offset.
        #expect(d.alignedFrames == TinyEpisodes.frames)
        #expect(abs(d.offsetSeconds ?? 1) < 1e-5)
        #expect((d.maxResidualSeconds ?? 1) < 1e-5)
        #expect(d.indexMismatchFrames == 0)
        let audio = try #require(result.diagnostics.first { $0.block == "audio_fisheye_cam0_aac" })
        #expect(audio.present && audio.alignedFrames == TinyEpisodes.frames)
    }

    @Test func multiscaleWindowsAreConcatenatedInScaleOrder() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let spec = try MultiscaleSpec(parsing: "multiscale_20s10_40s20_80s40")
        let w = try EpisodeFeatures.windows(episode: episode, plan: .multiscale(spec, minLabelFraction: 0.6))
        let n = TinyEpisodes.frames
        #expect(w.windows.count == spec.windowCount(frameCount: n))
        #expect(w.scales.map(\.scaleID) == ["dense_20f_stride10", "medium_40f_stride20", "long_80f_stride40"])
        #expect(w.windows.map(\.index) == Array(0..<w.windows.count))
        #expect(w.scales[1].firstRow == (n - 20) / 10 + 1)
        #expect(w.windows[w.scales[2].firstRow].end == 79)
    }

    @Test func outputsAreWrittenWithReferenceKeys() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let result = try EpisodeFeatures.build(episode: episode, options: .init(featureProtocol: .reference))
        let out = TinyEpisodes.root.appendingPathComponent("outputs")
        try result.write(to: out)
        for name in EpisodeFeatureResult.outputFiles {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        guard case .float32(let shape, let values) = try NumPyFile.read(from: out.appendingPathComponent("features.npy")) else {
            Issue.record("features.npy is not float32")
            return
        }
        #expect(shape == [result.windows.windows.count, 8546])
        #expect(values == result.values)
        let modalities = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("available_modalities.json"))) as? [[String: Any]]
        #expect(modalities?.map { $0["modality"] as? String ?? "" } == [
            "depth_confidence", "video/fisheye_cam0", "video/fisheye_cam1", "video/fisheye_cam2", "video/fisheye_cam3",
            "video/stereo_left", "video/stereo_right", "audio/fisheye_cam0", "caption_text", "slam_point_cloud_static", "calibration_static",
        ])
        let audio = modalities?.first { ($0["modality"] as? String) == "audio/fisheye_cam0" }
        #expect(audio?["has_audio"] as? Bool == true)
        #expect((audio?["num_samples"] as? Int ?? 0) > 16_000 * 14)
        let presence = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("presence.json"))) as? [String: Any]
        #expect(presence?["protocol"] as? String == "reference")
        #expect((presence?["window_present"] as? [[Int]])?.count == result.windows.windows.count)
        #expect(try WindowsCSV.read(from: out.appendingPathComponent("windows.csv")) == result.windows.windows)
    }

    @Test func contentFingerprintFollowsContentNotName() throws {
        let dir = TinyEpisodes.root.appendingPathComponent("fingerprint")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let a = dir.appendingPathComponent("a.bin"), b = dir.appendingPathComponent("b.bin")
        // Larger than the whole-file limit, so the sampled path is used.
        var bytes = [UInt8](repeating: 0, count: ContentFingerprint.wholeFileLimit + 1_000_003)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        try Data(bytes).write(to: a)
        try Data(bytes).write(to: b)
        #expect(try ContentFingerprint.file(a) == ContentFingerprint.file(b))
        bytes[0] ^= 1
        try Data(bytes).write(to: b)
        #expect(try ContentFingerprint.file(a) != ContentFingerprint.file(b))
        try Data(bytes.dropLast()).write(to: b)
        #expect(try ContentFingerprint.file(a) != ContentFingerprint.file(b))
    }

    @Test(.sharedFixtures("real-sample-trim8/annotation.hdf5"))
    func realTrimBuildsUnderBothProtocols() throws {
        let url = try SharedFixtures.url("real-sample-trim8/annotation.hdf5")
        let episode = try Episode(path: url.path)
        for proto in FeatureProtocol.allCases {
            let result = try EpisodeFeatures.build(episode: episode, plan: .single(WindowSpec(size: 4, stride: 2)),
                                                   options: .init(featureProtocol: proto))
            #expect(result.windows.windows.count == 3)
            #expect(result.values.count == 3 * 8546)
            #expect(result.values.allSatisfy { $0.isFinite })
            let present = Set(result.diagnostics.filter(\.present).map(\.block))
            for block in ["body_joints", "camera_translation", "imu_accel_gyro", "depth_confidence", "slam_point_cloud", "calibration"] {
                #expect(present.contains(block), "\(proto): \(block)")
            }
            // No MP4s beside the trim: every media block is absent, the dimension is unchanged.
            #expect(result.diagnostics.filter { $0.block.hasPrefix("video_") && !$0.present }.count == 6)
        }
    }
}
