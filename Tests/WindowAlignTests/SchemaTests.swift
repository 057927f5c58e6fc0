import Foundation
import Testing
@testable import WindowAlign
import XPCore

@Suite("Feature schema and manifest")
struct SchemaTests {
    @Test("18 blocks, 8,546 columns, spec table boundaries")
    func referenceLayout() throws {
        let s = FeatureSchema.reference
        #expect(s.blocks.count == 18)
        #expect(s.dimension == 8546)
        let expected: [(String, Int, Int)] = [
            ("hand_left_joints", 0, 441), ("hand_right_joints", 441, 882), ("body_joints", 882, 1974),
            ("body_contacts", 1974, 2121), ("camera_translation", 2121, 2142), ("camera_rotation_matrix", 2142, 2205),
            ("imu_accel_gyro", 2205, 2247), ("depth_confidence", 2247, 3227), ("video_fisheye_cam0", 3227, 3913),
            ("video_fisheye_cam1", 3913, 4599), ("video_fisheye_cam2", 4599, 5285), ("video_fisheye_cam3", 5285, 5971),
            ("video_stereo_left", 5971, 6657), ("video_stereo_right", 6657, 7343), ("audio_fisheye_cam0_aac", 7343, 7511),
            ("caption_objects_interaction_text", 7511, 8407), ("slam_point_cloud", 8407, 8429), ("calibration", 8429, 8546),
        ]
        for (block, e) in zip(s.blocks, expected) {
            #expect(block.name == e.0 && block.start == e.1 && block.end == e.2, "\(block.name)")
        }
        #expect(try s.block(named: "slam_point_cloud").staticDim == 22)
        #expect(try s.block(named: "depth_confidence").perStepDim == 140)
        #expect(throws: WindowAlignError.unknownBlock("nope")) { try s.block(named: "nope") }
    }

    @Test("named input sets have the spec's dimensions")
    func namedSets() {
        let s = FeatureSchema.reference
        let dims: [FeatureSet: Int] = [.all: 8546, .noText: 7650, .contactIn: 7503, .motionA: 2415,
                                       .visual: 5096, .motionB: 2247, .visualAudio: 5264, .text: 896]
        for (set, dim) in dims { #expect(s.columnIndices(set).count == dim, "\(set.rawValue)") }
        // Indices come in schema order: TEXT is exactly 7511..<8407.
        #expect(s.columnIndices(.text) == Array(7511..<8407))
        // MOTION_B = hands, body, contacts, camera, imu: columns 0..<2247.
        #expect(s.columnIndices(.motionB) == Array(0..<2247))
    }

    @Test("manifest JSON: byte-identical to the reference file and structurally equal",
          .sharedFixtures("reference-sample-outputs/feature_manifest.json"))
    func manifestMatchesReference() throws {
        let url = try SharedFixtures.url("reference-sample-outputs/feature_manifest.json")
        let data = try Data(contentsOf: url)
        let ours = FeatureSchema.reference.manifest
        #expect(try FeatureManifest.decode(data) == ours)
        #expect(Data(ours.jsonText().utf8) == data)
    }

    @Test("manifest JSON escapes like Python json.dumps")
    func jsonEscaping() {
        #expect(pythonJSONString("a\"b\\c\né") == "\"a\\\"b\\\\c\\n\\u00e9\"")
        let m = FeatureManifest(entries: [.init(name: "x", start: 0, end: 7, dim: 7)])
        #expect(m.jsonText() == "[\n  {\n    \"name\": \"x\",\n    \"start\": 0,\n    \"end\": 7,\n    \"dim\": 7\n  }\n]")
    }
}

@Suite("Window row assembly")
struct AssemblerTests {
    let schema = FeatureSchema(layout: [("a", 2, 0), ("cam", 1, 0), ("imu", 1, 0), ("s", nil, 3), ("missing", 1, 0)])

