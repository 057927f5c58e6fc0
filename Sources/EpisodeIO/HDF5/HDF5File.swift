import CHDF5
import Foundation

/// The serial HDF5 library is not thread-safe; every call into it goes through this lock.
/// It is recursive so that a public method may call another.
let hdf5Lock = NSRecursiveLock()

@inline(__always)
func withHDF5<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
    hdf5Lock.lock()
    defer { hdf5Lock.unlock() }
    return try body()
}

/// Closes an HDF5 identifier when it goes out of scope.
struct HDF5Handle: ~Copyable {
    let id: hid_t
    private let close: (hid_t) -> herr_t
    init(_ id: hid_t, close: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.close = close
    }
    deinit { _ = close(id) }
}

/// A read-only HDF5 file: walk groups, inspect datasets, read whole datasets or row ranges.
///
/// Reads handle contiguous and chunked (gzip) storage alike; HDF5 decompresses transparently.
/// Every failure is an ``EpisodeError`` naming the file and the dataset.
public final class HDF5File: @unchecked Sendable {
    /// The file's path, as given.
    public let path: String
    let fileID: hid_t
    /// The file's size when opened: the bound on what a dataspace can claim (see `dimensions`).
    let fileBytes: UInt64
    /// Where reads are recorded (see ``EpisodeAccessLog``); nil records nothing.
    public var accessLog: EpisodeAccessLog?

