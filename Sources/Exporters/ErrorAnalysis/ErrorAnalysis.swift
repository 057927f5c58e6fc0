import Metrics
import XPCore

/// The error analysis of generated JSON predictions (analysis-and-report.md §1): where a
/// structured-JSON model fails, by episode, action family, train-seen status, modality state
/// and object category, plus the per-family tables of §1.8 (the 8-family contract) and of
/// the dense builder's 9 families.
///
/// ```swift
/// let input = try ErrorAnalysisInput.load(evalDir: URL(fileURLWithPath: "eval"), manifest: nil)
/// let result = try ErrorAnalysis.run(rows: input.rows, metricsValidity: input.metricsValidity,
///                                    manifest: input.manifest, options: ErrorAnalysisOptions(analysisProtocol: .reference))
/// try ErrorAnalysisWriter.write(result, to: URL(fileURLWithPath: "analysis"))
/// ```
///
/// One pass over the rows (linear in their number); keyword families are computed once per
/// distinct label. Docs/error-analysis.md states every rule of both protocols.
public enum ErrorAnalysis {
    /// The five scored fields, in the reference's column order.
    public static let fields = ["action", "subtask", "transition", "next_action", "contact"]

    /// Runs the analysis on prediction rows (the objects of `predictions.jsonl`, in file
    /// order). `metricsValidity` is `metrics.json`'s `json_validity_rate` (nil when absent).
    /// Without a manifest every episode is in the `episode_manifest_missing` state.
    public static func run(rows: [JSONValue], metricsValidity: JSONValue?, manifest: ModalityManifest?,
                           options: ErrorAnalysisOptions) throws(ErrorAnalysisError) -> ErrorAnalysisResult {
        try options.validate()
        var pass = Pass(options: options, manifest: manifest)
        for (i, row) in rows.enumerated() {
            guard row.isObject else { throw .badInput(file: "prediction rows", line: i + 1, detail: "a prediction row must be a JSON object, found \(row.typeName)") }
            pass.add(row, index: i)
        }
        if options.analysisProtocol == .reference, let v = metricsValidity, !v.isPythonFormattableNumber {
            pass.deviations.append(ReferenceDeviation(kind: .validityNotNumber, row: nil, id: nil, field: "metrics.json json_validity_rate",
                                                      detail: "the report's `:.4f` raises on \(v.typeName); the value is written as \(v.pythonString)"))
        } else if options.analysisProtocol == .reference, metricsValidity == nil {
            pass.deviations.append(ReferenceDeviation(kind: .validityNotNumber, row: nil, id: nil, field: "metrics.json json_validity_rate",
                                                      detail: "absent (None): the report's `:.4f` raises; written as None"))
        }
        return pass.finish(rowCount: rows.count, metricsValidity: metricsValidity)
    }
}

extension JSONValue {
    /// Whether Python's `f"{v:.4f}"` accepts the value (int, float, bool).
    var isPythonFormattableNumber: Bool {
        switch self {
        case .int, .double, .bool: return true
        default: return false
        }
    }

    /// The value as a Double for `:.4f` (bool as 0/1).
    var formattableDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
}

// MARK: - Counters

/// The counters of one group. Reference rates divide by `max(samples, 1)`; strict field
/// rates divide by the rows whose truth is known (`scored`).
public struct GroupCounters: Sendable, Equatable {
    public var samples = 0
    public var parsed = 0
    /// Per field of ``ErrorAnalysis/fields``: matches.
    public var hits = [0, 0, 0, 0, 0]
    /// Strict: rows whose truth for the field is neither missing, empty nor "unknown".
    public var scored = [0, 0, 0, 0, 0]
    /// Strict: rows whose option-matched `predicted_label` equals the true action.
    public var optionHits = 0
    public var objectMatched = 0
    public var objectPredicted = 0
    public var objectTrue = 0
    /// Strict, categories: the category's own objects over all rows.
    public var categoryMatched = 0
    public var categoryPredicted = 0
    public var categoryTrue = 0
    /// Strict, categories: rows whose predicted objects touch the category.
    public var predictionRows = 0

