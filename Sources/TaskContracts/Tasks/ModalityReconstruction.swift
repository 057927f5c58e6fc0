import Foundation
import Heads
import Metrics
import WindowAlign

extension TaskID {
    /// Task 10, cross-modal reconstruction: regress the visual features from the motion.
    public static let modalityReconstruction = TaskID(declaring: "modality_reconstruction", ModalityReconstruction())
}

/// Task 10: regress the depth and video block from motion, pose, IMU and audio, scored by
/// pooled r2. The reference scores in raw space, where a few extreme-variance dimensions
/// dominate (spec §7, 8); strict scores in train z-units and adds per-dimension r2.
struct ModalityReconstruction: SuiteTask {
    let card = TaskCard(displayName: "Cross-Modal Reconstruction", kind: .regression, primaryMetric: "r2",
                        referenceInput: "motion/IMU/camera/audio", referenceOutput: "depth/video feature vector",
                        neuralHead: RegressionScoring.projectionNeuralHead, published: (-0.0153, -0.0102),
                        targetModalities: [])

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = .motionA
        c.targetSet = .visual
        c.targetDescription = "regress the visual block from motion/pose/IMU/audio"
        c.metrics = ["r2", "mse", "mae"]
        c.artifacts = RegressionScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        let samples = b.episodes.indices.flatMap { ei in b.episodes[ei].windows.indices.map { b.sample(ei, $0) } }
        let y = try b.gather(samples, columns: b.columns(b.contract.targetSet ?? .visual))
        return TaskDraft(samples: samples, targets: .values(y), inputs: try b.windowInputs(samples))
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        let (yTest, yPred) = try RegressionScoring.values(s)
        let predictions = s.predictions, test = s.test, strict = s.strict
        let k = yTest.cols
        var parts = TaskScoreParts()
        var t = yTest.storage, p = yPred.storage, kept = k
        if strict {
            let zt = try RegressionScoring.standardised(yTest, predictions), zp = try RegressionScoring.standardised(yPred, predictions)
            (t, p, kept) = (zt.storage, zp.storage, zt.cols)
        }
        guard kept > 0 else {
            throw SuiteError.notApplicable(task: s.task.rawValue, reason: "every target column is constant on train (nothing to reconstruct)")
        }
        let reg = try regressionMetrics(truth: t, predicted: p, columns: kept, perDimension: strict)
        parts.fields += [("mse", .num(reg.mse)), ("mae", .num(reg.mae)), ("r2", .num(reg.r2))]
        parts.fields += s.header(.trainTestWindows)
        parts.fields.append(("target_dim", .int(k)))
        if strict {
            parts.fields += [("target_space", .string("train z-scores")), ("mean_per_dimension_r2", .num(reg.meanPerDimensionR2))]
            parts.fields += RegressionScoring.standardisationFields(predictions)
        }
        parts.primary = reg.r2
        // Predicting the train mean; in z-units that is the zero row.
        let meanRow = strict ? [Float](repeating: 0, count: kept) : predictions.targetMean
        let base = try regressionMetrics(truth: t, predicted: (0..<test.count).flatMap { _ in meanRow }, columns: kept)
        parts.baselines.append(BaselineScore(name: "train_mean", value: base.r2))
        let resampler = try PooledR2Resampler(truth: t, predicted: p, columns: kept)
        // 200 resamples: each recomputes r2 over every target dimension.
        parts.resamples = 200
        parts.resampled.append(ResampledMetric(key: "primary") { idx in resampler.r2(rows: idx) })
        parts.files.append(try RegressionScoring.predictionsFile(s, truth: yTest, predicted: yPred))
        return parts
    }
}
