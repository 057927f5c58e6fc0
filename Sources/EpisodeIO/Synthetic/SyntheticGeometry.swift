import Foundation

/// Small 3-D helpers for the generator (row-major 3×3 matrices as `[Double]`).
enum Geometry {
    static func rz(_ a: Double) -> [Double] { [cos(a), -sin(a), 0, sin(a), cos(a), 0, 0, 0, 1] }
    static func rx(_ a: Double) -> [Double] { [1, 0, 0, 0, cos(a), -sin(a), 0, sin(a), cos(a)] }
    static func ry(_ a: Double) -> [Double] { [cos(a), 0, sin(a), 0, 1, 0, -sin(a), 0, cos(a)] }

    static func mul(_ a: [Double], _ b: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: 9)
        for r in 0..<3 { for c in 0..<3 { out[r * 3 + c] = a[r * 3] * b[c] + a[r * 3 + 1] * b[3 + c] + a[r * 3 + 2] * b[6 + c] } }
        return out
    }

    static func apply(_ m: [Double], _ v: [Double]) -> [Double] {
        (0..<3).map { m[$0 * 3] * v[0] + m[$0 * 3 + 1] * v[1] + m[$0 * 3 + 2] * v[2] }
    }

    static func transpose(_ m: [Double]) -> [Double] { [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]] }

    /// Unit quaternion (w, x, y, z) of a rotation matrix, with w ≥ 0.
    static func quaternion(_ m: [Double]) -> [Double] {
        let trace = m[0] + m[4] + m[8]
        var q: [Double]
        if trace > 0 {
            let s = (trace + 1).squareRoot() * 2
            q = [0.25 * s, (m[7] - m[5]) / s, (m[2] - m[6]) / s, (m[3] - m[1]) / s]
        } else if m[0] > m[4] && m[0] > m[8] {
            let s = (1 + m[0] - m[4] - m[8]).squareRoot() * 2
            q = [(m[7] - m[5]) / s, 0.25 * s, (m[1] + m[3]) / s, (m[2] + m[6]) / s]
        } else if m[4] > m[8] {
            let s = (1 + m[4] - m[0] - m[8]).squareRoot() * 2
            q = [(m[2] - m[6]) / s, (m[1] + m[3]) / s, 0.25 * s, (m[5] + m[7]) / s]
        } else {
            let s = (1 + m[8] - m[0] - m[4]).squareRoot() * 2
            q = [(m[3] - m[1]) / s, (m[2] + m[6]) / s, (m[5] + m[7]) / s, 0.25 * s]
        }
        let norm = q.map { $0 * $0 }.reduce(0, +).squareRoot()
        q = q.map { $0 / norm }
        return q[0] < 0 ? q.map { -$0 } : q
    }
}

/// The release sample's calibration (spec §2.2), used by every synthetic episode. Values the
/// spec does not give (cam1–3 distortion, the camera chain) are plausible choices.
enum SampleCalibration {
    static let cam0K = [395.001096, 394.774792, 536.161765, 673.655359]
    static let cam0D = [-0.05762, 0.002936, -0.006634, 0.001784]
    static let cam0Tcb: [Double] = [0.251409, 0.86606, -0.432127, 0.101886, -0.862817, -0.001762, -0.505514, 0.04296,
                                    -0.438567, 0.499937, 0.746808, -0.234547, 0, 0, 0, 1]
    static let camK: [[Double]] = [[393.553, 393.287, 542.221, 657.450], [395.454, 395.554, 545.856, 657.980], [395.724, 395.260, 538.997, 641.450]]
    static let camD: [[Double]] = [[-0.05701, 0.003012, -0.006511, 0.001702], [-0.05833, 0.002871, -0.006702, 0.001811], [-0.05694, 0.002955, -0.006598, 0.001766]]
    static let stereoK = [200.0, 200, 256, 256]
    static let stereoTc0b: [Double] = [0.999993, 0.000627, -0.003747, 0.092297, -0.003214, 0.665606, -0.746296, 0.160128,
                                       0.002026, 0.746303, 0.665603, -0.181876, 0, 0, 0, 1]
    static let baseline = 0.14530696269782056

    /// A rigid transform from camera n−1 to camera n: a turn about y and a few centimetres.
    static func chain(_ n: Int) -> [Double] {
        let r = Geometry.ry([1.21, 1.19, 1.23][n - 1])
        let t = [[-0.071, 0.004, -0.032], [-0.069, -0.003, -0.035], [-0.073, 0.002, -0.030]][n - 1]
        return [r[0], r[1], r[2], t[0], r[3], r[4], r[5], t[1], r[6], r[7], r[8], t[2], 0, 0, 0, 1]
    }
}
