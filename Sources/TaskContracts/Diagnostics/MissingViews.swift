import Foundation
import Heads
import WindowAlign

/// One row of `missing_views.csv`: a task scored with all its inputs and with one view
/// removed at test time only (the model was trained with it).
public struct MissingViewRow: Sendable, Equatable {
    public var task: TaskID
    /// The view (`fisheye_cam0`, `stereo_left`, `audio`, `hands`, `imu`, ...).
    public var view: String
    public var full: DiagnosticScore
    public var without: DiagnosticScore
    public var suiteProtocol: SuiteProtocol
    public var seed: UInt64
    /// `score_full − score_without`: positive means the task leans on the view.
    public var drop: Double { full.score - without.score }
}

/// Sensitivity to missing views: each camera, the audio and each HDF5 modality block group
/// set to its train mean at test time, the drop per task. A view the head never needed
/// drops nothing; one it leans on drops towards the baseline.
public enum MissingViews {
    /// A view and its block-name prefixes.
    public struct View: Sendable, Hashable {
        public var name: String
        public var blocks: [String]
        public init(name: String, blocks: [String]) { self.name = name; self.blocks = blocks }
    }

    /// The six cameras, the audio track and the HDF5 modality groups, in schema order.
    public static let views: [View] = [
        View(name: "fisheye_cam0", blocks: ["video_fisheye_cam0"]), View(name: "fisheye_cam1", blocks: ["video_fisheye_cam1"]),
        View(name: "fisheye_cam2", blocks: ["video_fisheye_cam2"]), View(name: "fisheye_cam3", blocks: ["video_fisheye_cam3"]),
        View(name: "stereo_left", blocks: ["video_stereo_left"]), View(name: "stereo_right", blocks: ["video_stereo_right"]),
        View(name: "audio", blocks: ["audio_"]),
        View(name: "hands", blocks: ["hand_"]), View(name: "body_joints", blocks: ["body_joints"]),
        View(name: "body_contacts", blocks: ["body_contacts"]), View(name: "camera_pose", blocks: ["camera_"]),
        View(name: "imu", blocks: ["imu_"]), View(name: "depth", blocks: ["depth_"]),
        View(name: "slam_point_cloud", blocks: ["slam_point_cloud"]), View(name: "calibration", blocks: ["calibration"]),
        View(name: "caption_text", blocks: ["caption_"]),
    ]

    public struct Configuration: Sendable {
        public var suiteProtocol: SuiteProtocol
        public var tasks: [TaskID] = TaskID.allCases
        public var views: [View] = MissingViews.views
        public var seeds: [UInt64] = [7]
        public var parameters = TaskParameters()
        public init(protocol p: SuiteProtocol) { suiteProtocol = p }
    }

    /// Runs every task once with its protocol inputs and re-scores it with each view that is
    /// part of those inputs removed. Tasks that are not applicable and views outside a task's
    /// inputs give no row.
    public static func run(episodes: [SuiteEpisode], configuration c: Configuration,
                           progress: (@Sendable (String) -> Void)? = nil) throws -> [MissingViewRow] {
        guard let schema = episodes.first?.schema else { throw SuiteError.invalidArgument(what: "episodes", detail: "at least one episode is needed") }
        var rows: [MissingViewRow] = []
        for task in c.tasks {
            progress?("missing views: \(task.rawValue)")
            let contract = TaskContract(task, protocol: c.suiteProtocol, parameters: c.parameters)
            for seed in DiagnosticSeeds.effective(c.seeds, episodes: episodes) {
                guard let problem = try? TaskProblemBuilder.build(contract, episodes: episodes, policy: try SplitPolicy.standard(for: episodes, seed: seed),
                                                                  parameters: c.parameters) else { continue }
                let input = schema.columnIndices(contract.input)
                let fitted = try DiagnosticFit.fit(problem, episodes: episodes, columns: input, parameters: c.parameters)
                let full = try fitted.score(zeroing: [])
                let layout = xColumns(problem, input: input, schema: schema)
                for view in c.views {
                    let viewColumns = Set(schema.columnIndices(include: view.blocks))
                    let zeroing = layout.indices.filter { viewColumns.contains(layout[$0]) }
                    guard !zeroing.isEmpty else { continue }
                    rows.append(MissingViewRow(task: task, view: view.name, full: full, without: try fitted.score(zeroing: zeroing),
                                               suiteProtocol: c.suiteProtocol, seed: seed))
                }
            }
        }
        return rows
    }

    /// The schema column behind each column of the task's diagnostic input rows (-1 for the
    /// reference's difference columns of misalignment, which pair unrelated dimensions).
    static func xColumns(_ problem: TaskProblem, input: [Int], schema: FeatureSchema) -> [Int] {
        switch problem.contract.task {
        case .temporalOrder: return input + input + input
        case .misalignmentDetection:
            let right = DiagnosticInputs.misalignmentRight(problem, schema: schema)
            let diff = problem.contract.suiteProtocol == .reference ? [Int](repeating: -1, count: min(input.count, right.count)) : []
            return input + right + diff
        default: return input
        }
    }
}
