import Foundation

/// What libFuzzer hands a target: `size` bytes at `data` (nil when `size` is 0).
public enum FuzzInput {
    /// The input as bytes.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: size > 0 ? data : nil, count: size > 0 ? size : 0)
    }

    /// The input as text, invalid UTF-8 replaced: the readers see a `String` decoded the same
    /// way from an HDF5 string dataset.
    public static func text(_ data: UnsafePointer<UInt8>?, _ size: Int) -> String {
        String(decoding: bytes(data, size), as: UTF8.self)
    }
}

/// An invariant of the code under test. A violation stops the run with the message, which
/// libFuzzer reports as a crash and saves the input for.
@inline(__always)
public func fuzzRequire(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("fuzz invariant violated: " + message(), file: file, line: line) }
}
