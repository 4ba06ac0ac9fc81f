package fusiondiff

import "github.com/mfif/mfif/eval"

// Peak memory of fusing with a FusionDiff network, in MB per megapixel of
// what one network call sees (the whole image, or one tile with option
// tile): memBase + memPerChannel·model_channels·(num_res_blocks + 1), the
// full-resolution activations the U-Net keeps for its skip connections.
// Both terms were fit to the peak resident size of `mfif --workers 1 fuse
// --method fusiondiff --opt steps=1` (docs/errors.md, "Peak memory of the
// methods") with the fusiondiff-cpu network (32 channels, 1 block: 863
// MB per megapixel) and the paper's (64 channels, 2 blocks: 1127).
// Tiled, the images and the blended result take memImage per megapixel of
// the whole image besides (the slope of fusiondiff-cpu with tile=512 from
// 1 to 4 megapixels: 698 and 1818 MB).
const (
	memBase       = 731
	memPerChannel = 2.06
	memImage      = 373
)

var _ eval.PeakMemory = (*Method)(nil)

// PeakMB implements eval.PeakMemory for the loaded network and tiling.
func (m *Method) PeakMB(megapixels float64) float64 {
	c := m.tr.Spec.Model
	perMP := memBase + memPerChannel*float64(c.ModelChannels*(c.NumResBlocks+1))
	if t := m.opts.Tile; t > 0 {
		if tileMP := float64(t) * float64(t) / 1e6; tileMP < megapixels {
			return memImage*megapixels + perMP*tileMP
		}
	}
	return perMP * megapixels
}
