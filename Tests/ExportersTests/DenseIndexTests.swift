import Exporters
import Foundation
import Testing
import XPCore

/// The dense multiscale index (exporters.md §5.4, analysis-and-report.md §2.1) on sparse sets
/// worked out by hand.
@Suite("Dense multiscale index")
struct DenseIndexTests {
    static func seed(_ ep: String, _ start: Int, _ end: Int, _ action: String = "a", split: String = "train") -> DenseSeed {
        DenseSeed(id: .string("\(ep):qa:\(start)"), episodeID: ep, split: split, start: start, end: end, action: action)
    }

    @Test("window counts: len(range(0, max_end − W + 2, stride)), and the §5.4 planning estimate agrees")
    func counts() {
        let s20 = DenseScale(id: "a", window: 20, stride: 10)
        // max_end 19: one window [0, 19]. 29: starts 0, 10. 28: only 0 (10 + 19 = 29 > 28).
        #expect(s20.windowCount(maxEnd: 19) == 1)
        #expect(s20.windowCount(maxEnd: 29) == 2)
        #expect(s20.windowCount(maxEnd: 28) == 1)
        #expect(s20.windowCount(maxEnd: 18) == 0, "shorter than the window: a skip record")
        #expect(Array(s20.starts(maxEnd: 49)) == [0, 10, 20, 30])
        let s80 = DenseScale(id: "l", window: 80, stride: 40)
        #expect(s80.windowCount(maxEnd: 5101) == Array(s80.starts(maxEnd: 5101)).count)
        #expect(s80.windowCount(maxEnd: 5101) == 126)  // (5101 − 80 + 1) // 40 + 1
        for maxEnd in [-5, 0, 7, 18, 19, 20, 39, 40, 79, 80, 119, 997, 5101] {
            for scale in DenseScale.defaults + [DenseScale(id: "x", window: 1, stride: 1), DenseScale(id: "y", window: 20, stride: 5)] {
                let listed = Array(scale.starts(maxEnd: maxEnd)).count
                #expect(scale.windowCount(maxEnd: maxEnd) == listed)
                #expect(DenseScale.planningEstimate(maxFrame: maxEnd + 1, window: scale.window, stride: scale.stride) == listed, "\(scale) \(maxEnd)")
            }
        }
        // §5.4's estimate: (max_frame − W) // stride + 1, 0 when max_frame < W.
        #expect(DenseScale.planningEstimate(maxFrame: 100, window: 20, stride: 20) == 5)
        #expect(DenseScale.planningEstimate(maxFrame: 19, window: 20, stride: 20) == 0)
    }

    @Test("nearest sparse window: exact, overlap-nearest, gap-nearest")
    func nearest() {
        // One episode: [0, 19], [40, 59], [200, 219].
        let seeds = [Self.seed("e", 0, 19), Self.seed("e", 40, 59), Self.seed("e", 200, 219)]
        let starts = seeds.map(\.start)
        #expect(DenseIndex.nearest(seeds, starts: starts, start: 0, end: 19) == 0)        // exact
        #expect(DenseIndex.nearest(seeds, starts: starts, start: 10, end: 29) == 0)       // centre 19.5: 10 from 9.5, 30 from 49.5
        #expect(DenseIndex.nearest(seeds, starts: starts, start: 30, end: 49) == 1)       // centre 39.5: 30 vs 10; overlaps [40, 59]
        #expect(DenseIndex.nearest(seeds, starts: starts, start: 100, end: 119) == 1)     // gap: 109.5 is 60 from 49.5, 100 from 209.5
        #expect(DenseIndex.nearest(seeds, starts: starts, start: 140, end: 159) == 2)     // gap: 149.5 is 100 from 49.5, 60 from 209.5
    }

