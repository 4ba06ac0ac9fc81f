package pipeline

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/mfif/mfif/data"
	"github.com/mfif/mfif/eval"
)

// memAvailable returns the memory the system can give without swapping
// (MemAvailable of /proc/meminfo) in bytes; ok is false where it is
// unknown. A variable so tests can pretend a small machine.
var memAvailable = func() (bytes int64, ok bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, found := strings.CutPrefix(sc.Text(), "MemAvailable:"); found {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// CheckMemory estimates the peak memory of fusing the largest of pairs
// with method name on workers workers, each with its own method like m
// (m.PeakMB when m implements eval.PeakMemory, else eval.Info.PeakMBPerMP
// per megapixel, per worker), and refuses to start when it is over the
// memory available. Pairs whose header cannot be read are left to the
// loader's own checks.
func CheckMemory(pairs []data.Pair, name string, m eval.Method, workers int) error {
	info, err := eval.Lookup(name)
	if err != nil || len(pairs) == 0 {
		return nil
	}
	est, _ := m.(eval.PeakMemory)
	if est == nil && info.PeakMBPerMP <= 0 {
		return nil
	}
	var largest int64
	var which string
	for _, p := range pairs {
		if len(p.Sources) == 0 {
			continue
		}
		w, h, err := data.ReadHeader(p.Sources[0])
		if err == nil && int64(w)*int64(h) > largest {
			largest, which = int64(w)*int64(h), p.Name
		}
	}
	if largest == 0 {
		return nil
	}
	avail, ok := memAvailable()
	if !ok {
		return nil
	}
	mp := float64(largest) / 1e6
	perMP := info.PeakMBPerMP
	what := "per megapixel and worker"
	if est != nil {
		perMP = est.PeakMB(mp) / mp
		what = "per megapixel and worker with its model at this size"
	}
	need := mp * perMP * 1e6 * float64(workers)
	if need <= float64(avail) {
		return nil
	}
	return fmt.Errorf("method %s needs about %.0f MB %s: pair %s (%.1f megapixels) on %d worker(s) needs about %.1f GB, more than the %.1f GB available (MemAvailable in /proc/meminfo): use fewer --workers, smaller images or a larger machine",
		name, perMP, what, which, mp, workers, need/1e9, float64(avail)/1e9)
}
