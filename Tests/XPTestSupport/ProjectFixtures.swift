import Foundation

/// The committed top-level `Fixtures/` folder: golden vectors (`goldens/`), scenario notes
/// (`scenarios/`) and JSON schemas (`schemas/`). These files are part of the repository, so a
/// missing or unreadable one is a test failure (the accessors throw), never a skip.
///
/// ```swift
/// let golden = try ProjectFixtures.decode(OpenCVAreaGoldens.self, from: "goldens/opencv-inter-area.json")
/// ```
public enum ProjectFixtures {
    /// The package root: this file is `Tests/XPTestSupport/ProjectFixtures.swift`.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `<package>/Fixtures`.
    public static let root = packageRoot.appendingPathComponent("Fixtures")

    /// The URL of `Fixtures/<relative>`; throws when the file does not exist.
    public static func url(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError.missing(path: url.path, hint: "it is committed with the package; restore it with git checkout -- Fixtures/\(relative)")
        }
        return url
    }

    /// The bytes of `Fixtures/<relative>`.
    public static func data(_ relative: String) throws -> Data {
        let url = try url(relative)
        do { return try Data(contentsOf: url) } catch {
            throw FixtureError.unreadable(path: url.path, detail: "\(error)")
        }
    }

    /// Decodes `Fixtures/<relative>` (JSON) as `T`.
    public static func decode<T: Decodable>(_ type: T.Type, from relative: String) throws -> T {
        let data = try data(relative)
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw FixtureError.unreadable(path: root.appendingPathComponent(relative).path, detail: "\(error)")
        }
    }
}
