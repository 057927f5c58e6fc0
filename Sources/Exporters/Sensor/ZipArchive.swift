import CZlib
import Foundation

/// A minimal ZIP archive (PKWARE APPNOTE 6.3, the subset `np.savez` and Python's `zipfile`
/// need): entries stored or raw-deflated through zlib, local file headers, one central
/// directory, the end record. No ZIP64, encryption, spanning or data descriptors.
///
/// The writer is deterministic: the same entries, in the same order, with the same zlib give
/// the same bytes. Every entry carries the fixed DOS timestamp 1980-01-01 00:00 (the earliest
/// DOS date), no extra fields, and the permissions `rw-------`, which is also what numpy 2.x
/// writes through `zipfile.ZipFile.open(name, "w")`. It differs from numpy in one deliberate
/// way: numpy forces ZIP64 local headers (`force_zip64=True`, "version needed" 4.5) so a
/// stream of unknown length may pass 4 GiB; we know every size up front, write plain 32-bit
/// headers (version 2.0) and refuse an entry or archive of 4 GiB or more with
/// ``ArchiveError/tooLarge(file:entry:what:value:limit:)`` instead.
///
/// The reader trusts nothing in the bytes: every offset and size is checked against the
/// archive's length before use, a deflated entry may not claim more than deflate's maximum
/// ratio allows, and the CRC-32 and sizes of each entry are verified. Any malformation is an
/// ``ArchiveError`` naming the archive and the entry.
///
/// ```swift
/// var zip = ZipArchive()
/// try zip.add("a.npy", data: bytes)
/// let back = try ZipArchive.decode(try zip.encoded())
/// ```
public struct ZipArchive: Sendable, Equatable {
    /// How an entry's bytes are stored (the ZIP "compression method" field).
    public enum Method: UInt16, Sendable {
        case stored = 0
        case deflate = 8
    }

    /// One file of the archive, uncompressed.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var data: Data
        public var method: Method

