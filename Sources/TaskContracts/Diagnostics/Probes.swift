import Foundation
import Heads
import Metrics
import WindowAlign
import XPCore

/// The research-direction extension probes of `task-suite.md` §6.5 on one episode, with the
/// diagnostics' ridge head (the minimal head; the reference's small MLP is not run):
/// body-motion intensity (A), multi-view consistency retrieval (B), action-phase progress (C)
/// and the ego-motion forecast (D). In `strict` the split is purged by each probe's horizon
/// and D uses the fixed target of §7 #15: the camera displacement t_c2w[end + 20] − t_c2w[end]
/// rotated into the camera frame at the window end (the reference's difference of two
/// within-window statistics is not a displacement).
public enum Probes {
    /// Per-frame camera poses for the strict ego-motion target: row-major 3 × 3 camera-to-world
    /// rotations (9 per frame), camera centres (3 per frame) and validity.
    public struct CameraTrack: Sendable {
        public var rotation: [Double]
        public var translation: [Double]
        public var valid: [Bool]
        public init(rotation: [Double], translation: [Double], valid: [Bool]) {
            self.rotation = rotation; self.translation = translation; self.valid = valid
        }
    }

    /// One probe's outcome: its metrics (primary first), the baseline, and its files.
    public struct Result: Sendable {
        public var name: String
        public var direction: String
        public var inputDim: Int
        public var numTrain: Int
        public var numTest: Int
        public var target: String
        public var metrics: [(String, Double)]
        public var baselineName: String
        public var baselineScore: Double
        /// File name (under `probes/`) → CSV text.
        public var files: [(String, String)]
    }

