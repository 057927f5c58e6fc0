import Foundation

/// The one list of tasks.
enum SuiteTasks {
    /// Every task, in the reference's `TASKS` order: the order of runs, summaries and
    /// `TaskID.allCases`. A new task is one new file under `Tasks/` (its unit and its
    /// `TaskID` `static let`) and one line here.
    static let all: [TaskID] = [
        .timelineAction,
        .timelineSubtask,
        .transitionDetection,
        .nextAction,
        .handTrajectoryForecast,
        .contactPrediction,
        .objectRelevance,
        .captionGrounding,
        .crossModalRetrieval,
        .modalityReconstruction,
        .temporalOrder,
        .misalignmentDetection,
    ]
}
