import Foundation
import Heads
import Metrics
import WindowAlign

/// A trivial or chance predictor scored with the task's primary metric.
public struct BaselineScore: Sendable, Equatable, Codable {
    public var name: String
    public var value: Double
}

/// The scores of one head on one task with one seed, and the files that go beside them.
public struct TaskScore: Sendable {
    public var task: TaskID
    public var head: HeadKind
    public var seed: UInt64
    /// metrics.json (reference keys, then `protocol` and the strict extras).
    public var metrics: JSON
    /// The primary metric (nil when undefined, for example no predicted boundary).
    public var primary: Double?
    /// Every baseline computed, the first one is shown in the summary.
    public var baselines: [BaselineScore]
    /// Block-bootstrap interval of the primary metric (strict only).
    public var interval: BootstrapInterval?
    /// Files to write beside metrics.json: name → bytes.
    public var files: [(String, Data)]
}

/// Scores predictions against a problem's test targets.
public enum TaskEvaluator {
    /// Bootstrap resamples in strict runs.
    public static let bootstrapResamples = 1000

    /// Scores `predictions` on `problem`. `episodes` supply window frames for the CSVs.
    public static func evaluate(_ problem: TaskProblem, _ predictions: HeadPredictions, episodes: [SuiteEpisode],
                                parameters: TaskParameters = TaskParameters(), settings: HeadSettings = HeadSettings(),
                                bootstrap: Bool? = nil) throws -> TaskScore {
        let contract = problem.contract
        let task = contract.task
        let strict = contract.suiteProtocol == .strict
        let doBootstrap = bootstrap ?? strict
        let test = predictions.testRows
        let train = problem.trainRows
        let w = parameters.window
        let windowBlock = max(1, (w.size + w.stride - 1) / w.stride)
        var fields: [(String, JSON)] = []
        var baselines: [BaselineScore] = []
        var files: [(String, Data)] = []
        var primary: Double?
        var interval: BootstrapInterval?
        let multiEpisode = episodes.count > 1
        func win(_ row: Int) -> Window { episodes[problem.samples[row].episode].windows[problem.samples[row].window] }
        func episodeColumn(_ row: Int) -> [String] { multiEpisode ? [csvField(episodes[problem.samples[row].episode].name)] : [] }
        let episodeHeader = multiEpisode ? ["episode"] : []
        let featureDim = problem.x.cols

        switch problem.targets {
        case let .classes(ids, names) where task.kind == .classification:
            let truth = test.map { ids[$0] }
            let trainTruth = train.map { ids[$0] }
            let pred = predictions.predictedClass
            let report = try classificationMetrics(truth: truth, predicted: pred, classNames: names, trainTruth: trainTruth)
            let m = report.metrics
            fields += [("accuracy", .num(m.accuracy)), ("balanced_accuracy", .num(m.balancedAccuracy)), ("macro_f1", .num(m.macroF1)),
                       ("weighted_f1", .num(m.weightedF1)), ("num_eval_windows", .int(m.numEvalWindows)), ("num_classes", .int(m.numClasses))]
            fields += header(problem, predictions, windows: true)
            fields += [("feature_dim", .int(featureDim)), ("majority_baseline_accuracy", .num(m.majorityBaselineAccuracy)),
                       ("train_final_accuracy", .num(predictions.trainFinalAccuracy)), ("train_final_loss", .num(predictions.trainFinalLoss)),
                       ("unseen_test_classes", .array((m.unseenTestClasses ?? []).map { .string($0) }))]
            primary = m.macroF1
            // Majority-class baseline with the same metric.
            let majority = mostCommon(trainTruth) ?? 0
            let base = try classificationMetrics(truth: truth, predicted: truth.map { _ in majority }, classNames: names, trainTruth: trainTruth)
            baselines.append(BaselineScore(name: "majority_class", value: base.metrics.macroF1))
            baselines.append(BaselineScore(name: "majority_class_accuracy", value: base.metrics.accuracy))
            if strict {
                fields += [("seen_class_accuracy", .num(m.seenClassAccuracy)), ("seen_class_macro_f1", .num(m.seenClassMacroF1)),
                           ("unseen_class_ceiling", .num(m.unseenClassCeiling)), ("num_seen_class_windows", .int(m.numSeenClassWindows ?? 0))]
            }
            if task == .transitionDetection {
                let b = try boundaryScores(problem, predictions, episodes: episodes, parameters: parameters, peakPicking: strict)
                fields += [("boundary_precision", .num(b.boundaryPrecision)), ("boundary_recall", .num(b.boundaryRecall)),
                           ("boundary_f1", .num(b.boundaryF1)), ("matched_boundaries", .int(b.matchedBoundaries)),
                           ("true_boundaries", .int(b.trueBoundaries)), ("predicted_boundaries", .int(b.predictedBoundaries)),
                           ("mean_abs_timing_error_frames", .num(b.meanAbsTimingErrorFrames))]
                if strict { fields.append(("boundary_peak_picking", .string("runs merged, one peak per \(2 * parameters.boundaryToleranceFrames) frames"))) }
                var csv = "frame\n"
                for (e, list) in problem.boundaries.enumerated() {
                    for f in list { csv += multiEpisode ? "\(episodes[e].name),\(f)\n" : "\(f)\n" }
                }
                if multiEpisode { csv = "episode,frame\n" + csv.dropFirst("frame\n".count) }
                files.append(("true_boundaries.csv", Data(csv.utf8)))
            }
            if doBootstrap {
                interval = try? blockBootstrap(count: truth.count, blockLength: windowBlock, resamples: bootstrapResamples, seed: predictions.seed) { idx in
                    try classificationMetrics(truth: idx.map { truth[$0] }, predicted: idx.map { pred[$0] }, classNames: names).metrics.macroF1
                }
            }
            files.append(("per_class_metrics.csv", Data(report.perClassCSV().utf8)))
            files.append(("confusion_matrix.csv", Data(report.confusion.csv().utf8)))
            var csv = (episodeHeader + ["window_index", "start_frame", "end_frame", "center_frame", "true_label", "predicted_label", "confidence", "correct"]).joined(separator: ",") + "\n"
            for (k, row) in test.enumerated() {
                let wi = win(row)
                csv += (episodeColumn(row) + [String(wi.index), String(wi.start), String(wi.end), String(wi.center), csvField(names[truth[k]]),
                                              csvField(names[pred[k]]), "\(Double(predictions.confidence[k]))", truth[k] == pred[k] ? "1" : "0"]).joined(separator: ",") + "\n"
            }
            files.append(("predictions.csv", Data(csv.utf8)))

        case let .classes(ids, _):
            // Binary pair tasks.
            let truth = test.map { ids[$0] }
            let pred = predictions.predictedClass
            let scores = predictions.probabilityOfClass1.map(Double.init)
            let b = try binaryMetrics(truth: truth, predicted: pred, scores: strict && scores.count == truth.count ? scores : nil)
            fields += [("accuracy", .num(b.accuracy)), ("precision", .num(b.precision)), ("recall", .num(b.recall)), ("f1", .num(b.f1)),
                       ("tp", .int(b.tp)), ("tn", .int(b.tn)), ("fp", .int(b.fp)), ("fn", .int(b.fn)),
                       ("positive_rate_true", .num(b.positiveRateTrue)), ("positive_rate_pred", .num(b.positiveRatePred))]
            fields += header(problem, predictions, windows: false)
            if predictions.head == .neural { fields.append(("feature_dim", .int(featureDim))) }
            fields.append(("train_final_accuracy", .num(predictions.trainFinalAccuracy)))
            if strict { fields.append(("auroc", .num(b.auroc))) }
            primary = b.f1
            // A coin flip scores F1 = p/(p + 0.5) in expectation (precision p, recall 0.5).
            let p = b.positiveRateTrue
            baselines.append(BaselineScore(name: "random_guess", value: p / (p + 0.5)))
            baselines.append(BaselineScore(name: "always_positive", value: 2 * p / (1 + p)))
            baselines.append(BaselineScore(name: "chance_accuracy", value: max(p, 1 - p)))
            if doBootstrap {
                interval = try? blockBootstrap(count: truth.count, blockLength: 2 * windowBlock, resamples: bootstrapResamples, seed: predictions.seed) { idx in
                    try binaryMetrics(truth: idx.map { truth[$0] }, predicted: idx.map { pred[$0] }).f1
                }
            }
            var csv = "sample_index,true,predicted,prob_positive\n"
            for (k, row) in test.enumerated() {
                let prob = k < predictions.probabilityOfClass1.count ? Double(predictions.probabilityOfClass1[k]) : Double(pred[k])
                csv += "\(row),\(truth[k]),\(pred[k]),\(prob)\n"
            }
            files.append(("predictions.csv", Data(csv.utf8)))

        case let .multiLabel(rows, vocab):
            let truth = test.map { rows[$0] }
            let pred = predictions.predictedLabels
            let macro: MultiLabelMacro = strict ? .labelsPresentInTruth : .wholeVocabulary
            let m = try multiLabelMetrics(truth: truth, predicted: pred, macroAverage: macro)
            fields += [("micro_f1", .num(m.microF1)), ("macro_f1", .num(m.macroF1)), ("exact_match", .num(m.exactMatch)),
                       ("precision", .num(m.precision)), ("recall", .num(m.recall))]
            fields += header(problem, predictions, windows: true)
            fields.append(("num_objects", .int(vocab.count)))
            if strict {
                fields += [("macro_f1_over", .string(macro.rawValue)), ("macro_f1_num_labels", .int(m.macroF1NumLabels)),
                           ("object_names", .string("canonicalised (lower-case, synonym map)"))]
            }
            primary = m.microF1
            let constant = try labelFrequencyBaseline(train: train.map { rows[$0] })
            let base = try multiLabelMetrics(truth: truth, predicted: truth.map { _ in constant }, macroAverage: macro)
            baselines.append(BaselineScore(name: "label_frequency", value: base.microF1))
            if doBootstrap {
                interval = try? blockBootstrap(count: truth.count, blockLength: windowBlock, resamples: bootstrapResamples, seed: predictions.seed) { idx in
                    try multiLabelMetrics(truth: idx.map { truth[$0] }, predicted: idx.map { pred[$0] }, macroAverage: macro).microF1
                }
            }
            files.append(("object_vocab.json", Data(JSON.array(vocab.map { .string($0) }).text().utf8)))
            func join(_ r: [Bool]) -> String { csvField(zip(vocab, r).filter { $0.1 }.map(\.0).joined(separator: "|")) }
            var csv = (episodeHeader + ["window_index", "start_frame", "end_frame", "true_objects", "predicted_objects"]).joined(separator: ",") + "\n"
            for (k, row) in test.enumerated() {
                let wi = win(row)
                csv += (episodeColumn(row) + [String(wi.index), String(wi.start), String(wi.end), join(truth[k]), join(pred[k])]).joined(separator: ",") + "\n"
            }
            files.append(("predictions.csv", Data(csv.utf8)))

        case let .values(y):
            guard let yPred = predictions.values else { throw SuiteError.shapeMismatch(what: "predictions of \(task.rawValue)", expected: "values", found: "none") }
            let yTest = try y.gatherRows(test)
            let k = y.cols
            switch task {
            case .handTrajectoryForecast:
                let frames = parameters.forecastFrames
                let reg = try regressionMetrics(truth: yTest.storage, predicted: yPred.storage, columns: k)
                var mask: [Bool]? = nil
                if strict, let valid = problem.jointValid {
                    var m: [Bool] = []
                    m.reserveCapacity(test.count * frames * 42)
                    for row in test { m += valid[(row * frames * 42)..<((row + 1) * frames * 42)] }
                    mask = m.contains(true) ? m : nil
                }
                let pose = try poseErrorMetrics(truth: yTest.storage, predicted: yPred.storage, frames: frames, joints: 42, validJoints: mask)
                fields += [("mse", .num(reg.mse)), ("mae", .num(reg.mae)), ("r2", .num(reg.r2))]
                fields += header(problem, predictions, windows: true)
                fields += [("forecast_frames", .int(frames)), ("mpjpe", .num(pose.mpjpe)), ("final_frame_mpjpe", .num(pose.finalFrameMpjpe)), ("target_dim", .int(k))]
                primary = pose.mpjpe
                // Baselines: the test mean (an oracle), the train mean, and the last observed pose.
                let testMean = try columnMeans(yTest.storage.map(Double.init), columns: k)
                let trainMean = predictions.targetMean.map(Double.init)
                func meanPose(_ v: [Double]) throws -> Double? {
                    try poseErrorMetrics(truth: yTest.storage.map(Double.init), predicted: (0..<test.count).flatMap { _ in v }, frames: frames, joints: 42, validJoints: mask).mpjpe
                }
                if let lastPose = problem.lastPose {
                    let lp = try lastPose.gatherRows(test)
                    if let v = try poseErrorMetrics(truth: yTest.storage, predicted: lp.storage, frames: frames, joints: 42, validJoints: mask).mpjpe {
                        baselines.append(BaselineScore(name: "last_pose_zero_velocity", value: v))
                    }
                }
                if let v = try meanPose(testMean) { baselines.append(BaselineScore(name: "test_mean_pose_oracle", value: v)) }
                if trainMean.count == k, let v = try meanPose(trainMean) { baselines.append(BaselineScore(name: "train_mean_pose", value: v)) }
                if strict {
                    fields.append(("mpjpe_masked_undetected_joints", .bool(mask != nil)))
                    let perDim = try regressionMetrics(truth: yTest.storage, predicted: yPred.storage, columns: k, perDimension: true)
                    fields.append(("mean_per_dimension_r2", .num(perDim.meanPerDimensionR2)))
                }
                if doBootstrap {
                    let perRow = perRowPoseError(truth: yTest.storage, predicted: yPred.storage, rows: test.count, frames: frames, mask: mask)
                    // Joint-weighted like MPJPE itself: summed errors over summed joint counts.
                    interval = try? blockBootstrap(count: test.count, blockLength: windowBlock, resamples: bootstrapResamples, seed: predictions.seed) { idx in
                        var sum = 0.0, n = 0
                        for i in idx { sum += perRow[i].sum; n += perRow[i].count }
                        return n > 0 ? sum / Double(n) : nil
                    }
                }
                files.append(("predictions.npz", try npz([("y_true", yTest.storage, [test.count, k]), ("y_pred", yPred.storage, [test.count, k])],
                                                           ints: [("test_window_indices", test.map { Int64(problem.samples[$0].window) })])))
            case .modalityReconstruction:
                // Reference: raw space. Strict: z-units with the train statistics, per-dimension r2.
                let (t, p) = strict ? (zscore(yTest, predictions), zscore(yPred, predictions)) : (yTest.storage, yPred.storage)
                let reg = try regressionMetrics(truth: t, predicted: p, columns: k, perDimension: strict)
                fields += [("mse", .num(reg.mse)), ("mae", .num(reg.mae)), ("r2", .num(reg.r2))]
                fields += header(problem, predictions, windows: false)
                fields.append(("target_dim", .int(k)))
                if strict {
                    fields += [("target_space", .string("train z-scores")), ("mean_per_dimension_r2", .num(reg.meanPerDimensionR2))]
                }
                primary = reg.r2
                let meanRow = strict ? [Float](repeating: 0, count: k) : predictions.targetMean
                let base = try regressionMetrics(truth: t, predicted: (0..<test.count).flatMap { _ in meanRow }, columns: k)
                baselines.append(BaselineScore(name: "train_mean", value: base.r2))
                if doBootstrap {
                    let resampler = try PooledR2Resampler(truth: t, predicted: p, columns: k)
                    interval = try? blockBootstrap(count: test.count, blockLength: windowBlock, resamples: 200, seed: predictions.seed) { idx in
                        resampler.r2(rows: idx)
                    }
                }
                files.append(("predictions.npz", try npz([("y_true", yTest.storage, [test.count, k]), ("y_pred", yPred.storage, [test.count, k])],
                                                           ints: [("test_window_indices", test.map { Int64(problem.samples[$0].window) })])))
            default:
                // Retrieval (tasks 8, 9).
                var queries: [Float], candidates: [Float]
                if task == .captionGrounding {
                    queries = yTest.storage; candidates = yPred.storage
                } else {
                    queries = yPred.storage; candidates = yTest.storage
                }
                var positives: [[Int]]? = nil
                if strict {
                    queries = zscore(try Matrix(rows: test.count, cols: k, storage: queries), predictions)
                    candidates = zscore(try Matrix(rows: test.count, cols: k, storage: candidates), predictions)
                    var sets = try tolerancePositives(queries: test.count, candidates: test.count, tolerance: parameters.retrievalToleranceWindows)
                    if task == .captionGrounding, let groups = problem.groups {
                        let g = test.map { groups[$0] }
                        let same = try groupPositives(queryGroups: g, candidateGroups: g)
                        sets = zip(sets, same).map { Array(Set($0).union($1)).sorted() }
                    }
                    positives = sets
                }
                let ranks = try retrievalRanks(queries: queries, candidates: candidates, dimension: k, positives: positives)
                let r = try retrievalMetrics(ranks: ranks, candidates: test.count)
                fields += [("mrr", .num(r.mrr)), ("median_rank", .num(r.medianRank)), ("mean_rank", .num(r.meanRank)), ("num_queries", .int(r.numQueries)),
                           ("top1_accuracy", .num(r.top1Accuracy)), ("top5_accuracy", .num(r.top5Accuracy)), ("top10_accuracy", .num(r.top10Accuracy))]
                fields += header(problem, predictions, windows: false)
                primary = r.mrr
                let chance = try positives.map { try RetrievalMetrics.chance(candidates: test.count, positivesPerQuery: $0.map(\.count)) }
                    ?? RetrievalMetrics.chance(candidates: test.count)
                baselines.append(BaselineScore(name: "chance_mrr", value: chance.mrr))
                if strict {
                    fields += [("retrieval_space", .string("train z-scores")),
                               ("positives", .string(task == .captionGrounding ? "same caption text or within ±\(parameters.retrievalToleranceWindows) windows" : "within ±\(parameters.retrievalToleranceWindows) windows")),
                               ("mean_positives_per_query", .num(Double(positives?.reduce(0) { $0 + $1.count } ?? test.count) / Double(test.count))),
                               ("chance_mrr", .num(chance.mrr)), ("chance_top5_accuracy", .num(chance.top5Accuracy))]
                }
                if doBootstrap {
                    let rr = ranks.map { 1 / Double($0) }
                    interval = try? blockBootstrap(count: rr.count, blockLength: windowBlock, resamples: bootstrapResamples, seed: predictions.seed) { idx in
                        idx.reduce(0.0) { $0 + rr[$1] } / Double(idx.count)
                    }
                }
            }
        }

        // Tail keys: neural settings, protocol, strict extras, display name last (as the reference).
        if predictions.head == .neural {
            let c = settings.mlp
            fields += [("model", .string("neural_mlp")), ("head", .string(task.neuralHeadDescription)), ("neural_epochs", .int(c.epochs)),
                       ("neural_hidden_dim", .int(c.hidden)), ("neural_batch_size", .int(c.batchSize)),
                       ("neural_learning_rate", .num(Double(c.learningRate))), ("neural_weight_decay", .num(Double(c.weightDecay))),
                       ("neural_dropout", .num(Double(c.dropout))), ("neural_device", .string("cpu"))]
            if let best = predictions.bestEpoch {
                fields += [("neural_early_stopping", .object([("validation_samples", .int(predictions.validationSamples)),
                                                              ("best_epoch", .int(best)),
                                                              ("epochs_run", .int(predictions.history.last?.epoch ?? best))]))]
            }
            if !fields.contains(where: { $0.0 == "train_final_loss" }) { fields.append(("train_final_loss", .num(predictions.trainFinalLoss))) }
            if !fields.contains(where: { $0.0 == "train_final_accuracy" }), let a = predictions.trainFinalAccuracy { fields.append(("train_final_accuracy", .num(a))) }
            files.append(("history.json", Data(JSON.array(predictions.history.map { r in
                var f: [(String, JSON)] = [("epoch", .int(r.epoch)), ("loss", .num(r.loss))]
                if let a = r.accuracy { f.append(("train_accuracy", .num(a))) }
                if let v = r.validationLoss { f.append(("validation_loss", .num(v))) }
                return .object(f)
            }).text().utf8)))
        }
        fields.append(("task_display_name", .string(task.displayName)))
        fields.append(("protocol", .string(contract.suiteProtocol.rawValue)))
        fields.append(("seed", .int(Int(predictions.seed))))
        fields.append(("baselines", .object(baselines.map { ($0.name, .num($0.value)) })))
        if let interval { fields.append(("primary_interval", JSON.encode(interval))) }
        if !problem.notes.isEmpty { fields.append(("notes", .array(problem.notes.map { .string($0) }))) }
        return TaskScore(task: task, head: predictions.head, seed: predictions.seed, metrics: .object(fields), primary: primary,
                         baselines: baselines, interval: interval, files: files)
    }

