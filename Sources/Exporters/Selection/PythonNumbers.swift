import Crypto
import Foundation
import XPCore

/// The Python arithmetic the selection depends on (spec §0), in one place so each rule is
/// written once and tested on hand-computed cases.
public enum PythonNumbers {
    /// `int(round(x))`: half to even (`round(2.5) == 2`, `round(3.5) == 4`).
    public static func roundHalfEven(_ x: Double) -> Int { Int(Statistics.roundHalfEven(x)) }

    /// `round(x, digits)` for a float: the exact binary value rounded to `digits` decimals
    /// (ties to even), as Python does through correctly rounded decimal conversion. glibc's
    /// `%.*f` is correctly rounded too, so formatting and reading back gives Python's double.
    public static func round(_ x: Double, digits: Int) -> Double { Statistics.roundHalfEven(x, digits: digits) }

    /// The reference's `quantile(values, q)`: sort, `pos = clamp(q)·(n−1)`, linear
    /// interpolation between `floor(pos)` and the next element, then `int(round())`. 0 for no
    /// values.
    public static func quantile(_ values: [Int], _ q: Double) -> Int {
        quantile(sorted: values.sorted(), q)
    }

    /// ``quantile(_:_:)`` on values already sorted ascending.
    public static func quantile(sorted ordered: [Int], _ q: Double) -> Int {
        guard !ordered.isEmpty else { return 0 }
        if ordered.count == 1 { return ordered[0] }
        let pos = min(max(q, 0.0), 1.0) * Double(ordered.count - 1)
        let lo = Int(pos)
        let hi = min(lo + 1, ordered.count - 1)
        let frac = pos - Double(lo)
        return roundHalfEven(Double(ordered[lo]) * (1.0 - frac) + Double(ordered[hi]) * frac)
    }

    /// `statistics.median`: the middle value, or the mean of the two middle values.
    public static func median(_ values: [Int]) -> Double {
        median(sorted: values.sorted())
    }

    /// ``median(_:)`` on values already sorted ascending (0 for none; Python raises).
    public static func median(sorted ordered: [Int]) -> Double {
        guard !ordered.isEmpty else { return 0 }
        let n = ordered.count
        if n % 2 == 1 { return Double(ordered[n / 2]) }
        // Python divides the exact integer sum; sums of byte counts stay below 2^53.
        return Double(ordered[n / 2 - 1] + ordered[n / 2]) / 2
    }

    /// The reference's `human_bytes`: divide by 1024 through B, KiB, MiB, GiB, TiB and print
    /// `"%.2f unit"`.
    public static func humanBytes(_ bytes: Double) -> String {
        var value = bytes
        for unit in ["B", "KiB", "MiB", "GiB", "TiB"] {
            if abs(value) < 1024.0 || unit == "TiB" { return String(format: "%.2f", value) + " " + unit }
            value /= 1024.0
        }
        return String(format: "%.2f", value) + " TiB"
    }

    public static func humanBytes(_ bytes: Int) -> String { humanBytes(Double(bytes)) }

    /// `hashlib.sha256(f"{seed}:{text}".encode()).hexdigest()` (lowercase hex).
    public static func stableHash(seed: Int, _ text: String) -> String {
        SHA256.hash(data: Data("\(seed):\(text)".utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `int(stable_hash(seed, text)[:12], 16) / 16**12`: a number in [0, 1).
    public static func stableFloat(seed: Int, _ text: String) -> Double {
        let prefix = stableHash(seed: seed, text).prefix(12)
        return Double(UInt64(prefix, radix: 16)!) / Double(UInt64(1) << 48)
    }

    /// Python's `a < b` on strings: code-point order, which is UTF-8 byte order.
    @inlinable public static func codePointLess(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
