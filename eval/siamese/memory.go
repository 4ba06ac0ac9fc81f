package siamese

import (
	"github.com/mfif/mfif/eval"
	net "github.com/mfif/mfif/nets/siamese"
)

// Peak memory of fusing with a Siamese network, in MB per megapixel:
// memBase + memPerChannel·(2·width + gcb_width), the full-resolution
// channels of the two encoder branches and the GCB denoiser. Both terms
// were fit to the peak resident size of `mfif --workers 1 fuse --method
// siamese` (docs/errors.md, "Peak memory of the methods") with the
// siamese-cpu network (width 8, gcb_width 8: 642 MB per megapixel) and
// the paper's (width 32, gcb_width 64: 1388 MB per megapixel), with the
// forward pass that releases its intermediates as soon as they are read
// (main at 5534638; before it the two took 1454 and 4980).
const (
	memBase       = 469
	memPerChannel = 7.18
)

var _ eval.PeakMemory = (*Method)(nil)

// PeakMB implements eval.PeakMemory for the loaded network.
func (m *Method) PeakMB(megapixels float64) float64 {
	c := m.model.Net.Config()
	ch := 2 * c.Width
	if c.Has(net.ModGCB) {
		ch += c.GCBWidth
	}
	return megapixels * (memBase + memPerChannel*float64(ch))
}