    /// The shared descriptive keys, in the reference's order.
    static func header(_ problem: TaskProblem, _ predictions: HeadPredictions, windows: Bool) -> [(String, JSON)] {
        let task = problem.contract.task
        let strict = problem.contract.suiteProtocol == .strict
        var f: [(String, JSON)] = [("task", .string(task.rawValue))]
        f.append(("input", .string(strict ? "\(problem.contract.input.rawValue): \(problem.contract.targetDescription)" : task.referenceInputDescription)))
        if let o = task.referenceOutputDescription { f.append(("output", .string(o))) }
        f.append(("split", .string(problem.splitName)))
        let nTrain = problem.trainRows.count, nTest = problem.testRows.count
        let used = problem.roles.filter { $0 == .train || $0 == .test }.count
        switch task.kind {
        case .binaryPairs:
            f += [("num_samples", .int(used)), ("num_train_samples", .int(nTrain)), ("num_test_samples", .int(nTest))]
        case .retrieval:
            f += [("num_train_windows", .int(nTrain)), ("num_test_windows", .int(nTest))]
        default:
            if task == .modalityReconstruction {
                f += [("num_train_windows", .int(nTrain)), ("num_test_windows", .int(nTest))]
            } else {
                f += [("num_windows", .int(used)), ("num_train_windows", .int(nTrain)), ("num_test_windows", .int(nTest))]
            }
        }
        if strict {
            f += [("purged_samples", .int(problem.roles.filter { $0 == .purged }.count)), ("gap_windows", .int(problem.gapWindows)),
                  ("feature_set", .string(problem.contract.input.rawValue))]
        }
        return f
    }

