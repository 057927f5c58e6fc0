import EpisodeIO
import Foundation
import FuzzSupport
import XPCore

// `fuzz-seeds`: writes the generated seed corpora, then exits.
//
//   XP_FUZZ_SEEDS_OUT=DIR [XP_SHARED_FIXTURES=DIR] fuzz-seeds
//
// DIR/caption-parser, DIR/caption-resolver and DIR/hdf5-episode receive small valid inputs:
// synthetic episodes (any machine) and, when the shared fixtures are there, the real 8-frame
// trim's caption and timeline. The hand-written seeds in Fuzz/Seeds are added by the script.
//
// This is a libFuzzer binary like the targets (the fuzz build links libFuzzer's `main` into
// every executable), so the work happens in LLVMFuzzerInitialize, before any fuzzing.

@_cdecl("LLVMFuzzerInitialize")
public func seedWriterInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    let environment = ProcessInfo.processInfo.environment
    guard let out = environment["XP_FUZZ_SEEDS_OUT"], !out.isEmpty else {
        FileHandle.standardError.write(Data("fuzz-seeds: set XP_FUZZ_SEEDS_OUT to the folder to write the corpora into\n".utf8))
        exit(2)
    }
    do {
        let written = try SeedWriter(root: URL(fileURLWithPath: out), shared: environment["XP_SHARED_FIXTURES"]).writeAll()
        FileHandle.standardError.write(Data("fuzz-seeds: \(written)\n".utf8))
        _exit(0) // no atexit work: LeakSanitizer would report the live locals of this frame
    } catch {
        FileHandle.standardError.write(Data("fuzz-seeds: \(error)\n".utf8))
        exit(1)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func seedWriterUnused(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { 0 }

struct SeedWriter {
    let root: URL
    let shared: String?

    /// Synthetic captions: (frames, caption grid, seed). One to several segments, integer and
    /// string timestamp references.
    static let captionEpisodes: [(frames: Int, grid: Int, seed: UInt64)] = [(8, 2, 1), (48, 2, 2), (100, 4, 3), (400, 8, 7)]

    /// Seed episodes for the HDF5 target: 8 frames, 4×4 depth, 16 points, no MP4s; the
    /// variants the reader handles differently.
    static let hdf5Episodes: [(name: String, variant: SyntheticVariant, gzip: Bool)] = [
        ("complete", .complete, false), ("complete-gzip", .complete, true), ("no-slam-body", .noSlamBody, false),
        ("no-caption", .noCaption, false), ("invalid-ends", .invalidEnds, false),
    ]

    func writeAll() throws -> String {
        let parser = root.appendingPathComponent("caption-parser")
        let resolver = root.appendingPathComponent("caption-resolver")
        let hdf5 = root.appendingPathComponent("hdf5-episode")
        for folder in [parser, resolver, hdf5] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let scratch = root.appendingPathComponent(".episodes")
        defer { try? FileManager.default.removeItem(at: scratch) }

        var counts = (parser: 0, resolver: 0, hdf5: 0)
        for (frames, grid, seed) in Self.captionEpisodes {
            var config = SyntheticEpisodeConfig.tiny(seed: seed, frames: frames, variant: .complete)
            config.grid = grid
            shrink(&config)
            let folder = scratch.appendingPathComponent("caption-\(frames)")
            let episode = try SyntheticEpisode.write(config, to: folder)
            guard let caption = episode.caption else { continue }
            let names = try Episode(path: folder.path).timeline().frameNames
            let tag = "synthetic-\(frames)f-seed\(seed)"
            try write(Array(caption.pythonJSON().utf8), to: parser, tag + ".json")
            try write(Array(caption.pythonJSON(indent: 2).utf8), to: parser, tag + "-indented.json")
            try write(ResolverInput.encode(names: names, json: caption.pythonJSON()), to: resolver, tag + ".bin")
            // The no-SLAM fallback names: the references cannot match them by name.
            let fallback = (0..<frames).map { String(format: "frame_%06d.jpg", $0) }
            try write(ResolverInput.encode(names: fallback, json: caption.pythonJSON()), to: resolver, tag + "-fallback-names.bin")
            counts.parser += 2
            counts.resolver += 2
        }
        for (name, variant, gzip) in Self.hdf5Episodes {
            var config = SyntheticEpisodeConfig.tiny(seed: 7, frames: 8, variant: variant)
            config.grid = 2
            config.gzip = gzip
            shrink(&config)
            let folder = scratch.appendingPathComponent("hdf5-" + name)
            let episode = try SyntheticEpisode.write(config, to: folder)
            try FileManager.default.copyItem(atPath: episode.annotationPath, toPath: hdf5.appendingPathComponent(name + ".hdf5").path)
            counts.hdf5 += 1
        }
        var note = ""
        if let trim = realTrim() {
            let episode = try Episode(path: trim.appendingPathComponent("real-sample-trim8/annotation.hdf5").path)
            let caption = try episode.file.readStrings("caption").joined()
            let names = try episode.timeline().frameNames
            try write(Array(caption.utf8), to: parser, "real-trim8.json")
            try write(ResolverInput.encode(names: names, json: caption), to: resolver, "real-trim8.bin")
            counts.parser += 1
            counts.resolver += 1
            // Every 40th name of the full sample timeline (the caption's sampling grid): the
            // trim's caption then resolves across the whole episode.
            let timelinePath = trim.appendingPathComponent("real-sample-trim8/sample_frame_names.txt").path
            if let full = try? Episode.readTimeline(path: timelinePath) {
                let sampled = stride(from: 0, to: full.count, by: 40).map { full[$0] }
                try write(ResolverInput.encode(names: sampled, json: caption), to: resolver, "real-sample-every40.bin")
                counts.resolver += 1
            }
        } else {
            note = " (no shared fixtures: real-trim seeds left out)"
        }
        return "\(counts.parser) caption-parser, \(counts.resolver) caption-resolver, \(counts.hdf5) hdf5-episode seeds in \(root.path)\(note)"
    }

    /// The smallest arrays the writer accepts: the fuzzer mutates every byte of the file, so a
    /// small file is a fast and thorough one.
    func shrink(_ config: inout SyntheticEpisodeConfig) {
        config.depthSize = 4
        config.pointCount = 16
        config.stereoSize = (16, 16)
        config.fisheyeSize = (16, 16)
    }

    /// The shared fixtures folder when it holds the real trim.
    func realTrim() -> URL? {
        guard let shared, !shared.isEmpty else { return nil }
        let url = URL(fileURLWithPath: shared)
        let file = url.appendingPathComponent("real-sample-trim8/annotation.hdf5").path
        return FileManager.default.fileExists(atPath: file) ? url : nil
    }

    func write(_ bytes: [UInt8], to folder: URL, _ name: String) throws {
        try Data(bytes).write(to: folder.appendingPathComponent(name))
    }
}
