"""FusionDiff's NoisePred U-Net in PyTorch, written from mfif's Go network
(nets/fusiondiff/model.go and layers.go) with the same parameter names, so a
state_dict written by `mfif export` loads with strict=True and the two
networks can be timed against each other on the same device.

    from fusiondiff_ref import NoisePred
    net = NoisePred.from_config(yaml.safe_load(open("configs/fusiondiff.yaml"))["model"])
    eps = net(x, t)   # x: (N, in_channels, H, W) = [S1, S2, x_t]; t: (N,) integer steps

Layout (the names in brackets are the state_dict prefixes):
  time embedding: sinusoid of width model_channels (cosines first) ->
    Linear -> SiLU -> Linear [time_embed.0, time_embed.2];
  3x3 input conv [inBlock];
  encoder [downBlock.K.0]: per level num_res_blocks residual blocks, and a
    3x3 stride-2 conv [op] after every level but the last; each level's last
    output is kept as a skip;
  middle [middleBlock.K.0]: num_res_blocks residual blocks;
  decoder [upBlock.K.0]: levels L-1..0, each num_res_blocks residual blocks
    narrowing to the width of the level below, then (except at the deepest
    level) a transposed 3x3 stride-2 conv [op]; the skip of the level below
    is added after each level but the last (cropped at the bottom/right);
  out: GroupNorm -> SiLU -> 3x3 conv [outBlock.0, outBlock.2].
Residual block: h = conv1(SiLU(GN(x))) + Linear(SiLU(temb)) [conv1.0,
conv1.2, time_emb.1]; h = conv2(Dropout(SiLU(GN(h)))) [conv2.0, conv2.3];
out = h + x, or h + 1x1 conv(x) [shortcut] when the widths differ.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t, dim):
    """[cos(t f_i), sin(t f_i)], f_i = exp(-ln(10000) i / (dim/2)), float32."""
    half = dim // 2
    f = torch.exp(torch.arange(half, dtype=torch.float32, device=t.device)
                  * -math.log(10000) / half).unsqueeze(0)
    args = t.float().unsqueeze(1) * f
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, ted, groups, dropout):
        super().__init__()
        self.conv1 = nn.Sequential(nn.GroupNorm(groups, cin), nn.SiLU(),
                                   nn.Conv2d(cin, cout, 3, padding=1))
        self.time_emb = nn.Sequential(nn.SiLU(), nn.Linear(ted, cout))
        self.conv2 = nn.Sequential(nn.GroupNorm(groups, cout), nn.SiLU(), nn.Dropout(dropout),
                                   nn.Conv2d(cout, cout, 3, padding=1))
        self.shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(x) + self.time_emb(temb)[:, :, None, None]
        h = self.conv2(h)
        return h + (self.shortcut(x) if self.shortcut is not None else x)


class Down(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.op = nn.Conv2d(c, c, 3, stride=2, padding=1)

    def forward(self, x, temb):
        return self.op(x)


class Up(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.op = nn.ConvTranspose2d(c, c, 3, stride=2, padding=1, output_padding=1)

    def forward(self, x, temb):
        return self.op(x)


def wrap(m):
    """One-module Sequential, so that names read "<seq>.<k>.0.<param>"."""
    return nn.Sequential(m)


class NoisePred(nn.Module):
    def __init__(self, in_channels, out_channels, model_channels, num_res_blocks, dropout,
                 time_embed_dim_mult, channel_mult, groups=32):
        super().__init__()
        mc = model_channels
        ted = mc * time_embed_dim_mult
        self.mc = mc
        self.time_embed = nn.Sequential(nn.Linear(mc, ted), nn.SiLU(), nn.Linear(ted, ted))
        self.inBlock = nn.Conv2d(in_channels, mc, 3, padding=1)
        down, self.down_skips = [], []
        ch = mc
        for lvl, mult in enumerate(channel_mult):
            out = mc * mult
            for _ in range(num_res_blocks):
                down.append(wrap(ResBlock(ch, out, ted, groups, dropout)))
                ch = out
            if lvl < len(channel_mult) - 1:
                down.append(wrap(Down(ch)))
            self.down_skips.append(len(down) - 1)
        self.downBlock = nn.Sequential(*down)
        self.middleBlock = nn.Sequential(*[wrap(ResBlock(ch, ch, ted, groups, dropout))
                                           for _ in range(num_res_blocks)])
        up, self.up_skips = [], []
        for lvl in range(len(channel_mult) - 1, -1, -1):
            out = mc * channel_mult[max(lvl - 1, 0)]
            for _ in range(num_res_blocks):
                up.append(wrap(ResBlock(ch, out, ted, groups, dropout)))
                ch = out
            if lvl < len(channel_mult) - 1:
                up.append(wrap(Up(ch)))
            if lvl > 0:
                self.up_skips.append(len(up) - 1)
        self.upBlock = nn.Sequential(*up)
        self.outBlock = nn.Sequential(nn.GroupNorm(groups, ch), nn.SiLU(),
                                      nn.Conv2d(ch, out_channels, 3, padding=1))

    @classmethod
    def from_config(cls, cfg):
        """Builds the network from the `model:` section of an mfif config."""
        return cls(cfg["in_channels"], cfg["out_channels"], cfg["model_channels"],
                   cfg["num_res_blocks"], cfg.get("dropout", 0.0), cfg["time_embed_dim_mult"],
                   cfg["down_sample_mult"], cfg.get("groups", 32))

    @staticmethod
    def add_skip(h, skip):
        return h[:, :, :skip.shape[2], :skip.shape[3]] + skip

    def forward(self, x, t):
        temb = self.time_embed(timestep_embedding(t, self.mc))
        h = self.inBlock(x)
        skips = []
        for i, b in enumerate(self.downBlock):
            h = b[0](h, temb)
            if i in self.down_skips:
                skips.append(h)
        for b in self.middleBlock:
            h = b[0](h, temb)
        h = self.add_skip(h, skips[-1])
        k = len(skips) - 2
        for i, b in enumerate(self.upBlock):
            h = b[0](h, temb)
            if i in self.up_skips:
                h = self.add_skip(h, skips[k])
                k -= 1
        return self.outBlock(h)
