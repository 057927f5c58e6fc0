import Foundation
import Testing
import XPTestSupport

/// Each tool on the shared tiny synthetic episode (300 frames, seed 7): exit 0 and the files
/// the tool promises. Expected values come from the episode's definition (frames, the 65
/// datasets, 20/5 windows, the 8,546-column schema), not from the tools' own output.
@Suite("Tool happy paths")
struct HappyPathTests {
    @Test("xp-fixture writes annotation.hdf5 and the six MP4s and prints the episode folder")
    func fixture() throws {
        let generated = try SharedEpisode.generated.get()
        #expect(generated.fixtureRun.status == 0)
        #expect(generated.folder.lastPathComponent == "ep1")
        let expected = ["annotation.hdf5", "fisheye_cam0.mp4", "fisheye_cam1.mp4", "fisheye_cam2.mp4", "fisheye_cam3.mp4",
                        "stereo_left.mp4", "stereo_right.mp4"]
        #expect(Scratch.entries(generated.folder) == expected)
        let header = try FileHandle(forReadingFrom: generated.folder.appendingPathComponent("annotation.hdf5")).read(upToCount: 8)
        #expect(header == Data([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]), "not an HDF5 signature")
        #expect(generated.fixtureRun.stderr.contains("300 frames"), "\(generated.fixtureRun)")
    }

    @Test("xp-inspect --json: 300 frames, all 65 datasets, every modality usable")
    func inspectJSON() throws {
        let run = try Tools.run("xp-inspect", [try SharedEpisode.episode().path, "--json"])
        #expect(run.status == 0, "\(run)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
        #expect(object["frames"] as? Int == SharedEpisode.frames)
        #expect(object["datasetsPresent"] as? Int == 65)
        #expect(object["datasetsExpected"] as? Int == 65)
        #expect(object["complete"] as? Bool == true)
        #expect((object["problems"] as? [Any])?.isEmpty == true, "\(object["problems"] ?? "none")")
        let modalities = try #require(object["modalities"] as? [[String: Any]])
        #expect(!modalities.isEmpty && modalities.allSatisfy { $0["usable"] as? Bool == true })
        let media = try #require(object["media"] as? [[String: Any]])
        #expect(media.count == 6 && media.allSatisfy { $0["status"] as? String == "ok" })
    }

