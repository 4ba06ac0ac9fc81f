package siamese

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// residentBytes is the process's resident set size (VmRSS in
// /proc/self/status), or 0 where that file does not exist. The trainer
// logs it per epoch: gotch tensors hold C memory the Go runtime does not
// account for, so a missed Drop shows up only here.
func residentBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
