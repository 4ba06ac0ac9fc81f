// Package eval runs fusion methods over source images and post-processes
// their decision maps. This file set holds the classical (non-learned)
// baselines, a name-keyed registry of fusion methods, and the decision-map
// post-processing shared with the learned models. None of it needs tensors,
// so the package builds without libtorch.
//
// Conventions shared by every method here:
//
//   - Images are data.Image on the 8-bit 0..255 scale, gray (1 plane) or
//     colour (3 planes). All sources must have the same size and plane count.
//   - A method fuses two sources natively. Three or more sources are fused by
//     sequential pairwise fusion: sources 1 and 2 are fused, the result is
//     fused with source 3, and so on. The exception is "average", which takes
//     the plain mean of all N sources (pairwise averaging would weight later
//     sources more).
//   - A decision map (Result.Map) is the weight of source 0 in [0,1]. With N
//     >= 3 sources it is the product of the pairwise maps, i.e. the weight
//     source 0 ends up with in the fused image; RawMap is then the first
//     pair's raw map.
//   - Focus measures of colour images are computed on data.Image.Gray (MATLAB
//     rgb2gray), while the fusion itself is applied to every colour channel.
package eval
