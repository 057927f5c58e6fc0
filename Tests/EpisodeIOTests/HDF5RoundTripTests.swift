import Foundation
import Testing
@testable import EpisodeIO

@Suite("HDF5 writer and reader")
struct HDF5RoundTripTests {
    @Test("every dtype the schema uses reads back exactly, contiguous and gzip-chunked")
    func roundTrip() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let floats: [Float] = (0..<24).map { Float($0) * 0.5 - 3 }
        let doubles: [Double] = [1e-300, -2.5, 72857811010157.0, .pi]
        let ints: [Int64] = [0, 9, 18, Int64.max]
        let bytes: [UInt8] = [0, 28, 205, 255]
        let path = try writeHDF5(folder) { w in
            try w.write("a/f32", floats, shape: [2, 4, 3])
            try w.write("a/f32_gzip", floats, shape: [2, 4, 3], storage: .chunkedGzip(chunks: [1, 4, 3], level: 4))
            try w.write("b/f64", doubles, shape: [4])
            try w.write("b/i64", ints, shape: [4])
            try w.write("b/u8", bytes, shape: [2, 2])
            try w.writeScalar("b/scalar", 1.78)
            try w.writeFixedStrings("c/names", ["72857807732824.jpg", "1.jpg"], length: 18)
            try w.writeString("c/caption", #"{"config": {"Main Task": "Café ☕"}}"#)
        }
        let file = try HDF5File(path: path)
        #expect(try file.read("a/f32", as: Float.self) == floats)
        #expect(try file.read("a/f32_gzip", as: Float.self) == floats)
        #expect(try file.info("a/f32_gzip").gzip)
        #expect(try file.info("a/f32_gzip").chunks == [1, 4, 3])
        #expect(try file.info("a/f32").chunks == nil)
        #expect(try file.read("b/f64", as: Double.self) == doubles)
        #expect(try file.read("b/i64", as: Int64.self) == ints)
        #expect(try file.read("b/u8", as: UInt8.self) == bytes)
        #expect(try file.readScalar("b/scalar") == 1.78)
        #expect(try file.info("c/names").type == .fixedString(18))
        #expect(try file.readStrings("c/names") == ["72857807732824.jpg", "1.jpg"])
        #expect(try file.info("c/caption").type == .variableString)
        #expect(try file.readString("c/caption") == #"{"config": {"Main Task": "Café ☕"}}"#)
        // Row ranges: rows 1..<2 of a [2,4,3] array are its last 12 values.
        #expect(try file.readRows("a/f32_gzip", rows: 1..<2, as: Float.self) == Array(floats[12...]))
        #expect(try file.children(of: "") == ["a", "b", "c"])
        #expect(file.kind(of: "a") == .group && file.kind(of: "a/f32") == .dataset && file.kind(of: "zz") == .missing)
        #expect(throws: EpisodeError.outOfRange(file: path, dataset: "a/f32", requested: "1..<3", available: 2)) {
            try file.readRows("a/f32", rows: 1..<3, as: Float.self)
        }
    }

    @Test("the same content gives byte-identical files")
    func deterministic() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        func make(_ name: String) throws -> Data {
            let path = try writeHDF5(folder, name) { w in
                try w.write("x/y", [Float](repeating: 1, count: 64), shape: [4, 16], storage: .chunkedGzip(chunks: [1, 16], level: 4))
                try w.writeString("s", "hello")
            }
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        #expect(try make("one.hdf5") == make("two.hdf5"))
    }

    @Test("a failed write leaves no file behind")
    func noHalfWrittenFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = folder.path("annotation.hdf5")
        do {
            let writer = try HDF5Writer(path: path)
            try writer.write("x", [Float](repeating: 0, count: 3), shape: [2, 2])
            Issue.record("a value count that does not fit the shape must throw")
        } catch {
            #expect("\(error)".contains("shape"))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }
}

@Suite("Calibration vector")
struct CalibrationVectorTests {
    @Test("cameras and keys in Python code-point order; strings skipped; NaN → 0, ±inf → ±max float")
    func order() throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanup() }
        let path = try writeHDF5(folder) { w in
            try w.write("calibration/cam1/K", [5.0, 6], shape: [2])
            try w.write("calibration/cam01/T_c0_b", [3.0], shape: [1])
            try w.write("calibration/cam01/K", [2.0], shape: [1])
            try w.writeString("calibration/cam01/name", "stereo")
            try w.write("calibration/cam0/k_lower", [Double.nan, -.infinity], shape: [2])
            try w.writeScalar("calibration/cam0/K", 1.0)
        }
        let calibration = try Episode(path: path).calibration()
        // cam0 < cam01 < cam1; within cam0 "K" < "k_lower" (upper case first); cam01: K, T_c0_b.
        #expect(calibration.canonicalVector == [1, 0, -.greatestFiniteMagnitude, 2, 3, 5, 6])
        #expect(calibration.cameras.map(\.camera) == ["cam0", "cam01", "cam1"])
    }
}
