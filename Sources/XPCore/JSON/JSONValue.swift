import Foundation

/// A JSON value that keeps what Foundation's parsers lose and the package's files need: the
/// order of object keys (outputs keep the reference's key order) and whether a number was
/// written as an integer or a float (Python's `1` and `1.0` print differently).
///
/// Equality is Python's `==` on the values `json.loads` would return, except that a boolean
/// is not a number (in Python `True == 1`): integers and doubles compare by value (`1 == 1.0`),
/// arrays element by element, objects as key → value maps regardless of key order, a repeated
/// key keeping its last value as `json.loads` does. NaN equals nothing. `hash(into:)` agrees.
///
/// ```swift
/// let value = try JSONParser.parse(#"{"b": 1, "a": [2.5, "é"]}"#)
/// value["b"] == .double(1)              // true: numbers compare by value
/// value.pythonJSON()                    // {"b": 1, "a": [2.5, "\u00e9"]}
/// ```
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Key-value pairs in document order (a repeated key is kept twice).
    case object([(String, JSONValue)])

    /// An integer value from an `Int`.
    public static func int(_ v: Int) -> JSONValue { .int(Int64(v)) }

    /// The value for `key` in an object: the first one if the key is repeated (the caption
    /// rules read it so); nil for other values.
    public subscript(key: String) -> JSONValue? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    /// The JSON type's name, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { return o } else { return nil } }

    /// The number as a Double, for integers and doubles.
    public var numberValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The object as a dictionary, a repeated key keeping its last value (`json.loads`); nil
    /// for other values.
    public var dictionaryValue: [String: JSONValue]? {
        guard case .object(let pairs) = self else { return nil }
        return Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }
}

// MARK: - Equality and hashing (Python semantics)

extension JSONValue: Hashable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        // Python compares an int and a float exactly: 2⁵³ + 1 != 2.0⁵³.
        case (.int(let i), .double(let d)), (.double(let d), .int(let i)): return Double(exactly: i).map { $0 == d } ?? false
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object, .object): return lhs.dictionaryValue == rhs.dictionaryValue
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        // Numbers that can be equal hash alike: an int exactly representable as a Double hashes
        // as that Double; any other int equals no double.
        case .int(let i):
            hasher.combine(2)
            if let d = Double(exactly: i) { hasher.combine(d) } else { hasher.combine(i) }
        case .double(let d): hasher.combine(2); hasher.combine(d)
        case .string(let s): hasher.combine(3); hasher.combine(s)
        case .array(let a): hasher.combine(4); hasher.combine(a)
        case .object:
            hasher.combine(5)
            // Key order does not matter for equality, so hash in code-point order of keys.
            let entries = (dictionaryValue ?? [:]).sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            hasher.combine(entries.count)
            for (key, value) in entries { hasher.combine(key); hasher.combine(value) }
        }
    }
}

// MARK: - Codable

extension JSONValue: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes any JSON value. Object keys come in the decoder's order (Foundation's
    /// `JSONDecoder` does not keep the document's); use ``JSONParser`` to keep it.
    public init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            self = .object(try object.allKeys.map { ($0.stringValue, try object.decode(JSONValue.self, forKey: $0)) })
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int64.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        self = .string(try c.decode(String.self))
    }

    /// Encodes the value; an object's keys in stored order (a repeated key once, with its last
    /// value, as `json.loads` would keep it).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case .bool(let b): var c = encoder.singleValueContainer(); try c.encode(b)
        case .int(let i): var c = encoder.singleValueContainer(); try c.encode(i)
        case .double(let d): var c = encoder.singleValueContainer(); try c.encode(d)
        case .string(let s): var c = encoder.singleValueContainer(); try c.encode(s)
        case .array(let a): var c = encoder.unkeyedContainer(); for item in a { try c.encode(item) }
        case .object(let pairs):
            var c = encoder.container(keyedBy: Key.self)
            let last = dictionaryValue ?? [:]
            var written = Set<String>()
            for (key, _) in pairs where written.insert(key).inserted {
                try c.encode(last[key] ?? .null, forKey: Key(stringValue: key))
            }
        }
    }
}

extension JSONValue {
    /// The value as Foundation objects (`NSNull`, `Bool`, `Int64`, `Double`, `String`, arrays
    /// and dictionaries; a repeated key keeps its last value, as Python's `json.loads`), for
    /// code that reads fields with `as?` casts. The numbers are the ones this parser read,
    /// correctly rounded, which `JSONSerialization` on Linux does not guarantee.
    public var foundationObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        case .array(let a): return a.map(\.foundationObject)
        case .object(let o): return Dictionary(o.map { ($0.0, $0.1.foundationObject) }, uniquingKeysWith: { _, last in last })
        }
    }
}
