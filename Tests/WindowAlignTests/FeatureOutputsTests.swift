import EpisodeIO
import Foundation
import Testing
@testable import WindowAlign

@Suite("Feature outputs folder")
struct FeatureOutputsTests {
    /// A 300-frame episode without media (absent blocks are zero-filled), built once.
    static let result: Result<EpisodeFeatureResult, any Error> = {
        do {
            let folder = TinyEpisodes.root.appendingPathComponent("outputs-no-media")
            try SyntheticEpisode.write(.tiny(seed: 7, frames: TinyEpisodes.frames), to: folder)
            return .success(try EpisodeFeatures.build(episode: Episode(path: folder.path), options: .init(featureProtocol: .reference)))
        } catch {
            return .failure(error)
        }
    }()

    func entries(_ url: URL) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted() }

    @Test func folderIsWrittenWholeReplacedWholeAndForeignFilesAreRefused() throws {
        let result = try Self.result.get()
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("xp-feature-outputs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("features")
        try result.write(to: out)
        #expect(entries(out) == EpisodeFeatureResult.outputFiles.sorted())
        #expect(entries(parent) == ["features"])  // no staging folder left beside it
        let manifest = try Data(contentsOf: out.appendingPathComponent("feature_manifest.json"))

        // Rewriting replaces the folder (same bytes, nothing extra).
        try result.write(to: out)
        #expect(entries(parent) == ["features"])
        #expect(try Data(contentsOf: out.appendingPathComponent("feature_manifest.json")) == manifest)

        // A folder holding other files is not replaced (that would delete them).
        let mixed = parent.appendingPathComponent("mixed")
        try FileManager.default.createDirectory(at: mixed, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: mixed.appendingPathComponent("notes.txt"))
        #expect(throws: WindowAlignError.self) { try result.write(to: mixed) }
        #expect(entries(mixed) == ["notes.txt"])
        #expect(entries(parent) == ["features", "mixed"])
    }
}
