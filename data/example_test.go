package data_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/mfif/mfif/data"
)

func ExampleDiscoverPairs() {
	dir, err := os.MkdirTemp("", "pairs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	img := data.NewImage(4, 4, 1)
	for _, name := range []string{"lytro-10-A", "lytro-10-B", "lytro-2-A", "lytro-2-B", "lytro-2_CNN"} {
		if err := data.WriteImage(filepath.Join(dir, name+".png"), img, 8); err != nil {
			log.Fatal(err)
		}
	}
	pairs, err := data.DiscoverPairs(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pairs {
		fmt.Println(p.Name, filepath.Base(p.Sources[0]), filepath.Base(p.Sources[1]))
	}
	// Output:
	// lytro-2 lytro-2-A.png lytro-2-B.png
	// lytro-10 lytro-10-A.png lytro-10-B.png
}

func ExampleSynthesize() {
	sc, err := data.Synthesize(data.SynthConfig{W: 128, H: 96, EdgeSigma: 1}, 42)
	if err != nil {
		log.Fatal(err)
	}
	ones := 0.0
	for _, v := range sc.Mask.Planes[0] {
		ones += v
	}
	cover := ones / float64(sc.Mask.W*sc.Mask.H)
	fmt.Println(sc.Name, len(sc.Sources), sc.Truth.W, sc.Truth.H, sc.Truth.C())
	fmt.Println("coverage in [0.3, 0.7]:", cover >= 0.3 && cover <= 0.7)
	// Output:
	// synth_42 2 128 96 3
	// coverage in [0.3, 0.7]: true
}

func ExampleWriteSyntheticSet() {
	data.ProgressOutput = io.Discard
	dir, err := os.MkdirTemp("", "synth")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if _, err := data.WriteSyntheticSet(dir, 2, data.SynthConfig{W: 32, H: 32}, 1); err != nil {
		log.Fatal(err)
	}
	pairs, err := data.DiscoverPairs(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range pairs {
		rel, _ := filepath.Rel(dir, p.Reference)
		fmt.Println(p.Name, filepath.ToSlash(rel))
	}
	// Output:
	// synth_00000 full_clear/synth_00000.png
	// synth_00001 full_clear/synth_00001.png
}
