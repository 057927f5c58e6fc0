import Foundation
import XPCore
import Metrics
import WindowAlign

extension TaskID {
    /// Task 3, action boundary detection: is the window centre near an action change?
    public static let transitionDetection = TaskID(declaring: "transition_detection", TransitionDetection())
}

/// Task 3: "transition" when the window centre is within the tolerance of a change of the
/// per-frame action label, else "steady"; also scored as boundary detection (boundary F1).
struct TransitionDetection: SuiteTask {
    let card = TaskCard(displayName: "Action Boundary Detection", kind: .classification, primaryMetric: "macro_f1",
                        referenceInput: "all modalities -> action boundary/steady",
                        neuralHead: ClassificationScoring.neuralHead, published: (0.6118, 0.5862))

    func terms(of c: inout TaskContract, parameters: TaskParameters) {
        c.input = c.suiteProtocol == .reference ? .all : .noText
        c.targetDescription = "transition if the window centre is within \(parameters.boundaryToleranceFrames) frames of an action boundary, else steady"
        c.metrics = ClassificationScoring.metrics + ["boundary_f1", "boundary_precision", "boundary_recall"]
        c.artifacts = ClassificationScoring.artifacts + ["true_boundaries.csv"]
    }

    func draft(_ b: TaskDrafting) throws(SuiteError) -> TaskDraft {
        try b.requireActionLabels()
        var samples: [Sample] = [], labels: [String] = [], boundaries: [[Int]] = []
        for (ei, ep) in b.episodes.enumerated() {
            // A boundary is a change between two labelled frames (an empty label is no action).
            let fl = ep.frames.actionLabels
            var frames: [Int] = []
            for f in 1..<max(fl.count, 1) where !fl[f].isEmpty && !fl[f - 1].isEmpty && fl[f] != fl[f - 1] { frames.append(f) }
            boundaries.append(frames)
            for (i, win) in ep.windows.enumerated() {
                let near = frames.contains { abs(win.center - $0) <= b.parameters.boundaryToleranceFrames }
                samples.append(b.sample(ei, i)); labels.append(near ? "transition" : "steady")
            }
        }
        // Fixed class order, so that class 1 is "transition" whatever the first window is.
        return TaskDraft(samples: samples, targets: .encoding(labels, fixedNames: ["steady", "transition"]),
                         inputs: try b.windowInputs(samples), boundaries: boundaries)
    }

    func score(_ s: TaskScoring) throws -> TaskScoreParts {
        try ClassificationScoring.score(s) { parts in
            let b = try boundaryScores(s, peakPicking: s.strict)
            parts.fields += [("boundary_precision", .num(b.boundaryPrecision)), ("boundary_recall", .num(b.boundaryRecall)),
                             ("boundary_f1", .num(b.boundaryF1)), ("matched_boundaries", .int(b.matchedBoundaries)),
                             ("true_boundaries", .int(b.trueBoundaries)), ("predicted_boundaries", .int(b.predictedBoundaries)),
                             ("mean_abs_timing_error_frames", .num(b.meanAbsTimingErrorFrames))]
            if s.strict { parts.fields.append(("boundary_peak_picking", .string("runs merged, one peak per \(2 * s.parameters.boundaryToleranceFrames) frames"))) }
            // Boundary F1 gets an interval too: its counts are additive over test positions.
            let counts = b.perPosition
            parts.resampled.append(ResampledMetric(key: "boundary_f1") { idx in
                var m = 0, t = 0, pr = 0
                for i in idx where i < counts.count { m += counts[i].matched; t += counts[i].truth; pr += counts[i].predicted }
                guard t > 0 else { return nil }
                let precision = pr > 0 ? Double(m) / Double(pr) : 0, recall = Double(m) / Double(t)
                return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            })
            let episodes = s.episodes
            var csv = CSVWriter(lineTerminator: .lf)
            csv.writeRow(s.multiEpisode ? ["episode", "frame"] : ["frame"])
            for (e, list) in s.problem.boundaries.enumerated() {
                for f in list { csv.writeRow(s.multiEpisode ? [episodes[e].name, "\(f)"] : ["\(f)"]) }
            }
            parts.files.append(("true_boundaries.csv", Data(csv.text.utf8)))
        }
    }

    /// Boundary F1 over the test windows of each episode, counts summed over episodes. The
    /// strict protocol merges runs of positive windows and keeps one peak per 2 × tolerance
    /// (spec §7, 9); the reference counts every positive window as a boundary.
    func boundaryScores(_ s: TaskScoring, peakPicking: Bool) throws -> BoundaryScore {
        let problem = s.problem, predictions = s.predictions, episodes = s.episodes, parameters = s.parameters
        var matched = 0, trueCount = 0, predCount = 0, timing = 0.0
        var perPosition = [(matched: Int, truth: Int, predicted: Int)](repeating: (0, 0, 0), count: predictions.testRows.count)
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
            // Each boundary counted at the test position whose window centre is nearest.
            func position(_ frame: Int) -> Int {
                var best = 0
                for (j, c) in centres.enumerated() where abs(c - frame) < abs(centres[best] - frame) { best = j }
                return ks[best]
            }
            for f in truth { perPosition[position(f)].truth += 1 }
            for (f, hit) in zip(predicted, greedyMatches(predicted: predicted, truth: truth, tolerance: parameters.boundaryToleranceFrames)) {
                perPosition[position(f)].predicted += 1
                if hit { perPosition[position(f)].matched += 1 }
            }
            matched += b.matchedBoundaries
            trueCount += b.trueBoundaries
            predCount += b.predictedBoundaries
            timing += (b.meanAbsTimingErrorFrames ?? 0) * Double(b.matchedBoundaries)
        }
        let p = predCount > 0 ? Double(matched) / Double(predCount) : 0
        let r = trueCount > 0 ? Double(matched) / Double(trueCount) : 0
        return BoundaryScore(boundaryPrecision: p, boundaryRecall: r, boundaryF1: p + r > 0 ? 2 * p * r / (p + r) : 0,
                             matchedBoundaries: matched, trueBoundaries: trueCount, predictedBoundaries: predCount,
                             meanAbsTimingErrorFrames: matched > 0 ? timing / Double(matched) : nil, perPosition: perPosition)
    }

    /// Which predicted boundaries `boundaryF1` matches: the same greedy rule (in order, the
    /// nearest unused true boundary within the tolerance, the earlier on a tie).
    func greedyMatches(predicted: [Int], truth: [Int], tolerance: Int) -> [Bool] {
        var used = [Bool](repeating: false, count: truth.count)
        return predicted.map { p in
            var best: (distance: Int, index: Int)?
            for (j, t) in truth.enumerated() where !used[j] && abs(p - t) <= tolerance {
                if let b = best, abs(p - t) >= b.distance { continue }
                best = (abs(p - t), j)
            }
            guard let best else { return false }
            used[best.index] = true
            return true
        }
    }
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
    /// Per test position: matched, true and predicted boundaries counted there.
    var perPosition: [(matched: Int, truth: Int, predicted: Int)] = []
}