    /// Runs the four probes on `episode`. `camera` is needed for the strict ego-motion target
    /// (without it that probe is skipped and said so in `skipped`).
    public static func run(episode e: SuiteEpisode, protocol p: SuiteProtocol, camera: CameraTrack?,
                           parameters: TaskParameters = TaskParameters()) throws -> (results: [Result], skipped: [String]) {
        let schema = e.schema
        let n = e.windows.count
        var results: [Result] = [], skipped: [String] = []
        let stride = parameters.window.stride

        // A: body-motion intensity.
        let mocap = schema.columnIndices(include: ["hand_", "body_joints"])
        let inputA = schema.columnIndices(exclude: ["hand_", "body_joints", "body_contacts"])
        if n > 3 {
            let windows = Array(1..<n)
            let energy = windows.map { i in mocap.reduce(0.0) { acc, c in let d = Double(e.features[i, c] - e.features[i - 1, c]); return acc + d * d }.squareRoot() }
            let (train, test) = split(windows, protocol: p, horizonWindows: 0, count: n, parameters: parameters)
            let median = Statistics.median(train.map { energy[$0] })
            let labels = energy.map { $0 >= median ? 1 : 0 }
            let x = try TaskProblemBuilder.gather(episodes: [e], samples: windows.map { sample($0) }, columns: inputA)
            var y = [Float](repeating: 0, count: windows.count * 2)
            for (r, l) in labels.enumerated() { y[r * 2 + l] = 1 }
            let model = try DiagnosticModel.fit(x: x, y: try Matrix(rows: windows.count, cols: 2, storage: y), train: train, protocol: p, zScoreTargets: false)
            let scores = try model.predict(x, rows: test)
            let pred = scores.argmaxPerRow()
            let truth = test.map { labels[$0] }
            let m = try classificationMetrics(truth: truth, predicted: pred, classNames: ["0", "1"], macroAverage: .allClasses).metrics
            let majority = Statistics.mostCommon(train.map { labels[$0] }) ?? 0
            let base = try classificationMetrics(truth: truth, predicted: [Int](repeating: majority, count: truth.count), classNames: ["0", "1"], macroAverage: .allClasses).metrics.macroF1
            var csv = CSVWriter(lineTerminator: .lf)
            csv.writeRow(["window_index", "center_frame", "motion_energy", "true_label", "pred_label", "score_low", "score_high"])
            for (k, r) in test.enumerated() {
                let w = e.windows[windows[r]]
                csv.writeRow([String(w.index), String(w.center), pythonFloatRepr(energy[r]), String(truth[k]), String(pred[k]),
                              pythonFloatRepr(Double(scores[k, 0])), pythonFloatRepr(Double(scores[k, 1]))])
            }
            results.append(Result(name: "body_motion_intensity", direction: "A", inputDim: inputA.count, numTrain: train.count, numTest: test.count,
                                  target: "motion energy ‖X_i[mocap] − X_{i−1}[mocap]‖ ≥ train median (\(pythonFloatRepr(median)))",
                                  metrics: [("macro_f1", m.macroF1), ("accuracy", m.accuracy), ("test_positive_rate", Double(truth.filter { $0 == 1 }.count) / Double(max(truth.count, 1)))],
                                  baselineName: "majority_class", baselineScore: base, files: [("body_motion_intensity_minimal_predictions.csv", csv.text)]))
        }

        // B: multi-view consistency retrieval, fisheye_cam0 → stereo_left.
        let camCols = schema.columnIndices(include: ["video_fisheye_cam0"]), stereoCols = schema.columnIndices(include: ["video_stereo_left"])
        if !camCols.isEmpty && !stereoCols.isEmpty {
            let windows = Array(0..<n)
            let (train, test) = split(windows, protocol: p, horizonWindows: 0, count: n, parameters: parameters)
            let samples = windows.map { sample($0) }
            let x = try TaskProblemBuilder.gather(episodes: [e], samples: samples, columns: camCols)
            let y = try TaskProblemBuilder.gather(episodes: [e], samples: samples, columns: stereoCols)
            let model = try DiagnosticModel.fit(x: x, y: y, train: train, protocol: p, zScoreTargets: true)
            let q = try model.predict(x, rows: test)
            let cand = try DiagnosticModel.zScored(y.gatherRows(test), mean: model.targetMean, std: model.targetStd)
            let ranks = try retrievalRanks(queries: q.storage, candidates: cand.storage, dimension: cand.cols)
            let m = try retrievalMetrics(ranks: ranks, candidates: test.count)
            var csv = CSVWriter(lineTerminator: .lf)
            csv.writeRow(["test_position", "true_rank", "top_candidate_position", "top_candidate_score", "true_score", "window_index", "center_frame"])
            for (k, r) in test.enumerated() {
                let scores = cosineRow(Array(q.row(k)), cand)
                let top = scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) } ?? 0
                let w = e.windows[r]
                csv.writeRow([String(k), String(ranks[k]), String(top), pythonFloatRepr(scores[top]), pythonFloatRepr(scores[k]), String(w.index), String(w.center)])
            }
            results.append(Result(name: "multi_view_consistency_retrieval", direction: "B", inputDim: camCols.count, numTrain: train.count, numTest: test.count,
                                  target: "project video_fisheye_cam0 to video_stereo_left; rank the held-out targets by cosine",
                                  metrics: [("mrr", m.mrr), ("top1_accuracy", m.top1Accuracy), ("top5_accuracy", m.top5Accuracy),
                                            ("top10_accuracy", m.top10Accuracy), ("median_rank", m.medianRank)],
                                  baselineName: "chance", baselineScore: try RetrievalMetrics.chance(candidates: test.count).mrr,
                                  files: [("multi_view_consistency_minimal_ranks.csv", csv.text)]))
        }

        // C: action-phase progress over runs of equal window labels.
        var progress = [Double](repeating: 0, count: n)
        var start = 0
        while start < n {
            var end = start
            while end + 1 < n && e.windows[end + 1].action == e.windows[start].action { end += 1 }
            let len = end - start + 1
            for k in 0..<len { progress[start + k] = len > 1 ? Double(k) / Double(len - 1) : 0 }
            start = end + 1
        }
        try regressionProbe(name: "action_phase_progress", direction: "C", e: e, windows: Array(0..<n), targets: progress.map { [$0] },
                            input: schema.columnIndices(.noText), horizonWindows: 0, protocol: p, parameters: parameters, clip: true,
                            target: "linspace(0, 1) over each run of equal window action labels (runs of one window: 0)",
                            header: ["window_index", "center_frame", "action_label", "true_progress", "pred_progress", "absolute_error"],
                            rowFields: { w, t, pr in [String(w.index), String(w.center), w.action, pythonFloatRepr(t[0]), pythonFloatRepr(pr[0]), pythonFloatRepr(abs(t[0] - pr[0]))] },
                            into: &results)

        // D: ego-motion forecast.
        let egoInput = schema.columnIndices(exclude: ["camera_translation", "caption_"])
        let ahead = max(1, parameters.futureFrames / stride)
        if p == .reference {
            let cam = schema.columnIndices(include: ["camera_translation"])
            let windows = Array(0..<max(0, n - ahead))
            let targets = windows.map { i in cam.map { Double(e.features[i + ahead, $0] - e.features[i, $0]) } }
            try egoProbe(e, windows, targets, egoInput, ahead, p, parameters, "X_{i+\(ahead)}[camera_translation] − X_i[camera_translation] (the reference's; not a displacement, §7 #15)", &results)
        } else if let camera, camera.valid.count == e.frames.frameCount {
            var windows: [Int] = [], targets: [[Double]] = []
            for (i, w) in e.windows.enumerated() {
                let f = w.end + parameters.futureFrames
                guard f < camera.valid.count, camera.valid[w.end], camera.valid[f] else { continue }
                let d = (0..<3).map { camera.translation[f * 3 + $0] - camera.translation[w.end * 3 + $0] }
                // Into the camera frame at the window end: R_c2wᵀ · d.
                let r = Array(camera.rotation[(w.end * 9)..<(w.end * 9 + 9)])
                targets.append((0..<3).map { c in (0..<3).reduce(0.0) { $0 + r[$1 * 3 + c] * d[$1] } })
                windows.append(i)
            }
            try egoProbe(e, windows, targets, egoInput, ahead, p, parameters, "t_c2w[end + \(parameters.futureFrames)] − t_c2w[end] in the camera frame at end", &results)
        } else {
            skipped.append("ego_motion_forecast: the strict target needs the episode's camera poses (slam/trans_xyz, slam/quat_wxyz)")
        }
        return (results, skipped)
    }

    static func egoProbe(_ e: SuiteEpisode, _ windows: [Int], _ targets: [[Double]], _ input: [Int], _ ahead: Int, _ p: SuiteProtocol,
                         _ parameters: TaskParameters, _ target: String, _ results: inout [Result]) throws {
        try regressionProbe(name: "ego_motion_forecast", direction: "D", e: e, windows: windows, targets: targets, input: input,
                            horizonWindows: ahead, protocol: p, parameters: parameters, clip: false, target: target,
                            header: ["window_index", "center_frame", "future_window_index", "delta_l2_true", "delta_l2_pred", "delta_l2_error"],
                            rowFields: { w, t, pr in
                                let lt = t.reduce(0) { $0 + $1 * $1 }.squareRoot(), lp = pr.reduce(0) { $0 + $1 * $1 }.squareRoot()
                                return [String(w.index), String(w.center), String(w.index + ahead), pythonFloatRepr(lt), pythonFloatRepr(lp), pythonFloatRepr(abs(lt - lp))]
                            }, into: &results)
    }

    /// A regression probe: z-scored targets, MAE / MSE / pooled r² in target units (the ridge
    /// predicts z; predictions are mapped back), the train-mean baseline's MAE beside.
    static func regressionProbe(name: String, direction: String, e: SuiteEpisode, windows: [Int], targets: [[Double]], input: [Int],
                                horizonWindows: Int, protocol p: SuiteProtocol, parameters: TaskParameters, clip: Bool, target: String,
                                header: [String], rowFields: (Window, [Double], [Double]) -> [String], into results: inout [Result]) throws {
        guard windows.count > 3, let width = targets.first?.count else { return }
        let (train, test) = split(windows, protocol: p, horizonWindows: horizonWindows, count: e.windows.count, parameters: parameters)
        guard !train.isEmpty, !test.isEmpty else { return }
        let x = try TaskProblemBuilder.gather(episodes: [e], samples: windows.map { sample($0) }, columns: input)
        let y = try Matrix(rows: windows.count, cols: width, storage: targets.flatMap { $0.map { Float($0) } })
        let model = try DiagnosticModel.fit(x: x, y: y, train: train, protocol: p, zScoreTargets: true)
        let z = try model.predict(x, rows: test)
        var csv = CSVWriter(lineTerminator: .lf)
        csv.writeRow(header)
        var truth: [Double] = [], pred: [Double] = [], mean: [Double] = []
        for (k, r) in test.enumerated() {
            var pr = (0..<width).map { Double(z[k, $0] * model.targetStd[$0] + model.targetMean[$0]) }
            if clip { pr = pr.map { min(max($0, 0), 1) } }
            truth += targets[r]; pred += pr; mean += model.targetMean.map(Double.init)
            csv.writeRow(rowFields(e.windows[windows[r]], targets[r], pr))
        }
        let m = try regressionMetrics(truth: truth, predicted: pred, columns: width)
        let base = try regressionMetrics(truth: truth, predicted: mean, columns: width)
        results.append(Result(name: name, direction: direction, inputDim: input.count, numTrain: train.count, numTest: test.count, target: target,
                              metrics: [("mae", m.mae), ("mse", m.mse), ("r2", m.r2)], baselineName: "train_mean_mae", baselineScore: base.mae,
                              files: [("\(name)_minimal_predictions.csv", csv.text)]))
    }

    /// Train and test positions into `windows`: reference, the first 70% of the probe's
    /// samples; strict, windows before the chronological split point less the purge gap, and
    /// windows from it on.
    static func split(_ windows: [Int], protocol p: SuiteProtocol, horizonWindows: Int, count: Int, parameters: TaskParameters) -> (train: [Int], test: [Int]) {
        if p == .reference {
            let k = chronologicalSplitPoint(count: windows.count, testFraction: parameters.testFraction)
            return (Array(0..<k), Array(k..<windows.count))
        }
        let w = parameters.window
        let k = chronologicalSplitPoint(count: count, testFraction: parameters.testFraction)
        let gap = purgeGapWindows(windowFrames: w.size, strideFrames: w.stride, horizonFrames: horizonWindows * w.stride)
        return (windows.indices.filter { windows[$0] + horizonWindows < k - gap }, windows.indices.filter { windows[$0] >= k })
    }

    static func sample(_ window: Int) -> Sample { Sample(episode: 0, window: window, partner: nil, firstFrame: 0, lastFrame: 0) }

    static func cosineRow(_ q: [Float], _ c: Matrix) -> [Double] {
        let qn = max(q.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot(), 1e-8)
        return (0..<c.rows).map { r in
            let row = c.row(r)
            var dot = 0.0, norm = 0.0
            for (a, b) in zip(q, row) { dot += Double(a) * Double(b); norm += Double(b) * Double(b) }
            return dot / (qn * max(norm.squareRoot(), 1e-8))
        }
    }
}
