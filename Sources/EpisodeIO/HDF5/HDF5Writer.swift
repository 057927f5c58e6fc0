import CHDF5
import Foundation
import XPCore

/// Writes an HDF5 file with the dtypes the episode spec uses: float32/float64/int64/uint8
/// arrays (contiguous, or chunked with gzip), fixed-length byte strings and variable-length
/// UTF-8 string scalars.
///
/// The file is written under a temporary name beside the destination and committed by
/// ``finish()`` (`fsync`, then `rename(2)` over any existing file, via XPCore's `AtomicFile`), so a failed run never leaves a half-written `annotation.hdf5`. Object
/// modification times are not recorded, so the same content gives byte-identical files.
public final class HDF5Writer: @unchecked Sendable {
    /// The final destination.
    public let path: String
    let temporaryPath: String
    var fileID: hid_t
    var finished = false

    /// Storage of one dataset.
    public enum Storage: Sendable, Equatable {
        case contiguous
        /// Chunked along the given chunk shape, deflate level 0-9.
        case chunkedGzip(chunks: [Int], level: Int)
    }

    /// Creates the file (any existing file at `path` is replaced only on ``finish()``).
    public init(path: String) throws(EpisodeError) {
        self.path = path
        let temporary = AtomicFile.temporarySibling(of: URL(fileURLWithPath: path)).path
        temporaryPath = temporary
        let id: hid_t = withHDF5 {
            xp_H5_silence_errors()
            return H5Fcreate(temporary, xp_H5F_ACC_TRUNC(), xp_H5P_DEFAULT(), xp_H5P_DEFAULT())
        }
        guard id >= 0 else { throw .writeFailed(file: path, dataset: "/", reason: "cannot create the file") }
        fileID = id
    }

    deinit {
        if !finished {
            withHDF5 { _ = H5Fclose(fileID) }
            try? FileManager.default.removeItem(atPath: temporaryPath)
        }
    }

    /// Closes the file and moves it to ``path``.
    public func finish() throws(EpisodeError) {
        guard !finished else { return }
        finished = true
        let status = withHDF5 { H5Fclose(fileID) }
        guard status >= 0 else {
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw .writeFailed(file: path, dataset: "/", reason: "closing the file failed")
        }
        do {
            try AtomicFile.commit(URL(fileURLWithPath: temporaryPath), to: URL(fileURLWithPath: path))
        } catch {
            throw .writeFailed(file: path, dataset: "/", reason: "moving into place failed: \(error.reason)")
        }
    }

    // MARK: Creation helpers

    /// Creates every missing group on the way to `dataset`'s parent.
    func ensureParents(of dataset: String) throws(EpisodeError) {
        var prefix = ""
        for component in dataset.split(separator: "/").dropLast() {
            prefix += (prefix.isEmpty ? "" : "/") + component
            if H5Lexists(fileID, prefix, xp_H5P_DEFAULT()) > 0 { continue }
            let gcpl = H5Pcreate(xp_H5P_GROUP_CREATE())
            defer { H5Pclose(gcpl) }
            H5Pset_obj_track_times(gcpl, false)
            let gid = H5Gcreate2(fileID, prefix, xp_H5P_DEFAULT(), gcpl, xp_H5P_DEFAULT())
            guard gid >= 0 else { throw .writeFailed(file: path, dataset: prefix, reason: "cannot create group") }
            H5Gclose(gid)
        }
    }

    func creationList(shape: [Int], storage: Storage, dataset: String) throws(EpisodeError) -> hid_t {
        let dcpl = H5Pcreate(xp_H5P_DATASET_CREATE())
        H5Pset_obj_track_times(dcpl, false)
        if case .chunkedGzip(let chunks, let level) = storage, !shape.isEmpty {
            guard chunks.count == shape.count, chunks.allSatisfy({ $0 > 0 }) else {
                H5Pclose(dcpl)
                throw .writeFailed(file: path, dataset: dataset, reason: "chunk shape \(chunks) does not fit dataset shape \(shape)")
            }
            let dims = zip(chunks, shape).map { hsize_t(max(1, min($0, $1))) }
            H5Pset_chunk(dcpl, Int32(dims.count), dims)
            H5Pset_deflate(dcpl, UInt32(max(0, min(9, level))))
        }
        return dcpl
    }

