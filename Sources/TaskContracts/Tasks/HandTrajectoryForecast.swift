import Foundation
import Heads
import Metrics
import WindowAlign

extension TaskID {
    /// Task 5, hand trajectory forecasting: both hands' joints over the next frames.
    public static let handTrajectoryForecast = TaskID(declaring: "hand_trajectory_forecast", HandTrajectoryForecast())
}

/// Task 5: left and right hand joints minus the body root for frames end+1 … end+k
/// (k × 42 joints × 3 values), scored by MPJPE against the last-pose and mean-pose baselines.
struct HandTrajectoryForecast: SuiteTask {
    /// Joints per frame: 21 per hand.
    static let joints = 42

    let card = TaskCard(displayName: "Hand Trajectory Forecasting", kind: .regression, primaryMetric: "mpjpe", higherIsBetter: false,
                        referenceInput: "all modalities at t -> future left/right hand 3D joints",
                        neuralHead: "z-score -> MLP regression", published: (0.8647, 0.1079),
                        targetModalities: [.hands, .body])

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = c.suiteProtocol == .reference ? .all : .noText
        c.horizonFrames = parameters.forecastFrames
        c.targetDescription = "left and right hand joints minus body root for frames end+1…end+\(parameters.forecastFrames) (\(parameters.forecastFrames * 126) values)"
        c.metrics = ["mpjpe", "final_frame_mpjpe", "mse", "mae", "r2"]
        c.artifacts = RegressionScoring.artifacts
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        guard b.episodes.allSatisfy({ $0.frames.handsMinusRoot != nil }) else {
            throw b.notApplicable("hand or body joints are missing (the forecast target needs both)")
        }
        let k = b.parameters.forecastFrames
        var samples: [Sample] = []
        var valueRows: [[Float]] = [], lastPoses: [[Float]] = [], velocityRows: [[Float]] = [], jointValid: [Bool] = []
        var targetValid: [Bool] = []
        for (ei, ep) in b.episodes.enumerated() {
            guard let h = ep.frames.handsMinusRoot else { continue }
            let present = ep.frames.handPresent
            for (i, win) in ep.windows.enumerated() where win.end + k <= ep.frames.frameCount - 1 {
                samples.append(b.sample(ei, i, horizon: k))
                var row: [Float] = []
                row.reserveCapacity(126 * k)
                var last: [Float] = [], velocity: [Float] = []
                last.reserveCapacity(126 * k)
                velocity.reserveCapacity(126 * k)
                let end = h[(win.end * 126)..<(win.end * 126 + 126)]
                // The motion of the last observed frame (zero at the episode's first frame).
                let previous = win.end > 0 ? Array(h[((win.end - 1) * 126)..<(win.end * 126)]) : Array(end)
                var valid = true
                for (step, f) in ((win.end + 1)...(win.end + k)).enumerated() {
                    row += h[(f * 126)..<(f * 126 + 126)]
                    last += end
                    for (a, b) in zip(end, previous) { velocity.append(a + Float(step + 1) * (a - b)) }
                    // Undetected hands are masked in the strict MPJPE (spec §7, 5).
                    for j in 0..<Self.joints {
                        let ok = present.map { $0[f * 2 + (j < 21 ? 0 : 1)] } ?? true
                        jointValid.append(ok)
                        valid = valid && ok
                    }
                }
                valueRows.append(row)
                lastPoses.append(last)
                velocityRows.append(velocity)
                targetValid.append(valid)
            }
        }
        let targets = TaskTargets.values(try TaskProblemBuilder.matrix(rows: valueRows, cols: 126 * k, what: "hand forecast targets"))
        if b.strict, !targetValid.contains(true) {
            throw b.notApplicable("no forecast target is valid: every horizon has an undetected hand or a frame without a valid camera pose or pelvis (see the hand blocks' notes)")
        }
        let inputs = try b.windowInputs(samples)
        return TaskDraft(samples: samples, targets: targets, inputs: inputs,
                         lastPose: try TaskProblemBuilder.matrix(rows: lastPoses, cols: 126 * k, what: "last-pose baseline"),
                         jointValid: jointValid,
                         constantVelocity: try TaskProblemBuilder.matrix(rows: velocityRows, cols: 126 * k, what: "constant-velocity baseline"),
                         targetValid: targetValid)
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        let (yTest, yPred) = try RegressionScoring.values(s)
        let problem = s.problem, predictions = s.predictions, test = s.test, strict = s.strict
        let k = yTest.cols, joints = Self.joints
        var parts = TaskScoreParts()
        let frames = s.parameters.forecastFrames
        var mask: [Bool]? = nil
        if strict, let valid = problem.jointValid {
            var m: [Bool] = []
            m.reserveCapacity(test.count * frames * joints)
            for row in test { m += valid[(row * frames * joints)..<((row + 1) * frames * joints)] }
            mask = m.contains(true) ? m : nil
        }
        // Strict: undetected joints are left out of every metric (three values per joint).
        let valueMask = mask.map { m in m.flatMap { [$0, $0, $0] } }
        let reg = try regressionMetrics(truth: yTest.storage, predicted: yPred.storage, columns: k, mask: valueMask)
        let pose = try poseErrorMetrics(truth: yTest.storage, predicted: yPred.storage, frames: frames, joints: joints, validJoints: mask)
        parts.fields += [("mse", .num(reg.mse)), ("mae", .num(reg.mae)), ("r2", .num(reg.r2))]
        parts.fields += s.header(.windows)
        parts.fields += [("forecast_frames", .int(frames)), ("mpjpe", .num(pose.mpjpe)), ("final_frame_mpjpe", .num(pose.finalFrameMpjpe)), ("target_dim", .int(k))]
        parts.primary = pose.mpjpe
        // Baselines: the test mean (an oracle), the train mean, and the last observed pose.
        let testMean = try columnMeans(yTest.storage.map(Double.init), columns: k)
        let trainMean = predictions.targetMean.map(Double.init)
        func meanPose(_ v: [Double]) throws -> Double? {
            try poseErrorMetrics(truth: yTest.storage.map(Double.init), predicted: (0..<test.count).flatMap { _ in v }, frames: frames, joints: joints, validJoints: mask).mpjpe
        }
        if let lastPose = problem.lastPose {
            let lp = try lastPose.gatherRows(test)
            if let v = try poseErrorMetrics(truth: yTest.storage, predicted: lp.storage, frames: frames, joints: joints, validJoints: mask).mpjpe {
                parts.baselines.append(BaselineScore(name: "last_pose_zero_velocity", value: v))
            }
        }
        if strict, let cv = problem.constantVelocity {
            if let v = try poseErrorMetrics(truth: yTest.storage, predicted: try cv.gatherRows(test).storage, frames: frames, joints: joints, validJoints: mask).mpjpe {
                parts.baselines.append(BaselineScore(name: "constant_velocity", value: v))
            }
        }
        if let v = try meanPose(testMean) { parts.baselines.append(BaselineScore(name: "test_mean_pose_oracle", value: v)) }
        if trainMean.count == k, let v = try meanPose(trainMean) { parts.baselines.append(BaselineScore(name: "train_mean_pose", value: v)) }
        if strict {
            parts.fields.append(("mpjpe_masked_undetected_joints", .bool(mask != nil)))
            let perDim = try regressionMetrics(truth: yTest.storage, predicted: yPred.storage, columns: k, mask: valueMask, perDimension: true)
            parts.fields.append(("mean_per_dimension_r2", .num(perDim.meanPerDimensionR2)))
            let masked = problem.trainRows.count - problem.fitRows.count
            parts.fields += [("metrics_masked_undetected_joints", .bool(mask != nil)), ("train_samples_masked_invalid_target", .int(masked)),
                             ("train_mean_over", .string("train samples with a valid target"))]
        }
        let perRow = perRowPoseError(truth: yTest.storage, predicted: yPred.storage, rows: test.count, frames: frames, mask: mask)
        // Joint-weighted like MPJPE itself: summed errors over summed joint counts.
        parts.resampled.append(ResampledMetric(key: "primary") { idx in
            var sum = 0.0, n = 0
            for i in idx { sum += perRow[i].sum; n += perRow[i].count }
            return n > 0 ? sum / Double(n) : nil
        })
        parts.files.append(try RegressionScoring.predictionsFile(s, truth: yTest, predicted: yPred))
        return parts
    }

    /// Per test row: the summed joint errors and the number of joints scored.
    func perRowPoseError(truth: [Float], predicted: [Float], rows: Int, frames: Int, mask: [Bool]?) -> [(sum: Double, count: Int)] {
        (0..<rows).map { r in
            var sum = 0.0, n = 0
            for f in 0..<frames {
                for j in 0..<Self.joints {
                    let ji = (r * frames + f) * Self.joints + j
                    if let mask, !mask[ji] { continue }
                    let b = ji * 3
                    let dx = Double(truth[b] - predicted[b]), dy = Double(truth[b + 1] - predicted[b + 1]), dz = Double(truth[b + 2] - predicted[b + 2])
                    sum += (dx * dx + dy * dy + dz * dz).squareRoot(); n += 1
                }
            }
            return (sum, n)
        }
    }
}
