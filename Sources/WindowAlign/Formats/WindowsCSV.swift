import Foundation
import XPCore

/// `windows.csv` as the reference writes it with Python's `csv` module: a header row, CRLF
/// line ends, fields quoted only when they contain a comma, a quote or a line break, and
/// fractions in Python float notation (`1.0`, `0.55`).
public enum WindowsCSV {
    /// The header columns, in order.
    public static let columns = [
        "window_index", "start_frame", "end_frame", "center_frame",
        "action_label", "action_fraction", "subtask_label", "subtask_fraction",
    ]

    /// The file's text for `windows`.
    public static func encode(_ windows: [Window]) -> String {
        var csv = CSVWriter(lineTerminator: .crlf)
        csv.writeRow(columns)
        for w in windows {
            csv.writeRow([
                String(w.index), String(w.start), String(w.end), String(w.center),
                w.action, pythonFloatRepr(w.actionFraction),
                w.subtask, pythonFloatRepr(w.subtaskFraction),
            ])
        }
        return csv.text
    }

    /// Parses a windows table. Accepts CRLF or LF line ends; the header must name the
    /// reference columns in order.
    public static func decode(_ text: String) throws(WindowAlignError) -> [Window] {
        let rows = try parseCSV(text)
        guard let header = rows.first else { throw .malformedCSV(line: 1, reason: "the file is empty; expected a header row") }
        guard header == columns else {
            throw .malformedCSV(line: 1, reason: "expected header \(columns.joined(separator: ",")), found \(header.joined(separator: ","))")
        }
        var windows: [Window] = []
        windows.reserveCapacity(rows.count - 1)
        for (offset, row) in rows.dropFirst().enumerated() {
            let line = offset + 2
            guard row.count == columns.count else {
                throw .malformedCSV(line: line, reason: "expected \(columns.count) fields, found \(row.count)")
            }
            func int(_ i: Int) throws(WindowAlignError) -> Int {
                guard let v = Int(row[i]) else {
                    throw .malformedCSV(line: line, reason: "\(columns[i]) must be an integer, found '\(row[i])'")
                }
                return v
            }
            func double(_ i: Int) throws(WindowAlignError) -> Double {
                guard let v = Double(row[i]) else {
                    throw .malformedCSV(line: line, reason: "\(columns[i]) must be a number, found '\(row[i])'")
                }
                return v
            }
            windows.append(Window(
                index: try int(0), start: try int(1), end: try int(2), center: try int(3),
                action: row[4], actionFraction: try double(5),
                subtask: row[6], subtaskFraction: try double(7)))
        }
        return windows
    }

    /// Writes `windows` to `url` through a temporary file and a rename, so a failure leaves
    /// no half-written table.
    public static func write(_ windows: [Window], to url: URL) throws(WindowAlignError) {
        try atomicWrite(Data(encode(windows).utf8), to: url)
    }

    /// Reads a windows table from `url`.
    public static func read(from url: URL) throws(WindowAlignError) -> [Window] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .io(path: url.path, reason: "not UTF-8 text")
        }
        return try decode(text)
    }

    /// A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks.
    static func parseCSV(_ text: String) throws(WindowAlignError) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func endRow() {
            row.append(field)
            rows.append(row)
            row = []
            field = ""
            fieldWasQuoted = false
        }
        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case ",":
                    row.append(field)
                    field = ""
                    fieldWasQuoted = false
                case "\"":
                    guard field.isEmpty, !fieldWasQuoted else {
                        throw .malformedCSV(line: line, reason: "a quote inside an unquoted field")
                    }
                    inQuotes = true
                    fieldWasQuoted = true
                case "\r":
                    if i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                    endRow()
                    line += 1
                case "\n":
                    endRow()
                    line += 1
                default:
                    field.unicodeScalars.append(c)
                }
            }
            i += 1
        }
        if inQuotes { throw .malformedCSV(line: line, reason: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty || fieldWasQuoted { endRow() }
        return rows
    }
}
