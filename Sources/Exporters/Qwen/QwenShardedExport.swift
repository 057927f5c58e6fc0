import EpisodeIO
import Foundation
import XPCore

/// The Qwen export in three independent steps, for a cluster's job arrays: **plan** (the scan's
/// skip reasons, the split and the shard of every episode, written once), **part** (one
/// episode's records, media, NPZ and done marker, in the layout of the finished export), and
/// **combine** (the parts linked into one export folder, then the ordinary merge).
///
/// Why this gives the same bytes as ``QwenExport/run(plan:out:options:progress:)``: an
/// episode's outputs depend on the export settings, its split and its shard, all three fixed
/// by the plan; a part writes them under `shards/shard_KK/` of its own folder with record paths
/// relative to the export folder, which are the paths the single run writes; the combine links
/// each part's files to the same relative paths and runs the same merge over the same markers.
/// Paths must therefore be relative (``RecordPaths/relative``).
///
/// ```swift
/// try QwenShardedExport.writePlan(plan, assignment: split, options: options, to: planFolder)
/// for episode in folders { _ = try QwenShardedExport.exportPart(episode: episode, planFolder: planFolder, out: parts.appendingPathComponent(EpisodeKey(folder: episode).text), options: options) }
/// let combined = try QwenShardedExport.combine(planFolder: planFolder, parts: parts, out: export, options: options)
/// ```
public enum QwenShardedExport {
    /// The split assignment inside a plan folder (the audit of the combined export reads it).
    public static let splitFile = "export_split.json"

    /// The folder of an episode's part below a parts folder (`PARTS/<episode key>/`).
    public static func partFolder(_ key: EpisodeKey, in parts: URL) -> URL { parts.appendingPathComponent(key.text) }

    /// Writes the plan folder: `export_settings.json` and `export_plan.json` (the same files a
    /// single export starts with) and the split assignment.
    public static func writePlan(_ plan: QwenExportPlan, assignment: EpisodeSplitAssignment, options: QwenExportOptions, to folder: URL) throws(ExportError) {
        try checkPaths(options)
        try QwenExport.prepare(out: folder, settings: options.settingsJSON, plan: plan.json)
        let url = folder.appendingPathComponent(splitFile)
        do { try assignment.write(to: url) } catch { throw .writeFailed(path: url.path, detail: error.reason) }
    }

    /// Reads a plan folder written by ``writePlan(_:assignment:options:to:)``, checking that it
    /// was made with `options`' settings.
    public static func readPlan(_ folder: URL, options: QwenExportOptions) throws(ExportError) -> (plan: QwenExportPlan, assignment: EpisodeSplitAssignment) {
        try checkPaths(options)
        let settingsURL = folder.appendingPathComponent(QwenExport.Layout.settings)
        guard FileManager.default.fileExists(atPath: settingsURL.path) else {
            throw .badInput(file: settingsURL.path, detail: "expected the export plan's settings, found no file; make the plan first (xp-export-qwen ROOT --plan-only --out PLAN)")
        }
        guard try JSONOutput.read(settingsURL) == options.settingsJSON else {
            throw .settingsChanged(folder: folder.path, detail: "\(QwenExport.Layout.settings) differs from this command's export options; pass the options the plan was made with")
        }
        let planURL = folder.appendingPathComponent(QwenExport.Layout.plan)
        let plan = try QwenExportPlan(json: try JSONOutput.read(planURL), file: planURL.path)
        let splitURL = folder.appendingPathComponent(splitFile)
        let assignment: EpisodeSplitAssignment
        do { assignment = try EpisodeSplitAssignment.read(splitURL) } catch {
            throw .badInput(file: splitURL.path, detail: "expected the plan's split assignment (\(error)); make the plan again")
        }
        return (plan, assignment)
    }

    /// Exports one episode of the plan into `out` (`out/shards/shard_KK/…`, its done marker
    /// last). An episode the plan skips gets only its marker. A failed episode writes no
    /// marker and is returned with status `.failed` and its reason.
    public static func exportPart(episode: URL, planFolder: URL, out: URL, options: QwenExportOptions) throws(ExportError) -> QwenEpisodeOutcome {
        let (plan, _) = try readPlan(planFolder, options: options)
        let key = EpisodeKey(folder: episode.standardizedFileURL)
        guard let item = plan.items.first(where: { $0.key == key }) else {
            throw .badInput(file: planFolder.appendingPathComponent(QwenExport.Layout.plan).path,
                            detail: "episode \(key.text) (\(episode.path)) is not in the export plan; make the plan again over this dataset")
        }
        let shardFolder = out.appendingPathComponent(QwenExport.Layout.shard(item.shard))
        let outcome = item.skipReason.map {
            QwenEpisodeOutcome(key: item.key, path: item.folder.path, split: item.split, shard: item.shard, status: .skipped,
                               reason: $0, records: 0, labelledWindows: [], modalities: .null)
        } ?? QwenEpisodeExport(folder: item.folder, key: item.key, split: item.split, shard: item.shard,
                               shardFolder: shardFolder, exportFolder: out, options: options).run()
        if outcome.status != .failed {
            try JSONOutput.write(outcome.markerJSON, to: shardFolder.appendingPathComponent("done/\(item.key.text).json"), indent: nil)
        }
        return outcome
    }

