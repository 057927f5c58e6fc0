import Foundation
import Heads
import WindowAlign

/// One row of `audio_ablation_metrics.csv`: a task under one of the six audio variants of
/// `task-suite.md` §6.4.
public struct AudioAblationRow: Sendable, Equatable {
    public var task: TaskID
    public var variant: AudioAblation.Variant
    public var featureDim: Int
    public var targetDim: Int?
    public var targetVariant: String
    public var score: DiagnosticScore?
    public var reason: String = ""
    public var suiteProtocol: SuiteProtocol
    public var seed: UInt64
}

/// The audio ablation: the 168-dim handcrafted AAC-band block against the 588-dim raw log-mel
/// window features (``LogMelFeatures``), six input variants per task, the ridge head of the
/// other diagnostics on the task's own samples, targets and split.
public enum AudioAblation {
    public enum Variant: String, Sendable, CaseIterable, Codable {
        case allHandcraftedAudio = "all_handcrafted_audio"
        case allExceptAudio = "all_except_audio"
        case handcraftedAudioOnly = "handcrafted_audio_only"
        case rawLogmelAudioOnly = "raw_logmel_audio_only"
        case replaceHandcraftedWithRaw = "replace_handcrafted_with_raw"
        case allPlusRawLogmel = "all_plus_raw_logmel"

        /// The reference's `variant_display`.
        public var display: String {
            switch self {
            case .allHandcraftedAudio: return "All Current Features"
            case .allExceptAudio: return "All Except Audio"
            case .handcraftedAudioOnly: return "Handcrafted AAC Audio Only"
            case .rawLogmelAudioOnly: return "Raw Log-Mel Audio Only"
            case .replaceHandcraftedWithRaw: return "Replace AAC Block With Raw Log-Mel"
            case .allPlusRawLogmel: return "All Current Features + Raw Log-Mel"
            }
        }

        /// The reference's `input_contract` text for `dims` columns.
        public func inputContract(_ dims: Int) -> String {
            switch self {
            case .allHandcraftedAudio: return "task contract feature blocks with handcrafted AAC audio where applicable (\(dims) dims)"
            case .allExceptAudio: return "same task contract with handcrafted AAC audio columns removed (\(dims) dims)"
            case .handcraftedAudioOnly: return "handcrafted AAC audio block only (\(dims) dims)"
            case .rawLogmelAudioOnly: return "raw waveform log-mel embedding only (\(dims) dims)"
            case .replaceHandcraftedWithRaw: return "task contract with handcrafted AAC removed and raw log-mel added (\(dims) dims)"
            case .allPlusRawLogmel: return "task contract with existing handcrafted AAC plus raw log-mel (\(dims) dims)"
            }
        }
    }

    /// The name of the block the raw features are appended as.
    public static let rawBlockName = "raw_logmel_fisheye_cam0"

    public struct Configuration: Sendable {
        public var suiteProtocol: SuiteProtocol
        public var tasks: [TaskID] = TaskID.allCases
        public var seeds: [UInt64] = [7]
        public var parameters = TaskParameters()
        public init(protocol p: SuiteProtocol) { suiteProtocol = p }
    }

