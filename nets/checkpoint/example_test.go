package checkpoint_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/mfif/mfif/nets/checkpoint"
)

func ExampleLoad() {
	dir, err := os.MkdirTemp("", "ckpt")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "last.ckpt")

	c := checkpoint.New("siamese")
	c.Epoch = 3
	c.Tensors["model/fc.weight"] = checkpoint.Float32Array([]float32{0.5, -1.25}, 1, 2)
	if err := c.Save(path); err != nil {
		log.Fatal(err)
	}

	got, err := checkpoint.Load(path, "siamese")
	if err != nil {
		log.Fatal(err)
	}
	w, _ := got.Tensors["model/fc.weight"].Float32s()
	fmt.Println(got.Epoch, got.Tensors["model/fc.weight"].Shape, w)

	_, err = checkpoint.Load(path, "fusiondiff")
	fmt.Println(err != nil)
	// Output:
	// 3 [1 2] [0.5 -1.25]
	// true
}