    func dataspace(_ shape: [Int]) -> hid_t {
        if shape.isEmpty { return H5Screate(H5S_SCALAR) }
        let dims = shape.map { hsize_t($0) }
        return H5Screate_simple(Int32(dims.count), dims, nil)
    }

    // MARK: Writes

    /// Writes a numeric array of `shape` (empty shape = scalar) in C order.
    public func write<T: HDF5Numeric>(_ dataset: String, _ values: [T], shape: [Int], storage: Storage = .contiguous) throws(EpisodeError) {
        guard values.count == shape.reduce(1, *) else {
            throw .writeFailed(file: path, dataset: dataset, reason: "\(values.count) values for shape \(shape)")
        }
        try withHDF5 { () throws(EpisodeError) in
            let did = try createDataset(dataset, type: T.hdf5FileType, shape: shape, storage: storage)
            defer { H5Dclose(did) }
            if values.isEmpty { return }
            let status = values.withUnsafeBytes {
                H5Dwrite(did, T.hdf5MemoryType, xp_H5S_ALL(), xp_H5S_ALL(), xp_H5P_DEFAULT(), $0.baseAddress)
            }
            guard status >= 0 else { throw .writeFailed(file: path, dataset: dataset, reason: "H5Dwrite failed") }
        }
    }

    /// Writes a numeric scalar.
    public func writeScalar<T: HDF5Numeric>(_ dataset: String, _ value: T) throws(EpisodeError) {
        try write(dataset, [value], shape: [])
    }

    /// Writes fixed-length byte strings (`|S<length>`), NUL-padded, one per row.
    public func writeFixedStrings(_ dataset: String, _ strings: [String], length: Int, storage: Storage = .contiguous) throws(EpisodeError) {
        var bytes = [UInt8](repeating: 0, count: strings.count * length)
        for (i, string) in strings.enumerated() {
            let utf8 = Array(string.utf8)
            guard utf8.count <= length else {
                throw .writeFailed(file: path, dataset: dataset, reason: "string '\(string)' is longer than \(length) bytes")
            }
            bytes.replaceSubrange((i * length)..<(i * length + utf8.count), with: utf8)
        }
        try withHDF5 { () throws(EpisodeError) in
            let type = H5Tcopy(xp_H5T_C_S1())
            defer { H5Tclose(type) }
            H5Tset_size(type, length)
            H5Tset_strpad(type, H5T_STR_NULLPAD)
            let did = try createDataset(dataset, type: type, shape: [strings.count], storage: storage)
            defer { H5Dclose(did) }
            if strings.isEmpty { return }
            let status = bytes.withUnsafeBytes {
                H5Dwrite(did, type, xp_H5S_ALL(), xp_H5S_ALL(), xp_H5P_DEFAULT(), $0.baseAddress)
            }
            guard status >= 0 else { throw .writeFailed(file: path, dataset: dataset, reason: "H5Dwrite failed") }
        }
    }

    /// Writes a variable-length UTF-8 string scalar (h5py's `string_dtype('utf-8')`).
    public func writeString(_ dataset: String, _ value: String) throws(EpisodeError) {
        try withHDF5 { () throws(EpisodeError) in
            let type = H5Tcopy(xp_H5T_C_S1())
            defer { H5Tclose(type) }
            H5Tset_size(type, xp_H5T_VARIABLE())
            H5Tset_cset(type, H5T_CSET_UTF8)
            let did = try createDataset(dataset, type: type, shape: [], storage: .contiguous)
            defer { H5Dclose(did) }
            let status: herr_t = value.withCString { cString in
                var pointer: UnsafePointer<CChar>? = cString
                return withUnsafeMutablePointer(to: &pointer) {
                    H5Dwrite(did, type, xp_H5S_ALL(), xp_H5S_ALL(), xp_H5P_DEFAULT(), $0)
                }
            }
            guard status >= 0 else { throw .writeFailed(file: path, dataset: dataset, reason: "H5Dwrite failed") }
        }
    }

