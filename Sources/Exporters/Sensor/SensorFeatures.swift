import Foundation
import WindowAlign
import XPCore

/// The per-episode sensor features of a Qwen export (§2.4): the reference's 18-block schema
/// without the six video blocks, 4,430 columns (hands, body, contacts, camera, IMU, depth,
/// audio, caption text, point cloud, calibration), one row per labelled window.
public enum SensorFeatures {
    /// The 12 blocks, re-based to start at column 0.
    public static let schema: FeatureSchema = {
        let kept = FeatureSchema.reference.blocks.filter { !$0.name.hasPrefix("video_") }
        return FeatureSchema(layout: kept.map { ($0.name, $0.perStepDim, $0.perStepDim == nil ? $0.dim : 0) })
    }()

    /// 4,430.
    public static var dimension: Int { schema.dimension }

    /// One episode's matrix and what it holds.
    public struct Matrix: Sendable {
        /// Rows × ``SensorFeatures/dimension`` values, row-major.
        public var values: [Float]
        public var rows: Int
        /// Per block: rows where the block is absent (no source) or entirely zero. A block that is
        /// zero on every row is not signal and the manifest says so.
        public var zeroRows: [String: Int]

        /// Blocks that are zero or absent on every row.
        public var allZeroBlocks: [String] {
            SensorFeatures.schema.blocks.map(\.name).filter { rows > 0 && (zeroRows[$0] ?? 0) == rows }
        }

        /// Blocks that are zero or absent on row `i`.
        public func zeroBlocks(row i: Int) -> [String] {
            let d = SensorFeatures.dimension
            return SensorFeatures.schema.blocks.filter { b in
                !values[(i * d + b.start)..<(i * d + b.end)].contains { $0 != 0 }
            }.map(\.name)
        }
    }

    /// The matrix of `windows` from an episode's caches (the timeline's one pass).
    public static func matrix(caches: EpisodeFeatureCaches, windows: [Window]) throws -> Matrix {
        let names = Set(schema.blocks.map(\.name))
        let assembler = try WindowFeatureAssembler(schema: schema, sources: caches.sources.filter { names.contains($0.key) })
        let built = assembler.matrix(windows: windows)
        var m = Matrix(values: built.values, rows: windows.count, zeroRows: [:])
        for b in schema.blocks { m.zeroRows[b.name] = 0 }
        for i in 0..<windows.count { for name in m.zeroBlocks(row: i) { m.zeroRows[name, default: 0] += 1 } }
        return m
    }

    /// The `feature_manifest` entries (`{name, start, end, dim}`).
    public static var manifestJSON: JSONValue {
        .array(schema.blocks.map { .object([("name", .string($0.name)), ("start", .int($0.start)), ("end", .int($0.end)), ("dim", .int($0.dim))]) })
    }
}
