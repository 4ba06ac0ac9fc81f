package eval

import (
	"testing"

	"github.com/mfif/mfif/data"
)

// BenchmarkMethods fuses one 520x520 colour pair per iteration with each
// method's defaults.
func BenchmarkMethods(b *testing.B) {
	_, a, c := scene(520, 520, 3, 99)
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			m := mustNew(b, name, nil)
			for b.Loop() {
				if _, err := m.Fuse([]*data.Image{a, c}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPostProcess cleans and guided-filters a noisy 520x520 map.
func BenchmarkPostProcess(b *testing.B) {
	gt, a, _ := scene(520, 520, 3, 98)
	m := data.NewImage(520, 520, 1)
	for i, v := range gt.Planes[0] {
		m.Planes[0][i] = v / 255
	}
	opt := DefaultPostOptions()
	opt.GuidedRadius = 4
	for b.Loop() {
		if _, err := PostProcess(m, a, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGuidedFilter runs GFF's large base-layer filter (r=45).
func BenchmarkGuidedFilter(b *testing.B) {
	gt, a, _ := scene(520, 520, 1, 97)
	for b.Loop() {
		GuidedFilter(gt.Planes[0], a.Planes[0], 520, 520, 45, 0.3)
	}
}
