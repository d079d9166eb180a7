"""Writes PLACEHOLDER plate models with the exact I/O contract of docs/vision.md.

The weights are random (seeded): the files exist so that the crate builds, loads and runs
the whole pipeline before the trained models arrive. They read nothing meaningful.

    python crates/vision/scripts/placeholder_models.py crates/vision/models
"""

import sys

import torch
from torch import nn


def block(c_in, c_out, stride=1):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class Detector(nn.Module):
    """[1,1,512,512] -> heatmap [1,1,128,128] (sigmoid), corners [1,8,128,128]."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(block(1, 16, 2), block(16, 32, 2))  # 128
        self.down = nn.Sequential(nn.MaxPool2d(2), block(32, 64))  # 64
        self.up = nn.Upsample(scale_factor=2, mode="nearest")  # 128
        self.heat = nn.Conv2d(96, 1, 1)
        self.corners = nn.Conv2d(96, 8, 1)

    def forward(self, image):
        x = self.stem(image)
        y = self.up(self.down(x))
        f = torch.cat([x, y], dim=1)
        return torch.sigmoid(self.heat(f)), self.corners(f)


class Reader(nn.Module):
    """[1,1,32,128] -> logprobs [1,32,37] (log-softmax over blank, 0-9, A-Z)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            block(1, 32), nn.MaxPool2d(2),  # 16x64
            block(32, 64), nn.MaxPool2d(2),  # 8x32
            block(64, 96), nn.MaxPool2d((2, 1)),  # 4x32
            block(96, 128), nn.MaxPool2d((4, 1)),  # 1x32
        )
        self.classify = nn.Conv2d(128, 37, 1)

    def forward(self, crop):
        x = self.classify(self.features(crop))  # [1,37,1,32]
        x = x.reshape(1, 37, 32).transpose(1, 2)  # [1,32,37]
        return torch.log_softmax(x, dim=-1)


def export(model, shape, input_name, output_names, path):
    model.eval()
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    torch.onnx.export(
        model,
        (torch.rand(*shape),),
        path,
        input_names=[input_name],
        output_names=output_names,
        opset_version=17,
        dynamo=False,
    )


def main():
    out = sys.argv[1]
    torch.manual_seed(7)
    export(Detector(), (1, 1, 512, 512), "image", ["heatmap", "corners"],
           f"{out}/plate-detector.onnx")
    reader = Reader()
    with torch.no_grad():
        # Favour the blank, so that readings are a few characters long, as plates are, and
        # the whole ingest path (which rejects over-long plates) runs end to end.
        reader.classify.bias[0] += 4.0
    export(reader, (1, 1, 32, 128), "crop", ["logprobs"], f"{out}/plate-reader.onnx")


if __name__ == "__main__":
    main()
