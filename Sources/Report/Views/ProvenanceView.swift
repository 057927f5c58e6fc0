import Foundation
import XPCore

/// The run's provenance: protocol, seeds, split, episodes, sizes, the neural model's
/// settings, the leakage audit's verdict, the QA findings in task files, and the report's
/// own inputs.
public enum ProvenanceView {
    public static func section(_ run: SuiteRun) -> HTMLDocument.Section {
        let s = run.summary
        var rows: [[String]] = [["protocol", run.suiteProtocol]]
        for key in ["seeds", "split", "episodes", "caption_rules", "annotation", "num_frames", "num_windows", "feature_dim", "window_frames", "stride_frames", "control"] {
            if let v = s[key] { rows.append([key, v.displayText]) }
        }
        if let n = s["neural_model"]?.objectValue {
            for (k, v) in n { rows.append(["neural_model.\(k)", v.displayText]) }
        }
        var body = Table(caption: "Run", header: ["key", "value"], rows: rows).html()
        if let audit = (try? readJSONFile(run.root.appendingPathComponent("leakage_audit.json"))) ?? nil {
            var a: [[String]] = []
            for key in ["protocol", "split", "leak_free", "sessions_spanning_splits"] { if let v = audit[key] { a.append([key, v.displayText]) } }
            if let eps = audit["episodes"]?.arrayValue {
                for e in eps { a.append(["episode \(e["name"]?.stringValue ?? "?")", "session \(e["session"]?.displayText ?? "?"), \(e["role"]?.displayText ?? "?")"]) }
            }
            body += Table(caption: "Leakage audit (leakage_audit.json)", header: ["key", "value"], rows: a).html()
        }
        if let m = (try? readJSONFile(run.root.appendingPathComponent("available_modalities.json"))) ?? nil {
            body += Table(caption: "Feature blocks", header: ["present", "missing"],
                          rows: [[m["present_blocks"]?.displayText ?? "", m["missing_blocks"]?.displayText ?? ""]]).html()
        }
        if let manifest = (try? readJSONFile(run.root.appendingPathComponent("feature_manifest.json"))) ?? nil, let blocks = manifest.arrayValue {
            let rows = blocks.map { b in ["name", "start", "end", "dim"].map { b[$0]?.displayText ?? "" } }
            let total = blocks.compactMap { $0["dim"]?.lenientNumber }.reduce(0, +)
            body += Table(caption: "Feature manifest (\(blocks.count) blocks, \(Int(total)) dimensions)", header: ["name", "start", "end", "dim"], rows: rows).html()
        }
        // QA findings: the task files that carry data findings or notes.
        var findings: [[String]] = []
        for head in run.heads {
            for score in run.scores[head] ?? [] {
                for f in score.metrics["data_findings"]?.arrayValue ?? [] {
                    findings.append([score.displayName, head, f["severity"]?.displayText ?? "", f["check"]?.displayText ?? "", f.displayText])
                }
                for n in score.metrics["notes"]?.arrayValue ?? [] { findings.append([score.displayName, head, "note", "", n.displayText]) }
                if score.status != "ok" { findings.append([score.displayName, head, score.status, "", score.reason ?? ""]) }
            }
        }
        body += findings.isEmpty ? Fragment.paragraph("No data-quality findings, notes or failed tasks were recorded in the task files.")
            : Table(caption: "QA findings, notes and task status", header: ["task", "head", "severity", "check", "detail"], rows: findings).html()
        return HTMLDocument.Section(id: "provenance", title: "Provenance", body: body)
    }
}
