import Exporters
import Foundation
import Testing
import XPCore

/// The §1.2–§1.4 rules of the error analysis on rows computed by hand, in both protocols.
@Suite("Error analysis rules (hand-computed rows)")
struct ErrorAnalysisRulesTests {
    static func rows(_ lines: [String]) throws -> [JSONValue] { try lines.map { try JSONParser.parse($0) } }

    /// Three rows whose every count is worked out in the comments.
    static let handRows = [
        // Parsed. action " hold phone " = "Hold Phone" after norm: hit. subtask unknown = unknown: a
        // hit in reference, excluded in strict. transition no/yes: miss. next_action walk/"": miss.
        // contact yes/Yes: hit. Objects T = {phone, table}, P = {phone, cup}: 1 matched.
        #"{"id": "r1", "episode_id": "e1", "true_json": {"action": "Hold Phone", "subtask": "unknown", "objects": ["Phone", " table ", "phone"], "contact": "yes", "transition": "no", "next_action": "Walk"}, "pred_json": {"action": " hold phone ", "subtask": "unknown", "objects": ["phone", "cup"], "contact": "Yes", "transition": "yes"}, "predicted_label": "Hold Phone", "true_label_seen_in_train": 1}"#,
        // Unparsed: every field misses. Reference objects "ab" are the characters a, b (2 true
        // objects, category other_object); strict makes it one object "ab".
        #"{"id": "r2", "episode_id": "e1", "true_json": {"action": "Cut paper", "objects": "ab", "contact": "no"}, "pred_json": {}, "raw_prediction": "not json", "predicted_label": "Cut", "true_label_seen_in_train": 0}"#,
        // Parsed. Reference: action unknown = unknown hit, subtask x/"" miss, transition,
        // next_action and contact ""="" hits. No true objects (no_object_label), 21 predicted:
        // overgeneration in both protocols.
        #"{"id": "r3", "episode_id": "e2", "true_json": {"action": "unknown", "subtask": "x", "objects": []}, "pred_json": {"action": "unknown", "objects": ["o0", "o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", "o10", "o11", "o12", "o13", "o14", "o15", "o16", "o17", "o18", "o19", "o20"]}, "true_label_seen_in_train": false}"#,
    ]

    static func run(_ rows: [JSONValue], _ proto: AnalysisProtocol, manifest: ModalityManifest? = nil) throws -> ErrorAnalysisResult {
        try ErrorAnalysis.run(rows: rows, metricsValidity: .double(0.5), manifest: manifest, options: ErrorAnalysisOptions(analysisProtocol: proto))
    }

    static func value(_ row: GroupRow, _ key: String, _ proto: AnalysisProtocol, category: Bool = false) -> JSONValue? {
        row.fields(proto, category: category).first { $0.0 == key }?.1
    }

