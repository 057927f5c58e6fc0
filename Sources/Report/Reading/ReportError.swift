import Foundation

/// A failure to build a report: names the file, what was expected, what was found and what
/// to do. Missing optional files are not errors (the view shows a note instead).
public enum ReportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The folder is not a run folder the report knows.
    case unknownFolder(path: String, found: [String])
    /// A file exists but cannot be read or parsed.
    case unreadable(path: String, line: Int?, expected: String, found: String)

    public var description: String {
        switch self {
        case .unknownFolder(let path, let found):
            let listing = found.isEmpty ? "nothing" : found.prefix(12).joined(separator: ", ")
            return "\(path): not a run folder of xp-suite, xp-diagnose, xp-eval-json or xp-error-analysis "
                + "(expected summary_report.json, diagnostics.json, ablation_metrics.csv, alignment_shift_metrics.csv, "
                + "metrics.json with per_class_metrics.csv, or error_analysis_summary.json, here or one folder down); found \(listing). "
                + "Pass the folder a run wrote (its --out)."
        case .unreadable(let path, let line, let expected, let found):
            let at = line.map { " line \($0)" } ?? ""
            return "\(path)\(at): expected \(expected), found \(found). Re-run the tool that wrote it, or remove the file to skip its view."
        }
    }
}
