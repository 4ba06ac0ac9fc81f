"""Times the network cases of `mfif bench --nets` in PyTorch, with the same
names, shapes, losses and optimizers, and writes the same fields, so the two
outputs line up row by row (docs/performance.md, scripts/gpu-check.sh).

    python3 docs/pytorch/bench_nets.py [--device cpu|cuda] [--reps 3] [--quick]
                                       [--threads N] [--json FILE] [CASE ...]

CASE is a case name or a prefix (fusiondiff, siamese, ...); default all.
Each case is built, called once untimed, then --reps times; every call ends
by reading one scalar back (the loss, or the sum of the output), which waits
for the GPU, as the Go side does. Networks: docs/pytorch/fusiondiff_ref.py
and siamese_ref.py (the Go networks' layouts); configs from configs/*.yaml.
Cases:
  fusiondiff/forward/{256,520}  NoisePred (configs/fusiondiff.yaml), batch 1,
                                eval mode, no gradient, t = 1000;
  fusiondiff/step/b4/256        128 * MSE of the predicted noise, AdamW from
                                the config (lr 2e-4, weight decay 0.01),
                                dropout on;
  siamese/step/b8/256           the paper Siamese network (configs/siamese.yaml)
  siamese-cpu/step/b8/256       and siamese-cpu: BCE + soft Dice on the
                                decision logits + MSE of the two GCB-cleaned
                                images, Adam from the config;
  ddfm-prior/step/b4/64         the DDFM prior (configs/ddfm-prior-cpu.yaml,
                                docs/pytorch/adm_ref.py): MSE of the
                                predicted noise at a random step of the
                                linear 1000-step schedule, AdamW from the
                                config.
Needs torch and PyYAML.
"""

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F
import yaml

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from fusiondiff_ref import NoisePred  # noqa: E402
from siamese_ref import SiameseNet  # noqa: E402
from adm_ref import UNet  # noqa: E402

CONFIGS = os.path.join(here, "..", "..", "configs")

CASES = [
    # name, config, step, batch, side
    ("fusiondiff/forward/256", "fusiondiff", False, 1, 256),
    ("fusiondiff/forward/520", "fusiondiff", False, 1, 520),
    ("fusiondiff/step/b4/256", "fusiondiff", True, 4, 256),
    ("siamese/step/b8/256", "siamese", True, 8, 256),
    ("siamese-cpu/step/b8/256", "siamese-cpu", True, 8, 256),
    ("ddfm-prior/step/b4/64", "ddfm-prior-cpu", True, 4, 64),
]


def quick_cases():
    """The --quick sizes of `mfif bench --nets --quick` (same names): a
    quarter of the side for forward passes, 64x64 and batch at most 2 for
    steps."""
    return [(name, cfg, step, min(batch, 2) if step else batch, 64 if step else side // 8 * 2)
            for name, cfg, step, batch, side in CASES]


def load(cfg):
    with open(os.path.join(CONFIGS, cfg + ".yaml")) as f:
        return yaml.safe_load(f)


def optimizer(params, oc):
    kind = oc.get("kind", "adam")
    lr = oc["lr"]
    wd = oc.get("weight_decay", 0.0)
    if kind == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=wd)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd)
    raise ValueError(f"optimizer kind {kind!r} not handled")