    @Test("xp-inspect text summary and --labels CSV")
    func inspectTextAndLabels() throws {
        let episode = try SharedEpisode.episode().path
        let text = try Tools.run("xp-inspect", [episode])
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("Frames       300"), "\(text)")
        #expect(text.stdout.contains("Schema       65/65 datasets present (complete)"), "\(text)")
        #expect(text.stdout.contains("Problems     none"), "\(text)")
        let labels = try Tools.run("xp-inspect", [episode, "--labels"])
        #expect(labels.status == 0, "\(labels)")
        let lines = labels.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "frame,action,subtask")
        #expect(lines.count == SharedEpisode.frames + 2, "header, one line per frame, final newline")
        // The scripted activity starts with "Pick up kettle" in the "Prepare kettle" step.
        #expect(lines.dropFirst().first == "0,Pick up kettle,Prepare kettle")
    }

    @Test("xp-windows: the reference columns, 57 windows of 20/5, stdout and --out alike")
    func windows() throws {
        let episode = try SharedEpisode.episode().path
        let work = try Scratch.folder("windows")
        let stdout = try Tools.run("xp-windows", [episode], in: work)
        #expect(stdout.status == 0, "\(stdout)")
        let rows = stdout.stdout.components(separatedBy: "\r\n")
        #expect(rows.first == "window_index,start_frame,end_frame,center_frame,action_label,action_fraction,subtask_label,subtask_fraction")
        #expect(rows.count == SharedEpisode.windowCount + 2, "header, rows, final CRLF")
        #expect(rows.dropFirst().first?.hasPrefix("0,0,19,9,Pick up kettle,") == true, "\(rows.dropFirst().first ?? "")")
        #expect(rows.dropFirst(SharedEpisode.windowCount).first?.hasPrefix("\(SharedEpisode.windowCount - 1),280,299,289,") == true)
        let file = work.appendingPathComponent("w.csv")
        let written = try Tools.run("xp-windows", [episode, "--out", file.path, "--window", "40", "--stride", "10"], in: work)
        #expect(written.status == 0, "\(written)")
        #expect(written.stdout.isEmpty)
        #expect(written.stderr.contains("wrote 27 windows"), "\(written)")  // ⌊(300 − 40)/10⌋ + 1
        #expect(Scratch.entries(work) == ["w.csv"], "temporary files left: \(Scratch.entries(work))")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.components(separatedBy: "\r\n").count == 27 + 2)
    }

    @Test("xp-features: features.npy of 57 × 8,546 float32 and its companion files")
    func features() throws {
        let result = try SharedEpisode.features.get()
        let folder = result.folder
        #expect(result.run.stdout.isEmpty, "\(result.run)")
        #expect(Scratch.entries(folder) == ["available_modalities.json", "feature_manifest.json", "features.npy", "presence.json", "windows.csv"])
        let npy = try Data(contentsOf: folder.appendingPathComponent("features.npy"))
        let header = try NPYHeader(npy)
        #expect(header.descr == "<f4")
        #expect(header.shape == [SharedEpisode.windowCount, 8546])
        #expect(npy.count == header.dataOffset + SharedEpisode.windowCount * 8546 * 4)
        // The manifest: 18 blocks covering 0..<8546, valid against Fixtures/schemas.
        let manifestData = try Data(contentsOf: folder.appendingPathComponent("feature_manifest.json"))
        let schema = try JSONSchemaLite(data: ProjectFixtures.data("schemas/feature_manifest.schema.json"))
        let manifest = try JSONSerialization.jsonObject(with: manifestData)
        #expect(schema.violations(of: manifest).isEmpty, "\(schema.violations(of: manifest))")
        let entries = try #require(manifest as? [[String: Any]])
        #expect(entries.count == 18)
        #expect(entries.first?["start"] as? Int == 0 && entries.last?["end"] as? Int == 8546)
        for (a, b) in zip(entries, entries.dropFirst()) { #expect(a["end"] as? Int == b["start"] as? Int) }
        // The windows beside the features are the ones xp-windows cuts.
        let windows = try Tools.run("xp-windows", [try SharedEpisode.episode().path])
        #expect(try String(contentsOf: folder.appendingPathComponent("windows.csv"), encoding: .utf8) == windows.stdout)
    }

    @Test("xp-suite: one seed, minimal head, two tasks → summary and per-task metrics")
    func suite() throws {
        let work = try Scratch.folder("suite")
        let out = work.appendingPathComponent("suite")
        let run = try Tools.run("xp-suite", ["--episode", try SharedEpisode.episode().path, "--features", try SharedEpisode.featureFolder().path,
                                             "--seeds", "7", "--heads", "minimal", "--tasks", "timeline_action,temporal_order",
                                             "--out", out.path, "--quiet"], in: work)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("# Task suite summary (strict protocol)"), "\(run)")
        #expect(run.stdout.contains("(`timeline_action`)") && run.stdout.contains("(`temporal_order`)"), "\(run)")
        #expect(!run.stdout.contains("(`next_action`)"), "a task that was not asked for ran")
        #expect(run.stderr.isEmpty, "--quiet printed: \(run.stderr)")
        let entries = Scratch.entries(out)
        for name in ["summary.md", "summary_report.json", "timeline_action", "temporal_order"] {
            #expect(entries.contains(name), "\(name) missing from \(entries)")
        }
        #expect(!entries.contains("next_action"))
        for task in ["timeline_action", "temporal_order"] {
            let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("\(task)/metrics.json")))
            #expect((metrics as? [String: Any]) != nil, "\(task)/metrics.json is not an object")
        }
        #expect(Scratch.entries(work) == ["suite"], "xp-suite wrote \(Scratch.entries(work)) into its working folder")
    }

    @Test("xp-train then xp-evaluate: timeline_action, minimal head")
    func trainAndEvaluate() throws {
        let episode = try SharedEpisode.episode().path
        let features = try SharedEpisode.featureFolder().path
        let work = try Scratch.folder("train")
        let model = work.appendingPathComponent("action")
        let train = try Tools.run("xp-train", ["--episode", episode, "--features", features, "--task", "timeline_action",
                                               "--head", "minimal", "--out", model.path, "--cache", work.appendingPathComponent("cache").path], in: work)
        #expect(train.status == 0, "\(train)")
        #expect(train.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == model.path)
        #expect(Scratch.entries(model) == ["model.safetensors", "predictions.json"])
        let predictions = try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("predictions.json"))) as? [String: Any]
        #expect(predictions != nil, "predictions.json is not a JSON object")

        let eval = work.appendingPathComponent("action-eval")
        let evalArgs = ["--episode", episode, "--features", features, "--predictions", model.path, "--out", eval.path,
                        "--no-bootstrap", "--cache", work.appendingPathComponent("cache").path]
        let evaluate = try Tools.run("xp-evaluate", evalArgs, in: work)
        #expect(evaluate.status == 0, "\(evaluate)")
        let entries = Scratch.entries(eval)
        #expect(entries.contains("metrics.json"), "\(entries)")
        let metricsData = try Data(contentsOf: eval.appendingPathComponent("metrics.json"))
        let metrics = try #require(try JSONSerialization.jsonObject(with: metricsData) as? [String: Any])
        for key in ["accuracy", "balanced_accuracy", "macro_f1", "weighted_f1", "majority_baseline_accuracy"] {
            let value = try #require(metrics[key] as? Double, "metrics.json lacks \(key)")
            #expect((0...1).contains(value), "\(key) = \(value)")
        }
        #expect(metrics["task"] as? String == "timeline_action")
        // stdout carries the same metrics.
        #expect(evaluate.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(decoding: metricsData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        // The same predictions against an unreadable episode: exit 1 naming its annotation.hdf5.
        let corrupt = try Scratch.corruptEpisode(Scratch.garbage)
        let badEpisode = try Tools.run("xp-evaluate", ["--episode", corrupt.path, "--predictions", model.path,
                                                       "--out", work.appendingPathComponent("bad-eval").path], in: work)
        #expect(badEpisode.status == 1, "\(badEpisode)")
        #expect(badEpisode.stderr.contains(corrupt.appendingPathComponent("annotation.hdf5").path), "\(badEpisode)")
        // A second run into the same folder is refused, naming it.
        let again = try Tools.run("xp-evaluate", evalArgs, in: work)
        #expect(again.status == 1, "\(again)")
        #expect(again.stderr.contains(eval.path), "\(again)")
        // Nothing else (no temporary folders) is left beside the outputs; the cache is optional.
        #expect(Set(Scratch.entries(work)).subtracting(["cache"]) == ["action", "action-eval"], "\(Scratch.entries(work))")
    }

    @Test("xp-bench hdf5: one small run prints one JSON report")
    func bench() throws {
        let work = try Scratch.folder("bench")
        let run = try Tools.run("xp-bench", ["hdf5", "--frames", "100", "--repeats", "1", "--cache", work.appendingPathComponent("cache").path], in: work)
        #expect(run.status == 0, "\(run)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run)")
        #expect(report["area"] as? String == "hdf5")
        #expect(report["frames"] as? Int == 100)
        #expect(report["repeats"] as? Int == 1)
        #expect((report["depth_frame_by_frame_seconds"] as? Double).map { $0 > 0 } == true)
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("cache/sample-seed7/annotation.hdf5").path))
    }
}

