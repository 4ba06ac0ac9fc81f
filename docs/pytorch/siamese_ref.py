"""PyTorch reference of mfif's Siamese decision-map network (nets/siamese).

Builds the same architecture as the Go network from a checkpoint's model
config, with the same parameter names, so the state_dict written by
`mfif export CKPT --out FILE` loads strictly:

    import torch
    from siamese_ref import SiameseNet, load_header
    cfg = load_header("best.ckpt")["states"]["model_config"]
    net = SiameseNet.from_config(cfg).eval()
    net.load_state_dict(torch.load("siamese.pt"), strict=True)
    logits, clean_a, clean_b = net(a, b)          # a, b: (N,1,H,W) gray in [0,1]
    decision = torch.sigmoid(logits)              # 1 where a is in focus

The config is the checkpoint's "model_config" state (load_header reads
the JSON header of an mfif checkpoint; its keys are the Go field names,
Width, Levels, ...) or the `model:` section of the training config (width,
levels, res_blocks, dfeb_blocks, gcb_depth, gcb_width, cga_hidden,
cbam_reduction, modules: any of "gcb", "siamese", "dfeb", "dca",
"residual"); SiameseNet.from_config takes either. H and W must be multiples of 2**levels; mfif pads by mirror
reflection (numpy's "symmetric" mode) to the next multiple and crops the map
back. The forward pass follows nets/siamese/model.go, modules.go and
layers.go operation by operation; BatchNorm runs on its running statistics
in eval mode (eps 1e-5, momentum 0.1, as in the Go network).

Needs only torch (tested with 1.13). Licence: MIT, as mfif.
"""

import json
import struct

import torch
import torch.nn.functional as F
from torch import nn

MODULES = ("dca", "dfeb", "gcb", "residual", "siamese")

# Go field names of the checkpoint's "model_config" state -> argument names.
GO_FIELDS = {"Name": "name", "Width": "width", "Levels": "levels", "ResBlocks": "res_blocks",
             "DFEBBlocks": "dfeb_blocks", "GCBDepth": "gcb_depth", "GCBWidth": "gcb_width",
             "CGAHidden": "cga_hidden", "CBAMReduction": "cbam_reduction", "Modules": "modules"}


def load_header(path):
    """The JSON header of an mfif checkpoint (docs/checkpoints.md): kind,
    epoch, iteration, created, config (YAML text), states (name -> JSON
    value) and the tensor table. The CRC is not checked here."""
    with open(path, "rb") as f:
        prefix = f.read(20)
        if len(prefix) < 20 or prefix[:8] != b"MFIFCKPT":
            raise ValueError(f"{path}: not an mfif checkpoint")
        version, length = struct.unpack("<IQ", prefix[8:])
        if version != 1:
            raise ValueError(f"{path}: checkpoint format {version}, this reader knows 1")
        raw = f.read(length)
        if len(raw) != length:
            raise ValueError(f"{path}: truncated header")
    return json.loads(raw)


def conv(cin, cout, k, bias, dilation=1, groups=1):
    """A stride-1 convolution with the Go network's "same" zero padding."""
    return nn.Conv2d(cin, cout, k, padding=dilation * (k - 1) // 2,
                     dilation=dilation, groups=groups, bias=bias)


