import Exporters
import Foundation
import Testing
import XPCore

/// Byte parity with the reference's published error analyses of the two 128-episode packages
/// (`../shared/fixtures/reference-128ep/{qwen-v3,qwen-valmon}/analysis/`).
@Suite("Error analysis: the reference's published files")
struct ErrorAnalysisFixtureTests {
    static let v3Package = "xperience10m_qwen3_omni_128ep_structured_json_v3_strict_label_prompt_reuse_lora_eval_test_full"
    static let v1Package = "xperience10m_qwen3_omni_128ep_96train_16val_16test_valmon_20260605_eval"

    static func analyse(_ package: String, _ options: ErrorAnalysisOptions) throws -> ErrorAnalysisResult {
        let root = try SharedFixtures.url("reference-128ep/\(package)")
        let input = try ErrorAnalysisInput.load(evalDir: root.appendingPathComponent("eval").path,
                                                manifest: root.appendingPathComponent("dataset/episode_manifest.json").path)
        return try ErrorAnalysis.run(rows: input.rows, metricsValidity: input.metricsValidity, manifest: input.manifest, options: options)
    }

    static func fixtureText(_ package: String, _ name: String) throws -> String {
        try String(contentsOf: SharedFixtures.url("reference-128ep/\(package)/analysis/\(name)"), encoding: .utf8)
    }

    static func referenceOptions(label: String = "Qwen3-Omni", package: String) -> ErrorAnalysisOptions {
        let base = "results/omni_finetune/verified_public/\(package)"
        return ErrorAnalysisOptions(analysisProtocol: .reference, modelLabel: label, sourcePackage: package,
                                    sourceEvalDir: base + "/eval", sourceEpisodeManifest: base + "/dataset/episode_manifest.json")
    }

    @Test("v3: the summary JSON, the five CSVs and ERROR_ANALYSIS.md byte for byte",
          .sharedFixtures("reference-128ep/qwen-v3/eval/predictions.jsonl", "reference-128ep/qwen-v3/analysis/error_analysis_summary.json"))
    func v3() throws {
        let r = try Self.analyse("qwen-v3", Self.referenceOptions(label: "Qwen3-Omni strict-label v3", package: Self.v3Package))
        let files = Dictionary(r.files.map { ($0.name, $0.text) }, uniquingKeysWith: { a, _ in a })
        for name in [ErrorAnalysisResult.summaryFile, ErrorAnalysisResult.reportFile] + ErrorAnalysisResult.csvFiles {
            let expected = try Self.fixtureText("qwen-v3", name)
            #expect(files[name] == expected, "\(name) differs")
        }
        #expect(r.deviations.isEmpty)
    }

