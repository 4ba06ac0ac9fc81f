"""PyTorch twin of mfif's ADM U-Net (nets/adm): the guided-diffusion
UNetModel that DDFM's prior uses, written from its published description
(timestep MLP, residual blocks with scale-shift GroupNorm conditioning,
residual up/down-sampling, legacy-order multi-head attention), with the same
parameter names, so that the DDFM checkpoints' state_dicts load strictly.

    from adm_ref import UNet
    net = UNet.from_config(cfg)      # cfg: the `model:` section of
                                     # configs/ddfm-prior-cpu.yaml or ddfm.yaml
    eps = net(x, t)                  # x: (N,3,H,W), t: (N,) integer steps

check() runs it on the small guided-diffusion golden state_dict of
../shared/design/ddfm-golden (the same file nets/adm's tests load) and
prints the largest difference from the golden output:

    python3 docs/pytorch/adm_ref.py ../shared/design/ddfm-golden

Needs only torch (tested with 1.13). Licence: MIT, as mfif.
"""

import math
import sys

import torch
import torch.nn.functional as F
from torch import nn


def norm(ch):
    return nn.GroupNorm(32, ch)


def steps_embedding(t, dim):
    """Sinusoidal embedding of the steps: cos then sin of t * 10000^(-i/half)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    a = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(a), torch.sin(a)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, ch, emb_ch, out_ch, dropout, scale_shift, up=False, down=False):
        super().__init__()
        self.scale_shift, self.up, self.down = scale_shift, up, down
        self.in_layers = nn.Sequential(norm(ch), nn.SiLU(), nn.Conv2d(ch, out_ch, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb_ch, 2 * out_ch if scale_shift else out_ch))
        self.out_layers = nn.Sequential(norm(out_ch), nn.SiLU(), nn.Dropout(dropout),
                                        nn.Conv2d(out_ch, out_ch, 3, padding=1))
        self.skip_connection = nn.Identity() if out_ch == ch else nn.Conv2d(ch, out_ch, 1)

    def resample(self, x):
        if self.up:
            return F.interpolate(x, scale_factor=2, mode="nearest")
        if self.down:
            return F.avg_pool2d(x, 2)
        return x

    def forward(self, x, emb):
        if self.up or self.down:
            h = self.in_layers[1](self.in_layers[0](x))
            h = self.in_layers[2](self.resample(h))
            x = self.resample(x)
        else:
            h = self.in_layers(x)
        e = self.emb_layers(emb)[:, :, None, None]
        if self.scale_shift:
            scale, shift = e.chunk(2, dim=1)
            h = self.out_layers[0](h) * (1 + scale) + shift
            h = self.out_layers[3](self.out_layers[2](self.out_layers[1](h)))
        else:
            h = self.out_layers(h + e)
        return self.skip_connection(x) + h


class AttentionBlock(nn.Module):
    def __init__(self, ch, heads):
        super().__init__()
        self.heads = heads
        self.norm = norm(ch)
        self.qkv = nn.Conv1d(ch, 3 * ch, 1)
        self.proj_out = nn.Conv1d(ch, ch, 1)

    def forward(self, x):
        b, c, *sp = x.shape
        x2 = x.reshape(b, c, -1)
        qkv = self.qkv(self.norm(x2))
        n = qkv.shape[-1]
        ch = c // self.heads
        q, k, v = qkv.reshape(b * self.heads, 3 * ch, n).split(ch, dim=1)
        s = 1 / math.sqrt(math.sqrt(ch))
        w = torch.softmax(torch.einsum("bct,bcs->bts", q * s, k * s).float(), dim=-1).type(q.dtype)
        a = torch.einsum("bts,bcs->bct", w, v).reshape(b, -1, n)
        return (x2 + self.proj_out(a)).reshape(b, c, *sp)


class Step(nn.Sequential):
    """A sequence whose ResBlocks take the embedding."""

    def forward(self, x, emb):
        for m in self:
            x = m(x, emb) if isinstance(m, ResBlock) else m(x)
        return x


def _list(v):
    if isinstance(v, str):
        return [int(s) for s in v.split(",") if s]
    return [int(s) for s in v]


class UNet(nn.Module):
    def __init__(self, image_size, in_channels, model_channels, out_channels, num_res_blocks,
                 attention_resolutions, channel_mult, dropout=0.0, num_heads=1, num_head_channels=-1,
                 scale_shift=True, resblock_updown=True):
        super().__init__()
        mc = model_channels
        emb = 4 * mc
        ds_attn = {image_size // r for r in attention_resolutions}

        def heads(ch):
            return num_heads if num_head_channels == -1 else ch // num_head_channels

        self.model_channels = mc
        self.time_embed = nn.Sequential(nn.Linear(mc, emb), nn.SiLU(), nn.Linear(emb, emb))
        self.input_blocks = nn.ModuleList([Step(nn.Conv2d(in_channels, mc, 3, padding=1))])
        chans, ch, ds = [mc], mc, 1
        for level, mult in enumerate(channel_mult):
            for _ in range(num_res_blocks):
                layers = [ResBlock(ch, emb, mult * mc, dropout, scale_shift)]
                ch = mult * mc
                if ds in ds_attn:
                    layers.append(AttentionBlock(ch, heads(ch)))
                self.input_blocks.append(Step(*layers))
                chans.append(ch)
            if level != len(channel_mult) - 1:
                if not resblock_updown:
                    raise ValueError("adm_ref: only resblock_updown is written here")
                self.input_blocks.append(Step(ResBlock(ch, emb, ch, dropout, scale_shift, down=True)))
                chans.append(ch)
                ds *= 2
        self.middle_block = Step(ResBlock(ch, emb, ch, dropout, scale_shift), AttentionBlock(ch, heads(ch)),
                                 ResBlock(ch, emb, ch, dropout, scale_shift))
        self.output_blocks = nn.ModuleList()
        for level, mult in list(enumerate(channel_mult))[::-1]:
            for i in range(num_res_blocks + 1):
                layers = [ResBlock(ch + chans.pop(), emb, mc * mult, dropout, scale_shift)]
                ch = mc * mult
                if ds in ds_attn:
                    layers.append(AttentionBlock(ch, heads(ch)))
                if level and i == num_res_blocks:
                    layers.append(ResBlock(ch, emb, ch, dropout, scale_shift, up=True))
                    ds //= 2
                self.output_blocks.append(Step(*layers))
        self.out = nn.Sequential(norm(ch), nn.SiLU(), nn.Conv2d(mc, out_channels, 3, padding=1))

    @classmethod
    def from_config(cls, m):
        """From a `model:` section of mfif's DDFM configs (guided-diffusion's
        argument names)."""
        out = m.get("in_channels", 3) * (2 if m.get("learn_sigma", False) else 1)
        return cls(m["image_size"], m.get("in_channels", 3), m["num_channels"], out, m["num_res_blocks"],
                   _list(m["attention_resolutions"]), _list(m["channel_mult"]), m.get("dropout", 0.0),
                   m.get("num_heads", 1), m.get("num_head_channels", -1), m.get("use_scale_shift_norm", True),
                   m.get("resblock_updown", True))

    def forward(self, x, t):
        emb = self.time_embed(steps_embedding(t, self.model_channels))
        hs, h = [], x
        for b in self.input_blocks:
            h = b(h, emb)
            hs.append(h)
        h = self.middle_block(h, emb)
        for b in self.output_blocks:
            h = b(torch.cat([h, hs.pop()], dim=1), emb)
        return self.out(h)


def check(golden):
    """Largest absolute difference from the guided-diffusion golden output."""
    import json
    import os
    meta = json.load(open(os.path.join(golden, "README.json")))["unet_small_config"]
    meta = dict(meta, in_channels=3)
    net = UNet.from_config(meta).eval()
    net.load_state_dict(torch.load(os.path.join(golden, "unet_small_state_dict.pt")), strict=True)
    io = torch.load(os.path.join(golden, "unet_small_io.pt"))
    with torch.no_grad():
        out = net(io["input"], io["t"])
    return (out - io["output"]).abs().max().item()


if __name__ == "__main__":
    print(f"max |twin - golden| = {check(sys.argv[1]):.3g}")
