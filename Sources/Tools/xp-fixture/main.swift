import ArgumentParser
import EpisodeIO
import Foundation
import ToolSupport
import XPCore

/// `xp-fixture`: write synthetic Xperience-10M episodes in the exact on-disk schema.
struct XPFixture: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-fixture",
        abstract: "Write synthetic episodes with the exact Xperience-10M schema and known ground truth.",
        discussion: """
            Writes OUT/<session-uuid>/ep<k>/annotation.hdf5 (all 65 datasets) and the six MP4s, \
            and prints each episode folder on stdout. The scripted activity (making pour-over \
            coffee) drives every signal, so models that learn beat chance on it.

            Sizes: tiny (1,200 frames, small images; seconds) and sample (5,821 frames with the \
            release's shapes: depth 256x256, stereo 512x512, fisheye 1088x1280).

            Variants: \(SyntheticVariant.allCases.map(\.rawValue).joined(separator: ", ")).

            Examples:
              xp-fixture --size tiny --out fixtures
              xp-fixture --size sample --seed 7 --out fixtures
              xp-fixture --size tiny --variant no-slam-body --out fixtures
              xp-fixture --size tiny --dataset 12 --out dataset
            """
    )

    @Option(help: "tiny or sample.")
    var size: String = "tiny"

    @Option(parsing: .unconditional, help: "Number of annotation frames, in \(Bounds.text(Limits.frames)) (default: 1200 for tiny, 5821 for sample).")
    var frames: Int?

    @Option(parsing: .unconditional, help: "Seed (a non-negative integer); the same seed writes byte-identical annotation files.")
    var seed: UInt64 = 7

    @Option(help: "Output folder.")
    var out: String

    @Option(help: "Degraded variant to write.")
    var variant: String = "complete"

    @Option(parsing: .unconditional, help: "Write this many episodes over several sessions instead of one, in \(Bounds.text(Limits.dataset)).")
    var dataset: Int?

    @Flag(help: "Store per-frame arrays gzip-chunked (like the published trim) instead of contiguous.")
    var gzip = false

    @Flag(help: "Replace episodes that already exist.")
    var overwrite = false

    /// The allowed values of the numeric options (checked in `validate()`).
    enum Limits {
        /// Annotation frames: fewer leave too few caption segments; 50,000 is more than eight
        /// sample episodes (5,821 frames each).
        static let frames = 100...50_000
        /// Episodes of a synthetic dataset.
        static let dataset = 1...1_000
    }

    func validate() throws {
        guard SyntheticEpisodeConfig.Size(rawValue: size) != nil else { throw ValidationError("--size must be tiny or sample") }
        guard SyntheticVariant(rawValue: variant) != nil else {
            throw ValidationError("--variant must be one of: \(SyntheticVariant.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try Bounds.check(frames, "--frames", in: Limits.frames)
        try Bounds.check(dataset, "--dataset", in: Limits.dataset)
    }

    func run() throws {
        let size = SyntheticEpisodeConfig.Size(rawValue: size) ?? .tiny
        let variant = SyntheticVariant(rawValue: variant) ?? .complete
        let items = SyntheticDataset.layout(count: dataset ?? 1, seed: seed)
        let root = URL(fileURLWithPath: out)
        try Tool.prepareOutputFolder(root, option: "--out")
        let progress = Progress("xp-fixture", total: items.count)
        for (k, item) in items.enumerated() {
            let folder = root.appendingPathComponent(item.relativePath)
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("annotation.hdf5").path) {
                guard overwrite else {
                    Tool.note("error: \(folder.path) already holds an episode; pass --overwrite to replace it")
                    throw ExitCode(1)
                }
            }
            var config = SyntheticEpisodeConfig.preset(size, seed: dataset == nil ? seed : item.seed, frames: frames, variant: variant)
            config.gzip = gzip
            let start = Date()
            // The episode folder appears whole (replacing an old one only then), so an
            // interrupted run never leaves a half-written episode that looks complete.
            try AtomicFolder.write(to: folder) { staging in
                try SyntheticEpisode.write(config, to: staging, media: SyntheticMedia.writer)
            }
            Tool.note(String(format: "wrote %@ (%d frames, %@) in %.1f s", folder.path, config.frames, variant.rawValue, Date().timeIntervalSince(start)))
            print(folder.path)
            progress.update(k + 1)
        }
    }
}

Tool.main(XPFixture.self)
