import CHDF5
import Foundation

// libhdf5 1.10 (Debian 12) divides a dataset's dimensions by the chunk dimensions of its layout
// message without checking them: a corrupt file with a zero chunk dimension kills the process
// with SIGFPE as soon as the dataset is opened (found by the hdf5-episode fuzz target;
// Docs/fuzzing.md, finding 7). Before libhdf5 opens a dataset we therefore read its object
// header ourselves and refuse a layout message with a zero chunk dimension. Anything this
// small parser does not understand is left to libhdf5: it only ever refuses what it has read
// and found to be zero.

extension HDF5File {
    /// Why the dataset at `dataset` must not be opened (a zero chunk dimension), or nil.
    /// Call inside `withHDF5`.
    func unsafeChunkLayout(_ dataset: String) -> String? {
        var info = H5O_info_t()
        guard H5Oget_info_by_name2(fileID, dataset, &info, UInt32(H5O_INFO_BASIC), xp_H5P_DEFAULT()) >= 0,
              info.type == H5O_TYPE_DATASET else { return nil }
        let fcpl = H5Fget_create_plist(fileID)
        guard fcpl >= 0 else { return nil }
        defer { H5Pclose(fcpl) }
        var sizeofAddr = 0, sizeofSize = 0
        var userblock: hsize_t = 0
        guard H5Pget_sizes(fcpl, &sizeofAddr, &sizeofSize) >= 0, H5Pget_userblock(fcpl, &userblock) >= 0,
              [2, 4, 8].contains(sizeofAddr), [2, 4, 8].contains(sizeofSize), let file = RawFile(path: path) else { return nil }
        let header = ObjectHeaderReader(file: file, base: UInt64(userblock), sizeofAddr: sizeofAddr, sizeofSize: sizeofSize)
        for body in header.messages(ofType: 8, at: UInt64(info.addr)) {
            if let dims = Self.chunkDimensions(layout: body, sizeofAddr: sizeofAddr), dims.contains(0) {
                return "its layout message gives chunk dimensions \(dims), and a chunk dimension of 0 is impossible"
            }
        }
        return nil
    }

    /// The chunk dimensions of a data layout message body (versions 1 to 4), nil when the layout
    /// is not chunked or the body is not understood.
    static func chunkDimensions(layout b: RawBytes, sizeofAddr: Int) -> [UInt64]? {
        let n = b.bytes.count
        guard n >= 3 else { return nil }
        switch b.bytes[0] {
        case 1, 2:
            let d = Int(b.bytes[1])
            guard b.bytes[2] == 2, n >= 8 + sizeofAddr + 4 * d else { return nil }
            return (0..<d).map { b.littleEndian(at: 8 + sizeofAddr + 4 * $0, size: 4) }
        case 3:
            let d = Int(b.bytes[2])
            guard b.bytes[1] == 2, n >= 3 + sizeofAddr + 4 * d else { return nil }
            return (0..<d).map { b.littleEndian(at: 3 + sizeofAddr + 4 * $0, size: 4) }
        case 4:
            guard b.bytes[1] == 2, n >= 5 else { return nil }
            let d = Int(b.bytes[3]), width = Int(b.bytes[4])
            guard (1...8).contains(width), n >= 5 + width * d else { return nil }
            return (0..<d).map { b.littleEndian(at: 5 + width * $0, size: width) }
        default:
            return nil
        }
    }
}

/// Reads the messages of one object header (version 1 or 2, with its continuation blocks)
/// straight from the file, bounded in blocks and messages so a corrupt header cannot loop.
struct ObjectHeaderReader {
    let file: RawFile
    let base: UInt64
    let sizeofAddr: Int
    let sizeofSize: Int

    /// The bodies of every message of `type` in the header at `address`.
    func messages(ofType type: Int, at address: UInt64) -> [RawBytes] {
        guard let prefix = file.read(at: base &+ address, count: 16) else { return [] }
        var found: [RawBytes] = []
        var blocks: [(start: UInt64, length: UInt64, version: Int, continuation: Bool)] = []
        var trackOrder = false
        if prefix.bytes[0] == 1 {
            blocks.append((base &+ address &+ 16, prefix.littleEndian(at: 8, size: 4), 1, false))
        } else if prefix.bytes[0..<4] == [0x4F, 0x48, 0x44, 0x52][...], prefix.bytes[4] == 2 { // "OHDR"
            let flags = prefix.bytes[5]
            trackOrder = flags & 0x04 != 0
            var p = 6
            if flags & 0x20 != 0 { p += 16 }
            if flags & 0x10 != 0 { p += 4 }
            let width = 1 << Int(flags & 0x03)
            guard let head = file.read(at: base &+ address, count: p + width) else { return [] }
            blocks.append((base &+ address &+ UInt64(p + width), head.littleEndian(at: p, size: width), 2, false))
        } else {
            return []
        }
        var visited = 0
        while let block = blocks.first, visited < 64 {
            blocks.removeFirst()
            visited += 1
            guard block.length <= 1 << 24, let bytes = file.read(at: block.start, count: Int(block.length)) else { continue }
            // A version-2 continuation block is "OCHK", messages, then a 4-byte checksum.
            let v2Continuation = block.version == 2 && block.continuation
            var p = v2Continuation ? 4 : 0
            let end = v2Continuation ? max(0, bytes.bytes.count - 4) : bytes.bytes.count
            let headerSize = block.version == 1 ? 8 : (trackOrder ? 6 : 4)
            var count = 0
            while p + headerSize <= end, count < 4096 {
                count += 1
                let messageType: Int, size: Int
                if block.version == 1 {
                    messageType = Int(bytes.littleEndian(at: p, size: 2))
                    size = Int(bytes.littleEndian(at: p + 2, size: 2))
                } else {
                    messageType = Int(bytes.bytes[p])
                    size = Int(bytes.littleEndian(at: p + 1, size: 2))
                }
                let body = p + headerSize
                guard body + size <= end else { break }
                let content = RawBytes(bytes: Array(bytes.bytes[body..<(body + size)]))
                if messageType == type { found.append(content) }
                if messageType == 0x10, size >= sizeofAddr + sizeofSize {
                    let offset = content.littleEndian(at: 0, size: sizeofAddr)
                    let length = content.littleEndian(at: sizeofAddr, size: sizeofSize)
                    blocks.append((base &+ offset, length, block.version, true))
                }
                p = body + size
            }
        }
        return found
    }
}
