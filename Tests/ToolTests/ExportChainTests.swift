import EpisodeIO
import Foundation
import Testing
import XPCore
import XPTestSupport

/// The many-episode chain end to end, as the README runs it: xp-fixture --dataset → xp-scan →
/// xp-select → xp-export-qwen → xp-index, on a generated dataset of tiny episodes, plus one
/// episode without a caption and one folder without an annotation (skipped, with reasons).
@Suite("Many-episode chain: scan, select, export, index", .serialized)
struct ExportChainTests {
    static let frames = 300
    static let cap = 5

    struct Chain: Sendable {
        var root: URL
        var scan: URL
        var select: URL
        var export: URL
        var runs: [ToolRun]
    }

    /// Generated once: 6 complete episodes in 2 sessions, one without a caption, one folder
    /// with MP4s only; then the chain.
    static let chain: Result<Chain, ToolTestError> = {
        do {
            let base = try Scratch.folder("chain")
            let root = base.appendingPathComponent("dataset")
            var runs: [ToolRun] = []
            let fixture = try Tools.run("xp-fixture", ["--size", "tiny", "--frames", "\(frames)", "--dataset", "6", "--seed", "3", "--out", root.path])
            runs.append(fixture)
            guard fixture.status == 0 else { return .failure(.toolFailed(fixture)) }
            let odd = base.appendingPathComponent("odd")
            let nocap = try Tools.run("xp-fixture", ["--size", "tiny", "--frames", "\(frames)", "--variant", "no-caption", "--seed", "5", "--out", odd.path])
            guard nocap.status == 0, let made = nocap.stdout.split(separator: "\n").first else { return .failure(.toolFailed(nocap)) }
            // Move it into the dataset as a third session; and a folder with one MP4 and no annotation.
            let session = root.appendingPathComponent("ffff0000-0000-4000-8000-000000000000")
            try FileManager.default.createDirectory(at: session, withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: URL(fileURLWithPath: String(made)), to: session.appendingPathComponent("ep1"))
            try FileManager.default.createDirectory(at: session.appendingPathComponent("ep2"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: session.appendingPathComponent("ep1/fisheye_cam0.mp4"), to: session.appendingPathComponent("ep2/fisheye_cam0.mp4"))

            let scan = base.appendingPathComponent("scan"), select = base.appendingPathComponent("select"), export = base.appendingPathComponent("export")
            for args in [["xp-scan", root.path, "--out", scan.path],
                         ["xp-select", scan.path, "--out", select.path],
                         ["xp-export-qwen", root.path, "--split", select.appendingPathComponent("split.json").path, "--out", export.path,
                          "--cap", "\(cap)", "--shards", "3", "--relative-paths", "--quiet"]] {
                let run = try Tools.run(args[0], Array(args.dropFirst()))
                runs.append(run)
                guard run.status == 0 else { return .failure(.toolFailed(run)) }
            }
            return .success(Chain(root: root, scan: scan, select: select, export: export, runs: runs))
        } catch let e as ToolTestError { return .failure(e) } catch { return .failure(.unexpected("\(error)")) }
    }()

    @Test("xp-scan lists every episode folder and skips the two unusable ones with their reasons")
    func scanManifest() throws {
        let c = try Self.chain.get()
        let manifest = try JSONParser.parse(String(decoding: try Data(contentsOf: c.scan.appendingPathComponent("episode_manifest.json")), as: UTF8.self))
        let episodes = try #require(manifest["episodes"]?.arrayValue)
        #expect(episodes.count == 8)
        #expect(manifest["summary"]?["num_usable"]?.numberValue == 6)
        let skipped = try #require(manifest["skipped"]?.arrayValue)
        let reasons = Dictionary(uniqueKeysWithValues: skipped.compactMap { s in s["episode_key"]?.stringValue.map { ($0, s["reason"]?.stringValue ?? "") } })
        #expect(reasons["ffff0000-0000-4000-8000-000000000000__ep1"]?.hasPrefix("No caption_frame_info_map found in annotation") == true, "\(reasons)")
        #expect(reasons["ffff0000-0000-4000-8000-000000000000__ep2"] == "No annotation.hdf5 in the episode folder", "\(reasons)")
        for e in episodes {
            let key = try #require(e["episode_key"]?.stringValue)
            #expect(key == "\(e["session"]?.stringValue ?? "")__\(e["episode_id"]?.stringValue ?? "")")
        }
        #expect(c.runs[1].stderr.contains("skipped ffff0000-0000-4000-8000-000000000000__ep2: No annotation.hdf5"), "\(c.runs[1])")
        #expect(c.runs[1].stderr.contains("skipped ffff0000-0000-4000-8000-000000000000__ep1: No caption_frame_info_map"), "\(c.runs[1])")
    }

    @Test("xp-select splits by session and its audit passes; every record validates against the schema")
    func recordsValidate() throws {
        let c = try Self.chain.get()
        let split = try JSONParser.parse(String(decoding: try Data(contentsOf: c.select.appendingPathComponent("split.json")), as: UTF8.self))
        let entries = try #require(split["episodes"]?.arrayValue)
        var sessionSplit: [String: Set<String>] = [:]
        for e in entries { sessionSplit[e["session"]?.stringValue ?? "", default: []].insert(e["split"]?.stringValue ?? "") }
        #expect(sessionSplit.values.allSatisfy { $0.count == 1 }, "a session spans two splits: \(sessionSplit)")

        let schema = try JSONSchemaLite(data: Data(contentsOf: ProjectFixtures.url("schemas/qwen_record.schema.json")))
        let lines = try String(contentsOf: c.export.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            let problems = schema.violations(of: object)
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
        let audit = try JSONParser.parse(String(decoding: try Data(contentsOf: c.export.appendingPathComponent("leakage_audit.json")), as: UTF8.self))
        #expect(audit["passed"]?.boolValue == true || audit["status"]?.stringValue == "pass", "\(audit.pythonJSON().prefix(600))")
    }

    @Test("Records per episode are min(cap, labelled windows) from xp-windows; the target is sorted compact JSON that parses back to the answer")
    func countsAndTargets() throws {
        let c = try Self.chain.get()
        let records = try String(contentsOf: c.export.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        var perEpisode: [String: Int] = [:]
        for r in records { perEpisode[r["episode_id"]?.stringValue ?? "", default: 0] += 1 }
        #expect(perEpisode.count == 6)
        for (key, count) in perEpisode {
            let k = try #require(EpisodeKey(parsing: key))
            let run = try Tools.run("xp-windows", [c.root.appendingPathComponent(k.relativePath).path, "--window", "20", "--stride", "20"])
            #expect(run.status == 0, "\(run)")
            // The reference's csv module ends lines with \r\n (one Character in Swift).
            let rows = run.stdout.split(whereSeparator: \.isNewline).dropFirst()
            // windows.csv: index,start,end,center,action,... — a labelled window has a non-empty action.
            let labelled = rows.filter { $0.split(separator: ",", omittingEmptySubsequences: false).count > 4 && !$0.split(separator: ",", omittingEmptySubsequences: false)[4].isEmpty }.count
            #expect(count == min(Self.cap, labelled), "\(key): \(count) records, \(labelled) labelled windows")
        }
        for r in records {
            let messages = try #require(r["messages"]?.arrayValue)
            let target = try #require(messages.last?["content"]?.stringValue)
            let parsed = try JSONParser.parse(target)
            #expect(parsed.objectValue?.map(\.0) == ["action", "contact", "evidence_window", "next_action", "objects", "subtask", "transition"])
            #expect(!target.contains(", ") && !target.contains(": "), "not compact: \(target)")
            #expect(parsed["action"] == r["answer_json"]?["action"])
            #expect(parsed["evidence_window"]?["start_frame"] == r["center_window"]?["start_frame"])
            #expect(r["label_options"] == r["action_options"])
            // Strict: the option lists hold train labels only.
            if let action = r["answer_json"]?["action"]?.stringValue, r["split"]?.stringValue == "train" {
                #expect(r["action_options"]?.arrayValue?.contains(.string(action)) == true)
            }
        }
    }

    @Test("Mosaic clips decode to 16 frames of 960x480; WAVs are 16 kHz mono; NPZ rows cover every labelled window")
    func media() throws {
        let c = try Self.chain.get()
        let first = try #require(try String(contentsOf: c.export.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n").first)
        let r = try JSONParser.parse(String(first))
        let mosaic = try #require(r["media"]?["mosaic_video_path"]?.stringValue)
        let decoder = try VideoDecoder(url: c.export.appendingPathComponent(mosaic))
        var frames = 0
        while let f = try decoder.nextFrame() { frames += 1; #expect(f.width == 960 && f.height == 480) }
        #expect(frames == 16)
        let wav = try #require(r["media"]?["audio_path"]?.stringValue)
        let data = try Data(contentsOf: c.export.appendingPathComponent(wav))
        let channels = Int(data[22]) | Int(data[23]) << 8
        let rate = Int(data[24]) | Int(data[25]) << 8 | Int(data[26]) << 16 | Int(data[27]) << 24
        #expect(channels == 1 && rate == 16_000)
        let ctx = Double((r["media"]?["context_end_frame"]?.numberValue ?? 0) - (r["media"]?["context_start_frame"]?.numberValue ?? 0) + 1)
        let samples = Double(data.count - 44) / 2
        // The context at the episode's ~20 fps, within one AAC frame of audio.
        let fps = 20.0
        #expect(abs(samples - ctx / fps * 16_000) <= 1_100, "\(samples) samples for \(ctx) frames")
    }

    @Test("A finished export run again does nothing; a second export of the same inputs is byte-identical")
    func rerunAndDeterminism() throws {
        let c = try Self.chain.get()
        let before = SyntheticDatasets.files(c.export)
        let again = try Tools.run("xp-export-qwen", [c.root.path, "--split", c.select.appendingPathComponent("split.json").path, "--out", c.export.path,
                                                     "--cap", "\(Self.cap)", "--shards", "3", "--relative-paths", "--quiet"])
        #expect(again.status == 0, "\(again)")
        #expect(again.stderr.contains("nothing to do"), "\(again)")
        let after = SyntheticDatasets.files(c.export)
        #expect(before.map(\.0) == after.map(\.0))
        #expect(before.map(\.1) == after.map(\.1))
        let other = try Scratch.folder("export-b").appendingPathComponent("export")
        let second = try Tools.run("xp-export-qwen", [c.root.path, "--split", c.select.appendingPathComponent("split.json").path, "--out", other.path,
                                                      "--cap", "\(Self.cap)", "--shards", "3", "--relative-paths", "--quiet", "--jobs", "1"])
        #expect(second.status == 0, "\(second)")
        let b = SyntheticDatasets.files(other)
        #expect(before.map(\.0) == b.map(\.0))
        for ((name, x), (_, y)) in zip(before, b) { #expect(x == y, "\(name) differs between two exports") }
    }

    @Test("An export killed mid-way (SIGKILL) resumes to the same bytes as an uninterrupted one")
    func resumeAfterKill() throws {
        let c = try Self.chain.get()
        let out = try Scratch.folder("export-killed").appendingPathComponent("export")
        let executable = try Tools.productsDirectory.get().appendingPathComponent("xp-export-qwen")
        let args = [c.root.path, "--split", c.select.appendingPathComponent("split.json").path, "--out", out.path,
                    "--cap", "\(Self.cap)", "--shards", "3", "--relative-paths", "--quiet", "--jobs", "1"]
        let process = Process()
        process.executableURL = executable
        process.arguments = args
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once the first episode is committed and before the merge.
        let deadline = Date().addingTimeInterval(120)
        var killedMidway = false
        while Date() < deadline, process.isRunning {
            let markers = SyntheticDatasets.files(out).filter { $0.0.contains("/done/") }.count
            if markers >= 2 { kill(process.processIdentifier, SIGKILL); killedMidway = true; break }
            usleep(20_000)
        }
        process.waitUntilExit()
        #expect(killedMidway, "the export finished before it could be killed")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("dataset_manifest.json").path))
        let resumed = try Tools.run("xp-export-qwen", args)
        #expect(resumed.status == 0, "\(resumed)")
        let a = SyntheticDatasets.files(c.export), b = SyntheticDatasets.files(out)
        #expect(a.map(\.0) == b.map(\.0), "file lists differ")
        for ((name, x), (_, y)) in zip(a, b) { #expect(x == y, "\(name) differs after the resume") }
    }

    @Test("xp-index writes one neutral record per exported record, with the adapter views")
    func index() throws {
        let c = try Self.chain.get()
        let run = try Tools.run("xp-index", [c.export.path])
        #expect(run.status == 0, "\(run)")
        let records = try String(contentsOf: c.export.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n").count
        let index = try String(contentsOf: c.export.appendingPathComponent("window_index.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(index.count == records)
        let first = try JSONParser.parse(String(index[0]))
        #expect(first["adapter_views"]?["qwen3_omni_lora"]?["messages_available"] == .bool(true))
        #expect(first["modalities"]?["sensor_features"]?["dim"]?.numberValue == 4430)
        let manifest = try JSONParser.parse(String(decoding: try Data(contentsOf: c.export.appendingPathComponent("window_index_manifest.json")), as: UTF8.self))
        #expect(manifest["num_records"]?.numberValue == Double(records))
    }
}
