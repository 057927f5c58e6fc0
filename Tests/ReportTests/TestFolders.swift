import Foundation

/// Small run folders written by the tests, with numbers chosen so every expected mark can
/// be worked out by hand.
enum TestFolders {
    static func scratch(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xp-report-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, _ folder: URL, _ path: String) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// A strict two-seed suite run: timeline_action (today's keys: mean over seeds, a
    /// first-seed interval), hand_trajectory_forecast and temporal_order (the strict-II keys),
    /// a neural timeline_action; windows, predictions, boundaries, confusion and a forecast NPZ.
    static func suite() throws -> URL {
        let root = try scratch("suite")
        try write("""
            {"annotation": "ep1", "num_frames": 40, "num_windows": 5, "feature_dim": 4, "window_frames": 20, "stride_frames": 5,
             "tasks": {"timeline_action": {"macro_f1": 0.6}, "hand_trajectory_forecast": {"mpjpe": 0.8}, "temporal_order": {"f1": 0.1}},
             "neural_tasks": {"timeline_action": {"macro_f1": 0.4, "baselines": {"majority": 0.2}}},
             "protocol": "strict", "seeds": [7, 8], "split": "purged_chronological", "episodes": ["ep1"]}
            """, root, "summary_report.json")
        try write("""
            {"macro_f1": 0.6, "accuracy": 0.7, "seed": 7, "task_display_name": "Action Recognition", "protocol": "strict",
             "baselines": {"majority": 0.2, "chance": 0.25},
             "primary_interval": {"estimate": 0.6, "lower": 0.5, "upper": 0.7, "standardError": 0.05, "confidence": 0.95, "resamples": 1000, "validResamples": 1000, "blockLength": 4, "seed": 7},
             "unseen_test_classes": ["C"],
             "primary_over_seeds": {"metric": "macro_f1", "mean": 0.55, "std": 0.05, "seeds": [7, 8], "values": [0.6, 0.5]}}
            """, root, "timeline_action/metrics.json")
        try write("""
            {"mpjpe": 0.8, "primary_metric": "mpjpe", "seed": 7,
             "interval": {"low": 0.7, "high": 0.9, "level": 0.95, "method": "block bootstrap over samples and seeds", "block": 4},
             "baselines": [{"name": "last_pose", "value": 1.0}, {"name": "mean_pose", "value": 1.2}],
             "strongest_baseline": {"name": "last_pose", "value": 1.0}, "beats_baseline": true}
            """, root, "hand_trajectory_forecast/metrics.json")
        try write("""
            {"f1": 0.1, "auroc": 0.7, "primary_metric": "auroc", "baselines": [{"name": "chance", "value": 0.5}],
             "strongest_baseline": {"name": "chance", "value": 0.5}, "beats_baseline": false}
            """, root, "temporal_order/metrics.json")
        try write(#"{"macro_f1": 0.4, "baselines": {"majority": 0.2}}"#, root, "neural_mlp/timeline_action/metrics.json")
        try write("""
            window_index,start_frame,end_frame,center_frame,action_label,action_fraction,subtask_label,subtask_fraction\r
            0,0,19,9,A,1.0,S,1.0\r
            1,5,24,14,A,1.0,S,1.0\r
            2,10,29,19,B,1.0,S,1.0\r
            3,15,34,24,B,1.0,T,1.0\r
            4,20,39,29,,0.5,T,1.0\r

            """, root, "windows.csv")
        try write("""
            window_index,start_frame,end_frame,center_frame,true_label,predicted_label,confidence,correct
            3,15,34,24,B,B,0.9,1
            4,20,39,29,,"A, ""quoted""\",0.4,0

            """, root, "timeline_action/predictions.csv")
        try write("true\\pred,A,B,C\nA,3,1,0\nB,0,2,0\nC,1,0,0\n", root, "timeline_action/confusion_matrix.csv")
        try write("class_id,class_name,support,predicted,precision,recall,f1\n0,A,4,4,0.75,0.75,0.75\n1,B,2,3,0.6666666666666666,1.0,0.8\n2,C,1,0,0.0,0.0,0.0\n",
                  root, "timeline_action/per_class_metrics.csv")
        try write("frame\n10\n20\n", root, "transition_detection/true_boundaries.csv")
        // Two test windows, two forecast frames: 252 values a row; left wrist x = joint 0, right = joint 21.
        var truth = [Float](repeating: 0, count: 2 * 252), pred = truth
        for r in 0..<2 {
            for f in 0..<2 {
                truth[r * 252 + f * 126 + 0] = Float(r + f)          // left wrist x
                truth[r * 252 + f * 126 + 63] = Float(-(r + f))      // right wrist x
                pred[r * 252 + f * 126 + 0] = Float(r + f) + 0.5
                pred[r * 252 + f * 126 + 63] = Float(-(r + f)) - 0.5
            }
        }
        let npz = storedZip([("y_true.npy", npy(truth, shape: [2, 252])), ("y_pred.npy", npy(pred, shape: [2, 252])),
                             ("test_window_indices.npy", npyInt([3, 4]))])
        try npz.write(to: root.appendingPathComponent("hand_trajectory_forecast/predictions.npz"))
        return root
    }

    /// A NumPy v1 file of little-endian float32.
    static func npy(_ values: [Float], shape: [Int]) -> Data {
        var body = Data()
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        return npyHeader("<f4", shape) + body
    }

    static func npyInt(_ values: [Int64]) -> Data {
        var body = Data()
        for v in values { withUnsafeBytes(of: v.littleEndian) { body.append(contentsOf: $0) } }
        return npyHeader("<i8", [values.count]) + body
    }

    static func npyHeader(_ descr: String, _ shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        d.append(UInt8(header.utf8.count & 0xFF))
        d.append(UInt8(header.utf8.count >> 8))
        d.append(contentsOf: Array(header.utf8))
        return d
    }

    /// A ZIP of stored members (local headers only: what the reader walks; CRC left 0).
    static func storedZip(_ members: [(String, Data)]) -> Data {
        var out = Data()
        func u16(_ v: Int) { out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF)) }
        func u32(_ v: Int) { u16(v & 0xFFFF); u16((v >> 16) & 0xFFFF) }
        for (name, data) in members {
            u32(0x0403_4B50); u16(20); u16(0); u16(0); u16(0); u16(0); u32(0)
            u32(data.count); u32(data.count); u16(name.utf8.count); u16(0)
            out.append(contentsOf: Array(name.utf8))
            out.append(data)
        }
        return out
    }
}
