import Foundation
import Testing
@testable import Exporters
@testable import WindowAlign

/// The NPZ archives of the sensor export: the ZIP layer (zlib deflate, CRC-32, central
/// directory), the `.npy` members (float32, int64, `<U` strings), numpy's own archive as a
/// golden, `np.load` on ours when numpy is installed, and corrupt inputs.
@Suite("NPZTests")
struct NPZTests {
    // MARK: Inputs

    /// A 64×32 float32 matrix with few distinct values, so deflate has something to find.
    static let matrix: [Float] = (0..<(64 * 32)).map { Float($0 % 7) * 0.5 - 1 }
    static let counts: [Int64] = [0, 1, -1, Int64.max, Int64.min, 1 << 40]
    /// Non-ASCII labels: Latin-1, CJK, an astral emoji (one UTF-32 unit, two UTF-16 ones),
    /// a combining accent (two scalars) and the empty string.
    static let labels = ["pick up", "café", "日本語", "👍 ok", "e\u{301}", ""]

    static func sample() throws -> NPZArchive {
        var npz = NPZArchive()
        try npz.add("matrix", float32: matrix, shape: [64, 32])
        try npz.add("counts", int64: counts, shape: [counts.count])
        try npz.add("labels", strings: labels)
        return npz
    }

    static func temporaryFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xp-npz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    // MARK: CRC-32

    @Test("CRC-32 of \"123456789\" is the check value 0xCBF43926")
    func crcCheckValue() {
        #expect(ZipArchive.crc32(Data("123456789".utf8)) == 0xCBF4_3926)
        #expect(ZipArchive.crc32(Data()) == 0)
        // A slice (non-zero start index) gives the same CRC as a copy.
        let padded = Data("xx123456789".utf8)
        #expect(ZipArchive.crc32(padded.dropFirst(2)) == 0xCBF4_3926)
    }

    // MARK: Round trips

    @Test("float32 matrix, int64 vector and non-ASCII strings decode to what was added")
    func roundTrip() throws {
        let npz = try Self.sample()
        for compressed in [true, false] {
            let back = try NPZArchive.decode(try npz.encoded(compressed: compressed))
            #expect(back == npz)
            #expect(back.names == ["matrix", "counts", "labels"])
            #expect(back["matrix"] == .float32(shape: [64, 32], values: Self.matrix))
            #expect(back["counts"] == .int64(shape: [6], values: Self.counts))
            // Compare scalars, not graphemes: "e\u{301}" must come back as two scalars.
            guard case let .strings(strings) = back["labels"] else { Issue.record("labels are not strings"); continue }
            #expect(strings.map { Array($0.unicodeScalars) } == Self.labels.map { Array($0.unicodeScalars) })
        }
    }

    @Test("compressed archives are smaller and their entries use method 8 (deflate)")
    func compression() throws {
        let npz = try Self.sample()
        let deflated = try npz.encoded()
        let stored = try npz.encoded(compressed: false)
        #expect(deflated.count < stored.count / 4, "deflated \(deflated.count) bytes, stored \(stored.count)")
        #expect(try ZipArchive.decode(deflated).entries.map(\.method) == [.deflate, .deflate, .deflate])
        #expect(try ZipArchive.decode(stored).entries.map(\.method) == [.stored, .stored, .stored])
        // The raw header field, read without our reader: bytes 8–9 of the first local header.
        #expect(Array(deflated[8..<10]) == [8, 0])
        #expect(Array(stored[8..<10]) == [0, 0])
        #expect(try ZipArchive.decode(deflated).entries.map(\.name) == ["matrix.npy", "counts.npy", "labels.npy"])
    }

    @Test("the same inputs give byte-identical archives")
    func deterministic() throws {
        let a = try Self.sample().encoded()
        let b = try Self.sample().encoded()
        #expect(a == b)
        #expect(try Self.sample().encoded(compressed: false) == Self.sample().encoded(compressed: false))
        // The fixed DOS timestamp 1980-01-01 00:00: time 0, date 0x0021.
        #expect(Array(a[10..<14]) == [0, 0, 0x21, 0])
    }

    @Test("write(to:) is atomic and read(from:) reads it back; no temporary file is left")
    func fileRoundTrip() throws {
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("sensor.npz")
        let npz = try Self.sample()
        try npz.write(to: url)
        try npz.write(to: url)  // over an existing file
        #expect(try NPZArchive.read(from: url) == npz)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["sensor.npz"])
        #expect(try Data(contentsOf: url) == npz.encoded())
    }

