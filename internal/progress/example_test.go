package progress_test

import (
	"io"
	"os"
	"time"

	"github.com/mfif/mfif/internal/progress"
)

// A training epoch of four batches written to a log file (not a terminal):
// one line at each further 50 % and a final line, with the running mean of
// the loss. The fake clock only makes the times in the output fixed.
func Example() {
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	bar := progress.New(os.Stdout, 4, "epoch 1",
		progress.Every(50, 30*time.Second), progress.Unit("batch"),
		progress.WithClock(now), progress.WithTerminal(func(io.Writer) bool { return false }))
	for _, loss := range []float64{0.9, 0.7, 0.5, 0.3} {
		clock = clock.Add(2 * time.Second) // a batch takes 2 s
		bar.Observe("loss", loss)
		bar.Add(1)
	}
	bar.Finish()
	// Output:
	// epoch 1: 50% (2/4), elapsed 4.0s, 2.00 s/batch, ETA 4.0s, loss 0.8
	// epoch 1: done 4/4 in 8.0s, 2.00 s/batch, loss 0.6
}

// A command's informational lines and bars go through one Logger that the
// --quiet flag silences.
func ExampleLogger() {
	for _, quiet := range []bool{false, true} {
		log := progress.NewLogger(os.Stdout, quiet)
		log.Logf("wrote %d report files to %s", 12, "out/")
	}
	// Output:
	// wrote 12 report files to out/
}