    public init() {}

    mutating func add(_ r: RowEval) {
        samples += 1
        parsed += r.parsed ? 1 : 0
        for k in 0..<5 {
            if r.hits & (1 << k) != 0 { hits[k] += 1 }
            if r.scored & (1 << k) != 0 { scored[k] += 1 }
        }
        optionHits += r.optionHit ? 1 : 0
        objectMatched += r.matched
        objectPredicted += r.predicted
        objectTrue += r.trueCount
    }
}

/// The per-row outcome added to every group the row belongs to.
struct RowEval {
    var parsed = false
    var hits: UInt8 = 0
    var scored: UInt8 = 0
    var optionHit = false
    var matched = 0
    var predicted = 0
    var trueCount = 0
}

/// One §1.8 family's counters.
public struct FamilyCounters: Sendable, Equatable {
    public var samples = 0
    public var actionHits = 0
    public var seen = 0
    public var contactHits = 0
    public var transitionHits = 0
    /// Strict: rows with a known truth per field.
    public var actionScored = 0
    public var contactScored = 0
    public var transitionScored = 0
    public init() {}
}

// MARK: - The pass over the rows

/// Families of labels, computed once per distinct text.
struct FamilyMemo {
    let taxonomy: KeywordTaxonomy
    let matching: KeywordTaxonomy.Matching
    var cache: [CodePoints: String] = [:]

    init(_ taxonomy: KeywordTaxonomy, _ matching: KeywordTaxonomy.Matching) {
        self.taxonomy = taxonomy
        self.matching = matching
    }

    mutating func family(_ text: String) -> String {
        let key = CodePoints(text)
        if let f = cache[key] { return f }
        let f = taxonomy.family(of: text, matching: matching)
        cache[key] = f
        return f
    }
}

struct Pass {
    let options: ErrorAnalysisOptions
    let manifest: ModalityManifest?
    let strict: Bool
    var overall = GroupCounters()
    var episodes = InsertionOrdered<GroupCounters>()
    var families = InsertionOrdered<GroupCounters>()
    var seen = InsertionOrdered<GroupCounters>()
    var modality = InsertionOrdered<GroupCounters>()
    var categories = InsertionOrdered<GroupCounters>()
    var hierarchical = InsertionOrdered<FamilyCounters>()
    var dense = InsertionOrdered<FamilyCounters>()
    var invalid: [JSONValue] = []
    var overgenerated: [JSONValue] = []
    var modalityByEpisode = InsertionOrdered<(state: String, missing: [String])>()
    var histogram: [Int: Int] = [:]
    var deviations: [ReferenceDeviation] = []
    var coercions = InsertionOrdered<Int>()
    var actionMemo: FamilyMemo
    var objectMemo: FamilyMemo
    var contractMemo: FamilyMemo
    var denseMemo: FamilyMemo

    init(options: ErrorAnalysisOptions, manifest: ModalityManifest?) {
        self.options = options
        self.manifest = manifest
        strict = options.analysisProtocol == .strict
        let m = options.analysisProtocol.matching
        actionMemo = FamilyMemo(.errorAnalysisActions, m)
        objectMemo = FamilyMemo(.errorAnalysisObjects, m)
        contractMemo = FamilyMemo(.contractActions, m)
        denseMemo = FamilyMemo(.denseActions, m)
        // The strict tables name every coercion kind, even when it never happens.
        if strict { for k in Self.coercionKinds { _ = coercions.slot(k) { 0 } } }
    }

    static let coercionKinds = ["true_json_not_object", "pred_json_not_object", "true_objects_not_list", "pred_objects_not_list"]

    mutating func coerce(_ kind: String) { coercions.update(kind, make: { 0 }) { $0 += 1 } }

