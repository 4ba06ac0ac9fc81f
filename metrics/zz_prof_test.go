package metrics

import (
	"testing"

	"github.com/mfif/mfif/data"
)

func BenchmarkZZSuite(b *testing.B) {
	read := func(s string) *data.Image {
		m, err := data.ReadImage("/work/oracle-23a/speed/big_" + s + ".png")
		if err != nil {
			b.Fatal(err)
		}
		return m
	}
	in := Inputs{Sources: []*data.Image{read("A"), read("B")}, Fused: read("F"), Reference: read("R")}
	for _, k := range []string{"cddfuse"} {
		b.Run(k, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				keys, _ := SuiteKeys(k); Evaluate(keys, in)
			}
		})
	}
}
