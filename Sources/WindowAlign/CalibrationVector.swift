/// One value of the HDF5 `calibration/` group as the toolkit loads it.
public enum CalibrationValue: Sendable, Hashable {
    /// A numeric array or scalar, flattened in C order.
    case numbers([Double])
    /// A string attribute (skipped by the reference).
    case text(String)
    /// A nested group (skipped by the reference).
    case group
}

/// The static `calibration` block of the reference: for each camera id in sorted order and
/// each key in sorted order, the flattened numbers as Float32 with NaN → 0; strings and nested
/// groups are skipped. Sorting is by Unicode code points, like Python's `sorted` on `str`
/// (so `cam0 < cam01 < cam1` and upper case before lower case).
public func calibrationVector(_ calibration: [String: [String: CalibrationValue]]) -> [Float] {
    func pythonOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }
    var out: [Float] = []
    for camera in calibration.keys.sorted(by: pythonOrder) {
        guard let entries = calibration[camera] else { continue }
        for key in entries.keys.sorted(by: pythonOrder) {
            guard case .numbers(let values)? = entries[key] else { continue }
            // float32 cast first, then nan_to_num: NaN → 0, ±inf → ±greatest finite Float.
            out += values.map { v in
                let f = Float(v)
                if f.isNaN { return 0 }
                if f.isInfinite { return f > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude }
                return f
            }
        }
    }
    return out
}
