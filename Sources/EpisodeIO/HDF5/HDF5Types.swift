import CHDF5

/// The element type of an HDF5 dataset, in the vocabulary of the episode spec.
public enum HDF5DataType: Equatable, Hashable, Sendable, CustomStringConvertible {
    case float32, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    /// Fixed-length byte string (`|S14`, `|S18`): the length in bytes.
    case fixedString(Int)
    /// Variable-length string (h5py's `string_dtype`).
    case variableString
    /// Anything else (compound, enum, reference, ...), with HDF5's class name.
    case other(String)

    public var description: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .uint8: return "uint8"
        case .uint16: return "uint16"
        case .uint32: return "uint32"
        case .uint64: return "uint64"
        case .fixedString(let n): return "|S\(n)"
        case .variableString: return "vlen str"
        case .other(let s): return s
        }
    }

    /// True for the integer and floating-point cases.
    public var isNumeric: Bool {
        switch self {
        case .fixedString, .variableString, .other: return false
        default: return true
        }
    }
}

/// Shape, type and storage of one dataset.
public struct HDF5DatasetInfo: Equatable, Sendable {
    /// Absolute path inside the file, without the leading slash (`slam/quat_wxyz`).
    public var path: String
    public var type: HDF5DataType
    /// Dimensions; empty for a scalar.
    public var shape: [Int]
    /// Chunk dimensions when the layout is chunked.
    public var chunks: [Int]?
    /// True when the deflate (gzip) filter is applied.
    public var gzip: Bool

    /// Number of elements (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    /// `[8, 21, 3]`, or `()` for a scalar, like h5py prints it.
    public var shapeDescription: String { HDF5DatasetInfo.describe(shape: shape) }

    static func describe(shape: [Int]) -> String {
        shape.isEmpty ? "()" : "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}

/// Numeric element types that map to an HDF5 native memory type.
public protocol HDF5Numeric: Sendable {
    /// The HDF5 native memory type for this Swift type.
    static var hdf5MemoryType: hid_t { get }
    /// The HDF5 file type this project writes for this Swift type (little-endian IEEE/standard).
    static var hdf5FileType: hid_t { get }
    static var zero: Self { get }
}

extension Float: HDF5Numeric {
    public static var hdf5MemoryType: hid_t { xp_H5T_NATIVE_FLOAT() }
    public static var hdf5FileType: hid_t { xp_H5T_IEEE_F32LE() }
    public static var zero: Float { 0 }
}
extension Double: HDF5Numeric {
    public static var hdf5MemoryType: hid_t { xp_H5T_NATIVE_DOUBLE() }
    public static var hdf5FileType: hid_t { xp_H5T_IEEE_F64LE() }
    public static var zero: Double { 0 }
}
extension Int64: HDF5Numeric {
    public static var hdf5MemoryType: hid_t { xp_H5T_NATIVE_INT64() }
    public static var hdf5FileType: hid_t { xp_H5T_STD_I64LE() }
    public static var zero: Int64 { 0 }
}
extension UInt8: HDF5Numeric {
    public static var hdf5MemoryType: hid_t { xp_H5T_NATIVE_UINT8() }
    public static var hdf5FileType: hid_t { xp_H5T_STD_U8LE() }
    public static var zero: UInt8 { 0 }
}
