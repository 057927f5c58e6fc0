import Foundation

/// The estimated wall time of one step on one episode:
/// `perEpisode + frames × perFrame + frames × streams × perFrameStream` seconds.
///
/// `perFrameStream` is the decode-bound part (each video stream's frames), `perFrame` the
/// annotation-bound part, `perEpisode` the fixed cost (process start, opening files).
public struct StepCost: Codable, Sendable, Equatable {
    public var perEpisode: Double
    public var perFrame: Double
    public var perFrameStream: Double

    public init(perEpisode: Double, perFrame: Double = 0, perFrameStream: Double = 0) {
        self.perEpisode = perEpisode
        self.perFrame = perFrame
        self.perFrameStream = perFrameStream
    }

    /// Seconds for an episode of `frames` frames and `streams` video streams.
    public func seconds(frames: Int, streams: Int) -> Double {
        perEpisode + Double(frames) * perFrame + Double(frames) * Double(streams) * perFrameStream
    }
}

/// Per-step costs, by step name. Defaults come from `xp-bench slurm` on this machine (release
/// build, the 5,821-frame sample episode); `xp-slurm plan --costs FILE` takes a fresh
/// measurement (the `cost_model` object of `xp-bench slurm`'s JSON).
public struct CostModel: Codable, Sendable, Equatable {
    public var steps: [String: StepCost]

    public init(steps: [String: StepCost]) { self.steps = steps }

    /// This machine's release-build measurements on the sample-size episode (5,821 frames, six
    /// streams, 2 cores): features 55.7 s, of which video decode 51.1 s (Docs/features.md); QA
    /// 0.60 s without decode (Docs/data-quality.md); the Qwen export about 28 s for its 32
    /// clips with the default ultrafast preset (Docs/exporters.md: 56 s with veryfast; clips are
    /// 92 % of the time); the index a few milliseconds. Re-measure on the cluster's nodes with
    /// `xp-bench slurm` and pass the result to `xp-slurm plan --costs`. The export's plan step
    /// is its scan (xp-scan: 0.31 s per sample-size episode, Docs/exporters.md); the combine's
    /// 0.05 s per episode (linking about 100 files, reading and writing its records) is an
    /// estimate until `xp-bench slurm` measures it.
    public static let standard = CostModel(steps: [
        "qa": StepCost(perEpisode: 0.2, perFrame: 0.000_068_7),
        "features": StepCost(perEpisode: 0.5, perFrame: 0.000_6, perFrameStream: 0.001_55),
        "export-plan": StepCost(perEpisode: 0.31),
        "export": StepCost(perEpisode: 0.5, perFrameStream: 0.000_787),
        "combine": StepCost(perEpisode: 0.05),
        "index": StepCost(perEpisode: 0.01, perFrame: 0.000_001),
    ])

    /// The cost of `step`: this model's, else the standard model's (a measured model from an
    /// older `xp-bench slurm` lacks the export's plan and combine steps), else 1 s per episode.
    public func cost(of step: String) -> StepCost { steps[step] ?? Self.standard.steps[step] ?? StepCost(perEpisode: 1) }

    /// Reads a cost model: either the `cost_model` object of `xp-bench slurm`'s output or a
    /// bare `{"steps": {...}}` object.
    public static func read(_ url: URL) throws(PipelineError) -> CostModel {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .badInput(file: url.path, detail: "expected a cost model JSON, found no readable file") }
        struct Wrapped: Decodable { var cost_model: CostModel }
        if let wrapped = try? JSONDecoder().decode(Wrapped.self, from: data) { return try wrapped.cost_model.checked(file: url.path) }
        do { return try JSONDecoder().decode(CostModel.self, from: data).checked(file: url.path) } catch let e as PipelineError { throw e } catch {
            throw .badInput(file: url.path, detail: "expected {\"steps\": {name: {perEpisode, perFrame, perFrameStream}}} or xp-bench slurm's JSON, found: \(error)")
        }
    }

    func checked(file: String) throws(PipelineError) -> CostModel {
        for (name, c) in steps.sorted(by: { $0.key < $1.key }) {
            for v in [c.perEpisode, c.perFrame, c.perFrameStream] where !(v.isFinite && v >= 0) {
                throw .badInput(file: file, detail: "step \(name): costs must be finite and ≥ 0 seconds, found \(v)")
            }
        }
        return self
    }
}
