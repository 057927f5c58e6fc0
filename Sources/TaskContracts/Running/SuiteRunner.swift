import Foundation
import Heads
import Metrics
import WindowAlign
import XPCore

/// Everything a suite run needs besides the episodes.
public struct SuiteConfiguration: Sendable {
    public var suiteProtocol: SuiteProtocol
    public var tasks: [TaskID] = TaskID.allCases
    public var heads: [HeadKind] = HeadKind.allCases
    /// One run per seed; the first seed's artifacts are written, every seed's metrics kept.
    public var seeds: [UInt64]
    public var parameters = TaskParameters()
    public var headSettings: HeadSettings
    /// nil: chronological for one episode, held-out sessions for several.
    public var policy: SplitPolicy?
    /// Replace an existing output folder.
    public var overwrite = false
    /// Permute the training targets (a control run).
    public var shuffleTrainLabels = false
    /// Block-bootstrap intervals (default: strict only).
    public var bootstrap: Bool?
    /// Receives one line per step (the CLI prints it on stderr).
    public var progress: (@Sendable (String) -> Void)?
    /// Tasks run side by side (1: one after the other). With more than one, OpenBLAS is set
    /// to one thread for the run (process-wide; restored after), so each task owns a core and
    /// the results equal a one-after-the-other run with `OPENBLAS_NUM_THREADS=1`, on any
    /// machine. On 2 cores, two tasks side by side ran the suite in 54 s against 68 s one
    /// after the other with two BLAS threads (concurrent calls into a multi-threaded OpenBLAS
    /// took 103 s: its pool serves one caller at a time). Do not call BLAS from other threads
    /// of the process during such a run.
    public var concurrentTasks = 1
    /// The caption rules the episodes were loaded with (recorded in `summary_report.json`
    /// when set).
    public var captionRules: CaptionRuleSet?

    /// One task per core: what `xp-suite` uses unless told otherwise.
    public static var defaultConcurrentTasks: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// The defaults of a protocol: reference runs seed 7 once; strict runs seeds 7, 8, 9.
    public init(protocol p: SuiteProtocol, seeds: [UInt64]? = nil) {
        suiteProtocol = p
        self.seeds = seeds ?? (p == .reference ? [7] : [7, 8, 9])
        headSettings = .defaults(for: p)
    }
}

/// One row of the summary: a task and head over all seeds.
public struct TaskSummaryRow: Sendable {
    public var task: TaskID
    public var head: HeadKind
    /// "ok", "not_applicable" or "error".
    public var status: String
    public var reason: String?
    /// Primary metric per seed (nil entries where undefined).
    public var primaryPerSeed: [Double?] = []
    /// The baseline shown: strict, the strongest trivial one in the primary metric;
    /// reference, the first one listed.
    public var baseline: BaselineScore?
    /// The interval of the number the summary prints: with several seeds, of their mean
    /// (seeds pooled inside each resample); with one, of that seed's value.
    public var interval: BootstrapInterval?
    /// The primary metric's name in this run's protocol.
    public var primaryMetric: String = ""
    /// Strict: whether the interval clears the strongest trivial baseline (nil: undefined).
    public var beatsBaseline: Bool?
    /// Strict classification: the seen-class macro F1 of each seed.
    public var seenClassPerSeed: [Double?] = []
    /// Strict classification: the share of test windows whose class train has (the
    /// accuracy ceiling of any head).
    public var unseenCeiling: Double?
    /// Seconds spent training and scoring (all seeds).
    public var seconds: Double = 0
    /// Neural head: the kept epoch per seed when it stopped early on the validation split.
    public var bestEpochs: [Int] = []

    /// Mean and population std of the defined per-seed values.
    public var primaryMeanStd: (mean: Double, std: Double, n: Int)? {
        let v = primaryPerSeed.compactMap { $0 }
        guard !v.isEmpty else { return nil }
        let m = v.reduce(0, +) / Double(v.count)
        let s = (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)).squareRoot()
        return (m, s, v.count)
    }
}

