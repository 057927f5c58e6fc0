import Foundation
import Testing
import XPCore

// Expected texts are Python 3.11's json.dumps / str() of the same values.

@Suite("JSONValue")
struct JSONTests {
    let sample: JSONValue = .object([
        ("b", .int(1)),
        ("a", .array([.double(2.5), .string("é\u{2028}😀"), .null, .bool(true), .double(-0.0), .double(1e16), .double(1e-05),
                      .double(0.1), .double(.nan)])),
        ("e", .object([])), ("l", .array([])),
        ("s", .string("q\"\\\n\r\t\u{08}\u{0C}\u{01}\u{7F}/")),
    ])

    @Test func compactWriterMatchesPythonDumps() {
        #expect(sample.pythonJSON() == #"{"b": 1, "a": [2.5, "\u00e9\u2028\ud83d\ude00", null, true, -0.0, 1e+16, 1e-05, 0.1, NaN], "e": {}, "l": [], "s": "q\"\\\n\r\t\b\f\u0001\u007f/"}"#)
    }

    @Test func indentedWriterMatchesPythonDumpsIndent2() {
        let expected = "{\n  \"b\": 1,\n  \"a\": [\n    2.5,\n    \"\\u00e9\\u2028\\ud83d\\ude00\",\n    null,\n    true,\n    -0.0,\n    1e+16,\n    1e-05,\n    0.1,\n    NaN\n  ],\n  \"e\": {},\n  \"l\": [],\n  \"s\": \"q\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u007f/\"\n}"
        #expect(sample.pythonJSON(indent: 2) == expected)
        let nested: JSONValue = .object([("k", .array([.int(1), .object([("x", .int(2))])]))])
        #expect(nested.pythonJSON(indent: 2) == "{\n  \"k\": [\n    1,\n    {\n      \"x\": 2\n    }\n  ]\n}")
        // Starting one level deep: inner lines at 4 spaces, the closing bracket at 2.
        #expect(JSONValue.array([.int(1)]).pythonJSON(indent: 2, level: 1) == "[\n    1\n  ]")
    }

    @Test func stylesMatchPythonDumpsArguments() {
        let v: JSONValue = .object([("b", .int(1)), ("a", .array([.int(1), .double(2.5), .string("é☕\n\u{7F}😀")])),
                                    ("c", .object([("z", .null), ("y", .bool(true))]))])
        // json.dumps(v, ensure_ascii=False)
        #expect(v.pythonJSON(.unicode) == "{\"b\": 1, \"a\": [1, 2.5, \"é☕\\n\u{7F}😀\"], \"c\": {\"z\": null, \"y\": true}}")
        // json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        #expect(v.pythonJSON(.sortedCompact) == "{\"a\":[1,2.5,\"é☕\\n\u{7F}😀\"],\"b\":1,\"c\":{\"y\":true,\"z\":null}}")
        // json.dumps(v)
        #expect(v.pythonJSON(.standard) == #"{"b": 1, "a": [1, 2.5, "\u00e9\u2615\n\u007f\ud83d\ude00"], "c": {"z": null, "y": true}}"#)
    }

    @Test func parserKeepsOrderAndNumberKinds() throws {
        let v = try JSONParser.parse(#"{"z": 1, "a": 1.0, "n": -2e3, "u": "\u00e9\ud83d\ude00", "x": [NaN, -Infinity]}"#)
        guard case .object(let pairs) = v else { Issue.record("not an object"); return }
        #expect(pairs.map(\.0) == ["z", "a", "n", "u", "x"])
        guard case .int(1)? = v["z"], case .double(1.0)? = v["a"], case .double(-2000)? = v["n"] else {
            Issue.record("number kinds lost: \(pairs)"); return
        }
        #expect(v["u"] == .string("é😀"))
        #expect(v.pythonJSON() == #"{"z": 1, "a": 1.0, "n": -2000.0, "u": "\u00e9\ud83d\ude00", "x": [NaN, -Infinity]}"#)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("{\"a\": 1,}") }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("[1] x") }
    }

    @Test func equalityIsPythons() throws {
        #expect(JSONValue.int(1) == .double(1.0))
        #expect(JSONValue.int(9_007_199_254_740_993) != .double(9_007_199_254_740_992))
        #expect(JSONValue.bool(true) != .int(1))
        #expect(JSONValue.double(.nan) != .double(.nan))
        let a = try JSONParser.parse(#"{"x": 1, "y": [1, 2]}"#), b = try JSONParser.parse(#"{"y": [1.0, 2], "x": 1}"#)
        #expect(a == b && a.hashValue == b.hashValue)
        // A repeated key keeps its last value, as json.loads does.
        #expect(try JSONParser.parse(#"{"k": 1, "k": 2}"#) == .object([("k", .int(2))]))
        #expect(try JSONParser.parse(#"{"k": 1, "k": 2}"#)["k"] == .int(1))  // the subscript reads the first
        #expect(Set([JSONValue.int(2), .double(2), .string("2")]).count == 2)
    }

    @Test func pythonStrOfValues() throws {
        let list: JSONValue = .array([.int(1), .double(2.0), .string("it's"), .string("a\"b"), .null, .bool(true),
                                      .object([("k", .string("v"))]), .string("\u{07}\u{2028}é")])
        #expect(list.pythonString == #"[1, 2.0, "it's", 'a"b', None, True, {'k': 'v'}, '\x07\u2028é']"#)
        #expect(JSONValue.object([("a", .double(-0.0)), ("b", .array([.double(1e16), .double(1e-05)]))]).pythonString
                == "{'a': -0.0, 'b': [1e+16, 1e-05]}")
        #expect(JSONValue.string("plain").pythonString == "plain" && JSONValue.double(3).pythonString == "3.0")
    }

    @Test func codableRoundTrip() throws {
        let v: JSONValue = .object([("a", .int(3)), ("b", .array([.double(2.5), .null, .bool(false), .string("x")]))])
        let data = try JSONEncoder().encode(v)
        let back = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(back == v)
        guard case .int(3)? = back["a"] else { Issue.record("integer decoded as \(String(describing: back["a"]))"); return }
    }

    @Test func floatRepr() {
        #expect(pythonFloatRepr(0.55) == "0.55" && pythonFloatRepr(1e15) == "1000000000000000.0")
        #expect(pythonFloatRepr(1.5e-7) == "1.5e-07" && pythonFloatRepr(-0.0) == "-0.0")
        #expect(pythonFloatRepr(123456789012345680) == "1.2345678901234568e+17")
    }
}
