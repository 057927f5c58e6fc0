// swift-tools-version:6.0
//
// XperienceKit: read Xperience-10M egocentric episodes exactly, align their modalities
// into windows, build the 12 task contracts, train BLAS-backed heads, score them and
// export training sets. One library product per layer; small `xp-*` executables compose
// them. See README.md for the layer map.

import PackageDescription

let package = Package(
    name: "XperienceKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "XPCore", targets: ["XPCore"]),
        .library(name: "EpisodeIO", targets: ["EpisodeIO"]),
        .library(name: "WindowAlign", targets: ["WindowAlign"]),
        .library(name: "Heads", targets: ["Heads"]),
        .library(name: "Metrics", targets: ["Metrics"]),
        .library(name: "TaskContracts", targets: ["TaskContracts"]),
        .library(name: "Exporters", targets: ["Exporters"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Report", targets: ["Report"]),
        .executable(name: "xp-inspect", targets: ["xp-inspect"]),
        .executable(name: "xp-qa", targets: ["xp-qa"]),
        .executable(name: "xp-bench", targets: ["xp-bench"]),
        .executable(name: "xp-fixture", targets: ["xp-fixture"]),
        .executable(name: "xp-windows", targets: ["xp-windows"]),
        .executable(name: "xp-features", targets: ["xp-features"]),
        .executable(name: "xp-suite", targets: ["xp-suite"]),
        .executable(name: "xp-train", targets: ["xp-train"]),
        .executable(name: "xp-evaluate", targets: ["xp-evaluate"]),
        .executable(name: "xp-scan", targets: ["xp-scan"]),
        .executable(name: "xp-select", targets: ["xp-select"]),
        .executable(name: "xp-export-qwen", targets: ["xp-export-qwen"]),
        .executable(name: "xp-index", targets: ["xp-index"]),
        .executable(name: "xp-export-cosmos", targets: ["xp-export-cosmos"]),
        .executable(name: "xp-eval-json", targets: ["xp-eval-json"]),
        .executable(name: "xp-error-analysis", targets: ["xp-error-analysis"]),
        .executable(name: "xp-dense-index", targets: ["xp-dense-index"]),
        .executable(name: "xp-baselines", targets: ["xp-baselines"]),
        .executable(name: "xp-slurm", targets: ["xp-slurm"]),
        .executable(name: "xp-diagnose", targets: ["xp-diagnose"]),
        .executable(name: "xp-report", targets: ["xp-report"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 for the selection's ordering keys and the export's content keys.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: C shims (system libraries through pkg-config; only the layers named in
        // DESIGN.md import them).
        .systemLibrary(
            name: "CHDF5",
            path: "Sources/CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CLibAV",
            path: "Sources/CLibAV",
            pkgConfig: "libavformat libavcodec libavutil libswscale libswresample",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libswresample-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            path: "Sources/CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // MARK: Layers
        // XPCore is the bottom: pure Swift, no C, no episode types; every layer may import it.
        .target(name: "XPCore", exclude: ["README.md"]),
        .target(name: "EpisodeIO", dependencies: ["XPCore", "CHDF5", "CLibAV"], exclude: ["README.md"]),
        .target(name: "WindowAlign", dependencies: ["XPCore", "EpisodeIO"], exclude: ["README.md"]),
        .target(name: "Heads", dependencies: ["XPCore", "CBLAS"], exclude: ["README.md"]),
        .target(name: "Metrics", dependencies: ["XPCore"], exclude: ["README.md"]),
        .target(name: "TaskContracts", dependencies: ["XPCore", "WindowAlign", "Heads", "Metrics"], exclude: ["README.md"]),
        .target(
            name: "Exporters",
            dependencies: ["XPCore", "TaskContracts", "WindowAlign", "EpisodeIO", "Heads", "Metrics", "CZstd", "CZlib", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["README.md"]
        ),
        // Work plans, done markers, Slurm arrays and the local runner: files and command lines only.
        .target(name: "Pipeline", dependencies: ["XPCore"], exclude: ["README.md"]),
        // Report reads artifact folders only (files, never episode types): XPCore alone.
        .target(name: "Report", dependencies: ["XPCore"], exclude: ["README.md"]),

        // MARK: Tools (argument parsing, progress, output; no domain logic)
        .target(
            name: "ToolSupport",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "TaskContracts", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/ToolSupport"
        ),
        .executableTarget(
            name: "xp-inspect",
            dependencies: ["XPCore", "EpisodeIO", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-inspect"
        ),
        .executableTarget(
            name: "xp-qa",
            dependencies: ["XPCore", "EpisodeIO", "TaskContracts", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-qa"
        ),
        .executableTarget(
            name: "xp-fixture",
            dependencies: ["XPCore", "EpisodeIO", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-fixture"
        ),
        .executableTarget(
            name: "xp-windows",
            dependencies: ["XPCore", "WindowAlign", "EpisodeIO", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-windows"
        ),
        .executableTarget(
            name: "xp-features",
            dependencies: ["XPCore", "WindowAlign", "EpisodeIO", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-features"
        ),
        .executableTarget(
            name: "xp-bench",
            dependencies: [
                "XPCore", "EpisodeIO", "WindowAlign", "Heads", "Metrics", "TaskContracts", "Exporters", "Pipeline", "Report", "ToolSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/xp-bench"
        ),
        .executableTarget(
            name: "xp-suite",
            dependencies: [
                "XPCore", "TaskContracts", "WindowAlign", "EpisodeIO", "Heads", "Metrics", "Report", "ToolSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/xp-suite"
        ),
        .executableTarget(
            name: "xp-train",
            dependencies: [
                "XPCore", "TaskContracts", "WindowAlign", "EpisodeIO", "Heads", "Metrics", "ToolSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/xp-train"
        ),
        .executableTarget(
            name: "xp-evaluate",
            dependencies: [
                "XPCore", "TaskContracts", "WindowAlign", "EpisodeIO", "Heads", "Metrics", "ToolSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/xp-evaluate"
        ),
        .executableTarget(
            name: "xp-scan",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "TaskContracts", "Exporters", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-scan"
        ),
        .executableTarget(
            name: "xp-select",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "TaskContracts", "Exporters", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-select"
        ),
        .executableTarget(
            name: "xp-export-qwen",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "TaskContracts", "Exporters", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-export-qwen"
        ),
        .executableTarget(
            name: "xp-index",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "TaskContracts", "Exporters", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-index"
        ),
        .executableTarget(
            name: "xp-export-cosmos",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "Heads", "Metrics", "TaskContracts", "Exporters", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-export-cosmos"
        ),
        .executableTarget(
            name: "xp-eval-json",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "Heads", "Metrics", "TaskContracts", "Exporters", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-eval-json"
        ),
        .executableTarget(
            name: "xp-error-analysis",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "Heads", "Metrics", "TaskContracts", "Exporters", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-error-analysis"
        ),
        .executableTarget(
            name: "xp-dense-index",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "Heads", "Metrics", "TaskContracts", "Exporters", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-dense-index"
        ),
        .executableTarget(
            name: "xp-baselines",
            dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "Heads", "Metrics", "TaskContracts", "Exporters", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-baselines"
        ),
        .executableTarget(
            name: "xp-slurm",
            dependencies: ["XPCore", "Pipeline", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-slurm"
        ),
        .executableTarget(
            name: "xp-diagnose",
            dependencies: [
                "XPCore", "TaskContracts", "WindowAlign", "EpisodeIO", "Heads", "ToolSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Tools/xp-diagnose"
        ),
        .executableTarget(
            name: "xp-report",
            dependencies: ["XPCore", "Report", "ToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/xp-report"
        ),

        // MARK: Tests (swift-testing)
        // Shared by the test targets: ../shared/fixtures (skip traits), Fixtures/ (goldens, schemas),
        // the corruption matrix's generator (EpisodeIO's reader, writer and synthetic episode).
        .target(name: "XPTestSupport", dependencies: ["XPCore", "EpisodeIO"], path: "Tests/XPTestSupport"),
        .testTarget(name: "XPCoreTests", dependencies: ["XPCore"]),
        .testTarget(name: "EpisodeIOTests", dependencies: ["XPCore", "EpisodeIO", "XPTestSupport"]),
        .testTarget(name: "WindowAlignTests", dependencies: ["XPCore", "WindowAlign", "XPTestSupport"]),
        .testTarget(name: "HeadsTests", dependencies: ["XPCore", "Heads", "XPTestSupport"]),
        .testTarget(name: "MetricsTests", dependencies: ["XPCore", "Metrics", "XPTestSupport"]),
        .testTarget(name: "ExportersTests", dependencies: ["XPCore", "EpisodeIO", "WindowAlign", "Heads", "Metrics", "TaskContracts", "Exporters", "XPTestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["XPCore", "Pipeline", "XPTestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["XPCore", "Report", "XPTestSupport", "CZlib"]),
        .testTarget(name: "TaskContractsTests", dependencies: ["XPCore", "TaskContracts", "WindowAlign", "EpisodeIO", "Heads", "Metrics", "ToolSupport", "XPTestSupport"]),
        // End to end: runs the built xp-* executables (the dependencies make `swift test` build them).
        .testTarget(
            name: "ToolTests",
            dependencies: ["XPTestSupport", "XPCore", "EpisodeIO", "xp-inspect", "xp-qa", "xp-fixture", "xp-windows", "xp-features", "xp-suite", "xp-train", "xp-evaluate", "xp-bench", "xp-scan", "xp-select", "xp-export-qwen", "xp-index",
                           "xp-export-cosmos", "xp-eval-json", "xp-error-analysis", "xp-dense-index", "xp-baselines", "xp-slurm", "Pipeline", "xp-diagnose", "xp-report"]
        ),
    ]
)
