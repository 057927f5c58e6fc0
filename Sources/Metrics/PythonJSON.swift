// Python's `json.loads`, as the evaluator calls it on generated text. XPCore's parser is a
// strict RFC 8259 reader and agrees on well-formed files, but generated answers are where the
// corner cases live: `json.loads` rejects `0019` and `1.`, keeps a repeated key once (first
// position, last value) and reads integers of any size. A model's answer must parse, or fail
// to parse, exactly as it did for the published numbers.

import XPCore

/// `json.loads` semantics over UTF-8 bytes (the grammar's structural characters are ASCII, so
/// bytes and code points agree): whitespace is only space, tab, LF and CR; numbers follow
/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?` (ASCII digits, as the C scanner reads
/// them) plus `NaN`, `Infinity` and `-Infinity`; strings reject raw control characters
/// (U+0000–U+001F) and unknown escapes; no trailing commas; nothing but whitespace after the
/// value. Objects come back as Python dicts do: each key once, at its first position, with its
/// last value.
///
/// Two documented departures, both unreachable for the published packages: an integer outside
/// Int64 becomes the nearest Double (Python keeps it exact), and nesting deeper than 1,000
/// fails to parse (Python raises `RecursionError`, which the evaluator does not catch).
public enum PythonJSON {
    /// The value of `text`, or nil where `json.loads` raises `JSONDecodeError`.
    public static func loads(_ text: String) -> JSONValue? {
        var copy = text
        return copy.withUTF8 { loads(bytes: $0) }
    }

    /// The value of the UTF-8 `bytes`, or nil where `json.loads` raises.
    public static func loads(bytes: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var scanner = Scanner(bytes: bytes)
        scanner.skipWhitespace()
        guard let value = scanner.value(depth: 0, build: true) else { return nil }
        scanner.skipWhitespace()
        return scanner.index == bytes.count ? value : nil
    }

    /// The byte ranges of a top-level object's values, by key in document order (a repeated
    /// key appears twice), after checking the whole line against the grammar; nil when the
    /// text is not one JSON object. Lets a reader of large records parse only the values it
    /// needs (``loads(bytes:)`` on a range) and compare the others' bytes.
    public static func topLevelRanges(bytes: UnsafeBufferPointer<UInt8>) -> [(key: String, range: Range<Int>)]? {
        var scanner = Scanner(bytes: bytes)
        scanner.skipWhitespace()
        guard scanner.peek == UInt8(ascii: "{") else { return nil }
        scanner.index += 1
        var out: [(key: String, range: Range<Int>)] = []
        scanner.skipWhitespace()
        if scanner.peek == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                guard scanner.peek == UInt8(ascii: "\""), case .string(let key)? = scanner.string(build: true) else { return nil }
                scanner.skipWhitespace()
                guard scanner.peek == UInt8(ascii: ":") else { return nil }
                scanner.index += 1
                scanner.skipWhitespace()
                let start = scanner.index
                guard scanner.value(depth: 1, build: false) != nil else { return nil }
                out.append((key, start..<scanner.index))
                scanner.skipWhitespace()
                if scanner.peek == UInt8(ascii: ",") { scanner.index += 1; continue }
                if scanner.peek == UInt8(ascii: "}") { scanner.index += 1; break }
                return nil
            }
        }
        scanner.skipWhitespace()
        return scanner.index == bytes.count ? out : nil
    }

    static let maxDepth = 1_000

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        /// One value; with `build` false it is only checked and skipped (`.null` returned).
        mutating func value(depth: Int, build: Bool) -> JSONValue? {
            guard depth < PythonJSON.maxDepth, let c = peek else { return nil }
            switch c {
            case UInt8(ascii: "{"): return object(depth: depth, build: build)
            case UInt8(ascii: "["): return array(depth: depth, build: build)
            case UInt8(ascii: "\""): return string(build: build)
            case UInt8(ascii: "n"): return literal("null", .null)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "N"): return literal("NaN", .double(.nan))
            case UInt8(ascii: "I"): return literal("Infinity", .double(.infinity))
            case UInt8(ascii: "-"):
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "I") {
                    index += 1
                    return literal("Infinity", .double(-.infinity))
                }
                return number(build: build)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return number(build: build)
            default: return nil
            }
        }

        mutating func literal(_ word: StaticString, _ result: JSONValue) -> JSONValue? {
            let n = word.utf8CodeUnitCount
            guard index + n <= bytes.count else { return nil }
            let w = word.utf8Start
            for i in 0..<n where bytes[index + i] != w[i] { return nil }
            index += n
            return result
        }

        mutating func object(depth: Int, build: Bool) -> JSONValue? {
            index += 1
            var pairs: [(String, JSONValue)] = []
            var position: [String: Int] = [:]
            skipWhitespace()
            if peek == UInt8(ascii: "}") { index += 1; return build ? .object(pairs) : .null }
            while true {
                skipWhitespace()
                guard peek == UInt8(ascii: "\""), let keyValue = string(build: build) else { return nil }
                skipWhitespace()
                guard peek == UInt8(ascii: ":") else { return nil }
                index += 1
                skipWhitespace()
                guard let v = value(depth: depth + 1, build: build) else { return nil }
                if build, case .string(let key) = keyValue {
                    // A Python dict: the first position of a key, its last value.
                    if let at = position[key] { pairs[at].1 = v } else { position[key] = pairs.count; pairs.append((key, v)) }
                }
                skipWhitespace()
                guard let c = peek else { return nil }
                index += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "}") { return build ? .object(pairs) : .null }
                return nil
            }
        }

        mutating func array(depth: Int, build: Bool) -> JSONValue? {
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") { index += 1; return build ? .array(items) : .null }
            while true {
                skipWhitespace()
                guard let v = value(depth: depth + 1, build: build) else { return nil }
                if build { items.append(v) }
                skipWhitespace()
                guard let c = peek else { return nil }
                index += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "]") { return build ? .array(items) : .null }
                return nil
            }
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[index]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c) - 0x30
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c) - 0x61 + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c) - 0x41 + 10
                default: return nil
                }
                v = v << 4 | d
                index += 1
            }
            return v
        }

        mutating func string(build: Bool) -> JSONValue? {
            index += 1
            var out: [UInt8] = []
            var runStart = index
            while index < bytes.count {
                let c = bytes[index]
                if c == UInt8(ascii: "\"") {
                    if build { out.append(contentsOf: bytes[runStart..<index]) }
                    index += 1
                    return build ? .string(String(decoding: out, as: UTF8.self)) : .null
                }
                if c < 0x20 { return nil }
                if c != UInt8(ascii: "\\") { index += 1; continue }
                if build { out.append(contentsOf: bytes[runStart..<index]) }
                index += 1
                guard let e = peek else { return nil }
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    // A high surrogate joins a following \u low surrogate, as Python does; a
                    // lone surrogate (a str Python could not write as UTF-8) becomes U+FFFD.
                    if (0xD800..<0xDC00).contains(scalar), index + 6 <= bytes.count,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        let save = index
                        index += 2
                        if let low = hex4(), (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            index = save
                        }
                    }
                    if build { out.append(contentsOf: String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8) }
                default: return nil
                }
                runStart = index
            }
            return nil
        }

        mutating func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - start
        }

        mutating func number(build: Bool) -> JSONValue? {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, first >= 0x30, first <= 0x39 else { return nil }
            // `0` alone, or a non-zero digit and more; `0019` stops after the `0` and the
            // caller then finds the `0` it cannot place.
            if first == 0x30 { index += 1 } else { _ = digits() }
            var isFloat = false
            if peek == UInt8(ascii: "."), index + 1 < bytes.count, bytes[index + 1] >= 0x30, bytes[index + 1] <= 0x39 {
                index += 1
                _ = digits()
                isFloat = true
            }
            if let e = peek, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                let save = index
                index += 1
                if let s = peek, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { index += 1 }
                if digits() == 0 { index = save } else { isFloat = true }
            }
            guard build else { return .null }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if !isFloat, let i = Int64(text) { return .int(i) }
            // Python's float() rounds correctly and overflows to ±inf; so does Double(_:).
            return Double(text).map(JSONValue.double)
        }
    }
}
