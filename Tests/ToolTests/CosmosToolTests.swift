import Foundation
import Testing
import XPCore
import XPTestSupport

/// `xp-export-cosmos` end to end on a tiny Qwen export (2 episodes, 6 records each, no media).
@Suite("xp-export-cosmos: future pairs, pose targets, eval-future", .serialized)
struct CosmosToolTests {
    static let cap = 6

    struct Source: Sendable {
        var export: URL
        /// The export's records with the second episode moved to `test` (the on-the-fly split of
        /// two episodes puts both in train).
        var mixed: URL
        var episodes: [String]
        var records: Int
    }

    static let source: Result<Source, ToolTestError> = {
        do {
            let root = try SyntheticDatasets.make(count: 2, frames: 300, seed: 13, label: "cosmos")
            let base = try Scratch.folder("cosmos")
            let export = base.appendingPathComponent("export")
            let run = try Tools.run("xp-export-qwen", [root.path, "--out", export.path, "--cap", "\(cap)", "--no-media", "--shards", "1", "--quiet"])
            guard run.status == 0 else { return .failure(.toolFailed(run)) }
            let lines = try String(contentsOf: export.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
            let rows = try lines.map { try JSONParser.parse($0) }
            var episodes: [String] = []
            for r in rows { if let e = r["episode_id"]?.stringValue, !episodes.contains(e) { episodes.append(e) } }
            guard episodes.count == 2 else { return .failure(.unexpected("expected 2 exported episodes, found \(episodes)")) }
            let mixed = base.appendingPathComponent("mixed/dataset.jsonl")
            try FileManager.default.createDirectory(at: mixed.deletingLastPathComponent(), withIntermediateDirectories: true)
            let moved = rows.map { r -> String in
                guard case .object(var f) = r, r["episode_id"]?.stringValue == episodes[1] else { return r.pythonJSON(.unicode) }
                if let i = f.firstIndex(where: { $0.0 == "split" }) { f[i].1 = .string("test") }
                return JSONValue.object(f).pythonJSON(.unicode)
            }
            try Data((moved.joined(separator: "\n") + "\n").utf8).write(to: mixed)
            return .success(Source(export: export, mixed: mixed, episodes: episodes, records: rows.count))
        } catch let e as ToolTestError { return .failure(e) } catch { return .failure(.unexpected("\(error)")) }
    }()

    static func json(_ url: URL) throws -> JSONValue {
        try JSONParser.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self))
    }

    static func lines(_ url: URL) throws -> [JSONValue] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    @Test("future: pairs within an episode and split, the manifests, the cap; eval-future scores them")
    func futureAndEval() throws {
        let s = try Self.source.get()
        #expect(s.records == 2 * Self.cap)
        let out = try Scratch.folder("future").appendingPathComponent("future")
        let run = try Tools.run("xp-export-cosmos", ["future", s.mixed.path, "--out", out.path, "--horizon", "2"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout == out.appendingPathComponent("dataset.jsonl").path + "\n", "\(run)")
        #expect(run.stderr.contains("wrote 8 pairs (train 4, test 4) from 2 episodes"), "\(run)")
        let pairs = try Self.lines(out.appendingPathComponent("dataset.jsonl"))
        #expect(pairs.count == 8)
        for p in pairs {
            let episode = try #require(p["episode_id"]?.stringValue)
            #expect(p["future_record_id"]?.stringValue?.hasPrefix(episode + ":qa:") == true)
            #expect(p["split"] == .string(episode == s.episodes[0] ? "train" : "test"))
            #expect((p["future_window"]?["start_frame"]?.numberValue ?? 0) > (p["window"]?["start_frame"]?.numberValue ?? 0))
            #expect(p["sensor_feature_dim"] == .int(4430))
        }
        #expect(pairs.map { $0["id"]?.stringValue ?? "" }.prefix(2) == ["\(s.episodes[0]):future:00000:h2", "\(s.episodes[0]):future:00001:h2"])
        let manifest = try Self.json(out.appendingPathComponent("dataset_manifest.json"))
        #expect(manifest["num_samples"] == .int(8) && manifest["num_episodes"] == .int(2))
        #expect(manifest["episode_split_counts"] == .object([("train", .int(1)), ("test", .int(1))]))
        #expect(manifest["cosmos_model"]?["available"] == .bool(false))
        let episodes = try Self.json(out.appendingPathComponent("episode_manifest.json"))
        #expect(episodes["episodes"]?.arrayValue?.map { $0["source_record_count"] } == [.int(Self.cap), .int(Self.cap)])

        // The cap, and a horizon no episode reaches (nothing written, exit 1).
        let capped = try Scratch.folder("future-cap").appendingPathComponent("f")
        let capRun = try Tools.run("xp-export-cosmos", ["future", s.mixed.path, "--out", capped.path, "--horizon", "2", "--max-pairs-per-episode", "1"])
        #expect(capRun.status == 0, "\(capRun)")
        #expect(try Self.lines(capped.appendingPathComponent("dataset.jsonl")).count == 2)
        let far = try Scratch.folder("future-far").appendingPathComponent("f")
        let farRun = try Tools.run("xp-export-cosmos", ["future", s.mixed.path, "--out", far.path, "--horizon", "\(Self.cap)"])
        #expect(farRun.status == 1, "\(farRun)")
        #expect(farRun.stderr.contains("no future-window pairs at horizon \(Self.cap)"), "\(farRun)")
        #expect(!FileManager.default.fileExists(atPath: far.path))

        // eval-future on the pairs: 4 test queries against 4 candidates.
        let evalOut = try Scratch.folder("eval").appendingPathComponent("eval")
        let evalRun = try Tools.run("xp-export-cosmos", ["eval-future", out.path, "--out", evalOut.path])
        #expect(evalRun.status == 0, "\(evalRun)")
        let metrics = try Self.json(evalOut.appendingPathComponent("metrics.json"))
        #expect(metrics["num_samples"] == .int(4) && metrics["train_samples"] == .int(4) && metrics["num_eval_episodes"] == .int(1))
        let mrr = try #require(metrics["future_retrieval_mrr"]?.numberValue)
        #expect(mrr >= 0.25 && mrr <= 1)
        #expect(metrics["temporal_consistency"] == .double(1))  // one test episode
        #expect(metrics["future_retrieval_recall_at_5"] == .double(1))  // 4 candidates ≤ 5
        let predictions = try Self.lines(evalOut.appendingPathComponent("future_predictions.jsonl"))
        #expect(predictions.count == 4 && predictions.allSatisfy { (1...4).contains(Int($0["rank"]?.numberValue ?? 0)) })
        let rankings = try String(contentsOf: evalOut.appendingPathComponent("retrieval_rankings.csv"), encoding: .utf8)
        #expect(rankings.hasPrefix("id,rank,candidate_id,candidate_future_record_id,candidate_episode_id,distance,is_true_future\r\n"))
        #expect(rankings.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 1 + 4 * 4)
        let temporal = try String(contentsOf: evalOut.appendingPathComponent("temporal_consistency.csv"), encoding: .utf8)
        #expect(temporal.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 2)
        #expect(FileManager.default.fileExists(atPath: evalOut.appendingPathComponent("qualitative_examples.json").path))
    }

    @Test("pose --protocol reference: every record gets a target, each annotation read once; the rows are the input rows plus one key")
    func poseReference() throws {
        let s = try Self.source.get()
        let out = try Scratch.folder("pose-ref").appendingPathComponent("pose")
        let run = try Tools.run("xp-export-cosmos", ["pose", s.export.path, "--out", out.path, "--protocol", "reference"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("12 of 12 records got a target (reference protocol, 2 annotation files read)"), "\(run)")
        let manifest = try Self.json(out.appendingPathComponent("target_manifest.json"))
        #expect(manifest["status"] == .string("pass") && manifest["protocol"] == .string("reference"))
        #expect(manifest["counts"] == .object([("rows_seen", .int(12)), ("rows_augmented", .int(12))]))
        #expect(manifest["episode_annotation_files_read"] == .int(2) && manifest["issues"] == .array([]))
        let input = try Self.lines(s.export.appendingPathComponent("dataset.jsonl"))
        let output = try Self.lines(out.appendingPathComponent("dataset.jsonl"))
        #expect(output.count == input.count)
        for (a, b) in zip(input, output) {
            let kept = b.objectValue?.filter { $0.0 != "cosmos_action_target" }.map(\.0)
            #expect(kept == a.objectValue?.map(\.0))
            #expect(b["id"] == a["id"] && b["media"] == a["media"])
            let target = try #require(b["cosmos_action_target"])
            #expect(target["raw_actions"]?.arrayValue?.count == 8)
            #expect(target["conditioning"]?["mosaic_video_path"] == .null)  // the export has no media
            #expect(target["conditioning"]?["context_start_frame"] == a["media"]?["context_start_frame"])
        }
    }

    @Test("pose --protocol strict: the conditioning is a 9-frame clip of the action window's frames")
    func poseStrict() throws {
        let s = try Self.source.get()
        let out = try Scratch.folder("pose-strict").appendingPathComponent("pose")
        let run = try Tools.run("xp-export-cosmos", ["pose", s.export.path, "--out", out.path, "--max-records", "2", "--quiet"])
        #expect(run.status == 0, "\(run)")
        let manifest = try Self.json(out.appendingPathComponent("target_manifest.json"))
        #expect(manifest["protocol"] == .string("strict") && manifest["conditioning_clips_written"] == .int(2))
        let rows = try Self.lines(out.appendingPathComponent("dataset.jsonl"))
        #expect(rows.count == 2)
        for r in rows {
            let c = try #require(r["cosmos_action_target"]?["conditioning"])
            let start = Int(r["center_window"]?["start_frame"]?.numberValue ?? -1), end = Int(r["center_window"]?["end_frame"]?.numberValue ?? -1)
            let indices = c["frame_indices"]?.arrayValue ?? []
            let frames = indices.compactMap { $0.numberValue }
            #expect(frames.count == 9 && Int(frames.first ?? -1) == start && Int(frames.last ?? -1) == end)
            let clip = try #require(c["mosaic_video_path"]?.stringValue)
            #expect(clip.hasPrefix(out.appendingPathComponent("conditioning").path))
            #expect(FileManager.default.fileExists(atPath: clip))
        }
    }

    @Test("A malformed line exits 1 naming file:line and writes nothing; a row whose annotation is missing is skipped with an issue, the rest complete")
    func badInputs() throws {
        let s = try Self.source.get()
        let work = try Scratch.folder("cosmos-bad")
        var lines = try String(contentsOf: s.export.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
        let broken = work.appendingPathComponent("broken/dataset.jsonl")
        try FileManager.default.createDirectory(at: broken.deletingLastPathComponent(), withIntermediateDirectories: true)
        var bad = lines
        bad[2] = String(bad[2].prefix(40))
        try Data((bad.joined(separator: "\n") + "\n").utf8).write(to: broken)
        for command in ["future", "pose"] {
            let out = work.appendingPathComponent("out-\(command)")
            let run = try Tools.run("xp-export-cosmos", [command, broken.path, "--out", out.path])
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr.contains("\(broken.path):3: not JSON"), "\(run)")
            #expect(!FileManager.default.fileExists(atPath: out.path), "\(command) wrote \(out.path)")
        }

        // Row 4 points at an episode folder that does not exist.
        var row = try JSONParser.parse(lines[4])
        guard case .object(var fields) = row else { throw ToolTestError.unexpected("not an object") }
        let gone = work.appendingPathComponent("nowhere/ep1").path
        if let i = fields.firstIndex(where: { $0.0 == "episode_path" }) { fields[i].1 = .string(gone) }
        row = .object(fields)
        lines[4] = row.pythonJSON(.unicode)
        let missing = work.appendingPathComponent("missing/dataset.jsonl")
        try FileManager.default.createDirectory(at: missing.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: missing)
        let out = work.appendingPathComponent("pose")
        let run = try Tools.run("xp-export-cosmos", ["pose", missing.path, "--out", out.path, "--protocol", "reference"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("skipped row 4"), "\(run)")
        let manifest = try Self.json(out.appendingPathComponent("target_manifest.json"))
        #expect(manifest["counts"]?["rows_augmented"] == .int(11) && manifest["counts"]?["rows_skipped_missing_annotation"] == .int(1))
        let issue = try #require(manifest["issues"]?.arrayValue?.first)
        #expect(issue["row_index"] == .int(4) && issue["id"] == row["id"] && issue["kind"] == .string("missing_annotation"))
        #expect(issue["file"] == .string(gone + "/annotation.hdf5"))
        #expect(try Self.lines(out.appendingPathComponent("dataset.jsonl")).count == 11)

        // --out must not be the input's folder (its dataset.jsonl would be replaced).
        let same = try Tools.run("xp-export-cosmos", ["pose", missing.path, "--out", missing.deletingLastPathComponent().path])
        #expect(same.status == 1 && same.stderr.contains("is the folder of the input"), "\(same)")
    }

    @Test("Usage errors exit 2 naming the option", arguments: [
        (["pose", "export", "--out", "o", "--protocol", "loose"], "--protocol must be reference or strict, found 'loose'"),
        (["future", "export", "--out", "o", "--horizon", "0"], "--horizon must lie in [1, 100000], found 0"),
        (["pose", "export", "--out", "o", "--chunk-size=-1"], "--chunk-size must lie in [1, 1000], found -1"),
        (["pose", "export", "--out", "o", "--resolution-tier", "500"], "--resolution-tier must be one of 256, 480, 704, 720"),
        (["eval-future", "f", "--out", "o", "--top-k", "0"], "--top-k must lie in [1, 10000], found 0"),
    ])
    func usage(_ arguments: [String], _ message: String) throws {
        let scratch = try Scratch.folder("cosmos-usage")
        let run = try Tools.run("xp-export-cosmos", arguments, in: scratch)
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains(message), "\(run)")
        #expect(Scratch.entries(scratch).isEmpty)
    }

    @Test("Each subcommand's help has an example whose options exist", arguments: ["future", "pose", "eval-future"])
    func subcommandHelp(_ name: String) throws {
        let run = try Tools.run("xp-export-cosmos", [name, "--help"])
        #expect(run.status == 0, "\(run)")
        let parts = run.stdout.components(separatedBy: "USAGE:")
        try #require(parts.count == 2)
        let examples = parts[0].split(separator: "\n").filter { $0.hasPrefix("  xp-export-cosmos \(name) ") }
        #expect(!examples.isEmpty, "\(run)")
        for line in examples {
            for word in line.split(separator: " ") where word.hasPrefix("--") {
                #expect(parts[1].contains(word + " "), "\(name) example uses \(word), not in its help")
            }
        }
    }
}
