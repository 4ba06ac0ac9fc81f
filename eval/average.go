package eval

import "github.com/mfif/mfif/data"

func init() {
	Register(Info{
		Name:        "average",
		Description: "pixel-wise mean of all sources",
		Citation:    "baseline (no paper)",
		PeakMBPerMP: 103, // measured: see Info.PeakMBPerMP
	}, newAverage)
}

// average is the pixel-wise mean of all N sources (natively N-way, unlike
// the other methods, so every source gets weight 1/N). It takes no options.
type average struct{}

func newAverage(opts Options) (Method, error) {
	r := NewOptionReader(opts)
	return average{}, r.Done()
}

// Fuse returns the mean of the sources; a gray source beside colour ones
// counts in every colour plane (MatchPlanes).
func (average) Fuse(srcs []*data.Image) (*Result, error) {
	srcs, err := checkSources(srcs)
	if err != nil {
		return nil, err
	}
	out := data.NewImage(srcs[0].W, srcs[0].H, srcs[0].C())
	for _, s := range srcs {
		for c, p := range s.Planes {
			o := out.Planes[c]
			for i, v := range p {
				o[i] += v
			}
		}
	}
	n := float64(len(srcs))
	for _, p := range out.Planes {
		for i := range p {
			p[i] /= n
		}
	}
	return &Result{Fused: out}, nil
}
