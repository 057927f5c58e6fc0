import EpisodeIO
import Exporters
import Foundation
import Testing
import XPCore

@Suite struct SelectionTests {
    // MARK: Python arithmetic

    @Test func halfToEvenRounding() {
        #expect(PythonNumbers.roundHalfEven(0.5) == 0)
        #expect(PythonNumbers.roundHalfEven(1.5) == 2)
        #expect(PythonNumbers.roundHalfEven(2.5) == 2)
        #expect(PythonNumbers.roundHalfEven(3.5) == 4)
        #expect(PythonNumbers.roundHalfEven(-2.5) == -2)
        #expect(PythonNumbers.roundHalfEven(2.4999) == 2)
        // Split counts: round(4 · 0.125) = round(0.5) = 0, round(12 · 0.125) = round(1.5) = 2.
        #expect(PythonNumbers.roundHalfEven(4 * 0.125) == 0)
        #expect(PythonNumbers.roundHalfEven(12 * 0.125) == 2)
        #expect(PythonNumbers.roundHalfEven(20 * 0.125) == 2)
        // Python: round(0.123456785, 8) == 0.12345678, round(2.675, 2) == 2.67 (binary values
        // just below the half), round(1.25e-07, 8) == 1.2e-07, round(1.000000005, 8) == 1.0.
        #expect(PythonNumbers.round(0.123456785, digits: 8) == 0.12345678)
        #expect(PythonNumbers.round(2.675, digits: 2) == 2.67)
        #expect(PythonNumbers.round(0.000000125, digits: 8) == 1.2e-07)
        #expect(PythonNumbers.round(1.000000005, digits: 8) == 1.0)
    }

    @Test func quantileAndMedian() {
        // pos = 0.5·3 = 1.5 → 2·0.5 + 3·0.5 = 2.5 → round half to even → 2.
        #expect(PythonNumbers.quantile([4, 1, 3, 2], 0.5) == 2)
        // pos = 0.5·1 → 10.5 + … = 15.5 → 16.
        #expect(PythonNumbers.quantile([21, 10], 0.5) == 16)
        // pos = 0.05·1 = 0.05 → 10·0.95 + 20·0.05 = 10.5 → 10.
        #expect(PythonNumbers.quantile([10, 20], 0.05) == 10)
        // pos = 0.25·4 = 1 exactly → the second value.
        #expect(PythonNumbers.quantile([5, 1, 4, 2, 3], 0.25) == 2)
        // pos = 0.75·4 = 3 → 4; q clamps to [0, 1].
        #expect(PythonNumbers.quantile([5, 1, 4, 2, 3], 0.75) == 4)
        #expect(PythonNumbers.quantile([5, 1, 4, 2, 3], 1.5) == 5)
        #expect(PythonNumbers.quantile([], 0.5) == 0)
        #expect(PythonNumbers.quantile([7], 0.05) == 7)
        // pos = 0.05·12101 = 605.05: 0.95·a605 + 0.05·a606.
        let values = (0..<12102).map { 1_000_000_000 + $0 * 100_000 }
        #expect(PythonNumbers.quantile(values, 0.05) == 1_000_000_000 + 605 * 100_000 + 5000)
        #expect(PythonNumbers.median([3, 1, 2]) == 2)
        #expect(PythonNumbers.median([4, 1, 3, 2]) == 2.5)
        // Python human_bytes.
        #expect(PythonNumbers.humanBytes(1_040_984_156) == "992.76 MiB")
        #expect(PythonNumbers.humanBytes(1_315_043_041) == "1.22 GiB")
        #expect(PythonNumbers.humanBytes(1023) == "1023.00 B")
        #expect(PythonNumbers.humanBytes(1536) == "1.50 KiB")
        #expect(PythonNumbers.humanBytes(5 * 1024 * 1024 * 1024 * 1024 * 1024) == "5120.00 TiB")
    }

