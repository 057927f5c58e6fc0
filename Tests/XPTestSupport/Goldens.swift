import Foundation

/// Typed readers of the golden files in `Fixtures/goldens/` (see its README for where each
/// came from). Each throws, naming the file, when it is missing or malformed.
public enum Goldens {
    /// `opencv-inter-area-sequences.json`: `cv2.resize(INTER_AREA)` on `(i·mul + add) mod 256`.
    public struct AreaSequences: Decodable, Sendable {
        public struct U8Case: Decodable, Sendable, CustomStringConvertible {
            public var width, height, channels, toWidth, toHeight, mul, add: Int
            public var expected: [UInt8]
            public var description: String { "\(width)×\(height)×\(channels) → \(toWidth)×\(toHeight)" }
            /// The input bytes: byte i is `(i·mul + add) mod 256`.
            public var input: [UInt8] { Goldens.sequence(width * height * channels, mul: mul, add: add) }
        }
        public struct F32Case: Decodable, Sendable, CustomStringConvertible {
            public var width, height, toWidth, toHeight: Int
            /// Float32 values written as Python floats (exact as Double, exact again as Float).
            public var expected: [Double]
            public var description: String { "\(width)×\(height) → \(toWidth)×\(toHeight)" }
            /// The input: bytes `(i·37 + 11) mod 256` divided by 8.
            public var input: [Float] { Goldens.sequence(width * height, mul: 37, add: 11).map { Float($0) / 8 } }
            public var expectedFloats: [Float] { expected.map { Float($0) } }
        }
        public var source: String
        public var u8: [U8Case]
        public var f32: [F32Case]
    }

    /// `opencv-inter-area-pattern.json`: `cv2.resize(INTER_AREA)` of a 13×11 pattern.
    public struct AreaPattern: Decodable, Sendable {
        public struct U8: Decodable, Sendable { public var toWidth, toHeight, channels: Int; public var expected: [UInt8] }
        public struct F32: Decodable, Sendable { public var toWidth, toHeight: Int; public var expectedBits: [String] }
        public var source: String
        public var width, height: Int
        public var u8: U8
        public var f32: F32

        /// The interleaved RGB input: `((37x + 11y) % 256, (5x² + 29y) % 256, (13xy + 7) % 256)`.
        public var rgb: [UInt8] {
            var out = [UInt8]()
            for y in 0..<height {
                for x in 0..<width {
                    out += [UInt8((x * 37 + y * 11) % 256), UInt8((x * x * 5 + y * 29) % 256), UInt8((x * y * 13 + 7) % 256)]
                }
            }
            return out
        }

        /// The single-channel input: `float32((0.37x + 0.11y²) mod 1.7)`, computed in Float64.
        public var floats: [Float] {
            var out = [Float]()
            for y in 0..<height {
                for x in 0..<width {
                    out.append(Float((Double(x) * 0.37 + Double(y * y) * 0.11).truncatingRemainder(dividingBy: 1.7)))
                }
            }
            return out
        }

        /// The Float32 bit patterns of `f32.expectedBits` ("0x3ef23724"); throws on a malformed entry.
        public func expectedFloatBits() throws -> [UInt32] {
            try f32.expectedBits.map { text in
                guard text.hasPrefix("0x"), let v = UInt32(text.dropFirst(2), radix: 16) else {
                    throw FixtureError.unreadable(path: "goldens/opencv-inter-area-pattern.json", detail: "expectedBits entry '\(text)' is not 0x<8 hex digits>")
                }
                return v
            }
        }
    }

    /// `blake2b.json`: digests of RFC 7693 and hashlib, and the spec's token table.
    public struct BLAKE2b: Decodable, Sendable {
        public struct Vector: Decodable, Sendable, CustomStringConvertible {
            public var utf8: String?
            public var byteRange: Int?
            public var digestLength: Int
            public var hex: String
            public var source: String
            public var message: [UInt8] { utf8.map { Array($0.utf8) } ?? (0..<(byteRange ?? 0)).map { UInt8($0) } }
            public var description: String { source }
        }
        public struct Token: Decodable, Sendable {
            public var token: String
            public var digest: String
            public var bucket: Int
            public var sign: Double
        }
        public var source: String
        public var vectors: [Vector]
        public var tokens: [Token]
    }

    /// `numpy-temporal-stats.json` and `numpy-audio-two-tone.json`: a vector and its tolerance.
    public struct Vector: Decodable, Sendable {
        public var source: String
        public var expected: [Double]
        public var relativeTolerance: Double?
        public var rows: Int?
        public var cols: Int?
    }

    public static func areaSequences() throws -> AreaSequences {
        try ProjectFixtures.decode(AreaSequences.self, from: "goldens/opencv-inter-area-sequences.json")
    }
    public static func areaPattern() throws -> AreaPattern {
        try ProjectFixtures.decode(AreaPattern.self, from: "goldens/opencv-inter-area-pattern.json")
    }
    public static func blake2b() throws -> BLAKE2b { try ProjectFixtures.decode(BLAKE2b.self, from: "goldens/blake2b.json") }
    public static func temporalStats() throws -> Vector { try ProjectFixtures.decode(Vector.self, from: "goldens/numpy-temporal-stats.json") }
    public static func audioTwoTone() throws -> Vector { try ProjectFixtures.decode(Vector.self, from: "goldens/numpy-audio-two-tone.json") }

    /// `(i·mul + add) mod 256` for i in 0..<n.
    public static func sequence(_ n: Int, mul: Int, add: Int) -> [UInt8] { (0..<n).map { UInt8((($0 * mul) + add) % 256) } }
}
