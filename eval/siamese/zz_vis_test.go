package siamese

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
)

func TestZZVis(t *testing.T) {
	ck := os.Getenv("ZZ_CKPT")
	if ck == "" {
		t.Skip()
	}
	out := os.Getenv("ZZ_VIS")
	m, err := New(eval.Options{"model": ck})
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := data.DiscoverPairs("/work/shared/data/mffw")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{0, 2, 4, 7} {
		src, _, err := data.LoadPair(pairs[k])
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.Fuse(src)
		if err != nil {
			t.Fatal(err)
		}
		scale := func(img *data.Image) *data.Image {
			o := img.Clone()
			for i := range o.Planes[0] {
				o.Planes[0][i] *= 255
			}
			return o
		}
		n := pairs[k].Name
		parts := []*data.Image{gray(src[0]), gray(src[1]), scale(res.RawMap), scale(res.Map)}
		h := 180
		w := src[0].W * h / src[0].H
		mont := data.NewImage(4*w, h, 1)
		for j, p := range parts {
			r := data.Resize(p, w, h)
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					mont.Planes[0][y*4*w+j*w+x] = r.Planes[0][y*w+x]
				}
			}
		}
		data.WriteImage(filepath.Join(out, n+".png"), mont, 8)
		fmt.Println(n, src[0].W, src[0].H)
	}
}

func gray(m *data.Image) *data.Image {
	if m.C() == 1 {
		return m
	}
	g, _ := m.Gray()
	return g
}
