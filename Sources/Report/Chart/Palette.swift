/// Colours of the charts. Eight distinct series colours (Okabe–Ito, readable by the common
/// colour-vision deficiencies), so a legend of up to eight entries never reuses a colour; the
/// reference's five-colour palette made two alignment curves identical (§3.4).
public enum Palette {
    /// Series colours, in legend order; index modulo the count beyond eight.
    public static let series = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
    /// The colour of series `i`.
    public static func color(_ i: Int) -> String { series[((i % series.count) + series.count) % series.count] }
    /// Correct and wrong marks (timeline lanes).
    public static let correct = "#2e7d32", wrong = "#c62828"
    /// Baseline marks.
    public static let baseline = "#555555"

    /// The ablation matrix fill of §3.4 for a score `s` clipped to [0, 1]:
    /// `rgb(int(37 + 117(1 − s)), int(72 + 152 s), int(54 + 47 s))` (Python `int` truncates).
    public static func ablationFill(_ score: Double) -> String {
        let s = score.isFinite ? Swift.min(Swift.max(score, 0), 1) : 0
        return "rgb(\(Int(37 + 117 * (1 - s))),\(Int(72 + 152 * s)),\(Int(54 + 47 * s)))"
    }

    /// The heat-map fill for a fraction `t` in [0, 1]: white to dark blue, linear per channel
    /// (`rgb(255 − 227t, 255 − 183t, 255 − 125t)`, truncated).
    public static func heat(_ t: Double) -> String {
        let s = t.isFinite ? Swift.min(Swift.max(t, 0), 1) : 0
        return "rgb(\(Int(255 - 227 * s)),\(Int(255 - 183 * s)),\(Int(255 - 125 * s)))"
    }
}
