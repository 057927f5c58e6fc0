import EpisodeIO
import Foundation
import Testing
@testable import WindowAlign

/// The per-stream diagnostics of a build name the dataset that is really broken (issue 12):
/// depth rows against `depth/depth`, non-finite translations against `slam/trans_xyz`, and a
/// missing left hand leaves the right-hand block present and unchanged.
@Suite("Diagnostics name the broken dataset")
struct DiagnosticsAttributionTests {
    static let frames = 40

    /// A minimal annotation.hdf5 (frame names plus what `body` adds; no MP4s) in a new folder.
    static func episode(_ label: String, _ body: (HDF5Writer) throws -> Void) throws -> Episode {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xp-attribution-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("annotation.hdf5").path
        let writer = try HDF5Writer(path: path)
        try writer.writeFixedStrings("slam/frame_names", (0..<frames).map { "\(1000 + $0).jpg" }, length: 18)
        try body(writer)
        try writer.finish()
        return try Episode(path: path)
    }

    static func remove(_ episode: Episode) { try? FileManager.default.removeItem(at: episode.directory) }

    static func diagnostic(_ caches: EpisodeFeatureCaches, _ block: String) throws -> StreamDiagnostics {
        try #require(caches.diagnostics.first { $0.block == block }, "no diagnostics for \(block)")
    }

    @Test("depth with N + 100 rows beside an intact confidence: the depth block's note names depth/depth and N")
    func depthRows() throws {
        let n = Self.frames, side = 4
        let episode = try Self.episode("depth") { w in
            try w.write("depth/depth", [Float](repeating: 1.5, count: (n + 100) * side * side), shape: [n + 100, side, side])
            try w.write("depth/confidence", [UInt8](repeating: 200, count: n * side * side), shape: [n, side, side])
        }
        defer { Self.remove(episode) }
        let caches = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .reference))
        let d = try Self.diagnostic(caches, "depth_confidence")
        #expect(!d.present)
        let note = try #require(d.note)
        #expect(note.contains("'depth/depth'") && note.contains("N = \(n)") && note.contains("[\(n + 100), \(side), \(side)]"), "\(note)")
        #expect(!note.contains("dataset 'depth/confidence'"), "the intact confidence is blamed: \(note)")
    }

    @Test("an infinite translation: the camera blocks' note names slam/trans_xyz and the rows, not the quaternion")
    func infiniteTranslation() throws {
        let n = Self.frames
        let episode = try Self.episode("poses") { w in
            var q = [Double](repeating: 0, count: n * 4), t = [Double](repeating: 0.1, count: n * 3)
            for i in 0..<n { q[i * 4] = 1 }
            t[12 * 3 + 2] = .infinity
            try w.write("slam/quat_wxyz", q, shape: [n, 4])
            try w.write("slam/trans_xyz", t, shape: [n, 3])
            var identity = [Double](repeating: 0, count: 16)
            for k in 0..<4 { identity[k * 5] = 1 }
            try w.write("calibration/cam01/T_c0_b", identity, shape: [4, 4])
        }
        defer { Self.remove(episode) }
        let caches = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .strict, includeMediaBlocks: false))
        for block in ["camera_translation", "camera_rotation_matrix"] {
            let d = try Self.diagnostic(caches, block)
            #expect(d.present)
            let note = try #require(d.note, "\(block) has no note")
            #expect(note == "1 frames carry the identity SLAM pose: slam/trans_xyz is non-finite at row 12", "\(note)")
            #expect(!note.contains("quaternion"), "\(note)")
        }
    }

    /// Joints with the hand detected on even frames only.
    static func joints(_ base: Float) -> [Float] {
        (0..<(frames * 63)).map { k in (k / 63) % 2 == 0 ? base + Float(k % 63) * 0.001 : 0 }
    }

    @Test("no left_joints_3d: the left block is absent with a note, the right block present and identical", arguments: FeatureProtocol.allCases)
    func missingLeftHand(_ featureProtocol: FeatureProtocol) throws {
        let n = Self.frames
        let both = try Self.episode("both-hands") { w in
            try w.write("hand_mocap/left_joints_3d", Self.joints(0.3), shape: [n, 21, 3])
            try w.write("hand_mocap/right_joints_3d", Self.joints(-0.2), shape: [n, 21, 3])
        }
        let rightOnly = try Self.episode("right-hand") { w in
            try w.write("hand_mocap/right_joints_3d", Self.joints(-0.2), shape: [n, 21, 3])
        }
        defer { Self.remove(both); Self.remove(rightOnly) }
        let options = FeatureBuildOptions(featureProtocol: featureProtocol, includeMediaBlocks: false)
        let full = try EpisodeFeatures.build(episode: both, options: options)
        let partial = try EpisodeFeatures.build(episode: rightOnly, options: options)

        let left = try #require(partial.diagnostics.first { $0.block == "hand_left_joints" })
        #expect(!left.present && left.source == "hand_mocap/left_joints_3d")
        #expect(left.note == "dataset absent: the hand reads as zeros, never detected")
        let right = try #require(partial.diagnostics.first { $0.block == "hand_right_joints" })
        #expect(right.present && right.source == "hand_mocap/right_joints_3d")
        #expect(right.note == full.diagnostics.first { $0.block == "hand_right_joints" }?.note)

        let schema = FeatureSchema.reference
        let rightBlock = try schema.block(named: "hand_right_joints"), leftBlock = try schema.block(named: "hand_left_joints")
        let rightIndex = try #require(partial.presence.blockNames.firstIndex(of: "hand_right_joints"))
        let leftIndex = try #require(partial.presence.blockNames.firstIndex(of: "hand_left_joints"))
        let rows = partial.windows.windows.count
        #expect(rows == full.windows.windows.count && rows > 0)
        for r in 0..<rows {
            let base = r * schema.dimension
            #expect(Array(partial.values[(base + rightBlock.start)..<(base + rightBlock.end)]) == Array(full.values[(base + rightBlock.start)..<(base + rightBlock.end)]),
                    "window \(r): the right-hand block changed without the left hand")
            #expect(partial.values[(base + leftBlock.start)..<(base + leftBlock.end)].allSatisfy { $0 == 0 }, "window \(r): the missing left hand is not zero-filled")
            #expect(partial.presence.isPresent(row: r, block: rightIndex) == full.presence.isPresent(row: r, block: rightIndex))
            #expect(!partial.presence.isPresent(row: r, block: leftIndex))
        }
        if featureProtocol == .strict {
            #expect(partial.handValidFraction["hand_right_joints"] == full.handValidFraction["hand_right_joints"])
        }
    }
}
