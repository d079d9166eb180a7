"""Training samples for the two networks, built the way `crates/vision` prepares its inputs
(see docs/vision.md for the contract): 512x512 letterboxed grey scenes for the detector and
32x128 contrast-stretched grey crops for the reader.

Real photographs come from ../shared/datasets/plates-dev; only the TRAIN split is used here
(`is_validation` is the written rule, the same as the Rust bench's).
"""

from __future__ import annotations

import hashlib
import math
import os
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from synth import render_plate

DET_SIZE = 512
CROP_W, CROP_H = 128, 32
CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # class i+1; 0 is the CTC blank


def is_validation(file_name: str) -> bool:
    """The fixed split rule: first four bytes of SHA-256(file name), big-endian, mod 5 == 0."""
    digest = hashlib.sha256(file_name.encode()).digest()
    return int.from_bytes(digest[:4], "big") % 5 == 0


@dataclass
class Labelled:
    path: str
    box: tuple[int, int, int, int]  # x, y, w, h
    text: str


def load_labelled(root: str, split: str) -> list[Labelled]:
    out = []
    for folder in sorted(os.listdir(root)):
        d = os.path.join(root, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(".txt"):
                continue
            line = open(os.path.join(d, name)).read().strip().split("\t")
            image, x, y, w, h, text = line[:6]
            validation = is_validation(image)
            if (split == "train" and validation) or (split == "validation" and not validation):
                continue
            out.append(Labelled(os.path.join(d, image), (int(x), int(y), int(w), int(h)), text.upper()))
    return out


def to_grey(rgb: np.ndarray) -> np.ndarray:
    """float32 [0,1] grey with the Rust side's weights."""
    rgb = rgb.astype(np.float32)
    return (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]) / 255.0


def stretch(crop: np.ndarray) -> np.ndarray:
    p2, p98 = np.percentile(crop, 2), np.percentile(crop, 98)
    if p98 - p2 < 1e-3:
        return crop
    return np.clip((crop - p2) / (p98 - p2), 0.0, 1.0)


def widened_box(quad: np.ndarray, w_img: int, h_img: int) -> tuple[int, int, int, int]:
    x0, y0 = quad[:, 0].min(), quad[:, 1].min()
    x1, y1 = quad[:, 0].max(), quad[:, 1].max()
    bw, bh = x1 - x0, y1 - y0
    x0, x1 = x0 - 0.08 * bw, x1 + 0.08 * bw
    y0, y1 = y0 - 0.15 * bh, y1 + 0.15 * bh
    x0, y0 = max(0, int(math.floor(x0))), max(0, int(math.floor(y0)))
    x1, y1 = min(w_img, int(math.ceil(x1))), min(h_img, int(math.ceil(y1)))
    return x0, y0, max(x0 + 1, x1), max(y0 + 1, y1)


TWO_LINE_ASPECT = 1.7  # below this width/height the reader also tries two lines


def crop_input(grey: np.ndarray, quad: np.ndarray, half: str = "") -> np.ndarray:
    """The reader's input; half is "top" or "bottom" for one line of a two-line plate."""
    h, w = grey.shape
    x0, y0, x1, y1 = widened_box(quad, w, h)
    if half:
        mid, extra = (y0 + y1) / 2, 0.05 * (y1 - y0)
        if half == "top":
            y1 = min(h, int(math.ceil(mid + extra)))
        else:
            y0 = max(0, int(math.floor(mid - extra)))
    crop = cv2.resize(grey[y0:y1, x0:x1], (CROP_W, CROP_H), interpolation=cv2.INTER_LINEAR)
    return stretch(crop)


# ---------------------------------------------------------------------------------------------
# Photometric degradation shared by both networks.


