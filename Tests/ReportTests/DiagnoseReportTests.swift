import Foundation
import Report
import Testing
import XPTestSupport

/// The diagnose views on the published reference CSVs (108 ablation rows, 54 shift rows)
/// and on small CSVs with the xp-diagnose columns written here.
@Suite("Report of diagnose folders")
struct DiagnoseReportTests {
    static let ablation = "reference-sample-outputs/single_episode_diagnostics/modality_ablation/ablation_metrics.csv"
    static let alignment = "reference-sample-outputs/single_episode_diagnostics/alignment_stress/alignment_shift_metrics.csv"

    @Test("the reference ablation matrix: 12 × 9 cells, the §3.4 fill, overlap starred", .sharedFixtures(ablation))
    func referenceAblation() throws {
        let folder = try TestFolders.scratch("ref-ablation")
        try FileManager.default.copyItem(at: try SharedFixtures.url(Self.ablation), to: folder.appendingPathComponent("ablation_metrics.csv"))
        let m = Markup.parse(try RunReport.render(RunReport.Options(folder: folder)))
        #expect(m.error == nil, "\(m.error ?? "")")
        let svg = try #require(m.svgIndex(labelled: "Ablation matrix"))
        let cells = m.marks(svg: svg, "rect", cssClass: "cell")
        #expect(cells.count == 108)
        #expect(m.marks(svg: svg, "rect", cssClass: "na").isEmpty)
        // timeline_action × all_features, s = 0.00905456968081885:
        // int(37 + 117·0.99094543) = 152, int(72 + 152·0.0090546) = 73, int(54 + 47·0.0090546) = 54.
        #expect(cells[0].attributes["fill"] == "rgb(152,73,54)")
        // Row 0, column 0 at (330, 150); cells 74 × 26.
        #expect(num(cells[0], "x") == 330 && num(cells[0], "y") == 150)
        #expect(num(cells[10], "x") == 330 + 74 && num(cells[10], "y") == 150 + 26)   // row 1, column 1 (9 groups a row)
        // hand forecast × all_features overlaps its target: the cell reads "0.12*" (1/(1+7.3893513679504395) = 0.1192).
        #expect(m.text.contains("0.12*"))
    }

    @Test("the reference shift curves: 6 groups × 9 shifts, alphabetical, distinct colours, on nice ticks", .sharedFixtures(alignment))
    func referenceAlignment() throws {
        let folder = try TestFolders.scratch("ref-alignment")
        try FileManager.default.copyItem(at: try SharedFixtures.url(Self.alignment), to: folder.appendingPathComponent("alignment_shift_metrics.csv"))
        let m = Markup.parse(try RunReport.render(RunReport.Options(folder: folder)))
        #expect(m.error == nil, "\(m.error ?? "")")
        let svg = try #require(m.svgIndex(labelled: "Alignment shift"))
        let lines = m.marks(svg: svg, "polyline", cssClass: "series")
        #expect(lines.count == 6)
        #expect(Set(lines.compactMap { $0.attributes["stroke"] }).count == 6, "six distinct colours")
        let points = m.marks(svg: svg, "circle", cssClass: "point")
        #expect(points.count == 54)
        // Alphabetical: audio, inertial, language, motion_capture, motion_pose_inertial, pose_slam;
        // pose_slam at shift 0 is point 5·9 + 4. x ticks −40…40 onto 70…870 → 470;
        // y ticks 0…0.5 onto 370…60 → 370 − 0.42622581124305725/0.5 · 310 = 105.74.
        #expect(num(points[49], "cx") == 470)
        #expect(num(points[49], "cy") == 105.74)
    }

    @Test("xp-diagnose shift rows: the misalignment curve plots AUROC against its chance line, retrieval MRR")
    func misalignmentShiftCurve() throws {
        let folder = try TestFolders.scratch("misalignment-shift")
        try TestFolders.write("""
            query_group,target_group,shift_windows,shift_frames,status,mrr,num_queries,protocol,seed,baseline_mrr,task,auroc,macro_f1,accuracy,num_pairs,baseline_name,baseline_score
            audio,visual,0,0,computed,0.9,20,strict,7,0.1,cross_modal_retrieval,,,,,,
            audio,visual,1,10,computed,0.4,19,strict,7,0.1,cross_modal_retrieval,,,,,,
            inertial,VISUAL,-1,-10,computed,,,strict,7,,misalignment_detection,0.7,0.5,0.6,30,chance,0.5
            inertial,VISUAL,0,0,computed,,,strict,7,,misalignment_detection,1.0,0.9,0.9,32,chance,0.5
            inertial,VISUAL,1,10,computed,,,strict,7,,misalignment_detection,0.6,0.4,0.5,30,chance,0.5
            audio,VISUAL,0,0,computed,,,strict,7,,misalignment_detection,0.55,0.5,0.5,32,chance,0.5

            """, folder, "alignment_shift_metrics.csv")
        let m = Markup.parse(try RunReport.render(RunReport.Options(folder: folder)))
        #expect(m.error == nil, "\(m.error ?? "")")
        let pairs = try #require(m.svgIndex(labelled: "Alignment shift (task misalignment_detection, protocol strict)"))
        // audio (1 point), inertial (3) and the dashed chance line (3 shifts).
        let lines = m.marks(svg: pairs, "polyline", cssClass: "series")
        #expect(lines.count == 3)
        #expect(lines.last?.attributes["stroke-dasharray"] != nil)
        let points = m.marks(svg: pairs, "circle", cssClass: "point")
        #expect(points.count == 1 + 3 + 3)
        // inertial at shifts −1, 0, 1 (AUROC 0.7, 1.0, 0.6): the peak at 0 is drawn highest.
        let y = points[1...3].compactMap { num($0, "cy") }
        #expect(y.count == 3 && y[1] < y[0] && y[0] < y[2])
        // The chance line (0.5) lies below every inertial point.
        #expect(points[4...6].compactMap { num($0, "cy") }.allSatisfy { $0 > y.max() ?? 0 })
        #expect(m.text.contains("AUROC"))
        let retrieval = try #require(m.svgIndex(labelled: "Alignment shift (task cross_modal_retrieval, protocol strict)"))
        #expect(m.marks(svg: retrieval, "circle", cssClass: "point").count == 2 + 2)   // audio and its chance MRR
    }

