import WindowAlign

/// A keyword taxonomy: label text → the first family (in list order) with a matching needle.
///
/// The reference has three action taxonomies (the error analysis's 7 families, the 8-family
/// hierarchical contract, the dense builder's 9 families), one of object categories and one
/// of subtask families. Each is used only for its own output, so each is a value here, named
/// by `id` in every output that uses it.
///
/// Two matching rules:
/// - ``Matching/substring`` is the reference's: a needle matches when it is a substring of the
///   normalised text. It has the artefacts the spec lists ("count" ⊂ "counter", "use" ⊂
///   "pause", "set" ⊂ "reset", "pen" ⊂ "open", "can" ⊂ "scan"), and "shelf" ⊄ "shelves".
/// - ``Matching/words`` is the strict one: the text and each needle are split into `[a-z0-9]+`
///   words, and the needle's words must appear consecutively, each either equal or an
///   inflection of it (plural, past, gerund, "-ves" for "-f", a doubled final consonant), so
///   "counter" is not "count" but "shelves" is "shelf" and "cutting" is "cut".
public struct KeywordTaxonomy: Sendable, Equatable {
    public struct Family: Sendable, Equatable {
        public var name: String
        public var needles: [String]
        public init(_ name: String, _ needles: [String]) {
            self.name = name
            self.needles = needles
        }
    }

    public enum Matching: String, Sendable, Equatable, Codable {
        case substring
        case words
    }

    /// Stable name of the table, written into outputs (with the matching rule appended).
    public var id: String
    public var families: [Family]
    /// The family of a label no needle matches.
    public var fallback: String
    /// The family of an empty or "unknown" label; nil when the taxonomy has no such class
    /// (the error analysis's, where an empty label is simply unmatched).
    public var unknown: String?

    public init(id: String, families: [Family], fallback: String, unknown: String?) {
        self.id = id
        self.families = families
        self.fallback = fallback
        self.unknown = unknown
    }

    /// Every family name, in list order, then the fallback and the unknown class.
    public var allNames: [String] {
        families.map(\.name) + [fallback] + (unknown.map { [$0] } ?? [])
    }

    /// The taxonomy's name with the matching rule, e.g. `error_analysis_action_families_v1+substring`.
    public func version(_ matching: Matching) -> String { "\(id)+\(matching.rawValue)" }

    /// The family of `text`. The text is trimmed and lowercased first (the reference's
    /// `str(v).strip().lower()`).
    public func family(of text: String, matching: Matching = .substring) -> String {
        let lowered = text.trimmingPythonWhitespaceAndLowercased()
        if let unknown, lowered.isEmpty || lowered == "unknown" { return unknown }
        switch matching {
        case .substring:
            let haystack = Array(lowered.utf8)
            for f in families where f.needles.contains(where: { KeywordTaxonomy.containsCodePoints(haystack, $0) }) { return f.name }
        case .words:
            let words = KeywordTaxonomy.words(lowered)
            for f in families where f.needles.contains(where: { KeywordTaxonomy.matchesWords(KeywordTaxonomy.words($0), in: words) }) {
                return f.name
            }
        }
        return fallback
    }

    /// Python's `needle in text`: a code-point substring test. On UTF-8 bytes it is the same
    /// test (a valid needle can only match at scalar boundaries), and unlike `String.contains`
    /// it does not treat "n" + U+0303 as one character that "n" cannot match.
    static func containsCodePoints(_ haystack: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        if n.isEmpty { return true }
        guard n.count <= haystack.count else { return false }
        let first = n[0]
        var i = 0
        let last = haystack.count - n.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < n.count && haystack[i + j] == n[j] { j += 1 }
                if j == n.count { return true }
            }
            i += 1
        }
        return false
    }

    // MARK: Word matching

    static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { c in !(c.isASCII && (c.isLetter || c.isNumber)) })
    }

    static func matchesWords(_ needle: [Substring], in text: [Substring]) -> Bool {
        guard !needle.isEmpty, needle.count <= text.count else { return false }
        for start in 0...(text.count - needle.count)
        where zip(needle, text[start..<(start + needle.count)]).allSatisfy({ isInflection($1, of: $0) }) {
            return true
        }
        return false
    }

    /// Whether `word` is `stem` or a regular inflection of it. Stems that are not words
    /// ("retriev", "scissor") match their completions through the same suffixes.
    static func isInflection(_ word: Substring, of stem: Substring) -> Bool {
        if word == stem { return true }
        let suffixes = ["s", "es", "ed", "d", "ing", "e"]
        if word.hasPrefix(stem) {
            let rest = word.dropFirst(stem.count)
            if suffixes.contains(where: { rest == $0 }) { return true }
            // Doubled final consonant: cut → cutting, stop → stopped.
            if let last = stem.last, rest.first == last, ["ing", "ed"].contains(String(rest.dropFirst())) { return true }
        }
        // A final "e" dropped before -ing/-ed: move → moving, place → placing.
        if stem.hasSuffix("e"), let base = Optional(stem.dropLast()), word.hasPrefix(base) {
            let rest = word.dropFirst(base.count)
            if rest == "ing" || rest == "ed" { return true }
        }
        // -f/-fe plural: shelf → shelves, knife → knives.
        if stem.hasSuffix("f"), word == stem.dropLast() + "ves" { return true }
        if stem.hasSuffix("fe"), word == stem.dropLast(2) + "ves" { return true }
        return false
    }
}

extension String {
    /// `str.strip().lower()` as Python computes it.
    func trimmingPythonWhitespaceAndLowercased() -> String {
        pythonNormText(self)
    }
}

// MARK: The reference's tables (exact spelling and order)

