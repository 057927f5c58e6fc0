import ArgumentParser
import EpisodeIO
import Exporters
import Foundation
import ToolSupport
import XPCore

/// `xp-select`: choose and split episodes (the §5.1 pilot selection, or a session-grouped split
/// of every usable episode), then audit the split for leakage.
struct XPSelect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xp-select",
        abstract: "Select and split episodes (train/val/test, session-disjoint) and audit the split for leakage.",
        discussion: """
            PATH is an xp-scan output folder (holding episode_manifest.json), that manifest itself, or a metadata \
            table of the release's files (.csv with columns rfilename,size[,lfs_size], or .json: a dump of \
            HfApi.repo_info(files_metadata=True) with "siblings", or a plain array of {rfilename, size}).

            --method pilot (the default for a metadata table) runs the 128-episode selection of the reference: complete \
            episodes, the bottom 5 % of annotation and training sizes dropped, four annotation-size bands, one episode \
            per session, then a 75/12.5/12.5 split per band. Writes selection.json, selection.csv, split.json, \
            leakage_audit.json.

            --method all (the default for an episode manifest) splits every usable episode by session (no session in \
            two splits) in proportion to 96/16/16, ordered by sha256("<seed>:<session>"). Writes selection.json \
            (counts and the episodes left out), split.json, leakage_audit.json.

            --split FILE takes a split.json as it is (validated against the dataset), copies it to DIR/split.json and \
            only audits it.

            Exit status: 0 when the audit passes, 1 when it fails or an input cannot be used (the file is named), \
            2 for usage errors.

            Examples:
              xp-select scan-out/ --out split-out
              xp-select hf_listing.csv --out pilot --target 128 --seed 7
              xp-select scan-out/episode_manifest.json --out audit --split my_split.json --protocol strict
            """
    )

    enum Method: String, ExpressibleByArgument, CaseIterable { case pilot, all }

    enum Limits {
        static let target = 1...1_000_000
        static let seed = 0...Int(Int32.max)
        static let floor = 0...(1 << 50)
    }

    @Argument(help: "xp-scan output folder, episode_manifest.json, or a metadata table (.csv or .json).")
    var path: String

    @Option(help: ArgumentHelp("Output folder (created if missing; existing files of the same names are replaced).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("pilot (the §5.1 selection) or all (every usable episode, split by session).", valueName: "method"))
    var method: Method?

    @Option(parsing: .unconditional, help: ArgumentHelp("Episodes to select with --method pilot \(Bounds.text(Limits.target)).", valueName: "n"))
    var target = 128

    @Option(parsing: .unconditional, help: ArgumentHelp("Seed of the sha256 orderings \(Bounds.text(Limits.seed)).", valueName: "n"))
    var seed = 7

    @Option(parsing: .unconditional, help: ArgumentHelp("Smallest annotation.hdf5 kept by --method pilot, before the 5 % rule \(Bounds.text(Limits.floor)).", valueName: "bytes"))
    var annotationFloorBytes = 536_870_912

    @Option(help: ArgumentHelp("Use this split.json as it is and only audit it.", valueName: "file"))
    var split: String?

    @Option(name: .customLong("protocol"), help: ArgumentHelp("Leakage rules: reference (test-only labels noted) or strict (a failure).", valueName: "protocol"))
    var auditProtocol: LeakageProtocol = .reference

    func validate() throws {
        try Bounds.check(target, "--target", in: Limits.target)
        try Bounds.check(seed, "--seed", in: Limits.seed)
        try Bounds.check(annotationFloorBytes, "--annotation-floor-bytes", in: Limits.floor)
        if split != nil, method != nil { throw ValidationError("--split uses the given split as it is; leave out --method") }
    }

    /// What PATH is.
    enum Input { case manifest(URL), table(URL) }

    func resolveInput() throws -> Input {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw ToolError("\(path) does not exist") }
        if isDirectory.boolValue {
            let manifest = url.appendingPathComponent("episode_manifest.json")
            guard FileManager.default.fileExists(atPath: manifest.path) else {
                throw ToolError("\(path) is a folder without episode_manifest.json; run xp-scan first, or name a metadata table")
            }
            return .manifest(manifest)
        }
        switch url.pathExtension.lowercased() {
        case "csv": return .table(url)
        case "json":
            guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
                throw ToolError("cannot read \(path)")
            }
            let value: JSONValue
            do { value = try JSONParser.parse(text) } catch { throw ToolError("\(path): not JSON: \(error)") }
            return Catalogue.isEpisodeManifest(value) ? .manifest(url) : .table(url)
        default: throw ToolError("\(path): expected a folder, episode_manifest.json, or a .csv/.json metadata table")
        }
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out)
        try Tool.checkOutput(outURL, option: "--out")
        let input = try resolveInput()
        let catalogue: Catalogue
        switch input {
        case .manifest(let url): catalogue = try Catalogue.load(episodeManifest: url)
        case .table(let url): catalogue = try Catalogue.load(metadataTable: url)
        }
        let dataset = Set(catalogue.episodes.map(\.key))
        // Read a supplied split before anything is written.
        let supplied: (EpisodeSplitAssignment, Data)? = try split.map { file in
            let url = URL(fileURLWithPath: file)
            let assignment = try EpisodeSplitAssignment.read(url, dataset: dataset)
            return (assignment, try Data(contentsOf: url))
        }
        try Tool.prepareOutputFolder(outURL, option: "--out")
        for u in catalogue.unusable { Tool.note("xp-select: not a candidate: \(u.name): \(u.reason)") }

        let assignment: EpisodeSplitAssignment
        if let (given, bytes) = supplied {
            assignment = given
            try AtomicFile.write(bytes, to: outURL.appendingPathComponent("split.json"))
            Tool.note("xp-select: auditing the supplied split \(split!) (\(given.entries.count) episodes)")
        } else {
            let chosen: Method
            if let method { chosen = method } else if case .table = input { chosen = .pilot } else { chosen = .all }
            switch chosen {
            case .pilot:
                var options = SelectionOptions()
                options.target = target
                options.seed = seed
                options.annotationFloorBytes = annotationFloorBytes
                if let repoID = catalogue.repoID { options.repoID = repoID }
                let selection = try PilotSelection.run(catalogue.episodes, options: options)
                try selection.write(to: outURL, repoSHA: catalogue.repoSHA)
                assignment = selection.assignment
                let rejected = selection.rejectedCounts.map { "\($0.count) \($0.reason)" }.joined(separator: ", ")
                print("complete \(selection.completeCount), candidates \(selection.candidateCount)" + (rejected.isEmpty ? "" : " (\(rejected))"))
            case .all:
                assignment = EpisodeSplitAssignment.grouped(catalogue.episodes, seed: seed)
                let summary: JSONValue = .object([
                    ("selection_type", .string("all_usable_episodes")),
                    ("method", .string(assignment.method)),
                    ("seed", .int(seed)),
                    ("source", .string(catalogue.source)),
                    ("episode_count", .int(assignment.entries.count)),
                    ("session_count", .int(Set(assignment.entries.map(\.session)).count)),
                    ("split_counts", .object(SplitNames.all.map { ($0, .int(assignment.counts[$0] ?? 0)) })),
                    ("split_session_counts", .object(SplitNames.all.map { ($0, .int(assignment.sessions(in: $0).count)) })),
                    ("not_candidates", .array(catalogue.unusable.map { .object([("episode", .string($0.name)), ("reason", .string($0.reason))]) })),
                    ("episodes", assignment.json["episodes"] ?? .array([])),
                ])
                try AtomicFile.write(Data((summary.pythonJSON(indent: 2) + "\n").utf8), to: outURL.appendingPathComponent("selection.json"))
            }
            try assignment.write(to: outURL.appendingPathComponent("split.json"))
        }
        let audit = LeakageAudit(split: assignment, protocol: auditProtocol)
        try audit.write(to: outURL.appendingPathComponent("leakage_audit.json"))
        let counts = assignment.counts
        print("split train \(counts["train"] ?? 0) / val \(counts["val"] ?? 0) / test \(counts["test"] ?? 0) over \(audit.sessionCount) sessions; audit \(audit.passed ? "pass" : "FAIL") (\(outURL.path)/leakage_audit.json)")
        if !audit.passed {
            for check in audit.checks where check.status == .fail {
                Tool.note("xp-select: leakage check \(check.name) failed: \(check.offendingCount) offending (\(check.offending.prefix(3).map { $0.pythonJSON() }.joined(separator: "; ")))")
            }
            throw ExitCode(1)
        }
    }
}

extension LeakageProtocol: ExpressibleByArgument {}

Tool.main(XPSelect.self)
