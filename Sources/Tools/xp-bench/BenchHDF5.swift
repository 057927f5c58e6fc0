import ArgumentParser
import EpisodeIO
import Foundation
import ToolSupport

/// `xp-bench hdf5`: generating the `sample` episode, reading every non-depth per-frame array
/// and resolving the caption, and streaming depth frame by frame, side by side with h5py.
struct BenchHDF5: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hdf5",
        abstract: "Benchmark annotation.hdf5 generation and reads on the sample-size synthetic episode.",
        discussion: """
            Generates (once) the sample-size synthetic annotation.hdf5 (5,821 frames, depth 256x256) \
            in the cache folder, then times: all non-depth per-frame arrays plus caption resolution, \
            and depth + confidence read one frame at a time. Benchmarks/hdf5.py does the same reads \
            with h5py when python3 has h5py and numpy; the JSON reports both and their ratio.

            Example:
              swift run -c release xp-bench hdf5 --repeats 5
            """)

    @Option(help: "Folder for the generated episode (reused when present).")
    var cache: String = ".build/xp-bench-cache/hdf5"

    @Option(parsing: .unconditional, help: "Timed repeats (medians are reported), in \(Bounds.text(Limits.repeats)).")
    var repeats: Int = 3

    @Option(parsing: .unconditional, help: "Frames of the generated episode, in \(Bounds.text(Limits.frames)).")
    var frames: Int = 5821

    /// The allowed values of the numeric options (checked in `validate()`).
    enum Limits {
        static let repeats = 1...100
        static let frames = 100...50_000
    }

    func validate() throws {
        try Bounds.check(repeats, "--repeats", in: Limits.repeats)
        try Bounds.check(frames, "--frames", in: Limits.frames)
    }

    func run() throws {
        // Before any work: the episode is generated under --cache.
        try Tool.checkOutput(URL(fileURLWithPath: cache), option: "--cache")
        let folder = URL(fileURLWithPath: cache).appendingPathComponent("sample-seed7")
        let annotation = folder.appendingPathComponent("annotation.hdf5").path
        var result: [String: Any] = ["area": "hdf5", "frames": frames, "repeats": repeats,
                                     "cores": ProcessInfo.processInfo.activeProcessorCount]
        if !FileManager.default.fileExists(atPath: annotation) {
            let start = Date()
            try SyntheticEpisode.write(.sample(seed: 7, frames: frames), to: folder)
            result["generate_annotation_seconds"] = Date().timeIntervalSince(start)
        } else {
            result["generate_annotation_seconds"] = "cached"
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: annotation)[.size] as? Int) ?? 0
        result["annotation_bytes"] = bytes

        // Non-depth per-frame arrays and the caption.
        let readAll = {
            let episode = try Episode(path: folder.path)
            _ = try episode.timeline()
            _ = try episode.cameraPoses()
            _ = try episode.hands()
            _ = try episode.body()
            _ = try episode.imu()
            for name in ["hand_mocap/left_mano_hand_pose", "hand_mocap/right_mano_hand_pose", "full_body_mocap/body_quats",
                         "full_body_mocap/Ts_world_cpf", "full_body_mocap/Ts_world_root"] {
                let _: [Float] = try episode.file.read(name)
            }
            _ = try episode.captions()
        }
        try readAll()
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = Date()
            try readAll()
            times.append(Date().timeIntervalSince(start))
        }
        result["per_frame_arrays_and_caption_seconds"] = benchMedian(times)

        // The raw reads alone, the same datasets h5py reads in Benchmarks/hdf5.py.
        let rawNames = ["slam/quat_wxyz", "slam/trans_xyz", "hand_mocap/left_joints_3d", "hand_mocap/right_joints_3d",
                        "full_body_mocap/keypoints", "full_body_mocap/contacts", "imu/device_timestamp_ns", "imu/accel_xyz",
                        "imu/gyro_xyz", "imu/keyframe_indices", "hand_mocap/left_mano_hand_pose", "hand_mocap/right_mano_hand_pose",
                        "full_body_mocap/body_quats", "full_body_mocap/Ts_world_cpf", "full_body_mocap/Ts_world_root",
                        "calibration/cam01/T_c0_b"]
        let readRaw = {
            let file = try HDF5File(path: annotation)
            for name in rawNames { let _: [Double] = try file.read(name) }
            _ = try file.readStrings("slam/frame_names")
            _ = try file.readStrings("video/device_timestamp")
            _ = try CaptionDocument(json: file.readString("caption"), file: annotation)
        }
        try readRaw()
        var rawTimes: [Double] = []
        for _ in 0..<repeats {
            let start = Date()
            try readRaw()
            rawTimes.append(Date().timeIntervalSince(start))
        }
        result["per_frame_arrays_raw_seconds"] = benchMedian(rawTimes)
        result["per_frame_arrays_and_caption_target_seconds"] = 0.5

        // Depth frame by frame.
        let episode = try Episode(path: folder.path)
        let reader = try episode.depthReader()
        let info = reader.info
        let frameBytes = Double(info.height * info.width * 5)
        var depthTimes: [Double] = []
        var block = DepthFrames(range: 0..<0, height: 0, width: 0, depth: [], confidence: nil)
        for r in 0...repeats {
            let start = Date()
            for i in 0..<info.frames { try reader.read(i..<(i + 1), into: &block) }
            if r > 0 { depthTimes.append(Date().timeIntervalSince(start)) }
        }
        let depthSeconds = benchMedian(depthTimes)
        result["depth_frame_by_frame_seconds"] = depthSeconds
        result["depth_frames_per_second"] = Double(info.frames) / depthSeconds
        result["depth_gb_per_second"] = Double(info.frames) * frameBytes / depthSeconds / 1e9

        // h5py, same reads, same run.
        if let python = findPython(importing: "h5py, numpy"), let script = benchScript("hdf5.py") {
            if let run = try? runProcess(python, [script, annotation, String(repeats)], includeStderr: false), run.status == 0,
               let data = run.output.data(using: .utf8),
               let py = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
                result["h5py"] = py
                if let t = py["per_frame_arrays_seconds"] as? Double { result["ratio_per_frame_arrays_raw_h5py_over_swift"] = t / benchMedian(rawTimes) }
                if let t = py["depth_frame_by_frame_seconds"] as? Double { result["ratio_depth_h5py_over_swift"] = t / depthSeconds }
            } else {
                result["h5py"] = "Benchmarks/hdf5.py failed"
            }
        } else {
            result["h5py"] = "not run: python3 with h5py and numpy not found (pip install h5py numpy)"
        }
        result["peak_rss_mb"] = benchPeakRSSMegabytes()
        print(benchJSON(result))
    }
}
