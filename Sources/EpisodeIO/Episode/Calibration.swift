/// One calibration value: an array with its shape, a number, or a string.
public enum CalibrationValue: Sendable, Equatable {
    case array([Double], shape: [Int])
    case number(Double)
    case string(String)
}

/// The `calibration/` group as the toolkit reads it: camera id → key → value.
public struct Calibration: Sendable, Equatable {
    /// Camera ids and their keys, each sorted (Python string order: `cam0 < cam01 < cam1`).
    public var cameras: [(camera: String, values: [(key: String, value: CalibrationValue)])]

    public static func == (a: Calibration, b: Calibration) -> Bool {
        a.cameras.count == b.cameras.count && zip(a.cameras, b.cameras).allSatisfy { x, y in
            x.camera == y.camera && x.values.map(\.key) == y.values.map(\.key) && x.values.map(\.value) == y.values.map(\.value)
        }
    }

    /// The value at `camera`/`key`.
    public subscript(camera: String, key: String) -> CalibrationValue? {
        cameras.first { $0.camera == camera }?.values.first { $0.key == key }?.value
    }

    /// A numeric array at `camera`/`key`.
    public func array(_ camera: String, _ key: String) -> [Double]? {
        if case .array(let v, _)? = self[camera, key] { return v }
        if case .number(let v)? = self[camera, key] { return [v] }
        return nil
    }

    /// The task suite's static calibration block: for each camera in sorted order and each key in
    /// sorted order (``Calibration/pythonOrder(_:_:)``), the numeric values flattened as float32
    /// with numpy's `nan_to_num` (NaN → 0, ±inf → ±the largest finite float32), strings skipped.
    /// 117 numbers for the release's key set (spec §2.2).
    public var canonicalVector: [Float] {
        func clean(_ v: Double) -> Float {
            let f = Float(v)
            if f.isNaN { return 0 }
            if f.isInfinite { return f > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude }
            return f
        }
        var out: [Float] = []
        for camera in cameras.sorted(by: { Self.pythonOrder($0.camera, $1.camera) }) {
            for (_, value) in camera.values.sorted(by: { Self.pythonOrder($0.key, $1.key) }) {
                switch value {
                case .array(let v, _): out.append(contentsOf: v.map(clean))
                case .number(let v): out.append(clean(v))
                case .string: continue
                }
            }
        }
        return out
    }

    /// Python's `sorted` order on `str`: by Unicode code points (`cam0 < cam01 < cam1`, upper
    /// case before lower case).
    public static func pythonOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
    }

    /// The length of ``canonicalVector`` in the release.
    public static let canonicalLength = 117
}
