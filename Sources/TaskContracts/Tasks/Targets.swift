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
    /// Task 8: a group id per sample; samples with an identical caption text share it.
    public var groups: [Int]?
    /// Notes for metrics.json (missing blocks, dropped samples, ...).
    public var notes: [String] = []
    public var splitName: String
    public var gapWindows: Int

    public var trainRows: [Int] { roles.indices.filter { roles[$0] == .train } }
    public var testRows: [Int] { roles.indices.filter { roles[$0] == .test } }
    public var validationRows: [Int] { roles.indices.filter { roles[$0] == .validation } }

    /// The leakage audit of this problem's split.
    public func leakage() -> LeakageReport {
        LeakageReport.audit(task: contract.task.rawValue, split: splitName, gapWindows: gapWindows, samples: samples, roles: roles)
    }
}

/// The object-name canonicalisation of the strict protocol: lower-case, trimmed, inner
/// whitespace collapsed, a leading article dropped, then the synonym map.
public enum ObjectNames {
    /// Synonyms merged by the strict protocol (documented in Docs/tasks/object_relevance.md).
    public static let synonyms: [String: String] = [
        "digital scale": "scale", "coffee scale": "scale", "weighing scale": "scale", "kitchen scale": "scale",
        "electric kettle": "kettle", "water kettle": "kettle",
        "gooseneck kettle": "gooseneck kettle", "pour-over kettle": "gooseneck kettle", "pour over kettle": "gooseneck kettle",
        "coffee carafe": "carafe", "glass carafe": "carafe", "coffee server": "carafe",
        "coffee dripper": "dripper", "pour-over dripper": "dripper", "pour over dripper": "dripper",
        "coffee filter": "filter", "paper filter": "filter",
        "coffee cup": "cup", "mug": "cup", "coffee mug": "cup",
        "coffee scoop": "scoop", "measuring scoop": "scoop", "spoon": "scoop",
        "milk bottle": "bottle", "white bottle": "bottle", "plastic bottle": "bottle",
        "bottle cap": "cap", "lid": "cap",
        "table": "table", "countertop": "table", "counter": "table",
        "coffee grounds": "coffee", "ground coffee": "coffee", "coffee powder": "coffee",
    ]

    /// The canonical form of one object name.
    public static func canonical(_ name: String) -> String {
        var s = name.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        for article in ["the ", "a ", "an "] where s.hasPrefix(article) { s.removeFirst(article.count) }
        return synonyms[s] ?? s
    }
}

