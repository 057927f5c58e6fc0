import ArgumentParser
import Exporters
import Foundation
import Heads
import XPCore

/// `xp-bench baselines`: the wall time of the metadata baselines (simple + neural) on a
/// synthetic export-shaped 128-episode dataset.jsonl, and of the dense baselines on its
/// dense multiscale rows.
struct BenchBaselines: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baselines",
        abstract: "Benchmark xp-baselines metadata and dense on a synthetic 128-episode export.",
        discussion: """
            Generates once (into --cache) a dataset.jsonl shaped like the canonical 128 export: 119 \
            episodes × 32 records, episodes 89/16/14 train/val/test, about 1,200 action and 800 subtask \
            options in every record (option lists, label_options and the prompt messages, as the \
            export writes them), the question and answer fields; no media. Its dense multiscale rows \
            (20/10, 40/20, 80/40 windows labelled from the nearest record, about 106k rows) are \
            generated beside it. Times reading, featurising, the simple models and the MLPs of both \
            runs, with the published settings (metadata 80 / 4 epochs, dense 220 / 45).

            Examples:
              swift run -c release xp-bench baselines
              swift run -c release xp-bench baselines --protocol strict --dense-neural-epochs 5
            """)

    @Option(help: "Folder for the generated inputs (reused when present).")
    var cache: String = ".build/xp-bench-cache/baselines"

    @Option(help: "reference or strict.")
    var `protocol`: String = "reference"

    @Option(help: "MLP epochs of the metadata run (the published run: 4).")
    var neuralEpochs: Int = 4

    @Option(help: "MLP epochs of the dense run (the script's default: 45).")
    var denseNeuralEpochs: Int = 45

    @Flag(help: "Skip the dense baselines.")
    var skipDense = false

    func validate() throws {
        guard BaselineProtocol(rawValue: `protocol`) != nil else { throw ValidationError("--protocol must be reference or strict, found '\(`protocol`)'") }
        guard (0...1000).contains(neuralEpochs), (0...1000).contains(denseNeuralEpochs) else { throw ValidationError("epochs must be in 0...1000") }
    }

    func run() throws {
        BLASConfiguration.shortenIdleSpin()
        let p = BaselineProtocol(rawValue: `protocol`) ?? .reference
        let folder = URL(fileURLWithPath: cache)
        let dataset = folder.appendingPathComponent("dataset.jsonl"), dense = folder.appendingPathComponent("dense_multiscale_windows.jsonl")
        var result: [String: Any] = ["area": "baselines", "protocol": p.rawValue, "cores": ProcessInfo.processInfo.activeProcessorCount,
                                     "load_average": benchLoadAverage()]
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent(".complete").path) {
            try? FileManager.default.removeItem(at: folder)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let start = Date()
            let sparse = SyntheticExport.records()
            try SyntheticExport.writeDataset(sparse, to: dataset)
            try SyntheticExport.writeDense(sparse, to: dense)
            _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(".complete").path, contents: Data())
            result["generate_seconds"] = Date().timeIntervalSince(start)
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("xp-bench-baselines-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: scratch) }

        var start = Date()
        let read = try MetadataRecord.read(dataset)
        result["metadata_read_seconds"] = Date().timeIntervalSince(start)
        result["dataset_mb"] = Double((try? FileManager.default.attributesOfItem(atPath: dataset.path)[.size] as? Int) ?? 0) / 1e6
        result["records"] = read.records.count
        result["action_options"] = read.actionOptions.count
        result["subtask_options"] = read.subtaskOptions.count
        var options = MetadataBaselineOptions()
        options.baselineProtocol = p
        options.neuralEpochs = neuralEpochs
        options.expectedSplitCounts = (2848, 512, 448)
        start = Date()
        let meta = try MetadataBaselines.run(records: read.records, episodes: [:], fullOptions: (read.actionOptions, read.subtaskOptions), options: options,
                                             out: scratch.appendingPathComponent("metadata"))
        result["metadata_total_seconds"] = Date().timeIntervalSince(start)
        result["metadata_features_seconds"] = meta.seconds.features
        result["metadata_simple_seconds"] = meta.seconds.simple
        result["metadata_neural_seconds"] = meta.seconds.neural
        result["metadata_scores"] = Dictionary(uniqueKeysWithValues: meta.comparison.map { ($0.task, [$0.metadataSimple ?? -1, $0.metadataNeural ?? -1]) })

        if !skipDense {
            start = Date()
            let rows = try DenseRow.read(dense)
            result["dense_read_seconds"] = Date().timeIntervalSince(start)
            result["dense_rows"] = rows.count
            var d = DenseBaselineOptions()
            d.baselineProtocol = p
            d.neuralEpochs = denseNeuralEpochs
            start = Date()
            let report = try DenseBaselines.run(rows: rows, options: d, out: scratch.appendingPathComponent("dense"))
            result["dense_total_seconds"] = Date().timeIntervalSince(start)
            result["dense_simple_seconds"] = report.seconds.simple
            result["dense_neural_seconds"] = report.seconds.neural
            result["dense_neural_epochs"] = denseNeuralEpochs
            result["dense_scores"] = Dictionary(uniqueKeysWithValues: report.scores.map { ($0.target, [$0.simple ?? -1, $0.neural ?? -1]) })
        }
        result["peak_rss_mb"] = benchPeakRSSMegabytes()
        print(benchJSON(result))
    }
}

