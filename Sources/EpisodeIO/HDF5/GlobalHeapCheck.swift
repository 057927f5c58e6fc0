import CHDF5
import Foundation

// Variable-length strings live in the file's global heap. libhdf5 1.10 (Debian 12) trusts the
// heap's bytes: a corrupt object size in a heap collection makes its reader walk off the
// collection and crash the process (found by the hdf5-episode fuzz target; Docs/fuzzing.md).
// Later releases check these bounds. Before reading variable-length strings we therefore walk
// each collection they point into, exactly as libhdf5 will, and refuse the read when a step
// would leave the collection or when a string does not match its heap object.

extension HDF5File {
    /// Checks the global-heap references of the variable-length string dataset `did`
    /// (`count` elements) before libhdf5 follows them. Covers contiguous storage, which is how
    /// h5py and ``HDF5Writer`` store string datasets; other layouts are passed through.
    /// Call inside `withHDF5`.
    func checkGlobalHeapReferences(_ did: hid_t, count: Int, dataset: String) throws(EpisodeError) {
        let offset = H5Dget_offset(did)
        guard offset != haddr_t.max, count > 0 else { return } // not contiguous, or no storage yet
        let fcpl = H5Fget_create_plist(fileID)
        guard fcpl >= 0 else { return }
        defer { H5Pclose(fcpl) }
        var sizeofAddr = 0
        var sizeofSize = 0
        var userblock: hsize_t = 0
        guard H5Pget_sizes(fcpl, &sizeofAddr, &sizeofSize) >= 0, H5Pget_userblock(fcpl, &userblock) >= 0,
              [2, 4, 8].contains(sizeofAddr), [2, 4, 8].contains(sizeofSize) else { return }
        func corrupt(_ reason: String) -> EpisodeError {
            .readFailed(file: path, dataset: dataset, reason: "the file is corrupt: \(reason); it cannot be read safely. Re-download or re-export the episode")
        }
        guard let bytes = RawFile(path: path) else { throw corrupt("the file cannot be reopened to check its string heap") }
        let base = UInt64(userblock)
        // Each element: sequence length (4), collection address, object index (4).
        let idSize = 4 + sizeofAddr + 4
        let (total, overflow) = count.multipliedReportingOverflow(by: idSize)
        guard !overflow, let ids = bytes.read(at: base &+ UInt64(offset), count: total) else {
            throw corrupt("\(count) string references do not fit in the file")
        }
        var checked: [UInt64: GlobalHeapCollection] = [:]
        for i in 0..<count {
            let at = i * idSize
            let length = ids.littleEndian(at: at, size: 4)
            guard length > 0 else { continue } // empty or null: libhdf5 does not read the heap
            let address = ids.littleEndian(at: at + 4, size: sizeofAddr)
            let index = ids.littleEndian(at: at + 4 + sizeofAddr, size: 4)
            let collection: GlobalHeapCollection
            if let known = checked[address] { collection = known } else {
                do { collection = try GlobalHeapCollection(file: bytes, at: base &+ address, sizeofSize: sizeofSize) } catch {
                    throw corrupt("string \(i) points to a global heap collection at \(address) that is \(error.reason)")
                }
                checked[address] = collection
            }
            guard let size = collection.objectSizes[index] else {
                throw corrupt("string \(i) names heap object \(index), which the collection at \(address) does not hold")
            }
            guard size == length else {
                throw corrupt("string \(i) has \(length) bytes but its heap object holds \(size)")
            }
        }
    }
}

/// One global heap collection, walked as libhdf5's `H5HG__cache_heap_deserialize` walks it.
struct GlobalHeapCollection {
    struct Invalid: Error { var reason: String }
    /// Object index → stored size.
    var objectSizes: [UInt64: UInt64] = [:]

    init(file: RawFile, at address: UInt64, sizeofSize: Int) throws(Invalid) {
        let headerSize = 8 + sizeofSize // "GCOL", version, 3 reserved, collection size
        guard let header = file.read(at: address, count: headerSize) else { throw Invalid(reason: "past the end of the file") }
        guard header.bytes.prefix(4).elementsEqual("GCOL".utf8), header.bytes[4] == 1 else {
            throw Invalid(reason: "not a collection (no GCOL version 1 signature)")
        }
        let size = header.littleEndian(at: 8, size: sizeofSize)
        guard size >= UInt64(headerSize), size <= 1 << 32, let chunk = file.read(at: address, count: Int(size)) else {
            throw Invalid(reason: "\(size) bytes long, which the file cannot hold")
        }
        let objectHeader = 8 + sizeofSize // index (2), references (2), reserved (4), size
        var p = headerSize
        let end = Int(size)
        while p < end {
            // libhdf5 takes a tail too small for an object header as free space.
            if p + objectHeader > end { break }
            let index = chunk.littleEndian(at: p, size: 2)
            let objectSize = chunk.littleEndian(at: p + 8, size: sizeofSize)
            // Index 0 is the free space, whose size includes its header; others are padded to 8.
            let (padded, overflow) = objectSize.addingReportingOverflow(7)
            guard !overflow else { throw Invalid(reason: "holding an object of \(objectSize) bytes") }
            let need = index == 0 ? objectSize : UInt64(objectHeader) + padded / 8 * 8
            guard need >= UInt64(objectHeader), need <= UInt64(end - p) else {
                throw Invalid(reason: "holding an object of \(objectSize) bytes at offset \(p) that runs past its end (\(end) bytes)")
            }
            if index > 0 { objectSizes[index] = objectSize }
            p += Int(need)
        }
    }
}

/// Bytes read straight from a file, for the checks libhdf5 does not make.
final class RawFile {
    let descriptor: Int32
    let size: UInt64

    init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0 else { close(fd); return nil }
        descriptor = fd
        size = UInt64(info.st_size)
    }

    deinit { close(descriptor) }

    /// `count` bytes at `offset`, or nil when they are not all in the file.
    func read(at offset: UInt64, count: Int) -> RawBytes? {
        guard count >= 0, offset <= size, UInt64(count) <= size - offset else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let start = buffer.baseAddress else { return -1 }
                return pread(descriptor, start + done, count - done, off_t(offset) + off_t(done))
            }
            guard n > 0 else { return nil }
            done += n
        }
        return RawBytes(bytes: bytes)
    }
}

struct RawBytes {
    var bytes: [UInt8]

    /// The little-endian unsigned integer of `size` bytes at `at` (HDF5 stores integers so).
    func littleEndian(at: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in (0..<size).reversed() { value = value << 8 | UInt64(bytes[at + k]) }
        return value
    }
}
