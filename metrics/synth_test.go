package metrics

import (
	"math"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/mfif/mfif/data"
)

// texture returns a deterministic c-plane texture with edges at several
// scales and mild noise, values kept inside 0..255 and rounded to integers
// like a decoded 8-bit image.
func texture(w, h, c int, seed uint64) *data.Image {
	r := rand.New(rand.NewPCG(seed, 7))
	m := data.NewImage(w, h, c)
	m.Depth = 8
	for p := 0; p < c; p++ {
		ph := r.Float64() * 6
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := 128 + 50*math.Sin(float64(x)*0.11+ph)*math.Cos(float64(y)*0.07) +
					30*math.Sin(float64(x*y)*0.002+ph) + 20*r.Float64()
				if (x/37+y/29)%2 == 0 {
					v += 25
				}
				m.Planes[p][y*w+x] = data.RoundSat255(v)
			}
		}
	}
	return m
}

// boxBlur blurs every plane with a (2r+1)^2 box (edges clamped), rounding
// to integers.
func boxBlur(m *data.Image, r int) *data.Image {
	out := m.Clone()
	for p := range m.Planes {
		for y := 0; y < m.H; y++ {
			for x := 0; x < m.W; x++ {
				s, n := 0.0, 0
				for dy := -r; dy <= r; dy++ {
					for dx := -r; dx <= r; dx++ {
						xx := min(max(x+dx, 0), m.W-1)
						yy := min(max(y+dy, 0), m.H-1)
						s += m.Planes[p][yy*m.W+xx]
						n++
					}
				}
				out.Planes[p][y*m.W+x] = data.RoundSat255(s / float64(n))
			}
		}
	}
	return out
}

// focusPair returns a multi-focus pair built from sharp: A is sharp on the
// left half and blurred on the right, B the opposite.
func focusPair(sharp *data.Image, r int) (a, b *data.Image) {
	bl := boxBlur(sharp, r)
	a, b = sharp.Clone(), sharp.Clone()
	for p := range sharp.Planes {
		for y := 0; y < sharp.H; y++ {
			for x := 0; x < sharp.W; x++ {
				i := y*sharp.W + x
				if x < sharp.W/2 {
					b.Planes[p][i] = bl.Planes[p][i]
				} else {
					a.Planes[p][i] = bl.Planes[p][i]
				}
			}
		}
	}
	return a, b
}

// BenchmarkPrimary520Colour evaluates the six primary metrics on one
// 520x520 RGB triple (including gray conversion). Run with -cpu 1.
func BenchmarkPrimary520Colour(b *testing.B) {
	sharp := texture(520, 520, 3, 1)
	a, bb := focusPair(sharp, 3)
	in := Inputs{Sources: []*data.Image{a, bb}, Fused: sharp}
	names := Primary()
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if _, err := Evaluate(names, in); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time of the process per op: on a shared machine wall time also
	// counts the time other processes hold the core.
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

// cpuTime returns the user+system CPU time of the process in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkMetric520 times each primary metric alone on the same triple
// (each includes its own gray conversion and shared maps).
func BenchmarkMetric520(b *testing.B) {
	sharp := texture(520, 520, 3, 1)
	a, bb := focusPair(sharp, 3)
	in := Inputs{Sources: []*data.Image{a, bb}, Fused: sharp}
	for _, name := range Primary() {
		b.Run(name, func(b *testing.B) {
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := Evaluate([]string{name}, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}
