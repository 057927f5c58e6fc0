import Foundation
import Testing

/// Locates `../shared/fixtures` (relative to the package root), or the folder named by
/// `XP_SHARED_FIXTURES`. The data there is not committed, so a test that needs it declares so in
/// a trait and is reported as *skipped* (with the reason) when it is absent:
///
/// ```swift
/// @Test(.sharedFixtures("reference-sample-outputs/windows.csv"))
/// func referenceRoundTrip() throws {
///     let url = try SharedFixtures.url("reference-sample-outputs/windows.csv")
///     ...
/// }
/// ```
///
/// Inside the test, `url(_:)` throws (a failure, not a skip) if the file is missing after all.
public enum SharedFixtures {
    public static var root: URL {
        if let override = ProcessInfo.processInfo.environment["XP_SHARED_FIXTURES"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        // This file is Tests/XPTestSupport/SharedFixtures.swift; the package root is three levels up.
        return ProjectFixtures.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }

    /// True when every file named (relative to `root`) exists.
    public static func has(_ relative: [String]) -> Bool {
        relative.allSatisfy { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
    }

    /// True when every file named (relative to `root`) exists.
    public static func has(_ relative: String...) -> Bool { has(relative) }

    /// Why a test that needs `relative` is skipped: what is missing, where it was looked for and
    /// how to provide it.
    public static func missingReason(_ relative: [String]) -> String {
        let missing = relative.filter { !FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
        return "needs the shared fixture(s) \((missing.isEmpty ? relative : missing).joined(separator: ", ")) under \(root.path) "
            + "(absent); put ../shared/fixtures beside the package or set XP_SHARED_FIXTURES to a folder holding them"
    }

    /// The URL of a shared fixture file. Throws when it is absent: call it in a test whose
    /// `.sharedFixtures(...)` trait already checked the file, so a missing file is a failure.
    public static func url(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError.missing(path: url.path, hint: missingReason([relative]))
        }
        return url
    }

    /// The URL of a shared fixture file, or nil when it is absent.
    @available(*, deprecated, message: "declare the need with .sharedFixtures(...) on the test and read the file with try SharedFixtures.url(...); an early return reports a skipped test as passed")
    public static func file(_ relative: String) -> URL? {
        let url = root.appendingPathComponent(relative)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    public static var available: Bool { FileManager.default.fileExists(atPath: root.path) }
}

/// A fixture a test needs is not there.
public enum FixtureError: Error, CustomStringConvertible {
    case missing(path: String, hint: String)
    case unreadable(path: String, detail: String)

    public var description: String {
        switch self {
        case let .missing(path, hint): return "fixture \(path) does not exist: \(hint)"
        case let .unreadable(path, detail): return "fixture \(path) could not be read: \(detail)"
        }
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test (or suite) only when every named file exists under `SharedFixtures.root`;
    /// otherwise it is reported as skipped, naming the missing files and how to provide them.
    public static func sharedFixtures(_ relative: String..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled(if: SharedFixtures.has(relative), Comment(rawValue: SharedFixtures.missingReason(relative)), sourceLocation: sourceLocation)
    }

    /// Runs the test only when `python3` on PATH imports every module named (e.g. "numpy");
    /// otherwise it is reported as skipped, saying what to install.
    public static func python3(importing modules: String..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        .enabled(if: ExternalTools.python3Imports(modules),
                 Comment(rawValue: "needs python3 on PATH with \(modules.joined(separator: ", ")) (not found); install it, e.g. pip install \(modules.joined(separator: " "))"),
                 sourceLocation: sourceLocation)
    }
}

/// Programs outside the package that some tests compare against.
public enum ExternalTools {
    private static let cache = Cache()

    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var python: [String: Bool] = [:]
    }

    /// Whether `python3` (found through `/usr/bin/env`) runs and imports all `modules`. Asked
    /// once per module list and process.
    public static func python3Imports(_ modules: [String]) -> Bool {
        let key = modules.joined(separator: ",")
        cache.lock.lock()
        defer { cache.lock.unlock() }
        if let known = cache.python[key] { return known }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", modules.map { "import \($0)" }.joined(separator: "; ")]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        var ok = false
        if (try? probe.run()) != nil {
            probe.waitUntilExit()
            ok = probe.terminationStatus == 0
        }
        cache.python[key] = ok
        return ok
    }
}
