import Foundation
import Testing
import XPTestSupport

/// The sharded Qwen export (`--plan-only`, `--from-plan --episode`, `--combine --parts`), by
/// hand and as xp-slurm runs it, against one `xp-export-qwen` run over the same root: the
/// combined folder must hold the same files with the same bytes (records, manifest, mosaic
/// clips, WAVs, NPZs, markers, audit). The dataset has 4 generated episodes in 2 sessions and
/// one folder with an MP4 and no annotation (skipped by the scan, with its reason).
@Suite("xp-export-qwen: sharded export equals the single export", .serialized)
struct ExportQwenShardTests {
    /// The export options all runs share: 2 shards, 1 record per episode, relative paths.
    static let options = ["--relative-paths", "--quiet", "--shards", "2", "--cap", "1"]

    struct Setup: Sendable {
        var base: URL
        var root: URL
        var single: URL
        var episodes: [(key: String, folder: URL)]
    }

    static let setup: Result<Setup, ToolTestError> = {
        do {
            let base = try Scratch.folder("qwen-shards")
            let fm = FileManager.default
            let generated = try SyntheticDatasets.make(count: 4, frames: 100, seed: 17, label: "qwen-shards")
            let root = base.appendingPathComponent("dataset")
            try fm.copyItem(at: generated, to: root)
            var episodes: [(key: String, folder: URL)] = []
            for session in try fm.contentsOfDirectory(atPath: root.path).filter({ !$0.hasPrefix(".") }).sorted() {
                for ep in try fm.contentsOfDirectory(atPath: root.appendingPathComponent(session).path).filter({ $0.hasPrefix("ep") }).sorted() {
                    episodes.append(("\(session)__\(ep)", root.appendingPathComponent(session).appendingPathComponent(ep)))
                }
            }
            guard episodes.count == 4, let first = episodes.first else { return .failure(.unexpected("expected 4 episodes in \(root.path), found \(episodes.map(\.key))")) }
            // An unusable folder: one MP4, no annotation.
            let odd = root.appendingPathComponent("ffff0000-0000-4000-8000-000000000000/ep1")
            try fm.createDirectory(at: odd, withIntermediateDirectories: true)
            try fm.copyItem(at: first.folder.appendingPathComponent("fisheye_cam0.mp4"), to: odd.appendingPathComponent("fisheye_cam0.mp4"))
            episodes.append(("ffff0000-0000-4000-8000-000000000000__ep1", odd))
            let single = base.appendingPathComponent("single")
            let run = try Tools.run("xp-export-qwen", [root.path, "--out", single.path] + options)
            guard run.status == 0 else { return .failure(.toolFailed(run)) }
            return .success(Setup(base: base, root: root, single: single, episodes: episodes))
        } catch let e as ToolTestError { return .failure(e) } catch { return .failure(.unexpected("\(error)")) }
    }()

    static func expectSame(_ single: URL, _ other: URL) {
        let a = SyntheticDatasets.files(single), b = SyntheticDatasets.files(other)
        #expect(a.map(\.0) == b.map(\.0), "the file lists differ")
        // Records, manifest, audit, plan, settings; per exported episode its records, NPZ, marker, clips and WAVs.
        #expect(a.contains { $0.0 == "dataset.jsonl" } && a.contains { $0.0.hasSuffix("_mosaic.mp4") } && a.contains { $0.0.hasSuffix(".npz") })
        #expect(a.contains { $0.0 == "shards/shard_00/done/ffff0000-0000-4000-8000-000000000000__ep1.json" || $0.0 == "shards/shard_01/done/ffff0000-0000-4000-8000-000000000000__ep1.json" })
        for ((name, x), (_, y)) in zip(a, b) where x != y { Issue.record("\(name) differs between \(single.path) and \(other.path)") }
    }

