import Foundation

/// Locates `../shared/fixtures` (relative to the package root), or the folder named by
/// `XP_SHARED_FIXTURES`. Tests that need it skip with a message when it is absent.
public enum SharedFixtures {
    public static var root: URL {
        if let override = ProcessInfo.processInfo.environment["XP_SHARED_FIXTURES"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        // This file is Tests/XPTestSupport/SharedFixtures.swift; the package root is two levels up.
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }

    /// The URL of a shared fixture file, or nil (with a printed note) when it is absent.
    public static func file(_ relative: String) -> URL? {
        let url = root.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        print("note: shared fixture \(relative) is absent under \(root.path); set XP_SHARED_FIXTURES to run this test")
        return nil
    }

    public static var available: Bool { FileManager.default.fileExists(atPath: root.path) }
}
