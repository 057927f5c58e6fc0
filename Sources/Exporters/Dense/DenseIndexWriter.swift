import Metrics
import Foundation
import XPCore

extension DenseIndexResult {
    /// The hierarchical targets, in the reference's order.
    public static let targets = ["action_family", "action", "subtask_family", "subtask", "next_action_family", "next_action", "contact", "transition"]

    /// The labels of each seed (`labels{}` of its rows), per episode and seed: the eight
    /// targets in ``targets`` order. Families use the dense 9-family and the subtask
    /// taxonomies with the protocol's matching rule.
    public func seedLabels() -> [[[String]]] {
        let m = options.analysisProtocol.matching
        var actions = FamilyMemo(.denseActions, m), subtasks = FamilyMemo(.subtasks, m)
        return episodes.map { episode in
            episode.seeds.map { s in
                [actions.family(s.action), s.action, subtasks.family(s.subtask), s.subtask, actions.family(s.nextAction), s.nextAction, s.contact, s.transition]
            }
        }
    }

    /// One row of `dense_multiscale_windows.jsonl` (keys are sorted when written).
    public func rowJSON(_ r: Row, labels: [String]) -> JSONValue {
        let scale = options.scales[r.scale]
        let episode = episodes[r.episode]
        let seed = episode.seeds[r.seed]
        let center = Double(r.start + r.end) / 2.0, seedCenter = Double(seed.start + seed.end) / 2.0
        let denseLength = max(r.end - r.start + 1, 1), seedLength = max(seed.end - seed.start + 1, 1)
        let source: JSONValue = .object([
            ("kind", .string(r.kind.rawValue)), ("source_window_id", seed.id), ("source_start_frame", .int(seed.start)),
            ("source_end_frame", .int(seed.end)), ("center_distance_frames", .double(abs(seedCenter - center))),
            ("overlap_frames", .int(r.overlap)),
            ("overlap_fraction_of_dense", .double(Statistics.roundHalfEven(Double(r.overlap) / Double(denseLength), digits: 6))),
            ("overlap_fraction_of_source", .double(Statistics.roundHalfEven(Double(r.overlap) / Double(seedLength), digits: 6))),
        ])
        var fields: [(String, JSONValue)] = [
            ("id", .string("\(episode.id):ms:\(scale.id):\(Self.pad6(r.start))_\(Self.pad6(r.end))")),
            ("run_id", .string(options.runID)), ("episode_id", .string(episode.id)), ("split", .string(episode.split)),
            ("scale_id", .string(scale.id)), ("window_frames", .int(scale.window)), ("stride_frames", .int(scale.stride)),
            ("center_window", .object([("start_frame", .int(r.start)), ("end_frame", .int(r.end)), ("num_frames", .int(scale.window))])),
            ("source_sparse_window", source),
            ("labels", .object(zip(Self.targets, labels).map { ($0, .string($1)) })),
            ("objects", .array(seed.objects)), ("sensor_feature_dim", .int(seed.sensorFeatureDim)),
            ("source_media_names", .array(seed.mediaNames.map { .string($0) })),
            ("source_has_mosaic", .bool(seed.hasMosaic)), ("source_has_audio", .bool(seed.hasAudio)),
        ]
        if options.analysisProtocol == .strict { fields.append(("label_weight", .int(r.kind.labelWeight))) }
        return .object(fields)
    }

