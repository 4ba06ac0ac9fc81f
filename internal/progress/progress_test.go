package progress

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newClock() *fakeClock { return &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func notTerminal(io.Writer) bool { return false }
func terminal(io.Writer) bool    { return true }

// lines splits the output into lines, failing on a carriage return.
func lines(t *testing.T, s string) []string {
	t.Helper()
	if strings.Contains(s, "\r") {
		t.Fatalf("line output has a carriage return: %q", s)
	}
	if s != "" && !strings.HasSuffix(s, "\n") {
		t.Fatalf("output does not end in a newline: %q", s)
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func TestLineCadence(t *testing.T) {
	tests := []struct {
		name  string
		total int
		step  time.Duration // clock advance per step
		steps int
		opts  []Option
		// want are the step counts at which a progress line appears
		// (before the final line).
		want []int
	}{
		{"every 10 percent", 100, time.Second, 100, nil, []int{10, 20, 30, 40, 50, 60, 70, 80, 90}},
		{"30 s rule between percent steps", 1000, time.Second, 250, nil, []int{30, 60, 90, 100, 130, 160, 190, 200, 230}},
		{"fast loop: percent only", 1000, time.Millisecond, 1000, nil, []int{100, 200, 300, 400, 500, 600, 700, 800, 900}},
		{"25 percent, time off", 8, time.Hour, 8, []Option{Every(25, 0)}, []int{2, 4, 6}},
		{"unknown total: time only", 0, 10 * time.Second, 10, nil, []int{3, 6, 9}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			var buf bytes.Buffer
			opts := append([]Option{WithClock(clk.now), WithTerminal(notTerminal)}, tc.opts...)
			b := New(&buf, tc.total, "job", opts...)
			var at []int
			for i := 1; i <= tc.steps; i++ {
				clk.advance(tc.step)
				n := buf.Len()
				b.Add(1)
				if buf.Len() != n {
					at = append(at, i)
				}
			}
			b.Finish()
			if !slices.Equal(at, tc.want) {
				t.Errorf("lines at steps %v, want %v", at, tc.want)
			}
			got := lines(t, buf.String())
			if len(got) != len(tc.want)+1 {
				t.Fatalf("%d lines, want %d:\n%s", len(got), len(tc.want)+1, buf.String())
			}
			last := got[len(got)-1]
			if !strings.HasPrefix(last, "job: done ") && !strings.HasPrefix(last, "job: stopped ") {
				t.Errorf("final line %q", last)
			}
		})
	}
}

func TestLineText(t *testing.T) {
	clk := newClock()
	var buf bytes.Buffer
	b := New(&buf, 100, "fuse gff", WithClock(clk.now), WithTerminal(notTerminal), Unit("pair"))
	for i := 0; i < 10; i++ {
		clk.advance(time.Second)
		b.Add(1)
	}
	b.Set("size", 520)
	for i := 0; i < 30; i++ {
		clk.advance(time.Second)
		b.Add(1)
	}
	b.Finish()
	b.Finish() // a second call writes nothing
	got := lines(t, buf.String())
	want := []string{
		"fuse gff: 10% (10/100), elapsed 10s, 1.00 pair/s, ETA 1m30s",
		"fuse gff: 20% (20/100), elapsed 20s, 1.00 pair/s, ETA 1m20s, size 520",
		"fuse gff: 30% (30/100), elapsed 30s, 1.00 pair/s, ETA 1m10s, size 520",
		"fuse gff: 40% (40/100), elapsed 40s, 1.00 pair/s, ETA 1m00s, size 520",
		"fuse gff: stopped at 40/100 after 40s, 1.00 pair/s, size 520",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestRunningMean(t *testing.T) {
	clk := newClock()
	var buf bytes.Buffer
	b := New(&buf, 4, "epoch 1", WithClock(clk.now), WithTerminal(notTerminal), Every(50, 0))
	for _, loss := range []float64{4, 2, 6, 8} {
		clk.advance(2 * time.Second)
		b.Observe("loss", loss)
		b.Set("lr", loss/10)
		b.Add(1)
	}
	if m := b.Mean("loss"); m != 5 {
		t.Errorf("Mean(loss) = %v, want 5", m)
	}
	if m := b.Mean("lr"); m != 0 {
		t.Errorf("Mean of a Set value = %v, want 0", m)
	}
	b.Finish()
	got := lines(t, buf.String())
	want := []string{
		"epoch 1: 50% (2/4), elapsed 4.0s, 2.00 s/it, ETA 4.0s, loss 3, lr 0.2",
		"epoch 1: done 4/4 in 8.0s, 2.00 s/it, loss 5, lr 0.8",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestQuiet(t *testing.T) {
	tests := []struct {
		name string
		w    func(*bytes.Buffer) io.Writer
		opts []Option
	}{
		{"quiet option", func(b *bytes.Buffer) io.Writer { return b }, []Option{Quiet(true)}},
		{"quiet option on a terminal", func(b *bytes.Buffer) io.Writer { return b }, []Option{Quiet(true), WithTerminal(terminal)}},
		{"nil writer", func(*bytes.Buffer) io.Writer { return nil }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			clk := newClock()
			b := New(tc.w(&buf), 10, "x", append([]Option{WithClock(clk.now)}, tc.opts...)...)
			for i := 0; i < 10; i++ {
				clk.advance(time.Minute)
				b.Observe("loss", float64(i))
				b.Add(1)
			}
			b.Finish()
			l := NewLogger(tc.w(&buf), true)
			l.Logf("hello %d", 1)
			l.Bar(3, "y").Finish()
			if buf.Len() != 0 {
				t.Errorf("quiet output wrote %q", buf.String())
			}
			if b.Mean("loss") != 4.5 || b.Done() != 10 {
				t.Errorf("a silent bar must still count: mean %v done %d", b.Mean("loss"), b.Done())
			}
		})
	}
}

func TestTerminal(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, 50, "synth", WithTerminal(terminal), Unit("scene"))
	for i := 0; i < 50; i++ {
		b.Observe("loss", float64(i))
		b.Add(1)
	}
	b.Finish()
	out := buf.String()
	// progressbar/v3 draws in place (carriage returns), at most every
	// 100 ms but always at the end, and Finish ends the line once.
	if n := strings.Count(out, "\r"); n < 2 || n > 20 {
		t.Errorf("%d carriage returns, want a few (throttled redraws): %q", n, out)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Errorf("want exactly one newline, at the end: %q", out)
	}
	for _, want := range []string{"synth loss 24.5 100% |", "(50/50", "scene/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in %q", want, out)
		}
	}
}

func TestInterrupt(t *testing.T) {
	var running, done bytes.Buffer
	a := New(&running, 10, "fuse", WithTerminal(terminal))
	a.Add(3)
	b := New(&done, 2, "read", WithTerminal(terminal))
	b.Add(2)
	b.Finish()
	before := done.Len()
	Interrupt()
	if !strings.HasSuffix(running.String(), "\n"+showCursor) {
		t.Errorf("Interrupt did not end the running bar's line: %q", running.String())
	}
	if done.Len() != before {
		t.Errorf("Interrupt wrote to a finished bar: %q", done.String()[before:])
	}
	a.Add(1)
	a.Finish()
	if out := running.String(); !strings.HasSuffix(out, "\n") || !strings.Contains(out, "\r\x1b[Kfuse: stopped at 4/10 after ") {
		t.Errorf("after the interrupt the bar should go on and end with the plain stop line: %q", out)
	}
	// A file gets plain lines and nothing from Interrupt.
	var file bytes.Buffer
	c := New(&file, 10, "eval", WithTerminal(notTerminal))
	c.Add(1)
	Interrupt()
	if strings.Contains(file.String(), showCursor) || strings.Contains(file.String(), "\r") {
		t.Errorf("plain output got terminal codes: %q", file.String())
	}
	c.Finish()
}

func TestConcurrentAdd(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, 800, "par", WithTerminal(notTerminal))
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				b.Add(1)
				b.Observe("v", 1)
			}
		}()
	}
	wg.Wait()
	b.Finish()
	if b.Done() != 800 || b.Mean("v") != 1 {
		t.Errorf("done %d mean %v", b.Done(), b.Mean("v"))
	}
	if got := lines(t, buf.String()); len(got) != 10 {
		t.Errorf("%d lines, want 10:\n%s", len(got), buf.String())
	}
}

