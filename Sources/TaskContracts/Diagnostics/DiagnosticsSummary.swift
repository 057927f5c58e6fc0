import Foundation
import XPCore

/// `diagnostics.json`: what ran, the group dims, the file of each diagnostic, a short summary
/// per diagnostic and the findings a reader should see first.
public enum DiagnosticsSummary {
    public static func json(_ r: DiagnosticsResult) -> JSONValue {
        var f: [(String, JSONValue)] = [
            ("protocol", .string(r.suiteProtocol.rawValue)),
            ("seeds", .array(r.seeds.map { .int(Int($0)) })),
            ("episodes", .array(r.episodes.map { .string($0) })),
            ("head", .string("ridge l2=10 (\(r.suiteProtocol == .reference ? "reference float32 dual, bias column" : "strict float64 Cholesky, constant columns dropped, unpenalised intercept"))")),
            ("groups", .object(ModalityGroups.dimensions(r.schema).map { ($0.0, .int($0.1)) })),
        ]
        var files: [(String, JSONValue)] = []
        if r.ablation != nil { files.append(("ablation", .string("ablation_metrics.csv"))) }
        if r.alignment != nil || r.misalignmentShift != nil { files.append(("alignment", .string("alignment_shift_metrics.csv"))) }
        if r.missingViews != nil { files.append(("missing-views", .string("missing_views.csv"))) }
        if r.bySession != nil { files.append(("by-session", .string("by_session.csv"))) }
        if r.audio != nil {
            files.append(("audio", .string("audio_ablation_metrics.csv")))
            files.append(("audio-delta", .string("audio_delta_summary.csv")))
        }
        if r.probes != nil { files.append(("probes", .string("probes/probes_summary.json"))) }
        if r.rawLogmel != nil { files.append(("raw-logmel", .string("raw_logmel_features.npy"))) }
        f.append(("files", .object(files)))
        var findings: [JSONValue] = []
        if let a = r.ablation {
            let (summary, notes) = ablationSummary(a)
            f.append(("ablation", summary)); findings += notes
        }
        if let a = r.alignment {
            let (summary, notes) = alignmentSummary(a)
            f.append(("alignment", summary)); findings += notes
        }
        if let m = r.misalignmentShift {
            let (summary, notes) = misalignmentSummary(m)
            f.append(("misalignment_shift", summary)); findings += notes
        }
        if let m = r.missingViews { f.append(("missing_views", missingSummary(m))) }
        if let s = r.bySession { f.append(("by_session", .object([("rows", .int(s.count)), ("sessions", .array(Array(Set(s.map(\.session))).sorted().map { .string($0) }))]))) }
        if r.episodes.count == 1 {
            findings.append(.string("one episode: the ridge head is deterministic and the chronological split has no randomness, so the rows stand for every seed (seed \(r.seeds.first ?? 7))"))
        }
        for (kind, reason) in r.skipped { findings.append(.string("\(kind.rawValue) not run: \(reason)")) }
        f.append(("findings", .array(findings)))
        return .object(f)
    }

    /// `probes/probes_summary.json`: per probe its direction, input, target, split sizes,
    /// metrics (primary first) and baseline.
    public static func probes(_ probes: [Probes.Result], protocol p: SuiteProtocol) -> JSONValue {
        .object([("protocol", .string(p.rawValue)), ("head", .string("ridge l2=10 (minimal); the reference's neural probe head is not run")),
                 ("probes", .array(probes.map { r in
                     .object([("probe", .string(r.name)), ("direction", .string(r.direction)), ("input_dim", .int(r.inputDim)),
                              ("target", .string(r.target)), ("num_train", .int(r.numTrain)), ("num_test", .int(r.numTest)),
                              ("metrics", .object(r.metrics.map { ($0.0, .num($0.1)) })),
                              ("baseline_name", .string(r.baselineName)), ("baseline_score", .num(r.baselineScore)),
                              ("files", .array(r.files.map { .string($0.0) }))])
                 }))])
    }

    static func best(_ rows: [AblationRow]) -> AblationRow? {
        // First maximum, as Python's max().
        var top: AblationRow?
        for r in rows where r.score != nil { if (r.score?.score ?? -.infinity) > (top?.score?.score ?? -.infinity) { top = r } }
        return top
    }

    static func entry(_ r: AblationRow?) -> JSONValue {
        guard let r, let s = r.score else { return .null }
        return .object([("group", .string(r.group.name)), ("score", .double(s.score)), ("baseline_score", .double(s.baselineScore)),
                        ("target_source_overlap", .bool(r.targetSourceOverlap))])
    }