def degrade(rgb: np.ndarray, rng: random.Random, strength: float = 1.0) -> np.ndarray:
    img = rgb.astype(np.float32)
    if rng.random() < 0.5 * strength:  # lighting: contrast, brightness, gamma
        img = img * rng.uniform(0.5, 1.3) + rng.uniform(-50, 50)
        img = np.clip(img, 0, 255)
        img = 255.0 * (img / 255.0) ** rng.uniform(0.6, 1.6)
    if rng.random() < 0.25 * strength:  # a shadow or glare band
        h, w = img.shape[:2]
        x = rng.randint(0, w)
        factor = rng.uniform(0.4, 1.6)
        if rng.random() < 0.5:
            img[:, :x] *= factor
        else:
            img[:, x:] *= factor
    if rng.random() < 0.3 * strength:
        k = rng.choice([3, 5])
        img = cv2.GaussianBlur(img, (k, k), rng.uniform(0.5, 1.8))
    if rng.random() < 0.15 * strength:  # motion blur
        k = rng.randint(3, 7)
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        img = cv2.filter2D(img, -1, kernel)
    if rng.random() < 0.4 * strength:
        img = img + np.random.default_rng(rng.getrandbits(32)).normal(0, rng.uniform(2, 14), img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < 0.4 * strength:  # JPEG artefacts
        ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(15, 80)])
        if ok:
            img = cv2.imdecode(enc, cv2.IMREAD_UNCHANGED)
            if img.ndim == 2:
                img = np.stack([img] * 3, -1)
    return img


def infrared(rgb: np.ndarray, rng: random.Random) -> np.ndarray:
    """Infrared look: grey, retro-reflective plate bright, low contrast elsewhere."""
    g = to_grey(rgb) * 255.0
    g = np.clip((g - 128) * rng.uniform(0.4, 1.2) + rng.uniform(60, 160), 0, 255)
    return np.stack([g] * 3, -1).astype(np.uint8)


# ---------------------------------------------------------------------------------------------
# Putting a synthetic plate into a scene with a random perspective.


def random_quad(rng: random.Random, pw: int, ph: int, cx: float, cy: float, width: float) -> np.ndarray:
    scale = width / pw
    w, h = pw * scale, ph * scale
    angle = math.radians(rng.gauss(0, 5))
    shear = rng.gauss(0, 0.08)
    pts = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32)
    pts[:, 0] += shear * pts[:, 1]
    # Perspective: one side a little shorter than the other (a camera looking at an angle).
    k = rng.gauss(0, 0.07)
    pts[1:3, 1] *= 1 + k
    pts[[0, 3], 1] *= 1 - k
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s], [s, c]], np.float32)
    pts = pts @ rot.T
    pts[:, 0] += cx
    pts[:, 1] += cy
    pts += np.array([[rng.gauss(0, w * 0.01), rng.gauss(0, h * 0.02)] for _ in range(4)], np.float32)
    return pts