    /// Boundary F1 over the test windows of each episode, counts summed over episodes.
    static func boundaryScores(_ problem: TaskProblem, _ predictions: HeadPredictions, episodes: [SuiteEpisode],
                               parameters: TaskParameters, peakPicking: Bool) throws -> BoundaryScore {
        var matched = 0, trueCount = 0, predCount = 0, timing = 0.0
        for e in episodes.indices {
            let ks = predictions.testRows.indices.filter { problem.samples[predictions.testRows[$0]].episode == e }
            guard !ks.isEmpty else { continue }
            let centres = ks.map { episodes[e].windows[problem.samples[predictions.testRows[$0]].window].center }
            let positive = ks.map { predictions.predictedClass[$0] == 1 }
            let predicted: [Int]
            if peakPicking {
                let scores = ks.map { $0 < predictions.probabilityOfClass1.count ? Double(predictions.probabilityOfClass1[$0]) : (positive[$0 - ks[0]] ? 1 : 0) }
                predicted = try pickBoundaryPeaks(centres: centres, positive: positive, scores: scores,
                                                  minSeparationFrames: 2 * parameters.boundaryToleranceFrames).map(\.frame)
            } else {
                predicted = zip(centres, positive).filter { $0.1 }.map(\.0)
            }
            let truth = boundaries(e < problem.boundaries.count ? problem.boundaries[e] : [], withinCentres: centres)
            let b = try boundaryF1(predicted: predicted, truth: truth, toleranceFrames: parameters.boundaryToleranceFrames)
            matched += b.matchedBoundaries
            trueCount += b.trueBoundaries
            predCount += b.predictedBoundaries
            timing += (b.meanAbsTimingErrorFrames ?? 0) * Double(b.matchedBoundaries)
        }
        let p = predCount > 0 ? Double(matched) / Double(predCount) : 0
        let r = trueCount > 0 ? Double(matched) / Double(trueCount) : 0
        return BoundaryScore(boundaryPrecision: p, boundaryRecall: r, boundaryF1: p + r > 0 ? 2 * p * r / (p + r) : 0,
                               matchedBoundaries: matched, trueBoundaries: trueCount, predictedBoundaries: predCount,
                               meanAbsTimingErrorFrames: matched > 0 ? timing / Double(matched) : nil)
    }

