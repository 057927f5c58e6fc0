import Foundation

/// A CSV file read leniently: RFC 4180 quoting, `\n` or `\r\n` line ends, a BOM skipped,
/// short rows padded with empty cells and long ones kept (extra columns ignored by name).
/// Columns are looked up by header name, so files with extra or reordered columns (today's
/// and tomorrow's writers) read the same.
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    private var index: [String: Int]

    /// Parses `text`; `path` names the file in errors. An unterminated quote is an error.
    public init(text: String, path: String) throws(ReportError) {
        var records: [[String]] = []
        var field = "", record: [String] = []
        var inQuotes = false, quoteStartLine = 1, line = 1
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty:
                inQuotes = true
                quoteStartLine = line
            case ",":
                record.append(field)
                field = ""
            case "\r":
                continue
            case "\n":
                record.append(field)
                records.append(record)
                field = ""
                record = []
                line += 1
            default:
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes {
            throw .unreadable(path: path, line: quoteStartLine, expected: "a closing quote for the field opened here", found: "end of file")
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        header = records.first ?? []
        rows = records.dropFirst().filter { $0 != [""] }
        var index: [String: Int] = [:]
        for (i, name) in header.enumerated() where index[name] == nil { index[name] = i }
        self.index = index
    }

    /// Reads the file at `url`; nil when it does not exist.
    public static func read(_ url: URL) throws(ReportError) -> CSVTable? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadable(path: url.path, line: nil, expected: "a readable file", found: "\(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: url.path, line: nil, expected: "UTF-8 CSV text", found: "bytes that are not UTF-8")
        }
        return try CSVTable(text: text, path: url.path)
    }

    /// Whether the header has `column`.
    public func has(_ column: String) -> Bool { index[column] != nil }

    /// The cell of `row` under `column`; "" when the column or the cell is absent.
    public func value(_ row: [String], _ column: String) -> String {
        guard let i = index[column], i < row.count else { return "" }
        return row[i]
    }

    /// The cell as a number; nil when empty or not a number (Python's `nan`/`inf` spellings read).
    public func number(_ row: [String], _ column: String) -> Double? {
        let text = value(row, column).trimmingCharacters(in: .whitespaces)
        switch text.lowercased() {
        case "": return nil
        case "nan": return .nan
        case "inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(text)
        }
    }
}
