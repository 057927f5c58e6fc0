import Foundation
import Testing
@testable import Heads

@Suite("Safetensors")
struct SafetensorsTests {
    @Test func exactBytesOfATinyFile() throws {
        // Header {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} is 54 bytes, padded with
        // spaces to 56; the length prefix is 56 little-endian; 1.0f is 00 00 80 3F.
        let archive = SafetensorsArchive(tensors: ["a": try SafetensorsTensor(floats: [1], shape: [1])])
        let bytes = try archive.encoded()
        let header = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        #expect(header.utf8.count == 54)
        #expect(Array(bytes[0..<8]) == [56, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[8..<62]) == Array(header.utf8))
        #expect(Array(bytes[62..<64]) == [0x20, 0x20])
        #expect(Array(bytes[64...]) == [0x00, 0x00, 0x80, 0x3F])
    }

    @Test func roundTripKeepsEverything() throws {
        let archive = SafetensorsArchive(
            tensors: [
                "w": try SafetensorsTensor(floats: [1.5, -2, .greatestFiniteMagnitude, 0], shape: [2, 2]),
                "k": try SafetensorsTensor(int64s: [-1, 7, Int64.max], shape: [3]),
                "e": try SafetensorsTensor(floats: [], shape: [0, 4]),
            ],
            metadata: ["note": "quotes \" and \\ and\nnewline, ünïcode"])
        let decoded = try SafetensorsArchive(decoding: archive.encoded())
        #expect(decoded == archive)
        #expect(try decoded.tensor("k").int64s() == [-1, 7, Int64.max])
    }

