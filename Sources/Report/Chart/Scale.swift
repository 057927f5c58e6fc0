import Foundation

/// A linear map from a data domain to pixels: `map(v) = r0 + (v − d0) / (d1 − d0) · (r1 − r0)`.
/// A degenerate domain (d0 == d1) maps everything to the middle of the range, so a chart of
/// constant values still draws.
public struct LinearScale: Sendable, Equatable {
    public var domain: (lower: Double, upper: Double)
    public var range: (start: Double, end: Double)

    /// A scale from `domain` to `range` (`range.start` may exceed `range.end`, as on a y axis).
    public init(domain: (Double, Double), range: (Double, Double)) {
        self.domain = (domain.0, domain.1)
        self.range = (range.0, range.1)
    }

    /// The pixel position of `value` (not clamped; see ``clampedMap(_:)``).
    public func map(_ value: Double) -> Double {
        let span = domain.upper - domain.lower
        guard span != 0, span.isFinite else { return (range.start + range.end) / 2 }
        return range.start + (value - domain.lower) / span * (range.end - range.start)
    }

    /// The pixel position of `value` clipped into the domain first.
    public func clampedMap(_ value: Double) -> Double {
        let lo = Swift.min(domain.lower, domain.upper), hi = Swift.max(domain.lower, domain.upper)
        return map(Swift.min(Swift.max(value.isFinite ? value : lo, lo), hi))
    }

    public static func == (a: LinearScale, b: LinearScale) -> Bool {
        a.domain == b.domain && a.range == b.range
    }
}

/// Axis ticks at "nice" numbers (Heckbert, Graphics Gems 1990): a step of 1, 2 or 5 × 10ᵏ,
/// ticks at the step's multiples that cover the data.
public enum NiceTicks {
    /// The nice number near `x`: with `round`, the closest of 1, 2, 5, 10 × 10ᵏ; without, the
    /// smallest such number ≥ x.
    public static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = floor(log10(x))
        let fraction = x / pow(10, exponent)
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * pow(10, exponent)
    }

    /// About `count` ticks covering `lower...upper`: the first at or below `lower`, the last at
    /// or above `upper`, evenly spaced by a nice step. Values are rounded to the step's
    /// decimals so 0.30000000000000004 prints as 0.3.
    public static func ticks(lower: Double, upper: Double, count: Int = 5) -> [Double] {
        guard lower.isFinite, upper.isFinite else { return [0, 1] }
        var lo = Swift.min(lower, upper), hi = Swift.max(lower, upper)
        if lo == hi { lo -= lo == 0 ? 1 : abs(lo) * 0.5; hi += hi == 0 ? 1 : abs(hi) * 0.5 }
        let range = niceNumber(hi - lo, round: false)
        let step = niceNumber(range / Double(Swift.max(count - 1, 1)), round: true)
        let first = floor(lo / step) * step, last = ceil(hi / step) * step
        let decimals = Swift.max(0, -Int(floor(log10(step))))
        let factor = pow(10, Double(decimals))
        var out: [Double] = []
        var i = 0.0
        while first + i * step <= last + step * 1e-9, out.count < 1000 {
            out.append(((first + i * step) * factor).rounded() / factor)
            i += 1
        }
        return out
    }

    /// A tick's label: as many decimals as the step needs (a 0.2 step → 1, 0.05 → 2), no more.
    public static func label(_ value: Double, step: Double) -> String {
        let decimals = step > 0 && step.isFinite ? Swift.max(0, Swift.min(6, -Int(floor(log10(step) + 1e-9)))) : 2
        let text = String(format: "%.\(decimals)f", value)
        return text == "-0" || text.hasPrefix("-0.") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}
