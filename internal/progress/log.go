package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// Logger writes the informational lines of a command ("wrote 12 files to
// DIR") and makes its progress bars, all to one output that a quiet flag
// silences. A nil *Logger is valid and silent.
type Logger struct {
	mu   sync.Mutex
	w    io.Writer // nil: silent
	opts []Option
}

// NewLogger returns a Logger writing to w, silent when quiet is true or w
// is nil. opts are passed on to the Bars it makes.
func NewLogger(w io.Writer, quiet bool, opts ...Option) *Logger {
	if quiet || w == io.Discard {
		w = nil
	}
	return &Logger{w: w, opts: opts}
}

// Logf writes one line formatted as by fmt.Sprintf; a trailing newline is
// added when the format has none.
func (l *Logger) Logf(format string, args ...any) {
	if l == nil || l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	Logf(l.w, format, args...)
}

// Writer returns the Logger's output, or nil when it is silent: the value
// to pass to APIs whose progress writer is nil for silence.
func (l *Logger) Writer() io.Writer {
	if l == nil {
		return nil
	}
	return l.w
}

// Quiet reports whether the Logger writes nothing.
func (l *Logger) Quiet() bool { return l == nil || l.w == nil }

// Bar starts a progress Bar on the Logger's output (silent when the Logger
// is); see New.
func (l *Logger) Bar(total int, label string, opts ...Option) *Bar {
	var base []Option
	if l != nil {
		base = l.opts
	}
	return New(l.Writer(), total, label, append(append([]Option(nil), base...), opts...)...)
}

// Logf writes one line formatted as by fmt.Sprintf to w, adding a newline
// when the format has none; a nil w writes nothing. It is the plain-writer
// form of Logger.Logf for packages that take a log io.Writer.
func Logf(w io.Writer, format string, args ...any) {
	if w == nil {
		return
	}
	s := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	io.WriteString(w, s)
}
