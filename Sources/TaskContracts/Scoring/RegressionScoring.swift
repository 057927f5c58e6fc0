import Foundation
import Heads
import Metrics
import WindowAlign

/// What the real-valued tasks (5, 8, 9, 10) share: their targets and predictions on the
/// test rows, z-units with the train statistics, and the `predictions.npz` they write.
enum RegressionScoring {
    /// The files of the regression tasks (5, 10).
    static let artifacts = ["metrics.json", "predictions.npz", "model.safetensors"]
    /// The reference's neural `head` string of the projection and reconstruction tasks.
    static let projectionNeuralHead = "z-score -> MLP projection/regression"

    /// The test targets and the predictions, test rows × target dims.
    static func values(_ s: TaskScoring) throws -> (truth: Matrix, predicted: Matrix) {
        guard case let .values(y) = s.problem.targets else { throw s.wrongTargets("values") }
        guard let yPred = s.predictions.values else {
            throw SuiteError.shapeMismatch(what: "predictions of \(s.task.rawValue)", expected: "values", found: "none")
        }
        return (try y.gatherRows(s.test), yPred)
    }

    /// `m` in z-units with the train target statistics (unchanged when they are missing).
    static func zscore(_ m: Matrix, _ p: HeadPredictions) -> [Float] {
        let k = m.cols
        guard p.targetMean.count == k, p.targetStd.count == k else { return m.storage }
        var out = m.storage
        for i in 0..<m.rows { for j in 0..<k { out[i * k + j] = (out[i * k + j] - p.targetMean[j]) / p.targetStd[j] } }
        return out
    }

    /// `m` in train z-units for scoring. Strict (when the head fitted a target standardiser):
    /// constant train columns dropped, std floored, z clipped to ±10, so a column that barely
    /// varies in train cannot blow up the test error (mean per-dimension r2 of reconstruction
    /// reached −203 with a bare 1e-6 floor); otherwise ``zscore(_:_:)``.
    static func standardised(_ m: Matrix, _ p: HeadPredictions) throws -> Matrix {
        if let scaler = p.targetScaler, scaler.inputColumns == m.cols { return try scaler.transform(m) }
        return try Matrix(rows: m.rows, cols: m.cols, storage: zscore(m, p))
    }

    /// The strict metrics.json keys that describe the target standardisation.
    static func standardisationFields(_ p: HeadPredictions) -> [(String, JSON)] {
        guard let scaler = p.targetScaler else {
            return [("target_standardisation", .string("train mean/std with a 1e-6 floor: every train target column is constant, none could be kept"))]
        }
        return [("target_standardisation", .string("train mean/std, constant columns dropped, std floored at 1e-3 × median std, z clipped to ±\(scaler.clip.map { "\($0)" } ?? "∞")")),
                ("target_columns_kept", .int(scaler.keptColumns.count)), ("target_columns_dropped", .int(scaler.droppedColumns.count))]
    }

    /// `predictions.npz`: `y_true`, `y_pred` and the test rows' window indices.
    static func predictionsFile(_ s: TaskScoring, truth: Matrix, predicted: Matrix) throws -> (String, Data) {
        let test = s.test
        return ("predictions.npz", try npz([("y_true", truth.storage, [test.count, truth.cols]), ("y_pred", predicted.storage, [test.count, truth.cols])],
                                           ints: [("test_window_indices", test.map { Int64(s.problem.samples[$0].window) })]))
    }

    static func npz(_ floats: [(String, [Float], [Int])], ints: [(String, [Int64])]) throws -> Data {
        var members: [(String, Data)] = []
        for (name, values, shape) in floats { members.append((name, try NumPyFile.encode(values, shape: shape))) }
        for (name, values) in ints { members.append((name, try NumPyFile.encode(values, shape: [values.count]))) }
        return NPZ.encode(members)
    }
}
