package train_test

import (
	"fmt"
	"log"

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