    /// Opens `path` read-only.
    /// - Throws: ``EpisodeError/fileNotFound(file:)``, ``EpisodeError/notAFile(file:)`` (a
    ///   folder), ``EpisodeError/emptyFile(file:)`` (0 bytes), ``EpisodeError/gitLFSPointer(file:)``
    ///   (the LFS object was never fetched), ``EpisodeError/notHDF5(file:)`` (any other file
    ///   without the HDF5 signature) or ``EpisodeError/unreadable(file:reason:)``.
    public init(path: String) throws(EpisodeError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(file: path)
        }
        guard !isDirectory.boolValue else { throw .notAFile(file: path) }
        let id: hid_t = withHDF5 {
            xp_H5_silence_errors()
            let signature = H5Fis_hdf5(path)
            if signature <= 0 { return -2 }
            return H5Fopen(path, xp_H5F_ACC_RDONLY(), xp_H5P_DEFAULT())
        }
        if id == -2 { throw Self.whyNotHDF5(path) }
        guard id >= 0 else { throw .unreadable(file: path, reason: "H5Fopen failed") }
        fileID = id
        fileBytes = UInt64((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)??.uint64Value ?? 0)
    }

    /// The first line of every Git LFS pointer file.
    static let lfsPointerPrefix = "version https://git-lfs.github.com/spec/v1"

    /// Why a file without the HDF5 signature is not one: empty, a Git LFS pointer, or other.
    static func whyNotHDF5(_ path: String) -> EpisodeError {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .notHDF5(file: path) }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: lfsPointerPrefix.utf8.count)) ?? Data()
        if head.isEmpty, (try? handle.seekToEnd()) == 0 { return .emptyFile(file: path) }
        if head.elementsEqual(lfsPointerPrefix.utf8) { return .gitLFSPointer(file: path) }
        return .notHDF5(file: path)
    }

    deinit { withHDF5 { _ = H5Fclose(fileID) } }

    // MARK: Structure

    /// True when `path` names an existing link (group or dataset). Checks each component, as
    /// `H5Lexists` requires.
    public func exists(_ path: String) -> Bool {
        withHDF5 {
            var prefix = ""
            for component in path.split(separator: "/") {
                prefix += (prefix.isEmpty ? "" : "/") + component
                if H5Lexists(fileID, prefix, xp_H5P_DEFAULT()) <= 0 { return false }
            }
            return !prefix.isEmpty
        }
    }

    /// The kind of object at `path`.
    public enum ObjectKind: Sendable, Equatable { case group, dataset, other, missing }

    /// What `path` is. The root is `""`.
    public func kind(of path: String) -> ObjectKind {
        withHDF5 {
            if !path.isEmpty && !exists(path) { return .missing }
            // From the object header's info, without opening the object: opening a dataset
            // makes libhdf5 decode its layout (see unsafeChunkLayout).
            var info = H5O_info_t()
            guard H5Oget_info_by_name2(fileID, path.isEmpty ? "/" : path, &info, UInt32(H5O_INFO_BASIC), xp_H5P_DEFAULT()) >= 0 else { return .missing }
            switch info.type {
            case H5O_TYPE_GROUP: return .group
            case H5O_TYPE_DATASET: return .dataset
            default: return .other
            }
        }
    }

    /// Names of the direct children of a group, in name order.
    public func children(of group: String) throws(EpisodeError) -> [String] {
        try withHDF5 { () throws(EpisodeError) -> [String] in
            guard kind(of: group) == .group else { throw .missingGroup(file: path, group: group) }
            let gid = H5Gopen2(fileID, group.isEmpty ? "/" : group, xp_H5P_DEFAULT())
            guard gid >= 0 else { throw .missingGroup(file: path, group: group) }
            defer { H5Gclose(gid) }
            var info = H5G_info_t()
            guard H5Gget_info(gid, &info) >= 0 else {
                throw .unreadable(file: path, reason: "cannot list group '\(group)'")
            }
            var names: [String] = []
            for i in 0..<info.nlinks {
                let size = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, xp_H5P_DEFAULT())
                guard size >= 0 else { throw .unreadable(file: path, reason: "link \(i) of group '\(group.isEmpty ? "/" : group)' cannot be read") }
                var buffer = [CChar](repeating: 0, count: Int(size) + 1)
                H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, Int(size) + 1, xp_H5P_DEFAULT())
                names.append(String(decoding: buffer.prefix(Int(size)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return names
        }
    }

    /// Every dataset in the file, depth first in name order, with its info. Objects that cannot
    /// be inspected are skipped (the schema report names what is missing; ``walk()`` says
    /// what could not be inspected).
    public func allDatasets() -> [HDF5DatasetInfo] { walk().datasets }

    /// The whole object tree: every dataset with its info, and every group or object that
    /// could not be listed or inspected, with the reason (a corrupt group table shows here,
    /// not as absent datasets).
    ///
    /// Each group is entered once, however many links reach it: HDF5 allows hard links to an
    /// ancestor group, and following such a cycle by path would recurse without end.
    public func walk() -> (datasets: [HDF5DatasetInfo], failures: [(path: String, reason: String)]) {
        var result: [HDF5DatasetInfo] = []
        var failures: [(path: String, reason: String)] = []
        var entered = Set<haddr_t>()
        func visit(_ group: String) {
            guard let address = objectAddress(group) else {
                failures.append((group.isEmpty ? "/" : group, "the group's object header cannot be read"))
                return
            }
            guard entered.insert(address).inserted else { return }
            let names: [String]
            do { names = try children(of: group) } catch {
                failures.append((group.isEmpty ? "/" : group, error.description))
                return
            }
            for name in names {
                let child = group.isEmpty ? name : group + "/" + name
                switch kind(of: child) {
                case .group: visit(child)
                case .dataset:
                    do { result.append(try info(child)) } catch { failures.append((child, error.description)) }
                case .missing: failures.append((child, "listed in its group but cannot be opened"))
                case .other: break
                }
            }
        }
        visit("")
        return (result, failures)
    }

    /// The address of the object header at `path` (the root is `""`): one object, one address,
    /// whichever of its links the path follows. Nil when it cannot be opened.
    func objectAddress(_ path: String) -> haddr_t? {
        withHDF5 {
            // From the header's info, without opening the object (see unsafeChunkLayout).
            var info = H5O_info_t()
            guard H5Oget_info_by_name2(fileID, path.isEmpty ? "/" : path, &info, UInt32(H5O_INFO_BASIC), xp_H5P_DEFAULT()) >= 0 else { return nil }
            return info.addr
        }
    }

    // MARK: Dataset info

    /// Type, shape and storage of the dataset at `dataset`.
    public func info(_ dataset: String) throws(EpisodeError) -> HDF5DatasetInfo {
        try withHDF5 { () throws(EpisodeError) -> HDF5DatasetInfo in
            let did = try openDataset(dataset)
            defer { H5Dclose(did) }
            return try describe(did, dataset)
        }
    }

    func openDataset(_ dataset: String) throws(EpisodeError) -> hid_t {
        guard kind(of: dataset) == .dataset else { throw .missingDataset(file: path, dataset: dataset) }
        if let reason = unsafeChunkLayout(dataset) {
            throw .readFailed(file: path, dataset: dataset, reason: "the file is corrupt: \(reason); it cannot be opened safely. Re-download or re-export the episode")
        }
        let did = H5Dopen2(fileID, dataset, xp_H5P_DEFAULT())
        guard did >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "H5Dopen failed") }
        return did
    }

    func describe(_ did: hid_t, _ dataset: String) throws(EpisodeError) -> HDF5DatasetInfo {
        let tid = H5Dget_type(did)
        guard tid >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "no datatype") }
        defer { H5Tclose(tid) }
        let type = Self.dataType(of: tid)
        let shape = try dimensions(did, dataset)
        var chunks: [Int]? = nil
        var gzip = false
        let plist = H5Dget_create_plist(did)
        if plist >= 0 {
            defer { H5Pclose(plist) }
            if H5Pget_layout(plist) == H5D_CHUNKED {
                var dims = [hsize_t](repeating: 0, count: max(shape.count, 1))
                let rank = H5Pget_chunk(plist, Int32(dims.count), &dims)
                if rank > 0 { chunks = dims.prefix(Int(rank)).map { Int($0) } }
            }
            let filterCount = H5Pget_nfilters(plist)
            if filterCount > 0 {
                for i in 0..<UInt32(filterCount) {
                    var flags: UInt32 = 0
                    var elements = 0
                    var config: UInt32 = 0
                    var name = [CChar](repeating: 0, count: 64)
                    let filter = H5Pget_filter2(plist, i, &flags, &elements, nil, 64, &name, &config)
                    if filter == H5Z_FILTER_DEFLATE { gzip = true }
                }
            }
        }
        return HDF5DatasetInfo(path: dataset, type: type, shape: shape, chunks: chunks, gzip: gzip)
    }

    func dimensions(_ did: hid_t, _ dataset: String) throws(EpisodeError) -> [Int] {
        let space = H5Dget_space(did)
        guard space >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "no dataspace") }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "bad dataspace") }
        if rank == 0 { return [] }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        H5Sget_simple_extent_dims(space, &dims, nil)
        // A corrupt dataspace can claim more elements than any file holds; reading it would
        // ask for an allocation that kills the process (found by the hdf5-episode fuzz
        // target). The bound: 8 bytes an element, at most the deflate ceiling (~1,032:1) times
        // the file's size, plus 64 MiB for datasets never written (read as fill values).
        var elements: UInt64 = 1
        for d in dims {
            let (product, overflow) = elements.multipliedReportingOverflow(by: UInt64(d))
            guard !overflow else { elements = .max; break }
            elements = product
        }
        let limit = fileBytes.multipliedReportingOverflow(by: 1100).partialValue / 8 + (64 << 20) / 8
        guard elements <= limit, dims.allSatisfy({ $0 <= hsize_t(Int.max) }) else {
            throw .readFailed(file: path, dataset: dataset, reason: "the file is corrupt: its dataspace claims \(dims.map(String.init).joined(separator: " × ")) elements, more than a \(fileBytes)-byte file can hold. Re-download or re-export the episode")
        }
        return dims.map { Int($0) }
    }

    static func dataType(of tid: hid_t) -> HDF5DataType {
        let size = H5Tget_size(tid)
        switch H5Tget_class(tid) {
        case H5T_FLOAT:
            if size == 4 { return .float32 }
            if size == 8 { return .float64 }
            return .other("float\(size * 8)")
        case H5T_INTEGER:
            let signed = H5Tget_sign(tid) == H5T_SGN_2
            switch (size, signed) {
            case (1, true): return .int8
            case (2, true): return .int16
            case (4, true): return .int32
            case (8, true): return .int64
            case (1, false): return .uint8
            case (2, false): return .uint16
            case (4, false): return .uint32
            case (8, false): return .uint64
            default: return .other("int\(size * 8)")
            }
        case H5T_STRING:
            if H5Tis_variable_str(tid) > 0 { return .variableString }
            return .fixedString(size)
        case H5T_COMPOUND: return .other("compound")
        case H5T_ENUM: return .other("enum")
        case H5T_REFERENCE: return .other("reference")
        case H5T_OPAQUE: return .other("opaque")
        case H5T_ARRAY: return .other("array")
        case H5T_VLEN: return .other("vlen")
        default: return .other("unknown")
        }
    }

    // MARK: Numeric reads

    /// Reads the whole dataset (any numeric file type; HDF5 converts to `T`).
    /// - Throws: ``EpisodeError/wrongType(file:dataset:expected:found:)`` when the dataset is not
    ///   numeric.
    public func read<T: HDF5Numeric>(_ dataset: String, as: T.Type = T.self) throws(EpisodeError) -> [T] {
        accessLog?.record("read " + dataset)
        return try withHDF5 { () throws(EpisodeError) -> [T] in
            let did = try openDataset(dataset)
            defer { H5Dclose(did) }
            let info = try describe(did, dataset)
            guard info.type.isNumeric else {
                throw .wrongType(file: path, dataset: dataset, expected: "a numeric type", found: info.type.description)
            }
            var values = [T](repeating: T.zero, count: info.elementCount)
            if values.isEmpty { return values }
            let status = values.withUnsafeMutableBytes {
                H5Dread(did, T.hdf5MemoryType, xp_H5S_ALL(), xp_H5S_ALL(), xp_H5P_DEFAULT(), $0.baseAddress)
            }
            guard status >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "H5Dread failed") }
            return values
        }
    }

    /// Reads rows `rows` along the first dimension (a hyperslab): `rows.count × (product of the
    /// other dimensions)` values in C order. Only those rows are read from disk.
    public func readRows<T: HDF5Numeric>(_ dataset: String, rows: Range<Int>, as: T.Type = T.self) throws(EpisodeError) -> [T] {
        accessLog?.record("read rows " + dataset)
        return try withHDF5 { () throws(EpisodeError) -> [T] in
            let did = try openDataset(dataset)
            defer { H5Dclose(did) }
            let info = try describe(did, dataset)
            guard info.type.isNumeric else {
                throw .wrongType(file: path, dataset: dataset, expected: "a numeric type", found: info.type.description)
            }
            guard let first = info.shape.first else {
                throw .wrongShape(file: path, dataset: dataset, expected: "at least one dimension", found: "()")
            }
            guard rows.lowerBound >= 0, rows.upperBound <= first else {
                throw .outOfRange(file: path, dataset: dataset, requested: "\(rows.lowerBound)..<\(rows.upperBound)", available: first)
            }
            let rowSize = info.shape.dropFirst().reduce(1, *)
            var values = [T](repeating: T.zero, count: rows.count * rowSize)
            if values.isEmpty { return values }
            var start = [hsize_t](repeating: 0, count: info.shape.count)
            start[0] = hsize_t(rows.lowerBound)
            var count = info.shape.map { hsize_t($0) }
            count[0] = hsize_t(rows.count)
            let fileSpace = H5Dget_space(did)
            guard fileSpace >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "no dataspace") }
            defer { H5Sclose(fileSpace) }
            guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil) >= 0 else {
                throw .readFailed(file: path, dataset: dataset, reason: "hyperslab selection failed")
            }
            let memSpace = H5Screate_simple(Int32(count.count), count, nil)
            guard memSpace >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "memory dataspace failed") }
            defer { H5Sclose(memSpace) }
            let status = values.withUnsafeMutableBytes {
                H5Dread(did, T.hdf5MemoryType, memSpace, fileSpace, xp_H5P_DEFAULT(), $0.baseAddress)
            }
            guard status >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "H5Dread failed") }
            return values
        }
    }

    /// Reads a numeric scalar (or a one-element dataset) as `Double`.
    public func readScalar(_ dataset: String) throws(EpisodeError) -> Double {
        let values: [Double] = try read(dataset)
        guard values.count == 1, let value = values.first else {
            let shape = (try? info(dataset).shapeDescription) ?? "?"
            throw .wrongShape(file: path, dataset: dataset, expected: "() (a scalar)", found: shape)
        }
        return value
    }

    // MARK: String reads

    /// Reads a string dataset of any shape: fixed-length (NUL padding stripped) or
    /// variable-length. Bytes are decoded as UTF-8, invalid sequences replaced (as the
    /// toolkit's `errors="replace"`); ``readStringBytes(_:)`` gives the bytes themselves.
    public func readStrings(_ dataset: String) throws(EpisodeError) -> [String] {
        try readStringBytes(dataset).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The raw bytes of every string of a string dataset (fixed-length: up to the first NUL),
    /// for checks that must see invalid UTF-8 rather than its replacement.
    public func readStringBytes(_ dataset: String) throws(EpisodeError) -> [[UInt8]] {
        accessLog?.record("read " + dataset)
        return try withHDF5 { () throws(EpisodeError) -> [[UInt8]] in
            let did = try openDataset(dataset)
            defer { H5Dclose(did) }
            let info = try describe(did, dataset)
            let count = info.elementCount
            if count == 0 { return [] }
            let fileType = H5Dget_type(did)
            defer { H5Tclose(fileType) }
            let memType = H5Tcopy(xp_H5T_C_S1())
            defer { H5Tclose(memType) }
            H5Tset_cset(memType, H5Tget_cset(fileType))
            switch info.type {
            case .fixedString(let length):
                H5Tset_size(memType, length)
                H5Tset_strpad(memType, H5T_STR_NULLPAD)
                var bytes = [UInt8](repeating: 0, count: count * length)
                let status = bytes.withUnsafeMutableBytes {
                    H5Dread(did, memType, xp_H5S_ALL(), xp_H5S_ALL(), xp_H5P_DEFAULT(), $0.baseAddress)
                }
                guard status >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "H5Dread failed") }
                return (0..<count).map { i in Array(bytes[(i * length)..<((i + 1) * length)].prefix { $0 != 0 }) }
            case .variableString:
                try checkGlobalHeapReferences(did, count: count, dataset: dataset)
                H5Tset_size(memType, xp_H5T_VARIABLE())
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                let status = pointers.withUnsafeMutableBytes {
                    H5Dread(did, memType, xp_H5S_ALL(), xp_H5S_ALL(), xp_H5P_DEFAULT(), $0.baseAddress)
                }
                guard status >= 0 else { throw .readFailed(file: path, dataset: dataset, reason: "H5Dread failed") }
                let strings = pointers.map { pointer -> [UInt8] in
                    guard let pointer else { return [] }
                    let length = strlen(pointer)
                    return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
                }
                for pointer in pointers { if let pointer { H5free_memory(pointer) } }
                return strings
            default:
                throw .wrongType(file: path, dataset: dataset, expected: "a string (fixed or variable length)", found: info.type.description)
            }
        }
    }

    /// Reads a scalar string dataset.
    public func readString(_ dataset: String) throws(EpisodeError) -> String {
        let strings = try readStrings(dataset)
        guard strings.count == 1, let value = strings.first else {
            let shape = (try? info(dataset).shapeDescription) ?? "?"
            throw .wrongShape(file: path, dataset: dataset, expected: "() (a scalar string)", found: shape)
        }
        return value
    }
}
