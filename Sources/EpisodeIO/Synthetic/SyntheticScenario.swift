import XPCore
/// One scripted action of the synthetic activity, with what it looks and sounds like.
public struct SyntheticActivity: Sendable {
    public var label: String
    public var description: String
    /// The procedure step (`"Sub Task"`) it belongs to.
    public var step: String
    /// Objects in view; each entry lists synonyms, one of which the caption uses.
    public var objects: [[String]]
    public var interaction: String
    /// Duration in caption grid cells (one cell = the sampled-frame spacing, 40 frames in the release).
    public var cells: ClosedRange<Int>
    /// Whether the hands grasp something (hand contact channels on).
    public var grasp: Bool
    /// Whether the person walks (camera translation).
    public var walks: Bool
}

/// The built-in scripted activity: making pour-over coffee, eight steps and seventeen actions,
/// repeated in order for as long as the episode lasts, so that every action recurs.
public enum PourOverCoffee {
    public static let mainTask = "Making pour-over coffee"

    public static let activities: [SyntheticActivity] = [
        .init(label: "Pick up kettle", description: "The person grasps the kettle handle and lifts it.", step: "Prepare kettle",
              objects: [["kettle", "electric kettle"], ["counter", "countertop"]], interaction: "The right hand is lifting the kettle from the counter.", cells: 2...4, grasp: true, walks: false),
        .init(label: "Fill kettle with water", description: "The person holds the kettle under the tap.", step: "Prepare kettle",
              objects: [["kettle"], ["sink", "faucet", "tap"]], interaction: "The kettle is held under the running tap.", cells: 3...5, grasp: true, walks: true),
        .init(label: "Place kettle on base", description: "The person sets the kettle on its heating base.", step: "Heat water",
              objects: [["kettle"], ["kettle base", "heating base"]], interaction: "The hand lowers the kettle onto the base.", cells: 2...3, grasp: true, walks: true),
        .init(label: "Wait for water to boil", description: "The person waits while the water heats.", step: "Heat water",
              objects: [["kettle"], ["counter"]], interaction: "Both hands rest near the counter.", cells: 19...22, grasp: false, walks: false),
        .init(label: "Open coffee bag", description: "The person opens the bag of coffee beans.", step: "Grind coffee",
              objects: [["coffee bag", "bag of beans"], ["grinder", "coffee grinder"]], interaction: "Both hands pull the coffee bag open.", cells: 2...4, grasp: true, walks: false),
        .init(label: "Scoop coffee beans", description: "The person scoops beans into the grinder.", step: "Grind coffee",
              objects: [["coffee scoop", "scoop"], ["coffee beans"], ["grinder"]], interaction: "The scoop moves beans from the bag to the grinder.", cells: 2...4, grasp: true, walks: false),
        .init(label: "Grind beans", description: "The person runs the grinder.", step: "Grind coffee",
              objects: [["grinder", "burr grinder"]], interaction: "The hand presses the grinder button.", cells: 3...5, grasp: false, walks: false),
        .init(label: "Place filter in dripper", description: "The person puts a paper filter into the dripper.", step: "Set up dripper",
              objects: [["paper filter", "filter"], ["dripper", "coffee dripper"]], interaction: "The fingers fold the filter into the dripper.", cells: 2...3, grasp: true, walks: false),
        .init(label: "Rinse filter", description: "The person wets the filter with hot water.", step: "Set up dripper",
              objects: [["dripper"], ["kettle"], ["mug", "cup"]], interaction: "Hot water pours over the filter.", cells: 2...4, grasp: true, walks: false),
        .init(label: "Transfer coffee to dripper", description: "The person pours the ground coffee into the filter.", step: "Add grounds",
              objects: [["grinder cup", "grounds container"], ["dripper"]], interaction: "The grounds fall from the cup into the filter.", cells: 2...4, grasp: true, walks: false),
        .init(label: "Level the grounds", description: "The person shakes the dripper to level the bed.", step: "Add grounds",
              objects: [["dripper"], ["scale", "digital scale", "coffee scale"]], interaction: "The hand shakes the dripper gently.", cells: 2...3, grasp: true, walks: false),
        .init(label: "Pour water over grounds", description: "The person pours hot water in slow circles.", step: "Brew coffee",
              objects: [["gooseneck kettle", "kettle"], ["dripper"], ["scale"]], interaction: "Water spirals from the gooseneck kettle onto the grounds.", cells: 5...8, grasp: true, walks: false),
        .init(label: "Wait for drip", description: "The person waits while the coffee drips.", step: "Brew coffee",
              objects: [["dripper"], ["carafe", "coffee carafe"]], interaction: "The coffee drips into the carafe.", cells: 6...10, grasp: false, walks: false),
        .init(label: "Remove dripper", description: "The person lifts the dripper off the carafe.", step: "Serve coffee",
              objects: [["dripper"], ["carafe"]], interaction: "The hand lifts the dripper away.", cells: 2...3, grasp: true, walks: false),
        .init(label: "Pour coffee into mug", description: "The person pours the coffee into a mug.", step: "Serve coffee",
              objects: [["carafe"], ["mug", "coffee mug", "cup"]], interaction: "Coffee flows from the carafe into the mug.", cells: 3...5, grasp: true, walks: false),
        .init(label: "Wipe the counter", description: "The person wipes spilled water.", step: "Clean up",
              objects: [["cloth", "towel"], ["counter"]], interaction: "The hand moves the cloth across the counter.", cells: 3...5, grasp: true, walks: true),
        .init(label: "Put away kettle", description: "The person returns the kettle to the shelf.", step: "Clean up",
              objects: [["kettle"], ["shelf"]], interaction: "The kettle is placed back on the shelf.", cells: 2...4, grasp: true, walks: true),
    ]

