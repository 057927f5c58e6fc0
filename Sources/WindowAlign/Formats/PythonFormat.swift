/// Formats a Double exactly like Python's `repr(float)` (and `str`, which is the same since
/// Python 3.2): the shortest digits that round-trip, positional notation when the decimal
/// exponent lies in [-4, 16), otherwise `d.ddde±XX`, and always a `.0` on integral values.
/// Reference CSV files write fractions this way (`1.0`, `0.55`), so byte-exact files need it.
public func pythonFloatRepr(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    // Swift's description also prints the shortest round-trip digits; only the layout differs.
    var text = value.description
    var negative = false
    if text.hasPrefix("-") {
        negative = true
        text.removeFirst()
    }
    var mantissa = Substring(text)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = text[..<e]
        exponent = Int(text[text.index(after: e)...]) ?? 0
    }
    // digits × 10^(decpt − digits.count) with the point after `decpt` digits.
    var digits = ""
    var decpt = 0
    var seenPoint = false
    for ch in mantissa {
        if ch == "." { seenPoint = true; continue }
        digits.append(ch)
        if !seenPoint { decpt += 1 }
    }
    decpt += exponent
    // Normalise: no leading or trailing zeros in the digit string.
    while digits.first == "0" && digits.count > 1 {
        digits.removeFirst()
        decpt -= 1
    }
    while digits.last == "0" && digits.count > 1 { digits.removeLast() }
    let sign = negative ? "-" : ""
    if digits == "0" { return sign + "0.0" }

    // Python: repr uses scientific notation when decpt <= -4 or decpt > 16.
    if decpt > -4 && decpt <= 16 {
        if decpt <= 0 {
            return sign + "0." + String(repeating: "0", count: -decpt) + digits
        } else if decpt >= digits.count {
            return sign + digits + String(repeating: "0", count: decpt - digits.count) + ".0"
        } else {
            let cut = digits.index(digits.startIndex, offsetBy: decpt)
            return sign + digits[..<cut] + "." + digits[cut...]
        }
    }
    let exp10 = decpt - 1
    var out = sign + String(digits.first ?? "0")
    if digits.count > 1 { out += "." + digits.dropFirst() }
    let magnitude = abs(exp10)
    out += (exp10 < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
    return out
}
