import CHDF5Probe
import EpisodeIO
import FuzzSupport
import Foundation

// Target `hdf5-episode`: the bytes of an `annotation.hdf5`, written to a scratch file and opened
// as an episode. Seeds are small valid episodes (fuzz-seeds), so the mutations are corrupted
// episode files: wrong types, shapes, sizes, links and payloads.
//
// Every reader must return or throw an `EpisodeError`; the schema report and the quality pass
// never throw. After the run every HDF5 identifier the wrapper opened must be closed again (a
// leaked one keeps the file open inside libhdf5, and the next open of the same path would be
// served from the stale file).

nonisolated(unsafe) var scratch: ScratchFile?

@_cdecl("LLVMFuzzerInitialize")
public func hdf5EpisodeInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    scratch = ScratchFile(name: "annotation.hdf5")
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func hdf5EpisodeFuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let scratch else { return 0 }
    scratch.write(FuzzInput.bytes(data, size))
    exercise(path: scratch.path)
    let open = xp_probe_open_objects()
    fuzzRequire(open == 0, "\(open) HDF5 identifiers left open after the run")
    return 0
}

/// Everything a tool does with an episode file, each step on its own so that one failure does
/// not hide the rest.
func exercise(path: String) {
    _ = EpisodeQualityReport.check(path: path)
    guard let episode = try? Episode(path: path) else { return }
    let report = episode.schemaReport()
    fuzzRequire(report.entries.count == EpisodeSchema.entries.count, "schema report: \(report.entries.count) entries")
    let timeline = try? episode.timeline()
    for rules in CaptionRules.allCases {
        if let table = try? episode.captions(rules: rules, allowUnresolved: true), let timeline {
            fuzzRequire(table.frames.count == timeline.frameCount, "captions: \(table.frames.count) rows for \(timeline.frameCount) frames")
        }
    }
    _ = try? episode.calibration()
    _ = try? episode.metadata()
    _ = episode.groundHeight()
    _ = try? episode.imu()
    _ = try? episode.hands()
    _ = try? episode.body()
    _ = try? episode.cameraPoses()
    _ = try? episode.pointCloud()
    if let depth = try? episode.depthInfo(), depth.frames > 0 {
        _ = try? episode.depthFrames(0..<1, info: depth)
        if let reader = try? episode.depthReader() { _ = try? reader.read(0..<min(2, depth.frames)) }
    }
}
