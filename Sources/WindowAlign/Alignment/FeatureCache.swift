import Foundation

/// Content fingerprints for cache keys. A cache entry is found by what its inputs contain,
/// never by a file name, so a renamed or copied episode reuses its caches and an edited one
/// does not.
///
/// Files up to `wholeFileLimit` bytes are hashed whole. Larger files are fingerprinted by
/// their size plus 64 blocks of 64 KiB at evenly spaced offsets (the first block at offset 0,
/// the last ending at the end of the file), about 4 MiB read per file whatever its size. An
/// edit that changes the size or touches a sampled block changes the key; an edit of the
/// same size that falls entirely between sampled blocks does not (use `force` after such an
/// in-place edit). All hashes are BLAKE2b with a 16-byte digest.
public enum ContentFingerprint {
    /// Files up to this size are hashed entirely.
    public static let wholeFileLimit = 8 << 20
    /// Sampled blocks for larger files.
    public static let sampledBlocks = 64
    /// Bytes per sampled block.
    public static let blockSize = 64 << 10

    /// The fingerprint (32 hex digits) of a file's content.
    public static func file(_ url: URL) throws(WindowAlignError) -> String {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw .io(path: url.path, reason: "cannot open for fingerprinting: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        do {
            let size = Int(try handle.seekToEnd())
            var bytes = Array("size=\(size);".utf8)
            if size <= wholeFileLimit {
                try handle.seek(toOffset: 0)
                bytes += [UInt8](try handle.read(upToCount: size) ?? Data())
            } else {
                let span = size - blockSize
                for i in 0..<sampledBlocks {
                    let offset = span * i / (sampledBlocks - 1)
                    try handle.seek(toOffset: UInt64(offset))
                    bytes += [UInt8](try handle.read(upToCount: blockSize) ?? Data())
                }
            }
            return hex(bytes)
        } catch {
            throw .io(path: url.path, reason: "cannot read for fingerprinting: \(error.localizedDescription)")
        }
    }

    /// The 16-byte BLAKE2b of `bytes` as 32 hex digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        BLAKE2b.hashUnchecked(bytes, digestLength: 16).map { String(format: "%02x", $0) }.joined()
    }

    /// A key from named parts (parameters and input fingerprints), order-sensitive.
    public static func key(_ parts: [String]) -> String {
        hex(Array(parts.joined(separator: "\u{1F}").utf8))
    }

    /// Bytes of a Float32 array (for fingerprinting dataset samples).
    static func bytes(_ values: [Float]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
    /// Bytes of an Int64 array.
    static func bytes(_ values: [Int64]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
    /// Bytes of a Double array.
    static func bytes(_ values: [Double]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
}

/// A folder of per-frame feature caches: `<kind>-<key>.npy` holds the Float32 matrix and
/// `<kind>-<key>.json` its metadata, written last, so an entry without its JSON is
/// incomplete and ignored. Keys come from `ContentFingerprint.key`.
public struct FeatureCacheStore: Sendable {
    /// Where the entries live.
    public let directory: URL
    /// Ignore existing entries (they are rebuilt and overwritten).
    public let force: Bool

    public init(directory: URL, force: Bool = false) {
        self.directory = directory
        self.force = force
    }

    func urls(kind: String, key: String) -> (npy: URL, json: URL) {
        (directory.appendingPathComponent("\(kind)-\(key).npy"), directory.appendingPathComponent("\(kind)-\(key).json"))
    }

    /// The cached matrix and metadata, or nil when absent, forced or unreadable.
    func load<Meta: Decodable>(kind: String, key: String, cols: Int, as: Meta.Type) -> (cache: PerFrameCache, meta: Meta)? {
        guard !force else { return nil }
        let (npy, json) = urls(kind: kind, key: key)
        guard let metaData = FileManager.default.contents(atPath: json.path),
              let meta = try? JSONDecoder().decode(Meta.self, from: metaData),
              let array = try? NumPyFile.read(from: npy),
              case .float32(let shape, let values) = array, shape.count == 2, shape[1] == cols,
              let cache = try? PerFrameCache(values: values, rows: shape[0], cols: cols)
        else { return nil }
        return (cache, meta)
    }

    /// Stores an entry (matrix first, metadata last; both atomically).
    func store<Meta: Encodable>(kind: String, key: String, cache: PerFrameCache, meta: Meta) throws(WindowAlignError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory.path, reason: "cannot create the cache folder: \(error.localizedDescription)")
        }
        let (npy, json) = urls(kind: kind, key: key)
        try NumPyFile.write(cache.values, shape: [cache.rows, cache.cols], to: npy)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do { data = try encoder.encode(meta) } catch {
            throw .io(path: json.path, reason: "cannot encode cache metadata: \(error)")
        }
        try atomicWrite(data, to: json)
    }
}