extension KeywordTaxonomy {
    /// The error analysis's 7 action families (analysis-and-report.md §1.3). No unknown class:
    /// an empty or missing action falls to `other`. Its locomotion lacks "move towards".
    public static let errorAnalysisActions = KeywordTaxonomy(
        id: "error_analysis_action_families_v1",
        families: [
            Family("phone_use", ["phone", "smartphone", "watch", "screen"]),
            Family("paper_cardboard_craft", ["paper", "cardboard", "fold", "cut", "draw", "mark", "ruler", "scissors", "lantern", "star"]),
            Family("retail_stocking", ["shelf", "product", "can", "canned", "container", "box", "grocery", "stock"]),
            Family("small_object_sorting", ["bead", "button", "tile", "mahjong", "puzzle", "piece"]),
            Family("cleaning", ["clean", "wipe", "wash", "vacuum", "sweep", "trash"]),
            Family("locomotion", ["walk", "approach", "enter", "move through", "arrive", "leave"]),
            Family("food_kitchen", ["kettle", "rice", "saucepan", "kitchen", "bottle", "jar", "lid"]),
        ],
        fallback: "other", unknown: nil)

    /// The error analysis's 8 object categories (§1.3); fallback `other_object`.
    public static let errorAnalysisObjects = KeywordTaxonomy(
        id: "error_analysis_object_categories_v1",
        families: [
            Family("phone_device", ["phone", "smartphone", "watch", "charger", "cable", "power bank", "earbud"]),
            Family("paper_cardboard", ["paper", "cardboard", "lantern", "origami", "star", "ribbon"]),
            Family("tool_stationery", ["scissors", "knife", "ruler", "marker", "pen", "stapler", "glue", "tape"]),
            Family("retail_container", ["shelf", "container", "product", "box", "can", "canned", "package", "bag"]),
            Family("furniture_room", ["table", "chair", "desk", "counter", "sink", "door", "wall", "floor"]),
            Family("food_kitchen", ["kettle", "rice", "saucepan", "jar", "bottle", "food", "kitchen"]),
            Family("craft_small_object", ["bead", "button", "tile", "mahjong", "puzzle", "foam", "piece"]),
            Family("cleaning", ["vacuum", "broom", "cloth", "towel", "trash"]),
        ],
        fallback: "other_object", unknown: nil)

    /// The 8-family hierarchical action contract (exporters.md §5.5, the enhancement builder).
    public static let contractActions = KeywordTaxonomy(
        id: "hierarchical_action_contract_v1",
        families: [
            Family("locomotion", ["walk", "enter", "approach", "move through", "move towards", "arrive"]),
            Family("reach_grasp_release", ["reach", "grasp", "pick up", "hold", "release"]),
            Family("place_arrange_align", ["place", "arrange", "align", "position", "set"]),
            Family("manipulate_adjust", ["manipulate", "adjust", "bend", "fold", "open", "close", "secure"]),
            Family("tool_cut_mark_write", ["cut", "mark", "draw", "write", "scissor", "knife", "pen", "marker"]),
            Family("sort_count_organize", ["sort", "count", "organize", "bundle", "gather"]),
            Family("inspect_observe_use", ["inspect", "observe", "browse", "use", "operate", "check", "examine"]),
            Family("clean_cook", ["clean", "wipe", "rinse", "wash", "stir", "pot", "stove"]),
        ],
        fallback: "other_fine_action", unknown: "unknown")

    /// The dense builder's 9 action families (§5.5: the contract's needles extended, plus
    /// `assemble_craft`).
    public static let denseActions = KeywordTaxonomy(
        id: "dense_action_families_v1",
        families: [
            Family("locomotion", ["walk", "enter", "approach", "move through", "move towards", "arrive", "leave"]),
            Family("reach_grasp_release", ["reach", "grasp", "pick up", "hold", "release", "grab", "take"]),
            Family("place_arrange_align", ["place", "arrange", "align", "position", "set", "stack", "insert"]),
            Family("manipulate_adjust", ["manipulate", "adjust", "bend", "fold", "open", "close", "secure", "press"]),
            Family("tool_cut_mark_write", ["cut", "mark", "draw", "write", "scissor", "knife", "pen", "marker", "ruler"]),
            Family("sort_count_organize", ["sort", "count", "organize", "bundle", "gather", "separate", "group"]),
            Family("inspect_observe_use", ["inspect", "observe", "browse", "use", "operate", "check", "examine", "scan"]),
            Family("clean_cook", ["clean", "wipe", "rinse", "wash", "stir", "pot", "stove", "cook"]),
            Family("assemble_craft", ["assemble", "attach", "tape", "glue", "thread", "tie", "wrap"]),
        ],
        fallback: "other_fine_action", unknown: "unknown")

    /// The dense builder's 6 subtask families; fallback `other_fine_subtask`.
    public static let subtasks = KeywordTaxonomy(
        id: "dense_subtask_families_v1",
        families: [
            Family("inventory_restocking", ["shelf", "box", "retriev", "restock", "item", "container", "canned", "retail"]),
            Family("craft_assembly", ["cardboard", "paper", "lantern", "foam", "assemble", "craft", "cutting"]),
            Family("tabletop_sorting", ["mahjong", "tile", "puzzle", "button", "bead", "sort", "count"]),
            Family("household_clean_cook", ["clean", "cook", "wash", "pot", "stove", "cloth"]),
            Family("tool_use_measurement", ["ruler", "mark", "draw", "write", "scissor", "knife"]),
            Family("navigation_setup", ["approach", "workstation", "desk", "table", "packing"]),
        ],
        fallback: "other_fine_subtask", unknown: "unknown")
}
