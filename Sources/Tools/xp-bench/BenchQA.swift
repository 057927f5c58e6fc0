import ArgumentParser
import EpisodeIO
import Foundation

/// `xp-bench qa`: the quality pass on a sample-size episode, without and with `--decode`,
/// beside the plain reads of the same datasets (the floor the pass adds its checks to).
struct BenchQA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qa",
        abstract: "Benchmark the data-quality pass (xp-qa) on the sample-size synthetic episode.",
        discussion: """
            Times EpisodeQualityReport.check (what xp-qa runs) on --episode, or on a generated \
            annotation-only sample-size episode (5,821 frames, depth 256x256) when none is given; \
            with MP4s beside it (xp-fixture --size sample) it also times --decode. The floor is \
            reading every dataset the pass reads (depth block by block) without checking anything. \
            --fuzz-summary embeds the JSON that scripts/fuzz.sh wrote (executions per second and \
            runs per target).

            Examples:
              swift run -c release xp-bench qa
              swift run -c release xp-bench qa --episode fixtures/<session>/ep1 --decode
            """)

    @Option(help: "Episode folder (default: generate an annotation-only sample-size episode in --cache).")
    var episode: String?

    @Option(help: "Folder for the generated episode (reused when present).")
    var cache: String = ".build/xp-bench-cache/hdf5"

    @Option(help: "Timed repeats, 1...100 (medians are reported).")
    var repeats: Int = 3

    @Flag(help: "Also time the pass with every video frame decoded (needs the MP4s).")
    var decode = false

    @Option(help: "A JSON file written by scripts/fuzz.sh --json, embedded as `fuzz`.")
    var fuzzSummary: String?

    func validate() throws {
        guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be in 1...100, found \(repeats)") }
    }

    func run() throws {
        let folder: URL
        var result: [String: Any] = ["area": "qa", "repeats": repeats, "cores": ProcessInfo.processInfo.activeProcessorCount]
        if let episode {
            folder = URL(fileURLWithPath: episode)
        } else {
            folder = URL(fileURLWithPath: cache).appendingPathComponent("sample-seed7")
            if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("annotation.hdf5").path) {
                try SyntheticEpisode.write(.sample(seed: 7), to: folder)
            }
        }
        result["episode"] = folder.path
        let annotation = folder.appendingPathComponent("annotation.hdf5").path
        result["annotation_bytes"] = (try? FileManager.default.attributesOfItem(atPath: annotation)[.size] as? Int) ?? 0

        var findings = 0
        var frames = 0
        func timed(_ body: () throws -> Void) rethrows -> Double {
            var times: [Double] = []
            for _ in 0..<repeats {
                let start = Date()
                try body()
                times.append(Date().timeIntervalSince(start))
            }
            return benchMedian(times)
        }
        result["qa_seconds"] = timed {
            let report = EpisodeQualityReport.check(path: folder.path)
            findings = report.findings.count
            frames = report.frames ?? 0
        }
        result["frames"] = frames
        result["findings"] = findings
        result["floor_read_seconds"] = try timed {
            let episode = try Episode(path: folder.path)
            _ = try episode.timeline()
            for info in episode.file.allDatasets() where info.type.isNumeric && !info.shape.isEmpty && info.path != "depth/depth" && info.path != "depth/confidence" {
                let _: [Double] = try episode.file.read(info.path)
            }
            let reader = try episode.depthReader()
            var block = try reader.read(0..<min(64, reader.info.frames))
            var start = 0
            while start < reader.info.frames {
                let range = start..<min(reader.info.frames, start + 64)
                try reader.read(range, into: &block)
                start = range.upperBound
            }
            _ = try episode.captions(allowUnresolved: true)
        }
        if let qa = result["qa_seconds"] as? Double, let floor = result["floor_read_seconds"] as? Double, floor > 0 {
            result["ratio_qa_over_floor"] = qa / floor
        }
        if decode {
            let media = EpisodeQualityReport.check(path: folder.path, options: QualityOptions()).checked.filter { $0.hasSuffix(".mp4") }.count
            result["probed_streams"] = media
            result["qa_decode_seconds"] = timed { _ = EpisodeQualityReport.check(path: folder.path, options: QualityOptions(decode: true)) }
        }
        result["peak_rss_mb"] = benchPeakRSSMegabytes()
        if let fuzzSummary {
            guard let data = FileManager.default.contents(atPath: fuzzSummary), let object = try? JSONSerialization.jsonObject(with: data) else {
                throw ValidationError("--fuzz-summary \(fuzzSummary): not a readable JSON file (write it with scripts/fuzz.sh --json FILE)")
            }
            result["fuzz"] = object
        }
        print(benchJSON(result))
    }
}
