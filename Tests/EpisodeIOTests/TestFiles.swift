import Foundation
@testable import EpisodeIO

/// A fresh temporary folder per test, removed by the caller with `cleanup()`.
struct TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("xp-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Writes a small HDF5 file with whatever `body` adds and returns its path.
func writeHDF5(_ folder: TemporaryFolder, _ name: String = "annotation.hdf5", _ body: (HDF5Writer) throws -> Void) throws -> String {
    let path = folder.path(name)
    let writer = try HDF5Writer(path: path)
    try body(writer)
    try writer.finish()
    return path
}

/// A caption with one segment over frames named 1000.jpg … 1003.jpg.
func captionJSON(segments: String) -> String {
    #"{"config": {"Main Task": "Test task"}, "segments": \#(segments)}"#
}