    @Test("ties: equal centre distance goes to the larger overlap, then the lower index")
    func ties() {
        // Dense [10, 29] (centre 19.5). A = [0, 39] (centre 19.5, overlap 20) and B = [19, 20]
        // (centre 19.5, overlap 2): same distance, A overlaps more.
        let a = [Self.seed("e", 0, 39), Self.seed("e", 19, 20)]
        #expect(DenseIndex.nearest(a, starts: a.map(\.start), start: 10, end: 29) == 0)
        let b = [Self.seed("e", 19, 20), Self.seed("e", 19, 20)]
        #expect(DenseIndex.nearest(b, starts: b.map(\.start), start: 10, end: 29) == 0, "identical windows: the first")
        // Same distance (10) and overlap (10) on both sides of [20, 39] (centre 29.5): [10, 29]
        // and [30, 49] → the lower index.
        let c = [Self.seed("e", 10, 29), Self.seed("e", 30, 49)]
        #expect(DenseIndex.nearest(c, starts: c.map(\.start), start: 20, end: 39) == 0)
        // At equal distance the larger overlap wins over the lower index: [10, 29] overlaps
        // [20, 39] by 10, [25, 54] (centre 39.5, also 10 away) by 15.
        let d = [Self.seed("e", 10, 29), Self.seed("e", 25, 54)]
        #expect(DenseIndex.nearest(d, starts: d.map(\.start), start: 20, end: 39) == 1)
    }

    @Test("candidates are only the 9 seeds around bisect_left, so a nearer window further away in the list is not seen")
    func candidateWindow() {
        // A long window starting at 0 comes first; ten short ones at 100…109. For dense [300, 319],
        // bisect_left gives 11 (past the end): candidates 7…10 only; the long [0, 640] (centre 320)
        // would be nearer but is index 0.
        var seeds = [Self.seed("e", 0, 640)]
        for k in 0..<10 { seeds.append(Self.seed("e", 100 + k, 119 + k)) }
        #expect(DenseIndex.nearest(seeds, starts: seeds.map(\.start), start: 300, end: 319) == 10)
    }

    @Test("build: provenance kinds, labels copied, the split of the first seed, a skip record for a short episode")
    func build() throws {
        let seeds = [
            Self.seed("b", 0, 19, "Hold cup", split: "train"), Self.seed("b", 40, 59, "Cut paper", split: "val"),
            Self.seed("a", 0, 9, "Walk", split: "test"),
        ]
        let index = DenseIndex.build(seeds: seeds, options: DenseIndexOptions(scales: [DenseScale(id: "s", window: 20, stride: 10)], datasetPath: "d.jsonl"))
        #expect(index.episodes.map(\.id) == ["a", "b"], "code-point order")
        #expect(index.skipped == [DenseIndexResult.Skip(episode: 0, scale: 0)], "a ends at 9 < 20 − 1")
        // b: max_end 59 → starts 0, 10, 20, 30, 40.
        #expect(index.rows.map(\.start) == [0, 10, 20, 30, 40])
        // [10, 29] (centre 19.5) is 10 from [0, 19] and overlaps it; [20, 39] (centre 29.5) is 20
        // from both and overlaps neither: the lower index, a gap; [30, 49] overlaps [40, 59].
        #expect(index.rows.map(\.kind) == [.exact, .overlap, .gap, .overlap, .exact])
        #expect(index.rows.map(\.seed) == [0, 0, 0, 1, 1])
        #expect(index.rows.map(\.overlap) == [20, 10, 0, 10, 20])
        let labels = index.seedLabels()
        #expect(labels[1][0] == ["reach_grasp_release", "Hold cup", "unknown", "unknown", "unknown", "unknown", "unknown", "unknown"])
        #expect(index.episodes[1].split == "train")
    }

