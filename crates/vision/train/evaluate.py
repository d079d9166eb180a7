"""Scores exported models on the validation photos with the same pre- and post-processing as
`crates/vision` (ONNX Runtime here; the Rust bench `plate-bench` is the reference figure).

    python evaluate.py --models ../models --plates-dev ../../../../shared/datasets/plates-dev
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict

import numpy as np
import onnxruntime as ort

import data

HEAT_MIN = 0.25
MAX_PLATES = 8


def detect(sess: ort.InferenceSession, grey: np.ndarray) -> list[tuple[float, np.ndarray]]:
    h, w = grey.shape
    s = data.DET_SIZE / max(w, h)
    import cv2

    small = cv2.resize(grey, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_LINEAR)
    canvas = np.full((data.DET_SIZE, data.DET_SIZE), 0.5, np.float32)
    canvas[: small.shape[0], : small.shape[1]] = small
    heat, corners = sess.run(None, {"image": canvas[None, None]})
    heat, corners = heat[0, 0], corners[0]
    g = heat.shape[0]
    found = []
    for i in range(g):
        for j in range(g):
            v = heat[i, j]
            if v < HEAT_MIN or v < heat[max(0, i - 1):i + 2, max(0, j - 1):j + 2].max():
                continue
            q = corners_at(heat, corners, i, j) / s
            found.append((float(v), q))
    found.sort(key=lambda t: -t[0])
    kept = []
    for score, q in found:
        if all(iou(box(q), box(k)) <= 0.3 for _, k in kept):
            kept.append((score, q))
        if len(kept) == MAX_PLATES:
            break
    return kept


SMOOTH = [0]


def corners_at(heat: np.ndarray, corners: np.ndarray, i: int, j: int) -> np.ndarray:
    """The quad at a peak: the heat-weighted mean of the absolute corners predicted by the
    cells around it (radius SMOOTH)."""
    r = SMOOTH[0]
    g = heat.shape[0]
    total, acc = 0.0, np.zeros((4, 2))
    for ii in range(max(0, i - r), min(g, i + r + 1)):
        for jj in range(max(0, j - r), min(g, j + r + 1)):
            w = float(heat[ii, jj])
            cx, cy = (jj + 0.5) * 4, (ii + 0.5) * 4
            q = np.array([[cx + 64 * corners[2 * k, ii, jj], cy + 64 * corners[2 * k + 1, ii, jj]] for k in range(4)])
            acc += w * q
            total += w
    return acc / total


def box(q: np.ndarray) -> tuple[float, float, float, float]:
    return q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def beam(logprobs: np.ndarray, width: int = 16) -> list[tuple[str, float]]:
    """CTC prefix beam search; returns up to five (text, probability)."""
    probs = np.exp(logprobs)
    beams = {(): (1.0, 0.0)}  # prefix -> (p ending in blank, p ending in non-blank)
    for t in range(probs.shape[0]):
        nxt: dict = defaultdict(lambda: (0.0, 0.0))
        top = np.argsort(probs[t])[::-1][:8]
        for prefix, (pb, pnb) in beams.items():
            for c in top:
                p = probs[t, c]
                if c == 0:
                    b, nb = nxt[prefix]
                    nxt[prefix] = (b + (pb + pnb) * p, nb)
                    continue
                last = prefix[-1] if prefix else None
                ext = prefix + (c,)
                b, nb = nxt[ext]
                if c == last:
                    nxt[ext] = (b, nb + pb * p)
                    b2, nb2 = nxt[prefix]
                    nxt[prefix] = (b2, nb2 + pnb * p)
                else:
                    nxt[ext] = (b, nb + (pb + pnb) * p)
        beams = dict(sorted(nxt.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:width])
    out = sorted(((("".join(data.CHARSET[c - 1] for c in k)), v[0] + v[1]) for k, v in beams.items()), key=lambda t: -t[1])
    return out[:5]


WIDEN = [0.0]


def read(sess: ort.InferenceSession, grey: np.ndarray, q: np.ndarray) -> list[tuple[str, float]]:
    best: list[tuple[str, float]] = []
    for k in WIDEN:
        c = q.mean(0)
        wq = q.copy()
        wq[:, 0] = c[0] + (q[:, 0] - c[0]) * (1 + k)
        got = read_one(sess, grey, wq)
        if got and (not best or got[0][1] > best[0][1]):
            best = got
        if best and best[0][1] >= CONFIDENT:
            break
    return best


CONFIDENT = 0.9  # a reading this sure is not read again from a wider box


def read_one(sess: ort.InferenceSession, grey: np.ndarray, q: np.ndarray) -> list[tuple[str, float]]:
    one = beam(sess.run(None, {"crop": data.crop_input(grey, q)[None, None].astype(np.float32)})[0][0])
    x0, y0, x1, y1 = box(q)
    if (x1 - x0) / max(y1 - y0, 1e-3) < data.TWO_LINE_ASPECT:
        top = beam(sess.run(None, {"crop": data.crop_input(grey, q, "top")[None, None].astype(np.float32)})[0][0])
        bottom = beam(sess.run(None, {"crop": data.crop_input(grey, q, "bottom")[None, None].astype(np.float32)})[0][0])
        two = sorted(((a + b, pa * pb) for a, pa in top for b, pb in bottom), key=lambda t: -t[1])[:5]
        if two and (not one or two[0][1] > one[0][1]):
            return two
    return one


EUROPEAN = ("gb-front", "gb-rear", "de", "fr", "be", "nl", "pl", "it", "es", "cz", "sk", "ro", "bg", "lt", "ie")


def synthetic(det, rec, n: int, plates_dev: str, seed: int = 12345) -> None:
    """End to end on n scenes with one synthetic European plate each (a proxy: the plates
    come from the same renderer as the training data, the photos are TRAIN photos)."""
    import random

    from synth import render_plate

    rng = random.Random(seed)
    items = data.load_labelled(plates_dev, "train")
    photos = [data.without_plate(data.load_rgb(i.path), i.box) for i in items[:60]]
    stats: dict = defaultdict(lambda: [0, 0, 0])
    for _ in range(n):
        w, h = rng.choice([(1280, 720), (1024, 768), (1920, 1080), (800, 600)])
        scene = data.background(rng, photos, w, h)
        plate, label, style, _ = render_plate(rng, EUROPEAN)
        width = w * rng.uniform(0.07, 0.25)
        q = data.random_quad(rng, plate.size[0], plate.size[1], rng.uniform(width, w - width), rng.uniform(h * 0.3, h * 0.9), width)
        data.paste_plate(scene, plate, q, rng)
        scene = data.degrade(scene, rng, 0.6)
        grey = data.to_grey(scene)
        st = stats[style.split("-")[0]]
        st[0] += 1
        found = detect(det, grey)
        best = max(found, key=lambda f: iou(box(f[1]), box(q)), default=None)
        if best is not None and iou(box(best[1]), box(q)) >= 0.5:
            st[1] += 1
            reads = read(rec, grey, best[1])
            st[2] += int(bool(reads) and reads[0][0] == label)
    print("| synthetic European | scenes | detected | top-1 |")
    print("|---|---|---|---|")
    total = [0, 0, 0]
    for style, (n_, d, t) in sorted(stats.items()):
        total = [total[0] + n_, total[1] + d, total[2] + t]
        print(f"| {style} | {n_} | {d / n_:.0%} | {t / n_:.0%} |")
    print(f"| all | {total[0]} | {total[1] / total[0]:.1%} | {total[2] / total[0]:.1%} |")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--models", required=True)
    p.add_argument("--plates-dev", required=True)
    p.add_argument("--split", default="validation")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--smooth", type=int, default=0, help="average the corners over this radius around a peak")
    p.add_argument("--synthetic", type=int, default=0, help="also score this many synthetic European scenes")
    p.add_argument("--widen", default="0", help="horizontal widenings to try, e.g. 0,0.1")
    a = p.parse_args()
    WIDEN[:] = [float(x) for x in a.widen.split(",")]
    SMOOTH[0] = a.smooth
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    det = ort.InferenceSession(os.path.join(a.models, "plate-detector.onnx"), opts)
    rec = ort.InferenceSession(os.path.join(a.models, "plate-reader.onnx"), opts)
    stats: dict = defaultdict(lambda: [0, 0, 0, 0, 0])  # images, detected, top1, top5, crop-top1
    for item in data.load_labelled(a.plates_dev, a.split):
        folder = os.path.basename(os.path.dirname(item.path))
        grey = data.to_grey(data.load_rgb(item.path))
        st = stats[folder]
        st[0] += 1
        label_box = (item.box[0], item.box[1], item.box[0] + item.box[2], item.box[1] + item.box[3])
        found = detect(det, grey)
        best = max(found, key=lambda f: iou(box(f[1]), label_box), default=None)
        text = "-"
        if best is not None and iou(box(best[1]), label_box) >= 0.5:
            st[1] += 1
            reads = read(rec, grey, best[1])
            text = reads[0][0] if reads else ""
            st[2] += int(text == item.text)
            st[3] += int(item.text in [r[0] for r in reads])
        oracle = read(rec, grey, data.box_quad(item.box))
        st[4] += int(bool(oracle) and oracle[0][0] == item.text)
        if a.verbose:
            print(f"{folder}/{os.path.basename(item.path)} label {item.text} read {text} "
                  f"oracle {oracle[0][0] if oracle else ''} plates {len(found)}")
    if a.synthetic:
        synthetic(det, rec, a.synthetic, a.plates_dev)
    print("| folder | images | detected | top-1 | top-5 | top-1 on labelled box |")
    print("|---|---|---|---|---|---|")
    for folder, (n, d, t1, t5, o) in sorted(stats.items()):
        print(f"| {folder} | {n} | {d / n:.1%} | {t1 / n:.1%} | {t5 / n:.1%} | {o / n:.1%} |")


if __name__ == "__main__":
    main()