        public init(name: String, data: Data, method: Method = .deflate) {
            self.name = name
            self.data = data
            self.method = method
        }
    }

    /// The entries, in archive order.
    public private(set) var entries: [Entry] = []

    /// The `file` an in-memory archive's errors name.
    public static let inMemory = "<memory>"

    /// zlib's default level, which is also what Python's `zipfile` (so numpy) uses.
    public static let defaultLevel: Int32 = 6

    public init() {}

    /// Appends an entry. Names must be non-empty, unique and at most 65,535 UTF-8 bytes.
    public mutating func add(_ name: String, data: Data, method: Method = .deflate) throws(ArchiveError) {
        guard !name.isEmpty, !name.unicodeScalars.contains("\u{0}") else {
            throw .invalidArray(file: Self.inMemory, entry: name, reason: "an entry name must be non-empty and free of NUL")
        }
        try Self.checkFits(name.utf8.count, limit: Self.maxNameLength, what: "the name", entry: name, file: Self.inMemory)
        guard self[name] == nil else { throw .duplicateEntry(file: Self.inMemory, entry: name) }
        entries.append(Entry(name: name, data: data, method: method))
    }

    /// The entry called `name`, if any.
    public subscript(name: String) -> Entry? { entries.first { $0.name == name } }

    // MARK: Writing

    /// The archive's bytes. `level` is zlib's (0–9) for the deflated entries; `file` is the
    /// name errors give (the destination when the bytes are about to be written there).
    public func encoded(level: Int32 = defaultLevel, file: String = inMemory) throws(ArchiveError) -> Data {
        try Self.checkFits(entries.count, limit: Self.maxEntryCount, what: "the entry count", entry: nil, file: file)
        var out = Data()
        var central = Data()
        for entry in entries {
            let name = Array(entry.name.utf8)
            try Self.checkFits(entry.data.count, limit: Self.maxSize, what: "the uncompressed size", entry: entry.name, file: file)
            let payload = entry.method == .deflate ? try Self.deflate(entry.data, level: level, entry: entry.name, file: file) : entry.data
            try Self.checkFits(payload.count, limit: Self.maxSize, what: "the compressed size", entry: entry.name, file: file)
            try Self.checkFits(out.count, limit: Self.maxSize, what: "the local header offset", entry: entry.name, file: file)
            let crc = Self.crc32(entry.data)
            // Bit 11: the name is UTF-8 (set, as zipfile does, only when it is not ASCII).
            let flags: UInt16 = name.allSatisfy { $0 < 0x80 } ? 0 : 0x0800
            let offset = UInt32(out.count)

            out.appendLE32(Self.localSignature)
            out.appendLE16(Self.versionNeeded)
            out.appendLE16(flags)
            out.appendLE16(entry.method.rawValue)
            out.appendLE16(Self.dosTime)
            out.appendLE16(Self.dosDate)
            out.appendLE32(crc)
            out.appendLE32(UInt32(payload.count))
            out.appendLE32(UInt32(entry.data.count))
            out.appendLE16(UInt16(name.count))
            out.appendLE16(0)  // no extra field
            out.append(contentsOf: name)
            out.append(payload)

            central.appendLE32(Self.centralSignature)
            central.appendLE16(Self.versionMadeBy)
            central.appendLE16(Self.versionNeeded)
            central.appendLE16(flags)
            central.appendLE16(entry.method.rawValue)
            central.appendLE16(Self.dosTime)
            central.appendLE16(Self.dosDate)
            central.appendLE32(crc)
            central.appendLE32(UInt32(payload.count))
            central.appendLE32(UInt32(entry.data.count))
            central.appendLE16(UInt16(name.count))
            central.appendLE16(0)  // extra field length
            central.appendLE16(0)  // comment length
            central.appendLE16(0)  // disk number start
            central.appendLE16(0)  // internal attributes
            central.appendLE32(Self.externalAttributes)
            central.appendLE32(offset)
            central.append(contentsOf: name)
        }
        try Self.checkFits(out.count, limit: Self.maxSize, what: "the central directory offset", entry: nil, file: file)
        try Self.checkFits(central.count, limit: Self.maxSize, what: "the central directory size", entry: nil, file: file)
        let centralOffset = UInt32(out.count)
        out.append(central)
        out.appendLE32(Self.endSignature)
        out.appendLE16(0)  // this disk
        out.appendLE16(0)  // disk with the central directory
        out.appendLE16(UInt16(entries.count))
        out.appendLE16(UInt16(entries.count))
        out.appendLE32(UInt32(central.count))
        out.appendLE32(centralOffset)
        out.appendLE16(0)  // comment length
        return out
    }

    /// Refuses `value` above `limit`: 32-bit fields hold up to 0xFFFF_FFFE, because
    /// 0xFFFF_FFFF (and 0xFFFF for 16-bit counts) means "see the ZIP64 record", which we
    /// do not write.
    static func checkFits(_ value: Int, limit: UInt64, what: String, entry: String?, file: String) throws(ArchiveError) {
        guard value >= 0, UInt64(value) <= limit else {
            throw .tooLarge(file: file, entry: entry, what: what, value: UInt64(max(0, value)), limit: limit)
        }
    }

    /// Raw deflate (no zlib or gzip wrapper: `windowBits` −15), memory level 8, the default
    /// strategy: the parameters of Python's `zipfile`, so the streams match numpy's for the
    /// same zlib.
    static func deflate(_ data: Data, level: Int32, entry: String, file: String) throws(ArchiveError) -> Data {
        var stream = z_stream()
        var rc = deflateInit2_(&stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw zlibError(&stream, rc, "deflateInit2", entry: entry, file: file) }
        defer { deflateEnd(&stream) }
        // One call with Z_FINISH: deflateBound is an upper bound on the whole output.
        var out = Data(count: Int(deflateBound(&stream, uLong(data.count))))
        let capacity = out.count
        data.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = output.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(capacity)
                rc = CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw zlibError(&stream, rc, "deflate", entry: entry, file: file) }
        out.count = Int(stream.total_out)
        return out
    }

    // MARK: Reading

    /// Reads and verifies the archive at `url`.
    public static func read(from url: URL) throws(ArchiveError) -> ZipArchive {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .io(file: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, file: url.path)
    }

    /// Parses the central directory of `data`, then extracts and verifies every entry.
    public static func decode(_ data: Data, file: String = inMemory) throws(ArchiveError) -> ZipArchive {
        let r = ZipByteReader(data: data, file: file)
        let end = try findEndRecord(r)
        // The ZIP64 end-of-central-directory locator sits just before the end record.
        if end >= 20, try r.u32(end - 20) == zip64LocatorSignature {
            throw .unsupported(file: file, entry: nil, feature: "ZIP64 (archives of 4 GiB or 65,535 entries and more)")
        }
        let disk = try r.u16(end + 4), centralDisk = try r.u16(end + 6)
        let diskEntries = try r.u16(end + 8), count = try r.u16(end + 10)
        let centralSize = Int(try r.u32(end + 12)), centralOffset = Int(try r.u32(end + 16))
        if count == 0xFFFF || centralSize == 0xFFFF_FFFF || centralOffset == 0xFFFF_FFFF {
            throw .unsupported(file: file, entry: nil, feature: "ZIP64 (the end record holds its sentinel values)")
        }
        guard disk == 0, centralDisk == 0, diskEntries == count else {
            throw .unsupported(file: file, entry: nil, feature: "archives spanning several disks")
        }
        guard centralOffset <= end, centralSize <= end - centralOffset else {
            throw .malformed(file: file, entry: nil, reason: "the central directory (offset \(centralOffset), \(centralSize) bytes) runs past the end record at offset \(end)")
        }

        var archive = ZipArchive()
        var names = Set<String>()
        var p = centralOffset
        let centralEnd = centralOffset + centralSize
        for index in 0..<Int(count) {
            let record = "central directory record \(index + 1) of \(count) (offset \(p))"
            guard centralEnd - p >= 46 else {
                throw .malformed(file: file, entry: nil, reason: "\(record) is cut off by the end of the central directory")
            }
            guard try r.u32(p) == centralSignature else {
                throw .malformed(file: file, entry: nil, reason: "\(record) has no central directory signature")
            }
            let flags = try r.u16(p + 8), methodCode = try r.u16(p + 10)
            let crc = try r.u32(p + 16)
            let compressedSize = try r.u32(p + 20), size = try r.u32(p + 24)
            let nameLength = Int(try r.u16(p + 28)), extraLength = Int(try r.u16(p + 30)), commentLength = Int(try r.u16(p + 32))
            let localOffset = try r.u32(p + 42)
            let recordLength = 46 + nameLength + extraLength + commentLength
            guard recordLength <= centralEnd - p else {
                throw .malformed(file: file, entry: nil, reason: "\(record): its name, extra field and comment (\(recordLength - 46) bytes) run past the central directory")
            }
            let nameBytes = try r.bytes(p + 46, nameLength)
            guard let name = String(bytes: nameBytes, encoding: .utf8), !name.isEmpty else {
                throw .malformed(file: file, entry: nil, reason: "\(record): the entry name is empty or not UTF-8")
            }
            p += recordLength

            guard names.insert(name).inserted else { throw .duplicateEntry(file: file, entry: name) }
            if compressedSize == 0xFFFF_FFFF || size == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF {
                throw .unsupported(file: file, entry: name, feature: "ZIP64 sizes or offsets (an entry of 4 GiB or more)")
            }
            if flags & 0x0001 != 0 { throw .unsupported(file: file, entry: name, feature: "encryption") }
            guard let method = Method(rawValue: methodCode) else {
                throw .unsupported(file: file, entry: name, feature: "compression method \(methodCode) (only 0, stored, and 8, deflate)")
            }

            let payload = try localPayload(r, offset: Int(localOffset), nameBytes: nameBytes, compressedSize: Int(compressedSize),
                                           centralOffset: centralOffset, entry: name)
            let content: Data
            switch method {
            case .stored:
                guard compressedSize == size else {
                    throw .malformed(file: file, entry: name, reason: "a stored entry's sizes differ (\(compressedSize) stored, \(size) declared)")
                }
                content = payload
            case .deflate:
                content = try inflate(payload, size: Int(size), entry: name, file: file)
            }
            let found = crc32(content)
            guard found == crc else { throw .checksumMismatch(file: file, entry: name, expected: crc, found: found) }
            archive.entries.append(Entry(name: name, data: content, method: method))
        }
        return archive
    }

    /// The offset of the end-of-central-directory record: the last signature within the final
    /// 22 + 65,535 bytes (the record plus the longest comment) whose comment fits the file.
    static func findEndRecord(_ r: ZipByteReader) throws(ArchiveError) -> Int {
        let n = r.count
        guard n >= 22 else {
            throw .malformed(file: r.file, entry: nil, reason: "\(n) bytes are too few for a ZIP end record (22 bytes); the file is truncated or not a ZIP archive")
        }
        var p = n - 22
        let lowest = max(0, n - 22 - 0xFFFF)
        while p >= lowest {
            if try r.u32(p) == endSignature, Int(try r.u16(p + 20)) <= n - 22 - p { return p }
            p -= 1
        }
        throw .malformed(file: r.file, entry: nil, reason: "no ZIP end record in the last \(n - lowest) bytes; the file is truncated or not a ZIP archive")
    }

    /// The compressed bytes of the entry whose local header is at `offset`: the header must
    /// be there, name the same file, and its data must end before the central directory.
    static func localPayload(_ r: ZipByteReader, offset: Int, nameBytes: [UInt8], compressedSize: Int,
                             centralOffset: Int, entry: String) throws(ArchiveError) -> Data {
        guard offset <= centralOffset, centralOffset - offset >= 30, try r.u32(offset) == localSignature else {
            throw .malformed(file: r.file, entry: entry, reason: "no local file header at offset \(offset) (the central directory starts at \(centralOffset))")
        }
        let nameLength = Int(try r.u16(offset + 26)), extraLength = Int(try r.u16(offset + 28))
        let start = offset + 30 + nameLength + extraLength
        guard start <= centralOffset, compressedSize <= centralOffset - start else {
            throw .malformed(file: r.file, entry: entry, reason: "the data (\(compressedSize) bytes from offset \(start)) runs past the central directory at offset \(centralOffset)")
        }
        // Local extra fields are skipped (numpy writes a ZIP64 one with sizes the central
        // directory repeats); the name must agree, as Python's zipfile also requires.
        guard try r.bytes(offset + 30, nameLength) == nameBytes else {
            throw .malformed(file: r.file, entry: entry, reason: "the local header at offset \(offset) names a different file")
        }
        return try r.data(start, compressedSize)
    }

    /// The most output one deflate input byte can produce: a length/distance pair of at least
    /// two bits yields 258 bytes, so 8 bits yield at most 1,032 (zlib's FAQ). A declared size
    /// beyond this bound is a lie, and is refused before anything is allocated for it.
    static let maxDeflateRatio = 1032

    /// Raw inflate of a whole entry into exactly `size` bytes. One byte of spare output room
    /// tells "more data than declared" apart from "exactly the declared size".
    static func inflate(_ payload: Data, size: Int, entry: String, file: String) throws(ArchiveError) -> Data {
        guard size <= payload.count * maxDeflateRatio + maxDeflateRatio else {
            throw .malformed(file: file, entry: entry, reason: "\(payload.count) deflated bytes cannot expand to the declared \(size) bytes")
        }
        var stream = z_stream()
        var rc = inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw zlibError(&stream, rc, "inflateInit2", entry: entry, file: file) }
        defer { inflateEnd(&stream) }
        var out = Data(count: size + 1)
        payload.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = output.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(output.count)
                rc = CZlib.inflate(&stream, Z_FINISH)
            }
        }
        let produced = Int(stream.total_out)
        switch rc {
        case Z_STREAM_END:
            guard produced == size else {
                throw .malformed(file: file, entry: entry, reason: "the data inflates to \(produced) bytes, the central directory says \(size)")
            }
            guard stream.avail_in == 0 else {
                throw .malformed(file: file, entry: entry, reason: "\(stream.avail_in) bytes follow the end of the deflate stream")
            }
        case Z_BUF_ERROR where stream.avail_out == 0:
            throw .malformed(file: file, entry: entry, reason: "the data inflates to more than the \(size) bytes the central directory says")
        case Z_BUF_ERROR:
            throw .malformed(file: file, entry: entry, reason: "the deflate stream is truncated (\(produced) of \(size) bytes)")
        default:
            throw zlibError(&stream, rc, "inflate", entry: entry, file: file)
        }
        out.count = size
        return out
    }

    private static func zlibError(_ stream: inout z_stream, _ rc: Int32, _ operation: String, entry: String, file: String) -> ArchiveError {
        let message = stream.msg.map { String(cString: $0) } ?? String(cString: zError(rc))
        return .zlib(file: file, entry: entry, operation: operation, code: rc, message: message)
    }

    // MARK: CRC-32

    /// CRC-32 (ISO-HDLC, the ZIP and PNG checksum) from zlib's `crc32`. The check value of
    /// "123456789" is 0xCBF43926.
    public static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw -> UInt32 in
            guard var p = raw.bindMemory(to: Bytef.self).baseAddress else { return 0 }
            var left = raw.count
            var crc: uLong = 0
            // zlib takes a 32-bit length; 1 GiB chunks keep any Data size correct.
            while left > 0 {
                let n = min(left, 1 << 30)
                crc = CZlib.crc32(crc, p, uInt(n))
                p += n
                left -= n
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    // MARK: Format constants

    static let localSignature: UInt32 = 0x0403_4B50
    static let centralSignature: UInt32 = 0x0201_4B50
    static let endSignature: UInt32 = 0x0605_4B50
    static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    /// 2.0: deflate (the version Python's zipfile also states for entries without ZIP64).
    static let versionNeeded: UInt16 = 20
    /// Made by "UNIX" (3) with version 2.0, so `external attributes` hold Unix permissions.
    static let versionMadeBy: UInt16 = 3 << 8 | 20
    /// `rw-------` in the high 16 bits, as zipfile gives files it opens for writing.
    static let externalAttributes: UInt32 = 0o600 << 16
    /// 00:00:00 and 1980-01-01 (day 1, month 1, year 1980 + 0) in DOS format.
    static let dosTime: UInt16 = 0
    static let dosDate: UInt16 = 1 << 5 | 1
    static let maxSize: UInt64 = 0xFFFF_FFFE
    static let maxEntryCount: UInt64 = 0xFFFE
    static let maxNameLength: UInt64 = 0xFFFF
}

