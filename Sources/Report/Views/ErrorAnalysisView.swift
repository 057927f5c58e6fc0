import Foundation
import XPCore

/// An `xp-error-analysis` folder (§3.6): the model and package, the overall rates, all five
/// group tables **in full** (never cut at 8 rows), both example lists with their counts.
public enum ErrorAnalysisView {
    /// The five group files, in the reference's order.
    public static let groupFiles = [("episode_error_analysis.csv", "By episode"), ("action_family_error_analysis.csv", "By action family"),
                                    ("train_seen_error_analysis.csv", "Seen / unseen in train"),
                                    ("missing_modality_error_analysis.csv", "By missing modality"),
                                    ("object_category_error_analysis.csv", "By object category")]

    public static func section(_ folder: URL) throws(ReportError) -> HTMLDocument.Section {
        var body = ""
        let summary = try readJSONFile(folder.appendingPathComponent("error_analysis_summary.json"))
        if let s = summary {
            var rows: [[String]] = []
            for key in ["status", "model_label", "source_package", "source_eval_dir", "source_prediction_rows", "metrics_json_validity_rate", "interpretation"] {
                if let v = s[key] { rows.append([key, v.displayText]) }
            }
            body += Table(caption: "Model and package", header: ["key", "value"], rows: rows).html()
            if let computed = s["computed"]?.objectValue {
                let rates = computed.filter { $0.1.lenientNumber != nil && $0.0 != "samples" }
                let bars = rates.map { BarChart.Row(label: $0.0, value: $0.1.lenientNumber, valueText: fixed4($0.1.lenientNumber)) }
                body += Fragment.figure(svg: BarChart(title: "Overall rates", rows: bars).svg(),
                                        table: Table(caption: "Overall (computed)", header: ["rate", "value"], rows: computed.map { [$0.0, $0.1.displayText] }))
            }
        }
        for (file, title) in groupFiles {
            guard let csv = try CSVTable.read(folder.appendingPathComponent(file)) else {
                body += Fragment.note("\(file) is absent.")
                continue
            }
            body += DiagnoseView.fullTable(csv, caption: "\(title) (\(file), all \(csv.rows.count) rows)").html()
        }
        if let s = summary {
            for key in ["invalid_json_examples", "object_overgeneration_examples"] {
                let list = s[key]?.arrayValue ?? []
                body += Fragment.heading("\(key) (\(list.count))")
                if list.isEmpty { body += Fragment.paragraph("none") }
                let rows = list.map { item -> [String] in
                    if let o = item.objectValue { return [o.map { "\($0.0): \(short($0.1.displayText, 300))" }.joined(separator: "; ")] }
                    return [item.displayText]
                }
                if !rows.isEmpty { body += Table(caption: key, header: ["example"], rows: rows).html() }
            }
        }
        return HTMLDocument.Section(id: "error-analysis", title: "Error analysis", body: body)
    }
}