    @Test("reference: norm equality, unknown = unknown counted, parse required, string objects per character")
    func referenceCounts() throws {
        let r = try Self.run(Self.rows(Self.handRows), .reference)
        let c = r.overall.counters
        #expect(c.samples == 3 && c.parsed == 2)
        // action, subtask, transition, next_action, contact
        #expect(c.hits == [2, 1, 1, 1, 2])
        #expect(c.objectMatched == 1 && c.objectPredicted == 23 && c.objectTrue == 4)
        let f = Dictionary(r.overall.fields(.reference), uniquingKeysWith: { a, _ in a })
        #expect(f["parsed_prediction_rate"] == .double(2.0 / 3.0))
        #expect(f["object_precision"] == .double(1.0 / 23.0))
        #expect(f["object_recall"] == .double(0.25))
        #expect(f["object_f1"] == .double(2 * (1.0 / 23.0) * 0.25 / (1.0 / 23.0 + 0.25)))
        // Families: Hold Phone → phone_use, Cut paper → paper_cardboard_craft, unknown → other.
        #expect(Set(r.actionFamilyGroups.map(\.group)) == ["phone_use", "paper_cardboard_craft", "other"])
        // Categories: the whole row goes to each category its truth touches.
        let cats = Dictionary(r.objectCategoryGroups.map { ($0.group, $0.counters) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(cats.keys) == ["phone_device", "furniture_room", "other_object", "no_object_label"])
        #expect(cats["phone_device"]?.objectTrue == 2 && cats["furniture_room"]?.objectTrue == 2 && cats["phone_device"]?.objectMatched == 1)
        #expect(cats["other_object"]?.objectTrue == 2 && cats["other_object"]?.parsed == 0)
        #expect(r.objectCategoryGroups.reduce(0) { $0 + $1.counters.samples } == 4, "r1 counts in two categories")
        // Examples: r2 is invalid JSON, r3 overgenerates (> 20).
        #expect(r.invalidJSONExamples == [.object([("id", .string("r2")), ("episode_id", .string("e1")), ("true_action", .string("Cut paper")),
                                                    ("raw_prediction_prefix", .string("not json"))])])
        #expect(r.overgenerationExamples.count == 1)
        #expect(r.overgenerationExamples.first?["predicted_object_count"] == .int(21))
        #expect(r.overgenerationExamples.first?["first_predicted_objects"]?.arrayValue?.count == 20)
        #expect(r.deviations.isEmpty)
        // Without a manifest every episode is episode_manifest_missing.
        #expect(r.modalityGroups.map(\.group) == ["episode_manifest_missing"])
        #expect(r.modalityMissingByEpisode.map(\.0) == ["e1", "e2"])
    }

    @Test("strict: unknown truths excluded and counted, option-matched action, coerced objects, per-category objects")
    func strictCounts() throws {
        let r = try Self.run(Self.rows(Self.handRows), .strict)
        let c = r.overall.counters
        #expect(c.parsed == 2)
        #expect(c.scored == [2, 1, 1, 1, 2])
        #expect(c.hits == [1, 0, 0, 0, 1])
        #expect(c.optionHits == 1)
        #expect(c.objectMatched == 1 && c.objectPredicted == 23 && c.objectTrue == 3, "\"ab\" is one object")
        let f = Dictionary(r.overall.fields(.strict), uniquingKeysWith: { a, _ in a })
        #expect(f["action_exact_rate"] == .double(0.5))
        #expect(f["action_option_match_rate"] == .double(0.5))
        #expect(f["subtask_exact_rate"] == .double(0.0))
        #expect(f["action_excluded_unknown"] == .int(1) && f["subtask_excluded_unknown"] == .int(2) && f["contact_excluded_unknown"] == .int(1))
        // A family for unknown truths.
        #expect(Set(r.actionFamilyGroups.map(\.group)) == ["phone_use", "paper_cardboard_craft", "unknown"])
        let cats = Dictionary(r.objectCategoryGroups.map { ($0.group, $0) }, uniquingKeysWith: { a, _ in a })
        let phone = try #require(cats["phone_device"]?.counters)
        #expect(phone.samples == 1 && phone.predictionRows == 1 && phone.categoryTrue == 1 && phone.categoryPredicted == 1 && phone.categoryMatched == 1)
        let furniture = try #require(cats["furniture_room"])
        #expect(furniture.counters.categoryPredicted == 0)
        #expect(Self.value(furniture, "category_object_precision", .strict, category: true) == .null)
        #expect(Self.value(furniture, "category_object_recall", .strict, category: true) == .double(0))
        // other_object: the truth "ab" (r2), predicted "cup" (r1) and o0…o20 (r3).
        let other = try #require(cats["other_object"]?.counters)
        #expect(other.samples == 1 && other.predictionRows == 2 && other.categoryTrue == 1 && other.categoryPredicted == 22 && other.categoryMatched == 0)
        #expect(r.coercions.first { $0.0 == "true_objects_not_list" }?.1 == 1)
        #expect(r.overgenerationExamples.count == 1)
        #expect(r.predictedObjectCountHistogram.map { [$0.0, $0.1] } == [[0, 1], [2, 1], [21, 1]])
    }

    @Test("strict counts a category seen only in predictions")
    func predictionOnlyCategory() throws {
        let rows = try Self.rows([#"{"episode_id": "e", "true_json": {"action": "a", "objects": ["hand"]}, "pred_json": {"action": "a", "objects": ["scissors"]}}"#])
        let strict = try Self.run(rows, .strict)
        let tool = try #require(strict.objectCategoryGroups.first { $0.group == "tool_stationery" })
        #expect(tool.counters.samples == 0 && tool.counters.predictionRows == 1 && tool.counters.categoryPredicted == 1)
        #expect(Self.value(tool, "parsed_prediction_rate", .strict, category: true) == .null)
        let reference = try Self.run(rows, .reference)
        #expect(reference.objectCategoryGroups.map(\.group) == ["other_object"], "the reference takes categories from the truth only")
    }

    @Test("reference: null objects are a typed deviation, the row still counts with no objects")
    func nullObjects() throws {
        let rows = try Self.rows([
            #"{"id": "x1", "episode_id": "e", "true_json": {"action": "a", "objects": null}, "pred_json": {"action": "a", "objects": 3}}"#,
            #"{"id": "x2", "episode_id": "e", "true_json": [1], "pred_json": {"action": "b"}}"#,
        ])
        let r = try Self.run(rows, .reference)
        #expect(r.deviations.map(\.kind) == [.objectsNotIterable, .objectsNotIterable, .jsonNotObject])
        #expect(r.deviations.map(\.row) == [0, 0, 1])
        #expect(r.deviations.first?.id == "x1" && r.deviations.first?.field == "true_json.objects")
        #expect(r.overall.counters.samples == 2 && r.overall.counters.objectTrue == 0)
        #expect(r.summary["reference_deviations"]?.arrayValue?.count == 3)
        // No deviation, no extra key: the summary keeps the reference's key set.
        let clean = try Self.run(Self.rows(Self.handRows), .reference)
        #expect(clean.summary["reference_deviations"] == nil)
        // Strict coerces the same rows without a deviation.
        let strict = try Self.run(rows, .strict)
        #expect(strict.deviations.isEmpty)
        #expect(strict.coercions.first { $0.0 == "pred_objects_not_list" }?.1 == 1)
        #expect(strict.coercions.first { $0.0 == "true_json_not_object" }?.1 == 1)
    }

    @Test("norm: case and whitespace fold, None and empty values are empty, a list is its Python repr")
    func norm() throws {
        let rows = try Self.rows([
            #"{"episode_id": "e", "true_json": {"action": ["A", 1], "subtask": null, "transition": 0, "next_action": false, "contact": true}, "pred_json": {"action": "['a', 1]", "subtask": "", "transition": "", "next_action": "", "contact": "TRUE "}}"#,
        ])
        let r = try Self.run(rows, .reference)
        #expect(r.overall.counters.hits == [1, 1, 1, 1, 1])
    }

    @Test("sorting: the reference keeps first appearance on ties, strict breaks them by name")
    func ties() throws {
        let rows = try Self.rows(["b", "a", "c"].map { #"{"episode_id": "\#($0)", "true_json": {"action": "x"}, "pred_json": {"action": "y"}}"# }
            + [#"{"episode_id": "a", "true_json": {"action": "x"}, "pred_json": {"action": "y"}}"#])
        #expect(try Self.run(rows, .reference).episodeGroups.map(\.group) == ["b", "c", "a"], "a has more samples, so it sorts last")
        let strict = try Self.run(rows, .strict)
        #expect(strict.episodeGroups.map(\.group) == ["b", "c", "a"])
        let even = try Self.rows(["b", "a", "c"].map { #"{"episode_id": "\#($0)", "true_json": {"action": "x"}, "pred_json": {"action": "y"}}"# })
        #expect(try Self.run(even, .reference).episodeGroups.map(\.group) == ["b", "a", "c"])
        #expect(try Self.run(even, .strict).episodeGroups.map(\.group) == ["a", "b", "c"])
        // A chosen metric first.
        var options = ErrorAnalysisOptions(analysisProtocol: .strict)
        options.strictSortKeys = ["object_f1"]
        #expect(throws: Never.self) { try ErrorAnalysis.run(rows: even, metricsValidity: nil, manifest: nil, options: options) }
        options.strictSortKeys = ["no_such_column"]
        #expect(throws: ErrorAnalysisError.self) { try ErrorAnalysis.run(rows: even, metricsValidity: nil, manifest: nil, options: options) }
    }

    @Test("worst_episode_groups keeps 8, the CSV keeps all; the report's tables stop at 8 rows")
    func worstEight() throws {
        let rows = try Self.rows((0..<10).map { #"{"episode_id": "ep\#($0)", "true_json": {"action": "x"}, "pred_json": {"action": "x"}}"# })
        let r = try Self.run(rows, .reference)
        #expect(r.summary["worst_episode_groups"]?.arrayValue?.count == 8)
        #expect(r.csv(r.episodeGroups).split(separator: "\n").count == 11)
        let section = r.report.components(separatedBy: "## Weakest Episode Groups")[1].components(separatedBy: "## Action Families")[0]
        #expect(section.split(separator: "\n").filter { $0.hasPrefix("| ep") }.count == 8)
        let strict = try Self.run(rows, .strict)
        let all = strict.report.components(separatedBy: "## Episode Groups")[1].components(separatedBy: "## Action Families")[0]
        #expect(all.split(separator: "\n").filter { $0.hasPrefix("| ep") }.count == 10)
    }

    @Test("no rows: empty CSVs, \"No rows.\" tables, zero rates")
    func empty() throws {
        let r = try Self.run([], .reference)
        #expect(r.csv(r.episodeGroups).isEmpty)
        #expect(r.report.contains("No rows."))
        #expect(r.summary["computed"]?["samples"] == .int(0))
        #expect(r.summary["computed"]?["parsed_prediction_rate"] == .double(0))
        #expect(r.familyCSV(r.hierarchicalFamilies) == "family,samples,action_exact_rate,seen_share,contact_exact_rate,transition_exact_rate\n")
    }

    @Test("a null json_validity_rate: the reference's formatter would crash (a deviation); strict prints n/a")
    func nullValidity() throws {
        let rows = try Self.rows(Array(Self.handRows.prefix(1)))
        let r = try ErrorAnalysis.run(rows: rows, metricsValidity: .null, manifest: nil, options: ErrorAnalysisOptions(analysisProtocol: .reference))
        #expect(r.deviations.map(\.kind) == [.validityNotNumber])
        #expect(r.report.contains("- JSON validity from `metrics.json`: `None`"))
        let s = try ErrorAnalysis.run(rows: rows, metricsValidity: .null, manifest: nil, options: ErrorAnalysisOptions(analysisProtocol: .strict))
        #expect(s.report.contains("- JSON validity from `metrics.json`: `n/a`"))
        #expect(s.summary["metrics_json_validity_rate"] == .null)
    }

    @Test("the strict summary has a fixed key set whatever the rows")
    func strictKeys() throws {
        let a = try Self.run([], .strict).summary.objectValue?.map(\.0)
        let b = try Self.run(Self.rows(Self.handRows), .strict).summary.objectValue?.map(\.0)
        #expect(a == b)
        #expect(a?.contains("protocol") == true && a?.contains("taxonomies") == true && a?.contains("predicted_object_count_histogram") == true)
    }
}

@Suite("Error analysis modality states (both manifest formats)")
struct ErrorAnalysisModalityTests {
    static let videos = ["fisheye_cam0.mp4", "fisheye_cam1.mp4", "fisheye_cam2.mp4", "fisheye_cam3.mp4", "stereo_left.mp4", "stereo_right.mp4"]
    static let hdf5 = ["calibration", "slam_pose", "slam_point_cloud", "depth", "depth_confidence", "hand_mocap", "body_mocap", "contacts", "imu", "caption"]

    static func record(id: (String, String?), files: [(String, Bool)], falseModalities: Set<String> = []) -> String {
        let f = files.map { #"{"name": "\#($0.0)", "bytes": 1, "exists": \#($0.1)}"# }.joined(separator: ", ")
        let h = (hdf5 + ["captions"]).map { #""\#($0)": \#(!falseModalities.contains($0) && $0 != "captions")"# }.joined(separator: ", ")
        let idText = id.1.map { #""episode_key": "\#(id.0)", "episode_id": "\#($0)""# } ?? #""episode_id": "\#(id.0)""#
        return #"{\#(idText), "files": [\#(f)], "hdf5_modalities": {\#(h)}}"#
    }

    @Test("reference: RRD false → rrd_missing_only…; a missing video or modality; no record; ours keyed by episode_key")
    func states() throws {
        let all = Self.videos.map { ($0, true) }
        let manifestText = #"{"episodes": ["#
            + [Self.record(id: ("s__e1", nil), files: [("annotation.hdf5", true)] + all + [("visualization.rrd", false)]),
               Self.record(id: ("s__e2", nil), files: all.filter { $0.0 != "stereo_right.mp4" } + [("fisheye_cam1.mp4", false)], falseModalities: ["imu"]),
               // Ours: episode_id is the folder name, episode_key the session-qualified id.
               Self.record(id: ("s__e4", "e4"), files: all + [("visualization.rrd", true)])].joined(separator: ", ")
            + "]}"
        let manifest = try ModalityManifest(json: JSONParser.parse(manifestText), file: "m.json")
        #expect(manifest.count == 3)
        let rows = try ["s__e1", "s__e2", "s__e3", "s__e4"].map { try JSONParser.parse(#"{"episode_id": "\#($0)", "true_json": {}, "pred_json": {}}"#) }
        let r = try ErrorAnalysis.run(rows: rows, metricsValidity: nil, manifest: manifest, options: ErrorAnalysisOptions(analysisProtocol: .reference))
        let missing = Dictionary(r.modalityMissingByEpisode, uniquingKeysWith: { a, _ in a })
        #expect(missing["s__e1"] == ["visualization.rrd"])
        // A repeated file name keeps its last record (fisheye_cam1 false); videos first, then HDF5.
        #expect(missing["s__e2"] == ["fisheye_cam1.mp4", "stereo_right.mp4", "imu"])
        #expect(missing["s__e3"] == ["episode_manifest_missing"])
        #expect(missing["s__e4"] == [])
        #expect(Set(r.modalityGroups.map(\.group)) == ["rrd_missing_only_required_modalities_present", "missing_required_modalities",
                                                         "episode_manifest_missing", "required_modalities_present"])
        // Strict: the RRD is optional; presence is reported per modality.
        let s = try ErrorAnalysis.run(rows: rows, metricsValidity: nil, manifest: manifest, options: ErrorAnalysisOptions(analysisProtocol: .strict))
        #expect(Dictionary(s.modalityMissingByEpisode, uniquingKeysWith: { a, _ in a })["s__e1"] == [])
        let rrd = try #require(s.modalityPresence.first { $0.modality == "visualization.rrd" })
        #expect(rrd.required == false && rrd.present == 1 && rrd.missing == 2 && rrd.unknown == 1)
        let imu = try #require(s.modalityPresence.first { $0.modality == "imu" })
        #expect(imu.present == 2 && imu.missing == 1)
    }
}

extension ErrorAnalysisModalityTests {
    @Test("our xp-scan manifest: episodes found by episode_key, states as its files and modalities say")
    func ourScanManifest() throws {
        let root = try SyntheticDatasets.make(count: 2, frames: 120, seed: 31, label: "errana-scan")
        let options = ScanOptions(qualityPass: false)
        let scan = DatasetScan(root: root.path, options: options, entries: DatasetScan.scan(try DatasetEpisodes.find(root: root), options: options))
        let manifest = try ModalityManifest(json: scan.json, file: "episode_manifest.json")
        #expect(manifest.count == scan.entries.count)
        let rows = try scan.entries.map { try JSONParser.parse(#"{"episode_id": "\#($0.key.text)", "true_json": {}, "pred_json": {}}"#) }
        let r = try ErrorAnalysis.run(rows: rows, metricsValidity: nil, manifest: manifest, options: ErrorAnalysisOptions(analysisProtocol: .reference))
        let missing = Dictionary(r.modalityMissingByEpisode, uniquingKeysWith: { a, _ in a })
        for entry in scan.entries {
            let absentModalities = Self.hdf5.sorted().filter { name in entry.hdf5Modalities.first { $0.0 == name }?.1 != true }
            let required = entry.missingVideos.sorted() + absentModalities
            let expected = !required.isEmpty ? required : (entry.hasRRD ? [] : ["visualization.rrd"])
            #expect(missing[entry.key.text] == expected, "\(entry.key.text)")
        }
    }
}

/// §1.8: the per-family table of the enhancement pack, on rows computed by hand.
@Suite("Per-family tables (§1.8) by hand")
struct ErrorAnalysisFamilyTests {
    static let rows = [
        // reach_grasp_release: action hit, contact hit, transition None == None.
        #"{"true_json": {"action": "Hold cup", "contact": "yes"}, "pred_json": {"action": "Hold cup", "contact": "yes"}, "true_label_seen_in_train": 1}"#,
        // reach_grasp_release: raw, case-sensitive action equality misses.
        #"{"true_json": {"action": "hold cup"}, "pred_json": {"action": "Hold cup"}, "true_label_seen_in_train": 0}"#,
        // The family falls back to true_label; unparsed.
        #"{"true_json": {}, "true_label": "Walk to door", "pred_json": {}}"#,
        // Empty label → unknown.
        #"{"true_json": {"action": ""}, "true_label": "", "pred_json": {}}"#,
        // other_fine_action: a hit; contact None vs "no" misses.
        #"{"true_json": {"action": "Zzz"}, "pred_json": {"action": "Zzz", "contact": "no"}}"#,
    ]

    @Test("reference: raw equality, None == None, true_label fallback, unknown, sorted by (−samples, family)")
    func reference() throws {
        let rows = try Self.rows.map { try JSONParser.parse($0) }
        let r = try ErrorAnalysis.run(rows: rows, metricsValidity: nil, manifest: nil, options: ErrorAnalysisOptions(analysisProtocol: .reference))
        #expect(r.familyCSV(r.hierarchicalFamilies) == """
            family,samples,action_exact_rate,seen_share,contact_exact_rate,transition_exact_rate
            reach_grasp_release,2,0.5,0.5,1.0,1.0
            locomotion,1,0.0,0.0,1.0,1.0
            other_fine_action,1,1.0,0.0,0.0,1.0
            unknown,1,0.0,0.0,1.0,1.0

            """)
    }

    @Test("strict: §1.2 rules (normalised, parsed rows only, unknown truths excluded, None is no match)")
    func strict() throws {
        let rows = try Self.rows.map { try JSONParser.parse($0) }
        let r = try ErrorAnalysis.run(rows: rows, metricsValidity: nil, manifest: nil, options: ErrorAnalysisOptions(analysisProtocol: .strict))
        #expect(r.familyCSV(r.hierarchicalFamilies) == """
            family,samples,action_exact_rate,seen_share,contact_exact_rate,transition_exact_rate,action_scored,contact_scored,transition_scored
            reach_grasp_release,2,1.0,0.5,1.0,,2,1,0
            locomotion,1,0.0,0.0,,,1,0,0
            other_fine_action,1,1.0,0.0,,,1,0,0
            unknown,1,,0.0,,,0,0,0

            """)
    }

    @Test("the dense table uses the 9 families: Take a bottle is reach_grasp_release there, other_fine_action in the contract")
    func dense() throws {
        let rows = try [#"{"true_json": {"action": "Take a bottle"}, "pred_json": {}}"#, #"{"true_json": {"action": "Attach tape"}, "pred_json": {}}"#]
            .map { try JSONParser.parse($0) }
        let r = try ErrorAnalysis.run(rows: rows, metricsValidity: nil, manifest: nil, options: ErrorAnalysisOptions(analysisProtocol: .reference))
        #expect(r.hierarchicalFamilies.map(\.family) == ["other_fine_action"])
        #expect(r.hierarchicalFamilies.first?.counters.samples == 2)
        #expect(r.denseFamilies.map(\.family) == ["assemble_craft", "reach_grasp_release"])
    }
}
