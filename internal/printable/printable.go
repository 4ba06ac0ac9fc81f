// Package printable shows byte strings that are not valid UTF-8 readably.
//
// File names on Unix are arbitrary bytes, so a message naming a file may
// hold bytes that no terminal can show (a name in Latin-1, a damaged
// name). String writes each such byte as the escape \xNN that Go's %q
// uses, and leaves everything else, valid UTF-8 and control characters
// alike, as it is; Writer does the same to everything written through it.
// mfif sends its messages (stderr) through one Writer, so every error and
// log line that names a file shows it this way.
package printable

import (
	"io"
	"strings"
	"unicode/utf8"
)

// String returns s with every byte that is not part of a valid UTF-8
// sequence replaced by \xNN (two lower-case hex digits); a valid s is
// returned unchanged.
func String(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			const hex = "0123456789abcdef"
			b.WriteString(`\x`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&15])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// writer applies String to every write.
type writer struct{ w io.Writer }

// Writer returns a writer that passes every write to w through String.
// Each write is treated on its own (fmt.Fprintf and the progress logger
// write whole lines), so a UTF-8 sequence split across two writes would
// be escaped.
func Writer(w io.Writer) io.Writer { return writer{w} }

func (p writer) Write(b []byte) (int, error) {
	if utf8.Valid(b) {
		return p.w.Write(b)
	}
	if _, err := io.WriteString(p.w, String(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}