    /// Creates a numeric dataset of `shape` to be filled row block by row block with
    /// ``writeRows(_:_:rows:)``, so that large arrays (depth) never sit whole in memory.
    public func create<T: HDF5Numeric>(_ dataset: String, of: T.Type, shape: [Int], storage: Storage = .contiguous) throws(EpisodeError) {
        try withHDF5 { () throws(EpisodeError) in
            _ = H5Dclose(try createDataset(dataset, type: T.hdf5FileType, shape: shape, storage: storage))
        }
    }

    /// Creates `dataset` (and its parent groups) with a file type, shape and storage; the caller
    /// closes the returned identifier. Call inside `withHDF5`.
    func createDataset(_ dataset: String, type: hid_t, shape: [Int], storage: Storage) throws(EpisodeError) -> hid_t {
        try ensureParents(of: dataset)
        let space = dataspace(shape)
        defer { H5Sclose(space) }
        let dcpl = try creationList(shape: shape, storage: storage, dataset: dataset)
        defer { H5Pclose(dcpl) }
        let did = H5Dcreate2(fileID, dataset, type, space, xp_H5P_DEFAULT(), dcpl, xp_H5P_DEFAULT())
        guard did >= 0 else { throw .writeFailed(file: path, dataset: dataset, reason: "cannot create dataset") }
        return did
    }

    /// Writes rows `rows` (first dimension) of a dataset made by ``create(_:of:shape:storage:)``.
    public func writeRows<T: HDF5Numeric>(_ dataset: String, _ values: [T], rows: Range<Int>) throws(EpisodeError) {
        try withHDF5 { () throws(EpisodeError) in
            let did = H5Dopen2(fileID, dataset, xp_H5P_DEFAULT())
            guard did >= 0 else { throw .writeFailed(file: path, dataset: dataset, reason: "dataset not created") }
            defer { H5Dclose(did) }
            let fileSpace = H5Dget_space(did)
            defer { H5Sclose(fileSpace) }
            let rank = Int(H5Sget_simple_extent_ndims(fileSpace))
            var dims = [hsize_t](repeating: 0, count: max(rank, 1))
            H5Sget_simple_extent_dims(fileSpace, &dims, nil)
            guard rank >= 1, rows.lowerBound >= 0, rows.upperBound <= Int(dims[0]) else {
                throw .writeFailed(file: path, dataset: dataset, reason: "rows \(rows) outside \(dims.first ?? 0) rows")
            }
            var count = dims
            count[0] = hsize_t(rows.count)
            guard values.count == count.reduce(1, { $0 * Int($1) }) else {
                throw .writeFailed(file: path, dataset: dataset, reason: "\(values.count) values for \(rows.count) rows")
            }
            if values.isEmpty { return }
            var start = [hsize_t](repeating: 0, count: rank)
            start[0] = hsize_t(rows.lowerBound)
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil)
            let memSpace = H5Screate_simple(Int32(rank), count, nil)
            defer { H5Sclose(memSpace) }
            let status = values.withUnsafeBytes {
                H5Dwrite(did, T.hdf5MemoryType, memSpace, fileSpace, xp_H5P_DEFAULT(), $0.baseAddress)
            }
            guard status >= 0 else { throw .writeFailed(file: path, dataset: dataset, reason: "H5Dwrite failed") }
        }
    }

    /// Gives the existing object at `target` a second name, `link` (a hard link; parents of
    /// `link` are created). A link to an ancestor group makes a cycle, which HDF5 allows.
    public func hardLink(_ target: String, at link: String) throws(EpisodeError) {
        try withHDF5 { () throws(EpisodeError) in
            try ensureParents(of: link)
            guard H5Lcreate_hard(fileID, target, fileID, link, xp_H5P_DEFAULT(), xp_H5P_DEFAULT()) >= 0 else {
                throw .writeFailed(file: path, dataset: link, reason: "cannot link it to '\(target)'")
            }
        }
    }

    /// Creates an empty group (and its parents).
    public func createGroup(_ group: String) throws(EpisodeError) {
        try withHDF5 { () throws(EpisodeError) in try ensureParents(of: group + "/x") }
    }
}