    @Test("empty arrays, an empty archive and a one-string array")
    func edgeCases() throws {
        var npz = NPZArchive()
        #expect(try NPZArchive.decode(npz.encoded()) == npz)
        try npz.add("none", float32: [], shape: [0, 3])
        try npz.add("scalar", int64: [42], shape: [])
        try npz.add("blank", strings: [""])
        try npz.add("nothing", strings: [])
        #expect(try NPZArchive.decode(npz.encoded()) == npz)
        #expect(try NPZArchive.decode(npz.encoded(compressed: false)) == npz)
    }

    @Test("bad names and shapes are refused when added")
    func refusedInputs() throws {
        var npz = NPZArchive()
        try npz.add("x", float32: [1, 2], shape: [2])
        #expect(throws: ArchiveError.duplicateEntry(file: ZipArchive.inMemory, entry: "x.npy")) {
            try npz.add("x", int64: [1], shape: [1])
        }
        #expect(throws: ArchiveError.self) { try npz.add("y", float32: [1, 2, 3], shape: [2, 2]) }
        #expect(throws: ArchiveError.self) { try npz.add("y", int64: [1], shape: [-1]) }
        #expect(throws: ArchiveError.self) { try npz.add("", int64: [1], shape: [1]) }
        #expect(throws: ArchiveError.self) { try npz.add("s", strings: ["a\u{0}"]) }
        #expect(npz.names == ["x"])
    }

    @Test("sizes of 4 GiB and more are refused with an error naming the entry (no ZIP64)")
    func zip32Limit() throws {
        // Checked directly: building a 4 GiB entry is not a unit test.
        #expect(throws: Never.self) { try ZipArchive.checkFits(0xFFFF_FFFE, limit: ZipArchive.maxSize, what: "the uncompressed size", entry: "big.npy", file: "out.npz") }
        do {
            try ZipArchive.checkFits(1 << 32, limit: ZipArchive.maxSize, what: "the uncompressed size", entry: "big.npy", file: "out.npz")
            Issue.record("4 GiB was accepted")
        } catch {
            #expect(error == .tooLarge(file: "out.npz", entry: "big.npy", what: "the uncompressed size", value: 1 << 32, limit: 0xFFFF_FFFE))
            #expect(error.description.contains("out.npz") && error.description.contains("big.npy"))
        }
    }

    // MARK: NumPy `<U` strings

    @Test("<U arrays: width is the longest scalar count (at least 1), UTF-32LE, zero-padded")
    func unicodeNPY() throws {
        let data = try NumPyFile.encode(["ab", "日🙂x"])
        let header = try NumPyFile.parseHeader(data)
        #expect(header.descr == "<U3" && header.shape == [2] && header.dataOffset == 128)
        #expect(Array(data[128...]) == [0x61, 0, 0, 0, 0x62, 0, 0, 0, 0, 0, 0, 0,
                                        0xE5, 0x65, 0, 0, 0x42, 0xF6, 0x01, 0, 0x78, 0, 0, 0])
        #expect(try NumPyFile.decodeStrings(data) == ["ab", "日🙂x"])
        #expect(try NumPyFile.parseHeader(NumPyFile.encode([""])).descr == "<U1")
        #expect(try NumPyFile.parseHeader(NumPyFile.encode([String]())).descr == "<U1")
        #expect(throws: WindowAlignError.self) { try NumPyFile.encode(["a\u{0}b"]) }
        // Not strings, not 1-D, or a lone surrogate in the data: typed errors.
        #expect(throws: WindowAlignError.self) { try NumPyFile.decodeStrings(NumPyFile.encode([1, 2] as [Int64], shape: [2])) }
        var surrogate = data
        surrogate[128] = 0x00; surrogate[129] = 0xD8
        #expect(throws: WindowAlignError.self) { try NumPyFile.decodeStrings(surrogate) }
        #expect(throws: WindowAlignError.self) { try NumPyFile.decodeStrings(Data(data.prefix(140))) }
    }

    @Test("a .npy shape whose byte count overflows Int is a typed error, not a trap")
    func npyShapeOverflow() {
        // 2^61 int64 elements need 2^64 bytes: the size check itself must not overflow.
        let huge = Data(NumPyFile.header(dtype: .int64, shape: [1 << 61]))
        #expect(throws: WindowAlignError.self) { try NumPyFile.decode(huge) }
        let wide = Data(NumPyFile.header(descr: "<U\(1 << 61)", shape: [2]))
        #expect(throws: WindowAlignError.self) { try NumPyFile.decodeStrings(wide) }
    }

    // MARK: numpy's archive

    /// `Fixtures/goldens/numpy-npz.json`.
    struct NumpyGolden: Decodable {
        struct Member: Decodable {
            var name: String
            var dtype: String
            var shape: [Int]
            var floats: [Double]?
            var ints: [Int64]?
            var strings: [String]?

            var array: NPZArchive.Array? {
                if let floats { return .float32(shape: shape, values: floats.map { Float($0) }) }
                if let ints { return .int64(shape: shape, values: ints) }
                if let strings { return .strings(strings) }
                return nil
            }
        }
        var source: String
        var numpyVersion: String
        var script: String
        var npzBase64: String
        var arrays: [Member]
    }

    @Test("an archive numpy's savez_compressed wrote decodes to its arrays, byte for byte")
    func numpyGolden() throws {
        let golden = try ProjectFixtures.decode(NumpyGolden.self, from: "goldens/numpy-npz.json")
        #expect(golden.script.contains("np.savez_compressed"))
        let bytes = try #require(Data(base64Encoded: golden.npzBase64), "npzBase64 is not base64")
        let npz = try NPZArchive.decode(bytes, file: "numpy-npz.json")
        #expect(npz.names == golden.arrays.map(\.name))
        let archive = try ZipArchive.decode(bytes)
        #expect(archive.entries.map(\.method) == golden.arrays.map { _ in .deflate })
        for (member, entry) in zip(golden.arrays, archive.entries) {
            let expected = try #require(member.array, "\(member.name) has no values")
            #expect(npz[member.name] == expected, "\(member.name)")
            // Our .npy bytes for the same values equal numpy's member (header included).
            let ours: Data
            switch expected {
            case let .float32(shape, values):
                ours = try NumPyFile.encode(values, shape: shape)
                // -0.0 == 0.0 for Float; compare the bits.
                if case let .float32(_, got)? = npz[member.name] { #expect(got.map(\.bitPattern) == values.map(\.bitPattern)) }
            case let .int64(shape, values): ours = try NumPyFile.encode(values, shape: shape)
            case let .strings(values): ours = try NumPyFile.encode(values)
            }
            #expect(try NumPyFile.parseHeader(entry.data).descr == member.dtype)
            #expect(entry.data == ours, "\(member.name).npy differs from numpy's")
        }
    }

    // MARK: np.load on our archive

    /// A Python with numpy: `XP_PYTHON`, else `python3` on PATH, else Debian's `/usr/bin/python3`
    /// (bootstrap installs python3-numpy there); nil when none imports numpy.
    static let numpyPython: [String]? = {
        var candidates: [[String]] = []
        if let custom = ProcessInfo.processInfo.environment["XP_PYTHON"], !custom.isEmpty { candidates.append([custom]) }
        candidates.append(["python3"])
        candidates.append(["/usr/bin/python3"])
        for candidate in candidates {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = candidate + ["-c", "import numpy"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { continue }
            probe.waitUntilExit()
            if probe.terminationStatus == 0 { return candidate }
        }
        return nil
    }()

    @Test("np.load (without allow_pickle) reads our archive: names, dtypes, shapes, values",
          .enabled(if: NPZTests.numpyPython != nil, "needs a python3 that imports numpy (set XP_PYTHON or put one on PATH; CI installs python3-numpy)"))
    func numpyLoadsOurs() throws {
        let python = try #require(Self.numpyPython)
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ours.npz")
        try Self.sample().write(to: url)
        let script = """
            import json, sys, zipfile, numpy as np
            with zipfile.ZipFile(sys.argv[1]) as f:  # Python's own reader: CRCs, sizes, layout
                assert f.testzip() is None, f.testzip()
                for i in f.infolist():
                    assert i.compress_type == zipfile.ZIP_DEFLATED and i.date_time == (1980, 1, 1, 0, 0, 0), i
            z = np.load(sys.argv[1])  # allow_pickle defaults to False: object arrays would raise
            out = []
            for k in z.files:
                a = z[k]
                m = {"name": k, "dtype": a.dtype.str, "shape": list(a.shape)}
                key = {"f": "floats", "i": "ints", "U": "strings"}[a.dtype.kind]
                m[key] = [x.item() for x in a.ravel()]
                out.append(m)
            print(json.dumps(out))
            """
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = python + ["-c", script, url.path]
        let out = Pipe(), err = Pipe()
        probe.standardOutput = out
        probe.standardError = err
        try probe.run()
        let printed = out.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        try #require(probe.terminationStatus == 0, "np.load failed: \(complaint)")
        let members = try JSONDecoder().decode([NumpyGolden.Member].self, from: printed)
        #expect(members.map(\.name) == ["matrix", "counts", "labels"])
        #expect(members.map(\.dtype) == ["<f4", "<i8", "<U7"])
        #expect(members.map(\.shape) == [[64, 32], [6], [6]])
        let ours = try Self.sample()
        for m in members { #expect(m.array == ours[m.name], "\(m.name)") }
    }

    // MARK: Corrupt inputs

    /// Decodes, returning the error; fails the test when it decodes or throws anything else.
    static func decodeError(_ data: Data, _ what: String) -> ArchiveError? {
        do {
            _ = try NPZArchive.decode(data, file: "bad.npz")
            Issue.record("decoded although corrupt: \(what)")
        } catch {
            return error
        }
        return nil
    }

    @Test("a truncated archive is a typed error at every length, naming the file")
    func truncated() throws {
        let good = try Self.sample().encoded()
        for length in 0..<good.count {
            guard let error = Self.decodeError(Data(good.prefix(length)), "first \(length) bytes") else { continue }
            #expect(error.description.hasPrefix("bad.npz"))
        }
        // A tail cut from an archive on disk: the error names the path.
        let dir = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("cut.npz")
        try good.prefix(good.count / 2).write(to: url)
        let error = #expect(throws: ArchiveError.self) { try NPZArchive.read(from: url) }
        #expect(error?.description.contains(url.path) == true)
    }

    @Test("a flipped data byte is a CRC-32 mismatch naming the entry")
    func badCRC() throws {
        let stored = try Self.sample().encoded(compressed: false)
        var bad = stored
        // The last byte of the first entry's data: its .npy payload, past every header.
        let firstDataEnd = 30 + "matrix.npy".utf8.count + NumPyFile.header(dtype: .float32, shape: [64, 32]).count + 64 * 32 * 4
        bad[firstDataEnd - 1] ^= 0x40
        let error = Self.decodeError(bad, "flipped byte")
        guard case let .checksumMismatch(file, entry, expected, found)? = error else {
            Issue.record("expected a CRC-32 mismatch, got \(String(describing: error))"); return
        }
        #expect(file == "bad.npz" && entry == "matrix.npy" && expected != found)
        #expect(error?.description.contains("matrix.npy") == true)
        // In a deflated entry the same damage is caught by zlib or by the CRC, never missed.
        var deflated = try Self.sample().encoded()
        deflated[30 + "matrix.npy".utf8.count + 20] ^= 0x40
        _ = Self.decodeError(deflated, "flipped deflate byte")
    }

    @Test("a central directory pointing past the end is a typed error")
    func centralDirectoryPastEnd() throws {
        let good = try Self.sample().encoded()
        let end = good.count - 22
        func patched(_ offset: Int, _ value: UInt32) -> Data {
            var d = good
            for k in 0..<4 { d[offset + k] = UInt8((value >> (8 * UInt32(k))) & 0xFF) }
            return d
        }
        for (what, data) in [("offset past the end", patched(end + 16, 0x7FFF_0000)),
                             ("size past the end", patched(end + 12, UInt32(good.count))),
                             ("first local header offset past the end", patched(Self.centralStart(good) + 42, 0x00FF_FFFF)),
                             ("uncompressed size a zip bomb would claim", patched(Self.centralStart(good) + 24, 0xFFFF_FF00))] {
            guard let error = Self.decodeError(data, what) else { continue }
            guard case .malformed = error else { Issue.record("\(what): expected .malformed, got \(error)"); continue }
        }
    }

    @Test("every single flipped byte is decoded or refused with a typed error, never a crash")
    func everyByteFlipped() throws {
        let good = try Self.sample().encoded()
        for i in 0..<good.count {
            var d = good
            d[i] ^= 0xFF
            do { _ = try NPZArchive.decode(d) } catch {}  // typed throws: any failure is an ArchiveError
        }
    }

    /// The central directory offset an end record states.
    static func centralStart(_ data: Data) -> Int {
        let e = data.count - 22
        return (0..<4).reduce(0) { $0 | Int(data[e + 16 + $1]) << (8 * $1) }
    }
}
