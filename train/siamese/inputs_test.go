package siamese

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/train"
)

// A broken validation photo stops the run before its first step, with an
// error naming the photo (it used to fail only when validation read it,
// after a whole epoch, leaving no checkpoint); a broken training map
// likewise. Nothing of an epoch is on disk.
func TestBrokenInputRefusedBeforeFirstStep(t *testing.T) {
	for _, tc := range []struct{ split, file, body string }{
		{"val", "images/val/val1.jpg", "not a photo"},
		{"train", "segments/train/train2.png", ""},
	} {
		t.Run(tc.split, func(t *testing.T) {
			fc := tinyConfig(0)
			fc.Data.Kind, fc.Data.Root = "bsds", writeBSDS(t, 4, 3)
			fc.Data.Variants, fc.Data.ValVariants = 2, 1
			bad := filepath.Join(fc.Data.Root, tc.file)
			if err := os.WriteFile(bad, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := NewTask(fc); err == nil {
				t.Fatal("NewTask accepted a broken input")
			}
			dir := t.TempDir()
			_, err := Train(context.Background(), fc, train.Request{Dir: dir})
			if !errors.Is(err, data.ErrBadInput) || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), tc.split) {
				t.Fatalf("got %v, want an error naming %s", err, bad)
			}
			for _, f := range []string{train.ScalarsName, train.HistoryName, train.LastName} {
				if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
					t.Errorf("%s written: a step ran before the check", f)
				}
			}
		})
	}
}