/// What a run produced.
public struct SuiteReport: Sendable {
    public var suiteProtocol: SuiteProtocol
    public var rows: [TaskSummaryRow]
    /// summary_report.json.
    public var summary: JSON
    /// summary.md.
    public var markdown: String
    public var leakage: [LeakageReport]
    /// Seconds per task spent building inputs (matrices, targets, split).
    public var problemSeconds: [TaskID: Double]
}

/// Runs tasks × heads × seeds over episodes and writes the artifact tree.
public enum SuiteRunner {
    /// Runs the suite on `episodes` and writes everything under `output` (written to a
    /// temporary sibling, then renamed, so a failed run leaves no half-written folder).
    /// - Throws: `SuiteError.outputExists` when `output` exists and `overwrite` is off.
    public static func run(episodes: [SuiteEpisode], configuration config: SuiteConfiguration, output: URL) throws -> SuiteReport {
        if FileManager.default.fileExists(atPath: output.path) && !config.overwrite { throw SuiteError.outputExists(path: output.path) }
        guard !episodes.isEmpty else { throw SuiteError.invalidArgument(what: "episodes", detail: "no episode given") }
        guard !config.seeds.isEmpty else { throw SuiteError.invalidArgument(what: "seeds", detail: "at least one seed") }
        // Staged beside `output` and renamed into place whole (XPCore's AtomicFolder): a failed
        // run leaves no half-written tree, and an old tree stays until the new one is complete.
        var report: SuiteReport?
        try AtomicFolder.write(to: output) { staging in
            report = try runInto(staging, episodes: episodes, config: config)
        }
        guard let report else { throw SuiteError.writeFailed(path: output.path, detail: "the run produced no report") }
        return report
    }

    /// How the MLP stops early in this run: on the validation split (when the split has one),
    /// on a tail of train, or not at all.
    static func earlyStoppingDescription(_ settings: HeadSettings) -> JSON {
        let c = settings.mlp
        if settings.earlyStoppingOnValidationSplit {
            return .object([("on", .string("validation split, when the split has one")), ("patience", .int(c.earlyStopping?.patience ?? 10))])
        }
        guard let es = c.earlyStopping else { return .null }
        return .object([("on", .string("tail of train")), ("validation_fraction", .num(es.validationFraction)), ("patience", .int(es.patience))])
    }

    /// What one task produced, gathered in task order after the run.
    struct TaskOutcome: Sendable {
        var rows: [TaskSummaryRow] = []
        var minimal: (String, JSON)?
        var neural: (String, JSON)?
        var leakage: LeakageReport?
        var problemSeconds: Double?
    }

    /// The order tasks start in when several run at once: the costliest first (each task's
    /// card gives its cost; the pair tasks have two windows per sample), so that no long task
    /// is left running alone at the end. Equal costs keep the list order.
    static func schedulingOrder(_ tasks: [TaskID]) -> [Int] {
        tasks.indices.sorted { (tasks[$0].schedulingCost, -$0) > (tasks[$1].schedulingCost, -$1) }
    }

    /// Runs `body` for 0..<count, `width` at a time, starting them in `order`; returns the
    /// results by index. The first error, by index, is rethrown after every body has ended.
    static func runConcurrently<T: Sendable>(_ count: Int, width: Int, order: [Int],
                                             _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let results = Parallel.map(count, width: width, order: order) { i in Result { try body(i) } }
        return try results.map { try $0.get() }
    }

    static func write(_ data: Data, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Inside the staging folder: the whole tree is flushed and renamed at the end.
        do { try data.write(to: url) } catch { throw SuiteError.writeFailed(path: url.path, detail: "\(error)") }
    }

