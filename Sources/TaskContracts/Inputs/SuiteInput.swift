import Foundation
import Heads
import WindowAlign

/// Per-frame facts a task target needs, read from the episode (not from the feature matrix).
public struct FrameData: Sendable, Equatable {
    /// Number of annotation frames N.
    public var frameCount: Int
    /// Normalised action label per frame ("" when unlabelled); empty array when the episode
    /// has no caption.
    public var actionLabels: [String]
    /// Normalised subtask (theme) label per frame.
    public var subtaskLabels: [String]
    /// Caption objects per frame (empty where none).
    public var objects: [[String]]
    /// N × 126: left then right hand joints (21 × 3 each) minus the body root of the same
    /// frame; nil when hands or body are missing.
    public var handsMinusRoot: [Float]?
    /// N × 2: whether the left and right hand were detected.
    public var handPresent: [Bool]?
    /// N × 21 body contact values; nil when absent.
    public var contacts: [Float]?

    public init(frameCount: Int, actionLabels: [String] = [], subtaskLabels: [String] = [], objects: [[String]] = [],
                handsMinusRoot: [Float]? = nil, handPresent: [Bool]? = nil, contacts: [Float]? = nil) {
        self.frameCount = frameCount
        self.actionLabels = actionLabels
        self.subtaskLabels = subtaskLabels
        self.objects = objects
        self.handsMinusRoot = handsMinusRoot
        self.handPresent = handPresent
        self.contacts = contacts
    }

    /// True when per-frame labels exist and at least one is non-empty.
    public var hasLabels: Bool { actionLabels.contains { !$0.isEmpty } }

    /// Checks that every per-frame array has N rows.
    public func validate() throws(SuiteError) {
        let n = frameCount
        func check(_ what: String, _ count: Int, _ per: Int) throws(SuiteError) {
            guard count == n * per else { throw .shapeMismatch(what: what, expected: "\(n) × \(per) values", found: "\(count)") }
        }
        if !actionLabels.isEmpty { try check("per-frame action labels", actionLabels.count, 1) }
        if !subtaskLabels.isEmpty { try check("per-frame subtask labels", subtaskLabels.count, 1) }
        if !objects.isEmpty { try check("per-frame objects", objects.count, 1) }
        if let h = handsMinusRoot { try check("hand joints minus root", h.count, 126) }
        if let p = handPresent { try check("hand presence", p.count, 2) }
        if let c = contacts { try check("body contacts", c.count, 21) }
    }
}

/// One episode's suite inputs as values: windows, the window × feature matrix, which blocks
/// carry data, and the per-frame facts for targets.
public struct SuiteEpisode: Sendable {
    /// A name for reports (folder name).
    public var name: String
    /// Session id for held-out-episode splits (episodes of one session never span splits).
    public var session: String
    public var windows: [Window]
    /// windows.count × schema.dimension.
    public var features: Matrix
    public var schema: FeatureSchema
    /// Blocks with data in at least one window; nil means all present.
    public var presentBlocks: Set<String>?
    public var frames: FrameData
    /// The data-quality findings of the episode (tasks they block are not applicable; summary.md lists them).
    public var dataFindings: [DataFinding] = []

    public init(name: String, session: String? = nil, windows: [Window], features: Matrix, schema: FeatureSchema = .reference,
                presentBlocks: Set<String>? = nil, frames: FrameData) throws(SuiteError) {
        guard features.rows == windows.count else {
            throw .shapeMismatch(what: "feature rows of \(name)", expected: "\(windows.count) (one per window)", found: "\(features.rows)")
        }
        guard features.cols == schema.dimension else {
            throw .shapeMismatch(what: "feature columns of \(name)", expected: "\(schema.dimension)", found: "\(features.cols)")
        }
        try frames.validate()
        for w in windows where w.end >= frames.frameCount {
            throw .shapeMismatch(what: "window \(w.index) of \(name)", expected: "end frame < \(frames.frameCount)", found: "\(w.end)")
        }
        self.name = name
        self.session = session ?? name
        self.windows = windows
        self.features = features
        self.schema = schema
        self.presentBlocks = presentBlocks
        self.frames = frames
    }

