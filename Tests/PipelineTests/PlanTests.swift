import Foundation
import Testing
@testable import Pipeline

@Suite("Pipeline: plans, bins and array specs")
struct PlanTests {
    @Test("LPT packs the costliest first into the least-loaded bin (hand-computed)")
    func lpt() {
        // 5→b0 (5), 4→b1 (4), 3(#2)→b1 (7), 3(#3)→b0 (8), 3(#4)→b1 (10).
        #expect(Binning.pack(costs: [5, 4, 3, 3, 3], bins: 2) == [[0, 3], [1, 2, 4]])
        // Equal costs go round by index.
        #expect(Binning.pack(costs: [1, 1, 1, 1], bins: 3) == [[0, 3], [1], [2]])
        #expect(Binning.pack(costs: [2, 7], bins: 5) == [[1], [0]])
    }

    @Test("the number of bins follows the target, the array limit and the item count")
    func binCount() {
        #expect(Binning.binCount(costs: [6, 6, 6], targetSeconds: 10, maxBins: 1000) == 2)  // 18 / 10 → 2
        #expect(Binning.binCount(costs: [6, 6, 6], targetSeconds: 1, maxBins: 1000) == 3)   // never more than the items
        #expect(Binning.binCount(costs: Array(repeating: 100, count: 5000), targetSeconds: 1, maxBins: WorkPlan.maxArrayTasks) == 1000)
        #expect(Binning.binCount(costs: [], targetSeconds: 1, maxBins: 10) == 1)
    }

    @Test("array specs compress runs of indices")
    func arraySpec() {
        #expect(SlurmSubmit.arraySpec([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8")
        #expect(SlurmSubmit.arraySpec([3]) == "3")
        #expect(SlurmSubmit.arraySpec([9, 4, 5]) == "4-5,9")
    }

    @Test("the cost model is frames × streams × per-frame-stream plus the rest")
    func cost() {
        let c = StepCost(perEpisode: 2, perFrame: 0.01, perFrameStream: 0.001)
        // 2 + 1000 × 0.01 + 1000 × 6 × 0.001 = 18
        #expect(abs(c.seconds(frames: 1000, streams: 6) - 18) < 1e-12)
    }

    @Test("Slurm's time limit is D-HH:MM:00")
    func slurmTime() {
        #expect(Resources(cpus: 1, memoryMiB: 1, timeMinutes: 75).slurmTime == "0-01:15:00")
        #expect(Resources(cpus: 1, memoryMiB: 1, timeMinutes: 1441).slurmTime == "1-00:01:00")
    }

    @Test("squeue's rows are parsed into id, state and reason")
    func queueParse() {
        let rows = SlurmClient.parseQueue("12_0|RUNNING|None\n12_[1-3]|PENDING|Resources\n13|PENDING|DependencyNeverSatisfied\n\n")
        #expect(rows.map(\.id) == ["12_0", "12_[1-3]", "13"])
        #expect(rows[2].reason == "DependencyNeverSatisfied")
    }

    @Test("a manifest with a duplicate key, a key with '/', or no episodes is refused with the file and the row")
    func badManifest() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xp-pipeline-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("episode_manifest.json")
        let cases = [
            (#"{"episodes": [{"episode_key": "a__ep1", "path": "/x"}, {"episode_key": "a__ep1", "path": "/y"}]}"#, "episode 2: key a__ep1 appears twice"),
            (#"{"episodes": [{"episode_key": "a/b", "path": "/x"}]}"#, "episode 1: expected an episode_key without '/'"),
            (#"{"episodes": []}"#, "expected at least one episode"),
            (#"{"rows": []}"#, "expected an \"episodes\" array"),
        ]
        for (text, message) in cases {
            try Data(text.utf8).write(to: file)
            #expect(throws: PipelineError.self) { try EpisodeManifest.read(dir) }
            do { _ = try EpisodeManifest.read(dir); Issue.record("accepted \(text)") } catch {
                #expect(error.description.contains(file.path) && error.description.contains(message), "\(error)")
            }
        }
        try Data(#"{"episodes": [{"episode_key": "s__ep1", "path": "/d/s/ep1", "frame_count": 300, "videos": [{"exists": true}, {"exists": false}], "files": [{"bytes": 10}, {"bytes": 5}]}]}"#.utf8).write(to: file)
        #expect(try EpisodeManifest.read(file) == [PlanEpisode(key: "s__ep1", folder: "/d/s/ep1", frames: 300, streams: 1, bytes: 15)])
    }
}