    @Test func sha256TieValue() {
        // python3 -c "import hashlib; print(hashlib.sha256(b'7:sess/ep3').hexdigest())"
        #expect(PythonNumbers.stableHash(seed: 7, "sess/ep3") == "cd102cc95dc10046e91f1bd09cca5033c45dba9351e9e8a999f8f468977ad213")
        // int('cd102cc95dc1', 16) / 16**12
        #expect(PythonNumbers.stableFloat(seed: 7, "sess/ep3") == 0.8010280601135982)
        // The split order key, seed + 101 = 108: hashlib.sha256(b'108:sess/ep3').hexdigest()
        #expect(PythonNumbers.stableHash(seed: 108, "sess/ep3") == "a0960a721a7b44f0c1f0c058dd6845aa55ae2a919102ed1a8a3b9e785ef412d1")
        #expect(PythonNumbers.codePointLess("Z", "a") && PythonNumbers.codePointLess("a", "é") && !PythonNumbers.codePointLess("é", "z"))
    }

    // MARK: The pilot selection

    /// 60 episodes over 45 sessions; the expected selection was computed once with the
    /// reference's `select_xperience10m_pilot_episodes.py` functions on the same listing.
    static func smallListing() -> [CatalogueFile] {
        var files: [CatalogueFile] = []
        for i in 0..<60 {
            let path = String(format: "s%02d", i % 45) + "/ep\(i)"
            files.append(CatalogueFile(path: path + "/annotation.hdf5", bytes: 600_000_000 + (i * 7919 % 60) * 13_000_000 + i))
            for video in EpisodeFiles.videos where !(i == 13 && video == "stereo_right.mp4") {
                files.append(CatalogueFile(path: path + "/" + video, bytes: 100_000_000 + (i * 104_729 % 17) * 1_000_000))
            }
            if i % 5 == 0 { files.append(CatalogueFile(path: path + "/visualization.rrd", bytes: 3_000_000_000)) }
        }
        return files
    }

    @Test func smallSelectionMatchesTheReference() throws {
        var options = SelectionOptions()
        options.target = 24
        let selection = try PilotSelection.run(Catalogue.episodes(fromFiles: Self.smallListing()), options: options)
        #expect([selection.q25, selection.q50, selection.q75] == [Int](arrayLiteral: 788_500_046, 977_000_031, 1_165_500_016))
        #expect(selection.minAnnotationBytes == 637_700_057)
        #expect(selection.minTrainingBytes == 1_275_000_055)
        #expect(selection.completeCount == 59)
        #expect(selection.candidateCount == 55)
        #expect(selection.rejectedCounts.map(\.reason) == ["annotation_too_small", "training_too_small"])
        #expect(selection.rejectedCounts.map(\.count) == [Int](arrayLiteral: 3, 1))
        let expected: [(String, String, String, Double)] = [
            ("s06/ep51", "short", "val", 0.0678902), ("s05/ep50", "short", "train", 0.07718437), ("s07/ep52", "short", "train", 0.08006283),
            ("s04/ep49", "short", "train", 0.08527032), ("s08/ep53", "short", "train", 0.1075315), ("s03/ep48", "short", "test", 0.10917269),
            ("s38/ep38", "lower_mid", "train", 0.0363762), ("s37/ep37", "lower_mid", "train", 0.04189772), ("s39/ep39", "lower_mid", "train", 0.04525954),
            ("s36/ep36", "lower_mid", "train", 0.06237267), ("s35/ep35", "lower_mid", "test", 0.06747804), ("s40/ep40", "lower_mid", "val", 0.06951915),
            ("s23/ep23", "upper_mid", "train", 0.01957732), ("s24/ep24", "upper_mid", "train", 0.02609468), ("s25/ep25", "upper_mid", "val", 0.0288321),
            ("s22/ep22", "upper_mid", "train", 0.04049419), ("s21/ep21", "upper_mid", "train", 0.04631635), ("s26/ep26", "upper_mid", "test", 0.04781493),
            ("s09/ep9", "long", "val", 0.05610846), ("s10/ep10", "long", "test", 0.05715072), ("s11/ep11", "long", "train", 0.07427752),
            ("s12/ep12", "long", "train", 0.07533433), ("s14/ep14", "long", "train", 0.09334006), ("s02/ep2", "long", "train", 0.10751518),
        ]
        #expect(selection.selected.count == expected.count)
        for (s, e) in zip(selection.selected, expected) {
            #expect(s.episode.episodePath == e.0)
            #expect(s.band.rawValue == e.1)
            #expect(s.split == e.2, "\(e.0)")
            #expect(s.score == e.3, "\(e.0)")
        }
        #expect(selection.selected.map(\.rank) == [Int](1...24))
        // The CSV in Python csv conventions.
        let lines = selection.csv.components(separatedBy: "\r\n")
        #expect(lines[0] == "selection_rank,split,size_band,episode_path,top_level_session,episode_id,annotation_human,training_human,annotation_bytes,training_bytes_excluding_visualization_rrd,has_visualization_rrd,selection_score")
        #expect(lines[1].hasPrefix("1,val,short,s06/ep51,s06,ep51,") && lines[1].hasSuffix(",False,0.0678902"))
        #expect(lines.count == 26 && lines[25] == "")
    }