func TestNilBarAndLogger(t *testing.T) {
	var b *Bar
	b.Add(1)
	b.Set("a", 1)
	b.Observe("a", 1)
	b.Finish()
	if b.Mean("a") != 0 || b.Done() != 0 {
		t.Error("nil Bar reports values")
	}
	var l *Logger
	l.Logf("x")
	if l.Writer() != nil || !l.Quiet() {
		t.Error("nil Logger is not silent")
	}
	l.Bar(1, "x").Add(1)
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	l := NewLogger(&buf, false, WithTerminal(notTerminal))
	l.Logf("wrote %d files to %s", 3, "out")
	l.Logf("already terminated\n")
	bar := l.Bar(2, "job")
	bar.Add(2)
	bar.Finish()
	got := lines(t, buf.String())
	if len(got) != 3 || got[0] != "wrote 3 files to out" || got[1] != "already terminated" || !strings.HasPrefix(got[2], "job: done 2/2") {
		t.Errorf("got %q", got)
	}
	if l.Writer() != &buf || l.Quiet() {
		t.Error("Writer of a loud Logger is not its output")
	}
	if NewLogger(io.Discard, false).Writer() != nil {
		t.Error("io.Discard is not treated as silent")
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0.0s"},
		{1250 * time.Millisecond, "1.2s"},
		{42 * time.Second, "42s"},
		{185 * time.Second, "3m05s"},
		{62 * time.Minute, "1h02m"},
	}
	for _, tc := range tests {
		if got := Duration(tc.d); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
