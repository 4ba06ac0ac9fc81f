package progress

import (
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// redrawInterval is the shortest time between two redraws of a terminal bar.
const redrawInterval = 100 * time.Millisecond

// barWidth is the number of cells of a terminal bar.
const barWidth = 24

// showCursor is the ANSI sequence that makes the cursor visible again.
const showCursor = "\x1b[?25h"

// terminalBar draws a Bar on a terminal with progressbar/v3.
type terminalBar struct {
	mu    sync.Mutex
	w     io.Writer
	pb    *progressbar.ProgressBar
	desc  string
	ended bool // the line was ended (by finish or Interrupt)
}

// active holds the terminal bars that are drawn and not finished.
var active = struct {
	sync.Mutex
	bars map[*terminalBar]bool
}{bars: map[*terminalBar]bool{}}

func newTerminalBar(w io.Writer, total int, label, unit string) *terminalBar {
	max := total
	if max <= 0 {
		max = -1 // unknown: a spinner
	}
	t := &terminalBar{w: w, desc: label}
	t.pb = progressbar.NewOptions(max,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionSetWidth(barWidth),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(redrawInterval),
		progressbar.OptionSetRenderBlankState(true),
	)
	active.Lock()
	active.bars[t] = true
	active.Unlock()
	return t
}

// add advances the bar by n and shows desc (the label and the values).
func (t *terminalBar) add(n int, desc string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if desc != t.desc {
		t.desc = desc
		t.pb.Describe(desc)
	}
	_ = t.pb.Add(n) // a terminal write error leaves the loop running
}

// finish draws the full bar and ends its line (complete), or replaces the
// bar by stopped, the plain final line of a loop that stopped early.
func (t *terminalBar) finish(complete bool, desc, stopped string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	active.Lock()
	delete(active.bars, t)
	active.Unlock()
	if desc != t.desc {
		t.desc = desc
		t.pb.Describe(desc)
	}
	t.ended = true
	if complete {
		_ = t.pb.Finish()
		io.WriteString(t.w, "\n")
		return
	}
	_ = t.pb.Exit()
	io.WriteString(t.w, "\r\x1b[K"+stopped)
}

// Interrupt ends the line of every terminal bar still being drawn and
// makes the cursor visible, so that what a signal handler prints next, and
// the shell prompt after the process, start on a clean line. The bars go
// on counting; a later redraw starts on the new line. Call it from the
// handler of SIGINT and SIGTERM, before printing.
func Interrupt() {
	active.Lock()
	bars := make([]*terminalBar, 0, len(active.bars))
	for t := range active.bars {
		bars = append(bars, t)
	}
	active.Unlock()
	for _, t := range bars {
		t.mu.Lock()
		if !t.ended {
			io.WriteString(t.w, "\n"+showCursor)
		}
		t.mu.Unlock()
	}
}