    mutating func deviate(_ kind: ReferenceDeviation.Kind, _ index: Int, _ row: JSONValue, _ field: String, _ detail: String) {
        deviations.append(ReferenceDeviation(kind: kind, row: index, id: row.pythonGet("id")?.stringValue, field: field, detail: detail))
    }

    /// `row.get(key) or {}`; a truthy non-object is a reference crash (`.get` on it).
    mutating func jsonObject(_ row: JSONValue, _ key: String, _ index: Int) -> JSONValue {
        guard let v = row.pythonGet(key), v.pythonTruthy else { return .object([]) }
        if v.isObject { return v }
        if strict {
            coerce(key == "true_json" ? "true_json_not_object" : "pred_json_not_object")
        } else {
            deviate(.jsonNotObject, index, row, key, "\(v.typeName) has no .get; read as {} (unparsed)")
        }
        return .object([])
    }

    /// What `for item in value` yields in Python: list items, a string's characters, a dict's
    /// keys. `null`, numbers and booleans raise: a deviation, read as [].
    mutating func referenceItems(_ value: JSONValue?, _ row: JSONValue, _ index: Int, _ field: String) -> [JSONValue] {
        guard let value else { return [] }
        switch value {
        case .array(let items): return items
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .object: return (value.dictionaryKeysInOrder).map { .string($0) }
        default:
            deviate(.objectsNotIterable, index, row, field, "\(value.typeName) is not iterable (the reference raises TypeError); read as []")
            return []
        }
    }

    /// Strict coercion: a list stays, a string becomes [s], anything else [].
    mutating func strictItems(_ value: JSONValue?, _ kind: String) -> [JSONValue] {
        guard let value else { return [] }
        switch value {
        case .array(let items): return items
        case .string(let s): coerce(kind); return [.string(s)]
        case .null: return []
        default: coerce(kind); return []
        }
    }

    /// The distinct non-empty `norm`s of `items`, in first-appearance order.
    static func normalisedSet(_ items: [JSONValue]) -> [String] {
        var seen = Set<CodePoints>()
        var out: [String] = []
        for item in items {
            let n = item.pythonNorm
            if !n.isEmpty, seen.insert(CodePoints(n)).inserted { out.append(n) }
        }
        return out
    }

