import Exporters
import Testing

/// The keyword vectors of analysis-and-report.md §1.6, artefacts included, and the strict
/// word rule on the same inputs.
@Suite struct KeywordTaxonomyTests {
    static let actionVectors: [(String, String, String, String)] = [
        // (input, error-analysis family, contract family, dense family)
        ("Hold smartphone", "phone_use", "reach_grasp_release", "reach_grasp_release"),
        ("Cut cardboard", "paper_cardboard_craft", "tool_cut_mark_write", "tool_cut_mark_write"),
        ("Move towards the stove", "other", "locomotion", "locomotion"),
        ("Scan product barcode", "retail_stocking", "other_fine_action", "inspect_observe_use"),
        ("Wipe the counter", "cleaning", "sort_count_organize", "sort_count_organize"),
        ("Pause video on phone", "phone_use", "inspect_observe_use", "inspect_observe_use"),
        ("Reset puzzle pieces", "small_object_sorting", "place_arrange_align", "place_arrange_align"),
        ("Take a bottle", "food_kitchen", "other_fine_action", "reach_grasp_release"),
        ("Open the door", "other", "manipulate_adjust", "manipulate_adjust"),
        ("unknown", "other", "unknown", "unknown"),
        ("", "other", "unknown", "unknown"),
        ("  Unknown ", "other", "unknown", "unknown"),
    ]

    @Test("action families of the §1.6 vectors in all three taxonomies", arguments: actionVectors)
    func actions(_ v: (String, String, String, String)) {
        #expect(KeywordTaxonomy.errorAnalysisActions.family(of: v.0) == v.1)
        #expect(KeywordTaxonomy.contractActions.family(of: v.0) == v.2)
        #expect(KeywordTaxonomy.denseActions.family(of: v.0) == v.3)
    }

    @Test("object categories of the §1.6 vectors")
    func objects() {
        let t = KeywordTaxonomy.errorAnalysisObjects
        let expected = [
            "smartphone": "phone_device", "vegetable": "furniture_room", "pencil": "tool_stationery",
            "open box": "tool_stationery", "countertop": "furniture_room", "clothes": "cleaning",
            "scanner": "retail_container", "star beads": "paper_cardboard", "hand": "other_object",
        ]
        for (input, family) in expected { #expect(t.family(of: input) == family, "\(input)") }
    }

    @Test("the strict word rule removes the substring artefacts and keeps inflections")
    func words() {
        let c = KeywordTaxonomy.contractActions
        #expect(c.family(of: "Wipe the counter", matching: .words) == "clean_cook")
        #expect(c.family(of: "Pause video on phone", matching: .words) == "other_fine_action")
        #expect(c.family(of: "Reset puzzle pieces", matching: .words) == "other_fine_action")
        #expect(c.family(of: "Moving towards the stove", matching: .words) == "locomotion")
        #expect(c.family(of: "Cutting cardboard", matching: .words) == "tool_cut_mark_write")
        let o = KeywordTaxonomy.errorAnalysisObjects
        #expect(o.family(of: "open box", matching: .words) == "retail_container")
        #expect(o.family(of: "vegetable", matching: .words) == "other_object")
        #expect(o.family(of: "scanner", matching: .words) == "other_object")
        #expect(o.family(of: "shelves", matching: .words) == "retail_container")
        #expect(o.family(of: "shelves") == "other_object", "the reference's substring rule misses plurals")
        let s = KeywordTaxonomy.subtasks
        #expect(s.family(of: "Retrieving items from a box", matching: .words) == "inventory_restocking")
        #expect(s.family(of: "Using scissors", matching: .words) == "tool_use_measurement")
    }

    @Test("versions name the table and the rule")
    func versions() {
        #expect(KeywordTaxonomy.denseActions.version(.words) == "dense_action_families_v1+words")
        #expect(KeywordTaxonomy.denseActions.allNames.count == 11)
        #expect(KeywordTaxonomy.errorAnalysisActions.allNames.count == 8)
    }
}
