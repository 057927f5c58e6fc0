import EpisodeIO
import Foundation
import Heads
import WindowAlign
@testable import TaskContracts

/// A temporary folder removed at deinit.
final class TempFolder: Sendable {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("xp-suite-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

enum Fixture {
    /// A tiny synthetic episode loaded for the suite (annotation only, no media; the sensor
    /// features come from `EpisodeLoader.sensorFeatures`). With `fillMedia`, the video, depth
    /// and audio blocks get a deterministic function of the motion blocks so every task has
    /// data.
    static func episode(frames: Int = 400, seed: UInt64 = 7, variant: SyntheticVariant = .complete, fillMedia: Bool = true,
                        compactSchema: Bool = true, perStep: Int = 2, in folder: TempFolder) throws -> SuiteEpisode {
        let dir = folder.url.appendingPathComponent("ep-\(seed)-\(variant.rawValue)-\(frames)")
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("annotation.hdf5").path) {
            _ = try SyntheticEpisode.write(.tiny(seed: seed, frames: frames, variant: variant), to: dir)
        }
        var episode = try EpisodeLoader.load(folder: dir)
        if fillMedia { episode = filled(episode) }
        return compactSchema ? try compact(episode, perStep: perStep) : episode
    }

    /// Fills absent blocks with sin() of the motion columns, so visual targets carry signal.
    static func filled(_ e: SuiteEpisode) -> SuiteEpisode {
        var e = e
        let present = e.presentBlocks ?? []
        var storage = e.features.storage
        let d = e.features.cols
        let motion = e.schema.columnIndices(.motionB).filter { c in
            e.schema.blocks.contains { $0.columns.contains(c) && present.contains($0.name) }
        }
        guard !motion.isEmpty else { return e }
        for block in e.schema.blocks where !present.contains(block.name) {
            for r in 0..<e.features.rows {
                for (k, c) in block.columns.enumerated() {
                    let src = motion[(k * 7) % motion.count]
                    storage[r * d + c] = sin(storage[r * d + src] * 3 + Float(k % 5))
                }
            }
        }
        e.features = (try? Matrix(rows: e.features.rows, cols: d, storage: storage)) ?? e.features
        e.presentBlocks = nil
        return e
    }

    /// The same episode over a compact schema with the reference's 18 block names (so every
    /// named feature set still resolves) but at most 2 per-step dimensions (14 columns) or 8
    /// static values per block: plumbing tests then move small matrices and models.
    static func compact(_ e: SuiteEpisode, perStep: Int = 2) throws -> SuiteEpisode {
        // Per block, the source columns kept: for per-step blocks all 7 statistics of the
        // first `perStep` dimensions (so velocity features survive); for static blocks the
        // first 8 values.
        var kept: [[Int]] = []
        var layout: [(name: String, perStepDim: Int?, staticDim: Int)] = []
        for b in e.schema.blocks {
            if let d = b.perStepDim {
                let k = min(d, perStep)
                kept.append((0..<7).flatMap { s in (0..<k).map { b.start + s * d + $0 } })
                layout.append((b.name, k, 0))
            } else {
                let k = min(b.dim, 8)
                kept.append(Array(b.start..<(b.start + k)))
                layout.append((b.name, nil, k))
            }
        }
        let small = FeatureSchema(layout: layout)
        var storage = [Float](repeating: 0, count: e.features.rows * small.dimension)
        for r in 0..<e.features.rows {
            for (b, block) in small.blocks.enumerated() {
                for (k, c) in kept[b].enumerated() { storage[r * small.dimension + block.start + k] = e.features[r, c] }
            }
        }
        return try SuiteEpisode(name: e.name, session: e.session, windows: e.windows,
                                features: Matrix(rows: e.features.rows, cols: small.dimension, storage: storage),
                                schema: small, presentBlocks: e.presentBlocks, frames: e.frames)
    }

    /// Fast head settings for plumbing tests.
    static func quick(_ p: SuiteProtocol, seeds: [UInt64] = [7]) -> SuiteConfiguration {
        var c = SuiteConfiguration(protocol: p, seeds: seeds)
        c.headSettings.softmax.epochs = 20
        c.headSettings.multiLabel.epochs = 20
        c.headSettings.mlp.epochs = 3
        c.headSettings.mlp.hidden = 16
        c.headSettings.mlp.earlyStopping = nil
        return c
    }
}