    @Test("plan, one part per episode, combine: the same files and bytes as the single run; a missing part is a failed episode")
    func byHand() throws {
        let s = try Self.setup.get()
        let plan = s.base.appendingPathComponent("plan"), parts = s.base.appendingPathComponent("parts"), combined = s.base.appendingPathComponent("combined")
        let planned = try Tools.run("xp-export-qwen", [s.root.path, "--plan-only", "--out", plan.path] + Self.options)
        #expect(planned.status == 0, "\(planned)")
        // Parts in reverse order: nothing depends on the order they are made in.
        for e in s.episodes.reversed() {
            let part = try Tools.run("xp-export-qwen", [s.root.path, "--from-plan", plan.path, "--episode", e.folder.path,
                                                        "--out", parts.appendingPathComponent(e.key).path] + Self.options)
            #expect(part.status == 0, "\(part)")
        }
        let run = try Tools.run("xp-export-qwen", [s.root.path, "--combine", plan.path, "--parts", parts.path, "--out", combined.path] + Self.options)
        #expect(run.status == 0, "\(run)")
        Self.expectSame(s.single, combined)

        // Without one exported episode's part, the combine lists it as failed and writes the rest (exit 0).
        let gone = try #require(s.episodes.first)
        try FileManager.default.removeItem(at: parts.appendingPathComponent(gone.key))
        let lessOne = s.base.appendingPathComponent("combined-less-one")
        let partial = try Tools.run("xp-export-qwen", [s.root.path, "--combine", plan.path, "--parts", parts.path, "--out", lessOne.path] + Self.options)
        #expect(partial.status == 0 && partial.stderr.contains("1 episode(s) have no part and are listed as failed (\(gone.key))"), "\(partial)")
        let manifest = try String(contentsOf: lessOne.appendingPathComponent("dataset_manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"failed_episodes\": [\n    {\n      \"episode_path\": \"\(gone.folder.path)\",\n      \"episode_key\": \"\(gone.key)\""), "\(manifest)")
        let all = try String(contentsOf: s.single.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n")
        let rest = try String(contentsOf: lessOne.appendingPathComponent("dataset.jsonl"), encoding: .utf8).split(separator: "\n")
        let mine = all.filter { $0.contains("\"episode_id\": \"\(gone.key)\"") }.count
        #expect(mine > 0 && rest.count == all.count - mine && !rest.contains { $0.contains("\"episode_id\": \"\(gone.key)\"") })
    }

    @Test("a part made with other export options is refused with the plan's settings file named")
    func otherOptions() throws {
        let s = try Self.setup.get()
        let plan = s.base.appendingPathComponent("plan-b")
        #expect(try Tools.run("xp-export-qwen", [s.root.path, "--plan-only", "--out", plan.path] + Self.options).status == 0)
        let e = try #require(s.episodes.first)
        let run = try Tools.run("xp-export-qwen", [s.root.path, "--from-plan", plan.path, "--episode", e.folder.path, "--out",
                                                   s.base.appendingPathComponent("part-b").path, "--relative-paths", "--shards", "2", "--cap", "2"])
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("export_settings.json differs from this command's export options"), "\(run)")
        #expect(!FileManager.default.fileExists(atPath: s.base.appendingPathComponent("part-b").path))
    }

    @Test("xp-slurm run-local of the plan's export-plan, export array, combine and index: RUN/combine equals the single run")
    func throughThePipeline() throws {
        let s = try Self.setup.get()
        let scan = s.base.appendingPathComponent("scan"), plan = s.base.appendingPathComponent("slurm-plan"), run = s.base.appendingPathComponent("run")
        let scanned = try Tools.run("xp-scan", [s.root.path, "--out", scan.path, "--quiet"])
        #expect(scanned.status == 0, "\(scanned)")
        let planned = try Tools.run("xp-slurm", ["plan", s.root.path, "--manifest", scan.path, "--out", plan.path, "--steps", "export,index",
                                                 "--shards", "2", "--export-arg=--cap", "--export-arg=1", "--cpus", "1", "--task-minutes", "0.01", "--max-tasks", "3"])
        #expect(planned.status == 0, "\(planned)")
        #expect(planned.stderr.contains("export: 3 task(s)"), "the parts are an array of 3 tasks: \(planned)")
        let local = try Tools.run("xp-slurm", ["run-local", plan.path, "--out", run.path, "--jobs", "2", "--quiet"])
        #expect(local.status == 0, "\(local)")
        #expect(local.stderr.contains("export: 5/5 done, 0 failed, 0 missing") && local.stderr.contains("combine: 1/1 done"), "\(local)")
        Self.expectSame(s.single, run.appendingPathComponent("combine"))
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("index").path), "the index ran on the combined export")
    }

    @Test("sharded modes are checked before any work: one at a time, with their second option and relative paths",
          arguments: [(["--from-plan", "p", "--episode", "e", "--out", "o"], "--from-plan needs --relative-paths"),
                      (["--plan-only", "--combine", "p", "--parts", "q", "--out", "o", "--relative-paths"], "--plan-only and --combine are different steps"),
                      (["--combine", "p", "--out", "o", "--relative-paths"], "--combine and --parts go together"),
                      (["--from-plan", "p", "--episode", "e", "--out", "o", "--relative-paths", "--split", "s.json"], "--split belongs to --plan-only")])
    func usage(_ arguments: [String], _ message: String) throws {
        let scratch = try Scratch.folder("qwen-shards-usage")
        let run = try Tools.run("xp-export-qwen", ["root"] + arguments, in: scratch)
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.contains(message), "\(run)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "nothing is written")
    }
}