    static func zscore(_ m: Matrix, _ p: HeadPredictions) -> [Float] {
        let k = m.cols
        guard p.targetMean.count == k, p.targetStd.count == k else { return m.storage }
        var out = m.storage
        for i in 0..<m.rows { for j in 0..<k { out[i * k + j] = (out[i * k + j] - p.targetMean[j]) / p.targetStd[j] } }
        return out
    }

    static func perRowPoseError(truth: [Float], predicted: [Float], rows: Int, frames: Int, mask: [Bool]?) -> [(sum: Double, count: Int)] {
        (0..<rows).map { r in
            var sum = 0.0, n = 0
            for f in 0..<frames {
                for j in 0..<42 {
                    let ji = (r * frames + f) * 42 + j
                    if let mask, !mask[ji] { continue }
                    let b = ji * 3
                    let dx = Double(truth[b] - predicted[b]), dy = Double(truth[b + 1] - predicted[b + 1]), dz = Double(truth[b + 2] - predicted[b + 2])
                    sum += (dx * dx + dy * dy + dz * dz).squareRoot(); n += 1
                }
            }
            return (sum, n)
        }
    }

    static func npz(_ floats: [(String, [Float], [Int])], ints: [(String, [Int64])]) throws -> Data {
        var members: [(String, Data)] = []
        for (name, values, shape) in floats { members.append((name, try NumPyFile.encode(values, shape: shape))) }
        for (name, values) in ints { members.append((name, try NumPyFile.encode(values, shape: [values.count]))) }
        return NPZ.encode(members)
    }
}

/// The most common value, ties to the first seen (Python `Counter.most_common`).
func mostCommon(_ values: [Int]) -> Int? {
    var counts: [Int: Int] = [:], order: [Int] = []
    for v in values { if counts[v] == nil { order.append(v) }; counts[v, default: 0] += 1 }
    var best: Int? = nil, bestCount = 0
    for v in order where (counts[v] ?? 0) > bestCount { best = v; bestCount = counts[v] ?? 0 }
    return best
}

/// A CSV field, quoted when it holds a comma, quote or newline (Python `csv` minimal quoting).
func csvField(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Boundary F1 counts summed over episodes.
struct BoundaryScore {
    var boundaryPrecision: Double
    var boundaryRecall: Double
    var boundaryF1: Double
    var matchedBoundaries: Int
    var trueBoundaries: Int
    var predictedBoundaries: Int
    var meanAbsTimingErrorFrames: Double?
}
