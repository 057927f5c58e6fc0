import Foundation
import Testing
import XPTestSupport

/// One finished run of an `xp-*` executable.
struct ToolRun: CustomStringConvertible {
    var command: [String]
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String {
        "\(command.joined(separator: " ")) → exit \(status)\n--- stdout\n\(stdout.prefix(2000))\n--- stderr\n\(stderr.prefix(2000))"
    }
}

/// Runs the built executables end to end, as swift-argument-parser's `AssertExecuteCommand`
/// does: the binaries sit beside the test bundle in the products directory (this target depends
/// on every executable target, so `swift test` builds them first).
enum Tools {
    static let names = ["xp-inspect", "xp-qa", "xp-fixture", "xp-windows", "xp-features", "xp-suite", "xp-train", "xp-evaluate", "xp-bench",
                        "xp-scan", "xp-select", "xp-export-qwen", "xp-index",
                        "xp-export-cosmos", "xp-eval-json", "xp-error-analysis", "xp-dense-index", "xp-baselines",
                        "xp-diagnose", "xp-report", "xp-slurm"]

    /// The products directory (`.build/<triple>/debug`), or `XP_TOOLS_DIR` when set.
    static let productsDirectory: Result<URL, ToolTestError> = {
        if let dir = ProcessInfo.processInfo.environment["XP_TOOLS_DIR"], !dir.isEmpty {
            return .success(URL(fileURLWithPath: dir))
        }
        // The test binary is `<products>/<Package>PackageTests.xctest` on Linux and
        // `<products>/<Package>PackageTests.xctest/Contents/MacOS/<...>` on macOS.
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments.first ?? ""))
        for start in candidates {
            var dir = start.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<5 {
                if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("xp-fixture").path) { return .success(dir) }
                dir.deleteLastPathComponent()
            }
        }
        let fallback = ProjectFixtures.packageRoot.appendingPathComponent(".build/debug")
        if FileManager.default.isExecutableFile(atPath: fallback.appendingPathComponent("xp-fixture").path) { return .success(fallback) }
        return .failure(.noProducts("no xp-fixture beside the test binary (\(candidates.map(\.path))) or in \(fallback.path); run `swift build` or set XP_TOOLS_DIR"))
    }()

    /// Runs `tool` with `arguments` in `directory` (a fresh scratch folder by default, so no
    /// tool writes into the package) and returns its exit status and both streams.
    static func run(_ tool: String, _ arguments: [String], in directory: URL? = nil) throws -> ToolRun {
        let executable = try productsDirectory.get().appendingPathComponent(tool)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else { throw ToolTestError.noProducts("\(executable.path) is not built") }
        let scratch = try Scratch.folder("run-\(tool)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? scratch
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["COLUMNS"] = "100"
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return ToolRun(command: [tool] + arguments, status: process.terminationStatus,
                       stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                       stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}

enum ToolTestError: Error, CustomStringConvertible {
    case noProducts(String)
    case toolFailed(ToolRun)
    case unexpected(String)

    var description: String {
        switch self {
        case let .noProducts(s): return s
        case let .toolFailed(run): return "tool failed: \(run)"
        case let .unexpected(s): return s
        }
    }
}

/// Scratch folders of this test process, under one root that is removed when the process ends.
enum Scratch {
    static let root: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xp-tooltests-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Scratch.root) }
        return url
    }()

    /// A new empty folder.
    static func folder(_ label: String) throws -> URL {
        let url = root.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A folder holding an `annotation.hdf5` with `bytes` (random bytes, or nothing) and no MP4s.
    static func corruptEpisode(_ bytes: [UInt8]) throws -> URL {
        let folder = try folder("corrupt")
        try Data(bytes).write(to: folder.appendingPathComponent("annotation.hdf5"))
        return folder
    }

    /// 4 KiB that are not HDF5 (seeded, so the same every run).
    static var garbage: [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<4096).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    static func entries(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }
}

/// The one synthetic episode (and its features) every happy-path test shares: generated once
/// per test process by running `xp-fixture` and `xp-features`, on first use.
enum SharedEpisode {
    static let frames = 300
    /// Windows of 20 frames every 5 over 300 frames: ⌊(300 − 20)/5⌋ + 1.
    static let windowCount = 57

    struct Generated: Sendable {
        var folder: URL
        var fixtureRun: ToolRun
    }

    static let generated: Result<Generated, ToolTestError> = {
        do {
            let out = try Scratch.folder("fixture")
            let run = try Tools.run("xp-fixture", ["--size", "tiny", "--frames", "\(frames)", "--seed", "7", "--out", out.path])
            guard run.status == 0 else { return .failure(.toolFailed(run)) }
            let lines = run.stdout.split(whereSeparator: \.isNewline)
            guard lines.count == 1, let line = lines.first else { return .failure(.unexpected("xp-fixture printed \(lines.count) lines, expected one folder: \(run)")) }
            return .success(Generated(folder: URL(fileURLWithPath: String(line)), fixtureRun: run))
        } catch let error as ToolTestError {
            return .failure(error)
        } catch {
            return .failure(.unexpected("\(error)"))
        }
    }()

    static func episode() throws -> URL { try generated.get().folder }

    struct Features: Sendable {
        var folder: URL
        var run: ToolRun
    }

    static let features: Result<Features, ToolTestError> = {
        do {
            let episode = try generated.get().folder
            let parent = try Scratch.folder("features")
            let out = parent.appendingPathComponent("features")
            let run = try Tools.run("xp-features", [episode.path, "--out", out.path, "--cache", parent.appendingPathComponent("cache").path, "--quiet"])
            guard run.status == 0 else { return .failure(.toolFailed(run)) }
            return .success(Features(folder: out, run: run))
        } catch let error as ToolTestError {
            return .failure(error)
        } catch {
            return .failure(.unexpected("\(error)"))
        }
    }()

    static func featureFolder() throws -> URL { try features.get().folder }
}

extension ToolRun: Sendable {}
