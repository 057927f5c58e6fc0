import Foundation
import XPCore

/// The record that a unit (one episode of one step, or a dataset step) is finished: written
/// after its outputs are committed, so a marker always describes complete outputs. A rerun
/// skips the unit when the marker's content key and tool version equal the current ones.
public struct DoneMarker: Codable, Sendable, Equatable {
    public var step: String
    public var unit: String
    /// The key of the inputs, command line and tool version (``ContentKey``).
    public var contentKey: String
    public var toolVersion: String
    /// The command as run, with `{out}` left as a placeholder.
    public var command: [String]
    /// The tool's wall time.
    public var seconds: Double

    public init(step: String, unit: String, contentKey: String, toolVersion: String, command: [String], seconds: Double) {
        self.step = step
        self.unit = unit
        self.contentKey = contentKey
        self.toolVersion = toolVersion
        self.command = command
        self.seconds = seconds
    }
}

/// A unit that failed: its error as the tool said it (the tail of its stderr), the exit status
/// and the command, so no failure is only in a log.
public struct FailureRecord: Codable, Sendable, Equatable {
    public var step: String
    public var unit: String
    public var contentKey: String
    public var toolVersion: String
    public var command: [String]
    public var exitStatus: Int32
    public var error: String
    public var seconds: Double

    public init(step: String, unit: String, contentKey: String, toolVersion: String, command: [String], exitStatus: Int32, error: String, seconds: Double) {
        self.step = step
        self.unit = unit
        self.contentKey = contentKey
        self.toolVersion = toolVersion
        self.command = command
        self.exitStatus = exitStatus
        self.error = error
        self.seconds = seconds
    }
}

/// Reading and writing the small JSON records of a run (markers, failures, submissions).
public enum Records {
    /// Writes `value` as sorted JSON, atomically, creating the folder.
    public static func write<T: Encodable>(_ value: T, to url: URL) throws(PipelineError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var data = try encoder.encode(value)
            data.append(0x0A)
            try AtomicFile.write(data, to: url)
        } catch let e as OutputError {
            throw .cannotWrite(path: url.path, reason: e.reason)
        } catch {
            throw .cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Removes the failure records of every step of `plan` in `run` (of `steps` only, when
    /// given), so that the failed units count as missing: `--retry-failed`. Returns the units
    /// cleared, as `step/unit`, in plan order.
    @discardableResult
    public static func clearFailures(plan: WorkPlan, run: RunFolder, steps: Set<String>? = nil) throws(PipelineError) -> [String] {
        var cleared: [String] = []
        let fm = FileManager.default
        for step in plan.steps where steps?.contains(step.name) ?? true {
            for unit in RunFolder.units(of: step, in: plan).joined() {
                let url = run.failure(step: step.name, unit: unit)
                guard fm.fileExists(atPath: url.path) else { continue }
                do { try fm.removeItem(at: url) } catch { throw .cannotWrite(path: url.path, reason: "cannot remove the failure record (\(error.localizedDescription))") }
                cleared.append("\(step.name)/\(unit)")
            }
        }
        return cleared
    }

    /// The record at `url`, or nil when there is none. A damaged record counts as none (it is
    /// redone), since a record is written atomically and only damage can make it unreadable.
    public static func read<T: Decodable>(_ type: T.Type, at url: URL) -> T? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }
}