    mutating func add(_ row: JSONValue, index: Int) {
        let t = jsonObject(row, "true_json", index)
        let p = jsonObject(row, "pred_json", index)
        let parsed: Bool = { if case .object(let o) = p { return !o.isEmpty } else { return false } }()
        let episodeID = row.pythonGet("episode_id")?.pythonString ?? "None"

        // Field matches.
        var ev = RowEval()
        ev.parsed = parsed
        for (k, field) in ErrorAnalysis.fields.enumerated() {
            let tn = pythonNorm(t.pythonGet(field)), pn = pythonNorm(p.pythonGet(field))
            let equal = codePointsEqual(tn, pn)
            if strict {
                guard !(tn.isEmpty || tn == "unknown") else { continue }
                ev.scored |= 1 << k
                if equal && parsed { ev.hits |= 1 << k }
            } else if equal && parsed {
                ev.hits |= 1 << k
            }
        }
        if strict, ev.scored & 1 != 0 {
            // Option-matched: the evaluator's match_label result against the true action.
            if let predicted = row.pythonGet("predicted_label")?.stringValue, let truth = t.pythonGet("action")?.stringValue {
                ev.optionHit = codePointsEqual(predicted, truth)
            } else {
                ev.optionHit = row.pythonGet("correct")?.pythonTruthy ?? false
            }
        }

        // Objects.
        let trueItems: [JSONValue], predItems: [JSONValue]
        if strict {
            trueItems = strictItems(t.pythonGet("objects"), "true_objects_not_list")
            predItems = strictItems(p.pythonGet("objects"), "pred_objects_not_list")
        } else {
            trueItems = referenceItems(t.pythonGet("objects"), row, index, "true_json.objects")
            predItems = referenceItems(p.pythonGet("objects"), row, index, "pred_json.objects")
        }
        let trueSet = Self.normalisedSet(trueItems), predSet = Self.normalisedSet(predItems)
        let predLookup = Set(predSet.map(CodePoints.init))
        let common = trueSet.filter { predLookup.contains(CodePoints($0)) }
        ev.matched = common.count
        ev.predicted = predSet.count
        ev.trueCount = trueSet.count

        // Groups.
        overall.add(ev)
        episodes.update(episodeID, make: GroupCounters.init) { $0.add(ev) }
        let familyName: String
        if strict {
            let a = pythonNorm(t.pythonGet("action"))
            familyName = a.isEmpty || a == "unknown" ? "unknown" : actionMemo.family(a)
        } else {
            familyName = actionMemo.family(t.pythonGet("action")?.pythonString ?? "None")
        }
        families.update(familyName, make: GroupCounters.init) { $0.add(ev) }
        let seenFlag = row.pythonGet("true_label_seen_in_train")?.pythonTruthy ?? false
        seen.update(seenFlag ? "seen_in_train" : "unseen_in_train", make: GroupCounters.init) { $0.add(ev) }
        let slot = modalityByEpisode.slot(episodeID) {
            let record = manifest?.episode(episodeID)
            let (state, missing) = strict ? ModalityRule.strict(record) : ModalityRule.reference(record)
            return (state, missing)
        }
        modality.update(modalityByEpisode[slot].state, make: GroupCounters.init) { $0.add(ev) }

        // Object categories: once per category the truth touches, with the whole row.
        if strict {
            addStrictCategories(ev, trueSet: trueSet, predSet: predSet, common: common)
        } else {
            var cats: [String] = []
            for item in trueItems {
                let c = objectMemo.family(item.pythonString)
                if !cats.contains(where: { codePointsEqual($0, c) }) { cats.append(c) }
            }
            if cats.isEmpty { cats = ["no_object_label"] }
            for c in cats { categories.update(c, make: GroupCounters.init) { $0.add(ev) } }
        }

        addFamilies(row, t: t, p: p, parsed: parsed, seen: seenFlag, index: index)
        addExamples(row, t: t, p: p, parsed: parsed, episodeID: episodeID, predItems: predItems, index: index)
    }

    mutating func addStrictCategories(_ ev: RowEval, trueSet: [String], predSet: [String], common: [String]) {
        var trueCats: [String] = []
        var counts = InsertionOrdered<(t: Int, p: Int, m: Int)>()
        let commonLookup = Set(common.map(CodePoints.init))
        for o in trueSet {
            let c = objectMemo.family(o)
            if !trueCats.contains(where: { codePointsEqual($0, c) }) { trueCats.append(c) }
            counts.update(c, make: { (0, 0, 0) }) { $0.t += 1; if commonLookup.contains(CodePoints(o)) { $0.m += 1 } }
        }
        var predCats: [String] = []
        for o in predSet {
            let c = objectMemo.family(o)
            if !predCats.contains(where: { codePointsEqual($0, c) }) { predCats.append(c) }
            counts.update(c, make: { (0, 0, 0) }) { $0.p += 1 }
        }
        if trueCats.isEmpty { trueCats = ["no_object_label"] }
        for c in trueCats { categories.update(c, make: GroupCounters.init) { $0.add(ev) } }
        for c in predCats { categories.update(c, make: GroupCounters.init) { $0.predictionRows += 1 } }
        for (c, n) in counts.pairs {
            categories.update(c, make: GroupCounters.init) {
                $0.categoryTrue += n.t
                $0.categoryPredicted += n.p
                $0.categoryMatched += n.m
            }
        }
    }

