import CHDF5

/// An open numeric dataset for repeated row-range reads (frame-by-frame streaming): the
/// dataset, its dataspace and its description are looked up once, not per read.
public final class HDF5Dataset: @unchecked Sendable {
    public let info: HDF5DatasetInfo
    let file: HDF5File
    let id: hid_t
    let fileSpace: hid_t
    let rowSize: Int

    init(file: HDF5File, path: String) throws(EpisodeError) {
        file.accessLog?.record("stream " + path)
        self.file = file
        let (id, info, space): (hid_t, HDF5DatasetInfo, hid_t) = try withHDF5 { () throws(EpisodeError) in
            let did = try file.openDataset(path)
            let info: HDF5DatasetInfo
            do throws(EpisodeError) { info = try file.describe(did, path) } catch { H5Dclose(did); throw error }
            return (did, info, H5Dget_space(did))
        }
        self.id = id
        self.info = info
        self.fileSpace = space
        rowSize = info.shape.dropFirst().reduce(1, *)
        guard info.type.isNumeric, !info.shape.isEmpty, space >= 0 else {
            throw .wrongShape(file: file.path, dataset: path, expected: "a numeric array", found: "\(info.type) \(info.shapeDescription)")
        }
    }

    deinit {
        withHDF5 {
            H5Sclose(fileSpace)
            H5Dclose(id)
        }
    }

    /// Number of rows (first dimension).
    public var rows: Int { info.shape[0] }

    /// Reads rows `rows` into `buffer`, resizing it only when its count differs.
    public func readRows<T: HDF5Numeric>(_ rows: Range<Int>, into buffer: inout [T]) throws(EpisodeError) {
        guard rows.lowerBound >= 0, rows.upperBound <= self.rows, !rows.isEmpty else {
            throw .outOfRange(file: file.path, dataset: info.path, requested: "\(rows.lowerBound)..<\(rows.upperBound)", available: self.rows)
        }
        let count = rows.count * rowSize
        if buffer.count != count {
            buffer = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        }
        var start = [hsize_t](repeating: 0, count: info.shape.count)
        start[0] = hsize_t(rows.lowerBound)
        var extent = info.shape.map { hsize_t($0) }
        extent[0] = hsize_t(rows.count)
        let status: herr_t = withHDF5 {
            guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, extent, nil) >= 0 else { return -1 }
            let memSpace = H5Screate_simple(Int32(extent.count), extent, nil)
            defer { H5Sclose(memSpace) }
            return buffer.withUnsafeMutableBytes {
                H5Dread(id, T.hdf5MemoryType, memSpace, fileSpace, xp_H5P_DEFAULT(), $0.baseAddress)
            }
        }
        guard status >= 0 else { throw .readFailed(file: file.path, dataset: info.path, reason: "H5Dread of rows \(rows) failed") }
    }
}

extension HDF5File {
    /// Opens a numeric dataset for repeated row reads.
    public func dataset(_ path: String) throws(EpisodeError) -> HDF5Dataset {
        try HDF5Dataset(file: self, path: path)
    }
}
