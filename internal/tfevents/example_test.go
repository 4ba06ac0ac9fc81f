package tfevents_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mfif/mfif/internal/tfevents"
)

// A trainer writes its losses once per epoch; `tensorboard --logdir runs`
// then draws the curves.
func Example() {
	dir, err := os.MkdirTemp("", "runs")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	w, err := tfevents.Create(filepath.Join(dir, "siamese"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	for epoch, loss := range []float64{0.61, 0.42, 0.37} {
		if err := w.Scalars(int64(epoch+1), time.Now(), map[string]float64{"loss/train": loss, "loss/val": loss + 0.05}); err != nil {
			fmt.Println(err)
			return
		}
	}
	fmt.Println(strings.HasPrefix(filepath.Base(w.Path()), "events.out.tfevents."))
	// Output: true
}
