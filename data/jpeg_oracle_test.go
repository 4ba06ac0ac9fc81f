package data

import (
	"bytes"
	"github.com/mfif/mfif/internal/testshared"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJPEGMatchesLibjpeg decodes the oracle's original JPEGs and compares
// them with the lossless PNGs that Pillow (libjpeg-turbo) and Octave
// produced identically. It also logs how far Go's image/jpeg is from them.
func TestJPEGMatchesLibjpeg(t *testing.T) {
	for name, root := range oracleInputs(t) {
		t.Run(name, func(t *testing.T) { testJPEGMatchesLibjpeg(t, root) })
	}
}

// oracleInputs returns the committed crops (testdata/jpeg, see its README)
// and, when ../shared is present, the metric oracle's full inputs.
func oracleInputs(t *testing.T) map[string]string {
	roots := map[string]string{"testdata": filepath.Join("testdata", "jpeg")}
	if p, err := testshared.Find("oracle", "metrics", "inputs"); err == nil {
		roots["shared"] = p
	} else {
		t.Logf("oracle inputs not available (%v); testing the committed crops only", err)
	}
	return roots
}

func testJPEGMatchesLibjpeg(t *testing.T, root string) {
	files, _ := filepath.Glob(filepath.Join(root, "original", "*.jpg"))
	if len(files) == 0 {
		t.Fatalf("no JPEGs under %s", root)
	}
	var goMax float64
	var goDiff, total, compared int
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".jpg")
		ref := filepath.Join(root, "rgb", name+"_rgb.png")
		if _, err := os.Stat(ref); err != nil {
			continue
		}
		got, err := ReadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ReadImage(ref)
		if err != nil {
			t.Fatal(err)
		}
		compared++
		if JPEGDecoder == "libjpeg-turbo" {
			if n, mx := diffCount(got, want); n != 0 {
				t.Errorf("%s: %d samples differ from libjpeg reference (max %g)", name, n, mx)
			}
		}
		b, _ := os.ReadFile(f)
		gi, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		gm, _ := fromImage(gi)
		n, mx := diffCount(gm, want)
		goDiff += n
		total += want.W * want.H * want.C()
		goMax = math.Max(goMax, mx)
		t.Logf("%s %dx%d: image/jpeg differs in %d samples, max |diff| %g", name, want.W, want.H, n, mx)
	}
	if compared == 0 {
		t.Fatalf("no JPEG/PNG reference pairs under %s", root)
	}
	t.Logf("decoder %s; %d files; Go image/jpeg vs libjpeg: %d of %d samples differ (%.2f%%), max |diff| %g",
		JPEGDecoder, compared, goDiff, total, 100*float64(goDiff)/float64(total), goMax)
}

// TestBMPMatchesOracleGray checks the 8-bit palette BMPs against the gray
// PNGs the oracle used.
func TestBMPMatchesOracleGray(t *testing.T) {
	for name, root := range oracleInputs(t) {
		t.Run(name, func(t *testing.T) { testBMPMatchesOracleGray(t, root) })
	}
}

func testBMPMatchesOracleGray(t *testing.T, root string) {
	files, _ := filepath.Glob(filepath.Join(root, "original", "*.bmp"))
	if len(files) == 0 {
		t.Fatalf("no BMPs under %s", root)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".bmp")
		got, err := ReadImage(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ReadImage(filepath.Join(root, "gray", name+"_gray.png"))
		if err != nil {
			t.Fatal(err)
		}
		if got.C() != 1 {
			t.Errorf("%s: %d planes, want gray", name, got.C())
		}
		if n, mx := diffCount(got, want); n != 0 {
			t.Errorf("%s: %d samples differ (max %g)", name, n, mx)
		}
	}
}

// diffCount counts differing samples; a shape mismatch counts everything.
func diffCount(a, b *Image) (int, float64) {
	if a.W != b.W || a.H != b.H || a.C() != b.C() {
		return b.W * b.H * b.C(), math.Inf(1)
	}
	n, mx := 0, 0.0
	for c := range a.Planes {
		for i, v := range a.Planes[c] {
			if d := math.Abs(v - b.Planes[c][i]); d != 0 {
				n++
				mx = math.Max(mx, d)
			}
		}
	}
	return n, mx
}