    static func ablationSummary(_ rows: [AblationRow]) -> (JSONValue, [JSONValue]) {
        var tasks: [(String, JSONValue)] = []
        var notes: [JSONValue] = []
        var order: [TaskID] = []
        for r in rows where !order.contains(r.task) { order.append(r.task) }
        for task in order {
            let only = rows.filter { $0.task == task && $0.mode == .only }
            let removed = rows.filter { $0.task == task && $0.mode == .removed }
            let top = best(only), clean = best(only.filter { !$0.targetSourceOverlap })
            // The removal that hurts most: the lowest score with the group taken out.
            var worst: AblationRow?
            for r in removed where r.score != nil { if (r.score?.score ?? .infinity) < (worst?.score?.score ?? .infinity) { worst = r } }
            tasks.append((task.rawValue, .object([("best_group", entry(top)), ("best_non_overlap_group", entry(clean)),
                                                  ("most_needed_group", entry(worst))])))
            if let top, top.targetSourceOverlap, let s = top.score {
                notes.append(.string("\(task.rawValue): the best group alone, \(top.group.name) (\(pythonFloatRepr(s.score))), holds the target's source blocks; read \(clean.map { "\($0.group.name) (\(pythonFloatRepr($0.score?.score ?? 0)))" } ?? "no other group") instead"))
            }
            if let top, let s = top.score, s.score <= s.baselineScore {
                notes.append(.string("\(task.rawValue): no group beats the \(s.baselineName) baseline (\(pythonFloatRepr(s.baselineScore)))"))
            }
        }
        let computed = rows.filter { $0.score != nil }.count
        return (.object([("num_rows", .int(rows.count)), ("num_computed", .int(computed)), ("num_not_computed", .int(rows.count - computed)),
                         ("tasks", .object(tasks))]), notes)
    }

    static func alignmentSummary(_ rows: [AlignmentShiftRow]) -> (JSONValue, [JSONValue]) {
        var groups: [(String, JSONValue)] = []
        var notes: [JSONValue] = []
        var order: [String] = []
        for r in rows where !order.contains(r.group.name) { order.append(r.group.name) }
        for g in order {
            let curve = rows.filter { $0.group.name == g }
            guard let peak = curve.max(by: { $0.metrics.mrr < $1.metrics.mrr }), let worst = curve.min(by: { $0.metrics.mrr < $1.metrics.mrr }) else { continue }
            let zero = curve.first { $0.shiftWindows == 0 }
            groups.append((g, .object([("mrr_at_zero", .num(zero?.metrics.mrr)), ("peak_shift_windows", .int(peak.shiftWindows)),
                                       ("worst_shift_windows", .int(worst.shiftWindows)), ("worst_mrr", .double(worst.metrics.mrr)),
                                       ("chance_mrr_at_zero", .num(zero?.chanceMRR))])))
            if let zero, peak.shiftWindows != 0, peak.metrics.mrr > zero.metrics.mrr * 1.5 {
                notes.append(.string("\(g): retrieval peaks at a shift of \(peak.shiftWindows) windows, not at 0: the stream may be offset"))
            }
        }
        return (.object(groups), notes)
    }

    /// Per query group (first seed): the curve (shift → AUROC, macro-F1) and the score at 0.
    static func misalignmentSummary(_ rows: [MisalignmentShiftRow]) -> (JSONValue, [JSONValue]) {
        var groups: [(String, JSONValue)] = []
        var order: [String] = []
        for r in rows where !order.contains(r.group.name) { order.append(r.group.name) }
        let seed = rows.first?.seed
        var flat: [String] = []
        for g in order {
            let curve = rows.filter { $0.group.name == g && $0.seed == seed }
            let zero = curve.first { $0.shiftWindows == 0 }
            if let a = zero?.auroc, a <= 0.55 { flat.append(g) }
            groups.append((g, .object([("auroc_at_zero", .num(zero?.auroc)), ("macro_f1_at_zero", .num(zero?.score.score)),
                                       ("baseline_macro_f1", .num(zero?.score.baselineScore)),
                                       ("shift_windows", .array(curve.map { .int($0.shiftWindows) })),
                                       ("auroc", .array(curve.map { .num($0.auroc) })),
                                       ("macro_f1", .array(curve.map { .double($0.score.score) }))])))
        }
        var notes: [JSONValue] = []
        if !flat.isEmpty {
            notes.append(.string("misalignment: the pair head does not tell aligned from shifted pairs at shift 0 (AUROC <= 0.55) for \(flat.joined(separator: ", ")): their shift curves carry no alignment evidence"))
        }
        return (.object([("seed", seed.map { .int(Int($0)) } ?? .null), ("groups", .object(groups))]), notes)
    }

    static func missingSummary(_ rows: [MissingViewRow]) -> JSONValue {
        var tasks: [(String, JSONValue)] = []
        var order: [TaskID] = []
        for r in rows where !order.contains(r.task) { order.append(r.task) }
        for t in order {
            guard let top = rows.filter({ $0.task == t }).max(by: { $0.drop < $1.drop }) else { continue }
            tasks.append((t.rawValue, .object([("largest_drop_view", .string(top.view)), ("drop", .double(top.drop)),
                                               ("score_full", .double(top.full.score))])))
        }
        return .object(tasks)
    }
}
