import EpisodeIO
import Foundation
import TaskContracts
import Testing
import XPTestSupport

/// Several episodes are named by their `<session>__<epN>` key in every suite output (the
/// summary's episode list, the leakage audit), so two sessions' `ep1` never read alike.
@Suite("Episode keys name the suite's episodes")
struct EpisodeKeyNamingTests {
    @Test("Four episodes of two sessions load as <session>__<epN>, distinct, with the parent as session")
    func keysAcrossSessions() throws {
        let root = try SyntheticDatasets.make(count: 4, frames: 120, seed: 21, label: "naming")
        let folders = SyntheticDataset.layout(count: 4, seed: 21).map { root.appendingPathComponent($0.relativePath) }
        let loaded = try EpisodeInput.load(folders.map { EpisodeInput(episode: $0) }, protocol: .strict,
                                            cache: FileManager.default.temporaryDirectory.appendingPathComponent("xp-naming-cache"),
                                            sensorsOnly: true, progress: { _ in })
        let names = loaded.map(\.name)
        #expect(Set(names).count == 4, "\(names)")
        for (e, folder) in zip(loaded, folders) {
            #expect(e.name == "\(folder.deletingLastPathComponent().lastPathComponent)__\(folder.lastPathComponent)")
            #expect(e.session == folder.deletingLastPathComponent().lastPathComponent)
        }
        // Two sessions, each with ep1.
        #expect(names.filter { $0.hasSuffix("__ep1") }.count == 2)
        // A session given explicitly keeps the key form with that session.
        let given = try EpisodeInput.load([EpisodeInput(episode: folders[0], session: "S-A"), EpisodeInput(episode: folders[3], session: "S-B")],
                                           protocol: .strict, cache: FileManager.default.temporaryDirectory.appendingPathComponent("xp-naming-cache"),
                                           sensorsOnly: true, progress: { _ in })
        #expect(given.map(\.name) == ["S-A__ep1", "S-B__ep1"])
    }
}
