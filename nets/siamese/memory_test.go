package siamese

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/nets/backend"
)

// envMemChild makes the test binary measure one decision map in a fresh
// process (the allocator's peak counts from process start) and print it.
const envMemChild = "MFIF_SIAMESE_MEM_CHILD"

// memSide is the side of the pair TestDecisionMapMemory fuses: large
// enough that activations, not weights, dominate, small enough for a
// second or two with the paper network.
const memSide = 192

// TestDecisionMapMemory bounds the libtorch memory one inference of the
// paper network needs beyond its weights: the allocator's peak bytes in
// use (blocks of 1 MiB and more, which all full-resolution maps are) while
// computing a memSide x memSide decision map, in units of one full-
// resolution map of GCBWidth channels (the widest map the network makes).
// A forward pass that keeps its intermediates until the end (as training
// needs, and inference must not) holds dozens of such maps; one that frees
// them as it goes needs a handful. This is what keeps a 520 x 520 fuse
// under 1 GB (docs/performance.md).
func TestDecisionMapMemory(t *testing.T) {
	if os.Getenv(envMemChild) == "1" {
		decisionMapPeak(t)
		return
	}
	if backend.Allocator() != "mfif" {
		t.Skip("the peak is read from mfif's allocator, which is off (MFIF_ALLOCATOR)")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestDecisionMapMemory$", "-test.v")
	cmd.Env = append(os.Environ(), envMemChild+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	_, rest, ok := strings.Cut(string(out), "peak-maps=")
	if !ok {
		t.Fatalf("child printed no peak:\n%s", out)
	}
	maps, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
	if err != nil {
		t.Fatal(err)
	}
	// Measured 4.2 maps with intermediates freed as they die, 23.3 with
	// every intermediate of the decoder and the merges kept to the end of
	// the pass (mfif before issue 27).
	const limit = 8
	t.Logf("peak beyond the weights: %.1f full-resolution maps of %d channels (limit %d)", maps, PaperConfig().GCBWidth, limit)
	if maps > limit {
		t.Errorf("a %dx%d decision map with the paper network needs %.1f full-resolution maps beyond the weights, want at most %d: intermediates live too long", memSide, memSide, maps, limit)
	}
}

// decisionMapPeak runs in the child: it builds the paper network, computes
// one decision map and prints the allocator's peak beyond the weights.
func decisionMapPeak(t *testing.T) {
	cfg := PaperConfig()
	m, err := NewModel(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	base := backend.ReadAllocStats().InUse
	a, b := data.NewImage(memSide, memSide, 1), data.NewImage(memSide, memSide, 1)
	for i := range a.Planes[0] {
		a.Planes[0][i], b.Planes[0][i] = float64(i*7%251), float64(i*13%241)
	}
	if _, err := m.DecisionMap(a, b); err != nil {
		t.Fatal(err)
	}
	unit := float64(cfg.GCBWidth * memSide * memSide * 4)
	fmt.Printf("peak-maps=%.2f\n", float64(backend.ReadAllocStats().Peak-base)/unit)
}