    static func runInto(_ root: URL, episodes: [SuiteEpisode], config: SuiteConfiguration) throws -> SuiteReport {
        let p = config.suiteProtocol
        let policy: SplitPolicy
        if let given = config.policy {
            policy = given
        } else {
            policy = try .standard(for: episodes, seed: config.seeds[0])
        }
        let say = config.progress ?? { _ in }
        // One task (its inputs, then each head and seed) writes only under its own folders,
        // so tasks can run side by side; their outcomes are gathered in task order.
        @Sendable func runTask(_ ti: Int, _ task: TaskID) throws -> TaskOutcome {
            var out = TaskOutcome()
            let contract = TaskContract(task, protocol: p, parameters: config.parameters)
            let start = Date()
            say("[\(ti + 1)/\(config.tasks.count)] \(task.rawValue): building inputs")
            let problem: TaskProblem
            do {
                if let first = task.blockedEverywhere(episodes) {
                    throw SuiteError.notApplicable(task: task.rawValue, reason: "the data of every episode blocks it (first: [\(first.check)] \(first.dataset ?? first.file): found \(first.found))")
                }
                problem = try TaskProblemBuilder.build(contract, episodes: episodes, policy: policy, parameters: config.parameters)
            } catch let SuiteError.notApplicable(_, reason) {
                say("[\(ti + 1)/\(config.tasks.count)] \(task.rawValue): not applicable: \(reason)")
                // The findings on what the task needs, so the file says why with the data's own words.
                let touching = zip(episodes, episodes.map { $0.dataFindings.touching(task.targetModalities.union([.timeline])).filter { $0.severity >= .warning } })
                    .flatMap { episode, findings in findings.map { f -> JSON in
                        if case .object(let pairs) = f.json { return .object([("episode", .string(episode.name))] + pairs) }
                        return f.json
                    } }
                let entry = JSON.object([("task", .string(task.rawValue)), ("task_display_name", .string(task.displayName)),
                                         ("status", .string("not_applicable")), ("reason", .string(reason)), ("protocol", .string(p.rawValue)),
                                         ("data_findings", .array(touching))])
                for head in config.heads {
                    try write(Data(entry.text().utf8), dir(root, head, task).appendingPathComponent("not_applicable.json"))
                    out.rows.append(TaskSummaryRow(task: task, head: head, status: "not_applicable", reason: reason))
                }
                if config.heads.contains(.minimal) { out.minimal = (task.rawValue, entry) }
                if config.heads.contains(.neural) { out.neural = (task.rawValue, entry) }
                return out
            } catch {
                let entry = errorEntry(task, error, p)
                for head in config.heads {
                    try write(Data(entry.text().utf8), dir(root, head, task).appendingPathComponent("error.json"))
                    out.rows.append(TaskSummaryRow(task: task, head: head, status: "error", reason: "\(error)"))
                }
                if config.heads.contains(.minimal) { out.minimal = (task.rawValue, entry) }
                if config.heads.contains(.neural) { out.neural = (task.rawValue, entry) }
                say("[\(ti + 1)/\(config.tasks.count)] \(task.rawValue): failed: \(error)")
                return out
            }
            out.problemSeconds = Date().timeIntervalSince(start)
            out.leakage = problem.leakage()
            // Strict controls (temporal-order pairs farther apart, misalignment shifts): rows
            // the first seed's trained heads also score.
            var controls: DraftedControls?
            var controlsError: String?
            if p == .strict {
                do { controls = try TaskControls.draft(problem, episodes: episodes, parameters: config.parameters) } catch { controlsError = "\(error)" }
            }
            for head in config.heads {
                let folder = dir(root, head, task)
                var row = TaskSummaryRow(task: task, head: head, status: "ok")
                let headStart = Date()
                do {
                    var first: TaskScore?
                    var scores: [TaskScore] = []
                    var firstPredictions: HeadPredictions?
                    let bootstrap = config.bootstrap ?? (p == .strict)
                    for seed in config.seeds {
                        say("[\(ti + 1)/\(config.tasks.count)] \(task.rawValue): \(head.rawValue) head, seed \(seed)")
                        let pred = try HeadRunner.run(problem, head: head, seed: seed, settings: config.headSettings,
                                                      shuffleTrainLabels: config.shuffleTrainLabels,
                                                      extraInputs: first == nil ? (controls?.sets.map(\.x) ?? []) : [])
                        let score = try TaskEvaluator.evaluate(problem, pred, episodes: episodes, parameters: config.parameters,
                                                               settings: config.headSettings, bootstrap: bootstrap, deferInterval: true)
                        row.primaryPerSeed.append(score.primary)
                        if let best = pred.bestEpoch { row.bestEpochs.append(best) }
                        scores.append(score)
                        if first == nil {
                            first = score
                            firstPredictions = pred
                            for (name, data) in score.files { try write(data, folder.appendingPathComponent(name)) }
                            if let model = pred.model {
                                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                                do { try model.write(to: folder.appendingPathComponent("model.safetensors")) } catch {
                                    throw SuiteError.writeFailed(path: folder.appendingPathComponent("model.safetensors").path, detail: "\(error)")
                                }
                            }
                        }
                    }
                    guard var metrics = first?.metrics, let score = first else { continue }
                    // One bootstrap for all seeds: each resample scores every seed, so the
                    // interval describes the mean over seeds that the summary prints.
                    let intervals = bootstrap ? SeedPooling.intervals(scores) : nil
                    var perSeed = scores.map { ($0.seed, $0.metrics) }
                    if let intervals {
                        for k in perSeed.indices { perSeed[k].1 = SeedPooling.withIntervals(perSeed[k].1, intervals, seed: k, of: scores[k]) }
                        metrics = SeedPooling.withIntervals(metrics, intervals, seed: nil, of: score)
                    }
                    row.primaryMetric = score.primaryMetric
                    row.baseline = p == .strict ? (score.strongestBaseline ?? score.baselines.first) : score.baselines.first
                    row.interval = intervals?.reported(seed: nil)
                    if p == .strict {
                        row.beatsBaseline = BaselineVerdict.beats(row.interval, score.strongestBaseline, higherIsBetter: task.higherIsBetter)
                        row.seenClassPerSeed = scores.map { $0.metrics["seen_class_macro_f1"]?.numberValue }
                        row.unseenCeiling = score.metrics["unseen_class_ceiling"]?.numberValue
                        var controlsJSON: JSON?
                        if let controlsError { controlsJSON = .object([("error", .string(controlsError))]) }
                        if let controls, let pred = firstPredictions {
                            say("[\(ti + 1)/\(config.tasks.count)] \(task.rawValue): \(head.rawValue) head, controls")
                            controlsJSON = try TaskControls.score(controls, problem: problem, head: head, predictions: pred, configuration: config)
                        }
                        if let controlsJSON {
                            try write(Data(controlsJSON.text().utf8), folder.appendingPathComponent("controls.json"))
                            metrics = SeedPooling.setting(metrics, "controls", controlsJSON)
                        }
                    }
                    if config.seeds.count > 1 {
                        var f = metrics.fields
                        let ms = row.primaryMeanStd
                        f.append(("primary_over_seeds", .object([
                            ("metric", .string(score.primaryMetric)), ("mean", .num(ms?.mean)), ("std", .num(ms?.std)),
                            ("seeds", .array(config.seeds.map { .int(Int($0)) })),
                            ("values", .array(row.primaryPerSeed.map { JSON.num($0) }))])))
                        metrics = .object(f)
                        for (seed, m) in perSeed {
                            try write(Data(m.text().utf8), folder.appendingPathComponent("seeds/seed_\(seed).metrics.json"))
                        }
                    }
                    try write(Data(metrics.text().utf8), folder.appendingPathComponent("metrics.json"))
                    if head == .minimal { out.minimal = (task.rawValue, metrics) } else { out.neural = (task.rawValue, metrics) }
                } catch {
                    row.status = "error"
                    row.reason = "\(error)"
                    let entry = errorEntry(task, error, p)
                    try write(Data(entry.text().utf8), folder.appendingPathComponent("error.json"))
                    if head == .minimal { out.minimal = (task.rawValue, entry) } else { out.neural = (task.rawValue, entry) }
                    say("[\(ti + 1)/\(config.tasks.count)] \(task.rawValue): \(head.rawValue) head failed: \(error)")
                }
                row.seconds = Date().timeIntervalSince(headStart)
                out.rows.append(row)
                say(String(format: "[%d/%d] %@: %@ head done in %.1f s, %@ = %@", ti + 1, config.tasks.count, task.rawValue, head.rawValue,
                           row.seconds, task.primaryMetric(for: p), row.primaryMeanStd.map { String(format: "%.4f", $0.mean) } ?? "n/a"))
            }
            return out
        }
        // Side by side, each task gets one BLAS thread (restored afterwards).
        let blasThreads = BLASConfiguration.threads
        let pinBLAS = config.concurrentTasks > 1 && config.tasks.count > 1
        if pinBLAS { BLASConfiguration.setThreads(1) }
        defer { if pinBLAS { BLASConfiguration.setThreads(blasThreads) } }
        let outcomes = try runConcurrently(config.tasks.count, width: config.concurrentTasks,
                                           order: schedulingOrder(config.tasks)) { i in try runTask(i, config.tasks[i]) }
        var rows: [TaskSummaryRow] = []
        var taskMetrics: [(String, JSON)] = [], neuralMetrics: [(String, JSON)] = []
        var leakage: [LeakageReport] = []
        var problemSeconds: [TaskID: Double] = [:]
        for (task, o) in zip(config.tasks, outcomes) {
            rows += o.rows
            if let m = o.minimal { taskMetrics.append(m) }
            if let n = o.neural { neuralMetrics.append(n) }
            if let l = o.leakage { leakage.append(l) }
            if let s = o.problemSeconds { problemSeconds[task] = s }
        }

        // Root files.
        let first = episodes[0]
        if episodes.count == 1 {
            try write(Data(WindowsCSV.encode(first.windows).utf8), root.appendingPathComponent("windows.csv"))
        }
        try write(Data(first.schema.manifest.jsonText().utf8), root.appendingPathComponent("feature_manifest.json"))
        let present = first.presentBlocks.map { set in first.schema.blocks.map(\.name).filter { set.contains($0) } } ?? first.schema.blocks.map(\.name)
        try write(Data(JSON.object([("present_blocks", .array(present.map { .string($0) })),
                                    ("missing_blocks", .array(first.schema.blocks.map(\.name).filter { !present.contains($0) }.map { .string($0) }))]).text().utf8),
                  root.appendingPathComponent("available_modalities.json"))
        var audit: [(String, JSON)] = [("protocol", .string(p.rawValue)), ("split", .string(policy.name))]
        if case .heldOutEpisodes(let a) = policy {
            audit.append(("episodes", .array(episodes.indices.map { i in
                .object([("name", .string(episodes[i].name)), ("session", .string(a.sessions[i])), ("role", .string(a.roles[i].rawValue))])
            })))
            var sessionRoles: [String: Set<String>] = [:]
            for (s, r) in zip(a.sessions, a.roles) { sessionRoles[s, default: []].insert(r.rawValue) }
            audit.append(("sessions_spanning_splits", .int(sessionRoles.values.filter { $0.count > 1 }.count)))
        }
        audit.append(("tasks", .object(leakage.map { ($0.task, JSON.encode($0)) })))
        audit.append(("leak_free", .bool(leakage.allSatisfy(\.leakFree))))
        try write(Data(JSON.object(audit).text().utf8), root.appendingPathComponent("leakage_audit.json"))

        let c = config.headSettings.mlp
        var summary: [(String, JSON)] = [
            ("annotation", .string(episodes.map(\.name).joined(separator: ","))),
            ("num_frames", .int(episodes.reduce(0) { $0 + $1.frames.frameCount })),
            ("num_windows", .int(episodes.reduce(0) { $0 + $1.windows.count })),
            ("feature_dim", .int(first.schema.dimension)),
            ("window_frames", .int(config.parameters.window.size)),
            ("stride_frames", .int(config.parameters.window.stride)),
            ("tasks", .object(taskMetrics)),
        ]
        if config.heads.contains(.neural) {
            summary.append(("neural_model", .object([("name", .string("neural_mlp")), ("type", .string("two-hidden-layer MLP over shared window features")),
                                                     ("epochs", .int(c.epochs)), ("hidden_dim", .int(c.hidden)), ("batch_size", .int(c.batchSize)),
                                                     ("learning_rate", .num(Double(c.learningRate))), ("weight_decay", .num(Double(c.weightDecay))),
                                                     ("dropout", .num(Double(c.dropout))), ("device", .string("cpu")),
                                                     ("early_stopping", earlyStoppingDescription(config.headSettings))])))
            summary.append(("neural_tasks", .object(neuralMetrics)))
        }
        summary.append(("task_display_names", .object(config.tasks.map { ($0.rawValue, .string($0.displayName)) })))
        summary.append(("protocol", .string(p.rawValue)))
        if let rules = config.captionRules { summary.append(("caption_rules", .string(rules.rawValue))) }
        summary.append(("seeds", .array(config.seeds.map { .int(Int($0)) })))
        summary.append(("split", .string(policy.name)))
        summary.append(("episodes", .array(episodes.map { .string($0.name) })))
        summary.append(("baselines", .object(config.tasks.map { t in
            (t.rawValue, .object(rows.filter { $0.task == t }.compactMap { r in r.baseline.map { (r.head.rawValue, .object([("name", .string($0.name)), ("value", .num($0.value))])) } }))
        })))
        if config.shuffleTrainLabels { summary.append(("control", .string("training targets permuted"))) }
        let summaryJSON = JSON.object(summary)
        try write(Data(summaryJSON.text().utf8), root.appendingPathComponent("summary_report.json"))
        let markdown = markdownTable(rows: rows, config: config, episodes: episodes, policy: policy)
        try write(Data(markdown.utf8), root.appendingPathComponent("summary.md"))
        return SuiteReport(suiteProtocol: p, rows: rows, summary: summaryJSON, markdown: markdown, leakage: leakage, problemSeconds: problemSeconds)
    }

