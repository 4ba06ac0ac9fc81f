// Package progress reports how far a long loop has got, and writes the
// informational lines of a command, in a form that suits where the output
// goes.
//
// On a terminal a Bar is drawn by github.com/schollz/progressbar/v3, which
// redraws one line in place at most ten times a second; Interrupt ends the
// lines of the bars still drawn (for a signal handler, so that Ctrl-C
// leaves a clean terminal). Anywhere else, such as a file a batch scheduler
// collects or a shell redirection, it writes ordinary lines: one each time
// another 10 % of the work is done or 30 s have passed since the last line,
// whichever comes first, and a final line from Finish. Each line holds the
// step count, the rate, the elapsed time, the estimated time left and any
// named values the caller keeps up to date (a loss, say). A Bar or Logger
// with a nil writer, or made with Quiet(true), writes nothing, so a
// --quiet flag silences every line through one switch.
//
// The clock and the terminal test can be replaced (WithClock,
// WithTerminal), which makes the output of a Bar deterministic in tests.
package progress

import (
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// Defaults of the line-based output (see Every).
const (
	DefaultPercent  = 10.0
	DefaultInterval = 30 * time.Second
)

// Option changes how a Bar or Logger writes.
type Option func(*settings)

type settings struct {
	now      func() time.Time
	terminal func(io.Writer) bool
	percent  float64
	interval time.Duration
	quiet    bool
	unit     string
}

func newSettings(opts []Option) settings {
	s := settings{now: time.Now, terminal: IsTerminal, percent: DefaultPercent, interval: DefaultInterval, unit: "it"}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// WithClock makes the Bar read the time from now instead of time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *settings) { s.now = now }
}

// WithTerminal replaces the test that decides whether the output is a
// terminal (IsTerminal by default).
func WithTerminal(isTerminal func(io.Writer) bool) Option {
	return func(s *settings) { s.terminal = isTerminal }
}

// Every sets when the line-based output writes a line: after each further
// percent of the total and after interval without a line. A value <= 0
// turns that trigger off.
func Every(percent float64, interval time.Duration) Option {
	return func(s *settings) { s.percent, s.interval = percent, interval }
}

// Quiet makes the Bar or Logger write nothing when quiet is true.
func Quiet(quiet bool) Option {
	return func(s *settings) { s.quiet = s.quiet || quiet }
}

// Unit names what one step is in the rate ("it" by default: "12.5 it/s").
func Unit(name string) Option {
	return func(s *settings) { s.unit = name }
}

// IsTerminal reports whether w is a file descriptor open on a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// Bar reports the progress of a loop of a known number of steps. Its
// methods may be called from several goroutines. A nil *Bar is valid and
// does nothing.
type Bar struct {
	mu       sync.Mutex
	w        io.Writer // nil: silent
	label    string
	total    int
	done     int
	s        settings
	term     bool
	start    time.Time
	last     time.Time // last line written or bar drawn
	crossed  int       // percent steps already reported
	values   []*value
	finished bool
	pb       *terminalBar // the terminal drawing; nil elsewhere
}

// value is one named number shown after the counts.
type value struct {
	name    string
	current float64
	sum     float64
	n       int
	mean    bool // show the running mean of the observations
}

func (v *value) shown() float64 {
	if v.mean {
		return v.sum / float64(v.n)
	}
	return v.current
}

// New starts a Bar of total steps (<= 0: unknown) labelled label, writing
// to w. A nil w or io.Discard, or the Quiet option, gives a silent Bar that
// still keeps counts and values. Call Finish when the loop ends.
func New(w io.Writer, total int, label string, opts ...Option) *Bar {
	s := newSettings(opts)
	if s.quiet || w == io.Discard {
		w = nil
	}
	b := &Bar{w: w, label: label, total: total, s: s, start: s.now()}
	b.last = b.start
	if w != nil {
		b.term = s.terminal(w)
		if b.term {
			b.pb = newTerminalBar(w, total, label, s.unit)
		}
	}
	return b
}

// Add advances the Bar by n steps.
func (b *Bar) Add(n int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done += n
	if b.w == nil || b.finished {
		return
	}
	if b.term {
		b.pb.add(n, b.describe())
		return
	}
	now := b.s.now()
	due := b.s.interval > 0 && now.Sub(b.last) >= b.s.interval
	if b.total > 0 && b.s.percent > 0 {
		c := int(math.Floor(float64(b.done) * 100 / float64(b.total) / b.s.percent))
		if c > b.crossed {
			b.crossed = c
			due = due || b.done < b.total // the final line comes from Finish
		}
	}
	if due {
		b.line(now, false)
	}
}

// Set shows value v under name from now on (the latest value wins).
func (b *Bar) Set(name string, v float64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	x := b.value(name)
	x.current, x.mean = v, false
}

// Observe adds v to the observations of name and shows their running mean
// (for example the mean loss of the epoch so far).
func (b *Bar) Observe(name string, v float64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	x := b.value(name)
	x.sum += v
	x.n++
	x.mean = true
}

// Mean returns the running mean of the values passed to Observe for name
// (0 before any).
func (b *Bar) Mean(name string) float64 {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, x := range b.values {
		if x.name == name && x.n > 0 {
			return x.sum / float64(x.n)
		}
	}
	return 0
}

// Done returns the number of steps added so far.
func (b *Bar) Done() int {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.done
}

// Finish writes the final line (steps done, rate, elapsed time and the
// values). Later calls do nothing.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if b.w == nil {
		return
	}
	if b.term {
		b.pb.finish(b.total > 0 && b.done >= b.total, b.describe(), b.text(b.s.now(), true))
		return
	}
	b.line(b.s.now(), true)
}

