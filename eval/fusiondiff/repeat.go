package fusiondiff

import (
	"fmt"
	"math"
	"sort"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/metrics"
)

// Stat summarizes one metric over repeated fusions.
type Stat struct {
	N                   int
	Mean, Std, Min, Max float64
}

// RepeatResult holds n fusions of one pair from different x_T.
type RepeatResult struct {
	// Seeds are the x_T seeds used, in order.
	Seeds []uint64
	// Fused are the fused images, one per seed.
	Fused []*data.Image
	// Metrics holds the metric values of each run.
	Metrics []map[string]float64
	// Stats summarizes every metric over the runs.
	Stats map[string]Stat
	// PixelStd is the per-pixel standard deviation across runs, averaged
	// over pixels and planes (8-bit levels): 0 means fully deterministic.
	PixelStd float64
}

// Repeat fuses sources n times with seeds seed, seed+1, ..., evaluates the
// named metrics on each result (ref may be nil) and summarizes them: the
// paper's determinism check with several x_T draws.
func Repeat(m *Method, sources []*data.Image, ref *data.Image, n int, seed uint64, metricNames []string) (*RepeatResult, error) {
	if n < 1 {
		return nil, fmt.Errorf("fusiondiff repeat: n = %d, need >= 1", n)
	}
	r := &RepeatResult{}
	for i := 0; i < n; i++ {
		s := seed + uint64(i)
		f, err := m.FuseSeed(sources, s)
		if err != nil {
			return nil, fmt.Errorf("fusiondiff repeat %d (seed %d): %w", i+1, s, err)
		}
		vals := map[string]float64{}
		if len(metricNames) > 0 {
			vals, err = metrics.Evaluate(metricNames, metrics.Inputs{Sources: sources, Fused: f, Reference: ref})
			if err != nil {
				return nil, fmt.Errorf("fusiondiff repeat %d: %w", i+1, err)
			}
		}
		r.Seeds = append(r.Seeds, s)
		r.Fused = append(r.Fused, f)
		r.Metrics = append(r.Metrics, vals)
	}
	r.Stats = Summarize(r.Metrics)
	r.PixelStd = pixelStd(r.Fused)
	return r, nil
}

// Summarize returns mean, sample standard deviation, min and max of every
// metric present in runs (NaN values are skipped).
func Summarize(runs []map[string]float64) map[string]Stat {
	vals := map[string][]float64{}
	for _, run := range runs {
		for k, v := range run {
			if !math.IsNaN(v) {
				vals[k] = append(vals[k], v)
			}
		}
	}
	out := map[string]Stat{}
	for k, vs := range vals {
		sort.Float64s(vs)
		var sum float64
		for _, v := range vs {
			sum += v
		}
		st := Stat{N: len(vs), Mean: sum / float64(len(vs)), Min: vs[0], Max: vs[len(vs)-1]}
		if len(vs) > 1 {
			var ss float64
			for _, v := range vs {
				ss += (v - st.Mean) * (v - st.Mean)
			}
			st.Std = math.Sqrt(ss / float64(len(vs)-1))
		}
		out[k] = st
	}
	return out
}

func pixelStd(imgs []*data.Image) float64 {
	if len(imgs) < 2 {
		return 0
	}
	var total float64
	var count int
	for c := range imgs[0].Planes {
		for i := range imgs[0].Planes[c] {
			var s, ss float64
			for _, m := range imgs {
				v := m.Planes[c][i]
				s += v
				ss += v * v
			}
			n := float64(len(imgs))
			mean := s / n
			total += math.Sqrt(math.Max(0, (ss-n*mean*mean)/(n-1)))
			count++
		}
	}
	return total / float64(count)
}
