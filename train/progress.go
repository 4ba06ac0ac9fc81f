package train

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress is a per-epoch progress bar showing the running loss and the
// estimated time left. A Progress made with a nil writer is silent, so
// tests and quiet runs pay nothing.
type Progress struct {
	bar  *progressbar.ProgressBar
	desc string
	sum  float64
	n    int
}

// NewProgress starts a bar of total steps labelled desc writing to w
// (usually Stderr); a nil w gives a silent bar that still tracks the mean.
func NewProgress(w io.Writer, total int, desc string) *Progress {
	p := &Progress{desc: desc}
	if w == nil {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("batch"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return p
}

// Stderr is the default progress destination; tests pass nil instead.
var Stderr io.Writer = os.Stderr

// Step advances the bar by one batch whose loss was loss and shows the
// running mean.
func (p *Progress) Step(loss float64) {
	p.sum += loss
	p.n++
	if p.bar == nil {
		return
	}
	p.bar.Describe(fmt.Sprintf("%s loss %.5g", p.desc, p.sum/float64(p.n)))
	p.bar.Add(1)
}

// Mean returns the mean of the losses passed to Step (0 before any).
func (p *Progress) Mean() float64 {
	if p.n == 0 {
		return 0
	}
	return p.sum / float64(p.n)
}

// Finish completes the bar.
func (p *Progress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
