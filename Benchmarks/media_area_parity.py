#!/usr/bin/env python3
"""OpenCV counterpart of `xp-bench media`: what the reference pipeline computes from an MP4.

Reads the first K frames of a video with cv2.VideoCapture (FFmpeg backend, BGR), resizes each
with cv2.resize(..., INTER_AREA) to SIZE x SIZE, and writes, as raw RGB bytes:
  OUT/native0.rgb  frame 0 at native size (H*W*3)
  OUT/area.rgb     K frames at SIZE x SIZE (K*SIZE*SIZE*3)
It prints one JSON object: cv2 version, CAP_PROP_FPS, CAP_PROP_FRAME_COUNT, frames read, and the
median time of one cv2.resize of a native frame in milliseconds.

  python3 media_area_parity.py --video stereo.mp4 --frames 20 --size 32 --out /tmp/parity

With --golden it prints the small INTER_AREA cases used by the unit tests instead.
"""
import argparse
import json
import os
import time


def golden():
    import cv2
    import numpy as np

    def seq(n, mul, add):
        return np.array([(i * mul + add) % 256 for i in range(n)], dtype=np.uint8)

    for (w, h, c, dw, dh, mul, add) in [(7, 5, 1, 3, 2, 37, 11), (10, 9, 3, 4, 4, 37, 11), (8, 6, 3, 4, 3, 53, 1),
                                        (12, 8, 3, 3, 2, 29, 5), (13, 11, 1, 5, 4, 101, 7)]:
        a = seq(w * h * c, mul, add).reshape((h, w, c) if c > 1 else (h, w))
        o = cv2.resize(a, (dw, dh), interpolation=cv2.INTER_AREA)
        print("u8", w, h, c, dw, dh, mul, add, o.reshape(-1).tolist())
    for (w, h, dw, dh) in [(9, 7, 4, 3), (12, 8, 3, 2), (10, 10, 4, 4)]:
        a = (seq(w * h, 37, 11).astype(np.float32) / 8).reshape((h, w))
        o = cv2.resize(a, (dw, dh), interpolation=cv2.INTER_AREA)
        print("f32", w, h, dw, dh, [float(x) for x in o.reshape(-1)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--video")
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--out")
    ap.add_argument("--golden", action="store_true")
    args = ap.parse_args()
    if args.golden:
        golden()
        return
    import cv2
    import numpy as np

    os.makedirs(args.out, exist_ok=True)
    cap = cv2.VideoCapture(args.video)
    if not cap.isOpened():
        print(json.dumps({"error": "cv2 could not open " + args.video}))
        return
    fps = cap.get(cv2.CAP_PROP_FPS)
    count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
    small = []
    native0 = None
    times = []
    for i in range(args.frames):
        ok, frame = cap.read()
        if not ok:
            break
        if native0 is None:
            native0 = frame
        t = time.perf_counter()
        s = cv2.resize(frame, (args.size, args.size), interpolation=cv2.INTER_AREA)
        times.append(time.perf_counter() - t)
        small.append(s[:, :, ::-1])  # BGR -> RGB
    if native0 is not None:
        native0[:, :, ::-1].tofile(os.path.join(args.out, "native0.rgb"))
        np.stack(small).tofile(os.path.join(args.out, "area.rgb"))
    times.sort()
    print(json.dumps({
        "cv2_version": cv2.__version__,
        "cap_prop_fps": fps,
        "cap_prop_frame_count": count,
        "frames_read": len(small),
        "cv2_resize_ms": 1000 * times[len(times) // 2] if times else None,
    }))


if __name__ == "__main__":
    main()
