import Foundation

/// Row values of every numeric per-frame dataset: NaN/Inf rows, all-zero rows beyond the
/// modality's normal share, zero-length quaternions, negative depth; and calibration numbers.
/// Each dataset is read once, a block of rows at a time.
extension QualityPass {
    /// How all-zero rows of a dataset are judged.
    enum ZeroRule {
        /// Zeros are how the release stores "not detected" (hands) or a legitimate value.
        case normal
        /// More than this share of zero rows is a warning.
        case share(Double)
        /// A zero row is a zero-length quaternion.
        case quaternion
    }

    static func zeroRule(_ path: String, share: Double) -> ZeroRule {
        if path.hasPrefix("hand_mocap/") || path.hasSuffix("contacts") || path.hasSuffix("betas") || path == "slam/trans_xyz" { return .normal }
        if path == "slam/quat_wxyz" { return .quaternion }
        if path == "imu/accel_xyz" { return .share(0) } // gravity never reads exactly zero
        return .share(share)
    }

    /// The per-row datasets whose values are scanned, in file order.
    static var scannedDatasets: [String] {
        EpisodeSchema.entries.filter { entry in
            guard case .type(let type) = entry.element, type == .float32 || type == .float64 else { return false }
            guard case .symbol(let s)? = entry.shape.first else { return false }
            return s == "N" || s == "M" || s == "P"
        }.map(\.path)
    }

    func checkValues() {
        for path in Self.scannedDatasets {
            guard let info = scannable(path) else { continue }
            if let limit = options.maxScanBytes {
                let bytes = info.shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue } * (info.type == .float32 ? 4 : 8)
                if bytes > limit {
                    checked.append("\(path) (shape only: \(bytes) bytes of values not scanned, over the \(limit)-byte limit)")
                    continue
                }
            }
            let modality = modality(of: path)
            var scan = RowScan()
            do {
                let reader = try episode.file.dataset(path)
                let width = max(1, info.shape.dropFirst().reduce(1, *))
                let negatives = path == "depth/depth"
                // float32 datasets stay float32 in memory (depth is 1.5 GB of them); the rest as double.
                if info.type == .float32 {
                    try scanBlocks(reader, as: Float.self, width: width, negatives: negatives, into: &scan, label: path)
                } else {
                    try scanBlocks(reader, as: Double.self, width: width, negatives: negatives, into: &scan, label: path)
                }
            } catch {
                add(.unreadableDataset, .error, dataset: path, modality: modality, expected: "a readable dataset", found: error.description,
                    action: "The dataset opens but its data cannot be read (a damaged chunk); the modality is left out. Download the episode again.")
                continue
            }
            checked.append(path)
            report(scan, path: path, modality: modality)
        }
    }

    /// Scans every row of `reader`, a block of about 2 Mi values at a time.
    func scanBlocks<T: HDF5Numeric & BinaryFloatingPoint>(_ reader: HDF5Dataset, as: T.Type, width: Int, negatives: Bool,
                                                          into scan: inout RowScan, label: String) throws(EpisodeError) {
        let rows = reader.rows
        let block = max(1, min(rows, (1 << 21) / width))
        var buffer: [T] = []
        var start = 0
        while start < rows {
            let range = start..<min(rows, start + block)
            try reader.readRows(range, into: &buffer)
            scan.scan(buffer, width: width, firstRow: start, negatives: negatives)
            start = range.upperBound
            options.progress?("values \(label)", start, rows)
        }
    }

    func report(_ scan: RowScan, path: String, modality: Modality?) {
        let total = scan.rows
        let unit = path == "slam/point_cloud" ? "points" : (path.hasPrefix("imu/") ? "IMU samples" : "frames")
        if !scan.nonFiniteRows.isEmpty {
            add(.nonFiniteRows, .warning, dataset: path, modality: modality, rows: scan.nonFiniteRows, totalRows: total, unit: unit,
                expected: "finite numbers", found: "NaN or Inf",
                action: "Those \(unit) are masked as invalid (never counted as detections or used as values).")
        }
        switch Self.zeroRule(path, share: options.zeroRowShare) {
        case .normal: break
        case .quaternion:
            if !scan.zeroRows.isEmpty {
                add(.badQuaternion, .warning, dataset: path, modality: modality, rows: scan.zeroRows, totalRows: total, unit: unit,
                    expected: "unit quaternions (w, x, y, z)", found: "all-zero quaternions",
                    action: "Those camera poses are masked as invalid.")
            }
        case .share(let share):
            if !scan.zeroRows.isEmpty, Double(scan.zeroRows.count) > share * Double(total) {
                add(.zeroRows, .warning, dataset: path, modality: modality, rows: scan.zeroRows, totalRows: total, unit: unit,
                    expected: share == 0 ? "no all-zero rows" : "at most \(Int((share * 100).rounded()))% all-zero rows",
                    found: "all zero",
                    action: "The stream was probably not recorded for those \(unit); features built from it carry no signal there.")
            }
        }
        if !scan.negativeRows.isEmpty {
            add(.outOfRange, .warning, dataset: path, modality: modality, rows: scan.negativeRows, totalRows: total, unit: unit,
                expected: "depth ≥ 0 m (0 = invalid)", found: "negative values",
                action: "Negative depths are treated as invalid pixels.")
        }
    }

    func checkCalibration() {
        for (path, info) in datasets.sorted(by: { $0.key < $1.key }) where path.hasPrefix("calibration/") && info.type.isNumeric {
            guard let values: [Double] = try? episode.file.read(path) else {
                add(.unreadableDataset, .error, dataset: path, modality: .calibration, expected: "a readable dataset", found: "the read failed",
                    action: "Download the episode again.")
                continue
            }
            let name = (path as NSString).lastPathComponent
            var problem: String?
            if !values.allSatisfy(\.isFinite) {
                problem = "NaN or Inf"
            } else if name == "K", values.count == 4, !(values[0] > 0 && values[1] > 0) {
                problem = "focal lengths \(values[0]), \(values[1])"
            } else if name.hasPrefix("T_"), values.count == 16, values[12...15] != [0, 0, 0, 1] {
                problem = "last row \(Array(values[12...15]))"
            }
            if let problem {
                add(.badCalibration, .warning, dataset: path, modality: .calibration,
                    expected: name == "K" ? "finite intrinsics with positive focal lengths" : (name.hasPrefix("T_") ? "a finite rigid 4×4 transform" : "finite numbers"),
                    found: problem, action: "Projections and camera poses that use it are wrong; the calibration block is unreliable.")
            }
        }
        checked.append("calibration")
    }
}