    /// The combined export: the plan's files, every part's files linked (or copied across file
    /// systems) to the same relative paths, a failed marker for each episode without a part,
    /// then the merge into `dataset.jsonl` and `dataset_manifest.json`.
    public static func combine(planFolder: URL, parts: URL, out: URL, options: QwenExportOptions) throws(ExportError) -> (summary: QwenExport.Summary, assignment: EpisodeSplitAssignment, missing: [EpisodeKey]) {
        let (plan, assignment) = try readPlan(planFolder, options: options)
        try QwenExport.prepare(out: out, settings: options.settingsJSON, plan: plan.json)
        var outcomes: [QwenEpisodeOutcome] = []
        var missing: [EpisodeKey] = []
        for item in plan.items {
            let part = partFolder(item.key, in: parts)
            let marker = part.appendingPathComponent(QwenExport.Layout.shard(item.shard)).appendingPathComponent("done/\(item.key.text).json")
            if let json = try? JSONOutput.read(marker), let o = QwenEpisodeOutcome(marker: json), o.key == item.key, o.shard == item.shard, o.split == item.split {
                try linkTree(part, into: out)
                outcomes.append(o)
            } else {
                missing.append(item.key)
                let o = QwenEpisodeOutcome(key: item.key, path: item.folder.path, split: item.split, shard: item.shard, status: .failed,
                                           reason: "no part in \(part.path): the episode's export failed or has not run", records: 0,
                                           labelledWindows: [], modalities: .null)
                // A single export over this folder later retries it, as it retries any failure.
                try JSONOutput.write(o.markerJSON, to: out.appendingPathComponent(QwenExport.Layout.shard(item.shard)).appendingPathComponent("done/\(item.key.text).json"), indent: nil)
                outcomes.append(o)
            }
        }
        let datasetURL = out.appendingPathComponent(QwenExport.Layout.dataset(zstd: options.zstd))
        let manifestURL = out.appendingPathComponent(QwenExport.Layout.manifest)
        let merged = try QwenExport.merge(out: out, plan: plan, outcomes: outcomes, options: options)
        try JSONOutput.writeLines(merged.lines, to: datasetURL, zstd: options.zstd)
        try JSONOutput.write(merged.manifest, to: manifestURL, indent: 2)
        let summary = QwenExport.Summary(outcomes: outcomes, exportedNow: outcomes.count - missing.count, records: merged.lines.count,
                                         datasetURL: datasetURL, manifestURL: manifestURL, nothingToDo: false)
        return (summary, assignment, missing)
    }

    static func checkPaths(_ options: QwenExportOptions) throws(ExportError) {
        guard options.paths == .relative else {
            throw .invalidOption("a sharded export needs relative record paths (--relative-paths): a part's paths must not name the folder it was made in")
        }
    }

    /// Hard-links every regular file below `source` to the same relative path below `target`
    /// (a file already there is replaced); copies when the two are on different file systems.
    static func linkTree(_ source: URL, into target: URL) throws(ExportError) {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: source.path) else {
            throw .badInput(file: source.path, detail: "cannot list the part's files; make the part again")
        }
        var files: [String] = []
        while let rel = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: source.appendingPathComponent(rel).path, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(rel) }
        }
        for rel in files.sorted() {
            let from = source.appendingPathComponent(rel), to = target.appendingPathComponent(rel)
            do {
                try fm.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                if fm.fileExists(atPath: to.path) { try fm.removeItem(at: to) }
                if link(from.path, to.path) != 0 { try fm.copyItem(at: from, to: to) }
            } catch {
                throw .writeFailed(path: to.path, detail: "cannot link or copy \(from.path) (\(error.localizedDescription))")
            }
        }
    }
}

extension QwenExportPlan {
    /// The plan as stored in `export_plan.json` (``json``), read back: the same items in the
    /// same order, since they are rebuilt from the stored episodes, splits and shard count.
    public init(json: JSONValue, file: String) throws(ExportError) {
        guard let shards = json["shards"]?.numberValue, let rows = json["episodes"]?.arrayValue else {
            throw .badInput(file: file, detail: "expected {\"shards\": N, \"episodes\": [...]}, found another JSON value; make the plan again")
        }
        var folders: [URL] = []
        var splits: [EpisodeKey: String] = [:]
        var skips: [EpisodeKey: String] = [:]
        for (i, row) in rows.enumerated() {
            guard let path = row["episode_path"]?.stringValue, let split = row["split"]?.stringValue else {
                throw .badInput(file: file, detail: "episodes[\(i)]: expected episode_path and split strings; make the plan again")
            }
            let folder = URL(fileURLWithPath: path)
            let key = EpisodeKey(folder: folder)
            folders.append(folder)
            splits[key] = split
            if let reason = row["skip_reason"]?.stringValue { skips[key] = reason }
        }
        self.init(episodes: folders, split: { splits[$0] }, shards: Int(shards), skipReasons: skips)
        guard self.json == json else {
            throw .badInput(file: file, detail: "the stored shard assignment differs from the one its episodes and splits give; make the plan again")
        }
    }
}
