"""Trains the plate reader (a convolutional CTC recogniser) and exports it to ONNX.

    python train_reader.py --data /tmp/corridor-train --out ../models/plate-reader.onnx

Input "crop" [1,1,32,128] grey in [0,1]; output "logprobs" [1,32,37] (log-softmax; class 0
is the CTC blank, then 0-9 and A-Z). See docs/vision.md.
"""

from __future__ import annotations

import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import data

NUM_CLASSES = len(data.CHARSET) + 1
WIDTH = 128  # channels of the sequence features


def block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Reader(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            block(1, 16), nn.MaxPool2d(2),              # 16 x 64
            block(16, 32), nn.MaxPool2d(2),             # 8 x 32
            block(32, 64), block(64, 64), nn.MaxPool2d((2, 1)),  # 4 x 32
            block(64, 96), block(96, 96),
        )
        self.collapse = nn.Sequential(nn.Conv2d(96, WIDTH, (4, 1), bias=False), nn.BatchNorm2d(WIDTH), nn.ReLU(inplace=True))
        self.context = nn.Sequential(
            nn.Conv1d(WIDTH, WIDTH, 3, padding=1, bias=False), nn.BatchNorm1d(WIDTH), nn.ReLU(inplace=True),
            nn.Conv1d(WIDTH, WIDTH, 3, padding=1, bias=False), nn.BatchNorm1d(WIDTH), nn.ReLU(inplace=True),
        )
        self.dropout = nn.Dropout(0.1)
        self.classify = nn.Conv1d(WIDTH, NUM_CLASSES, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.collapse(self.features(x)).squeeze(2)  # [N, 160, 32]
        f = f + self.context(f)
        logits = self.classify(self.dropout(f))  # [N, 37, 32]
        return F.log_softmax(logits, dim=1).permute(0, 2, 1)  # [N, 32, 37]


def augment(batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cheap per-batch augmentation on top of the generated crops: noise, contrast, shift."""
    x = batch.astype(np.float32) / 255.0
    n = x.shape[0]
    x = x * rng.uniform(0.7, 1.1, (n, 1, 1)) + rng.uniform(-0.1, 0.2, (n, 1, 1))
    x = x + rng.normal(0, 0.03, x.shape) * (rng.random((n, 1, 1)) < 0.5)
    shifts = rng.integers(-3, 4, n)
    for i in np.nonzero(shifts)[0]:
        x[i] = np.roll(x[i], shifts[i], axis=1)
    return np.clip(x, 0, 1).astype(np.float32)


def greedy(logprobs: torch.Tensor) -> list[str]:
    out = []
    for seq in logprobs.argmax(-1).tolist():
        s, prev = [], 0
        for c in seq:
            if c != prev and c != 0:
                s.append(data.CHARSET[c - 1])
            prev = c
        out.append("".join(s))
    return out


def main() -> None:
    a = data.trainer_args(minutes=20.0, batch=64, extra=lambda p: p.add_argument("--plates-dev", default=""))
    torch.manual_seed(a.seed)
    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", os.cpu_count() or 1)))
    rng = np.random.default_rng(a.seed)
    crops_parts, labels = [], []
    for folder in a.data:
        part = np.load(os.path.join(folder, "reader-crops.npy"))
        crops_parts.append(part)
        labels += open(os.path.join(folder, "reader-labels.txt")).read().split("\n")[: len(part)]
    crops = np.concatenate(crops_parts)
    targets = [data.encode_label(t) for t in labels]
    keep = [i for i, t in enumerate(targets) if 0 < len(t) <= 16]
    print(f"{len(keep)} training crops")

    # A held-back check on real validation crops (never trained on), when the photos are there.
    val_x, val_y = None, []
    if a.plates_dev:
        items = data.load_labelled(a.plates_dev, "validation")
        xs = []
        for it in items:
            rgb = data.load_rgb(it.path)
            xs.append(data.crop_input(data.to_grey(rgb), data.box_quad(it.box)))
            val_y.append(it.text)
        val_x = torch.tensor(np.stack(xs)[:, None].astype(np.float32))

    model = Reader()
    if a.init:
        model.load_state_dict(torch.load(a.init))
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    start = time.time()
    deadline = start + a.minutes * 60
    step = 0
    while time.time() < deadline:
        idx = rng.choice(keep, a.batch)
        x = torch.tensor(augment(crops[idx], rng)[:, None])
        ys = [targets[i] for i in idx]
        y = torch.tensor([c for t in ys for c in t], dtype=torch.long)
        lens = torch.tensor([len(t) for t in ys], dtype=torch.long)
        # One-cycle-like schedule on elapsed time rather than steps.
        frac = (time.time() - start) / (deadline - start)
        lr = data.learning_rate(a.lr, frac)
        for g in opt.param_groups:
            g["lr"] = max(lr, 2e-5)
        model.train()
        out = model(x)  # [N, T, C]
        loss = ctc(out.permute(1, 0, 2), y, torch.full((len(ys),), out.shape[1], dtype=torch.long), lens)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        step += 1
        if step % 100 == 0:
            msg = f"step {step} {time.time() - start:.0f}s loss {loss.item():.3f} lr {lr:.2e}"
            if val_x is not None:
                model.eval()
                with torch.no_grad():
                    pred = greedy(model(val_x))
                acc = sum(p == t for p, t in zip(pred, val_y)) / len(val_y)
                msg += f" val-crop-exact {acc:.3f}"
            print(msg, flush=True)
    model.eval()
    if val_x is not None:
        with torch.no_grad():
            pred = greedy(model(val_x))
        print("final val-crop-exact", sum(p == t for p, t in zip(pred, val_y)) / len(val_y))
    torch.save(model.state_dict(), a.out + ".pt")
    dummy = torch.zeros(1, 1, data.CROP_H, data.CROP_W)
    torch.onnx.export(model, dummy, a.out, input_names=["crop"], output_names=["logprobs"], opset_version=17,
                      dynamo=False)
    print("exported", a.out, os.path.getsize(a.out), "bytes")


if __name__ == "__main__":
    main()