    /// The distinct procedure steps, in order.
    public static var steps: [String] {
        var out: [String] = []
        for a in activities where !out.contains(a.step) { out.append(a.step) }
        return out
    }
}

/// An action placed on the episode's timeline.
public struct PlannedAction: Sendable, Equatable {
    /// Index into ``PourOverCoffee/activities``.
    public var activity: Int
    /// First frame and one past the last frame the action is intended to cover.
    public var frames: Range<Int>
    /// The caption segment whose `"Current Action"` lists it.
    public var segment: Int
}

/// A caption segment placed on the timeline.
public struct PlannedSegment: Sendable, Equatable {
    public var frames: ClosedRange<Int>
    public var subTask: String
    /// Sampled frames (every grid step from the start).
    public var sampled: [Int]
}

/// The ground truth of a synthetic episode: what every frame is intended to be labelled.
public struct SyntheticPlan: Sendable {
    public var frameCount: Int
    /// Caption grid (sampled-frame spacing) in frames.
    public var grid: Int
    public var actions: [PlannedAction]
    public var segments: [PlannedSegment]
    /// Per frame: index into `actions`.
    public var actionOfFrame: [Int]

    /// The intended action label of every frame.
    public var actionLabels: [String] { actionOfFrame.map { PourOverCoffee.activities[actions[$0].activity].label } }
    /// The intended subtask of every frame: the `"Sub Task"` of the segment that lists its action
    /// (the toolkit's rule, spec §3.4).
    public var subtaskLabels: [String] { actionOfFrame.map { segments[actions[$0].segment].subTask } }

    /// Lays out `frameCount` frames: segments of 10/10/5 grid cells, a short tail segment, and the
    /// activity's actions in order with seeded durations.
    public init(frameCount n: Int, grid g: Int, seed: UInt64) {
        precondition(n > 2 * g && g >= 2, "a synthetic episode needs more than two grid cells")
        frameCount = n
        grid = g
        var rng = SplitMix64(seed: seed).fork(0x5C3E_0A10)
        let cells = (n - 1) / g
        // Segments: 10, 10, 5 cells repeating (20 s / 20 s / 10 s at 20 fps and 40-frame cells).
        var segmentCells: [Range<Int>] = []
        var c = 0
        var k = 0
        while c < cells {
            let length = min([10, 10, 5][k % 3], cells - c)
            segmentCells.append(c..<(c + length))
            c += length
            k += 1
        }
        func segmentOf(cell: Int) -> Int {
            segmentCells.firstIndex { $0.contains(cell) } ?? segmentCells.count // the tail
        }
        // Actions: the procedure in order, repeated; the tail gets the next action.
        var actions: [PlannedAction] = []
        c = 0
        k = 0
        let catalogue = PourOverCoffee.activities
        while c < cells {
            let activity = k % catalogue.count
            let length = min(rng.int(catalogue[activity].cells), cells - c)
            actions.append(PlannedAction(activity: activity, frames: (c * g)..<((c + length) * g), segment: segmentOf(cell: c)))
            c += length
            k += 1
        }
        actions.append(PlannedAction(activity: k % catalogue.count, frames: (cells * g)..<n, segment: segmentCells.count))
        // Sub Task of a segment: the step of the first action it lists, else of the action in
        // progress at its start.
        var segments: [PlannedSegment] = []
        for (s, range) in (segmentCells + [cells..<(cells + 1)]).enumerated() {
            let start = range.lowerBound * g
            let end = s == segmentCells.count ? n - 1 : range.upperBound * g - 1
            let listed = actions.first { $0.segment == s }
            let running = actions.first { $0.frames.contains(start) }
            let step = catalogue[(listed ?? running ?? actions[0]).activity].step
            let sampled = Array(stride(from: start, through: s == segmentCells.count ? start : end, by: g))
            segments.append(PlannedSegment(frames: start...end, subTask: step, sampled: sampled))
        }
        var actionOfFrame = [Int](repeating: 0, count: n)
        for (i, action) in actions.enumerated() { for f in action.frames { actionOfFrame[f] = i } }
        self.actions = actions
        self.segments = segments
        self.actionOfFrame = actionOfFrame
    }
}