    /// Whether every block of `set` that the task relies on has data. Returns the missing
    /// block names.
    public func missingBlocks(of set: FeatureSet) -> [String] {
        guard let present = presentBlocks else { return [] }
        return schema.selectBlocks(include: set.include, exclude: set.exclude).map(\.name).filter { !present.contains($0) }
    }

    /// Loads the matrix and windows an `xp-features` run wrote: `features.npy` (float32,
    /// windows × 8546), `windows.csv`, and optionally `presence.json` (`{"blocks": [...],
    /// "present": [[0/1...]...]}` or a `{block: bool}` map).
    public static func loadFeatures(folder: URL) throws(SuiteError) -> (windows: [Window], features: Matrix, presentBlocks: Set<String>?) {
        let npy = folder.appendingPathComponent("features.npy")
        let csv = folder.appendingPathComponent("windows.csv")
        let windows: [Window]
        do { windows = try WindowsCSV.read(from: csv) } catch { throw .unreadable(file: csv.path, detail: "\(error)") }
        let array: NumPyFile.Array
        do { array = try NumPyFile.read(from: npy) } catch { throw .unreadable(file: npy.path, detail: "\(error)") }
        guard case let .float32(shape, values) = array, shape.count == 2 else {
            throw .unreadable(file: npy.path, detail: "expected a 2-D float32 array, found shape \(array.shape)")
        }
        guard shape[0] == windows.count else {
            throw .shapeMismatch(what: "\(npy.path) rows", expected: "\(windows.count) (rows of windows.csv)", found: "\(shape[0])")
        }
        let matrix: Matrix
        do { matrix = try Matrix(rows: shape[0], cols: shape[1], storage: values) } catch {
            throw .unreadable(file: npy.path, detail: "\(error)")
        }
        return (windows, matrix, try loadPresence(folder.appendingPathComponent("presence.json")))
    }

    /// Reads `presence.json` when it exists: block names whose flag is set in any window.
    static func loadPresence(_ url: URL) throws(SuiteError) -> Set<String>? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) } catch {
            throw .unreadable(file: url.path, detail: "not JSON: \(error)")
        }
        // The xp-features layout: block names and per-window 0/1 rows.
        if let map = object as? [String: Any], let names = map["block_names"] as? [String], let rows = map["window_present"] as? [[Any]] {
            var out = Set<String>()
            for row in rows {
                for (i, v) in row.enumerated() where i < names.count && ((v as? NSNumber)?.intValue ?? 0) != 0 { out.insert(names[i]) }
            }
            return out
        }
        if let map = object as? [String: Any], let blocks = map["blocks"] as? [String] {
            // Per-window flags: any window present.
            if let rows = map["present"] as? [[Any]] {
                var out = Set<String>()
                for row in rows {
                    for (i, v) in row.enumerated() where i < blocks.count {
                        if (v as? Bool) == true || (v as? NSNumber)?.intValue == 1 { out.insert(blocks[i]) }
                    }
                }
                return out
            }
            if let any = map["any_present"] as? [Any] {
                var out = Set<String>()
                for (i, v) in any.enumerated() where i < blocks.count && ((v as? Bool) == true || (v as? NSNumber)?.intValue == 1) { out.insert(blocks[i]) }
                return out
            }
            return Set(blocks)
        }
        if let map = object as? [String: Any] {
            var out = Set<String>()
            for (k, v) in map {
                if (v as? Bool) == true || ((v as? NSNumber)?.doubleValue ?? 0) > 0 { out.insert(k) }
            }
            return out
        }
        throw .unreadable(file: url.path, detail: "expected an object with 'blocks' or a map of block → present")
    }
}
