"""Fuse one source pair with mfif's Siamese network in PyTorch, end to end.

The PyTorch side of `mfif bench --models --pytorch` (docs/performance.md):
load the network of siamese_ref.py with the weights `mfif export` wrote,
read the two sources, compute the decision map, post-process it as
`mfif fuse --method siamese` does with its defaults (binarise at 0.5, then
flip 4-connected regions of either class smaller than 1 % of the image),
blend every plane F = A*D + B*(1-D) and write F as PNG.

    python3 docs/pytorch/fuse_siamese.py --checkpoint best.ckpt \\
        --state siamese.pt --a A.png --b B.png --out F.png [--threads 2]

--checkpoint is the mfif checkpoint (its header gives the architecture),
--state the state_dict exported from it. The network sees the luminance
(MATLAB rgb2gray weights, rounded to 8 bits) on [0,1], padded by symmetric
reflection to a multiple of the stride; the map is cropped back. Prints
one line: the seconds spent loading, in the network and in the rest.

Needs torch, numpy, scipy and Pillow (Debian: python3-torch, python3-scipy,
python3-pil). Licence: MIT, as mfif.
"""

import argparse
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from siamese_ref import SiameseNet, load_header  # noqa: E402

GRAY = (0.29893602129377539, 0.58704307445112125, 0.11402090425510325)


def read(path):
    """The image as float64 (H, W, C) on 0..255."""
    with Image.open(path) as im:
        a = np.asarray(im.convert("RGB") if im.mode not in ("L", "RGB") else im, dtype=np.float64)
    return a[:, :, None] if a.ndim == 2 else a


def luminance(img):
    """rgb2gray on the 8-bit scale, rounded half away from zero, on [0,1]."""
    if img.shape[2] == 1:
        y = img[:, :, 0]
    else:
        y = np.floor(img @ np.array(GRAY) + 0.5).clip(0, 255)
    return (y / 255).astype(np.float32)


def flip_small(bin_map, cls, min_area):
    """Flips the 4-connected regions of class cls smaller than min_area."""
    labels, n = ndimage.label(bin_map == cls)
    if n == 0:
        return
    sizes = np.bincount(labels.ravel())
    small = sizes < min_area
    small[0] = False
    bin_map[small[labels]] = 1 - cls


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint", required=True, help="the mfif checkpoint (architecture)")
    ap.add_argument("--state", required=True, help="the state_dict `mfif export` wrote from it")
    ap.add_argument("--a", required=True, help="source A")
    ap.add_argument("--b", required=True, help="source B")
    ap.add_argument("--out", required=True, help="fused PNG to write")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--min-area-fraction", type=float, default=0.01)
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    cfg = load_header(args.checkpoint)["states"]["model_config"]
    net = SiameseNet.from_config(cfg).eval()
    net.load_state_dict(torch.load(args.state), strict=True)
    a, b = read(args.a), read(args.b)
    if a.shape != b.shape:
        sys.exit(f"{args.b}: size {b.shape} differs from {args.a}'s {a.shape}")
    h, w = a.shape[:2]
    st = net.stride
    ph, pw = -h % st, -w % st
    ga = np.pad(luminance(a), ((0, ph), (0, pw)), mode="symmetric")
    gb = np.pad(luminance(b), ((0, ph), (0, pw)), mode="symmetric")
    t1 = time.perf_counter()
    with torch.inference_mode():
        logits, _, _ = net(torch.from_numpy(ga)[None, None], torch.from_numpy(gb)[None, None])
        d = torch.sigmoid(logits)[0, 0, :h, :w].numpy().astype(np.float64)
    t2 = time.perf_counter()
    bin_map = (d >= args.threshold).astype(np.float64)
    min_area = args.min_area_fraction * w * h
    if min_area > 0:
        flip_small(bin_map, 1, min_area)
        flip_small(bin_map, 0, min_area)
    fused = a * bin_map[:, :, None] + b * (1 - bin_map[:, :, None])
    out = np.floor(fused + 0.5).clip(0, 255).astype(np.uint8)
    Image.fromarray(out[:, :, 0] if out.shape[2] == 1 else out).save(args.out)
    t3 = time.perf_counter()
    print(f"load {t1 - t0:.3f} s, network {t2 - t1:.3f} s, post-process and write {t3 - t2:.3f} s")


if __name__ == "__main__":
    main()