    @Test("gap rows and the strict label weight")
    func gapAndWeight() throws {
        let seeds = [Self.seed("e", 0, 19), Self.seed("e", 100, 119)]
        let index = DenseIndex.build(seeds: seeds, options: DenseIndexOptions(scales: [DenseScale(id: "s", window: 20, stride: 20)], datasetPath: "d"))
        // starts 0, 20, 40, 60, 80, 100; [40, 59] centre 49.5: 40 from 9.5, 60 from 109.5 → seed 0, gap.
        #expect(index.rows.map(\.kind) == [.exact, .gap, .gap, .gap, .gap, .exact])
        #expect(index.rows.map(\.seed) == [0, 0, 0, 1, 1, 1])
        #expect(index.rows.map { $0.kind.labelWeight } == [1, 0, 0, 0, 0, 1])
        let labels = index.seedLabels()
        let row = index.rowJSON(index.rows[1], labels: labels[0][0])
        #expect(row["label_weight"] == .int(0))
        #expect(row["id"] == .string("e:ms:s:000020_000039"))
        #expect(row["source_sparse_window"]?["kind"] == .string("gap_nearest_sparse_window"))
        #expect(row["source_sparse_window"]?["center_distance_frames"] == .double(20))
        #expect(row["source_sparse_window"]?["overlap_fraction_of_dense"] == .double(0))
        var reference = index
        reference.options.analysisProtocol = .reference
        #expect(reference.rowJSON(index.rows[1], labels: labels[0][0])["label_weight"] == nil)
    }

    @Test("overlap fractions are rounded to 6 places as Python's round does")
    func fractions() throws {
        // Windows of 3 over the seeds [0, 2] and [10, 12].
        let index = DenseIndex.build(seeds: [Self.seed("e", 10, 12), Self.seed("e", 0, 2)],
                                     options: DenseIndexOptions(scales: [DenseScale(id: "w", window: 3, stride: 1)], datasetPath: "d"))
        let labels = index.seedLabels()
        let row = try #require(index.rows.first { $0.start == 1 })
        // [1, 3] vs [0, 2]: overlap 2 of 3 → 0.666667.
        let json = index.rowJSON(row, labels: labels[row.episode][row.seed])
        #expect(json["source_sparse_window"]?["overlap_fraction_of_dense"] == .double(0.666667))
        #expect(json["source_sparse_window"]?["overlap_fraction_of_source"] == .double(0.666667))
    }

    @Test("seeds: the reference's compact_source rules")
    func seeds() throws {
        let row = try JSONParser.parse("""
            {"id": "s__ep1:qa:3", "episode_id": "s__ep1", "split": "val", "center_window": {"start_frame": 40.9, "end_frame": "59"},
             "media": {"video_paths": [{"name": "b.mp4"}, {"name": "a.mp4"}, {"name": "b.mp4"}, {"name": ""}, "x"], "mosaic_video_path": "", "audio_path": "a.wav"},
             "sensor_feature_dim": 4430, "label": "Fallback",
             "answer_json": {"action": "", "subtask": "  Sorting beads ", "objects": ["1", "2", "3", "4", "5", "6", "7", "8", "9"], "contact": " YES ", "transition": null}}
            """)
        let s = try DenseSeed(row: row)
        #expect(s.start == 40 && s.end == 59)
        #expect(s.mediaNames == ["a.mp4", "b.mp4"])
        #expect(!s.hasMosaic && s.hasAudio)
        #expect(s.action == "Fallback", "an empty action falls back to the row's label")
        #expect(s.subtask == "Sorting beads" && s.nextAction == "unknown")
        #expect(s.contact == "yes" && s.transition == "unknown")
        #expect(s.objects.count == 8)
        #expect(s.sensorFeatureDim == 4430)
        // true_json is used when answer_json is absent; a bad frame value is an error.
        let t = try DenseSeed(row: JSONParser.parse(#"{"episode_id": "e", "true_json": {"action": "Walk"}}"#))
        #expect(t.action == "Walk" && t.start == 0 && t.split == "None")
        #expect(throws: SeedError.self) { try DenseSeed(row: JSONParser.parse(#"{"episode_id": "e", "center_window": {"start_frame": "1.5"}}"#)) }
        #expect(throws: SeedError.self) { try DenseSeed(row: JSONParser.parse(#"{"episode_id": 3}"#)) }
    }

    @Test("a zstd-compressed dataset.jsonl.zst seeds the same index; a bad line names path:line")
    func zstd() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dense-zst-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = #"{"episode_id": "e", "center_window": {"start_frame": 0, "end_frame": 19}, "answer_json": {"action": "Hold"}}"# + "\n\n"
            + #"{"episode_id": "e", "center_window": {"start_frame": 40, "end_frame": 59}, "answer_json": {"action": "Walk"}}"# + "\n"
        let zst = folder.appendingPathComponent("dataset.jsonl.zst")
        try Zstd.compress(Data(text.utf8)).write(to: zst)
        let seeds = try DenseIndex.loadSeeds(zst.path)
        #expect(seeds.map(\.action) == ["Hold", "Walk"])
        let bad = folder.appendingPathComponent("bad.jsonl")
        try Data((text + "{\"episode_id\": [1]}\n").utf8).write(to: bad)
        #expect(throws: ErrorAnalysisError.badInput(file: bad.path, line: 4, detail: "episode_id must be a string, found an array")) {
            try DenseIndex.loadSeeds(bad.path)
        }
    }

