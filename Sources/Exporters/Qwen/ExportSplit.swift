import EpisodeIO
import Foundation
import XPCore

/// Where a Qwen export's splits come from, and the audit of what it wrote.
public enum ExportSplit {
    /// A supplied split file, verbatim (only the episodes it names are exported), or the
    /// session-grouped split of every usable episode of `entries` with `seed`.
    public static func resolve(file: URL?, entries: [EpisodeManifestEntry], seed: UInt64) throws -> EpisodeSplitAssignment {
        if let file {
            return try EpisodeSplitAssignment.read(file, dataset: Set(entries.map(\.key)))
        }
        let usable = entries.filter(\.usable).map { (key: $0.key, session: $0.key.session) }
        return EpisodeSplitAssignment.grouped(usable, seed: Int(truncatingIfNeeded: seed))
    }

    /// The leakage audit of a finished export (`leakage_audit.json` in `out`): the split by
    /// episode and session, every record's split against its episode's, and the option lists
    /// against the train labels (a failure in `strict`, noted in `reference`).
    @discardableResult
    public static func audit(dataset: URL, split: EpisodeSplitAssignment, options: QwenExportOptions, out: URL) throws -> LeakageAudit {
        let rows = try JSONOutput.readObjects(dataset)
        var records: [LeakageRecord] = []
        for row in rows {
            guard let id = row["id"]?.stringValue, let e = row["episode_id"]?.stringValue, let key = EpisodeKey(parsing: e),
                  let s = row["split"]?.stringValue, let w = row["center_window"],
                  let start = w["start_frame"]?.numberValue, let end = w["end_frame"]?.numberValue, let size = w["num_frames"]?.numberValue
            else { throw ExportError.badInput(file: dataset.path, detail: "a record lacks id, episode_id, split or center_window") }
            records.append(LeakageRecord(id: id, episodeKey: key, split: s, startFrame: Int(start), endFrame: Int(end),
                                         futureEndFrame: Int(end + size), action: row["answer_json"]?["action"]?.stringValue,
                                         subtask: row["answer_json"]?["subtask"]?.stringValue))
        }
        let first = rows.first
        let audit = LeakageAudit(split: split, records: records, pairs: [],
                                 actionOptions: first?["action_options"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                 subtaskOptions: first?["subtask_options"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                 protocol: options.featureProtocol == .strict ? .strict : .reference)
        try JSONOutput.write(audit.json, to: out.appendingPathComponent("leakage_audit.json"), indent: 2)
        return audit
    }
}
