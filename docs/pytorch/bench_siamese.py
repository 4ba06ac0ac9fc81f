"""Times one Siamese training step in PyTorch, for comparison with
`go test ./train/siamese -run '^$' -bench TrainStep` on the same libtorch.

    python3 docs/pytorch/bench_siamese.py configs/siamese.yaml 8 2
    python3 docs/pytorch/bench_siamese.py configs/siamese-cpu.yaml 8 3

Builds siamese_ref.SiameseNet from the config's `model:` section and runs,
on random 256x256 gray pairs of the given batch size: forward, BCE + soft
Dice on the decision logits, MSE of the two GCB-cleaned images, backward,
Adam. Prints seconds per step (mean after one warm-up step), the process's
peak RSS and the parameter count. Threads: 2 unless TORCH_THREADS is set.
Needs torch and PyYAML (Debian: python3-torch python3-yaml).
"""

import os
import resource
import sys
import time

import torch
import torch.nn.functional as F
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from siamese_ref import SiameseNet  # noqa: E402


def main():
    path, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    torch.manual_seed(1)
    with open(path) as f:
        model = yaml.safe_load(f)["model"]
    net = SiameseNet.from_config(model).train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    shape = (batch, 1, 256, 256)
    a, b, clean_a, clean_b = (torch.rand(shape) for _ in range(4))
    mask = (torch.rand(shape) > 0.5).float()

    def step():
        logits, xa, xb = net(a, b)
        p = torch.sigmoid(logits)
        dice = 1 - (2 * (p * mask).sum() + 1) / (p.sum() + mask.sum() + 1)
        loss = (F.binary_cross_entropy_with_logits(logits, mask) + dice
                + F.mse_loss(xa, clean_a) + F.mse_loss(xb, clean_b))
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    dt = (time.perf_counter() - t) / steps
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    params = sum(p.numel() for p in net.parameters())
    print(f"{path} batch {batch} 256x256: {dt:.2f} s/step, peak RSS {rss:.0f} MiB, {params} parameters")


if __name__ == "__main__":
    main()
