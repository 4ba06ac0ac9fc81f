package train_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/mfif/mfif/train"
)

func ExampleStepLR() {
	s, err := train.NewSchedule(train.ScheduleConfig{Kind: "step", Every: 2, Gamma: 0.88})
	if err != nil {
		log.Fatal(err)
	}
	for epoch := range 6 {
		fmt.Printf("epoch %d: lr %.6g\n", epoch+1, s.LR(5e-4, epoch))
	}
	// Output:
	// epoch 1: lr 0.0005
	// epoch 2: lr 0.0005
	// epoch 3: lr 0.00044
	// epoch 4: lr 0.00044
	// epoch 5: lr 0.0003872
	// epoch 6: lr 0.0003872
}

func ExampleLoadCheckpoint() {
	dir, err := os.MkdirTemp("", "ckpt")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "last.ckpt")

	c := train.NewCheckpoint("siamese")
	c.Epoch = 3
	c.Tensors["model/fc.weight"] = train.Float32Array([]float32{0.5, -1.25}, 1, 2)
	if err := c.Save(path); err != nil {
		log.Fatal(err)
	}

	got, err := train.LoadCheckpoint(path, "siamese")
	if err != nil {
		log.Fatal(err)
	}
	w, _ := got.Tensors["model/fc.weight"].Float32s()
	fmt.Println(got.Epoch, got.Tensors["model/fc.weight"].Shape, w)

	_, err = train.LoadCheckpoint(path, "fusiondiff")
	fmt.Println(err != nil)
	// Output:
	// 3 [1 2] [0.5 -1.25]
	// true
}
