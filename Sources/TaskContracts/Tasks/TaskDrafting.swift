import Foundation
import Heads
import WindowAlign

/// What a task's ``SuiteTask/draft(_:)`` reads, and the helpers every task uses to turn
/// windows into samples and feature rows.
struct TaskDrafting {
    let contract: TaskContract
    let episodes: [SuiteEpisode]
    let parameters: TaskParameters
    /// The feature schema shared by all episodes (checked before drafting).
    let schema: FeatureSchema

    var name: String { contract.task.rawValue }
    var strict: Bool { contract.suiteProtocol == .strict }

    /// A not-applicable error naming this task.
    func notApplicable(_ reason: String) -> SuiteError { .notApplicable(task: name, reason: reason) }

    /// Tasks 1–4 read per-frame action labels, which only a caption provides.
    func requireActionLabels() throws(SuiteError) {
        guard episodes.allSatisfy({ $0.frames.hasLabels }) else {
            let bad = episodes.filter { !$0.frames.hasLabels }.map(\.name)
            throw notApplicable("no per-frame action labels (no caption) in \(bad.joined(separator: ", "))")
        }
    }

    /// The sample of window `window` of episode `episode`: its frames, and its partner's for
    /// pair tasks, plus `horizon` frames past the end (clipped to the episode), which the
    /// leakage audit and the purge gap account for.
    func sample(_ episode: Int, _ window: Int, partner: Int? = nil, horizon: Int = 0) -> Sample {
        let wins = episodes[episode].windows
        var first = wins[window].start, last = wins[window].end
        if let p = partner {
            first = min(first, wins[p].start)
            last = max(last, wins[p].end)
        }
        return Sample(episode: episode, window: window, partner: partner, firstFrame: first,
                      lastFrame: min(last + horizon, episodes[episode].frames.frameCount - 1))
    }

    /// One sample per window whose `label` is not empty, labelled with it (tasks 1 and 2).
    func labelledWindows(_ label: (Window) -> String) -> (samples: [Sample], labels: [String]) {
        var samples: [Sample] = [], labels: [String] = []
        for (ei, ep) in episodes.enumerated() {
            for (i, win) in ep.windows.enumerated() {
                let l = label(win)
                guard !l.isEmpty else { continue }
                samples.append(sample(ei, i)); labels.append(l)
            }
        }
        return (samples, labels)
    }

    /// The columns of `set` in the schema.
    func columns(_ set: FeatureSet) -> [Int] { schema.columnIndices(set) }

    /// The feature rows of `samples`' windows over `columns`.
    func gather(_ samples: [Sample], columns: [Int]) throws(SuiteError) -> Matrix {
        try TaskProblemBuilder.gather(episodes: episodes, samples: samples, columns: columns)
    }

    /// The inputs of one-window tasks: each sample's window over the contract's input set.
    func windowInputs(_ samples: [Sample]) throws(SuiteError) -> TaskInputs {
        let cols = columns(contract.input)
        return TaskInputs(x: try gather(samples, columns: cols), columns: cols,
                          blocks: TaskProblemBuilder.blockRanges(schema: schema, columns: cols))
    }
}

/// A task's inputs: the matrix, the schema columns it comes from (per side for pair tasks)
/// and its column ranges per feature block.
struct TaskInputs {
    var x: Matrix
    var columns: [Int]
    var blocks: [Range<Int>]
}

/// What a task's ``SuiteTask/draft(_:)`` returns: the problem before its split.
struct TaskDraft {
    var samples: [Sample]
    var targets: TaskTargets
    var inputs: TaskInputs
    /// Task 3: true boundary frames per episode.
    var boundaries: [[Int]] = []
    /// Task 5: the zero-velocity baseline rows and the joint validity mask.
    var lastPose: Matrix? = nil
    var jointValid: [Bool]? = nil
    /// Task 5: the constant-velocity baseline rows.
    var constantVelocity: Matrix? = nil
    /// Per sample: whether its target is valid throughout (strict masks the others out of
    /// training).
    var targetValid: [Bool]? = nil
    /// Task 8: samples with identical caption text share a group.
    var groups: [Int]? = nil
    /// Strict protocol: a single-class test split is also not applicable (task 6, whose
    /// score would otherwise be trivially perfect), not only a single-class train split.
    var needsTwoTestClasses = false
}