    /// Python's `f"{n:06d}"`: at least six digits, a minus sign counting toward the width.
    static func pad6(_ n: Int) -> String {
        let digits = String(abs(n))
        let width = n < 0 ? 5 : 6
        return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // MARK: Counts

    /// Counter items sorted by key (code point), as `dict(sorted(Counter(...).items()))`.
    static func sortedCounts(_ keys: [String]) -> [(String, Int)] {
        var counts = InsertionOrdered<Int>()
        for k in keys { counts.update(k, make: { 0 }) { $0 += 1 } }
        return counts.pairs.sorted { codePointsPrecede($0.0, $1.0) }
    }

    var splitCounts: [(String, Int)] { Self.sortedCounts(rows.map { episodes[$0.episode].split }) }
    var scaleCounts: [(String, Int)] { Self.sortedCounts(rows.map { options.scales[$0.scale].id }) }
    var kindCounts: [(String, Int)] { Self.sortedCounts(rows.map { $0.kind.rawValue }) }

    /// Episodes with at least one row, per split.
    var episodeSplitCounts: [(String, Int)] {
        var seen = Set<Int>()
        var splits: [String] = []
        for r in rows where seen.insert(r.episode).inserted { splits.append(episodes[r.episode].split) }
        return Self.sortedCounts(splits)
    }

    /// (split, scale_id) → windows, sorted by the pair.
    var splitScaleCounts: [(String, String, Int)] {
        var counts = InsertionOrdered<(String, String, Int)>()
        for r in rows {
            let split = episodes[r.episode].split, scale = options.scales[r.scale].id
            counts.update(split + "\u{0}" + scale, make: { (split, scale, 0) }) { $0.2 += 1 }
        }
        return counts.values.sorted { a, b in
            codePointsEqual(a.0, b.0) ? codePointsPrecede(a.1, b.1) : codePointsPrecede(a.0, b.0)
        }
    }

    /// Strict: (split, scale_id, kind) → windows, sorted.
    var splitScaleKindCounts: [(String, String, String, Int)] {
        var counts = InsertionOrdered<(String, String, String, Int)>()
        for r in rows {
            let split = episodes[r.episode].split, scale = options.scales[r.scale].id
            counts.update(split + "\u{0}" + scale + "\u{0}" + r.kind.rawValue, make: { (split, scale, r.kind.rawValue, 0) }) { $0.3 += 1 }
        }
        return counts.values.sorted { a, b in
            if !codePointsEqual(a.0, b.0) { return codePointsPrecede(a.0, b.0) }
            if !codePointsEqual(a.1, b.1) { return codePointsPrecede(a.1, b.1) }
            return codePointsPrecede(a.2, b.2)
        }
    }

    static func countsJSON(_ c: [(String, Int)]) -> JSONValue { .object(c.map { ($0.0, .int($0.1)) }) }

    // MARK: Manifest, statistics

    public static let policy = "nearest sparse-window label inheritance with row-level provenance; not a replacement for raw human frame labels"

    /// `dataset_manifest.json`'s value (written with sorted keys).
    public func manifest(createdAt: String) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("run_id", .string(options.runID)), ("created_at", .string(createdAt)), ("dataset_path", .string(DenseIndexWriter.rowsFile)),
            ("source", .object([("dataset_jsonl", .string(options.datasetPath)), ("num_seed_windows", .int(seedCount)), ("policy", .string(Self.policy))])),
            ("scale_contract", .array(options.scales.map { .object([("scale_id", .string($0.id)), ("window_frames", .int($0.window)), ("stride_frames", .int($0.stride))]) })),
            ("num_samples", .int(rows.count)), ("num_episodes", .int(episodes.count)),
            ("split_counts", Self.countsJSON(splitCounts)), ("episode_split_counts", Self.countsJSON(episodeSplitCounts)),
            ("scale_counts", Self.countsJSON(scaleCounts)), ("label_provenance_counts", Self.countsJSON(kindCounts)),
            ("skipped", .array(skipped.map { s in
                .object([("episode_id", .string(episodes[s.episode].id)), ("split", .string(episodes[s.episode].split)),
                         ("scale_id", .string(options.scales[s.scale].id)), ("reason", .string("episode shorter than requested window"))])
            })),
            ("public_safe", .object([("copies_raw_media", .bool(false)), ("copies_local_paths", .bool(false)),
                                     ("contains_adapter_weights", .bool(false)), ("contains_base_model_weights", .bool(false))])),
        ]
        if options.analysisProtocol == .strict {
            let m = AnalysisProtocol.strict.matching
            let weighted = rows.reduce(0) { $0 + $1.kind.labelWeight }
            fields += [
                ("protocol", .string("strict")),
                ("taxonomies", .object([("action_family", .string(KeywordTaxonomy.denseActions.version(m))),
                                        ("subtask_family", .string(KeywordTaxonomy.subtasks.version(m))),
                                        ("next_action_family", .string(KeywordTaxonomy.denseActions.version(m)))])),
                ("label_weight", .object([
                    ("field", .string("label_weight")),
                    ("weights", .object(DenseIndex.Provenance.allCases.map { ($0.rawValue, .int($0.labelWeight)) })),
                    ("weighted_samples", .int(weighted)),
                    ("note", .string("1 when the labelled sparse window overlaps the dense window (exact or overlap), 0 when it does not (gap): drop or down-weight gap rows, whose label describes other frames")),
                ])),
                ("label_provenance_by_split_scale", .array(splitScaleKindCounts.map {
                    .object([("split", .string($0.0)), ("scale_id", .string($0.1)), ("kind", .string($0.2)), ("windows", .int($0.3))])
                })),
            ]
        }
        return .object(fields)
    }

    /// `hierarchical_label_stats.json`'s value: per target, label counts per split (train,
    /// val, test; rows of other splits are not counted), the top 20 of each split
    /// (`most_common`), and the val/test labels never seen in train.
    public func labelStats(_ labels: [[[String]]]) -> JSONValue {
        let splits = ["train", "val", "test"]
        var entries: [(String, JSONValue)] = []
        for (t, target) in Self.targets.enumerated() {
            var bySplit = splits.map { _ in InsertionOrdered<Int>() }
            for r in rows {
                guard let s = splits.firstIndex(of: episodes[r.episode].split) else { continue }
                bySplit[s].update(labels[r.episode][r.seed][t], make: { 0 }) { $0 += 1 }
            }
            let train = Set(bySplit[0].keys.map(CodePoints.init))
            var all = Set<CodePoints>()
            for c in bySplit { all.formUnion(c.keys.map(CodePoints.init)) }
            func top(_ c: InsertionOrdered<Int>) -> JSONValue {
                let ordered = c.pairs.enumerated().sorted { a, b in a.element.1 != b.element.1 ? a.element.1 > b.element.1 : a.offset < b.offset }
                return .array(ordered.prefix(20).map { .object([("label", .string($0.element.0)), ("count", .int($0.element.1))]) })
            }
            func unseen(_ c: InsertionOrdered<Int>) -> JSONValue {
                .array(c.keys.filter { !train.contains(CodePoints($0)) }.sorted(by: codePointsPrecede).map { .string($0) })
            }
            entries.append((target, .object([
                ("num_labels", .int(all.count)), ("num_train_labels", .int(train.count)),
                ("split_top_labels", .object(zip(splits, bySplit).map { ($0, top($1)) })),
                ("unseen_val_labels", unseen(bySplit[1])), ("unseen_test_labels", unseen(bySplit[2])),
            ])))
        }
        return .object(entries)
    }

    /// `RUN_REPORT.md`. Strict puts the provenance counts first.
    public func report(manifest: JSONValue, stats: JSONValue) -> String {
        func repr(_ key: String) -> String { manifest.pythonGet(key)?.pythonRepr ?? "None" }
        var lines = [
            "# Dense/Multiscale Hierarchical 128-Episode Dataset", "",
            "Run id: `\(options.runID)`", "",
            "This compact dataset expands the current 128-episode sparse export without adding raw episodes.",
            "Labels for newly generated dense windows are inherited from the nearest sparse labeled window and every row records that provenance.", "",
        ]
        if options.analysisProtocol == .strict {
            let total = max(rows.count, 1)
            lines += ["## Label Provenance (strict protocol)", "",
                      "Each row's `label_weight` is 1 when its label comes from a sparse window that overlaps it and 0 when the nearest sparse window lies elsewhere (a gap row): drop or down-weight gap rows.", "",
                      "| provenance | windows | share | label_weight |", "| --- | ---: | ---: | ---: |"]
            for (kind, n) in provenanceCounts {
                lines.append("| `\(kind.rawValue)` | \(n) | \(String(format: "%.4f", Double(n) / Double(total))) | \(kind.labelWeight) |")
            }
            lines += ["", "| scale | exact | overlap | gap | gap share |", "| --- | ---: | ---: | ---: | ---: |"]
            for (k, scale) in options.scales.enumerated() {
                let kinds = DenseIndex.Provenance.allCases.map { kind in rows.filter { $0.scale == k && $0.kind == kind }.count }
                let n = kinds.reduce(0, +)
                lines.append("| `\(scale.id)` | \(kinds[0]) | \(kinds[1]) | \(kinds[2]) | \(String(format: "%.4f", n > 0 ? Double(kinds[2]) / Double(n) : 0)) |")
            }
            lines.append("")
        }
        lines += [
            "## Counts", "",
            "- Seed sparse windows: `\(seedCount)`",
            "- Dense/multiscale windows: `\(rows.count)`",
            "- Episodes: `\(episodes.count)`",
            "- Split counts: `\(repr("split_counts"))`",
            "- Scale counts: `\(repr("scale_counts"))`",
            "- Label provenance: `\(repr("label_provenance_counts"))`", "",
            "## Target Families", "",
            "| target | labels | train labels | unseen test labels |",
            "| --- | ---: | ---: | ---: |",
        ]
        for target in Self.targets {
            let e = stats.pythonGet(target)
            let labels = e?.pythonGet("num_labels")?.pythonString ?? "0", train = e?.pythonGet("num_train_labels")?.pythonString ?? "0"
            let unseen = e?.pythonGet("unseen_test_labels")?.arrayValue?.count ?? 0
            lines.append("| `\(target)` | \(labels) | \(train) | \(unseen) |")
        }
        lines += [
            "", "## Files", "",
            "- `dense_multiscale_windows.jsonl`: compact row-level windows and labels.",
            "- `dataset_manifest.json`: counts, scale contract, and provenance policy.",
            "- `hierarchical_label_stats.json`: label cardinality and unseen-label diagnostics.",
            "- `split_scale_counts.csv`: split/scale window counts.",
        ]
        if options.analysisProtocol == .strict { lines.append("- `split_scale_provenance_counts.csv`: split/scale/provenance window counts.") }
        lines += ["", "This package is intended for fast baselines and for planning the heavier raw-media Qwen3-Omni and Cosmos3 runs."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `split_scale_counts.csv`. With no rows the reference's field names are empty, so
    /// `csv.DictWriter` writes an empty header: the file is one newline.
    public var splitScaleCSV: String {
        let counts = splitScaleCounts
        guard !counts.isEmpty else { return "\n" }
        var w = CSVWriter(lineTerminator: .lf)
        w.writeRow(["split", "scale_id", "windows"])
        for c in counts { w.writeRow([c.0, c.1, String(c.2)]) }
        return w.text
    }

    var splitScaleKindCSV: String {
        var w = CSVWriter(lineTerminator: .lf)
        w.writeRow(["split", "scale_id", "kind", "windows", "label_weight"])
        for c in splitScaleKindCounts { w.writeRow([c.0, c.1, c.2, String(c.3), String(DenseIndex.Provenance(rawValue: c.2)?.labelWeight ?? 0)]) }
        return w.text
    }
}

/// Writes a built index into a folder.
public enum DenseIndexWriter {
    public static let rowsFile = "dense_multiscale_windows.jsonl"
    public static let manifestFile = "dataset_manifest.json"
    public static let statsFile = "hierarchical_label_stats.json"
    public static let countsFile = "split_scale_counts.csv"
    public static let provenanceFile = "split_scale_provenance_counts.csv"
    public static let reportFile = "RUN_REPORT.md"
    public static let allFiles = [rowsFile, manifestFile, statsFile, countsFile, provenanceFile, reportFile]

    /// Python's `datetime.now(timezone.utc).isoformat()`: microseconds unless they are 0.
    public static func isoNow(_ date: Date = Date()) -> String {
        let t = date.timeIntervalSince1970
        var seconds = time_t(t.rounded(.down))
        var micros = Int(((t - Double(seconds)) * 1_000_000).rounded(.down))
        if micros >= 1_000_000 { seconds += 1; micros -= 1_000_000 }
        var tm = tm()
        gmtime_r(&seconds, &tm)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                          Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
        if micros != 0 { text += String(format: ".%06d", micros) }
        return text + "+00:00"
    }

    /// Writes every file into `folder`. A non-empty folder is refused unless `force`; with
    /// `force`, this run's files replace those of the same names (each atomically) and a
    /// strict-only file of an earlier strict run is removed by a reference run, so the folder
    /// never mixes two runs' files. Other files are left alone.
    @discardableResult
    public static func write(_ index: DenseIndexResult, to folder: URL, force: Bool) throws(ErrorAnalysisError) -> [URL] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .writeFailed(path: folder.path, detail: "is a file, not a folder") }
            let entries = (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
            if !entries.isEmpty && !force {
                throw .invalidOption("refusing to write into the non-empty folder \(folder.path) without --force")
            }
        }
        do { try fm.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw .writeFailed(path: folder.path, detail: "cannot create the folder: \(error.localizedDescription)")
        }
        let labels = index.seedLabels()
        let created = index.options.createdAt ?? isoNow()
        let manifest = index.manifest(createdAt: created)
        let stats = index.labelStats(labels)
        var urls: [URL] = []

        // The rows are streamed to a temporary sibling, then renamed into place.
        let rowsURL = folder.appendingPathComponent(rowsFile)
        let temporary = AtomicFile.temporarySibling(of: rowsURL)
        guard fm.createFile(atPath: temporary.path, contents: nil), let handle = try? FileHandle(forWritingTo: temporary) else {
            throw .writeFailed(path: rowsURL.path, detail: "cannot create a temporary file beside it")
        }
        let style = PythonJSONStyle(ensureASCII: false, sortKeys: true)
        var buffer = Data()
        do {
            for r in index.rows {
                buffer.append(contentsOf: index.rowJSON(r, labels: labels[r.episode][r.seed]).pythonJSON(style).utf8)
                buffer.append(0x0A)
                if buffer.count >= 1 << 22 { try handle.write(contentsOf: buffer); buffer.removeAll(keepingCapacity: true) }
            }
            try handle.write(contentsOf: buffer)
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temporary.path)
            throw .writeFailed(path: rowsURL.path, detail: error.localizedDescription)
        }
        do { try AtomicFile.commit(temporary, to: rowsURL) } catch { throw .writeFailed(path: rowsURL.path, detail: "\(error)") }
        urls.append(rowsURL)

        var files: [(String, String)] = [
            (manifestFile, manifest.pythonJSON(PythonJSONStyle(ensureASCII: true, sortKeys: true), indent: 2) + "\n"),
            (statsFile, stats.pythonJSON(PythonJSONStyle(ensureASCII: true, sortKeys: true), indent: 2) + "\n"),
            (countsFile, index.splitScaleCSV),
        ]
        if index.options.analysisProtocol == .strict { files.append((provenanceFile, index.splitScaleKindCSV)) }
        files.append((reportFile, index.report(manifest: manifest, stats: stats)))
        for (name, text) in files {
            let url = folder.appendingPathComponent(name)
            do { try AtomicFile.write(Data(text.utf8), to: url) } catch { throw .writeFailed(path: url.path, detail: "\(error)") }
            urls.append(url)
        }
        if index.options.analysisProtocol == .reference { try? fm.removeItem(at: folder.appendingPathComponent(provenanceFile)) }
        return urls
    }
}
