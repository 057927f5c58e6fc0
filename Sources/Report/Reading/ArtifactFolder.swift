import Foundation

/// What kind of artifact folder a report is built from, found by the files in it.
public enum RunKind: String, Sendable, CaseIterable {
    /// `xp-suite`: `summary_report.json`.
    case suite
    /// `xp-diagnose`: `diagnostics.json` or any of its CSVs (also the reference's
    /// `modality_ablation/` and `alignment_stress/` subfolders).
    case diagnose
    /// `xp-eval-json`: `metrics.json` with `per_class_metrics.csv`.
    case evaluation
    /// `xp-error-analysis`: `error_analysis_summary.json`.
    case errorAnalysis
}

/// A run folder and the parts found in it (a package folder may hold several: `eval/` and
/// `analysis/` one level down).
public struct ArtifactFolder: Sendable {
    public var root: URL
    /// The kinds present, each with the folder that holds its files.
    public var parts: [(kind: RunKind, folder: URL)]

    /// The diagnose files the report reads (any one marks a diagnose folder).
    public static let diagnoseFiles = ["diagnostics.json", "ablation_metrics.csv", "alignment_shift_metrics.csv", "missing_views.csv",
                                       "audio_delta_summary.csv", "by_session.csv"]

    /// Detects the kinds in `root` and its immediate subfolders; throws when there is none.
    public static func detect(_ root: URL) throws(ReportError) -> ArtifactFolder {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .unreadable(path: root.path, line: nil, expected: "a run folder", found: "no folder")
        }
        var parts: [(RunKind, URL)] = []
        func scan(_ folder: URL) {
            for kind in kinds(in: folder) where !parts.contains(where: { $0.0 == kind }) { parts.append((kind, folder)) }
        }
        scan(root)
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
        if parts.isEmpty || parts.allSatisfy({ $0.0 != .suite }) {
            for child in children where !child.hasPrefix(".") {
                let url = root.appendingPathComponent(child)
                var dir: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &dir), dir.boolValue { scan(url) }
            }
        }
        guard !parts.isEmpty else { throw .unknownFolder(path: root.path, found: children) }
        // Reading order: suite, diagnose, evaluation, error analysis (stable within a kind).
        let rank = { (k: RunKind) in RunKind.allCases.firstIndex(of: k) ?? 0 }
        parts.sort { rank($0.0) < rank($1.0) }
        return ArtifactFolder(root: root, parts: parts)
    }

    /// The kinds whose marker files are directly in `folder`.
    static func kinds(in folder: URL) -> [RunKind] {
        let fm = FileManager.default
        func has(_ name: String) -> Bool { fm.fileExists(atPath: folder.appendingPathComponent(name).path) }
        var out: [RunKind] = []
        if has("summary_report.json") { out.append(.suite) }
        if diagnoseFiles.contains(where: has) || has("modality_ablation/ablation_metrics.csv") || has("alignment_stress/alignment_shift_metrics.csv") {
            out.append(.diagnose)
        }
        if has("metrics.json") && has("per_class_metrics.csv") && !has("summary_report.json") { out.append(.evaluation) }
        if has("error_analysis_summary.json") { out.append(.errorAnalysis) }
        return out
    }

    /// The folder of `kind`, if present.
    public func folder(_ kind: RunKind) -> URL? { parts.first { $0.kind == kind }?.folder }
}
