import Foundation
import WindowAlign

/// The diagnostics `xp-diagnose` can run (`--only` names).
public enum DiagnosticKind: String, Sendable, CaseIterable, Codable {
    case ablation
    case alignment
    case missingViews = "missing-views"
    case audio
    case probes
    case bySession = "by-session"

    /// Parses a comma-separated list (`all` = every diagnostic that applies).
    public static func parseList(_ text: String) throws(SuiteError) -> [DiagnosticKind] {
        if text == "all" { return allCases }
        var out: [DiagnosticKind] = []
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let k = DiagnosticKind(rawValue: name) else {
                throw .invalidArgument(what: "diagnostic '\(name)'", detail: "use \(allCases.map(\.rawValue).joined(separator: ", ")) or all")
            }
            if !out.contains(k) { out.append(k) }
        }
        guard !out.isEmpty else { throw .invalidArgument(what: "diagnostic list", detail: "name at least one diagnostic") }
        return out
    }
}

/// Everything one `xp-diagnose` run computed.
public struct DiagnosticsResult: Sendable {
    public var suiteProtocol: SuiteProtocol
    public var seeds: [UInt64]
    public var episodes: [String]
    public var schema: FeatureSchema
    public var ablation: [AblationRow]?
    public var alignment: [AlignmentShiftRow]?
    /// The misalignment task under the same shifts (written to the same CSV as `alignment`).
    public var misalignmentShift: [MisalignmentShiftRow]?
    public var missingViews: [MissingViewRow]?
    public var bySession: [SessionRow]?
    public var audio: [AudioAblationRow]?
    public var probes: [Probes.Result]?
    /// The raw log-mel window features of the first episode (windows × 588), for `raw_logmel_features.npy`.
    public var rawLogmel: (values: [Float], rows: Int)?
    /// Diagnostics asked for that did not run, with the reason (for `findings`).
    public var skipped: [(DiagnosticKind, String)] = []
}

/// Runs the chosen diagnostics over loaded episodes.
public enum DiagnosticsRunner {
    public struct Configuration: Sendable {
        public var suiteProtocol: SuiteProtocol
        public var diagnostics: [DiagnosticKind] = DiagnosticKind.allCases
        public var tasks: [TaskID] = TaskID.allCases
        /// Default: 7 in reference, 7, 8, 9 in strict (as the suite).
        public var seeds: [UInt64]
        public var parameters = TaskParameters()
        /// The episode folders, in episode order: the audio ablation decodes their
        /// `fisheye_cam0.mp4` audio (without them it does not run).
        public var episodeFolders: [URL] = []
        /// The first episode's camera poses, for the strict ego-motion probe.
        public var camera: Probes.CameraTrack?
        public init(protocol p: SuiteProtocol, seeds: [UInt64]? = nil) {
            suiteProtocol = p
            self.seeds = seeds ?? (p == .reference ? [7] : [7, 8, 9])
        }
    }

    public static func run(episodes: [SuiteEpisode], configuration c: Configuration,
                           progress: (@Sendable (String) -> Void)? = nil) throws -> DiagnosticsResult {
        guard let schema = episodes.first?.schema else { throw SuiteError.invalidArgument(what: "episodes", detail: "at least one episode is needed") }
        var result = DiagnosticsResult(suiteProtocol: c.suiteProtocol, seeds: c.seeds, episodes: episodes.map(\.name), schema: schema)
        for kind in c.diagnostics {
            switch kind {
            case .ablation:
                var a = ModalityAblation.Configuration(protocol: c.suiteProtocol)
                a.tasks = c.tasks; a.seeds = c.seeds; a.parameters = c.parameters
                result.ablation = try ModalityAblation.run(episodes: episodes, configuration: a, progress: progress)
            case .alignment:
                var a = AlignmentStress.Configuration(protocol: c.suiteProtocol)
                a.seeds = c.seeds; a.parameters = c.parameters
                result.alignment = try AlignmentStress.run(episodes: episodes, configuration: a, progress: progress)
                var m = MisalignmentStress.Configuration(protocol: c.suiteProtocol)
                m.seeds = c.seeds; m.parameters = c.parameters
                result.misalignmentShift = try MisalignmentStress.run(episodes: episodes, configuration: m, progress: progress)
            case .missingViews:
                var m = MissingViews.Configuration(protocol: c.suiteProtocol)
                m.tasks = c.tasks; m.seeds = c.seeds; m.parameters = c.parameters
                result.missingViews = try MissingViews.run(episodes: episodes, configuration: m, progress: progress)
            case .bySession:
                guard Set(episodes.map(\.session)).count > 1 else {
                    result.skipped.append((kind, "needs episodes of at least two sessions (pass --episodes)"))
                    continue
                }
                var b = BySession.Configuration(protocol: c.suiteProtocol)
                b.tasks = c.tasks; b.seeds = c.seeds; b.parameters = c.parameters
                result.bySession = try BySession.run(episodes: episodes, configuration: b, progress: progress)
            case .audio:
                guard c.episodeFolders.count == episodes.count else {
                    result.skipped.append((kind, "needs the episode folders to decode the fisheye_cam0.mp4 audio"))
                    continue
                }
                var raw: [[Float]] = []
                do {
                    for (i, folder) in c.episodeFolders.enumerated() {
                        progress?("audio: log-mel features of \(folder.lastPathComponent)")
                        raw.append(try LogMelEpisodeFeatures.compute(episodeAt: folder, windows: episodes[i].windows, frameCount: episodes[i].frames.frameCount).values)
                    }
                } catch {
                    result.skipped.append((kind, "\(error)"))
                    continue
                }
                var a = AudioAblation.Configuration(protocol: c.suiteProtocol)
                a.tasks = c.tasks; a.seeds = c.seeds; a.parameters = c.parameters
                result.audio = try AudioAblation.run(episodes: try AudioAblation.appendingRaw(episodes, raw: raw), configuration: a, progress: progress)
                if let first = raw.first { result.rawLogmel = (first, episodes[0].windows.count) }
            case .probes:
                progress?("probes")
                let (probes, skipped) = try Probes.run(episode: episodes[0], protocol: c.suiteProtocol, camera: c.camera, parameters: c.parameters)
                result.probes = probes
                result.skipped += skipped.map { (kind, $0) }
                if episodes.count > 1 { result.skipped.append((kind, "the probes ran on the first episode only (\(episodes[0].name))")) }
            }
        }
        return result
    }
}