    /// `episodes` with their raw log-mel rows (windows × 588, one array per episode) appended
    /// as one static block after the schema's blocks, so every original column keeps its index.
    public static func appendingRaw(_ episodes: [SuiteEpisode], raw: [[Float]]) throws -> [SuiteEpisode] {
        guard raw.count == episodes.count else {
            throw SuiteError.shapeMismatch(what: "raw log-mel features", expected: "one matrix per episode (\(episodes.count))", found: "\(raw.count)")
        }
        return try episodes.enumerated().map { i, e in
            let d = e.features.cols, n = e.windows.count, k = LogMelFeatures.dimension
            guard raw[i].count == n * k else {
                throw SuiteError.shapeMismatch(what: "raw log-mel features of \(e.name)", expected: "\(n) × \(k) values", found: "\(raw[i].count)")
            }
            var storage = [Float](repeating: 0, count: n * (d + k))
            for r in 0..<n {
                for c in 0..<d { storage[r * (d + k) + c] = e.features.storage[r * d + c] }
                for c in 0..<k { storage[r * (d + k) + d + c] = raw[i][r * k + c] }
            }
            let layout = e.schema.blocks.map { (name: $0.name, perStepDim: $0.perStepDim, staticDim: $0.perStepDim == nil ? $0.dim : 0) }
                + [(name: rawBlockName, perStepDim: nil, staticDim: k)]
            var out = try SuiteEpisode(name: e.name, session: e.session, windows: e.windows, features: Matrix(rows: n, cols: d + k, storage: storage),
                                       schema: FeatureSchema(layout: layout), presentBlocks: e.presentBlocks.map { $0.union([rawBlockName]) }, frames: e.frames)
            out.dataFindings = e.dataFindings
            return out
        }
    }

    /// Runs the six variants on `episodes` from ``appendingRaw(_:raw:)``. The variants act on
    /// the task's input set (for misalignment, on its visual + audio side).
    public static func run(episodes: [SuiteEpisode], configuration c: Configuration,
                           progress: (@Sendable (String) -> Void)? = nil) throws -> [AudioAblationRow] {
        guard let schema = episodes.first?.schema, let raw = schema.blocks.last, raw.name == rawBlockName else {
            throw SuiteError.invalidArgument(what: "audio ablation episodes", detail: "append the raw log-mel block first (AudioAblation.appendingRaw)")
        }
        let rawColumns = Array(raw.columns)
        let audio = Set(schema.columnIndices(include: ["audio_"]))
        func variant(_ v: Variant, _ base: [Int]) -> [Int] {
            let original = base.filter { $0 < raw.start }
            switch v {
            case .allHandcraftedAudio: return original
            case .allExceptAudio: return original.filter { !audio.contains($0) }
            case .handcraftedAudioOnly: return audio.sorted()
            case .rawLogmelAudioOnly: return rawColumns
            case .replaceHandcraftedWithRaw: return original.filter { !audio.contains($0) } + rawColumns
            case .allPlusRawLogmel: return original + rawColumns
            }
        }
        var rows: [AudioAblationRow] = []
        for task in c.tasks {
            progress?("audio ablation: \(task.rawValue)")
            let contract = TaskContract(task, protocol: c.suiteProtocol, parameters: c.parameters)
            try DiagnosticSeeds.eachProblem(contract, episodes: episodes, seeds: c.seeds, parameters: c.parameters) { seed, outcome in
                guard case let .built(problem) = outcome else {
                    if case let .notApplicable(reason) = outcome {
                        rows += Variant.allCases.map { AudioAblationRow(task: task, variant: $0, featureDim: 0, targetVariant: contract.targetDescription,
                                                                        reason: reason, suiteProtocol: c.suiteProtocol, seed: seed) }
                    }
                    return
                }
                let base = schema.columnIndices(contract.input)
                let targetDim: Int? = { if case let .values(m) = problem.targets { return m.cols } else { return nil } }()
                for v in Variant.allCases {
                    let pair = task == .misalignmentDetection
                    let left = pair ? base.filter { $0 < raw.start } : variant(v, base)
                    let right = pair ? variant(v, schema.columnIndices(.visualAudio)) : nil
                    let fitted = try DiagnosticFit.fit(problem, episodes: episodes, columns: left, right: right, parameters: c.parameters)
                    rows.append(AudioAblationRow(task: task, variant: v, featureDim: fitted.x.cols, targetDim: targetDim,
                                                 targetVariant: contract.targetDescription, score: try fitted.score(zeroing: []),
                                                 suiteProtocol: c.suiteProtocol, seed: seed))
                }
            }
        }
        return rows
    }
}