    @Test("the §2.2 test-split counts from the 14 test episodes' sparse windows (v3 predictions)",
          .sharedFixtures("reference-128ep/qwen-v3/eval/predictions.jsonl"))
    func referenceTestCounts() throws {
        let path = try SharedFixtures.url("reference-128ep/qwen-v3/eval/predictions.jsonl").path
        let seeds = try DenseIndex.loadSeeds(path)
        #expect(seeds.count == 448)
        let index = DenseIndex.build(seeds: seeds, options: DenseIndexOptions(datasetPath: path))
        // §2.2 [DERIVED], row "test": 6,752 / 3,369 / 1,674 = 11,795.
        let perScale = DenseScale.defaults.indices.map { k in index.rows.filter { $0.scale == k }.count }
        #expect(perScale == [6752, 3369, 1674])
        #expect(index.rows.count == 11795)
        // Every sparse window is an exact row of the 20/10 scale.
        #expect(index.provenanceCounts.first { $0.0 == .exact }?.1 == 448)
        #expect(index.rows.filter { $0.kind == .exact }.allSatisfy { $0.scale == 0 })
        #expect(index.skipped.isEmpty)
    }

    @Test("the writer refuses a non-empty folder without force; the manifest has sorted keys and the path as given")
    func writer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dense-writer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let index = DenseIndex.build(seeds: [Self.seed("e", 0, 19, "Hold cup"), Self.seed("e", 20, 39, "Hold cup", split: "train")],
                                     options: DenseIndexOptions(scales: [DenseScale(id: "s", window: 20, stride: 10)], analysisProtocol: .reference,
                                                                datasetPath: "relative/dataset.jsonl", createdAt: "2026-06-08T00:00:00+00:00"))
        try DenseIndexWriter.write(index, to: folder, force: false)
        #expect(throws: ErrorAnalysisError.self) { try DenseIndexWriter.write(index, to: folder, force: false) }
        try DenseIndexWriter.write(index, to: folder, force: true)
        let manifest = try String(contentsOf: folder.appendingPathComponent(DenseIndexWriter.manifestFile), encoding: .utf8)
        let keys = try JSONParser.parse(manifest).objectValue?.map(\.0) ?? []
        #expect(keys == keys.sorted())
        #expect(manifest.contains(#""dataset_jsonl": "relative/dataset.jsonl""#))
        #expect(try String(contentsOf: folder.appendingPathComponent(DenseIndexWriter.countsFile), encoding: .utf8) == "split,scale_id,windows\ntrain,s,3\n")
        let lines = try String(contentsOf: folder.appendingPathComponent(DenseIndexWriter.rowsFile), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix(#"{"center_window": {"end_frame": 19, "num_frames": 20, "start_frame": 0}, "episode_id": "e", "id": "e:ms:s:000000_000019""#))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(DenseIndexWriter.provenanceFile).path))
        #expect(DenseIndexWriter.isoNow(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00+00:00")
        #expect(DenseIndexWriter.isoNow(Date(timeIntervalSince1970: 1.5)) == "1970-01-01T00:00:01.500000+00:00")
    }
}
