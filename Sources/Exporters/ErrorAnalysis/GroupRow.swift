import XPCore

/// One group of the analysis (an episode, a family, a train-seen bucket, a modality state, an
/// object category, or `overall`) and its counters.
public struct GroupRow: Sendable, Equatable {
    public var group: String
    public var counters: GroupCounters

    public init(group: String, counters: GroupCounters) {
        self.group = group
        self.counters = counters
    }

    /// The reference's columns (§1.4), also its CSV header.
    public static let referenceColumns = [
        "group", "samples", "parsed_prediction_rate", "action_exact_rate", "subtask_exact_rate", "transition_exact_rate",
        "next_action_exact_rate", "contact_exact_rate", "object_precision", "object_recall", "object_f1",
    ]

    /// The strict columns: the reference's with the option-matched action rate after the
    /// exact one, then the number of unknown truths excluded per field.
    public static let strictColumns = [
        "group", "samples", "parsed_prediction_rate", "action_exact_rate", "action_option_match_rate", "subtask_exact_rate",
        "transition_exact_rate", "next_action_exact_rate", "contact_exact_rate", "object_precision", "object_recall", "object_f1",
    ] + ErrorAnalysis.fields.map { "\($0)_excluded_unknown" }

    /// Strict object categories add the category's own objects and the rows predicting it.
    public static let strictCategoryColumns = strictColumns + [
        "prediction_rows", "category_object_true", "category_object_predicted", "category_object_matched",
        "category_object_precision", "category_object_recall", "category_object_f1",
    ]

    /// The reference's rates: every count over `max(samples, 1)`; object scores 0 when their
    /// denominator is 0.
    public var referenceRates: (parsed: Double, fields: [Double], precision: Double, recall: Double, f1: Double) {
        let c = counters
        let n = Double(max(c.samples, 1))
        let p = c.objectPredicted > 0 ? Double(c.objectMatched) / Double(c.objectPredicted) : 0.0
        let r = c.objectTrue > 0 ? Double(c.objectMatched) / Double(c.objectTrue) : 0.0
        return (Double(c.parsed) / n, c.hits.map { Double($0) / n }, p, r, referenceF1(p, r))
    }

    /// The values of the protocol's columns, in column order. Strict rates are null when
    /// their denominator is 0.
    public func fields(_ proto: AnalysisProtocol, category: Bool = false) -> [(String, JSONValue)] {
        let c = counters
        switch proto {
        case .reference:
            let r = referenceRates
            return [("group", .string(group)), ("samples", .int(c.samples)), ("parsed_prediction_rate", .double(r.parsed))]
                + zip(ErrorAnalysis.fields, r.fields).map { ("\($0.0)_exact_rate", .double($0.1)) }
                + [("object_precision", .double(r.precision)), ("object_recall", .double(r.recall)), ("object_f1", .double(r.f1))]
        case .strict:
            var out: [(String, JSONValue)] = [("group", .string(group)), ("samples", .int(c.samples)),
                                              ("parsed_prediction_rate", ratio(c.parsed, c.samples))]
            for (k, field) in ErrorAnalysis.fields.enumerated() {
                out.append(("\(field)_exact_rate", ratio(c.hits[k], c.scored[k])))
                if k == 0 { out.append(("action_option_match_rate", ratio(c.optionHits, c.scored[0]))) }
            }
            let (p, r, f) = strictPRF(c.objectMatched, c.objectPredicted, c.objectTrue)
            out += [("object_precision", p), ("object_recall", r), ("object_f1", f)]
            for (k, field) in ErrorAnalysis.fields.enumerated() { out.append(("\(field)_excluded_unknown", .int(c.samples - c.scored[k]))) }
            if category {
                let (cp, cr, cf) = strictPRF(c.categoryMatched, c.categoryPredicted, c.categoryTrue)
                out += [("prediction_rows", .int(c.predictionRows)), ("category_object_true", .int(c.categoryTrue)),
                        ("category_object_predicted", .int(c.categoryPredicted)), ("category_object_matched", .int(c.categoryMatched)),
                        ("category_object_precision", cp), ("category_object_recall", cr), ("category_object_f1", cf)]
            }
            return out
        }
    }

    public func json(_ proto: AnalysisProtocol, category: Bool = false) -> JSONValue { .object(fields(proto, category: category)) }

    /// Sorted ascending, worst first. Reference: by (parsed rate, action exact rate,
    /// samples), stable, so ties keep first-appearance order. Strict: by `keys` (nulls
    /// first), then samples, then the group name in code-point order.
    public static func sorted(_ rows: [GroupRow], protocol proto: AnalysisProtocol, keys: [String]) -> [GroupRow] {
        switch proto {
        case .reference:
            let keyed = rows.enumerated().map { (i, row) -> (Double, Double, Int, Int) in
                let r = row.referenceRates
                return (r.parsed, r.fields[0], row.counters.samples, i)
            }
            let order = keyed.indices.sorted { a, b in
                let x = keyed[a], y = keyed[b]
                if x.0 != y.0 { return x.0 < y.0 }
                if x.1 != y.1 { return x.1 < y.1 }
                if x.2 != y.2 { return x.2 < y.2 }
                return x.3 < y.3
            }
            return order.map { rows[$0] }
        case .strict:
            let keyed = rows.map { row -> [Double?] in
                let values = Dictionary(row.fields(.strict), uniquingKeysWith: { a, _ in a })
                return keys.map { values[$0]?.numberValue }
            }
            let order = rows.indices.sorted { a, b in
                for (x, y) in zip(keyed[a], keyed[b]) {
                    switch (x, y) {
                    case (nil, nil): continue
                    case (nil, _): return true
                    case (_, nil): return false
                    case let (x?, y?): if x != y { return x < y }
                    }
                }
                if rows[a].counters.samples != rows[b].counters.samples { return rows[a].counters.samples < rows[b].counters.samples }
                if !codePointsEqual(rows[a].group, rows[b].group) { return codePointsPrecede(rows[a].group, rows[b].group) }
                return a < b
            }
            return order.map { rows[$0] }
        }
    }
}