    @Test func malformedFilesGiveTypedErrors() throws {
        let good = try SafetensorsArchive(tensors: ["a": SafetensorsTensor(floats: [1, 2], shape: [2])]).encoded()
        func rejects(_ bytes: [UInt8], _ label: String) {
            #expect(throws: HeadsError.self, "\(label)") { try SafetensorsArchive(decoding: bytes) }
        }
        rejects([1, 2, 3], "shorter than the length prefix")
        var hugeLength = good
        hugeLength[0] = 0xFF; hugeLength[1] = 0xFF
        rejects(hugeLength, "header length beyond the file")
        var notJSON = good
        notJSON[9] = UInt8(ascii: "#")
        rejects(notJSON, "corrupted header byte")
        rejects(Array(good.dropLast()), "data section one byte short")
        rejects(good + [0], "trailing byte")
        func withHeader(_ json: String, data: [UInt8]) -> [UInt8] {
            SafetensorsTensor.littleEndianBytes(UInt64(json.utf8.count)) + Array(json.utf8) + data
        }
        rejects(withHeader(#"{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}"#, data: [0, 0]), "unsupported dtype")
        rejects(withHeader(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "shape/size mismatch")
        rejects(withHeader(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "gap")
        rejects(withHeader(#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), "negative dim")
        rejects(withHeader(#"["a"]"#, data: []), "not an object")
        rejects(withHeader(#"{"__metadata__":{"k":1}}"#, data: []), "non-string metadata")
        // The valid form of the same hand-written header decodes.
        let ok = try SafetensorsArchive(decoding: withHeader(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0x80, 0x3F]))
        #expect(try ok.tensor("a").floats() == [1])
    }

    @Test func headsRoundTripThroughFiles() throws {
        let data = Synthetic.blobs(n: 60, d: 5, classes: 3, seed: 3)
        let scaler = try Standardiser.fit(data.x, mode: .strict(.init()))
        let x = try scaler.transform(data.x)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("heads-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        var lc = LinearHeadConfig.softmaxDefault
        lc.epochs = 10
        let softmax = try SoftmaxRegression.train(x: x, labels: data.y, classCount: 3, config: lc)
        try softmax.save(to: dir.appendingPathComponent("s.safetensors"), classNames: ["a", "b", "c"], standardiser: scaler)
        let (s2, names, scaler2) = try SoftmaxRegression.load(from: dir.appendingPathComponent("s.safetensors"))
        #expect(s2 == softmax)
        #expect(names == ["a", "b", "c"])
        #expect(scaler2 == scaler)

        var mc = MLPConfig()
        mc.hidden = 8; mc.epochs = 2
        let mlp = try MLP.train(x: x, targets: .classes(data.y, classCount: 3), config: mc)
        try mlp.save(to: dir.appendingPathComponent("m.safetensors"))
        let (m2, _, noScaler) = try MLP.load(from: dir.appendingPathComponent("m.safetensors"))
        #expect(m2.parameters == mlp.parameters && m2.task == mlp.task && m2.config == mlp.config && m2.history == mlp.history)
        #expect(noScaler == nil)
        #expect(try m2.logits(x) == mlp.logits(x))

        var y = Matrix(rows: 60, cols: 2)
        for i in 0..<60 { y[i, 0] = Float(data.y[i]); y[i, 1] = x[i, 0] }
        let ridge = try RidgeRegression.fitReference(x: x, y: y)
        try ridge.save(to: dir.appendingPathComponent("r.safetensors"))
        #expect(try RidgeRegression.load(from: dir.appendingPathComponent("r.safetensors")).head == ridge)

        let ml = try MultiLabelLogistic.train(x: x, targets: y.gatherColumns([0]), config: lc)
        try ml.save(to: dir.appendingPathComponent("l.safetensors"))
        #expect(try MultiLabelLogistic.load(from: dir.appendingPathComponent("l.safetensors")).head == ml)

        // Loading one head kind as another is a typed error, not a crash.
        #expect(throws: HeadsError.incompatibleArchive(expected: "mlp", found: "ridge_regression")) {
            try MLP.load(from: dir.appendingPathComponent("r.safetensors"))
        }
        #expect(throws: HeadsError.self) { try MLP.load(from: dir.appendingPathComponent("missing.safetensors")) }
    }
}

@Suite("Training input errors")
struct TrainingErrorTests {
    @Test func typedErrors() throws {
        var x = Matrix(rows: 4, cols: 3, repeating: 1)
        #expect(throws: HeadsError.shapeMismatch(operation: "labels", expected: "4 labels (one per row)", found: "3")) {
            try SoftmaxRegression.train(x: x, labels: [0, 1, 0], classCount: 2)
        }
        #expect(throws: HeadsError.invalidIndex(what: "class label", index: 2, validRange: 0..<2)) {
            try SoftmaxRegression.train(x: x, labels: [0, 1, 0, 2], classCount: 2)
        }
        #expect(throws: HeadsError.emptyData(what: "training features (0x3)")) {
            try SoftmaxRegression.train(x: Matrix(rows: 0, cols: 3), labels: [], classCount: 2)
        }
        x[3, 1] = .infinity
        #expect(throws: HeadsError.nonFinite(matrix: "training features", row: 3, column: 1)) {
            try MLP.train(x: x, targets: .classes([0, 1, 0, 1], classCount: 2))
        }
        #expect(throws: HeadsError.nonFinite(matrix: "training features", row: 3, column: 1)) {
            try MultiLabelLogistic.train(x: x, targets: Matrix(rows: 4, cols: 1))
        }
        let clean = Matrix(rows: 4, cols: 3, repeating: 1)
        #expect(throws: HeadsError.shapeMismatch(operation: "MLP.train", expected: "4 target rows", found: "2")) {
            try MLP.train(x: clean, targets: .regression(Matrix(rows: 2, cols: 1)))
        }
        var bad = MLPConfig()
        bad.dropout = 1
        #expect(throws: HeadsError.invalidParameter(name: "dropout", expected: "in [0, 1)", found: "1.0")) {
            try MLP.train(x: clean, targets: .classes([0, 1, 0, 1], classCount: 2), config: bad)
        }
        let model = try SoftmaxRegression.train(x: clean, labels: [0, 1, 0, 1], classCount: 2, config: .init(epochs: 1, learningRate: 0.1, l2: 0, seed: 1))
        #expect(throws: HeadsError.self) { try model.predict(Matrix(rows: 1, cols: 4)) }
    }
}