/// A synthetic export shaped like the canonical 128 run (exporters.md §1): 119 episodes × 32
/// records over about 5,100 frames each, episodes 89/16/14, long-tailed action and subtask
/// vocabularies (about 1,200 and 800 labels, many seen in one episode only).
enum SyntheticExport {
    struct Sparse {
        var episode: String
        var split: String
        var index: Int
        var start: Int
        var action: String
        var subtask: String
        var next: String
        var objects: [String]
        var contact: String
        var transition: String
        var mainTask: String
    }

    static let verbs = ["Pick up", "Place", "Cut", "Fold", "Open", "Close", "Wipe", "Stack", "Sort", "Count", "Inspect", "Adjust", "Hold",
                        "Release", "Align", "Mark", "Write on", "Tape", "Glue", "Wrap", "Walk to", "Approach", "Stir", "Rinse", "Press",
                        "Insert", "Remove", "Arrange", "Check", "Measure", "Tie", "Thread", "Scan", "Carry", "Push", "Pull", "Turn", "Lift",
                        "Lower", "Slide"]
    static let objects = ["cardboard", "paper", "box", "ruler", "pen", "marker", "scissors", "knife", "tape", "glue", "lantern", "foam",
                          "tile", "bead", "button", "puzzle piece", "cloth", "pot", "lid", "spoon", "cup", "bottle", "can", "shelf", "item",
                          "container", "drawer", "bag", "string", "needle", "fabric", "board", "sheet", "label", "sticker", "brush",
                          "sponge", "towel", "plate", "bowl", "jar", "tray", "basket", "book", "folder", "envelope", "wire", "screw",
                          "bolt", "frame", "panel", "strip", "card", "ribbon", "thread spool", "mahjong tile", "counter", "desk", "table", "chair"]
    static let themes = ["Cardboard lantern assembly", "Mahjong tile sorting", "Retail shelf restocking", "Kitchen cleaning", "Paper craft cutting",
                         "Bead sorting", "Workstation setup", "Package packing", "Cooking on the stove", "Measuring and marking boards",
                         "Fabric sewing", "Puzzle assembly", "Laundry folding", "Canned goods inventory", "Desk organising"]

    static func records() -> [Sparse] {
        var rng = SeededGenerator(seed: 128)
        var all: [(String, String)] = []
        for v in verbs { for o in objects { all.append((v, o)) } }
        // A shared pool per theme and a tail of episode-specific labels.
        let shuffled = rng.permutation(all.count).map { all[$0] }
        var next = 0
        func take(_ n: Int) -> [String] {
            defer { next += n }
            return (next..<min(next + n, shuffled.count)).map { "\(shuffled[$0].0) the \(shuffled[$0].1)" }
        }
        let themePools = themes.map { _ in take(16) }
        let order = rng.permutation(119)
        var out: [Sparse] = []
        for e in 0..<119 {
            let session = String(format: "%08x-%04x-4%03x-8%03x-%012x", UInt32(truncatingIfNeeded: rng.next()), e, e, e, e * 7919)
            let episode = "\(session)__ep\(e % 3 + 1)"
            let rank = order[e]
            let split = rank < 89 ? "train" : rank < 105 ? "val" : "test"
            let theme = e % themes.count
            let own = take(14)
            let pool = themePools[theme] + own
            var actions: [String] = []
            var current = pool[rng.integer(below: pool.count)]
            for _ in 0..<33 {
                if rng.uniform() < 0.8 { current = pool[rng.integer(below: pool.count)] }
                actions.append(current)
            }
            for i in 0..<32 {
                let a = actions[i]
                let object = a.components(separatedBy: " the ").last ?? "item"
                let step = "\(themes[theme]) step \(i / 8 + 1)\(rng.uniform() < 0.25 ? " (\(object))" : "")"
                out.append(Sparse(episode: episode, split: split, index: i, start: i * 160 + rng.integer(below: 100), action: a, subtask: step, next: actions[i + 1],
                                  objects: [object, objects[rng.integer(below: objects.count)], "table"], contact: rng.uniform() < 0.7 ? "yes" : "no",
                                  transition: actions[i] == actions[i + 1] ? "no" : "yes", mainTask: themes[theme]))
            }
        }
        return out
    }

