import Foundation
import Heads

/// Class ids assigned train-first (`encode_labels_train_first`): the labels of the train rows
/// in their order of first appearance get 0..<K_train, then every other label in row order.
/// The models predict only the first K_train ids; the others are the test (or val) classes
/// they can never get right.
public struct TrainFirstEncoding: Sendable, Equatable {
    public var ids: [Int]
    public var classNames: [String]
    public var trainClassCount: Int

    public init(_ labels: [String], trainRows: [Int]) {
        var index: [String: Int] = [:]
        var names: [String] = []
        for i in trainRows where index[labels[i]] == nil {
            index[labels[i]] = names.count
            names.append(labels[i])
        }
        trainClassCount = names.count
        for l in labels where index[l] == nil {
            index[l] = names.count
            names.append(l)
        }
        classNames = names
        ids = labels.map { index[$0]! }
    }
}

/// The baselines' model when the train label space is too large for a dense softmax
/// (K_train > 256): per class the mean of its standardised train rows, L2-normalised with a
/// floor of 1e-6; the score of class k is `cos(x, c_k) + 0.03·ln(max(prior_k, 1e-9))` with
/// `prior_k = n_k / max(Σn, 1)` and ‖x‖ floored at 1e-6; the prediction is the argmax of the
/// softmax of the scores, and the confidence that softmax's value.
public struct CentroidClassifier: Sendable {
    /// K_train × d, unit rows.
    public var centroids: Matrix
    /// K_train class priors.
    public var priors: [Float]

    public init(centroids: Matrix, priors: [Float]) {
        self.centroids = centroids
        self.priors = priors
    }

    /// Fits on the standardised rows `trainRows` of `x` with labels in 0..<classCount.
    public static func fit(x: Matrix, labels: [Int], trainRows: [Int], classCount: Int) -> CentroidClassifier {
        let d = x.cols
        var sums = [Double](repeating: 0, count: classCount * d)
        var counts = [Int](repeating: 0, count: classCount)
        for i in trainRows {
            let k = labels[i]
            guard k < classCount else { continue }
            counts[k] += 1
            let row = x.row(i)
            var j = k * d
            for v in row { sums[j] += Double(v); j += 1 }
        }
        var c = [Float](repeating: 0, count: classCount * d)
        for k in 0..<classCount {
            // A class without rows keeps a zero centroid and prior 0 (cannot happen with
            // train-first ids, kept as the reference does).
            guard counts[k] > 0 else { continue }
            var norm = 0.0
            var mean = [Float](repeating: 0, count: d)
            for j in 0..<d {
                mean[j] = Float(sums[k * d + j] / Double(counts[k]))
                norm += Double(mean[j]) * Double(mean[j])
            }
            let scale = max(norm.squareRoot(), 1e-6)
            for j in 0..<d { c[k * d + j] = Float(Double(mean[j]) / scale) }
        }
        let total = Double(counts.reduce(0, +))
        let priors = counts.map { Float(Double($0) / max(total, 1)) }
        return CentroidClassifier(centroids: (try? Matrix(rows: classCount, cols: d, storage: c)) ?? Matrix(rows: classCount, cols: d), priors: priors)
    }

    /// `0.03·ln(max(prior, 1e-9))` per class.
    public var priorTerms: [Float] { priors.map { 0.03 * Float(log(Double(max($0, 1e-9)))) } }

    /// Scores of the rows of `x` (n × K): cosine to each centroid plus the prior term.
    public func scores(_ x: Matrix) throws -> Matrix {
        let n = x.rows, d = x.cols
        var xn = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            var norm = 0.0
            for v in x.row(i) { norm += Double(v) * Double(v) }
            let scale = max(norm.squareRoot(), 1e-6)
            var j = i * d
            for v in x.row(i) { xn[j] = Float(Double(v) / scale); j += 1 }
        }
        var s = try Matrix(rows: n, cols: d, storage: xn).matmul(centroids, transposeOther: true)
        let terms = priorTerms
        let k = centroids.rows
        for i in 0..<n { for j in 0..<k { s[i, j] += terms[j] } }
        return s
    }

    /// The argmax class of each row and its softmax probability, in chunks of 4,096 rows (the
    /// score matrix of 80k dense rows × 885 classes would need 280 MB at once).
    public func predict(_ x: Matrix) throws -> (classes: [Int], confidence: [Float]) {
        var classes: [Int] = [], confidence: [Float] = []
        classes.reserveCapacity(x.rows)
        confidence.reserveCapacity(x.rows)
        var start = 0
        while start < x.rows {
            let end = min(start + 4096, x.rows)
            let s = try scores(x.gatherRows(start..<end))
            let (c, p) = softmaxArgmax(s)
            classes += c
            confidence += p
            start = end
        }
        return (classes, confidence)
    }
}

/// Row-wise `softmax` (max subtracted, sum floored at 1e-12) then the first argmax of the
/// probabilities and its value, as `probabilities_from_scores` + `np.argmax`.
func softmaxArgmax(_ s: Matrix) -> (classes: [Int], confidence: [Float]) {
    let k = s.cols
    var classes = [Int](repeating: 0, count: s.rows), confidence = [Float](repeating: 0, count: s.rows)
    guard k > 0 else { return (classes, confidence) }
    var p = [Float](repeating: 0, count: k)
    for i in 0..<s.rows {
        var m = -Float.infinity
        for j in 0..<k { m = max(m, s[i, j]) }
        var sum: Float = 0
        for j in 0..<k { p[j] = expf(s[i, j] - m); sum += p[j] }
        let inv = 1 / max(sum, 1e-12)
        var best = 0
        for j in 0..<k {
            p[j] *= inv
            if p[j] > p[best] { best = j }
        }
        classes[i] = best
        confidence[i] = p[best]
    }
    return (classes, confidence)
}