/// `f1(p, r)` of the reference: 0 when p + r is 0, else 2·p·r/(p + r) evaluated left to right.
func referenceF1(_ p: Double, _ r: Double) -> Double {
    if p + r == 0 { return 0.0 }
    return 2 * p * r / (p + r)
}

func ratio(_ a: Int, _ b: Int) -> JSONValue { b > 0 ? .double(Double(a) / Double(b)) : .null }

/// Micro precision, recall and F1, each null when undefined (no predicted / no true objects).
func strictPRF(_ matched: Int, _ predicted: Int, _ truth: Int) -> (JSONValue, JSONValue, JSONValue) {
    let p: Double? = predicted > 0 ? Double(matched) / Double(predicted) : nil
    let r: Double? = truth > 0 ? Double(matched) / Double(truth) : nil
    guard let p, let r else { return (p.map { .double($0) } ?? .null, r.map { .double($0) } ?? .null, .null) }
    return (.double(p), .double(r), .double(referenceF1(p, r)))
}

/// One row of a per-family table (§1.8): the 8 contract families + `other_fine_action` +
/// `unknown`, or the dense builder's 9 families + the same two.
public struct FamilyRow: Sendable, Equatable {
    public var family: String
    public var counters: FamilyCounters

    public static let columns = ["family", "samples", "action_exact_rate", "seen_share", "contact_exact_rate", "transition_exact_rate"]
    public static let strictColumns = columns + ["action_scored", "contact_scored", "transition_scored"]

    /// Sorted by (−samples, family), family in code-point order.
    static func sorted(_ rows: [FamilyRow]) -> [FamilyRow] {
        rows.sorted { a, b in
            if a.counters.samples != b.counters.samples { return a.counters.samples > b.counters.samples }
            return codePointsPrecede(a.family, b.family)
        }
    }

    public func fields(_ proto: AnalysisProtocol) -> [(String, JSONValue)] {
        let c = counters
        switch proto {
        case .reference:
            // `x / samples if samples else 0`
            func rate(_ x: Int) -> JSONValue { c.samples > 0 ? .double(Double(x) / Double(c.samples)) : .int(0) }
            return [("family", .string(family)), ("samples", .int(c.samples)), ("action_exact_rate", rate(c.actionHits)),
                    ("seen_share", rate(c.seen)), ("contact_exact_rate", rate(c.contactHits)), ("transition_exact_rate", rate(c.transitionHits))]
        case .strict:
            return [("family", .string(family)), ("samples", .int(c.samples)), ("action_exact_rate", ratio(c.actionHits, c.actionScored)),
                    ("seen_share", ratio(c.seen, c.samples)), ("contact_exact_rate", ratio(c.contactHits, c.contactScored)),
                    ("transition_exact_rate", ratio(c.transitionHits, c.transitionScored)),
                    ("action_scored", .int(c.actionScored)), ("contact_scored", .int(c.contactScored)), ("transition_scored", .int(c.transitionScored))]
        }
    }
}

/// Strict (§6 row 9): per modality, how many of the analysed episodes have it.
public struct ModalityPresence: Sendable, Equatable {
    public var modality: String
    public var required: Bool
    public var present: Int
    public var missing: Int
    /// Episodes with no manifest record (neither present nor missing is known).
    public var unknown: Int

    static func count(episodes: [String], manifest: ModalityManifest?) -> [ModalityPresence] {
        var out: [ModalityPresence] = []
        let files = ModalityRule.requiredVideos.map { ($0, true, true) } + [(ModalityRule.rrd, false, true)]
        let hdf5 = ModalityRule.requiredHDF5.map { ($0, true, false) } + [("captions", false, false)]
        for (name, required, isFile) in files + hdf5 {
            var row = ModalityPresence(modality: name, required: required, present: 0, missing: 0, unknown: 0)
            for id in episodes {
                guard let e = manifest?.episode(id), e.nonEmpty else { row.unknown += 1; continue }
                if (isFile ? e.file(name) : e.modality(name)) == true { row.present += 1 } else { row.missing += 1 }
            }
            out.append(row)
        }
        return out
    }

    var json: JSONValue {
        .object([("modality", .string(modality)), ("required", .bool(required)), ("episodes_present", .int(present)),
                 ("episodes_missing", .int(missing)), ("episodes_without_manifest_record", .int(unknown))])
    }
}
