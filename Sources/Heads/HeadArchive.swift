import Foundation

/// A trained head that can be stored as a safetensors file.
///
/// The file holds the head's tensors, and its `__metadata__` holds JSON documents:
/// `xperiencekit.head` (the head kind), `config`, `history`, optionally `class_names` and
/// `scaler` (the standardiser's settings; its arrays are the tensors `scaler.mean`,
/// `scaler.scale` and `scaler.kept_columns`).
public protocol ArchivableHead: Sendable {
    /// The value of the `xperiencekit.head` metadata key.
    static var headKind: String { get }
    /// The head's own tensors.
    func headTensors() throws -> [String: SafetensorsTensor]
    /// The head's own metadata (JSON strings).
    func headMetadata() throws -> [String: String]
    /// Rebuilds the head from an archive written by ``archive(classNames:standardiser:)``.
    init(tensors: SafetensorsArchive) throws
}

extension ArchivableHead {
    /// Everything needed to use the head later: tensors, class names and standardiser.
    public func archive(classNames: [String]? = nil, standardiser: Standardiser? = nil) throws -> SafetensorsArchive {
        var archive = SafetensorsArchive(tensors: try headTensors(), metadata: try headMetadata())
        archive.metadata["xperiencekit.head"] = Self.headKind
        archive.metadata["format"] = "np"
        if let classNames { archive.metadata["class_names"] = try encodeJSON(classNames) }
        if let standardiser { try standardiser.store(in: &archive) }
        return archive
    }

    /// Writes the archive to `url` (atomically).
    public func save(to url: URL, classNames: [String]? = nil, standardiser: Standardiser? = nil) throws {
        try archive(classNames: classNames, standardiser: standardiser).write(to: url)
    }

    /// Loads a head of this kind, with its class names and standardiser when stored.
    public static func load(from url: URL) throws -> (head: Self, classNames: [String]?, standardiser: Standardiser?) {
        try unpack(SafetensorsArchive(contentsOf: url))
    }

    /// Unpacks an archive of this head kind.
    public static func unpack(_ archive: SafetensorsArchive) throws -> (head: Self, classNames: [String]?, standardiser: Standardiser?) {
        let kind = archive.metadata["xperiencekit.head"] ?? "no head kind"
        guard kind == headKind else { throw HeadsError.incompatibleArchive(expected: headKind, found: kind) }
        let names: [String]? = try archive.metadata["class_names"].map { try decodeJSON([String].self, $0, key: "class_names") }
        return (try Self(tensors: archive), names, try Standardiser(archive: archive))
    }
}

func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let data = try encoder.encode(value)
    return String(decoding: data, as: UTF8.self)
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?, key: String) throws -> T {
    guard let text else { throw HeadsError.incompatibleArchive(expected: "metadata key \(key)", found: "none") }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    do {
        return try decoder.decode(T.self, from: Data(text.utf8))
    } catch {
        throw HeadsError.malformedSafetensors(reason: "metadata \(key) is not the expected JSON (\(error))")
    }
}

/// The standardiser's settings as stored in metadata.
struct ScalerInfo: Codable {
    var mode: String
    var inputColumns: Int
    var clip: Float?
    var strict: Standardiser.StrictOptions?
}

extension Standardiser {
    func store(in archive: inout SafetensorsArchive) throws {
        let strictOptions: StrictOptions?
        if case .strict(let o) = mode { strictOptions = o } else { strictOptions = nil }
        archive.metadata["scaler"] = try encodeJSON(ScalerInfo(mode: strictOptions == nil ? "reference" : "strict",
                                                                inputColumns: inputColumns, clip: clip, strict: strictOptions))
        archive.tensors["scaler.mean"] = try SafetensorsTensor(floats: mean, shape: [mean.count])
        archive.tensors["scaler.scale"] = try SafetensorsTensor(floats: scale, shape: [scale.count])
        archive.tensors["scaler.kept_columns"] = try SafetensorsTensor(int64s: keptColumns.map { Int64($0) }, shape: [keptColumns.count])
    }

    /// The standardiser stored in an archive, or nil when there is none.
    public init?(archive: SafetensorsArchive) throws {
        guard let text = archive.metadata["scaler"] else { return nil }
        let info = try decodeJSON(ScalerInfo.self, text, key: "scaler")
        let kept = try archive.tensor("scaler.kept_columns").int64s().map { Int($0) }
        let mode: Mode = info.mode == "strict" ? .strict(info.strict ?? StrictOptions()) : .reference
        try self.init(mode: mode, inputColumns: info.inputColumns, keptColumns: kept,
                      mean: archive.floats("scaler.mean", shape: [kept.count]),
                      scale: archive.floats("scaler.scale", shape: [kept.count]), clip: info.clip)
    }
}

private func matrixTensor(_ m: Matrix) throws -> SafetensorsTensor {
    try SafetensorsTensor(floats: m.storage, shape: [m.rows, m.cols])
}

private func matrix(_ archive: SafetensorsArchive, _ name: String) throws -> Matrix {
    let t = try archive.tensor(name)
    guard t.shape.count == 2 else { throw HeadsError.shapeMismatch(operation: "tensor \(name)", expected: "2 dimensions", found: "\(t.shape)") }
    return try Matrix(rows: t.shape[0], cols: t.shape[1], storage: t.floats())
}

extension SoftmaxRegression: ArchivableHead {
    public static let headKind = "softmax_regression"

    public func headTensors() throws -> [String: SafetensorsTensor] {
        ["weight": try matrixTensor(weights), "bias": try SafetensorsTensor(floats: bias, shape: [bias.count])]
    }

    public func headMetadata() throws -> [String: String] {
        ["config": try encodeJSON(config), "history": try encodeJSON(history)]
    }

