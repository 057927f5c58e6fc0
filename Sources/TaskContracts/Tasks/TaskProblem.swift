import Foundation
import Heads
import WindowAlign

/// A task's targets, one row per sample.
public enum TaskTargets: Sendable {
    /// Class ids into `classNames` (first-appearance order over the task's samples).
    case classes(ids: [Int], classNames: [String])
    /// Multi-hot rows over `vocabulary`.
    case multiLabel(rows: [[Bool]], vocabulary: [String])
    /// Real-valued rows (regression, projection).
    case values(Matrix)

    /// Class ids of `labels`: `fixedNames` first (in that order), then the other labels in
    /// order of first appearance (the reference's `encode_labels`).
    static func encoding(_ labels: [String], fixedNames: [String] = []) -> TaskTargets {
        var names = fixedNames
        var index: [String: Int] = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var ids: [Int] = []
        for l in labels {
            if let k = index[l] { ids.append(k) } else { index[l] = names.count; ids.append(names.count); names.append(l) }
        }
        return .classes(ids: ids, classNames: names)
    }

    /// Multi-hot rows of `sets` over the names in order of first appearance.
    static func multiHot(_ sets: [[String]]) -> TaskTargets {
        var vocab: [String] = []
        var seen = Set<String>()
        for set in sets { for o in set where !seen.contains(o) { seen.insert(o); vocab.append(o) } }
        let pos = Dictionary(uniqueKeysWithValues: vocab.enumerated().map { ($1, $0) })
        return .multiLabel(rows: sets.map { set in
            var row = [Bool](repeating: false, count: vocab.count)
            for o in set { if let k = pos[o] { row[k] = true } }
            return row
        }, vocabulary: vocab)
    }
}

/// A task turned into matrices: inputs, targets, which samples train and which test.
public struct TaskProblem: Sendable {
    public var contract: TaskContract
    public var samples: [Sample]
    /// samples × input dims.
    public var x: Matrix
    public var targets: TaskTargets
    public var roles: [SplitRole]
    /// Feature columns (of the 8,546 schema) the inputs come from; for pair tasks, per side.
    public var inputColumns: [Int]
    /// Column ranges of `x` per feature block (for the strict standardiser's block floors).
    public var inputBlocks: [Range<Int>]
    /// Task 3: all true boundary frames per episode.
    public var boundaries: [[Int]] = []
    /// Task 5: the pose at each sample's window end, repeated over the horizon (zero velocity).
    public var lastPose: Matrix?
    /// Task 5 strict: per sample × future frame × 42 joints, whether the joint was detected.
    public var jointValid: [Bool]?
    /// Task 5 strict: the constant-velocity baseline rows (last pose plus the last frame's
    /// motion, extrapolated over the horizon).
    public var constantVelocity: Matrix?
    /// Strict: per sample, whether its target is valid throughout (task 5: every joint of
    /// the horizon detected). Samples with an invalid target do not train.
    public var targetValid: [Bool]?
    /// Task 7 strict: objects of the test windows that no train window has (left out of the
    /// train-built vocabulary), with the number of test windows each appears in.
    public var unseenTestObjects: [(name: String, count: Int)] = []
    /// Task 8: a group id per sample; samples with an identical caption text share it.
    public var groups: [Int]?
    /// Notes for metrics.json (missing blocks, dropped samples, ...).
    public var notes: [String] = []
    public var splitName: String
    public var gapWindows: Int

    public var trainRows: [Int] { roles.indices.filter { roles[$0] == .train } }
    /// The train rows a head fits on: those whose target is valid (all train rows unless
    /// ``targetValid`` masks some).
    public var fitRows: [Int] {
        guard let valid = targetValid, valid.count == roles.count else { return trainRows }
        return roles.indices.filter { roles[$0] == .train && valid[$0] }
    }
    public var testRows: [Int] { roles.indices.filter { roles[$0] == .test } }
    public var validationRows: [Int] { roles.indices.filter { roles[$0] == .validation } }

    /// The leakage audit of this problem's split.
    public func leakage() -> LeakageReport {
        LeakageReport.audit(task: contract.task.rawValue, split: splitName, gapWindows: gapWindows, samples: samples, roles: roles)
    }
}