    @Test("xp-diagnose columns: protocol partitions, n/a cells, seeds averaged, baselines listed; missing views drawn")
    func diagnoseColumns() throws {
        let folder = try TestFolders.scratch("diagnose")
        try TestFolders.write("""
            task,modality_group,status,score,primary_metric,target_source_overlap,protocol,seed,mode,baseline_name,baseline_score
            timeline_action,all_features,computed,0.4,macro_f1,false,strict,7,removed,majority,0.1
            timeline_action,all_features,computed,0.6,macro_f1,false,strict,8,removed,majority,0.1
            timeline_action,video,not_computed,,macro_f1,false,strict,7,removed,majority,0.1
            hand_trajectory_forecast,video,computed,0.3,mae,true,strict,7,removed,last_pose,0.2

            """, folder, "ablation_metrics.csv")
        try TestFolders.write("""
            task,view,metric,score_full,score_without,drop,baseline_name,baseline_score
            timeline_action,fisheye_cam0,macro_f1,0.5,0.25,0.25,majority,0.1
            timeline_action,audio,macro_f1,0.5,0.55,-0.05,majority,0.1

            """, folder, "missing_views.csv")
        try TestFolders.write(#"{"episode": "ep1", "protocol": "strict"}"#, folder, "diagnostics.json")
        let m = Markup.parse(try RunReport.render(RunReport.Options(folder: folder)))
        #expect(m.error == nil, "\(m.error ?? "")")
        let svg = try #require(m.svgIndex(labelled: "Ablation matrix (protocol strict, mode removed)"))
        let cells = m.marks(svg: svg, "rect", cssClass: "cell")
        #expect(cells.count == 2)                                      // (action, all) and (hand, video)
        #expect(m.marks(svg: svg, "rect", cssClass: "na").count == 2)  // (action, video) not computed, (hand, all) absent
        #expect(cells[0].attributes["fill"] == Palette.ablationFill(0.5), "mean of seeds 7 and 8")
        #expect(m.text.contains("0.30*"))
        let missing = try #require(m.svgIndex(labelled: "Drop when a view is missing"))
        // Drops 0.25 and −0.05 (drawn as 0) on an axis ending at the nice 0.3: 0.25/0.3 · 720 = 600.
        #expect(m.marks(svg: missing, "rect", cssClass: "bar").map { num($0, "width") } == [600, 0])
        let ids = m.elements.filter { $0.name == "section" }.compactMap { $0.attributes["id"] }
        #expect(ids == ["ablation", "missing-views", "diagnostics", "inputs"])
    }

    @Test("a CSV with an unterminated quote fails naming the file and the line")
    func brokenCSV() throws {
        let folder = try TestFolders.scratch("broken-csv")
        try TestFolders.write("task,score\na,1\n\"b,2\n", folder, "ablation_metrics.csv")
        do {
            _ = try RunReport.render(RunReport.Options(folder: folder))
            Issue.record("must fail")
        } catch {
            #expect("\(error)".contains("ablation_metrics.csv line 3"), "\(error)")
        }
    }
}

/// The evaluation and error-analysis views on the published qwen-v3 package (eval/ and
/// analysis/ one level down).
@Suite("Report of an evaluation package")
struct EvaluationReportTests {
    static let root = "reference-128ep/qwen-v3"

    @Test("qwen-v3: both parts found; all five group tables in full; the model and both example lists",
          .sharedFixtures("reference-128ep/qwen-v3/eval/metrics.json", "reference-128ep/qwen-v3/analysis/error_analysis_summary.json"))
    func qwen() throws {
        let folder = try SharedFixtures.url(Self.root)
        let html = try RunReport.render(RunReport.Options(folder: folder))
        let m = Markup.parse(html)
        #expect(m.error == nil, "\(m.error ?? "")")
        let ids = m.elements.filter { $0.name == "section" }.compactMap { $0.attributes["id"] }
        #expect(ids == ["evaluation", "error-analysis", "inputs"])
        #expect(html.contains("Qwen3-Omni strict-label v3"))
        for file in ErrorAnalysisView.groupFiles.map(\.0) {
            let text = try String(contentsOf: folder.appendingPathComponent("analysis").appendingPathComponent(file), encoding: .utf8)
            let rows = text.split(separator: "\n").count - 1
            #expect(html.contains("(\(file), all \(rows) rows)"), "\(file)")
            for line in text.split(separator: "\n").dropFirst() {
                let group = String(line.split(separator: ",").first ?? "")
                #expect(html.contains("<td>\(xmlEscape(group))</td>"), "\(file): \(group)")
            }
        }
        #expect(html.contains("invalid_json_examples (0)") && html.contains("object_overgeneration_examples (0)"))
        // Per-class F1 chart: the 20 best-supported classes.
        let svg = try #require(m.svgIndex(labelled: "Per-class F1"))
        #expect(m.marks(svg: svg, "rect", cssClass: "bar").count <= 20)
        let perClass = try String(contentsOf: folder.appendingPathComponent("eval/per_class_metrics.csv"), encoding: .utf8)
        #expect(html.contains("per_class_metrics.csv (all \(perClass.split(separator: "\n").count - 1) classes)"))
    }
}