    static let question = "Given the synchronized egocentric video/audio context and sensor window, identify the current embodied episode state."
    static let schema = #"{"action":"<exact action option or unknown>","subtask":"<exact subtask option or unknown>","objects":["<0 to 8 short object names>"],"contact":"yes|no|unknown","transition":"yes|no|unknown","next_action":"<exact action option or unknown>","evidence_window":{"start_frame":0,"end_frame":0}}"#

    static func writeDataset(_ sparse: [Sparse], to url: URL) throws {
        let actions = Set(sparse.map(\.action)).union(sparse.map(\.next)).filter { $0 != "unknown" }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let subtasks = Set(sparse.map(\.subtask)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let actionJSON = JSONValue.array(actions.map { .string($0) }), subtaskJSON = JSONValue.array(subtasks.map { .string($0) })
        let optionText = "Known action labels:\n" + actions.map { "- \($0)" }.joined(separator: "\n") + "\nKnown subtask labels:\n" + subtasks.map { "- \($0)" }.joined(separator: "\n")
        let cameras = ["fisheye_cam0", "fisheye_cam1", "fisheye_cam2", "fisheye_cam3", "stereo_left", "stereo_right"]
        var data = Data()
        for r in sparse {
            let end = r.start + 19
            let folder = "/data/xperience-10m/\(r.episode.replacingOccurrences(of: "__", with: "/"))"
            let answer: JSONValue = .object([("action", .string(r.action)), ("subtask", .string(r.subtask)), ("objects", .array(r.objects.map { .string($0) })),
                                             ("contact", .string(r.contact)), ("transition", .string(r.transition)), ("next_action", .string(r.next)),
                                             ("evidence_window", .object([("start_frame", .int(r.start)), ("end_frame", .int(end))]))])
            let user = [question, "Episode: \(r.episode)", "Label window frames: \(r.start)-\(end)",
                        "Return exactly one compact JSON object only. Do not add markdown, prose, analysis, comments, or a second object.",
                        "Required schema: " + schema, optionText].joined(separator: "\n")
            let messages: JSONValue = .array([
                .object([("role", .string("system")), ("content", .array([.object([("type", .string("text")), ("text", .string("You are an embodied episode-understanding model for Ropedia/Xperience-10M. Schema example: " + schema))])]))]),
                .object([("role", .string("user")), ("content", .array([.object([("type", .string("text")), ("text", .string(user))])]))]),
                .object([("role", .string("assistant")), ("content", .string(answer.pythonJSON(.sortedCompact)))]),
            ])
            let record: JSONValue = .object([
                ("id", .string("\(r.episode):qa:\(r.index)")), ("episode_id", .string(r.episode)), ("source_episode_id", .string(String(r.episode.split(separator: "_").last ?? ""))),
                ("episode_path", .string(folder)), ("split", .string(r.split)), ("target", .string("episode_qa")), ("prompt_type", .string("json_episode_understanding")),
                ("center_window", .object([("start_frame", .int(r.start)), ("end_frame", .int(end)), ("num_frames", .int(20))])),
                ("media", .object([("video_paths", .array(cameras.map { .object([("name", .string($0)), ("path", .string("\(folder)/\($0).mp4"))]) })),
                                   ("context_start_frame", .int(max(0, r.start - 50))), ("context_end_frame", .int(end + 50)), ("max_video_frames", .int(16)),
                                   ("mosaic_video_path", .null), ("audio_path", .null)])),
                ("sensor_feature_path", .string("\(folder)/sensor_features.npz")), ("sensor_feature_index", .int(r.index)), ("sensor_feature_dim", .int(4430)),
                ("question", .string(question)), ("answer_json", answer), ("label", .string(r.action)),
                ("action_options", actionJSON), ("subtask_options", subtaskJSON), ("label_options", actionJSON), ("messages", messages),
                ("parallel_export_shard", .int(r.index % 8)),
            ])
            data.append(contentsOf: record.pythonJSON(.unicode).utf8)
            data.append(0x0A)
        }
        try data.write(to: url)
    }

    /// The compact dense index of the sparse records (analysis-and-report.md §2.1): per episode
    /// and scale, windows over `range(0, max_end − W + 2, stride)`, each labelled from the
    /// nearest record (candidates ±4 around the insertion point, key (|Δcenter|, −overlap, index)).
    static func writeDense(_ sparse: [Sparse], to url: URL) throws {
        let scales = [("dense_20f_stride10", 20, 10), ("medium_40f_stride20", 40, 20), ("long_80f_stride40", 80, 40)]
        var byEpisode: [String: [Sparse]] = [:]
        for r in sparse { byEpisode[r.episode, default: []].append(r) }
        let style = PythonJSONStyle(ensureASCII: false, sortKeys: true, compact: false)
        var data = Data()
        for episode in byEpisode.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let seeds = byEpisode[episode]!.sorted { ($0.start, $0.index) < ($1.start, $1.index) }
            let starts = seeds.map(\.start)
            let maxEnd = seeds.map { $0.start + 19 }.max() ?? 0
            for (scale, w, stride) in scales {
                var start = 0
                while start < maxEnd - w + 2 {
                    let end = start + w - 1
                    let pos = starts.firstIndex { $0 >= start } ?? starts.count
                    var best = 0
                    var bestKey = (Double.infinity, 0, 0)
                    for j in max(0, pos - 4)...min(seeds.count - 1, pos + 4) {
                        let s = seeds[j].start, e = s + 19
                        let distance = abs(Double(start + end) / 2 - Double(s + e) / 2)
                        let overlap = max(0, min(end, e) - max(start, s) + 1)
                        let key = (distance, -overlap, j)
                        if key < bestKey { bestKey = key; best = j }
                    }
                    let seed = seeds[best]
                    let overlap = -bestKey.1
                    let kind = seed.start == start && seed.start + 19 == end ? "exact_sparse_window" : overlap > 0 ? "overlap_nearest_sparse_window" : "gap_nearest_sparse_window"
                    let row: JSONValue = .object([
                        ("id", .string("\(episode):ms:\(scale):\(String(format: "%06d_%06d", start, end))")), ("run_id", .string("bench")), ("episode_id", .string(episode)),
                        ("split", .string(seed.split)), ("scale_id", .string(scale)), ("window_frames", .int(w)), ("stride_frames", .int(stride)),
                        ("center_window", .object([("start_frame", .int(start)), ("end_frame", .int(end)), ("num_frames", .int(w))])),
                        ("source_sparse_window", .object([("kind", .string(kind)), ("source_window_id", .string("\(episode):qa:\(seed.index)")),
                                                          ("source_start_frame", .int(seed.start)), ("source_end_frame", .int(seed.start + 19)),
                                                          ("center_distance_frames", .double(bestKey.0)), ("overlap_frames", .int(overlap)),
                                                          ("overlap_fraction_of_dense", .double(Double(overlap) / Double(w))),
                                                          ("overlap_fraction_of_source", .double(Double(overlap) / 20))])),
                        ("labels", .object([("action", .string(seed.action)), ("action_family", .string(KeywordTaxonomy.denseActions.family(of: seed.action))),
                                            ("subtask", .string(seed.subtask)), ("subtask_family", .string(KeywordTaxonomy.subtasks.family(of: seed.subtask))),
                                            ("next_action", .string(seed.next)), ("next_action_family", .string(KeywordTaxonomy.denseActions.family(of: seed.next))),
                                            ("contact", .string(seed.contact)), ("transition", .string(seed.transition))])),
                        ("objects", .array(seed.objects.map { .string($0) })), ("sensor_feature_dim", .int(4430)),
                        ("source_media_names", .array(["fisheye_cam0", "fisheye_cam1", "fisheye_cam2", "fisheye_cam3", "stereo_left", "stereo_right"].map { .string($0) })),
                        ("source_has_mosaic", .bool(false)), ("source_has_audio", .bool(false)),
                    ])
                    data.append(contentsOf: row.pythonJSON(style).utf8)
                    data.append(0x0A)
                    start += stride
                }
            }
        }
        try data.write(to: url)
    }
}