class CBR(nn.Module):
    """Conv (no bias) - BatchNorm - ReLU."""

    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = conv(cin, cout, k, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class ResBlock(nn.Module):
    """conv-BN-ReLU-conv-BN, plus the input when identity, then ReLU."""

    def __init__(self, c, identity):
        super().__init__()
        self.conv1 = conv(c, c, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = conv(c, c, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.identity = identity

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.identity:
            y = y + x
        return F.relu(y)


def channel_stats(x):
    """Per-pixel channel mean and max as (N,2,H,W), in that order."""
    return torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)


class GCB(nn.Module):
    """DnCNN noise predictor: clean = x - net(x)."""

    def __init__(self, depth, width):
        super().__init__()
        self.first = conv(1, width, 3, bias=True)
        self.mid = nn.ModuleList([CBR(width, width, 3) for _ in range(depth - 2)])
        self.last = conv(width, 1, 3, bias=False)

    def forward(self, x):
        y = F.relu(self.first(x))
        for m in self.mid:
            y = m(y)
        return x - self.last(y)


class CGA(nn.Module):
    """Content-guided attention: a sigmoid map of x's shape."""

    def __init__(self, c, hidden):
        super().__init__()
        self.ca1 = conv(c, hidden, 1, bias=True)
        self.ca2 = conv(hidden, c, 1, bias=True)
        self.sa = conv(2, 1, 7, bias=True)
        self.pa = conv(2 * c, c, 7, bias=True, groups=c)

    def forward(self, x):
        wc = self.ca2(F.relu(self.ca1(F.adaptive_avg_pool2d(x, 1))))
        ws = self.sa(channel_stats(x))
        coarse = wc + ws
        n, c, h, w = x.shape
        # interleave the channels: x0, coarse0, x1, coarse1, ...
        z = torch.stack([x, coarse], dim=2).reshape(n, 2 * c, h, w)
        return torch.sigmoid(self.pa(z))


class DFEB(nn.Module):
    """Deep feature extraction block (DEA-Net DEAB with plain 3x3 convs)."""

    def __init__(self, c, hidden):
        super().__init__()
        self.conv1 = conv(c, c, 3, bias=True)
        self.conv2 = conv(c, c, 3, bias=True)
        self.fuse = conv(2 * c, c, 1, bias=True)
        self.cga = CGA(c, hidden)

    def forward(self, x):
        r = F.relu(self.conv1(x)) + x
        r = self.conv2(r)
        r = self.fuse(torch.cat([r, x], dim=1))
        return r * self.cga(r) + x


class DCA(nn.Module):
    """Dilated convolutional attention: dilations 1/2/4, CBAM, residual."""

    def __init__(self, c, reduction, residual):
        super().__init__()
        hidden = max(c // reduction, 1)
        for d in (1, 2, 4):
            self.add_module(f"dil{d}", conv(c, c, 3, bias=True, dilation=d))
        self.merge = conv(3 * c, c, 1, bias=True)
        self.mlp1 = conv(c, hidden, 1, bias=True)
        self.mlp2 = conv(hidden, c, 1, bias=True)
        self.spatial = conv(2, 1, 7, bias=False)
        self.res = conv(2 * c, c, 1, bias=True) if residual else None

    def mlp(self, x):
        return self.mlp2(F.relu(self.mlp1(x)))

    def forward(self, x):
        br = [F.relu(getattr(self, f"dil{d}")(x)) for d in (1, 2, 4)]
        f = self.merge(torch.cat(br, dim=1))
        mc = torch.sigmoid(self.mlp(F.adaptive_avg_pool2d(f, 1)) + self.mlp(f.amax(dim=(2, 3), keepdim=True)))
        f1 = f * mc
        f2 = f1 * torch.sigmoid(self.spatial(channel_stats(f1)))
        if self.res is not None:
            f2 = self.res(torch.cat([f2, x], dim=1))
        return F.relu(f2)


class Level(nn.Module):
    """One encoder level: a CBR setting the width, then residual blocks."""

    def __init__(self, cin, c, res_blocks, identity):
        super().__init__()
        self.cbr = CBR(cin, c, 3)
        for i in range(res_blocks):
            self.add_module(f"res{i}", ResBlock(c, identity))
        self.res_blocks = res_blocks

    def forward(self, x):
        y = self.cbr(x)
        for i in range(self.res_blocks):
            y = getattr(self, f"res{i}")(y)
        return y


class Encoder(nn.Module):
    """One branch: levels 0..L (2x max-pool before each but the first),
    DFEB blocks after the last; returns every level's features."""

    def __init__(self, widths, res_blocks, identity, dfeb_blocks, cga_hidden):
        super().__init__()
        cin = 1
        for l, w in enumerate(widths):
            self.add_module(f"level{l}", Level(cin, w, res_blocks, identity))
            cin = w
        for i in range(dfeb_blocks):
            self.add_module(f"dfeb{i}", DFEB(widths[-1], cga_hidden))
        self.levels, self.dfeb_blocks = len(widths), dfeb_blocks

    def forward(self, x):
        feats, y = [], x
        for l in range(self.levels):
            if l > 0:
                y = F.max_pool2d(y, 2, 2)
            y = getattr(self, f"level{l}")(y)
            if l == self.levels - 1:
                for i in range(self.dfeb_blocks):
                    y = getattr(self, f"dfeb{i}")(y)
            feats.append(y)
        return feats


class DecStage(nn.Module):
    """Decoder stage: CBR over [upsampled coarser output; merged skip],
    then DCA when switched on."""

    def __init__(self, cin, c, dca, reduction, residual):
        super().__init__()
        self.cbr = CBR(cin, c, 3)
        self.dca = DCA(c, reduction, residual) if dca else None

    def forward(self, d, skip):
        up = F.interpolate(d, size=skip.shape[2:], mode="bilinear", align_corners=False)
        d = self.cbr(torch.cat([up, skip], dim=1))
        return self.dca(d) if self.dca is not None else d


class SiameseNet(nn.Module):
    """The decision-map network; forward(a, b) returns (logits, clean_a,
    clean_b) for gray sources (N,1,H,W) in [0,1]."""

    def __init__(self, width, levels, res_blocks, dfeb_blocks, gcb_depth, gcb_width,
                 cga_hidden, cbam_reduction, modules=(), name="siamese"):
        super().__init__()
        if name != "siamese":
            raise ValueError(f"model name {name!r}, want 'siamese'")
        modules = set(modules or ())
        unknown = modules - set(MODULES)
        if unknown:
            raise ValueError(f"unknown modules {sorted(unknown)} (known: {', '.join(MODULES)})")
        self.levels = levels
        widths = [width << min(l, 3) for l in range(levels + 1)]
        self.gcb = GCB(gcb_depth, gcb_width) if "gcb" in modules else None
        dfebs = dfeb_blocks if "dfeb" in modules else 0
        identity = "residual" in modules
        self.enc_a = Encoder(widths, res_blocks, identity, dfebs, cga_hidden)
        self.enc_b = None
        if "siamese" not in modules:
            self.enc_b = Encoder(widths, res_blocks, identity, dfebs, cga_hidden)
        for l, w in enumerate(widths):
            self.add_module(f"merge{l}", CBR(2 * w, w, 1))
        for l in range(levels - 1, -1, -1):
            self.add_module(f"dec{l}", DecStage(widths[l + 1] + widths[l], widths[l],
                                                "dca" in modules, cbam_reduction, identity))
        self.head = conv(width, 1, 3, bias=True)

    @classmethod
    def from_config(cls, cfg):
        """Builds the network from a "model_config" state (Go field names)
        or a `model:` config section (snake_case keys)."""
        return cls(**{GO_FIELDS.get(k, k): v for k, v in cfg.items()})

    @property
    def stride(self):
        """The multiple H and W must have."""
        return 1 << self.levels

    def forward(self, a, b):
        if self.gcb is not None:
            a, b = self.gcb(a), self.gcb(b)
        fa = self.enc_a(a)
        fb = (self.enc_b if self.enc_b is not None else self.enc_a)(b)
        merged = [getattr(self, f"merge{l}")(torch.cat([x, y], dim=1)) for l, (x, y) in enumerate(zip(fa, fb))]
        d = merged[-1]
        for l in range(self.levels - 1, -1, -1):
            d = getattr(self, f"dec{l}")(d, merged[l])
        return self.head(d), a, b
