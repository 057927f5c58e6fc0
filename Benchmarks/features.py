"""numpy + OpenCV counterpart of `xp-bench features`: the reference feature formulas
(task-suite spec §1.3, §1.4, §2) on the same episode, timed per modality.

usage: python3 Benchmarks/features.py EPISODE_DIR CAPTION_TEXTS.json OUT.npy

- EPISODE_DIR holds annotation.hdf5 and the six MP4s.
- CAPTION_TEXTS.json is a JSON list with one string per frame: the frame's objects and
  interaction joined by spaces. The caption-to-frame resolution (HOMIE toolkit rules) is
  checked elsewhere; here only the hashing is recomputed.
- OUT.npy receives X (windows x 8546 float32, 20-frame windows, stride 5).

Prints one JSON object: seconds per modality, total seconds, versions.
Video is decoded with cv2.VideoCapture (BGR) and resized with cv2.INTER_AREA; audio with the
ffmpeg binary to 16 kHz mono f32 (`-vn -ac 1 -ar 16000 -f f32le`), as the reference does.
"""
import hashlib
import json
import re
import subprocess
import sys
import time

import cv2
import h5py
import numpy as np

STREAMS = ["fisheye_cam0", "fisheye_cam1", "fisheye_cam2", "fisheye_cam3", "stereo_left", "stereo_right"]


def temporal_stats(arr):
    x = np.nan_to_num(np.asarray(arr, dtype=np.float32).reshape(arr.shape[0], -1))
    if x.shape[0] > 1:
        d = np.diff(x, axis=0)
        vm, vs = d.mean(0), d.std(0)
    else:
        vm = vs = np.zeros(x.shape[1], np.float32)
    return np.concatenate([x.mean(0), x.std(0), x.min(0), x.max(0), x[-1] - x[0], vm, vs]).astype(np.float32)


def quat_to_matrix(q):  # q: (N, 4) x, y, z, w (scipy order), normalised
    q = q / np.linalg.norm(q, axis=1, keepdims=True)
    x, y, z, w = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    return np.stack([
        1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
        2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
        2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], axis=1).reshape(-1, 3, 3)


