"""Trains the plate detector (a small fully convolutional centre-and-corners network) and
exports it to ONNX.

    python train_detector.py --data /tmp/corridor-train --out ../models/plate-detector.onnx

Input "image" [1,1,512,512] grey in [0,1] (letterboxed at the top left, padding 0.5); outputs
"heatmap" [1,1,128,128] (sigmoid: a plate's centre in this cell) and "corners" [1,8,128,128]
(the four corners, clockwise from top left, as offsets from the cell centre in units of 64
input pixels). See docs/vision.md.
"""

from __future__ import annotations

import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import data

STRIDE = 4
GRID = data.DET_SIZE // STRIDE
CORNER_UNIT = 64.0
CROP_CELLS = 64  # training windows of 256x256 pixels


def conv(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Detector(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.s4 = nn.Sequential(conv(1, 12, 2), conv(12, 24, 2))  # 128
        self.s8 = nn.Sequential(conv(24, 48, 2), conv(48, 48))  # 64
        self.s16 = nn.Sequential(conv(48, 64, 2), conv(64, 64), conv(64, 64, dilation=2))  # 32
        self.lat16 = nn.Conv2d(64, 48, 1)
        self.fuse8 = conv(48, 32)
        self.lat4 = nn.Conv2d(24, 32, 1)
        self.fuse4 = nn.Sequential(nn.Conv2d(32, 24, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU(inplace=True))
        self.heat = nn.Conv2d(24, 1, 1)
        self.corners = nn.Conv2d(24, 8, 1)
        nn.init.constant_(self.heat.bias, -2.2)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f4 = self.s4(x)
        f8 = self.s8(f4)
        f16 = self.s16(f8)
        up8 = F.interpolate(self.lat16(f16), scale_factor=2.0, mode="nearest") + f8
        p8 = self.fuse8(up8)
        up4 = F.interpolate(p8, scale_factor=2.0, mode="nearest") + self.lat4(f4)
        p4 = self.fuse4(up4)
        return torch.sigmoid(self.heat(p4)), self.corners(p4)


def targets(quads: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian centre heatmap, corner offsets and their weights for one scene."""
    heat = np.zeros((GRID, GRID), np.float32)
    corners = np.zeros((8, GRID, GRID), np.float32)
    weight = np.zeros((GRID, GRID), np.float32)
    ys, xs = np.mgrid[0:GRID, 0:GRID].astype(np.float32)
    cx_cells, cy_cells = (xs + 0.5) * STRIDE, (ys + 0.5) * STRIDE
    for q in quads:
        c = q.mean(0)
        w = max(q[:, 0].max() - q[:, 0].min(), 4.0)
        h = max(q[:, 1].max() - q[:, 1].min(), 2.0)
        sx, sy = max(w / STRIDE / 6, 0.6), max(h / STRIDE / 6, 0.6)
        g = np.exp(-(((xs + 0.5) - c[0] / STRIDE) ** 2) / (2 * sx * sx) - (((ys + 0.5) - c[1] / STRIDE) ** 2) / (2 * sy * sy))
        heat = np.maximum(heat, g)
        gi, gj = int(c[1] // STRIDE), int(c[0] // STRIDE)
        if 0 <= gi < GRID and 0 <= gj < GRID:
            heat[gi, gj] = 1.0
        region = g > 0.3
        better = region & (g > weight)
        for k in range(4):
            corners[2 * k][better] = (q[k, 0] - cx_cells[better]) / CORNER_UNIT
            corners[2 * k + 1][better] = (q[k, 1] - cy_cells[better]) / CORNER_UNIT
        weight = np.where(better, g, weight)
    return heat, corners, weight


def focal(pred: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    pred = pred.clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_loss = torch.log(1 - pred) * pred ** 2 * (1 - gt) ** 4 * neg
    n = pos.sum().clamp(min=1)
    return -(pos_loss.sum() + neg_loss.sum()) / n


def main() -> None:
    a = data.trainer_args(minutes=25.0, batch=16)
    torch.manual_seed(a.seed)
    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", os.cpu_count() or 1)))
    rng = np.random.default_rng(a.seed)
    scenes = np.concatenate([np.load(os.path.join(d, "detector-scenes.npy")) for d in a.data])
    quads = np.concatenate([np.load(os.path.join(d, "detector-quads.npy"), allow_pickle=True) for d in a.data])
    print("precomputing targets for", len(scenes), "scenes", flush=True)
    tg = [targets(q.reshape(-1, 4, 2)) for q in quads]
    heat_all = np.stack([t[0] for t in tg])
    corn_all = np.stack([t[1] for t in tg])
    wt_all = np.stack([t[2] for t in tg])
    del tg
    n_val = max(1, len(scenes) // 20)
    order = rng.permutation(len(scenes))
    val_idx, train_idx = order[:n_val], order[n_val:]

    model = Detector()
    if a.init:
        model.load_state_dict(torch.load(a.init))
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    start = time.time()
    deadline = start + a.minutes * 60
    step = 0
    while time.time() < deadline:
        idx = rng.choice(train_idx, a.batch)
        # The network is fully convolutional: train on random windows of the scenes, four
        # times cheaper a sample than whole scenes, and just as informative.
        gy, gx = rng.integers(0, GRID - CROP_CELLS + 1, 2)
        ys, xs = slice(gy, gy + CROP_CELLS), slice(gx, gx + CROP_CELLS)
        py, px = slice(gy * STRIDE, (gy + CROP_CELLS) * STRIDE), slice(gx * STRIDE, (gx + CROP_CELLS) * STRIDE)
        x = torch.tensor(scenes[idx][:, py, px].astype(np.float32)[:, None] / 255.0)
        hm = torch.tensor(heat_all[idx][:, ys, xs][:, None])
        cr = torch.tensor(corn_all[idx][:, :, ys, xs])
        wt = torch.tensor(wt_all[idx][:, ys, xs][:, None])
        frac = (time.time() - start) / (deadline - start)
        lr = data.learning_rate(a.lr, frac)
        for g in opt.param_groups:
            g["lr"] = max(lr, 2e-5)
        model.train()
        ph, pc = model(x)
        l_heat = focal(ph, hm)
        l_corn = (F.smooth_l1_loss(pc, cr, reduction="none", beta=0.05) * wt).sum() / wt.sum().clamp(min=1) / 8
        loss = l_heat + 4.0 * l_corn
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        if step % 100 == 0:
            model.eval()
            with torch.no_grad():
                vx = torch.tensor(scenes[val_idx[:48]].astype(np.float32)[:, None] / 255.0)
                vh, _ = model(vx)
                peak = F.max_pool2d(vh, 3, 1, 1)
                found = 0
                total = 0
                for b, k in enumerate(val_idx[:48]):
                    for q in quads[k].reshape(-1, 4, 2):
                        c = q.mean(0)
                        gi, gj = int(c[1] // STRIDE), int(c[0] // STRIDE)
                        i0, i1, j0, j1 = max(0, gi - 1), min(GRID, gi + 2), max(0, gj - 1), min(GRID, gj + 2)
                        win = vh[b, 0, i0:i1, j0:j1]
                        is_peak = (win >= peak[b, 0, i0:i1, j0:j1]) & (win > 0.25)
                        found += int(bool(is_peak.any()))
                        total += 1
                fp = int(((vh >= peak) & (vh > 0.25)).sum()) - found
            print(f"step {step} {time.time() - start:.0f}s loss {loss.item():.3f} heat {l_heat.item():.3f} "
                  f"corners {l_corn.item():.4f} val-centres {found}/{total} extra-peaks {fp}", flush=True)
    model.eval()
    torch.save(model.state_dict(), a.out + ".pt")
    dummy = torch.zeros(1, 1, data.DET_SIZE, data.DET_SIZE)
    torch.onnx.export(model, dummy, a.out, input_names=["image"], output_names=["heatmap", "corners"],
                      opset_version=17, dynamo=False)
    print("exported", a.out, os.path.getsize(a.out), "bytes", step, "steps")


if __name__ == "__main__":
    main()