def prepare(cfg_name, step, batch, side, dev):
    """Returns (call, parameter count)."""
    cfg = load(cfg_name)
    gen = torch.Generator().manual_seed(1)
    if cfg_name.startswith("ddfm-prior"):
        m = cfg["model"]
        net = UNet.from_config(m).to(dev).train()
        params = sum(p.numel() for p in net.parameters())
        opt = optimizer(net.parameters(), cfg["train"]["optimizer"])
        steps = cfg["diffusion"]["timesteps"]
        betas = torch.linspace(1e-4 * 1000 / steps, 0.02 * 1000 / steps, steps, dtype=torch.float64)
        abar = torch.cumprod(1 - betas, 0).float().to(dev)
        x0 = (torch.rand(batch, 3, side, side, generator=gen) * 2 - 1).to(dev)

        def call():
            t = torch.randint(0, steps, (batch,), device=dev)
            eps = torch.randn_like(x0)
            a = abar[t][:, None, None, None]
            out = net(a.sqrt() * x0 + (1 - a).sqrt() * eps, t)
            if m.get("learn_sigma", False):
                out = out[:, :3]
            loss = F.mse_loss(out, eps)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()
        return call, params
    if cfg_name.startswith("fusiondiff"):
        net = NoisePred.from_config(cfg["model"]).to(dev)
        params = sum(p.numel() for p in net.parameters())
        if not step:
            net.eval()
            x = torch.randn(batch, 9, side, side, generator=gen).to(dev)
            t = torch.full((batch,), 1000, dtype=torch.long, device=dev)

            def call():
                with torch.no_grad():
                    return net(x, t).sum().item()
            return call, params
        net.train()
        opt = optimizer(net.parameters(), cfg["train"]["optimizer"])
        x = torch.randn(batch, 9, side, side, generator=gen).to(dev)
        y = torch.randn(batch, 3, side, side, generator=gen).to(dev)
        t = torch.randint(0, cfg["diffusion"]["timesteps"], (batch,), generator=gen).to(dev)
        scale = cfg["diffusion"].get("loss_scale", 1)

        def call():
            loss = scale * F.mse_loss(net(x, t), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()
        return call, params
    net = SiameseNet.from_config(cfg["model"]).to(dev).train()
    params = sum(p.numel() for p in net.parameters())
    opt = optimizer(net.parameters(), cfg["train"]["optimizer"])
    shape = (batch, 1, side, side)
    a, b, clean_a, clean_b = (torch.rand(shape, generator=gen).to(dev) for _ in range(4))
    mask = (torch.rand(shape, generator=gen) > 0.5).float().to(dev)

    def call():
        logits, xa, xb = net(a, b)
        p = torch.sigmoid(logits)
        dice = 1 - (2 * (p * mask).sum() + 1) / (p.sum() + mask.sum() + 1)
        loss = (F.binary_cross_entropy_with_logits(logits, mask) + dice
                + F.mse_loss(xa, clean_a) + F.mse_loss(xb, clean_b))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return call, params


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0: PyTorch's default)")
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    torch.manual_seed(1)
    cases = quick_cases() if args.quick else CASES
    sel = [c for c in cases if not args.cases or "all" in args.cases
           or any(c[0] == n or c[0].startswith(n + "/") for n in args.cases)]
    if not sel:
        sys.exit(f"no case matches {args.cases}; known: {', '.join(c[0] for c in cases)}")
    cuda = dev.type == "cuda"
    mm = torch.backends.cuda.matmul.allow_tf32 if cuda else False
    conv = torch.backends.cudnn.allow_tf32 if cuda else False
    print(f"networks on {dev}, {torch.get_num_threads()} threads, PyTorch {torch.__version__}, "
          f"TF32 matmul {str(mm).lower()} conv {str(conv).lower()}, {args.reps} timed calls after one warm-up")
    print(f"{'case':<24} {'input':<9} {'median s':>10} {'min s':>10} {'params':>12} {'device MiB':>11} {'peak RSS MiB':>13}")
    results = []
    for name, cfg, step, batch, side in sel:
        call, params = prepare(cfg, step, batch, side, dev)
        v = call()
        if not math.isfinite(v):
            sys.exit(f"{name}: warm-up gave {v}")
        secs = []
        for _ in range(args.reps):
            t0 = time.perf_counter()
            call()
            secs.append(time.perf_counter() - t0)
        used = 0.0
        if cuda:
            free, total = torch.cuda.mem_get_info(dev)
            used = (total - free) / 2**20
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        r = {"name": name, "device": str(dev) if not cuda else f"cuda:{dev.index or 0}", "batch": batch, "side": side,
             "seconds": secs,
             "median_s": statistics.median(secs), "params": params, "device_mib": used, "peak_rss_mib": rss}
        if cuda:
            r["torch_max_reserved_mib"] = torch.cuda.max_memory_reserved(dev) / 2**20
            r["torch_max_allocated_mib"] = torch.cuda.max_memory_allocated(dev) / 2**20
        print(f"{name:<24} {f'{batch}x{side}':<9} {r['median_s']:>10.4f} {min(secs):>10.4f} {params:>12d} {used:>11.0f} {rss:>13.0f}")
        results.append(r)
        del call
        if cuda:
            torch.cuda.empty_cache()
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"device": str(dev), "threads": torch.get_num_threads(),
                       "libtorch": f"PyTorch {torch.__version__}", "tf32_matmul": mm, "tf32_conv": conv,
                       "results": results}, f, indent=2)
        os.replace(tmp, args.json)


if __name__ == "__main__":
    main()