def paste_plate(scene: np.ndarray, plate_rgba: Image.Image, quad: np.ndarray, rng: random.Random) -> None:
    pw, ph = plate_rgba.size
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad.astype(np.float32))
    h, w = scene.shape[:2]
    arr = np.array(plate_rgba)
    warped = cv2.warpPerspective(arr, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    alpha = warped[..., 3:4].astype(np.float32) / 255.0
    # Dirt and partial occlusion.
    if rng.random() < 0.15:
        x0, y0 = quad[:, 0].min(), quad[:, 1].min()
        x1, y1 = quad[:, 0].max(), quad[:, 1].max()
        for _ in range(rng.randint(1, 6)):
            rx, ry = rng.uniform(x0, x1), rng.uniform(y0, y1)
            rr = rng.uniform(1, max(2, (y1 - y0) * 0.15))
            cv2.circle(warped, (int(rx), int(ry)), int(rr), (90, 80, 70, 255), -1)
    tint = np.array(rng.choice([(1, 1, 1), (1, 1, 1), (0.9, 0.95, 1.05), (1.05, 1, 0.9)]), np.float32)
    scene[:] = (scene * (1 - alpha) + warped[..., :3].astype(np.float32) * tint * alpha).clip(0, 255).astype(np.uint8)


def background(rng: random.Random, photos: list[np.ndarray], w: int, h: int) -> np.ndarray:
    if photos and rng.random() < 0.75:
        p = rng.choice(photos)
        ph, pw = p.shape[:2]
        cw, ch = min(pw, rng.randint(w // 2, w * 3)), min(ph, rng.randint(h // 2, h * 3))
        x, y = rng.randint(0, pw - cw), rng.randint(0, ph - ch)
        return cv2.resize(p[y:y + ch, x:x + cw], (w, h), interpolation=cv2.INTER_AREA)
    base = np.full((h, w, 3), rng.randint(30, 220), np.uint8)
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0, rng.uniform(5, 40), (h // 8 + 1, w // 8 + 1, 3))
    noise = cv2.resize(noise.astype(np.float32), (w, h))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------------------------
# Reader samples.


def synth_crop(rng: random.Random, photos: list[np.ndarray]) -> tuple[np.ndarray, str]:
    plate, label, _, lines = render_plate(rng)
    pw, ph = plate.size
    canvas_w = int(pw * 1.5)
    canvas_h = int(ph * 1.9)
    scene = background(rng, photos, canvas_w, canvas_h)
    quad = random_quad(rng, pw, ph, canvas_w / 2, canvas_h / 2, pw * rng.uniform(0.85, 1.0))
    paste_plate(scene, plate, quad, rng)
    if rng.random() < 0.6:  # seen from afar: the plate is small in the camera image
        f = rng.uniform(0.12, 0.6)
        small = cv2.resize(scene, (max(8, int(canvas_w * f)), max(8, int(canvas_h * f))), interpolation=cv2.INTER_AREA)
        scene = cv2.resize(small, (canvas_w, canvas_h), interpolation=cv2.INTER_LINEAR)
    scene = degrade(scene, rng)
    if rng.random() < 0.2:
        scene = infrared(scene, rng)
    quad = jitter_quad(quad, rng)
    grey = to_grey(scene)
    if rng.random() < 0.05:
        grey = 1.0 - grey
    if len(lines) == 2:
        k = rng.randrange(2)
        return crop_input(grey, quad, ("top", "bottom")[k]), lines[k]
    return crop_input(grey, quad), label


def jitter_quad(quad: np.ndarray, rng: random.Random) -> np.ndarray:
    """The detector is never exact: move each side by a few percent."""
    x0, x1 = quad[:, 0].min(), quad[:, 0].max()
    y0, y1 = quad[:, 1].min(), quad[:, 1].max()
    w, h = x1 - x0, y1 - y0
    out = quad.copy()
    out[[0, 3], 0] += rng.gauss(0, 0.03) * w
    out[[1, 2], 0] += rng.gauss(0, 0.03) * w
    out[[0, 1], 1] += rng.gauss(0, 0.06) * h
    out[[2, 3], 1] += rng.gauss(0, 0.06) * h
    return out


def box_quad(box: tuple[int, int, int, int]) -> np.ndarray:
    x, y, w, h = box
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)


def real_crop(rng: random.Random, item: Labelled, rgb: np.ndarray) -> tuple[np.ndarray, str]:
    # Work on the neighbourhood of the plate only: degrading a whole photo costs 100x more.
    x, y, w, h = item.box
    x0, y0 = max(0, x - w), max(0, y - 2 * h)
    x1, y1 = min(rgb.shape[1], x + 2 * w), min(rgb.shape[0], y + 3 * h)
    img = degrade(np.ascontiguousarray(rgb[y0:y1, x0:x1]), rng, 0.7)
    if rng.random() < 0.15:
        img = infrared(img, rng)
    quad = jitter_quad(box_quad((x - x0, y - y0, w, h)), rng)
    return crop_input(to_grey(img), quad), item.text


# ---------------------------------------------------------------------------------------------
# Detector samples.


def letterbox(rgb: np.ndarray, zoom: float, rng: random.Random) -> tuple[np.ndarray, float, tuple[int, int]]:
    """Scales so the long side is 512*zoom, then takes a 512x512 window (top-left aligned when
    the image fits, as at inference). Returns (canvas, scale, (dx, dy)) with dx/dy the window's
    offset in the scaled image."""
    h, w = rgb.shape[:2]
    s = DET_SIZE * zoom / max(w, h)
    sw, sh = max(1, round(w * s)), max(1, round(h * s))
    scaled = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    dx = rng.randint(0, max(0, sw - DET_SIZE))
    dy = rng.randint(0, max(0, sh - DET_SIZE))
    canvas = np.full((DET_SIZE, DET_SIZE, 3), 128, np.uint8)
    part = scaled[dy:dy + DET_SIZE, dx:dx + DET_SIZE]
    canvas[: part.shape[0], : part.shape[1]] = part
    return canvas, s, (dx, dy)


def detector_scene(rng: random.Random, items: list[Labelled], images: list[np.ndarray],
                   photos: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """A 512x512 grey scene (uint8) and the plate quads in it."""
    quads = []
    if items and rng.random() < 0.7:
        k = rng.randrange(len(items))
        item, rgb = items[k], images[k]
        zoom = 1.0 if rng.random() < 0.4 else rng.uniform(0.7, 2.2)
        canvas, s, (dx, dy) = letterbox(rgb, zoom, rng)
        q = box_quad(item.box) * s - np.array([dx, dy], np.float32)
        quads.append(q)
        n_synth = rng.choice([0, 0, 0, 1, 1, 2])
    else:
        canvas = background(rng, photos, DET_SIZE, DET_SIZE)
        n_synth = rng.choice([1, 1, 2, 3])
    for _ in range(n_synth):
        plate, _, _, _ = render_plate(rng)
        pw, ph = plate.size
        width = math.exp(rng.uniform(math.log(22), math.log(200)))
        cx, cy = rng.uniform(width / 2, DET_SIZE - width / 2), rng.uniform(20, DET_SIZE - 20)
        q = random_quad(rng, pw, ph, cx, cy, width)
        if any(overlaps(q, other) for other in quads):
            continue
        paste_plate(canvas, plate, q, rng)
        quads.append(q)
    canvas = degrade(canvas, rng, 0.8)
    if rng.random() < 0.15:
        canvas = infrared(canvas, rng)
    grey = (to_grey(canvas) * 255).astype(np.uint8)
    # Keep quads whose centre is inside the window.
    kept = [q for q in quads if 0 <= q[:, 0].mean() < DET_SIZE and 0 <= q[:, 1].mean() < DET_SIZE]
    return grey, kept


def overlaps(a: np.ndarray, b: np.ndarray) -> bool:
    ax0, ay0, ax1, ay1 = a[:, 0].min(), a[:, 1].min(), a[:, 0].max(), a[:, 1].max()
    bx0, by0, bx1, by1 = b[:, 0].min(), b[:, 1].min(), b[:, 0].max(), b[:, 1].max()
    return not (ax1 < bx0 - 4 or bx1 < ax0 - 4 or ay1 < by0 - 4 or by1 < ay0 - 4)


def load_rgb(path: str) -> np.ndarray:
    return np.array(Image.open(path).convert("RGB"))


def without_plate(rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """A photo whose labelled plate is painted over, to serve as a plate-free background."""
    x, y, w, h = box
    out = rgb.copy()
    x0, y0 = max(0, x - w // 6), max(0, y - h // 3)
    x1, y1 = min(rgb.shape[1], x + w + w // 6), min(rgb.shape[0], y + h + h // 3)
    patch = out[y0:y1, x0:x1]
    if patch.size:
        mean = patch.reshape(-1, 3).mean(0)
        out[y0:y1, x0:x1] = np.clip(mean + np.random.default_rng(x + y).normal(0, 8, patch.shape), 0, 255)
    return out


def encode_label(text: str) -> list[int]:
    return [CHARSET.index(c) + 1 for c in text if c in CHARSET]


# ---------------------------------------------------------------------------------------------
# What both trainers share.


def trainer_args(minutes: float, batch: int, extra=None):
    """The trainers' common command line; `extra(parser)` adds a trainer's own options."""
    import argparse

    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, action="append", help="a folder made by gen.py (repeatable)")
    p.add_argument("--init", default="", help="start from these weights (a .pt written by an earlier run)")
    p.add_argument("--lr", type=float, default=2e-3, help="peak learning rate")
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=minutes)
    p.add_argument("--batch", type=int, default=batch)
    p.add_argument("--seed", type=int, default=1)
    if extra:
        extra(p)
    return p.parse_args()


def learning_rate(peak: float, frac: float) -> float:
    """Warm-up over the first 5% of the time, then cosine decay to zero."""
    return peak * min(1.0, frac * 20) * (0.5 * (1 + math.cos(math.pi * min(frac, 1.0))))
