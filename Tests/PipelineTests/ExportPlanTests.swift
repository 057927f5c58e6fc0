import Foundation
import Testing
import XPCore
@testable import Pipeline

/// The plan's Qwen export: a plan job, an array of per-episode parts over bins like qa's and
/// features', the combine after it and the index after the combine; what each command line
/// reads; and that the combine is redone when a part it read changes.
@Suite("Pipeline: the Qwen export as an array step")
struct ExportPlanTests {
    /// A folder with fake xp-* tools (the plan only resolves them) and a manifest of 6 episodes.
    static func setup() throws -> (base: URL, manifest: URL, tools: URL) {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("xp-pipeline-export-plan-\(UUID().uuidString)")
        let tools = base.appendingPathComponent("tools")
        try fm.createDirectory(at: tools, withIntermediateDirectories: true)
        for name in ["xp-qa", "xp-features", "xp-export-qwen", "xp-index", "xp-slurm"] {
            let url = tools.appendingPathComponent(name)
            try Data("#!/bin/sh\nexit 0\n".utf8).write(to: url)
            chmod(url.path, 0o755)
        }
        let rows = (1...6).map { k in #"{"episode_key": "s\#(k % 2)__ep\#(k)", "path": "/d/s\#(k % 2)/ep\#(k)", "frame_count": 1000, "videos": [{"exists": true}, {"exists": true}], "files": [{"bytes": 10}]}"# }
        let manifest = base.appendingPathComponent("episode_manifest.json")
        try Data(#"{"episodes": [\#(rows.joined(separator: ", "))]}"#.utf8).write(to: manifest)
        return (base, manifest, tools)
    }

    static func plan(steps: [String], taskMinutes: Double = 0.05) throws -> (WorkPlan, URL) {
        let s = try setup()
        var options = PlanOptions()
        options.steps = steps
        options.taskMinutes = taskMinutes
        options.exportShards = 3
        options.extraArguments = ["export": ["--cap", "4"]]
        let plan = try PlanBuilder.build(manifest: s.manifest, datasetRoot: URL(fileURLWithPath: "/d"), toolsFolder: s.tools,
                                         driver: s.tools.appendingPathComponent("xp-slurm").path, options: options)
        return (plan, s.base)
    }

    @Test("export becomes export-plan (one job), export (an array of episode parts) and combine; index runs after the combine")
    func steps() throws {
        let (plan, base) = try Self.plan(steps: ["qa", "export", "index"])
        defer { try? FileManager.default.removeItem(at: base) }
        #expect(plan.steps.map(\.name) == ["qa", "export-plan", "export", "combine", "index"])
        #expect(plan.steps.map(\.scope) == [.episode, .dataset, .episode, .dataset, .dataset])
        #expect(plan.steps.map(\.after) == [[], [], ["export-plan"], ["export"], ["combine"]])
        let export = try plan.step("export"), qa = try plan.step("qa")
        // Export: 0.5 + 1000 × 2 × 0.000787 = 2.074 s per episode, 12.44 s in all; 3 s tasks → 5 bins of 6 episodes.
        #expect(export.tasks.count == 5, "\(export.tasks)")
        #expect(export.tasks.joined().sorted() == Array(0..<6))
        // QA: 0.2 + 1000 × 0.0000687 = 0.2687 s per episode, 1.61 s in all: one 3 s task.
        #expect(qa.tasks == [Array(0..<6)] && qa.scope == .episode)
        #expect(try plan.step("export-plan").tasks == [Array(0..<6)])
        #expect(try plan.step("combine").tasks == [Array(0..<6)])
        // The three export steps are one tool, with the same export options and shards.
        for name in PlanBuilder.exportSteps {
            let s = try plan.step(name)
            #expect(s.tool == "xp-export-qwen")
            #expect(s.arguments.starts(with: ["{root}", "--out", "{out}", "--relative-paths", "--quiet", "--shards", "3"]), "\(s.arguments)")
            #expect(s.arguments.suffix(2) == ["--cap", "4"], "\(s.arguments)")
        }
    }

    @Test("the command lines: a part reads the plan job's folder, the combine the parts' folder, the index the combine's")
    func arguments() throws {
        let (plan, base) = try Self.plan(steps: ["export", "index"])
        defer { try? FileManager.default.removeItem(at: base) }
        let run = RunFolder(base.appendingPathComponent("run"))
        let runner = UnitRunner(plan: plan, run: run)
        let r = run.url.path
        let part = runner.arguments(step: try plan.step("export"), episodes: [plan.episodes[2]], out: "/staging")
        #expect(part == ["/d", "--out", "/staging", "--relative-paths", "--quiet", "--shards", "3",
                         "--from-plan", r + "/export-plan", "--episode", "/d/s1/ep3", "--cap", "4"])
        let combine = runner.arguments(step: try plan.step("combine"), episodes: plan.episodes, out: "/staging")
        #expect(combine == ["/d", "--out", "/staging", "--relative-paths", "--quiet", "--shards", "3",
                            "--combine", r + "/export-plan", "--parts", r + "/export", "--cap", "4"])
        let index = runner.arguments(step: try plan.step("index"), episodes: plan.episodes, out: "/staging")
        #expect(index == [r + "/combine", "--out", "/staging"])
    }

    @Test("the combine's content key changes when a part it reads is done anew, and not otherwise")
    func combineKey() throws {
        let (plan, base) = try Self.plan(steps: ["export"])
        defer { try? FileManager.default.removeItem(at: base) }
        let run = RunFolder(base.appendingPathComponent("run"))
        let runner = UnitRunner(plan: plan, run: run)
        let combine = try plan.step("combine")
        let before = runner.contentKey(step: combine, episodes: plan.episodes)
        #expect(runner.contentKey(step: combine, episodes: plan.episodes) == before)
        try Records.write(DoneMarker(step: "export", unit: plan.episodes[4].key, contentKey: "0123456789abcdef", toolVersion: "v", command: [], seconds: 1),
                          to: run.marker(step: "export", unit: plan.episodes[4].key))
        #expect(runner.contentKey(step: combine, episodes: plan.episodes) != before)
    }

    @Test("a measured cost model without the export's plan and combine steps takes theirs from the standard model")
    func costFallback() {
        let measured = CostModel(steps: ["export": StepCost(perEpisode: 9)])
        #expect(measured.cost(of: "export") == StepCost(perEpisode: 9))
        #expect(measured.cost(of: "export-plan") == StepCost(perEpisode: 0.31))
        #expect(measured.cost(of: "combine") == StepCost(perEpisode: 0.05))
        #expect(measured.cost(of: "decode") == StepCost(perEpisode: 1))
    }

    @Test("export-plan, combine or an unknown name are not steps a user lists; index needs export")
    func userSteps() throws {
        for (steps, message) in [(["qa", "combine"], "unknown step 'combine'"), (["export-plan"], "unknown step 'export-plan'"),
                                 (["qa", "index"], "step index reads the export")] {
            do {
                _ = try Self.plan(steps: steps)
                Issue.record("accepted \(steps)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}
