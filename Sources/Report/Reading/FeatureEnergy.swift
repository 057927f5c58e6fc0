import Foundation
import XPCore

/// Per-block feature energy over windows, as the explorer computes it (§3.5): per window
/// the block's L2 norm, divided by that block's largest norm over windows (floored at 1e-8),
/// so each block reads 0…1 over time.
public struct FeatureEnergy: Sendable {
    public var blocks: [String]
    /// `relative[b][w]`.
    public var relative: [[Double]]
    public var windows: Int

    /// Reads `features.npy` (float32, windows × dims) and `feature_manifest.json` (blocks
    /// `{name, start, end}`) from an xp-features folder; nil when either is absent.
    public static func read(features folder: URL, manifest: URL? = nil) throws(ReportError) -> FeatureEnergy? {
        let npy = folder.appendingPathComponent("features.npy")
        let manifestURL = manifest ?? folder.appendingPathComponent("feature_manifest.json")
        guard FileManager.default.fileExists(atPath: npy.path), let m = try readJSONFile(manifestURL) else { return nil }
        guard let data = try? Data(contentsOf: npy) else {
            throw .unreadable(path: npy.path, line: nil, expected: "a readable file", found: "an unreadable file")
        }
        let array = try StoredNPZ.npy([UInt8](data), path: npy.path)
        guard array.shape.count == 2 else {
            throw .unreadable(path: npy.path, line: nil, expected: "a 2-D windows × features array", found: "shape \(array.shape)")
        }
        let blocks: [(String, Int, Int)] = (m.arrayValue ?? []).compactMap { b in
            guard let n = b["name"]?.stringValue, let s = b["start"]?.lenientNumber, let e = b["end"]?.lenientNumber else { return nil }
            return (n, Int(s), Int(e))
        }
        return FeatureEnergy(values: array.values, rows: array.shape[0], cols: array.shape[1], blocks: blocks)
    }

    /// Energy of a row-major `rows × cols` matrix over `blocks` (columns `start..<end`;
    /// blocks outside the matrix are skipped).
    public init(values: [Double], rows: Int, cols: Int, blocks: [(name: String, start: Int, end: Int)]) {
        var names: [String] = [], relative: [[Double]] = []
        for b in blocks where b.start >= 0 && b.start < b.end && b.end <= cols && values.count >= rows * cols {
            var norms = [Double](repeating: 0, count: rows)
            for w in 0..<rows {
                var s = 0.0
                for c in b.start..<b.end {
                    let v = values[w * cols + c]
                    if v.isFinite { s += v * v }
                }
                norms[w] = s.squareRoot()
            }
            let top = max(norms.max() ?? 0, 1e-8)
            names.append(b.name)
            relative.append(norms.map { $0 / top })
        }
        self.blocks = names
        self.relative = relative
        self.windows = rows
    }
}
