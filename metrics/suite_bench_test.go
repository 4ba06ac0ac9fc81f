package metrics

import (
	"testing"

	"github.com/mfif/mfif/data"
)

// BenchmarkSuite520Colour times each MATLAB suite, whole and metric by
// metric, on one synthetic 520x520 RGB triple (the size of the speed table
// in docs/metrics.md). Run with -cpu 1; profile with -cpuprofile.
func BenchmarkSuite520Colour(b *testing.B) {
	sharp := texture(520, 520, 3, 1)
	a, bb := focusPair(sharp, 3)
	// yuliu's PSNR, SSIM and GMSD need a ground truth: a lightly blurred copy.
	in := Inputs{Sources: []*data.Image{a, bb}, Fused: sharp, Reference: boxBlur(sharp, 1)}
	for _, suite := range []string{"zhengliu", "yuliu", "vifb", "mefb"} {
		keys, err := SuiteKeys(suite)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(suite, func(b *testing.B) {
			c0 := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := Evaluate(keys, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
		for _, k := range keys {
			b.Run(k, func(b *testing.B) {
				c0 := cpuTime()
				for i := 0; i < b.N; i++ {
					if _, err := Evaluate([]string{k}, in); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
