// Python's `str` operations the answer scorer depends on, on Unicode scalars (code points), as
// Python works. Swift's Character-level operations and its `==` (canonical equivalence) can
// differ: `"e\u{301}" == "é"` in Swift but not in Python, and `"\r\n"` is one Character.

/// `str.isspace()` for one code point: general category Zs, or bidirectional class WS, B or S.
/// That is Unicode's White_Space set plus U+001C–U+001F (the information separators), which
/// Python counts as whitespace and Swift does not.
public func pythonIsSpace(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
    default: return false
    }
}

/// `s.strip()`: whitespace (``pythonIsSpace(_:)``) removed from both ends.
public func pythonStrip(_ s: String) -> String {
    pythonStrip(s) { pythonIsSpace($0) }
}

/// `s.strip(chars)` with the characters given as a predicate.
func pythonStrip(_ s: String, _ drop: (Unicode.Scalar) -> Bool) -> String {
    let scalars = s.unicodeScalars
    guard let first = scalars.firstIndex(where: { !drop($0) }), let last = scalars.lastIndex(where: { !drop($0) }) else { return "" }
    return String(scalars[first...last])
}

/// `s.lower()`: each code point's full lowercase mapping (so `İ` becomes `i̇`), and a capital
/// sigma that ends a word becomes `ς`, Python's one context rule (Swift maps it to `σ`).
public func pythonLower(_ s: String) -> String {
    // Fast path: ASCII.
    if s.utf8.allSatisfy({ $0 < 0x80 }) {
        return String(decoding: s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
    let scalars = Array(s.unicodeScalars)
    var out = String.UnicodeScalarView()
    for (i, c) in scalars.enumerated() {
        if c == "\u{03A3}" {
            out.append(isFinalSigma(scalars, at: i) ? "\u{03C2}" : "\u{03C3}")
        } else {
            out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
        }
    }
    return String(out)
}

/// Python's `handle_capital_sigma`: a cased letter before (skipping case-ignorable ones) and
/// none after.
func isFinalSigma(_ s: [Unicode.Scalar], at i: Int) -> Bool {
    var j = i - 1
    while j >= 0, s[j].properties.isCaseIgnorable { j -= 1 }
    guard j >= 0, s[j].properties.isCased else { return false }
    var k = i + 1
    while k < s.count, s[k].properties.isCaseIgnorable { k += 1 }
    return !(k < s.count && s[k].properties.isCased)
}

/// A string compared and hashed by its code points, as Python's `str` is (Swift's `String`
/// equates canonically equivalent spellings). Dictionary and set keys of labels use it.
public struct CodePoints: Hashable, Sendable {
    public let string: String

    public init(_ string: String) { self.string = string }

    public static func == (a: CodePoints, b: CodePoints) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

    public func hash(into hasher: inout Hasher) {
        var copy = string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