    @Test func tooFewEpisodesIsATypedError() {
        var options = SelectionOptions()
        options.target = 200
        // 44 sessions keep a candidate (the reference's functions give the same count).
        #expect(throws: SelectionError.tooFewEpisodes(found: 44, target: 200)) {
            try PilotSelection.run(Catalogue.episodes(fromFiles: Self.smallListing()), options: options)
        }
        options.target = 24
        options.valFraction = 0.3
        #expect(throws: SelectionError.self) { try PilotSelection.run([], options: options) }
    }

    /// A metadata table with the published run's shape: 12,103 episodes in distinct sessions,
    /// one missing a video. Annotation bytes rise with the index (1e9 + 100 kB·i), so the bottom
    /// 5 % quantile falls between episodes 605 and 606; the 606 smallest training sizes are
    /// episodes 0–587 and 606–623, each with a 10 GB `visualization.rrd` that must not count.
    static func publishedShapeCSV() -> String {
        var csv = "rfilename,size,lfs_size\n"
        csv.reserveCapacity(12_103 * 8 * 40)
        for i in 0..<12_103 {
            let path = "session\(i)/ep\(i % 97)"
            let incomplete = i == 12_102
            let annotation = incomplete ? 900_000_000 : 1_000_000_000 + i * 100_000
            let lowTraining = i < 588 || (606..<624).contains(i)
            let videos = lowTraining ? 60_000_000 : 3_000_000_000 + (i * 7919 % 1000) * 1_000_000
            csv += "\(path)/annotation.hdf5,\(annotation),\n"
            for (v, name) in EpisodeFiles.videos.enumerated() where !(incomplete && name == "stereo_right.mp4") {
                let bytes = videos / 6 + (v < videos % 6 ? 1 : 0)
                // Some sizes only in the LFS column, as Hugging Face lists large files.
                csv += v == 2 ? "\(path)/\(name),,\(bytes)\n" : "\(path)/\(name),\(bytes),\n"
            }
            if lowTraining || i % 3 == 0 { csv += "\(path)/visualization.rrd,10000000000,\n" }
        }
        csv += ".gitattributes,120,\nREADME.md,999,\n"
        return csv
    }

    @Test func publishedCountsFromASyntheticTable() throws {
        let files = try Catalogue.parseMetadataCSV(Self.publishedShapeCSV(), file: "synthetic.csv")
        let episodes = Catalogue.episodes(fromFiles: files)
        #expect(episodes.count == 12_103)
        var options = SelectionOptions()
        options.generatedAt = Date(timeIntervalSince1970: 1_780_000_000)
        let selection = try PilotSelection.run(episodes, options: options)
        let json = selection.json(repoSHA: "ce943cf2")
        #expect(json["available_complete_episodes"] == .int(12_102))
        #expect(json["rejected_counts"] == .object([("annotation_too_small", .int(606)), ("training_too_small", .int(18))]))
        #expect(json["candidate_episodes_after_filters"] == .int(11_478))
        #expect(json["rules"]?["min_annotation_bytes"] == .int(1_000_000_000 + 605 * 100_000 + 5000))
        let summary = try #require(json["selected_summary"])
        #expect(summary["episode_count"] == .int(128))
        #expect(summary["unique_session_count"] == .int(128))
        #expect(summary["size_band_counts"] == .object([("short", .int(32)), ("lower_mid", .int(32)), ("upper_mid", .int(32)), ("long", .int(32))]))
        #expect(summary["split_counts"] == .object([("train", .int(96)), ("val", .int(16)), ("test", .int(16))]))
        for band in SizeBand.allCases {
            #expect(summary["split_band_counts"]?["train/\(band.rawValue)"] == .int(24))
            #expect(summary["split_band_counts"]?["val/\(band.rawValue)"] == .int(4))
            #expect(summary["split_band_counts"]?["test/\(band.rawValue)"] == .int(4))
        }
        for key in ["train_sessions_overlap_val", "train_sessions_overlap_test", "val_sessions_overlap_test"] {
            #expect(summary[key] == .array([]))
        }
        #expect(json["selected_episodes"]?.arrayValue?.count == 128)
        #expect(json["download_files"]?.arrayValue?.count == 896)
        #expect(json["generated_at_utc"] == .string("2026-05-28T20:26:40+00:00"))
        // The audit of the selection's split agrees.
        let audit = LeakageAudit(split: selection.assignment)
        #expect(audit.passed)
        #expect(audit.check("session_in_one_split")?.status == .pass)
    }

    @Test func oneEpisodePerSessionAndBand() throws {
        // Two sessions with several episodes each: the walk never takes a session twice.
        var files: [CatalogueFile] = []
        for s in 0..<6 {
            for e in 0..<5 {
                let path = "S\(s)/ep\(e)"
                files.append(CatalogueFile(path: path + "/annotation.hdf5", bytes: 1_000_000_000 + (s * 5 + e) * 10_000_000))
                for v in EpisodeFiles.videos { files.append(CatalogueFile(path: path + "/" + v, bytes: 500_000_000)) }
            }
        }
        var options = SelectionOptions()
        options.target = 6
        let selection = try PilotSelection.run(Catalogue.episodes(fromFiles: files), options: options)
        #expect(Set(selection.selected.map(\.episode.session)).count == 6)
        options.target = 7
        #expect(throws: SelectionError.tooFewEpisodes(found: 6, target: 7)) { try PilotSelection.run(Catalogue.episodes(fromFiles: files), options: options) }
        options.onePerSession = false
        #expect(try PilotSelection.run(Catalogue.episodes(fromFiles: files), options: options).selected.count == 7)
    }

    // MARK: Catalogue inputs

    @Test func metadataTableForms() throws {
        let json = try JSONParser.parse(#"{"id": "ropedia-ai/xperience-10m", "sha": "abc", "siblings": [{"rfilename": "a/ep1/annotation.hdf5", "size": null, "lfs": {"size": 42}}, {"rfilename": "a/ep1/stereo_left.mp4", "size": 7}, {"rfilename": "b/x/notes.txt", "size": 1}, {"rfilename": ".gitattributes", "size": 3}]}"#)
        let catalogue = try Catalogue.metadataCatalogue(json, file: "t.json")
        #expect(catalogue.repoSHA == "abc" && catalogue.repoID == "ropedia-ai/xperience-10m")
        #expect(catalogue.episodes.count == 1)
        let e = try #require(catalogue.episodes.first)
        #expect(e.episodePath == "a/ep1" && e.session == "a" && e.episodeNumber == 1 && e.annotationBytes == 42 && e.trainingBytes == 49)
        #expect(e.key == EpisodeKey(session: "a", episode: "ep1"))
        #expect(!e.hasAllSixVideos && e.missingRequiredFiles.count == 5 && e.downloadFiles == ["a/ep1/annotation.hdf5", "a/ep1/stereo_left.mp4"])
        #expect(throws: SelectionError.self) { try Catalogue.parseMetadataCSV("name,size\nx,1\n", file: "t.csv") }
        let quoted = try Catalogue.parseMetadataCSV("path,bytes\r\n\"a,b/ep2/annotation.hdf5\",5\r\n", file: "t.csv")
        #expect(quoted == [CatalogueFile(path: "a,b/ep2/annotation.hdf5", bytes: 5)])
        #expect(CatalogueEpisode.number(ofEpisodeID: "ep007") == 7 && CatalogueEpisode.number(ofEpisodeID: "ep") == nil && CatalogueEpisode.number(ofEpisodeID: "ep1a") == nil)
    }

    static func manifest(_ episodes: [String]) -> String {
        #"{"summary": {"num_episodes": 3}, "episodes": ["# + episodes.joined(separator: ", ") + #"], "skipped": [{"path": "/d/s9/ep1", "reason": "no annotation.hdf5"}]}"#
    }

    static func manifestEpisode(_ key: String, usable: Bool = true, extra: String = "") -> String {
        let files = (["annotation.hdf5"] + EpisodeFiles.videos).map { #"{"name": "\#($0)", "bytes": 1000, "exists": true}"# }
            + [#"{"name": "visualization.rrd", "bytes": 50, "exists": false}"#]
        return #"{"episode_key": "\#(key)", "path": "/d/x", "files": [\#(files.joined(separator: ", "))], "usable": \#(usable), "skip_reason": \#(usable ? "null" : "\"corrupt annotation\""), "frame_count": 7\#(extra)}"#
    }

    @Test func episodeManifestIsReadTolerantly() throws {
        let text = Self.manifest([Self.manifestEpisode("s1__ep1"), Self.manifestEpisode("s1__ep2", usable: false), Self.manifestEpisode("s2__ep1", extra: #", "train_minimal_bytes": 7000"#)])
        let value = try JSONParser.parse(text)
        #expect(Catalogue.isEpisodeManifest(value))
        let catalogue = try Catalogue.manifestCatalogue(value, file: "m.json")
        #expect(catalogue.episodes.map(\.episodePath) == ["s1/ep1", "s2/ep1"])
        #expect(catalogue.episodes[0].trainingBytes == 7000 && catalogue.episodes[0].hasAllSixVideos && !catalogue.episodes[0].hasVisualizationRRD)
        #expect(catalogue.unusable == [UnusableEpisode(name: "s1__ep2", reason: "corrupt annotation"), UnusableEpisode(name: "/d/s9/ep1", reason: "no annotation.hdf5")])
        let broken = Self.manifest([Self.manifestEpisode("s1__ep1"), #"{"episode_key": "s3__ep1"}"#])
        #expect(throws: SelectionError.badEpisodeEntry(file: "m.json", index: 1, key: "files", reason: "missing, or not an array")) {
            try Catalogue.manifestCatalogue(try JSONParser.parse(broken), file: "m.json")
        }
        let noKey = Self.manifest([#"{"files": []}"#])
        #expect(throws: SelectionError.badEpisodeEntry(file: "m.json", index: 0, key: "episode_key", reason: "missing, or not a string")) {
            try Catalogue.manifestCatalogue(try JSONParser.parse(noKey), file: "m.json")
        }
    }

    // MARK: The grouped split

    static func eightEpisodes() -> [(key: EpisodeKey, session: String)] {
        (0..<8).map { i in (EpisodeKey(session: "sess\(i / 2)", episode: "ep\(i % 2 + 1)"), "sess\(i / 2)") }
    }

    @Test func groupedSplitKeepsSessionsTogether() {
        let split = EpisodeSplitAssignment.grouped(Self.eightEpisodes(), seed: 7)
        #expect(split.entries.count == 8)
        // 8 episodes in 4 sessions: round(8·0.125) = 1 episode each for val and test, so one
        // session (2 episodes) each; train keeps the other two sessions.
        #expect(split.counts == ["train": 4, "val": 2, "test": 2])
        for name in SplitNames.all {
            for other in SplitNames.all where other != name { #expect(split.sessions(in: name).isDisjoint(with: split.sessions(in: other))) }
        }
        #expect(LeakageAudit(split: split).passed)
        // Deterministic by seed, and the seed matters.
        #expect(EpisodeSplitAssignment.grouped(Array(Self.eightEpisodes().reversed()), seed: 7) == split)
        let others = (0..<20).map { EpisodeSplitAssignment.grouped(Self.eightEpisodes(), seed: $0).keys(in: "test") }
        #expect(Set(others).count > 1)
        // 3 sessions of one episode: one each.
        let three = EpisodeSplitAssignment.grouped((0..<3).map { (EpisodeKey(session: "t\($0)", episode: "ep1"), "t\($0)") }, seed: 7)
        #expect(three.counts == ["train": 1, "val": 1, "test": 1])
        // 128 one-episode sessions: 96/16/16.
        let many = EpisodeSplitAssignment.grouped((0..<128).map { (EpisodeKey(session: "m\($0)", episode: "ep1"), "m\($0)") }, seed: 7)
        #expect(many.counts == ["train": 96, "val": 16, "test": 16])
        // One session: all train.
        #expect(EpisodeSplitAssignment.grouped([(EpisodeKey(session: "a", episode: "ep1"), "a")]).counts["train"] == 1)
    }

    @Test func splitFileIsUsedVerbatimAndValidated() throws {
        let dataset = Set(Self.eightEpisodes().map(\.key))
        let supplied = """
            {"version": 1, "method": "hand", "seed": 3, "episodes": [
              {"episode_key": "sess0__ep1", "session": "sess0", "split": "test"},
              {"episode_key": "sess0__ep2", "split": "test"},
              {"episode_key": "sess1__ep1", "split": "train"}]}
            """
        let split = try EpisodeSplitAssignment.parse(supplied, file: "split.json", dataset: dataset)
        #expect(split.method == "hand" && split.seed == 3)
        #expect(split.split(of: EpisodeKey(session: "sess0", episode: "ep2")) == "test")
        #expect(split.split(of: EpisodeKey(session: "sess3", episode: "ep1")) == nil)
        #expect(split.entries[1].session == "sess0")
        // Round trip through the written form.
        let written = EpisodeSplitAssignment.grouped(Self.eightEpisodes(), seed: 7)
        #expect(try EpisodeSplitAssignment.parse(written.json.pythonJSON(indent: 2), file: "w.json", dataset: dataset) == written)

        func bad(_ episodes: String) -> String { #"{"version": 1, "episodes": [\#(episodes)]}"# }
        #expect(throws: SelectionError.unknownSplitName(file: "f", key: "sess0__ep1", split: "holdout")) {
            try EpisodeSplitAssignment.parse(bad(#"{"episode_key": "sess0__ep1", "split": "holdout"}"#), file: "f", dataset: dataset)
        }
        #expect(throws: SelectionError.duplicateKey(file: "f", key: "sess0__ep1")) {
            try EpisodeSplitAssignment.parse(bad(#"{"episode_key": "sess0__ep1", "split": "train"}, {"episode_key": "sess0__ep1", "split": "test"}"#), file: "f", dataset: dataset)
        }
        #expect(throws: SelectionError.unknownEpisode(file: "f", key: "sess9__ep1")) {
            try EpisodeSplitAssignment.parse(bad(#"{"episode_key": "sess9__ep1", "split": "train"}"#), file: "f", dataset: dataset)
        }
        #expect(throws: SelectionError.self) { try EpisodeSplitAssignment.parse(#"{"version": 2, "episodes": []}"#, file: "f") }
        #expect(throws: SelectionError.self) { try EpisodeSplitAssignment.parse(bad(#"{"episode_key": "noseparator", "split": "train"}"#), file: "f") }
        #expect(throws: SelectionError.self) { try EpisodeSplitAssignment.parse("[]", file: "f") }
    }

    // MARK: Leakage audit

    static func entry(_ s: String, _ e: String, _ split: String) -> EpisodeSplitEntry {
        EpisodeSplitEntry(key: EpisodeKey(session: s, episode: e), session: s, split: split)
    }

    @Test func plantedEpisodeAndSessionLeaksAreCaught() {
        let twice = EpisodeSplitAssignment(method: "t", seed: 0, entries: [Self.entry("a", "ep1", "train"), Self.entry("a", "ep1", "test"), Self.entry("b", "ep1", "val")])
        let audit = LeakageAudit(split: twice)
        #expect(!audit.passed)
        #expect(audit.check("episode_in_one_split")?.status == .fail)
        #expect(audit.check("episode_in_one_split")?.offending == [.object([("episode_key", .string("a__ep1")), ("splits", .array([.string("train"), .string("test")]))])])
        let session = EpisodeSplitAssignment(method: "t", seed: 0, entries: [Self.entry("a", "ep1", "train"), Self.entry("a", "ep2", "val"), Self.entry("b", "ep1", "test")])
        let sessionAudit = LeakageAudit(split: session)
        #expect(sessionAudit.check("episode_in_one_split")?.status == .pass)
        #expect(sessionAudit.check("session_in_one_split")?.status == .fail)
        #expect(sessionAudit.check("session_in_one_split")?.offendingCount == 1)
        #expect(sessionAudit.json["status"] == .string("fail"))
        #expect(sessionAudit.json["failed_checks"] == .array([.string("session_in_one_split")]))
    }

    static let cleanSplit = EpisodeSplitAssignment(method: "t", seed: 0, entries: [entry("a", "ep1", "train"), entry("b", "ep1", "val"), entry("c", "ep1", "test")])

    static func record(_ id: String, _ session: String, _ split: String, action: String? = nil, subtask: String? = nil) -> LeakageRecord {
        LeakageRecord(id: id, episodeKey: EpisodeKey(session: session, episode: "ep1"), split: split, startFrame: 0, endFrame: 20, futureEndFrame: 40, action: action, subtask: subtask)
    }

    @Test func plantedRecordAndPairLeaksAreCaught() {
        let records = [Self.record("r1", "a", "train"), Self.record("r2", "a", "train"), Self.record("r3", "c", "test"), Self.record("r4", "b", "test")]
        let clean = LeakageAudit(split: Self.cleanSplit, records: Array(records.prefix(3)), pairs: [LeakagePair(fromID: "r1", toID: "r2", kind: "future")])
        #expect(clean.passed)
        #expect(clean.check("pairs_within_split")?.status == .pass)
        // r4 claims test but its episode is val; a negative pair reaches a test window from train.
        let leaky = LeakageAudit(split: Self.cleanSplit, records: records,
                                 pairs: [LeakagePair(fromID: "r1", toID: "r3", kind: "negative"), LeakagePair(fromID: "r1", toID: "r2", kind: "future"),
                                         LeakagePair(fromID: "r1", toID: "missing", kind: "future")])
        #expect(!leaky.passed)
        #expect(leaky.check("record_split_matches_episode")?.status == .fail)
        #expect(leaky.check("record_split_matches_episode")?.offending.first?["id"] == .string("r4"))
        #expect(leaky.check("pairs_within_split")?.offendingCount == 2)
        #expect(leaky.check("pairs_within_split")?.offending.first?["reason"] == .string("crosses splits"))
        // A future target in another episode of the same split.
        let twoTrain = EpisodeSplitAssignment(method: "t", seed: 0, entries: [Self.entry("a", "ep1", "train"), Self.entry("d", "ep1", "train")])
        let crossEpisode = LeakageAudit(split: twoTrain, records: [Self.record("x", "a", "train"), Self.record("y", "d", "train")],
                                        pairs: [LeakagePair(fromID: "x", toID: "y", kind: "future"), LeakagePair(fromID: "y", toID: "x", kind: "negative")])
        #expect(crossEpisode.check("pairs_within_split")?.offendingCount == 1)
        // Without records the record checks are noted, not passed silently.
        #expect(LeakageAudit(split: Self.cleanSplit).check("record_split_matches_episode")?.status == .noted)
    }

    @Test func testOnlyLabelsFailStrictAndAreNotedInReference() {
        let records = [Self.record("r1", "a", "train", action: "pour", subtask: "make tea"), Self.record("r2", "b", "val", action: "stir", subtask: "make tea"),
                       Self.record("r3", "c", "test", action: "pour", subtask: "clean up"), Self.record("r4", "c", "test", action: "fold", subtask: "make tea")]
        let actions = ["fold", "pour", "stir"], subtasks = ["clean up", "make tea"]
        let strict = LeakageAudit(split: Self.cleanSplit, records: records, actionOptions: actions, subtaskOptions: subtasks, protocol: .strict)
        #expect(!strict.passed)
        #expect(strict.check("no_test_only_action_labels_in_options")?.status == .fail)
        #expect(strict.check("no_test_only_action_labels_in_options")?.offending == [.string("fold")])
        #expect(strict.check("no_test_only_subtask_labels_in_options")?.offending == [.string("clean up")])
        let reference = LeakageAudit(split: Self.cleanSplit, records: records, actionOptions: actions, subtaskOptions: subtasks, protocol: .reference)
        #expect(reference.passed)
        let noted = reference.check("no_test_only_action_labels_in_options")
        #expect(noted?.status == .noted && noted?.offendingCount == 1)
        #expect(noted?.note?.contains("published behaviour") == true)
        let text = reference.json.pythonJSON(indent: 2)
        #expect(text.hasPrefix("{\n  \"version\": 1,\n  \"protocol\": \"reference\",\n  \"status\": \"pass\""))
        // A clean option list passes under strict.
        #expect(LeakageAudit(split: Self.cleanSplit, records: records, actionOptions: ["pour"], subtaskOptions: ["make tea"], protocol: .strict).passed)
    }
}