/// The header of a NumPy `.npy` file (version 1 or 2), parsed independently of WindowAlign.
struct NPYHeader {
    var descr: String
    var shape: [Int]
    var dataOffset: Int

    init(_ data: Data) throws {
        let bytes = [UInt8](data.prefix(16))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw ToolTestError.unexpected("not an .npy file (magic \(bytes.prefix(6)))")
        }
        let major = bytes[6]
        let length = major == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8
                                : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        let start = major == 1 ? 10 : 12
        dataOffset = start + length
        let dict = String(decoding: data[start..<min(data.count, dataOffset)], as: UTF8.self)
        func value(_ key: String) -> Substring? {
            guard let r = dict.range(of: "'\(key)': ") else { return nil }
            return dict[r.upperBound...]
        }
        guard let d = value("descr"), let q1 = d.firstIndex(of: "'"), let q2 = d[d.index(after: q1)...].firstIndex(of: "'"),
              let s = value("shape"), let open = s.firstIndex(of: "("), let close = s.firstIndex(of: ")") else {
            throw ToolTestError.unexpected("unreadable .npy header: \(dict)")
        }
        descr = String(d[d.index(after: q1)..<q2])
        shape = s[s.index(after: open)..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}

@Suite("Fixtures/schemas")
struct SchemaFileTests {
    @Test("the manifest schema accepts an 18-block manifest and rejects broken ones")
    func manifestSchemaCanFail() throws {
        let schema = try JSONSchemaLite(data: ProjectFixtures.data("schemas/feature_manifest.schema.json"))
        func block(_ i: Int) -> [String: Any] { ["name": "b\(i)", "start": i, "end": i + 1, "dim": 1] }
        let good: [[String: Any]] = (0..<18).map(block)
        #expect(schema.violations(of: good).isEmpty, "\(schema.violations(of: good))")
        #expect(!schema.violations(of: Array(good.dropLast())).isEmpty, "17 blocks")
        var missing = good; missing[3]["dim"] = nil
        #expect(schema.violations(of: missing) == ["$[3]: missing dim"])
        var extra = good; extra[0]["note"] = "x"
        #expect(schema.violations(of: extra) == ["$[0]: unexpected key note"])
        var wrongType = good; wrongType[5]["start"] = "5"
        #expect(schema.violations(of: wrongType) == ["$[5].start: expected integer, found string"])
        var fractional = good; fractional[5]["end"] = 6.5
        #expect(schema.violations(of: fractional) == ["$[5].end: expected integer, found number"])
        var boolean = good; boolean[2]["dim"] = true
        #expect(schema.violations(of: boolean) == ["$[2].dim: expected integer, found boolean"])
        #expect(!schema.violations(of: ["not": "an array"]).isEmpty)
        // Round trip through JSON text, as the files are read.
        let data = try JSONSerialization.data(withJSONObject: boolean)
        #expect(schema.violations(of: try JSONSerialization.jsonObject(with: data)) == ["$[2].dim: expected integer, found boolean"])
    }
}
