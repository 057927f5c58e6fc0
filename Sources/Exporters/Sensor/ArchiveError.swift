import Foundation

/// Why a ZIP or NPZ archive could not be written or read. Every case names the archive
/// (`file`: a path, or `<memory>` for bytes that never touched the disk) and, when one is to
/// blame, the entry, so a one-line message is enough to find the problem.
public enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A size, offset or count does not fit the 32-bit ZIP fields. We write no ZIP64, so an
    /// entry of 4 GiB or more (or an archive that large) is refused rather than truncated.
    case tooLarge(file: String, entry: String?, what: String, value: UInt64, limit: UInt64)
    /// Two entries (or two arrays) have the same name.
    case duplicateEntry(file: String, entry: String)
    /// A name or array given to the writer cannot be stored as asked.
    case invalidArray(file: String, entry: String, reason: String)
    /// The bytes are not a well-formed archive (truncated, offsets out of bounds, bad signatures).
    case malformed(file: String, entry: String?, reason: String)
    /// The archive uses a feature this reader does not implement (ZIP64, encryption, a
    /// compression method other than stored or deflate, spanning).
    case unsupported(file: String, entry: String?, feature: String)
    /// An entry's data does not match the CRC-32 its central directory record states.
    case checksumMismatch(file: String, entry: String, expected: UInt32, found: UInt32)
    /// zlib reported an error while compressing or decompressing an entry.
    case zlib(file: String, entry: String, operation: String, code: Int32, message: String)
    /// Reading or writing the archive file failed.
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case let .tooLarge(file, entry, what, value, limit):
            return "\(Self.place(file, entry)): \(what) is \(value) bytes, beyond the ZIP limit of \(limit) (ZIP64 is not written)"
        case let .duplicateEntry(file, entry):
            return "\(Self.place(file, entry)): the name is used twice"
        case let .invalidArray(file, entry, reason):
            return "\(Self.place(file, entry)): \(reason)"
        case let .malformed(file, entry, reason):
            return "\(Self.place(file, entry)): malformed archive: \(reason)"
        case let .unsupported(file, entry, feature):
            return "\(Self.place(file, entry)): unsupported: \(feature)"
        case let .checksumMismatch(file, entry, expected, found):
            return "\(Self.place(file, entry)): CRC-32 of the data is \(Self.hex(found)), the central directory says \(Self.hex(expected))"
        case let .zlib(file, entry, operation, code, message):
            return "\(Self.place(file, entry)): zlib \(operation) failed (\(code)): \(message)"
        case let .io(file, reason):
            return "\(file): \(reason)"
        }
    }

    /// `file, entry 'name'` or just `file`.
    private static func place(_ file: String, _ entry: String?) -> String {
        entry.map { "\(file), entry '\($0)'" } ?? file
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
