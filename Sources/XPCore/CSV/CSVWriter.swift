/// RFC 4180 CSV text, quoted as Python's `csv.writer` does by default (`QUOTE_MINIMAL`): a
/// field is quoted when it holds the delimiter, a double quote, a carriage return or a line
/// feed, and its quotes are doubled. The test is on Unicode scalars, not Characters: `"\r\n"`
/// is one Character in Swift and equals neither `"\r"` nor `"\n"`.
///
/// The line terminator is the writer's choice because the package's files differ: Python's
/// `csv` module ends rows with `"\r\n"` (`windows.csv`, `per_class_metrics.csv`,
/// `confusion_matrix.csv`), while tables built line by line end them with `"\n"`.
///
/// ```swift
/// var csv = CSVWriter(lineTerminator: .crlf)
/// csv.writeRow(["frame", "label"])
/// csv.writeRow(["0", "pick up, then pour"])
/// csv.text   // "frame,label\r\n0,\"pick up, then pour\"\r\n"
/// ```
public struct CSVWriter: Sendable {
    /// How rows end.
    public enum LineTerminator: String, Sendable {
        /// `"\r\n"`, Python `csv.writer`'s default and RFC 4180's.
        case crlf = "\r\n"
        /// `"\n"`.
        case lf = "\n"
    }

    /// The text written so far.
    public private(set) var text = ""
    public let delimiter: Unicode.Scalar
    public let lineTerminator: LineTerminator

    public init(delimiter: Unicode.Scalar = ",", lineTerminator: LineTerminator) {
        self.delimiter = delimiter
        self.lineTerminator = lineTerminator
    }

    /// Appends one row: the fields quoted as needed, joined by the delimiter, then the line
    /// terminator. Fields are written as given (format numbers before).
    public mutating func writeRow<S: Sequence>(_ fields: S) where S.Element == String {
        text += CSVWriter.row(fields, delimiter: delimiter, lineTerminator: lineTerminator)
    }

    /// One row's text, terminator included.
    public static func row<S: Sequence>(_ fields: S, delimiter: Unicode.Scalar = ",", lineTerminator: LineTerminator) -> String
    where S.Element == String {
        fields.map { field($0, delimiter: delimiter) }.joined(separator: String(delimiter)) + lineTerminator.rawValue
    }

    /// One field, quoted when it holds the delimiter, `"`, CR or LF; embedded quotes doubled.
    public static func field(_ value: String, delimiter: Unicode.Scalar = ",") -> String {
        guard value.unicodeScalars.contains(where: { $0 == delimiter || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else {
            return value
        }
        var out = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" { out += "\"\"" } else { out.unicodeScalars.append(scalar) }
        }
        return out + "\""
    }
}
