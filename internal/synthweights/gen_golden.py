"""Writes the small golden fixtures of mfif's network parity tests: the
FusionDiff NoisePred and the guided-diffusion UNetModel (as used by DDFM), in
their small golden configurations, with synthetic weights that the Go tests
regenerate from a formula (package internal/synthweights), so that no
state_dict needs committing. Each fixture folder gets

  params.tsv   one line per state_dict entry, in order: name, shape
               (comma-separated), offset, e; the tensor's values are
               offset + 2^e * m(j, i) / 512 (see synthweights.Values)
  input.npy    the network input (float32, NCHW)
  t.npy        the timesteps (int64)
  output.npy   model(input, t) computed by PyTorch in eval mode (float32)

Usage (PyTorch 1.13, e.g. Debian's python3-torch):
  /usr/bin/python3 gen_golden.py FUSIONDIFF_OFFICIAL GUIDED_DIFFUSION OUTDIR
where FUSIONDIFF_OFFICIAL holds the official FusionDiff code (cnp/UNet.py),
GUIDED_DIFFUSION a checkout of openai/guided-diffusion (the folder holding
guided_diffusion/), and OUTDIR gets fusiondiff/ and adm/, and backend/ with
a small state_dict for the loader test (small_state_dict.pt and the .tsv of
its float entries, whose tensor index j counts the float entries only).
"""
import math
import os
import sys

import numpy as np
import torch

M32 = 0xFFFFFFFF


def codes(j, n):
    """m(j, i) in [-512, 512] for i < n: a murmur3-style integer hash of the
    tensor index j and the flat index i (exact uint32 arithmetic)."""
    i = np.arange(n, dtype=np.uint64)
    x = ((i + 1) * 0x9E3779B1 + (j + 1) * 0x85EBCA77) & M32
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & M32
    x ^= x >> 12
    x = (x * 0x297A2D39) & M32
    x ^= x >> 15
    return (x % 1025).astype(np.int64) - 512


def synthesize(model):
    """Overwrites every state_dict entry with synthetic values and returns
    the params.tsv lines."""
    lines = []
    sd = model.state_dict()
    for j, (name, p) in enumerate(sd.items()):
        shape = list(p.shape)
        ones = p.dim() == 1 and bool(torch.all(p == 1))
        if p.dim() >= 2:
            fan_in = p.numel() // shape[0]
            offset, e = 0, -round(math.log2(math.sqrt(fan_in / 3)))
        elif ones:  # a norm's gain
            offset, e = 1, -3
        else:  # a bias
            offset, e = 0, -4
        v = offset + codes(j, p.numel()).astype(np.float64) * 2.0 ** (e - 9)
        with torch.no_grad():
            p.copy_(torch.from_numpy(v.astype(np.float32)).reshape(shape))
        lines.append(f"{name}\t{','.join(map(str, shape))}\t{offset}\t{e}")
    return lines


def write(outdir, model, x, t):
    os.makedirs(outdir, exist_ok=True)
    lines = synthesize(model)
    model.eval()
    with torch.no_grad():
        y = model(x, t)
    with open(os.path.join(outdir, "params.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    np.save(os.path.join(outdir, "input.npy"), x.numpy())
    np.save(os.path.join(outdir, "t.npy"), t.numpy())
    np.save(os.path.join(outdir, "output.npy"), y.numpy())
    print(outdir, "tensors", len(lines), "params", sum(p.numel() for p in model.parameters()),
          "output", tuple(y.shape), "max |y|", float(y.abs().max()))


def write_small_state_dict(outdir):
    """A small state_dict as PyTorch saves it (float32 weights and buffers,
    a 0-d int64 counter) with synthetic float values, for the loader test."""
    os.makedirs(outdir, exist_ok=True)
    m = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(),
                            torch.nn.Linear(5, 3))
    m[1].num_batches_tracked.fill_(7)
    sd = m.state_dict()
    lines = []
    for name, p in sd.items():
        if not p.is_floating_point():
            continue
        v = codes(len(lines), p.numel()).astype(np.float64) * 2.0 ** (-3 - 9)
        p.copy_(torch.from_numpy(v.astype(np.float32)).reshape(p.shape))
        lines.append(f"{name}\t{','.join(map(str, p.shape))}\t0\t-3")
    torch.save(m.state_dict(), os.path.join(outdir, "small_state_dict.pt"))
    with open(os.path.join(outdir, "small_state_dict.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(outdir, "state_dict entries", len(sd))


def main():
    official, guided, out = sys.argv[1:4]
    write_small_state_dict(os.path.join(out, "backend"))
    torch.manual_seed(2024)
    sys.path.insert(0, official)
    from cnp.UNet import NoisePred
    fd = NoisePred(9, 3, 32, 2, 0.1, 4, [1, 2, 4])
    x = torch.randn(2, 9, 24, 32)
    write(os.path.join(out, "fusiondiff"), fd, x, torch.tensor([3, 1789]))

    sys.path.insert(0, guided)
    from guided_diffusion.script_util import create_model
    adm = create_model(64, 32, 2, channel_mult="1,2,2", learn_sigma=True, class_cond=False,
                       use_checkpoint=False, attention_resolutions="16,8", num_heads=4,
                       num_head_channels=16, num_heads_upsample=-1, use_scale_shift_norm=True,
                       dropout=0.0, resblock_updown=True, use_fp16=False,
                       use_new_attention_order=False)
    x = torch.rand(2, 3, 32, 48) * 2 - 1
    write(os.path.join(out, "adm"), adm, x, torch.tensor([517, 12]))


if __name__ == "__main__":
    main()