    /// §1.8: the contract's 8 families (+ other_fine_action, unknown) and the dense 9.
    mutating func addFamilies(_ row: JSONValue, t: JSONValue, p: JSONValue, parsed: Bool, seen: Bool, index: Int) {
        var f = FamilyCounters()
        f.samples = 1
        f.seen = seen ? 1 : 0
        let labelText: String
        if strict {
            if let a = t.pythonGet("action")?.stringValue, !a.trimmingPythonWhitespace().isEmpty {
                labelText = a
            } else {
                labelText = row.pythonGet("true_label")?.stringValue ?? ""
            }
            let truth = labelText.trimmingPythonWhitespace().lowercased()
            if !(truth.isEmpty || truth == "unknown") {
                f.actionScored = 1
                if parsed && codePointsEqual(truth, pythonNorm(p.pythonGet("action"))) { f.actionHits = 1 }
            }
            for (field, isContact) in [("contact", true), ("transition", false)] {
                let tn = pythonNorm(t.pythonGet(field))
                guard !(tn.isEmpty || tn == "unknown") else { continue }
                let hit = parsed && codePointsEqual(tn, pythonNorm(p.pythonGet(field))) ? 1 : 0
                if isContact { f.contactScored = 1; f.contactHits = hit } else { f.transitionScored = 1; f.transitionHits = hit }
            }
        } else {
            // `true_json.get("action") or row.get("true_label")`, compared raw with `==`.
            let a = t.pythonGet("action")
            let label: JSONValue? = (a?.pythonTruthy ?? false) ? a : row.pythonGet("true_label")
            if let label, label.pythonTruthy {
                if case .string(let s) = label {
                    labelText = s
                } else {
                    deviate(.labelNotString, index, row, "true_json.action", "\(label.typeName) has no .strip(); its str() is used")
                    labelText = label.pythonString
                }
            } else {
                labelText = "unknown"
            }
            f.actionHits = pythonEqual(label ?? .null, p.pythonGet("action") ?? .null) ? 1 : 0
            f.contactHits = pythonEqual(t.pythonGet("contact") ?? .null, p.pythonGet("contact") ?? .null) ? 1 : 0
            f.transitionHits = pythonEqual(t.pythonGet("transition") ?? .null, p.pythonGet("transition") ?? .null) ? 1 : 0
        }
        let added = f
        hierarchical.update(contractMemo.family(labelText), make: FamilyCounters.init) { $0.merge(added) }
        dense.update(denseMemo.family(labelText), make: FamilyCounters.init) { $0.merge(added) }
    }

    mutating func addExamples(_ row: JSONValue, t: JSONValue, p: JSONValue, parsed: Bool, episodeID: String, predItems: [JSONValue], index: Int) {
        if !parsed && invalid.count < options.maxExamples {
            let raw = row.pythonGet("raw_prediction").map { $0.pythonString } ?? ""
            invalid.append(.object([
                ("id", row.pythonGet("id") ?? .null), ("episode_id", .string(episodeID)), ("true_action", t.pythonGet("action") ?? .null),
                ("raw_prediction_prefix", .string(String(String.UnicodeScalarView(raw.unicodeScalars.prefix(240))))),
            ]))
        }
        let count: Int
        let first: JSONValue
        if strict {
            count = predItems.count
            histogram[count, default: 0] += 1
            first = .array(Array(predItems.prefix(20)))
        } else {
            // `len(pred_json.get("objects", []))` and `[:20]` of the raw value.
            switch p.pythonGet("objects") {
            case .array(let items)?: count = items.count; first = .array(Array(items.prefix(20)))
            case .string(let s)?: count = s.unicodeScalars.count; first = .string(String(String.UnicodeScalarView(s.unicodeScalars.prefix(20))))
            case .object?:
                let keys = p.pythonGet("objects")?.dictionaryKeysInOrder ?? []
                count = keys.count
                first = .array(keys.prefix(20).map { .string($0) })
                if count > 20 { deviate(.objectsDictSliced, index, row, "pred_json.objects", "a dict cannot be sliced; its first 20 keys are listed") }
            default: count = 0; first = .array([])  // null/number: already a deviation (not iterable)
            }
        }
        let threshold = strict ? options.strictOvergenerationThreshold : 20
        if count > threshold && overgenerated.count < options.maxExamples {
            overgenerated.append(.object([
                ("id", row.pythonGet("id") ?? .null), ("episode_id", .string(episodeID)), ("true_action", t.pythonGet("action") ?? .null),
                ("predicted_object_count", .int(count)), ("first_predicted_objects", first),
            ]))
        }
    }