/// Builds a ``TaskProblem`` from episodes under a contract: the checks and the split every
/// task shares, around the task's own samples, targets and inputs (its unit's `draft`).
public enum TaskProblemBuilder {
    /// Builds the problem of `contract` over `episodes` split by `policy`.
    /// - Throws: `SuiteError.notApplicable` with the reason when the episodes lack what the
    ///   task needs (labels, a modality, two classes in strict mode).
    public static func build(_ contract: TaskContract, episodes: [SuiteEpisode], policy: SplitPolicy = .chronological,
                             parameters: TaskParameters = TaskParameters()) throws(SuiteError) -> TaskProblem {
        guard !episodes.isEmpty else { throw .invalidArgument(what: "episodes", detail: "at least one episode is needed") }
        let task = contract.task
        let name = task.rawValue
        let schema = episodes[0].schema
        for e in episodes where e.schema != schema {
            throw .shapeMismatch(what: "feature schema of \(e.name)", expected: "the schema of \(episodes[0].name)", found: "a different block layout")
        }
        let w = parameters.window
        var notes: [String] = []

        // Modality checks: a target block set with no data makes the task meaningless; an
        // input set with some blocks missing runs on zero-filled columns and says so.
        if let target = contract.targetSet {
            let targetBlocks = schema.selectBlocks(include: target.include, exclude: target.exclude).map(\.name)
            let missingEverywhere = targetBlocks.filter { b in episodes.allSatisfy { $0.missingBlocks(of: target).contains(b) } }
            if !missingEverywhere.isEmpty && missingEverywhere.count == targetBlocks.count {
                throw .notApplicable(task: name, reason: "the target modality \(target.rawValue) has no data (missing blocks: \(missingEverywhere.joined(separator: ", ")))")
            }
            if !missingEverywhere.isEmpty { notes.append("target blocks without data (zero-filled): \(missingEverywhere.joined(separator: ", "))") }
        }
        let inputMissing = Set(episodes.flatMap { $0.missingBlocks(of: contract.input) }).sorted()
        let inputBlocksAll = schema.selectBlocks(include: contract.input.include, exclude: contract.input.exclude)
        if inputMissing.count == inputBlocksAll.count {
            throw .notApplicable(task: name, reason: "no input block of \(contract.input.rawValue) has data")
        }
        if !inputMissing.isEmpty { notes.append("input blocks without data (zero-filled): \(inputMissing.joined(separator: ", "))") }

        // The task's own part. Its matrices do not depend on the split, so they are built
        // before it; with fewer than two samples they are empty and the guard below throws.
        let draft = try task.unit.draft(TaskDrafting(contract: contract, episodes: episodes, parameters: parameters, schema: schema))
        let samples = draft.samples
        guard samples.count >= 2 else {
            throw .notApplicable(task: name, reason: "only \(samples.count) samples (episodes too short for this task)")
        }

        // Split.
        let roles: [SplitRole]
        let gap: Int
        let splitName: String
        switch policy {
        case .heldOutEpisodes(let assignment):
            guard assignment.roles.count == episodes.count else {
                throw .shapeMismatch(what: "episode assignment", expected: "\(episodes.count) roles", found: "\(assignment.roles.count)")
            }
            roles = samples.map { assignment.roles[$0.episode] }
            gap = 0
            splitName = "held_out_episodes"
        case .chronological:
            if contract.suiteProtocol == .reference {
                // Per episode, over that episode's sample sequence, no gap.
                var r = [SplitRole](repeating: .train, count: samples.count)
                for ei in episodes.indices {
                    let idx = samples.indices.filter { samples[$0].episode == ei }
                    let k = chronologicalSplitPoint(count: idx.count, testFraction: parameters.testFraction)
                    for (pos, s) in idx.enumerated() { r[s] = pos < k ? .train : .test }
                }
                roles = r
                gap = 0
                splitName = "chronological"
            } else {
                gap = purgeGapWindows(windowFrames: w.size, strideFrames: w.stride, horizonFrames: contract.horizonFrames)
                roles = samples.map { s in
                    let count = episodes[s.episode].windows.count
                    let k = chronologicalSplitPoint(count: count, testFraction: parameters.testFraction)
                    let hi = max(s.window, s.partner ?? s.window)
                    let lo = min(s.window, s.partner ?? s.window)
                    if lo >= k { return .test }
                    if hi < k - gap { return .train }
                    return .purged
                }
                splitName = "chronological_purged"
            }
        }

        var problem = TaskProblem(contract: contract, samples: samples, x: draft.inputs.x, targets: draft.targets, roles: roles,
                                  inputColumns: draft.inputs.columns, inputBlocks: draft.inputs.blocks, notes: notes,
                                  splitName: splitName, gapWindows: gap)
        problem.boundaries = draft.boundaries
        problem.lastPose = draft.lastPose
        problem.jointValid = draft.jointValid
        problem.constantVelocity = draft.constantVelocity
        problem.groups = draft.groups
        if contract.suiteProtocol == .strict {
            problem.targetValid = draft.targetValid
            if let valid = draft.targetValid, valid.count == roles.count {
                let masked = roles.indices.filter { roles[$0] == .train && !valid[$0] }.count
                if masked > 0 { problem.notes.append("\(masked) train samples with an invalid target frame (undetected or invalid hand) do not train") }
                if problem.fitRows.isEmpty {
                    throw .notApplicable(task: name, reason: "no train sample has a valid target (every one has an undetected or invalid hand frame)")
                }
            }
            // The object vocabulary is the train split's: an object only the test windows
            // have cannot be learned, and building the vocabulary over them leaks the test.
            if case let .multiLabel(rows, vocab) = problem.targets {
                let trainRows = problem.trainRows, testRows = problem.testRows
                let keep = vocab.indices.filter { j in trainRows.contains { rows[$0][j] } }
                problem.unseenTestObjects = vocab.indices.filter { !keep.contains($0) }.compactMap { j in
                    let n = testRows.filter { rows[$0][j] }.count
                    return n > 0 ? (vocab[j], n) : nil
                }
                problem.targets = .multiLabel(rows: rows.map { r in keep.map { r[$0] } }, vocabulary: keep.map { vocab[$0] })
            }
        }

        // Split sanity.
        let nTrain = roles.filter { $0 == .train }.count, nTest = roles.filter { $0 == .test }.count
        guard nTrain > 0, nTest > 0 else {
            throw .notApplicable(task: name, reason: "the split leaves \(nTrain) train and \(nTest) test samples")
        }
        if case .classes(let ids, let names) = draft.targets, task.kind == .classification, contract.suiteProtocol == .strict {
            let trainClasses = Set(zip(ids, roles).filter { $0.1 == .train }.map(\.0))
            let testClasses = Set(zip(ids, roles).filter { $0.1 == .test }.map(\.0))
            if trainClasses.count < 2 || (testClasses.count < 2 && draft.needsTwoTestClasses) {
                let which = trainClasses.count < 2 ? "train" : "test"
                let only = (trainClasses.count < 2 ? trainClasses : testClasses).map { names[$0] }.sorted()
                throw .notApplicable(task: name, reason: "single-class \(which) split (only \(only.joined(separator: ", "))); a score would be trivially perfect")
            }
        }
        return problem
    }

