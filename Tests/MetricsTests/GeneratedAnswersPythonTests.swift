import Testing
@testable import Metrics
import XPCore

/// The Python behaviours the answer scorer mirrors, each stated as Python evaluates it
/// (`json.loads`, `str.strip`, `str.lower`, `re.sub(r"\s+", ...)`, dict building).
@Suite("Generated answers: Python semantics")
struct GeneratedAnswersPythonTests {
    @Test func jsonLoadsGrammar() {
        // json.loads rejects leading zeros, a bare point, a dangling exponent and trailing commas.
        for bad in [#"{"a": 0019}"#, #"{"a": 1.}"#, #"{"a": 1e}"#, #"{"a": [1,]}"#, #"{"a": 1,}"#, "{'a': 1}", #"{"a": "x"} y"#, "\u{FEFF}{}"] {
            #expect(PythonJSON.loads(bad) == nil, "\(bad) should not parse")
        }
        // It accepts NaN, -Infinity, exponents, escapes and surrounding whitespace.
        #expect(PythonJSON.loads(" \n{\"a\": -Infinity, \"b\": 1E+2, \"c\": \"\\u00e9\\n\"}\t")
                == .object([("a", .double(-.infinity)), ("b", .double(100)), ("c", .string("é\n"))]))
        #expect(PythonJSON.loads("-0") == .int(0) && PythonJSON.loads("12") == .int(12) && PythonJSON.loads("1.5") == .double(1.5))
        // A raw control character inside a string is an error (strict=True).
        #expect(PythonJSON.loads("\"a\u{1}b\"") == nil)
        // A repeated key: the first position, the last value (a Python dict).
        #expect(PythonJSON.loads(#"{"a": 1, "b": 2, "a": 3}"#) == .object([("a", .int(3)), ("b", .int(2))]))
        guard case .object(let pairs)? = PythonJSON.loads(#"{"a": 1, "b": 2, "a": 3}"#) else { Issue.record("no object"); return }
        #expect(pairs.map(\.0) == ["a", "b"])
        // A surrogate pair joins; \u escapes are case-insensitive hex.
        #expect(PythonJSON.loads(#""\uD83D\uDE00""#) == .string("😀"))
    }

    @Test func parsingRecovery() {
        // A leading zero makes the whole text invalid, and the {…} span is the same text: {}.
        #expect(parseAnswerJSON(#"{"action": "Open lid", "evidence_window": {"start_frame": 00}}"#).isEmpty)
        // ```JSON with any case, and the long s (U+017F) that IGNORECASE folds to s.
        #expect(parseAnswerJSON("```JsOn\n{\"a\": 1}\n```") == ["a": .int(1)])
        #expect(parseAnswerJSON("```j\u{17F}on {\"a\": 1}```") == ["a": .int(1)])
        // Python's strip also removes U+001C–U+001F and U+0085.
        #expect(parseAnswerJSON("\u{1C}\u{85} {\"a\": 1} \u{1F}") == ["a": .int(1)])
        // Text around the object: the first { to the last } parses.
        #expect(parseAnswerJSON("Answer: {\"a\": {\"b\": 2}} done") == ["a": .object([("b", .int(2))])])
        // Key order of the parsed answer is kept for pred_json.
        #expect(parseAnswerValue(#"{"z": 1, "a": 2}"#).objectValue?.map(\.0) == ["z", "a"])
    }

    @Test func stringRules() {
        // \s+ is Python's whitespace, including U+001F and U+3000; runs become one space.
        #expect(normalizeLabel(" Pick\u{1F}\u{3000} up\u{A0}cup. ") == "Pick up cup")
        // A space plus a combining mark is one Character in Swift, two code points in Python.
        #expect(normalizeLabel("a \u{301}b") == "a \u{301}b")
        // Python's one context rule: a word-final capital sigma lowers to ς, any other to σ.
        #expect(pythonLower("\u{39F}\u{394}\u{39F}\u{3A3}") == "\u{3BF}\u{3B4}\u{3BF}\u{3C2}" && pythonLower("\u{3A3}\u{391}") == "\u{3C3}\u{3B1}")
        #expect(pythonLower("İ") == "i\u{307}" && pythonLower("ABC") == "abc")
        // Code-point equality: é precomposed and decomposed are different labels in Python.
        #expect(CodePoints("\u{E9}") != CodePoints("e\u{301}"))
        #expect(pythonEqual(.bool(true), .int(1)) && pythonEqual(nil, .null) && !pythonEqual(.string("a"), nil))
        #expect(pythonEqual(.object([("a", .int(1)), ("b", .double(2))]), .object([("b", .int(2)), ("a", .bool(true))])))
        #expect(!pythonEqual(.double(.nan), .double(.nan)))
    }

    @Test func matchLabelRules() {
        // {label.lower(): label} keeps the last of two options equal after lower().
        #expect(matchLabel("open LID", options: ["Open lid", "open Lid"]) == "open Lid")
        // An exact option wins before the case-insensitive rule.
        #expect(matchLabel("Open lid", options: ["Open lid", "open Lid"]) == "Open lid")
        // The substring rule takes the first option in list order.
        #expect(matchLabel("I will pour water now", options: ["Pour", "Pour water"]) == "Pour")
        // An empty option is a substring of everything (Python's '' in s).
        #expect(matchLabel("dance", options: ["", "Pour"]) == "")
        // Nothing matches: the normalised prediction.
        #expect(matchLabel("  `dance.` ", options: ["Pour"]) == "dance")
        // Canonically equivalent but different code points: no exact match, no case match,
        // and no substring: the prediction stays itself.
        #expect(matchLabel("Cafe\u{301}", options: ["Caf\u{E9}"]) == "Cafe\u{301}")
    }

    @Test func fieldAccuracyMirrorsDictGet() {
        // A truth without the key is kept (None != "unknown") and equals a prediction without it.
        let a = GeneratedAnswer(raw: #"{"action": "x"}"#, truth: ["action": .string("x")])
        let b = GeneratedAnswer(raw: #"{"action": "x", "contact": true}"#, truth: ["action": .string("x"), "contact": .int(1)])
        let m = scoreGeneratedAnswers([a, b], labelOptions: ["x"], trainActions: ["x"]).metrics
        // contact: row a None == None, row b True == 1 → 2/2.
        #expect(m.contactAccuracy == 1)
        // json_validity_rate counts the seven keys only: neither has them.
        #expect(m.jsonValidityRate == 0)
        // str() of a non-string action: ['a'] is matched as the text "['a']".
        let c = GeneratedAnswer(raw: #"{"action": ["a"]}"#, truth: ["action": .string("b")])
        #expect(scoreGeneratedAnswers([c], labelOptions: ["b"], trainActions: []).rows[0].predictedLabel == "['a']")
    }
}
