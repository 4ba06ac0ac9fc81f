package ddfm

import (
	"math"

	"github.com/mfif/mfif/eval"
)

// Peak memory of DDFM, in MB: memPerMP per megapixel and 32 channels of
// the prior's base width (its convolutions) plus memPerScore per attention
// score of the prior's
// largest self-attention layer (adm.Config.AttentionScores), which grows
// with the square of the pixels: DDFM runs the prior on the whole image.
// Both were fit to the peak resident size of `mfif --workers 1 fuse
// --method ddfm --opt steps=1` with the ddfm-prior-cpu prior at 256x256,
// 384x384 and 512x512 (docs/errors.md, "Peak memory of the methods"):
// 656 MB per megapixel, 7.95 bytes per score (two float32 copies: the
// scores and their softmax), 253 MB for the process. The official
// 256-channel prior could not be measured here (its weights are not
// beside the repository): its convolution term is scaled by its width,
// and its 2.2 GB of weights come on top.
const (
	memPerMP    = 656
	memPerScore = 7.95e-6
)

var _ eval.PeakMemory = (*Method)(nil)

// PeakMB implements eval.PeakMemory for the loaded prior (a square image
// of that many megapixels).
func (m *Method) PeakMB(megapixels float64) float64 {
	side := int(math.Ceil(math.Sqrt(megapixels * 1e6)))
	c := m.p.Config
	return memPerMP*float64(c.NumChannels)/32*megapixels + memPerScore*c.AttentionScores(side, side)
}
