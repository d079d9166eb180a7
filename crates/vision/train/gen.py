"""Generates the training sets once (both cores), so that training reads arrays.

    python gen.py --plates-dev ../../../../shared/datasets/plates-dev --out /tmp/corridor-train
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random

import numpy as np

import data

_items: list = []
_images: list = []
_photos: list = []


def _init(root: str) -> None:
    global _items, _images, _photos
    _items = data.load_labelled(root, "train") if root else []
    _images = [data.load_rgb(i.path) for i in _items]
    _photos = [data.without_plate(img, i.box) for i, img in zip(_items, _images)]


def _reader_chunk(args: tuple[int, int, float]) -> tuple[np.ndarray, list[str]]:
    seed, n, real_share = args
    rng = random.Random(seed)
    crops, labels = [], []
    for _ in range(n):
        if _items and rng.random() < real_share:
            k = rng.randrange(len(_items))
            crop, label = data.real_crop(rng, _items[k], _images[k])
        else:
            crop, label = data.synth_crop(rng, _photos)
        crops.append((crop * 255).astype(np.uint8))
        labels.append(label)
    return np.stack(crops), labels


def _detector_chunk(args: tuple[int, int]) -> tuple[np.ndarray, list[np.ndarray]]:
    seed, n = args
    rng = random.Random(seed)
    scenes, quads = [], []
    for _ in range(n):
        grey, q = data.detector_scene(rng, _items, _images, _photos)
        scenes.append(grey)
        quads.append(np.array(q, np.float32).reshape(-1, 4, 2))
    return np.stack(scenes), quads


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--plates-dev", default="")
    p.add_argument("--out", required=True)
    p.add_argument("--reader", type=int, default=120_000)
    p.add_argument("--real-share", type=float, default=0.3)
    p.add_argument("--detector", type=int, default=4000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    chunk = 500
    with mp.Pool(a.jobs, _init, (a.plates_dev,)) as pool:
        if a.reader:
            jobs = [(a.seed * 1_000_003 + i, min(chunk, a.reader - i * chunk), a.real_share)
                    for i in range((a.reader + chunk - 1) // chunk)]
            parts = pool.map(_reader_chunk, jobs)
            crops = np.concatenate([c for c, _ in parts])
            labels = [label for _, ls in parts for label in ls]
            np.save(os.path.join(a.out, "reader-crops.npy"), crops)
            with open(os.path.join(a.out, "reader-labels.txt"), "w") as f:
                f.write("\n".join(labels) + "\n")
            print("reader samples", len(labels))
        if a.detector:
            jobs = [(a.seed * 2_000_003 + i, min(100, a.detector - i * 100)) for i in range((a.detector + 99) // 100)]
            parts = pool.map(_detector_chunk, jobs)
            scenes = np.concatenate([s for s, _ in parts])
            quads = [q for _, qs in parts for q in qs]
            np.save(os.path.join(a.out, "detector-scenes.npy"), scenes)
            np.save(os.path.join(a.out, "detector-quads.npy"), np.array(quads, dtype=object), allow_pickle=True)
            print("detector scenes", len(quads))


if __name__ == "__main__":
    main()
