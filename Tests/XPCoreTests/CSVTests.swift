import Testing
import XPCore

// Expected texts are Python 3.11's csv.writer output for the same rows.

@Suite("CSVWriter")
struct CSVTests {
    @Test func quotingMatchesPythonCSV() {
        var w = CSVWriter(lineTerminator: .crlf)
        w.writeRow(["a", "b,c", "q\"x", "cr\rx", "lf\nx", "crlf\r\nx", "", "é ü"])
        #expect(w.text == "a,\"b,c\",\"q\"\"x\",\"cr\rx\",\"lf\nx\",\"crlf\r\nx\",,é ü\r\n")
    }

    @Test func crlfInsideAFieldIsQuotedAlthoughItIsOneCharacter() {
        // "\r\n" is a single Character that equals neither "\r" nor "\n".
        #expect(CSVWriter.field("x\r\ny") == "\"x\r\ny\"")
        #expect(CSVWriter.field("plain") == "plain")
    }

    @Test func otherDelimiterAndTerminator() {
        #expect(CSVWriter.row(["a;b", "c,d"], delimiter: ";", lineTerminator: .lf) == "\"a;b\";c,d\n")
        var w = CSVWriter(lineTerminator: .lf)
        w.writeRow(["h"])
        w.writeRow(["1"])
        #expect(w.text == "h\n1\n")
    }
}
