// swift-tools-version:6.0
//
// libFuzzer targets for XperienceKit's episode parsers (Docs/fuzzing.md). A package of its own
// so that the root package's tools and tests are never built with the fuzzer flags; it depends
// on the root package by path and builds only the EpisodeIO and XPCore products from it.
//
// Build (scripts/fuzz.sh does this):
//   swift build -c release --package-path Fuzz --sanitize=fuzzer --sanitize=address
// `--sanitize=fuzzer` instruments every module in the graph (EpisodeIO and XPCore included) and
// links libFuzzer's `main`, which calls each target's `LLVMFuzzerTestOneInput`.

import PackageDescription

let episodeIO: Target.Dependency = .product(name: "EpisodeIO", package: "XperienceKit")
let xpCore: Target.Dependency = .product(name: "XPCore", package: "XperienceKit")

let package = Package(
    name: "XperienceFuzz",
    dependencies: [
        .package(name: "XperienceKit", path: ".."),
    ],
    targets: [
        // libhdf5 itself, for the open-identifier count the HDF5 target checks after each run.
        .systemLibrary(name: "CHDF5Probe", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        // Input splitting, invariant checks and the scratch file shared by the targets.
        .target(name: "FuzzSupport", dependencies: [xpCore]),
        // JSONParser + JSONWriter round trip + CaptionDocument type checks.
        .executableTarget(name: "fuzz-caption-parser", dependencies: ["FuzzSupport", episodeIO, xpCore]),
        // CaptionTable against a frame-name timeline, both CaptionRules.
        .executableTarget(name: "fuzz-caption-resolver", dependencies: ["FuzzSupport", episodeIO, xpCore]),
        // Episode open + schema report + timeline + captions + quality pass on mutated files.
        .executableTarget(name: "fuzz-hdf5-episode", dependencies: ["FuzzSupport", "CHDF5Probe", episodeIO, xpCore]),
        // Writes the seed corpora (synthetic episodes and caption JSON) and exits: a libFuzzer
        // binary like the others, because this build links libFuzzer's `main` into every
        // executable.
        .executableTarget(name: "fuzz-seeds", dependencies: ["FuzzSupport", episodeIO, xpCore]),
    ]
)
