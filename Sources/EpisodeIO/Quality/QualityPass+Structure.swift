/// The file's structure against the release schema: a group table that cannot be walked,
/// datasets absent, of the wrong type, of the wrong shape, or with another row count than N.
extension QualityPass {
    func checkStructure() {
        let walk = episode.file.walk()
        for info in walk.datasets { datasets[info.path] = info }
        for failure in walk.failures {
            add(.corruptStructure, .error, dataset: failure.path, modality: nil,
                expected: "a readable HDF5 group or dataset", found: failure.reason,
                action: "The file's internal tables are damaged: download the episode again. Datasets below this point are reported as unreadable, not as absent.")
        }
        let damaged = !walk.failures.isEmpty

        // N: the frame names, else the first per-frame dataset (the toolkit's fallback).
        frames = (try? episode.timeline())?.frameCount
        var sizes: [String: Int] = [:]
        if let frames { sizes["N"] = frames }
        if let m = datasets["imu/device_timestamp_ns"]?.shape.first { sizes["M"] = m }
        if let d = datasets["depth/depth"], d.shape.count == 3 { sizes["H"] = d.shape[1]; sizes["W"] = d.shape[2] }

        var absent: [SchemaEntry] = []
        for entry in EpisodeSchema.entries {
            guard let info = datasets[entry.path] else {
                // Behind a damaged table "absent" may be wrong: say whether it still opens by path.
                if damaged, episode.file.kind(of: entry.path) == .dataset { continue }
                absent.append(entry)
                continue
            }
            if !entry.element.accepts(info.type) {
                malformed.insert(entry.path)
                add(.wrongType, .error, dataset: entry.path, modality: entry.modality, expected: entry.element.description, found: info.type.description,
                    action: "Readers refuse this dataset; the modality is left out. Re-export the episode with the release's dtypes.")
                continue
            }
            var shape = info.shape
            if entry.path.hasPrefix("full_body_mocap/"), shape.count == entry.shape.count + 1, shape.first == 1 { shape.removeFirst() }
            guard shape.count == entry.shape.count else {
                malformed.insert(entry.path)
                add(.wrongShape, .error, dataset: entry.path, modality: entry.modality, expected: entry.shapeDescription, found: info.shapeDescription,
                    action: "Readers refuse this dataset; the modality is left out.")
                continue
            }
            var rowsWrong: (expected: Int, found: Int)?
            var otherWrong = false
            for (k, (size, dim)) in zip(shape, entry.shape).enumerated() {
                switch dim {
                case .fixed(let n) where n != size: otherWrong = true
                case .symbol(let s):
                    guard let expected = sizes[s], expected != size else { break }
                    if k == 0 && s == "N" { rowsWrong = (expected, size) } else { otherWrong = true }
                default: break
                }
            }
            if otherWrong {
                malformed.insert(entry.path)
                add(.wrongShape, .error, dataset: entry.path, modality: entry.modality, expected: entry.shapeDescription, found: info.shapeDescription,
                    action: "Readers refuse this dataset; the modality is left out.")
            } else if let rowsWrong {
                malformed.insert(entry.path)
                add(.rowCountMismatch, .error, dataset: entry.path, modality: entry.modality, expected: "N = \(rowsWrong.expected) rows (the frame timeline)",
                    found: "\(rowsWrong.found) rows", action: "The dataset does not line up with the frames; it is left out rather than misaligned. Re-export or re-trim the episode.")
            }
        }
        if !absent.isEmpty {
            for (modality, entries) in Dictionary(grouping: absent, by: \.modality).sorted(by: { $0.key < $1.key }) {
                let paths = entries.map(\.path)
                add(.missingDataset, .warning, dataset: paths.count == 1 ? paths[0] : paths.joined(separator: ", "), modality: modality,
                    expected: "\(paths.count == 1 ? "the dataset" : "\(paths.count) datasets") of the release schema",
                    found: "absent", action: "What needs \(modality.rawValue) is left out for this episode; `xp-inspect` lists what it can still be used for.")
            }
        }
        checked.append("structure (\(datasets.count) datasets)")
    }
}