    @Test("valmon (script v1): the CSVs byte for byte, the summary on the keys v1 has, the report but its provenance line",
          .sharedFixtures("reference-128ep/qwen-valmon/eval/predictions.jsonl", "reference-128ep/qwen-valmon/analysis/error_analysis_summary.json"))
    func valmon() throws {
        let r = try Self.analyse("qwen-valmon", Self.referenceOptions(package: Self.v1Package))
        let files = Dictionary(r.files.map { ($0.name, $0.text) }, uniquingKeysWith: { a, _ in a })
        for name in ErrorAnalysisResult.csvFiles {
            #expect(files[name] == (try Self.fixtureText("qwen-valmon", name)), "\(name) differs")
        }
        // v1 lacks model_label and the source_* paths: drop them and the bytes must agree.
        let expected = try Self.fixtureText("qwen-valmon", ErrorAnalysisResult.summaryFile)
        let v1Keys = try JSONParser.parse(expected).objectValue?.map(\.0) ?? []
        let ours = try #require(r.summary.objectValue)
        #expect(Set(ours.map(\.0)).subtracting(v1Keys) == ["model_label", "source_eval_dir", "source_episode_manifest"])
        let trimmed = JSONValue.object(ours.filter { v1Keys.contains($0.0) })
        #expect(trimmed.pythonJSON(indent: 2) + "\n" == expected)
        // Its examples: 12 invalid rows, 5 overgenerated lists.
        #expect(r.invalidJSONExamples.count == 12)
        #expect(r.overgenerationExamples.compactMap { $0["predicted_object_count"]?.numberValue.map(Int.init) } == [175, 53, 119, 205, 108])
        let report = try Self.fixtureText("qwen-valmon", ErrorAnalysisResult.reportFile).split(separator: "\n", omittingEmptySubsequences: false)
        let ourReport = r.report.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(report.count == ourReport.count)
        for (i, (a, b)) in zip(report, ourReport).enumerated() where i != 2 { #expect(a == b, "line \(i + 1)") }
    }

    /// §1.7: the published numerators of v3 and v1, and the group sizes every run shares.
    @Test("the published counts (§1.7)", .sharedFixtures("reference-128ep/qwen-v3/eval/predictions.jsonl", "reference-128ep/qwen-valmon/eval/predictions.jsonl"))
    func publishedCounts() throws {
        let v3 = try Self.analyse("qwen-v3", ErrorAnalysisOptions(analysisProtocol: .reference)).overall.counters
        // parsed / action / subtask / transition / next / contact; objects matched / predicted / true
        #expect([v3.parsed] + v3.hits == [448, 14, 1, 436, 14, 323])
        #expect([v3.objectMatched, v3.objectPredicted, v3.objectTrue] as [Int] == [408, 1293, 1366])
        let v1 = try Self.analyse("qwen-valmon", ErrorAnalysisOptions(analysisProtocol: .reference))
        #expect([v1.overall.counters.parsed] + v1.overall.counters.hits == [393, 11, 3, 381, 11, 289])
        #expect([v1.overall.counters.objectMatched, v1.overall.counters.objectPredicted, v1.overall.counters.objectTrue] as [Int] == [353, 1800, 1366])
        let sizes = Dictionary(v1.objectCategoryGroups.map { ($0.group, $0.counters.samples) }, uniquingKeysWith: { a, _ in a })
        #expect(sizes == ["furniture_room": 96, "other_object": 135, "food_kitchen": 56, "cleaning": 8, "phone_device": 162,
                          "paper_cardboard": 261, "craft_small_object": 106, "retail_container": 101, "tool_stationery": 138, "no_object_label": 2])
        #expect(sizes.values.reduce(0, +) == 1065)
    }

    /// §1.8 is published for v4, which is not a fixture. Its truth-only columns (samples,
    /// seen_share) depend only on the 448 test rows, which every run shares: v3 must give them.
    @Test("§1.8 on v3: the families and seen shares of the published v4 table; counts add up to 448",
          .sharedFixtures("reference-128ep/qwen-v3/eval/predictions.jsonl"))
    func hierarchicalInvariants() throws {
        let r = try Self.analyse("qwen-v3", ErrorAnalysisOptions(analysisProtocol: .reference))
        let published: [(String, Int, Double)] = [
            ("manipulate_adjust", 98, 0.22448979591836735), ("reach_grasp_release", 88, 0.45454545454545453),
            ("other_fine_action", 73, 0.2465753424657534), ("place_arrange_align", 65, 0.26153846153846155),
            ("sort_count_organize", 36, 0.1388888888888889), ("tool_cut_mark_write", 28, 0.6428571428571429),
            ("inspect_observe_use", 27, 0.37037037037037035), ("locomotion", 27, 0.037037037037037035), ("clean_cook", 6, 0.0),
        ]
        #expect(r.hierarchicalFamilies.map(\.family) == published.map(\.0))
        #expect(r.hierarchicalFamilies.map(\.counters.samples) == published.map(\.1))
        #expect(r.hierarchicalFamilies.map { Double($0.counters.seen) / Double($0.counters.samples) } == published.map(\.2))
        #expect(r.hierarchicalFamilies.reduce(0) { $0 + $1.counters.samples } == 448)
        #expect(r.denseFamilies.reduce(0) { $0 + $1.counters.samples } == 448)
        #expect(r.hierarchicalFamilies.reduce(0) { $0 + $1.counters.seen } == 131)
        // Every dense family is one of the 9 (+ other_fine_action, unknown).
        #expect(Set(r.denseFamilies.map(\.family)).isSubset(of: KeywordTaxonomy.denseActions.allNames))
        // Strict shares the family sizes' total and excludes nothing on these rows (no unknown truths).
        let s = try Self.analyse("qwen-v3", ErrorAnalysisOptions(analysisProtocol: .strict))
        #expect(s.hierarchicalFamilies.reduce(0) { $0 + $1.counters.samples } == 448)
        #expect(s.hierarchicalFamilies.allSatisfy { $0.counters.actionScored == $0.counters.samples })
        #expect(s.overall.counters.scored == [448, 448, 448, 448, 448])
        // On parsed rows with no unknowns, strict's normalised action rate equals the reference's.
        #expect(s.overall.counters.hits[0] == 14)
    }
}