/// Bounds-checked little-endian reads from an archive's bytes: a read outside the data is a
/// ``ArchiveError/malformed(file:entry:reason:)``, never a trap.
struct ZipByteReader {
    let data: Data
    let file: String
    var count: Int { data.count }

    private func check(_ offset: Int, _ length: Int) throws(ArchiveError) {
        guard offset >= 0, length >= 0, offset <= data.count, length <= data.count - offset else {
            throw .malformed(file: file, entry: nil, reason: "a read of \(length) bytes at offset \(offset) is outside the \(data.count)-byte file")
        }
    }

    func u16(_ offset: Int) throws(ArchiveError) -> UInt16 {
        try check(offset, 2)
        let i = data.startIndex + offset
        return UInt16(data[i]) | UInt16(data[i + 1]) << 8
    }

    func u32(_ offset: Int) throws(ArchiveError) -> UInt32 {
        try check(offset, 4)
        let i = data.startIndex + offset
        return UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
    }

    func bytes(_ offset: Int, _ length: Int) throws(ArchiveError) -> [UInt8] {
        try check(offset, length)
        return [UInt8](data[(data.startIndex + offset)..<(data.startIndex + offset + length)])
    }

    /// A copy (not a slice), so entries do not keep the whole archive alive.
    func data(_ offset: Int, _ length: Int) throws(ArchiveError) -> Data {
        try check(offset, length)
        return Data(data[(data.startIndex + offset)..<(data.startIndex + offset + length)])
    }
}

private extension Data {
    mutating func appendLE16(_ v: UInt16) { append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
    mutating func appendLE32(_ v: UInt32) {
        append(contentsOf: [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)])
    }
}
