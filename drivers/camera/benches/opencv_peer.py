#!/usr/bin/env python3
"""OpenCV peer of the kiosk-camera scan pipeline, for the side-by-side benchmark.

Same steps as the Rust pipeline, with OpenCV's usual calls, on one thread:
decode (imdecode) -> find the page on a ~1000 px copy (resize INTER_AREA, grey,
Otsu threshold, findContours, approxPolyDP to a quad) -> warpPerspective to the
target size (INTER_LINEAR) -> divide by the background (block means at ~1 mm,
dilate 33x33, GaussianBlur, resize back, cv2.divide) -> imencode JPEG at the same
quality.

Usage: opencv_peer.py --runs N --dpi D --quality Q FRAME.jpg...
Prints one JSON object per frame: median ms per stage, the corners found (clockwise
from top-left, input pixels) and the process's peak RSS in bytes.
"""
import argparse
import json
import resource
import statistics
import time

import cv2
import numpy as np

cv2.setNumThreads(1)
DETECT_SIDE = 1000


def order_clockwise(pts):
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]
    start = int(np.argmin(pts[:, 0] + pts[:, 1]))
    return np.roll(pts, -start, axis=0)


def find_page(img):
    h, w = img.shape[:2]
    f = -(-max(w, h) // DETECT_SIDE)
    # Cropped to a whole multiple of f so INTER_AREA takes its fast integer-factor path
    # (the Rust side also drops the remainder).
    small = cv2.resize(img[: h // f * f, : w // f * f], (w // f, h // f), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    _, mask = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    peri = cv2.arcLength(c, True)
    quad = cv2.approxPolyDP(c, 0.02 * peri, True)
    if len(quad) != 4:
        quad = cv2.boxPoints(cv2.minAreaRect(c))
    pts = quad.reshape(4, 2).astype(np.float32) * f
    return order_clockwise(pts)


def target_size(dpi, corners):
    w = round(210 / 25.4 * dpi)
    h = round(297 / 25.4 * dpi)
    d = lambda a, b: float(np.hypot(*(corners[a] - corners[b])))
    if d(0, 1) + d(2, 3) > d(1, 2) + d(3, 0):
        w, h = h, w
    return w, h


def flatten(img, dpi):
    h, w = img.shape[:2]
    block = -(-dpi // 25)
    bg = cv2.resize(img, (-(-w // block), -(-h // block)), interpolation=cv2.INTER_AREA)
    bg = cv2.dilate(bg, np.ones((33, 33), np.uint8))
    bg = cv2.GaussianBlur(bg, (0, 0), 4)
    bg = cv2.resize(bg, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(img, bg, scale=255 / 0.92)


def scan(data, dpi, quality):
    t = {}
    t0 = time.perf_counter()
    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    t1 = time.perf_counter()
    corners = find_page(img)
    t2 = time.perf_counter()
    w, h = target_size(dpi, corners)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(corners, dst)
    warped = cv2.warpPerspective(img, m, (w, h), flags=cv2.INTER_LINEAR)
    t3 = time.perf_counter()
    flat = flatten(warped, dpi)
    t4 = time.perf_counter()
    ok, jpg = cv2.imencode(".jpg", flat, [cv2.IMWRITE_JPEG_QUALITY, quality])
    t5 = time.perf_counter()
    ms = lambda a, b: (b - a) * 1000.0
    t = {"decode": ms(t0, t1), "detect": ms(t1, t2), "warp": ms(t2, t3), "flatten": ms(t3, t4),
         "encode": ms(t4, t5), "total": ms(t0, t5)}
    return t, corners, len(jpg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--quality", type=int, default=85)
    ap.add_argument("frames", nargs="+")
    a = ap.parse_args()
    for path in a.frames:
        data = np.fromfile(path, dtype=np.uint8)
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        scan(data, a.dpi, a.quality)  # warm-up
        runs = [scan(data, a.dpi, a.quality) for _ in range(a.runs)]
        med = {k: statistics.median(r[0][k] for r in runs) for k in runs[0][0]}
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps({"frame": path, "ms": med, "corners": runs[0][1].tolist(),
                          "peak_rss": rss1, "peak_rss_before": rss0,
                          "threads": cv2.getNumThreads()}), flush=True)


if __name__ == "__main__":
    main()
