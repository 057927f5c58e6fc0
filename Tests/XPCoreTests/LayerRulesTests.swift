import Foundation
import Testing

/// DESIGN.md's layer table, checked on the sources: a file may import only what its target's
/// row allows (Foundation, Dispatch and the Swift modules aside). A new `import` that reaches
/// above its layer fails here before it reaches a reviewer.
@Suite("Layer rules")
struct LayerRulesTests {
    static let allowed: [String: Set<String>] = [
        "XPCore": [],
        "EpisodeIO": ["XPCore", "CHDF5", "CLibAV"],
        "WindowAlign": ["XPCore", "EpisodeIO"],
        "Heads": ["XPCore", "CBLAS"],
        "Metrics": ["XPCore"],
        "TaskContracts": ["XPCore", "WindowAlign", "Heads", "Metrics"],
        // Heads and Metrics directly (beyond DESIGN.md's row): the scoring runs and the baselines
        // use the metrics and heads themselves, not through a task (Docs/architecture.md).
        "Exporters": ["XPCore", "TaskContracts", "WindowAlign", "EpisodeIO", "Heads", "Metrics", "CZstd", "CZlib", "Crypto"],
        // Report and Pipeline know files and command lines, never episode types.
        "Report": ["XPCore"],
        "Pipeline": ["XPCore"],
    ]
    static let system: Set<String> = ["Foundation", "Dispatch", "Glibc", "Darwin", "Synchronization"]

    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
    }

    static func imports(of target: String) throws -> [(file: String, module: String)] {
        let root = sources.appendingPathComponent(target)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [(String, String)] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            let text = try String(contentsOf: url, encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").map(String.init)
                guard let i = words.firstIndex(where: { $0 == "import" }), i + 1 < words.count,
                      words[..<i].allSatisfy({ $0.hasPrefix("@") || ["public", "internal", "private", "fileprivate", "package"].contains($0) }) else { continue }
                found.append((url.lastPathComponent, words[i + 1]))
            }
        }
        return found
    }

    @Test("each layer imports only what DESIGN.md allows", arguments: allowed.keys.sorted())
    func layer(_ target: String) throws {
        let permitted = try #require(Self.allowed[target]).union(Self.system)
        let imports = try Self.imports(of: target)
        #expect(!imports.isEmpty || target == "Exporters", "no Swift file found under Sources/\(target)")
        for (file, module) in imports where !permitted.contains(module) {
            Issue.record("Sources/\(target)/…/\(file) imports \(module), which its layer may not")
        }
    }
}
