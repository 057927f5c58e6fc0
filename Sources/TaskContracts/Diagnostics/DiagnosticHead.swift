import Foundation
import Heads
import Metrics
import WindowAlign
import XPCore

/// The head every diagnostic uses: ridge regression (λ = 10) onto the task's targets, as the
/// reference's `ridge_predict` (`task-suite.md` §6.1). One solve serves every target column,
/// so a diagnostic that trains hundreds of models stays fast. Classification regresses one-hot
/// targets and takes the argmax; multi-label thresholds at 0.5 with the at-least-one rule;
/// regression and retrieval z-score Y with the train statistics and report in z units.
///
/// `reference` follows the reference solve (z-scored X with std < 1e-6 → 1, bias column,
/// Float32 dual); `strict` the suite's strict one (constant columns dropped, block std floors,
/// ±10 clip, Float64 Cholesky, unpenalised intercept). The head is deterministic: a seed
/// changes nothing on a chronological split.
public struct DiagnosticModel: Sendable {
    let scaler: Standardiser
    let ridge: RidgeRegression
    /// Train mean and std of each target column (z-scored targets only).
    public let targetMean: [Float]
    public let targetStd: [Float]

    /// Fits on `train` rows of `x` against `y` (one row per sample of `x`).
    /// - Parameters:
    ///   - zScoreTargets: z-score Y with its train statistics (regression, retrieval).
    ///   - blocks: column ranges of `x` per feature block, for the strict std floors.
    public static func fit(x: Matrix, y: Matrix, train: [Int], protocol p: SuiteProtocol, zScoreTargets: Bool,
                           blocks: [Range<Int>]? = nil, lambda: Double = 10) throws -> DiagnosticModel {
        let mode: Standardiser.Mode = p == .reference ? .reference : .strict(.init(blocks: blocks))
        let scaler = try Standardiser.fit(x, rows: train, mode: mode)
        let xTrain = try scaler.transform(x.gatherRows(train))
        var yTrain = try y.gatherRows(train)
        var mean = [Float](repeating: 0, count: y.cols), std = [Float](repeating: 1, count: y.cols)
        if zScoreTargets {
            let (m, s) = columnMoments(yTrain)
            mean = m.map { Float($0) }
            std = s.map { $0 < 1e-6 ? Float(1) : Float($0) }
            yTrain = try zScored(yTrain, mean: mean, std: std)
        }
        let ridge = p == .reference
            // `ridge_predict` z-scores Y only where the caller asked for it (done above), and
            // regresses raw one-hot targets otherwise: no second standardisation.
            ? try RidgeRegression.fitReference(x: xTrain, y: yTrain, lambda: Float(lambda), standardisingTargets: false)
            : try RidgeRegression.fitStrict(x: xTrain, y: yTrain, lambda: lambda)
        return DiagnosticModel(scaler: scaler, ridge: ridge, targetMean: mean, targetStd: std)
    }

    /// Predictions for `rows` of `x` (in target units, z units when the targets were
    /// z-scored). `zeroing` lists columns of `x` set to zero after standardising, i.e. to
    /// their train mean: the view is removed at test time while the model was trained with it.
    public func predict(_ x: Matrix, rows: [Int], zeroing: [Int] = []) throws -> Matrix {
        var z = try scaler.transform(x.gatherRows(rows))
        if !zeroing.isEmpty {
            // The standardiser may drop constant columns: map input columns to kept positions.
            let position = Dictionary(uniqueKeysWithValues: scaler.keptColumns.enumerated().map { ($1, $0) })
            let kept = zeroing.compactMap { position[$0] }
            var storage = z.storage
            let d = z.cols
            for r in 0..<z.rows { for c in kept where c < d { storage[r * d + c] = 0 } }
            z = try Matrix(rows: z.rows, cols: d, storage: storage)
        }
        return try ridge.predict(z)
    }

    /// `m` with each column z-scored.
    static func zScored(_ m: Matrix, mean: [Float], std: [Float]) throws -> Matrix {
        var s = m.storage
        let d = m.cols
        for r in 0..<m.rows { for c in 0..<d { s[r * d + c] = (s[r * d + c] - mean[c]) / std[c] } }
        return try Matrix(rows: m.rows, cols: d, storage: s)
    }
}

/// Targets of a problem as the ridge head reads them.
enum DiagnosticTargets {
    /// One-hot rows for classes, multi-hot for labels, the values otherwise; and whether the
    /// head z-scores them.
    static func matrix(_ targets: TaskTargets) throws -> (y: Matrix, zScore: Bool) {
        switch targets {
        case let .classes(ids, names):
            var s = [Float](repeating: 0, count: ids.count * max(names.count, 1))
            for (r, k) in ids.enumerated() where k >= 0 && k < names.count { s[r * names.count + k] = 1 }
            return (try Matrix(rows: ids.count, cols: max(names.count, 1), storage: s), false)
        case let .multiLabel(rows, vocab):
            return (try Matrix(rows: rows.count, cols: vocab.count, storage: rows.flatMap { $0.map { $0 ? Float(1) : 0 } }), false)
        case let .values(m):
            return (m, true)
        }
    }
}