    static func blockRanges(schema: FeatureSchema, columns: [Int]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var pos = 0
        for b in schema.blocks {
            let n = columns.filter { b.columns.contains($0) }.count
            if n > 0 { out.append(pos..<(pos + n)); pos += n }
        }
        return out
    }

    static func matrix(rows: [[Float]], cols: Int, what: String) throws(SuiteError) -> Matrix {
        var storage: [Float] = []
        storage.reserveCapacity(rows.count * cols)
        for r in rows { storage += r }
        do { return try Matrix(rows: rows.count, cols: cols, storage: storage) } catch {
            throw .shapeMismatch(what: what, expected: "\(rows.count) × \(cols)", found: "\(storage.count) values")
        }
    }

    static func buildRows(count: Int, cols: Int, fill: (Int, UnsafeMutableBufferPointer<Float>) -> Void) throws(SuiteError) -> Matrix {
        var storage = [Float](repeating: 0, count: count * cols)
        storage.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            for r in 0..<count { fill(r, UnsafeMutableBufferPointer(start: base + r * cols, count: cols)) }
        }
        do { return try Matrix(rows: count, cols: cols, storage: storage) } catch {
            throw .shapeMismatch(what: "input rows", expected: "\(count) × \(cols)", found: "\(storage.count)")
        }
    }

    static func gather(episodes: [SuiteEpisode], samples: [Sample], columns: [Int]) throws(SuiteError) -> Matrix {
        let runs = columnRuns(columns)
        return try buildRows(count: samples.count, cols: columns.count) { r, out in
            let s = samples[r]
            let f = episodes[s.episode].features
            f.storage.withUnsafeBufferPointer { src in
                guard let base = src.baseAddress, let dst = out.baseAddress else { return }
                for run in runs { (dst + run.dst).update(from: base + s.window * f.cols + run.src, count: run.count) }
            }
        }
    }

    /// Maximal runs of consecutive source columns, for block copies.
    static func columnRuns(_ columns: [Int]) -> [(src: Int, dst: Int, count: Int)] {
        var runs: [(src: Int, dst: Int, count: Int)] = []
        for (j, c) in columns.enumerated() {
            if let last = runs.last, last.src + last.count == c, last.dst + last.count == j {
                runs[runs.count - 1].count += 1
            } else {
                runs.append((c, j, 1))
            }
        }
        return runs
    }
}
