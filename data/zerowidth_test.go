package data

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPNGZeroWidth: a PNG whose header declares width (or height) 0 gets a
// message that says so, naming the file.
func TestPNGZeroWidth(t *testing.T) {
	for _, tc := range []struct {
		off  int // 16: width, 20: height
		want string
	}{{16, "declares 0x2 pixels"}, {20, "declares 3x0 pixels"}} {
		var b bytes.Buffer
		if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 2))); err != nil {
			t.Fatal(err)
		}
		p := b.Bytes()
		binary.BigEndian.PutUint32(p[tc.off:], 0)
		binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29])) // IHDR's CRC
		path := filepath.Join(t.TempDir(), "zero.png")
		if err := os.WriteFile(path, p, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadImage(path)
		if err == nil || !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("offset %d: %v, want ErrEmpty saying %q and naming the file", tc.off, err, tc.want)
		}
	}
}
