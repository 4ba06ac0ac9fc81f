package printable

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain/a.png", "plain/a.png"},
		{"ünïcode/ß.png", "ünïcode/ß.png"},
		{"bad\xff.png", `bad\xff.png`},
		{"latin1 caf\xe9.png", `latin1 caf\xe9.png`},
		{"cut \xe2\x82 euro \xe2\x82\xac", `cut \xe2\x82 euro €`},
		{"line\nbreak\r", "line\nbreak\r"},
		{"", ""},
	} {
		got := String(tc.in)
		if got != tc.want || !utf8.ValidString(got) {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := Writer(&b)
	msg := []byte("mfif: read p\xff_A.png: unsupported\n")
	n, err := w.Write(msg)
	if err != nil || n != len(msg) {
		t.Fatalf("Write: %d, %v; want %d, nil", n, err, len(msg))
	}
	if got, want := b.String(), "mfif: read p\\xff_A.png: unsupported\n"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}
