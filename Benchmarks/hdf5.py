"""h5py counterpart of `xp-bench hdf5`: the same reads on the same file.

usage: python3 Benchmarks/hdf5.py ANNOTATION.hdf5 REPEATS
Prints one JSON object with median seconds.
"""
import json
import statistics
import sys
import time

import h5py
import numpy as np

PER_FRAME = [
    "slam/frame_names", "video/device_timestamp", "slam/quat_wxyz", "slam/trans_xyz",
    "hand_mocap/left_joints_3d", "hand_mocap/right_joints_3d", "full_body_mocap/keypoints",
    "full_body_mocap/contacts", "imu/device_timestamp_ns", "imu/accel_xyz", "imu/gyro_xyz",
    "imu/keyframe_indices", "hand_mocap/left_mano_hand_pose", "hand_mocap/right_mano_hand_pose",
    "full_body_mocap/body_quats", "full_body_mocap/Ts_world_cpf", "full_body_mocap/Ts_world_root",
    "calibration/cam01/T_c0_b",
]


def read_all(path):
    with h5py.File(path, "r") as f:
        arrays = {name: f[name][...] for name in PER_FRAME}
        caption = json.loads(f["caption"][()])
    names = [n.tobytes().decode("utf-8", "replace").strip("\x00") for n in arrays["slam/frame_names"]]
    lookup = {n: i for i, n in enumerate(names)}
    for seg in caption.get("segments", []):
        for action in seg.get("Current Action", []):
            lookup.get(str(action.get("start_frame")), -1)
    return arrays


def depth_frames(path):
    with h5py.File(path, "r") as f:
        d, c = f["depth/depth"], f["depth/confidence"]
        for i in range(d.shape[0]):
            _ = d[i]
            _ = c[i]


def timed(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    path, repeats = sys.argv[1], int(sys.argv[2])
    print(json.dumps({
        "h5py_version": h5py.__version__,
        "numpy_version": np.__version__,
        "per_frame_arrays_seconds": timed(lambda: read_all(path), repeats),
        "depth_frame_by_frame_seconds": timed(lambda: depth_frames(path), repeats),
    }))


if __name__ == "__main__":
    main()
