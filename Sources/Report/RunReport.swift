import Foundation
import XPCore

/// `report.html` from any artifact folder: an `xp-suite` run, an `xp-diagnose` folder, an
/// `xp-eval-json` package, an `xp-error-analysis` folder, or a folder holding several of
/// them one level down. One self-contained file (inline SVG and CSS, no script, no network).
///
/// ```swift
/// let html = try RunReport.render(RunReport.Options(folder: URL(fileURLWithPath: "outputs/xp-suite-strict")))
/// try RunReport.write(options, to: URL(fileURLWithPath: "outputs/xp-suite-strict/report.html"))
/// ```
public enum RunReport {
    /// What to render.
    public struct Options: Sendable {
        /// The run folder.
        public var folder: URL
        /// An xp-features output folder (`features.npy`) for the timeline's feature energy.
        public var features: URL?
        /// The page title (default: the folder's name).
        public var title: String?

        public init(folder: URL, features: URL? = nil, title: String? = nil) {
            self.folder = folder
            self.features = features
            self.title = title
        }
    }

    /// The page's sections for `options`, in reading order.
    public static func sections(_ options: Options) throws(ReportError) -> (kinds: [RunKind], sections: [HTMLDocument.Section]) {
        let run = try ArtifactFolder.detect(options.folder)
        var sections: [HTMLDocument.Section] = []
        var provenance: HTMLDocument.Section?
        for part in run.parts {
            switch part.kind {
            case .suite:
                let suite = try SuiteRun.read(part.folder)
                sections.append(SummaryView.section(suite))
                if let s = ConfusionView.section(suite) { sections.append(s) }
                var energy: FeatureEnergy?
                var energyNote: String?
                if let features = options.features {
                    do { energy = try FeatureEnergy.read(features: features) } catch { energyNote = "\(error)" }
                }
                if var t = TimelineView.section(suite, energy: energy) {
                    if let energyNote { t.body += Fragment.note(energyNote) }
                    sections.append(t)
                }
                if let s = TrajectoryView.section(suite) { sections.append(s) }
                provenance = ProvenanceView.section(suite)
            case .diagnose:
                if let s = try DiagnoseView.ablation(part.folder) { sections.append(s) }
                if let s = try DiagnoseView.alignment(part.folder) { sections.append(s) }
                sections += try DiagnoseView.others(part.folder)
            case .evaluation:
                sections.append(try EvaluationView.section(part.folder))
            case .errorAnalysis:
                sections.append(try ErrorAnalysisView.section(part.folder))
            }
        }
        if let provenance { sections.append(provenance) }
        sections.append(inputsSection(run))
        return (run.parts.map(\.kind), sections)
    }

    /// The whole page.
    public static func render(_ options: Options) throws(ReportError) -> String {
        let (kinds, sections) = try sections(options)
        let title = options.title ?? "Run report: \(options.folder.standardizedFileURL.lastPathComponent)"
        let subtitle = "From " + kinds.map(\.description).joined(separator: ", ") + ". Every number on a chart is also in the table beside it."
        return HTMLDocument(title: title, subtitle: subtitle, sections: sections).html()
    }

    /// Renders and writes `report.html` atomically (nothing half written).
    public static func write(_ options: Options, to url: URL) throws -> Int {
        let html = try render(options)
        let data = Data(html.utf8)
        try AtomicFile.write(data, to: url)
        return data.count
    }

    /// The report's own inputs: which parts were read from where (folder names only, relative
    /// to the run folder, so the page names no machine's paths beyond the run's own).
    static func inputsSection(_ run: ArtifactFolder) -> HTMLDocument.Section {
        let rootPath = run.root.standardizedFileURL.path
        let rows = run.parts.map { part -> [String] in
            let p = part.folder.standardizedFileURL.path
            let relative = p == rootPath ? "." : (p.hasPrefix(rootPath + "/") ? String(p.dropFirst(rootPath.count + 1)) : part.folder.lastPathComponent)
            return [part.kind.description, relative]
        }
        return HTMLDocument.Section(id: "inputs", title: "Report inputs", body: Table(caption: "Parts read", header: ["kind", "folder"], rows: rows).html())
    }
}

extension RunKind: CustomStringConvertible {
    public var description: String {
        switch self {
        case .suite: return "xp-suite run"
        case .diagnose: return "xp-diagnose folder"
        case .evaluation: return "xp-eval-json package"
        case .errorAnalysis: return "xp-error-analysis folder"
        }
    }
}
