// Package siamese defines the decision-map network of Zhai, Luo, Yang, Xu
// and Lin, "Multi-focus image fusion via multi-scale attention and Siamese
// networks", Digital Signal Processing 168 (2025) 105493: a GCB denoiser
// (DnCNN), a Siamese encoder of CBR units, residual blocks and DFEB blocks
// (DEA-Net-style feature extraction + content-guided attention), a decoder
// with DCA (dilated convolutions 1/2/4 + CBAM channel and spatial
// attention + residual concatenation) and a 3×3 conv + sigmoid head.
//
// The paper gives the modules but not the wiring; the choices made here,
// with their reasons:
//
//   - Input. Each source enters as one gray channel in [0,1]. The paper's
//     training images are gray-level VOC crops and colour is fused channel
//     by channel with one decision map (its §3.5.3), so one luminance map per
//     source is all the network needs, and it makes gray and colour inputs
//     the same case.
//   - GCB is shared by both sources and predicts the noise (DnCNN residual
//     form, clean = x − net(x)); its output feeds the encoder and is
//     supervised separately by the trainer.
//   - Encoder widths are Width·2^min(l,3) for levels l = 0..Levels: the
//     paper's Fig. 1 doubles channels per pooling step, and capping at 8×
//     keeps the deepest levels affordable.
//   - "Window size" (Table 6: 4, 8, 16, 32; 16 best) is read as the
//     encoder's total down-sampling, i.e. the side of the image cell one
//     bottleneck feature summarises. Stride = 2^Levels, so the paper model
//     uses Levels = 4 (16×16); inputs are padded to a multiple of it.
//   - The branches merge at every level: the two feature maps are
//     concatenated and reduced by a 1×1 CBR. Concatenation (not difference)
//     keeps which-source-is-sharper information, which the map needs; the
//     per-level merge feeds a U-Net-style decoder whose skips restore
//     boundaries.
//   - Siamese switch: on, both branches use one encoder (shared weights);
//     off, each source has its own encoder of the same shape.
//   - Residual switch: the identity path of the encoder's residual blocks
//     and DCA's residual concatenation. DFEB keeps its inner residuals (they
//     are part of that block).
//   - DFEB follows DEA-Net's DEAB with plain 3×3 convs in place of DEConv
//     (DEConv re-parameterises to a 3×3 conv at inference); its CGA hidden
//     width is 16, the constant the paper states. All padding is zero
//     padding (DEA-Net reflects), so bottlenecks smaller than 7×7 work.
//   - DCA: the three dilated branches are concatenated and reduced by a 1×1
//     conv; spatial attention uses [avg; max] in the order of eq. (3).
//
// Table 7's rows are configs: Baseline modules [], "+DCA" [dca],
// "+Siamese" [dca siamese], "+residual+DFEB" [dca siamese residual dfeb],
// "+GCB" all five.
//
// Weights are initialised from a Go RNG with PyTorch's default bounds, so
// a seed reproduces a model independently of libtorch's generator.
// Checkpoints are nets/checkpoint files of kind Kind: the architecture
// (state ConfigState), every variable under "model/", and whatever trainer
// state the caller adds (see Model.Put, Model.Save, Load).
package siamese