/// Builds a ``TaskProblem`` from episodes under a contract.
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

        switch task {
        case .timelineAction, .timelineSubtask, .transitionDetection, .nextAction:
            guard episodes.allSatisfy({ $0.frames.hasLabels }) else {
                let bad = episodes.filter { !$0.frames.hasLabels }.map(\.name)
                throw .notApplicable(task: name, reason: "no per-frame action labels (no caption) in \(bad.joined(separator: ", "))")
            }
        case .objectRelevance:
            guard episodes.allSatisfy({ $0.frames.objects.contains { !$0.isEmpty } }) else {
                throw .notApplicable(task: name, reason: "no caption objects in at least one episode")
            }
        case .captionGrounding:
            guard episodes.allSatisfy({ $0.frames.hasLabels || $0.frames.objects.contains { !$0.isEmpty } }) else {
                throw .notApplicable(task: name, reason: "no caption text (the query side) in at least one episode")
            }
        case .handTrajectoryForecast:
            guard episodes.allSatisfy({ $0.frames.handsMinusRoot != nil }) else {
                throw .notApplicable(task: name, reason: "hand or body joints are missing (the forecast target needs both)")
            }
        case .contactPrediction:
            guard episodes.allSatisfy({ $0.frames.contacts != nil }) else {
                throw .notApplicable(task: name, reason: "body contacts are missing")
            }
        default: break
        }

        // Sample generation per episode.
        var samples: [Sample] = []
        var labels: [String] = []
        var multi: [[String]] = []
        var valueRows: [[Float]] = []
        var lastPoses: [[Float]] = []
        var jointValid: [Bool] = []
        var pairSides: [(episode: Int, a: Int, b: Int, kind: Int)] = []  // kind: 0 order-forward, 1 order-backward, 2 misalignment
        var boundaries: [[Int]] = []
        for (ei, ep) in episodes.enumerated() {
            let n = ep.frames.frameCount
            let wins = ep.windows
            func add(_ i: Int, partner: Int? = nil, horizon: Int = 0) {
                var first = wins[i].start, last = wins[i].end
                if let p = partner {
                    first = min(first, wins[p].start)
                    last = max(last, wins[p].end)
                }
                samples.append(Sample(episode: ei, window: i, partner: partner, firstFrame: first, lastFrame: min(last + horizon, n - 1)))
            }
            switch task {
            case .timelineAction, .timelineSubtask:
                for (i, win) in wins.enumerated() {
                    let l = task == .timelineAction ? win.action : win.subtask
                    guard !l.isEmpty else { continue }
                    add(i); labels.append(l)
                }
            case .transitionDetection:
                let fl = ep.frames.actionLabels
                var b: [Int] = []
                for f in 1..<max(fl.count, 1) where !fl[f].isEmpty && !fl[f - 1].isEmpty && fl[f] != fl[f - 1] { b.append(f) }
                boundaries.append(b)
                for (i, win) in wins.enumerated() {
                    let near = b.contains { abs(win.center - $0) <= parameters.boundaryToleranceFrames }
                    add(i); labels.append(near ? "transition" : "steady")
                }
            case .nextAction:
                let fl = ep.frames.actionLabels
                for (i, win) in wins.enumerated() {
                    let f = min(n - 1, win.end + parameters.futureFrames)
                    let l = fl[f]
                    if contract.suiteProtocol == .strict && l.isEmpty { continue }
                    add(i, horizon: parameters.futureFrames); labels.append(l)
                }
            case .handTrajectoryForecast:
                guard let h = ep.frames.handsMinusRoot else { break }
                let present = ep.frames.handPresent
                let k = parameters.forecastFrames
                for (i, win) in wins.enumerated() where win.end + k <= n - 1 {
                    add(i, horizon: k)
                    var row: [Float] = []
                    row.reserveCapacity(126 * k)
                    var last: [Float] = []
                    last.reserveCapacity(126 * k)
                    for f in (win.end + 1)...(win.end + k) {
                        row += h[(f * 126)..<(f * 126 + 126)]
                        last += h[(win.end * 126)..<(win.end * 126 + 126)]
                        for j in 0..<42 {
                            jointValid.append(present.map { $0[f * 2 + (j < 21 ? 0 : 1)] } ?? true)
                        }
                    }
                    valueRows.append(row)
                    lastPoses.append(last)
                }
            case .contactPrediction:
                guard let c = ep.frames.contacts else { break }
                for (i, win) in wins.enumerated() {
                    var hit = false
                    for f in win.frames {
                        if contract.suiteProtocol == .reference {
                            if c[(f * 21)..<(f * 21 + 21)].contains(where: { $0 > 0 }) { hit = true; break }
                        } else {
                            // Contact channels are body joints 1…21; the wrists (SMPL joints 20, 21)
                            // are channels 19 and 20.
                            if c[f * 21 + 19] >= parameters.contactThreshold || c[f * 21 + 20] >= parameters.contactThreshold { hit = true; break }
                        }
                    }
                    add(i); labels.append(hit ? "contact" : "no_contact")
                }
            case .objectRelevance:
                for (i, win) in wins.enumerated() {
                    var set: [String] = []
                    for f in win.frames where f < ep.frames.objects.count {
                        for o in ep.frames.objects[f] {
                            let name = contract.suiteProtocol == .strict ? ObjectNames.canonical(o) : o
                            if !name.isEmpty && !set.contains(name) { set.append(name) }
                        }
                    }
                    add(i); multi.append(set)
                }
            case .captionGrounding, .crossModalRetrieval, .modalityReconstruction:
                for i in wins.indices { add(i) }
            case .temporalOrder:
                guard wins.count >= 2 else { break }
                for i in 0..<(wins.count - 1) {
                    add(i, partner: i + 1); pairSides.append((ei, i, i + 1, 0)); labels.append("1")
                    add(i, partner: i + 1); pairSides.append((ei, i + 1, i, 1)); labels.append("0")
                }
            case .misalignmentDetection:
                let s = parameters.misalignmentShiftWindows
                guard wins.count > s else { break }
                for i in 0..<(wins.count - s) {
                    add(i); pairSides.append((ei, i, i, 2)); labels.append("1")
                    add(i, partner: i + s); pairSides.append((ei, i, i + s, 2)); labels.append("0")
                }
            }
        }
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

        // Targets.
        var targets: TaskTargets
        switch task.kind {
        case .classification, .binaryPairs:
            var names: [String] = []
            if task == .transitionDetection { names = ["steady", "transition"] }
            if task.kind == .binaryPairs { names = ["0", "1"] }
            var index: [String: Int] = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
            var ids: [Int] = []
            for l in labels {
                if let k = index[l] { ids.append(k) } else { index[l] = names.count; ids.append(names.count); names.append(l) }
            }
            targets = .classes(ids: ids, classNames: names)
        case .multiLabel:
            var vocab: [String] = []
            var seen = Set<String>()
            for set in multi { for o in set where !seen.contains(o) { seen.insert(o); vocab.append(o) } }
            let pos = Dictionary(uniqueKeysWithValues: vocab.enumerated().map { ($1, $0) })
            targets = .multiLabel(rows: multi.map { set in
                var row = [Bool](repeating: false, count: vocab.count)
                for o in set { if let k = pos[o] { row[k] = true } }
                return row
            }, vocabulary: vocab)
        case .regression, .retrieval:
            if task == .handTrajectoryForecast {
                targets = .values(try matrix(rows: valueRows, cols: 126 * parameters.forecastFrames, what: "hand forecast targets"))
            } else {
                let set = contract.targetSet ?? .visual
                let cols = schema.columnIndices(set)
                targets = .values(try gather(episodes: episodes, samples: samples, columns: cols))
            }
        }

        // Inputs.
        let inputCols = schema.columnIndices(contract.input)
        let x: Matrix
        var blocks = blockRanges(schema: schema, columns: inputCols)
        switch task {
        case .temporalOrder:
            let d = inputCols.count
            let runs = columnRuns(inputCols)
            x = try buildRows(count: pairSides.count, cols: 3 * d) { r, out in
                let (e, a, b, _) = pairSides[r]
                let f = episodes[e].features
                f.storage.withUnsafeBufferPointer { src in
                    guard let base = src.baseAddress, let dst = out.baseAddress else { return }
                    for run in runs {
                        (dst + run.dst).update(from: base + a * f.cols + run.src, count: run.count)
                        (dst + d + run.dst).update(from: base + b * f.cols + run.src, count: run.count)
                    }
                    for j in 0..<d { dst[2 * d + j] = dst[d + j] - dst[j] }
                }
            }
            blocks = blocks + blocks.map { ($0.lowerBound + d)..<($0.upperBound + d) } + blocks.map { ($0.lowerBound + 2 * d)..<($0.upperBound + 2 * d) }
        case .misalignmentDetection:
            let right = schema.columnIndices(contract.targetSet ?? .visualAudio)
            let d = inputCols.count
            let leftRuns = columnRuns(inputCols), rightRuns = columnRuns(right)
            x = try buildRows(count: pairSides.count, cols: d + right.count) { r, out in
                let (e, a, b, _) = pairSides[r]
                let f = episodes[e].features
                f.storage.withUnsafeBufferPointer { src in
                    guard let base = src.baseAddress, let dst = out.baseAddress else { return }
                    for run in leftRuns { (dst + run.dst).update(from: base + a * f.cols + run.src, count: run.count) }
                    for run in rightRuns { (dst + d + run.dst).update(from: base + b * f.cols + run.src, count: run.count) }
                }
            }
            blocks = blocks + blockRanges(schema: schema, columns: right).map { ($0.lowerBound + d)..<($0.upperBound + d) }
        default:
            x = try gather(episodes: episodes, samples: samples, columns: inputCols)
        }

        var problem = TaskProblem(contract: contract, samples: samples, x: x, targets: targets, roles: roles,
                                  inputColumns: inputCols, inputBlocks: blocks, notes: notes, splitName: splitName, gapWindows: gap)
        problem.boundaries = boundaries
        if task == .handTrajectoryForecast {
            problem.lastPose = try matrix(rows: lastPoses, cols: 126 * parameters.forecastFrames, what: "last-pose baseline")
            problem.jointValid = jointValid
        }
        if task == .captionGrounding, case .values(let y) = targets {
            var ids: [[Float]: Int] = [:]
            problem.groups = (0..<y.rows).map { r in
                let key = Array(y.row(r))
                if let g = ids[key] { return g }
                ids[key] = ids.count
                return ids.count - 1
            }
        }

        // Split sanity.
        let nTrain = roles.filter { $0 == .train }.count, nTest = roles.filter { $0 == .test }.count
        guard nTrain > 0, nTest > 0 else {
            throw .notApplicable(task: name, reason: "the split leaves \(nTrain) train and \(nTest) test samples")
        }
        if case .classes(let ids, let names) = targets, task.kind == .classification, contract.suiteProtocol == .strict {
            let trainClasses = Set(zip(ids, roles).filter { $0.1 == .train }.map(\.0))
            let testClasses = Set(zip(ids, roles).filter { $0.1 == .test }.map(\.0))
            if trainClasses.count < 2 || (testClasses.count < 2 && task == .contactPrediction) {
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