    /// `<root>/<task>` for the minimal head, `<root>/neural_mlp/<task>` for the neural head.
    public static func dir(_ root: URL, _ head: HeadKind, _ task: TaskID) -> URL {
        head == .minimal ? root.appendingPathComponent(task.rawValue) : root.appendingPathComponent("neural_mlp").appendingPathComponent(task.rawValue)
    }

    static func errorEntry(_ task: TaskID, _ error: any Error, _ p: SuiteProtocol) -> JSON {
        .object([("task", .string(task.rawValue)), ("task_display_name", .string(task.displayName)), ("error", .string("\(error)")),
                 ("protocol", .string(p.rawValue))])
    }

    /// summary.md: one row per task with both heads' primary metric, the baseline, the
    /// interval and (reference protocol) the published number.
    public static func markdownTable(rows: [TaskSummaryRow], config: SuiteConfiguration, episodes: [SuiteEpisode], policy: SplitPolicy) -> String {
        let p = config.suiteProtocol
        if p == .strict { return StrictSummary.markdown(rows: rows, config: config, episodes: episodes, policy: policy) }
        func cell(_ r: TaskSummaryRow?) -> String {
            guard let r else { return "—" }
            switch r.status {
            case "ok":
                guard let ms = r.primaryMeanStd else { return "undefined" }
                return ms.n > 1 ? String(format: "%.4f ± %.4f", ms.mean, ms.std) : String(format: "%.4f", ms.mean)
            case "not_applicable": return "N/A"
            default: return "error"
            }
        }
        func ci(_ r: TaskSummaryRow?) -> String {
            guard let i = r?.interval else { return "—" }
            return String(format: "[%.4f, %.4f]", i.lower, i.upper)
        }
        var lines = [
            "# Task suite summary (\(p.rawValue) protocol)", "",
            "Episodes: \(episodes.map(\.name).joined(separator: ", ")). Split: \(policy.name). Seeds: \(config.seeds.map(String.init).joined(separator: ", "))\(config.seeds.count > 1 ? " (mean ± std over seeds)" : "").",
        ]
        lines.append(rows.contains { $0.interval != nil }
                     ? "Intervals: 95% moving-block bootstrap of the primary metric over test samples (first seed)."
                     : "Intervals: not computed (the reference protocol reports point estimates).")
        if p == .reference {
            lines.append("Published: the reference implementation's numbers on the real sample episode (1,161 windows); they are comparable only on that episode with its features.")
        }
        lines.append("Baseline: the first trivial or chance baseline of the task (all baselines are in each metrics.json).")
        let kept = rows.flatMap(\.bestEpochs)
        if let low = kept.min(), let high = kept.max() {
            lines.append("Neural head: stopped early on the validation episodes, keeping epochs \(low)–\(high) of \(config.headSettings.mlp.epochs) (per task in each metrics.json).")
        }
        lines.append("")
        var header = "| Task | Metric | Minimal | Neural | Baseline | Minimal 95% CI | Neural 95% CI |"
        var rule = "| --- | --- | ---: | ---: | --- | --- | --- |"
        if p == .reference { header += " Published (minimal / neural) |"; rule += " ---: |" }
        lines += [header, rule]
        var notes: [String] = []
        for t in config.tasks {
            let m = rows.first { $0.task == t && $0.head == .minimal }
            let n = rows.first { $0.task == t && $0.head == .neural }
            let base = (m?.baseline ?? n?.baseline).map { String(format: "%@ %.4f", $0.name, $0.value) } ?? "—"
            var line = "| \(t.displayName) (`\(t.rawValue)`) | \(t.primaryMetric)\(t.higherIsBetter ? "" : " ↓") | \(cell(m)) | \(cell(n)) | \(base) | \(ci(m)) | \(ci(n)) |"
            if p == .reference { line += String(format: " %.4f / %.4f |", t.publishedPrimary.minimal, t.publishedPrimary.neural) }
            lines.append(line)
            for r in [m, n].compactMap({ $0 }) where r.status != "ok" {
                if let reason = r.reason, !notes.contains("- `\(t.rawValue)`: \(reason)") { notes.append("- `\(t.rawValue)`: \(reason)") }
            }
        }
        if !notes.isEmpty { lines += ["", "Not applicable or failed:", ""] + notes }
        lines += dataQualityLines(episodes)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The summary's data-quality section (empty when no finding reaches a warning).
    static func dataQualityLines(_ episodes: [SuiteEpisode]) -> [String] {
        var lines: [String] = []
        let flagged = episodes.filter { $0.dataFindings.contains { $0.severity >= .warning } }
        if !flagged.isEmpty {
            lines += ["", "Data quality (findings of the quality pass, `xp-qa` for all of them):", ""]
            for episode in flagged {
                let findings = episode.dataFindings.ordered.filter { $0.severity >= .warning }
                for f in findings.prefix(10) { lines.append("- `\(episode.name)`: \(f.severity.rawValue) `\(f.check)` \(f.dataset ?? f.file): expected \(f.expected); found \(f.found)") }
                if findings.count > 10 { lines.append("- `\(episode.name)`: … \(findings.count - 10) more") }
            }
        }
        return lines
    }
}
