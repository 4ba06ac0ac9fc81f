package eval_test

import (
	"fmt"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
)

func ExampleNew() {
	a := &data.Image{W: 2, H: 1, Planes: [][]float64{{10, 20}}}
	b := &data.Image{W: 2, H: 1, Planes: [][]float64{{30, 60}}}
	m, err := eval.New("average", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := m.Fuse([]*data.Image{a, b})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Fused.Planes[0])
	_, err = eval.New("lapalcian", nil)
	fmt.Println(err)
	// Output:
	// [20 40]
	// unknown fusion method "lapalcian" (known: average, dct-variance, gff, laplacian, sf-map)
}

func ExamplePostProcess() {
	// A 5x4 soft map: columns 0-2 favour source A except one stray pixel,
	// columns 3-4 favour source B except one stray pixel. Regions under 2
	// pixels (0.1*20) of either class are flipped; 0.5 counts as A.
	m := &data.Image{W: 5, H: 4, Planes: [][]float64{{
		0.9, 0.8, 0.6, 0.1, 0.0,
		0.7, 0.3, 0.5, 0.2, 0.1,
		0.9, 0.9, 0.7, 0.1, 0.8,
		0.6, 0.9, 0.7, 0.0, 0.2,
	}}}
	opt := eval.DefaultPostOptions()
	opt.MinAreaFraction = 0.1
	d, err := eval.PostProcess(m, nil, opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	for y := range 4 {
		fmt.Println(d.Planes[0][y*5 : y*5+5])
	}
	// Output:
	// [1 1 1 0 0]
	// [1 1 1 0 0]
	// [1 1 1 0 0]
	// [1 1 1 0 0]
}
