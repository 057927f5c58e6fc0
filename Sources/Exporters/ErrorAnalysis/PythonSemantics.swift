import Foundation
import Metrics
import XPCore

// The few Python behaviours the error analysis and the dense index depend on, applied to the
// values `json.loads` returns: truthiness, `dict.get` with a repeated key, `str()`, the
// analysis's `norm`, and code-point (not canonical-equivalence) string identity.

extension JSONValue {
    /// `dict.get(key)` on the dict `json.loads` builds: a repeated key keeps its **last**
    /// value. Keys compare by code points. Nil when the key is absent or this is no object.
    func pythonGet(_ key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        for (k, v) in pairs.reversed() where codePointsEqual(k, key) { return v }
        return nil
    }

    var isObject: Bool { if case .object = self { return true } else { return false } }

    /// The analysis's `norm(v)` = `str(v or "").strip().lower()`: a falsy value gives "",
    /// a list or dict its Python repr.
    var pythonNorm: String {
        pythonTruthy ? pythonNormText(pythonString) : ""
    }

    /// `str(v or "").strip()` (the dense builder's `normalize`).
    var pythonStrippedString: String {
        pythonTruthy ? pythonStrip(pythonString) : ""
    }
}

/// `text.strip().lower()`, without copying text that is already stripped lowercase ASCII
/// (most labels): the fast path gives the same string the general one would.
func pythonNormText(_ text: String) -> String {
    let utf8 = text.utf8
    if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last),
       !utf8.contains(where: { $0 >= 0x80 || (0x41...0x5A).contains($0) }) {
        return text
    }
    return pythonLower(pythonStrip(text))
}

/// `norm` of an optional value (a missing key is None, whose norm is "").
func pythonNorm(_ value: JSONValue?) -> String { value?.pythonNorm ?? "" }

// Labels as dictionary and set keys use Metrics' `CodePoints` (Python's `str` identity).

/// Code-point equality of two strings (Python's `==` on `str`): their UTF-8 bytes are equal.
func codePointsEqual(_ a: String, _ b: String) -> Bool {
    let n = a.utf8.count
    guard n == b.utf8.count else { return false }
    let fast: Bool?? = a.utf8.withContiguousStorageIfAvailable { x in
        b.utf8.withContiguousStorageIfAvailable { y in n == 0 || memcmp(x.baseAddress!, y.baseAddress!, n) == 0 }
    }
    if let fast, let result = fast { return result }
    return a.utf8.elementsEqual(b.utf8)
}

/// Code-point order (Python's `<` on `str`; UTF-8 byte order is the same).
func codePointsPrecede(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

/// A dictionary that keeps its keys in first-insertion order, as Python's `dict` does.
struct InsertionOrdered<Value> {
    private(set) var keys: [String] = []
    private(set) var values: [Value] = []
    private var index: [CodePoints: Int] = [:]

    /// The slot of `key`, created with `make()` on first use.
    mutating func slot(_ key: String, make: () -> Value) -> Int {
        let k = CodePoints(key)
        if let i = index[k] { return i }
        index[k] = keys.count
        keys.append(key)
        values.append(make())
        return keys.count - 1
    }

    mutating func update(_ key: String, make: () -> Value, _ body: (inout Value) -> Void) {
        let i = slot(key, make: make)
        body(&values[i])
    }

    subscript(position: Int) -> Value {
        get { values[position] }
        set { values[position] = newValue }
    }

    func value(_ key: String) -> Value? { index[CodePoints(key)].map { values[$0] } }
    var count: Int { keys.count }
    var pairs: [(String, Value)] { Array(zip(keys, values)) }
}