    public init(tensors archive: SafetensorsArchive) throws {
        let w = try matrix(archive, "weight")
        try self.init(weights: w, bias: archive.floats("bias", shape: [w.cols]),
                      config: decodeJSON(LinearHeadConfig.self, archive.metadata["config"], key: "config"),
                      history: (try? decodeJSON([EpochRecord].self, archive.metadata["history"], key: "history")) ?? [])
    }
}

extension MultiLabelLogistic: ArchivableHead {
    public static let headKind = "multilabel_logistic"

    public func headTensors() throws -> [String: SafetensorsTensor] {
        ["weight": try matrixTensor(weights), "bias": try SafetensorsTensor(floats: bias, shape: [bias.count]),
         "pos_weight": try SafetensorsTensor(floats: positiveWeights, shape: [positiveWeights.count])]
    }

    public func headMetadata() throws -> [String: String] {
        ["config": try encodeJSON(config), "history": try encodeJSON(history)]
    }

    public init(tensors archive: SafetensorsArchive) throws {
        let w = try matrix(archive, "weight")
        try self.init(weights: w, bias: archive.floats("bias", shape: [w.cols]),
                      positiveWeights: archive.floats("pos_weight", shape: [w.cols]),
                      config: decodeJSON(LinearHeadConfig.self, archive.metadata["config"], key: "config"),
                      history: (try? decodeJSON([EpochRecord].self, archive.metadata["history"], key: "history")) ?? [])
    }
}

extension RidgeRegression: ArchivableHead {
    public static let headKind = "ridge_regression"

    public func headTensors() throws -> [String: SafetensorsTensor] {
        let k = targetCount
        return ["weight": try matrixTensor(weights), "bias": try SafetensorsTensor(floats: bias, shape: [k]),
                "output_scale": try SafetensorsTensor(floats: outputScale, shape: [k]),
                "output_offset": try SafetensorsTensor(floats: outputOffset, shape: [k])]
    }

    public func headMetadata() throws -> [String: String] {
        ["config": try encodeJSON(["lambda": String(lambda), "solver": solver])]
    }

    public init(tensors archive: SafetensorsArchive) throws {
        let w = try matrix(archive, "weight")
        let config = try decodeJSON([String: String].self, archive.metadata["config"], key: "config")
        guard let lambdaText = config["lambda"], let lambda = Double(lambdaText), let solver = config["solver"] else {
            throw HeadsError.malformedSafetensors(reason: "ridge config lacks lambda or solver")
        }
        try self.init(weights: w, bias: archive.floats("bias", shape: [w.cols]),
                      outputScale: archive.floats("output_scale", shape: [w.cols]),
                      outputOffset: archive.floats("output_offset", shape: [w.cols]), lambda: lambda, solver: solver)
    }
}

/// How an MLP's task is stored in metadata.
struct MLPTaskInfo: Codable {
    var kind: String
    var outputCount: Int
    var inputCount: Int
    var bestEpoch: Int?
}

extension MLP: ArchivableHead {
    public static let headKind = "mlp"

    public func headTensors() throws -> [String: SafetensorsTensor] {
        var out: [String: SafetensorsTensor] = [:]
        for t in layout.tensors {
            let count = t.shape.reduce(1, *)
            out[t.name] = try SafetensorsTensor(floats: Array(parameters[t.offset..<(t.offset + count)]), shape: t.shape)
        }
        if let classWeights { out["class_weight"] = try SafetensorsTensor(floats: classWeights, shape: [classWeights.count]) }
        if let positiveWeights { out["pos_weight"] = try SafetensorsTensor(floats: positiveWeights, shape: [positiveWeights.count]) }
        if let targetMean { out["target_mean"] = try SafetensorsTensor(floats: targetMean, shape: [targetMean.count]) }
        if let targetStd { out["target_std"] = try SafetensorsTensor(floats: targetStd, shape: [targetStd.count]) }
        return out
    }

    public func headMetadata() throws -> [String: String] {
        ["config": try encodeJSON(config), "history": try encodeJSON(history),
         "task": try encodeJSON(MLPTaskInfo(kind: task.name, outputCount: task.outputCount, inputCount: inputCount, bestEpoch: bestEpoch))]
    }

    public init(tensors archive: SafetensorsArchive) throws {
        let config = try decodeJSON(MLPConfig.self, archive.metadata["config"], key: "config")
        let info = try decodeJSON(MLPTaskInfo.self, archive.metadata["task"], key: "task")
        let task: MLPTask
        switch info.kind {
        case "classification": task = .classification(classCount: info.outputCount)
        case "multi_label": task = .multiLabel(labelCount: info.outputCount)
        case "regression": task = .regression(targetCount: info.outputCount)
        default: throw HeadsError.incompatibleArchive(expected: "an MLP task kind", found: info.kind)
        }
        let layout = MLPLayout(d: info.inputCount, h: config.hidden, o: info.outputCount)
        var parameters = [Float](repeating: 0, count: layout.count)
        for t in layout.tensors {
            let values = try archive.floats(t.name, shape: t.shape)
            parameters.replaceSubrange(t.offset..<(t.offset + values.count), with: values)
        }
        let o = info.outputCount
        func optional(_ name: String) throws -> [Float]? {
            archive.tensors[name] == nil ? nil : try archive.floats(name, shape: [o])
        }
        try self.init(config: config, task: task, inputCount: info.inputCount, parameters: parameters,
                      classWeights: optional("class_weight"), positiveWeights: optional("pos_weight"),
                      targetMean: optional("target_mean"), targetStd: optional("target_std"),
                      history: (try? decodeJSON([EpochRecord].self, archive.metadata["history"], key: "history")) ?? [],
                      bestEpoch: info.bestEpoch)
    }
}