    func assembler() throws -> WindowFeatureAssembler {
        let a = try PerFrameCache(values: (0..<6).flatMap { [Float($0), Float($0 * $0)] }, rows: 6, cols: 2)
        let cam = try PerFrameCache(values: [10, 11, 13, 16, 20, 25], rows: 6, cols: 1)
        let imu = try PerFrameCache(values: (0..<12).map(Float.init), rows: 12, cols: 1)
        return try WindowFeatureAssembler(schema: schema, sources: [
            "a": .perFrame(a),
            "cam": .perFrame(cam, rezeroAtWindowStart: true),
            "imu": .keyframed(imu, keyframes: [0, 2, 4, 6, 8, 10]),
            "s": .staticVector([1, .nan, 3]),
        ])
    }

    @Test("hand-derived row for frames [1, 4)")
    func row() throws {
        #expect(schema.dimension == 14 + 7 + 7 + 3 + 7)
        let asm = try assembler()
        let (x, mask) = asm.matrix(windows: [Window(index: 0, start: 1, end: 3)])
        // a rows 1–3: col0 [1,2,3], col1 [1,4,9] → mean 2, 14/3; std √(2/3), √(294/27); min 1, 1;
        // max 3, 9; last−first 2, 8; Δ = [1,1] and [3,5] → mean 1, 4; std 0, 1.
        let a: [Float] = [2, 14.0 / 3, Float((2.0 / 3).squareRoot()), Float((294.0 / 27).squareRoot()),
                          1, 1, 3, 9, 2, 8, 1, 4, 0, 1]
        // cam rows 11, 13, 16 re-zeroed → 0, 2, 5: mean 7/3, std √(114/27), min 0, max 5,
        // last−first 5, Δ = [2,3] → 2.5 and 0.5.
        let cam: [Float] = [7.0 / 3, Float((114.0 / 27).squareRoot()), 0, 5, 5, 2.5, 0.5]
        // imu rows [kf[1], max(kf[1]+1, kf[3]+1)) = [2, 7) → 2…6: mean 4, std √2, 2, 6, 4, 1, 0.
        let imu: [Float] = [4, Float(2.0.squareRoot()), 2, 6, 4, 1, 0]
        let expected = a + cam + imu + [1, 0, 3] + [Float](repeating: 0, count: 7)
        #expect(x.count == expected.count)
        for (i, (g, e)) in zip(x, expected).enumerated() { #expect(abs(g - e) < 1e-5, "column \(i): \(g) vs \(e)") }
        #expect((0..<5).map { mask.isPresent(row: 0, block: $0) } == [true, true, true, true, false])
    }

    @Test("windows past the data are zero-filled and flagged absent, not dropped")
    func pastTheEnd() throws {
        let asm = try assembler()
        let (x, mask) = asm.matrix(windows: [Window(index: 0, start: 6, end: 8)])
        #expect(x.count == schema.dimension)
        #expect(x[0..<28].allSatisfy { $0 == 0 })
        #expect(Array(x[28..<31]) == [1, 0, 3])
        #expect((0..<5).map { mask.isPresent(row: 0, block: $0) } == [false, false, false, true, false])
        // A window that only partly overlaps the cache uses the rows it has (safe_window):
        // a rows [5, 6) = [5, 25] → mean 5, 25.
        let (y, _) = asm.matrix(windows: [Window(index: 0, start: 5, end: 7)])
        #expect(y[0] == 5 && y[1] == 25)
    }

    @Test("mismatched sources are rejected")
    func validation() throws {
        let c = try PerFrameCache(values: [1, 2, 3], rows: 3, cols: 1)
        #expect(throws: WindowAlignError.self) { try WindowFeatureAssembler(schema: schema, sources: ["a": .perFrame(c)]) }
        #expect(throws: WindowAlignError.self) { try WindowFeatureAssembler(schema: schema, sources: ["s": .perFrame(c)]) }
        #expect(throws: WindowAlignError.self) { try WindowFeatureAssembler(schema: schema, sources: ["s": .staticVector([1])]) }
        #expect(throws: WindowAlignError.unknownBlock("zzz")) { try WindowFeatureAssembler(schema: schema, sources: ["zzz": .absent]) }
        #expect(throws: WindowAlignError.self) { try PerFrameCache(values: [1, 2], rows: 3, cols: 1) }
    }

    @Test("point-cloud stats: hand-derived 22 values")
    func pointCloud() throws {
        // Points (0,0,0), (1,2,4), (2,4,8), (3,6,12): axis k = i·(1, 2, 4)[k].
        // x: mean 1.5, std √1.25, min 0, max 3, p10 0.3, p50 1.5, p90 2.7; y, z scale by 2, 4.
        let pts: [Float] = [0, 0, 0, 1, 2, 4, 2, 4, 8, 3, 6, 12]
        let f = try PointCloudStats.features(pts)
        let s = 1.25.squareRoot()
        let expected: [Double] = [1.5, 3, 6, s, 2 * s, 4 * s, 0, 0, 0, 3, 6, 12, 0.3, 0.6, 1.2, 1.5, 3, 6, 2.7, 5.4, 10.8, log(5.0)]
        for (g, e) in zip(f, expected) { #expect(abs(Double(g) - e) < 1e-5, "\(g) vs \(e)") }
        #expect(try PointCloudStats.features([]) == [Float](repeating: 0, count: 22))
        #expect(throws: WindowAlignError.self) { try PointCloudStats.features([1, 2]) }
    }

    @Test("toolkit point filter drops the far outlier")
    func filter() {
        // 20 points on a small line plus one far away: the median is on the line, the
        // 95th-percentile distance lies between the line's farthest point and the outlier.
        var pts: [Float] = []
        for i in 0..<20 { pts += [Float(i) * 0.1, 0, 0] }
        pts += [100, 100, 100]
        let kept = PointCloudStats.toolkitFilter(pts)
        #expect(kept.count == 60)
        #expect(!kept.contains(100))
    }
}

@Suite("NumPy .npy")
struct NumPyTests {
    @Test("header for a 2×3 float32 array matches np.save byte for byte")
    func header() {
        // np.save of np.zeros((2,3), np.float32) starts with this 128-byte header:
        // magic, version 1.0, length 118 (0x76), the dict, 21 − 1 growth spaces, padding, '\n'.
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        let expectedText = dict + String(repeating: " ", count: 127 - 10 - dict.count) + "\n"
        let expected: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00] + Array(expectedText.utf8)
        let got = NumPyFile.header(dtype: .float32, shape: [2, 3])
        #expect(got.count == 128)
        #expect(got == expected)
        #expect(NumPyFile.header(dtype: .int64, shape: [5]).count == 128)
        #expect(NumPyFile.header(dtype: .float32, shape: [1161, 8546]).count % 64 == 0)
    }

    @Test("round trip float32 and int64, including data bytes")
    func roundTrip() throws {
        let data = try NumPyFile.encode([1.5, -2, 0, 3, 4, 5] as [Float], shape: [2, 3])
        // 1.5 = 0x3FC00000 little-endian right after the header.
        #expect(Array(data[128..<132]) == [0x00, 0x00, 0xC0, 0x3F])
        #expect(try NumPyFile.decode(data) == .float32(shape: [2, 3], values: [1.5, -2, 0, 3, 4, 5]))
        let ints = try NumPyFile.encode([0, 5, -1] as [Int64], shape: [3])
        #expect(try NumPyFile.decode(ints) == .int64(shape: [3], values: [0, 5, -1]))
        #expect(throws: WindowAlignError.self) { try NumPyFile.encode([1, 2] as [Float], shape: [3]) }
        #expect(throws: WindowAlignError.self) { try NumPyFile.decode(Data(data.prefix(130))) }
        #expect(throws: WindowAlignError.self) { try NumPyFile.decode(Data([1, 2, 3])) }
    }

    @Test("files written here load in NumPy", .python3(importing: "numpy"))
    func numpyInterop() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xp-npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.npy")
        try NumPyFile.write([1, 2, 3, 4, 5, 6.25] as [Float], shape: [3, 2], to: url)
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import numpy as n,sys; a=n.load(sys.argv[1]); print(a.dtype, a.shape, float(a[2,1]))", url.path]
        let pipe = Pipe()
        probe.standardOutput = pipe
        probe.standardError = Pipe()
        try probe.run()
        probe.waitUntilExit()
        #expect(probe.terminationStatus == 0, "python3 could not load \(url.path) with numpy.load")
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "float32 (3, 2) 6.25")
    }
}