def video_frame_features(frame):
    small = cv2.resize(frame, (32, 32), interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(small, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    mean = rgb.reshape(-1, 3).mean(0)
    std = rgb.reshape(-1, 3).std(0)
    hists = []
    for c in range(3):
        h, _ = np.histogram(rgb[:, :, c], bins=8, range=(0.0, 1.0))
        hists.append(h / max(h.sum(), 1))
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    grid = cv2.resize(gray, (8, 8), interpolation=cv2.INTER_AREA).reshape(-1)
    gy, gx = np.gradient(gray)
    edges = [np.abs(gx).mean(), np.abs(gy).mean(), np.abs(gx).std(), np.abs(gy).std()]
    return np.concatenate([mean, std, np.concatenate(hists), grid, edges]).astype(np.float32)


def depth_frame_features(d, c, dmin, dmax):
    d = d.astype(np.float32)
    valid = np.isfinite(d) & (d > 0)
    if valid.any():
        v = d[valid]
        stats = [v.mean(), v.std(), v.min(), v.max(), *np.percentile(v, [10, 50, 90]), valid.mean()]
    else:
        stats = [0.0] * 8
    norm = np.clip((np.nan_to_num(d) - dmin) / max(dmax - dmin, 1e-6), 0, 1).astype(np.float32)
    grid = cv2.resize(norm, (8, 8), interpolation=cv2.INTER_AREA).reshape(-1)
    if c is None:
        cstats, cgrid = [0.0] * 4, np.zeros(64, np.float32)
    else:
        c = c.astype(np.float32)
        c = np.clip(c / 255.0 if c.max() > 1 else c, 0, 1)
        # The reference: numpy's initial=0 joins the reduction, so the min is 0 for
        # non-negative confidence (xp-features --protocol reference reproduces it).
        cstats = [c.mean(), c.std(), c.min(initial=0), c.max(initial=0)]
        cgrid = cv2.resize(c, (8, 8), interpolation=cv2.INTER_AREA).reshape(-1)
    return np.concatenate([np.asarray(stats, np.float32), grid, np.asarray(cstats, np.float32), cgrid]).astype(np.float32)


EDGES = np.geomspace(50, 8000, 17)


def audio_segment_features(x, sr=16000):
    n = len(x)
    if n == 0:
        return np.zeros(24, np.float32)
    x = x.astype(np.float64)
    rms = np.sqrt(np.mean(x * x))
    mean_abs = np.mean(np.abs(x))
    peak = np.max(np.abs(x))
    zcr = np.mean(x[1:] * x[:-1] < 0) if n > 1 else 0.0
    w = np.hanning(n)
    p = np.abs(np.fft.rfft(x * w)) ** 2
    f = np.fft.rfftfreq(n, 1.0 / sr)
    total = p.sum()
    ny = sr / 2
    if total <= 1e-12:
        spec = [0.0, 0.0, 0.0]
        bands = np.zeros(16)
    else:
        centroid = (f * p).sum() / total
        bandwidth = np.sqrt((((f - centroid) ** 2) * p).sum() / total)
        rolloff = f[np.searchsorted(np.cumsum(p), 0.85 * total)]
        spec = [centroid / ny, bandwidth / ny, rolloff / ny]
        bands = np.array([p[(f >= lo) & (f < hi)].sum() for lo, hi in zip(EDGES[:-1], EDGES[1:])])
        bands = np.log1p(bands)
        norm = np.linalg.norm(bands)
        if norm > 0:
            bands = bands / norm
    log_energy = np.log1p(total / n)
    return np.nan_to_num(np.asarray([rms, mean_abs, peak, zcr, log_energy, *spec, *bands], np.float32))


def hashed_text(text, dim=128):
    vec = np.zeros(dim, np.float32)
    for tok in re.findall(r"[a-zA-Z0-9_]+", text.lower()):
        d = hashlib.blake2b(tok.encode("utf-8"), digest_size=8).digest()
        vec[int.from_bytes(d[0:4], "little") % dim] += 1.0 if d[4] & 1 else -1.0
    n = np.linalg.norm(vec)
    return vec / n if n > 0 else vec


def main():
    folder, texts_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
    times = {}
    total_start = time.perf_counter()

    t = time.perf_counter()
    with h5py.File(folder + "/annotation.hdf5", "r") as f:
        n = f["slam/frame_names"].shape[0]
        quat = f["slam/quat_wxyz"][...].astype(np.float64)
        trans = f["slam/trans_xyz"][...].astype(np.float64)
        tcb = f["calibration/cam01/T_c0_b"][...].astype(np.float64)
        left = f["hand_mocap/left_joints_3d"][...]
        right = f["hand_mocap/right_joints_3d"][...]
        body = f["full_body_mocap/keypoints"][...]
        if body.ndim == 4 and body.shape[0] == 1:
            body = body[0]
        contacts = f["full_body_mocap/contacts"][...]
        accel = f["imu/accel_xyz"][...]
        gyro = f["imu/gyro_xyz"][...]
        kf = f["imu/keyframe_indices"][...].reshape(-1).astype(np.int64)
        cloud = f["slam/point_cloud"][...].astype(np.float32)
        calib = {}
        for cam in f["calibration"]:
            g = f["calibration"][cam]
            if not isinstance(g, h5py.Group):
                continue
            calib[cam] = {}
            for key in g:
                ds = g[key]
                if isinstance(ds, h5py.Dataset) and ds.dtype.kind in "fiu":
                    calib[cam][key] = ds[...]
        dmin = float(f["depth/depth_min"][()]) if "depth/depth_min" in f else 0.0
        dmax = float(f["depth/depth_max"][()]) if "depth/depth_max" in f else 4.0
        # Poses: world->body from SLAM, T_w2c = T_c0_b T_w2b, then invert.
        rwb = quat_to_matrix(quat[:, [1, 2, 3, 0]])
        rwc = np.einsum("ij,njk->nik", tcb[:3, :3], rwb)
        twc = np.einsum("ij,nj->ni", tcb[:3, :3], trans) + tcb[:3, 3]
        r_c2w = np.transpose(rwc, (0, 2, 1))
        t_c2w = -np.einsum("nij,nj->ni", r_c2w, twc)
        root = body[:, 0:1, :]
        per_frame = {
            "hand_left_joints": (left - root).reshape(n, -1).astype(np.float32),
            "hand_right_joints": (right - root).reshape(n, -1).astype(np.float32),
            "body_joints": (body - root).reshape(n, -1).astype(np.float32),
            "body_contacts": contacts.astype(np.float32),
            "camera_translation": t_c2w.astype(np.float32),
            "camera_rotation_matrix": r_c2w.reshape(n, 9).astype(np.float32),
        }
        imu = np.concatenate([accel, gyro], axis=1).astype(np.float32)
    times["annotation_read_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with h5py.File(folder + "/annotation.hdf5", "r") as f:
        dd, cc = f["depth/depth"], f["depth/confidence"] if "depth/confidence" in f else None
        rows = min(n, dd.shape[0])
        depth = np.zeros((n, 140), np.float32)
        for start in range(0, rows, 64):
            end = min(rows, start + 64)
            dblock = dd[start:end]
            cblock = cc[start:end] if cc is not None else None
            for k in range(end - start):
                depth[start + k] = depth_frame_features(dblock[k], None if cblock is None else cblock[k], dmin, dmax)
    per_frame["depth_confidence"] = depth
    times["depth_s"] = time.perf_counter() - t

    fps = None
    for stream in STREAMS:
        t = time.perf_counter()
        feats = np.zeros((n, 98), np.float32)
        cap = cv2.VideoCapture(f"{folder}/{stream}.mp4")
        if stream == "fisheye_cam0":
            fps = cap.get(cv2.CAP_PROP_FPS)
        last = np.zeros(98, np.float32)
        for k in range(n):
            ok, frame = cap.read()
            if ok:
                last = video_frame_features(frame)
            feats[k] = last
        cap.release()
        per_frame["video_" + stream] = feats
        times["video_" + stream + "_s"] = time.perf_counter() - t

    t = time.perf_counter()
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", f"{folder}/fisheye_cam0.mp4", "-vn", "-ac", "1", "-ar", "16000",
                          "-f", "f32le", "-"], check=True, capture_output=True).stdout
    samples = np.frombuffer(raw, dtype=np.float32)
    sr = 16000
    if not fps or fps <= 0:
        fps = n / (len(samples) / sr)
    audio = np.zeros((n, 24), np.float32)
    for k in range(n):
        s = int(round(k / fps * sr))
        e = int(round((k + 1) / fps * sr))
        s = min(max(s, 0), len(samples))
        e = min(max(e, s + 1), len(samples))
        audio[k] = audio_segment_features(samples[s:e], sr)
    per_frame["audio_fisheye_cam0_aac"] = audio
    times["audio_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with open(texts_path) as fh:
        texts = json.load(fh)
    memo = {}
    text = np.zeros((n, 128), np.float32)
    for k in range(min(n, len(texts))):
        if texts[k] not in memo:
            memo[texts[k]] = hashed_text(texts[k])
        text[k] = memo[texts[k]]
    per_frame["caption_objects_interaction_text"] = text
    times["text_s"] = time.perf_counter() - t

    t = time.perf_counter()
    med = np.median(cloud, axis=0)
    dist = np.linalg.norm(cloud - med, axis=1)
    pts = cloud[dist <= np.percentile(dist, 95)]
    pc = np.concatenate([pts.mean(0), pts.std(0), pts.min(0), pts.max(0), *np.percentile(pts, [10, 50, 90], axis=0),
                         [np.log1p(len(pts))]]).astype(np.float32)
    cal = np.concatenate([np.nan_to_num(np.asarray(calib[c][k], np.float32).reshape(-1))
                          for c in sorted(calib) for k in sorted(calib[c])]).astype(np.float32)
    times["static_s"] = time.perf_counter() - t

    t = time.perf_counter()
    order = ["hand_left_joints", "hand_right_joints", "body_joints", "body_contacts", "camera_translation",
             "camera_rotation_matrix", "imu", "depth_confidence"] + ["video_" + s for s in STREAMS] + \
            ["audio_fisheye_cam0_aac", "caption_objects_interaction_text"]
    rows_out = []
    for s in range(0, n - 20 + 1, 5):
        e = s + 20
        parts = []
        for name in order:
            if name == "imu":
                lo = kf[s]
                hi = min(len(imu), max(kf[s] + 1, kf[e - 1] + 1))
                parts.append(temporal_stats(imu[lo:hi]))
            elif name == "camera_translation":
                x = per_frame[name][s:e]
                parts.append(temporal_stats(x - x[0]))
            else:
                parts.append(temporal_stats(per_frame[name][s:e]))
        parts += [np.nan_to_num(pc), np.nan_to_num(cal)]
        rows_out.append(np.concatenate(parts))
    x_all = np.stack(rows_out).astype(np.float32)
    times["assembly_s"] = time.perf_counter() - t
    np.save(out_path, x_all)
    times["total_s"] = time.perf_counter() - total_start
    print(json.dumps({"seconds": times, "shape": list(x_all.shape), "numpy": np.__version__, "opencv": cv2.__version__,
                      "audio_fps": fps, "audio_samples": int(len(samples))}, sort_keys=True))


if __name__ == "__main__":
    main()
