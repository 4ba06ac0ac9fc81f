// Package ddfm implements the sampling side of DDFM (Z. Zhao, H. Bai, Y.
// Zhu, J. Zhang, S. Xu, Y. Zhang, K. Zhang, D. Meng, R. Timofte, L. Van
// Gool, "DDFM: Denoising Diffusion Model for Multi-Modality Image Fusion",
// ICCV 2023): zero-shot fusion that steers an unconditional diffusion prior
// by one expectation-maximisation step per reverse-diffusion step. It is
// pure Go; the noise predictor is a callback (see nets/adm for the
// network and eval/ddfm for the glue).
//
// Where mfif follows the released code (MMIF-DDFM) and where the paper:
//   - Sampler: the code's deterministic DDIM (eta = 0) over 100 steps
//     respaced from the 1000-step linear schedule is the default; the
//     paper's Algorithm 1 (DDPM ancestral step with posterior noise, over
//     the same respaced steps) is Options.Sampler = "ddpm".
//   - The EM step sees the luminance of the clamped x0 estimate computed as
//     the code does: the BT.601 "studio" Y of data in [-1, 1], divided by
//     255, i.e. 16/255 + 219/255 * (0.299 R + 0.587 G + 0.114 B), while the
//     sources are in [-1, 1]. The change of Y is added back to every
//     channel scaled by 255/219, with no re-clamping. mfif keeps this
//     offset, because the published numbers were produced with it.
//   - EM_onestep: x = f - v, y = i - v, and the returned fusion is i - x,
//     exactly as the code (verified against golden vectors of the official
//     function); lambda = 0.5, rho = 0.001 as sample.py passes them.
//   - Source roles: the paper names the infrared image i and the visible
//     image v, but sample.py feeds the visible image as I and the infrared
//     as V. mfif follows the code by default (Options.PaperRoles = false),
//     since the reported tables come from it.
//   - Output: the BT.601 luma of the final sample, min-max normalised to
//     [0, 255], gray; re-inserting the visible image's chroma is optional
//     and off by default (the code writes gray images).
//   - x_T comes from a seeded Go generator, not torch.manual_seed(3407), so
//     individual samples differ from the official ones while the method
//     and its statistics do not.
package ddfm