func (b *Bar) value(name string) *value {
	for _, x := range b.values {
		if x.name == name {
			return x
		}
	}
	x := &value{name: name}
	b.values = append(b.values, x)
	return x
}

// line writes one plain progress line, or the final line.
func (b *Bar) line(now time.Time, final bool) {
	b.last = now
	io.WriteString(b.w, b.text(now, final))
}

// text is one plain progress line, or the final line, with its newline.
func (b *Bar) text(now time.Time, final bool) string {
	elapsed := now.Sub(b.start)
	var sb strings.Builder
	sb.WriteString(b.label)
	sb.WriteString(": ")
	switch {
	case final && b.total > 0 && b.done >= b.total:
		fmt.Fprintf(&sb, "done %d/%d in %s", b.done, b.total, Duration(elapsed))
	case final && b.total > 0:
		fmt.Fprintf(&sb, "stopped at %d/%d after %s", b.done, b.total, Duration(elapsed))
	case final:
		fmt.Fprintf(&sb, "done %d in %s", b.done, Duration(elapsed))
	case b.total > 0:
		fmt.Fprintf(&sb, "%d%% (%d/%d), elapsed %s", 100*b.done/b.total, b.done, b.total, Duration(elapsed))
	default:
		fmt.Fprintf(&sb, "%d, elapsed %s", b.done, Duration(elapsed))
	}
	if r := b.rate(elapsed); r != "" {
		sb.WriteString(", ")
		sb.WriteString(r)
	}
	if !final {
		if eta, ok := b.eta(elapsed); ok {
			sb.WriteString(", ETA ")
			sb.WriteString(Duration(eta))
		}
	}
	for _, x := range b.values {
		fmt.Fprintf(&sb, ", %s %.5g", x.name, x.shown())
	}
	sb.WriteByte('\n')
	return sb.String()
}

// describe is the terminal bar's description: the label and the values.
func (b *Bar) describe() string {
	var sb strings.Builder
	sb.WriteString(b.label)
	for _, x := range b.values {
		fmt.Fprintf(&sb, " %s %.5g", x.name, x.shown())
	}
	return sb.String()
}

// rate formats steps per second, or seconds per step when slower than one
// a second; "" before any step or time.
func (b *Bar) rate(elapsed time.Duration) string {
	if b.done <= 0 || elapsed <= 0 {
		return ""
	}
	r := float64(b.done) / elapsed.Seconds()
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f %s/s", r, b.s.unit)
	case r >= 10:
		return fmt.Sprintf("%.1f %s/s", r, b.s.unit)
	case r >= 1:
		return fmt.Sprintf("%.2f %s/s", r, b.s.unit)
	}
	return fmt.Sprintf("%.2f s/%s", 1/r, b.s.unit)
}

// eta estimates the time left from the mean rate so far.
func (b *Bar) eta(elapsed time.Duration) (time.Duration, bool) {
	if b.total <= 0 || b.done <= 0 || b.done > b.total {
		return 0, false
	}
	return time.Duration(float64(elapsed) * float64(b.total-b.done) / float64(b.done)), true
}

// Duration formats d for a progress line: tenths of a second below 10 s,
// whole seconds below a minute, then 3m05s and 1h02m.
func Duration(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		s := int(d.Seconds())
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	m := int(d.Minutes())
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}