    func finish(rowCount: Int, metricsValidity: JSONValue?) -> ErrorAnalysisResult {
        func rows(_ d: InsertionOrdered<GroupCounters>) -> [GroupRow] { d.pairs.map { GroupRow(group: $0.0, counters: $0.1) } }
        func famRows(_ d: InsertionOrdered<FamilyCounters>) -> [FamilyRow] {
            FamilyRow.sorted(d.pairs.map { FamilyRow(family: $0.0, counters: $0.1) })
        }
        let proto = options.analysisProtocol
        let sort = { (r: [GroupRow]) in GroupRow.sorted(r, protocol: proto, keys: options.strictSortKeys) }
        var presence: [ModalityPresence] = []
        if strict { presence = ModalityPresence.count(episodes: modalityByEpisode.keys, manifest: manifest) }
        return ErrorAnalysisResult(
            options: options, rowCount: rowCount, metricsValidity: metricsValidity,
            overall: GroupRow(group: "overall", counters: overall),
            episodeGroups: sort(rows(episodes)), actionFamilyGroups: sort(rows(families)), trainSeenGroups: sort(rows(seen)),
            modalityGroups: sort(rows(modality)), objectCategoryGroups: sort(rows(categories)),
            hierarchicalFamilies: famRows(hierarchical), denseFamilies: famRows(dense),
            invalidJSONExamples: invalid, overgenerationExamples: overgenerated,
            modalityMissingByEpisode: modalityByEpisode.pairs.map { ($0.0, $0.1.missing) },
            predictedObjectCountHistogram: histogram.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            modalityPresence: presence, coercions: coercions.pairs, deviations: deviations)
    }
}

extension FamilyCounters {
    mutating func merge(_ o: FamilyCounters) {
        samples += o.samples
        actionHits += o.actionHits
        seen += o.seen
        contactHits += o.contactHits
        transitionHits += o.transitionHits
        actionScored += o.actionScored
        contactScored += o.contactScored
        transitionScored += o.transitionScored
    }
}

extension JSONValue {
    /// A dict's keys in first-insertion order, each once (what iterating it yields).
    var dictionaryKeysInOrder: [String] {
        guard case .object(let pairs) = self else { return [] }
        var seen = Set<CodePoints>()
        return pairs.compactMap { seen.insert(CodePoints($0.0)).inserted ? $0.0 : nil }
    }
}

/// Python's `==` on decoded JSON values: strings by code points, `True == 1`, `1 == 1.0`,
/// lists element by element, dicts as maps.
func pythonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.string(let x), .string(let y)): return codePointsEqual(x, y)
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { pythonEqual($0, $1) }
    case (.object, .object):
        let x = a.dictionaryKeysInOrder, y = b.dictionaryKeysInOrder
        guard x.count == y.count, Set(x.map(CodePoints.init)) == Set(y.map(CodePoints.init)) else { return false }
        return x.allSatisfy { k in pythonEqual(a.pythonGet(k) ?? .null, b.pythonGet(k) ?? .null) }
    case (.bool(let x), .int), (.int, .bool(let x)):
        let other: JSONValue = { if case .bool = a { return b } else { return a } }()
        return other == .int(x ? 1 : 0)
    case (.bool(let x), .double(let d)), (.double(let d), .bool(let x)): return d == (x ? 1 : 0)
    default: return a == b
    }
}
