package experiment_test

import (
	"fmt"

	"github.com/mfif/mfif/eval/experiment"
)

// Cells of a sweep are named from their values, so a rerun finds them.
func ExampleCellName() {
	fmt.Println(experiment.CellName([]experiment.AxisValue{{Axis: "model.dca", Value: false}, {Axis: "train.seed", Value: 1}}))
	// Output: model.dca-false_train.seed-1-f769f1fd
}

// Shard i of n holds the cells whose index mod n is i.
func ExampleShard() {
	cells := make([]experiment.Cell, 5)
	for i := range cells {
		cells[i].Index = i
	}
	for i := 0; i < 2; i++ {
		sh, _ := experiment.Shard(cells, i, 2)
		var idx []int
		for _, c := range sh {
			idx = append(idx, c.Index)
		}
		fmt.Println(idx)
	}
	// Output:
	// [0 2 4]
	// [1 3]
}
