import EpisodeIO
import Foundation
import Testing
@testable import WindowAlign

/// The six video streams decoded at once must give the caches of a sequential build, and the
/// strict fast decode must stay within a stated distance of the exact features.
@Suite("Video streams: concurrent build and the strict fast decode")
struct VideoBuildTests {
    static func videoCaches(_ c: EpisodeFeatureCaches) -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for (name, source) in c.sources where name.hasPrefix("video_") {
            if case .perFrame(let cache, _) = source { out[name] = cache.values }
        }
        return out
    }

    @Test func concurrentBuildGivesTheSequentialBytes() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let plan = WindowPlan.single(.reference)
        for p in [FeatureProtocol.reference, .strict] {
            let sequential = try EpisodeFeatures.build(episode: episode, plan: plan,
                                                       options: .init(featureProtocol: p, videoStreamsAtOnce: 1))
            let caches = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: p, videoStreamsAtOnce: 1))
            for workers in [0, 3] {
                let concurrent = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: p, videoStreamsAtOnce: workers))
                let a = Self.videoCaches(caches), b = Self.videoCaches(concurrent)
                #expect(a.count == 6 && a == b, "\(p) with \(workers) workers")
                let windows = try EpisodeFeatures.windows(episode: episode, plan: plan, frameCount: concurrent.frameCount)
                let built = try EpisodeFeatures.assemble(concurrent, windows: windows)
                let rows = windows.windows.count
                #expect(try NumPyFile.encode(built.values, shape: [rows, 8546]) == NumPyFile.encode(sequential.values, shape: [rows, 8546]))
                #expect(built.diagnostics.map(\.block) == sequential.diagnostics.map(\.block))
                #expect(built.diagnostics.map(\.note) == sequential.diagnostics.map(\.note))
            }
        }
    }

    @Test func referenceIgnoresTheFastSettingAndRecordsTheDecode() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let plain = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .reference))
        let asked = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .reference, videoDecode: .fast))
        #expect(Self.videoCaches(plain) == Self.videoCaches(asked))
        for d in asked.diagnostics where d.block.hasPrefix("video_") {
            #expect(d.note?.hasPrefix("decode: exact") == true, "\(d.note ?? "")")
        }
        let strict = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .strict))
        for d in strict.diagnostics where d.block.hasPrefix("video_") {
            #expect(d.note?.hasPrefix("decode: fast") == true, "\(d.note ?? "")")
        }
    }

    @Test func strictFastDecodeIsWithinTheStatedBound() throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let exact = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .strict, videoDecode: .exact))
        for setting in [VideoDecodeSetting.automatic, .fastSkipDeblocking] {
            let fast = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .strict, videoDecode: setting))
            try Self.checkBound(exact: exact, fast: fast, setting: setting)
        }
    }

    static func checkBound(exact: EpisodeFeatureCaches, fast: EpisodeFeatureCaches, setting: VideoDecodeSetting) throws {
        let episode = try TinyEpisodes.episode(TinyEpisodes.complete)
        let reference = try EpisodeFeatures.buildCaches(episode: episode, options: .init(featureProtocol: .reference))
        let e = videoCaches(exact), f = videoCaches(fast)
        // Strict exact decoding gives the reference protocol's per-frame features.
        #expect(e == videoCaches(reference))
        #expect(e.count == 6 && Set(e.keys) == Set(f.keys))
        // Means, stds, the grey grid and the edge statistics move with the thumbnail bytes (at
        // most about 12/255 for the byte differences the media tests allow); histogram shares jump
        // when a flat area crosses a bin edge (measured on this episode: up to 225/1024).
        let parts: [(String, Range<Int>, Double)] = [("mean+std", 0..<6, 0.05), ("hist", 6..<30, 0.35),
                                                     ("grid", 30..<94, 0.05), ("edge", 94..<98, 0.05)]
        var worst: [String: Double] = [:]
        var anyDifferent = false
        for (block, a) in e {
            let b = try #require(f[block])
            #expect(a.count == b.count)
            for (i, (x, y)) in zip(a, b).enumerated() {
                let d = abs(Double(x) - Double(y))
                if d > 0 { anyDifferent = true }
                let c = i % VideoFeatures.dimension
                for (name, range, _) in parts where range.contains(c) { worst[name] = max(worst[name] ?? 0, d) }
            }
        }
        for (name, _, bound) in parts {
            #expect((worst[name] ?? 0) <= bound, "\(setting) \(name): largest difference \(worst[name] ?? 0), bound \(bound)")
        }
        #expect(anyDifferent, "the fast decode should not be the exact one")
        print("strict \(setting) decode vs exact on the tiny episode, largest per-frame differences: \(worst.sorted { $0.key < $1.key })")
    }
}
