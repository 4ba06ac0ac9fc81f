// Package memstat reads the process's resident memory. gotch tensors hold
// C memory that the Go runtime does not account for, so a missed Drop or a
// leaking libtorch call shows up only in the resident set size; trainers
// log it and memory tests bound its growth.
package memstat

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// Resident returns the resident set size in bytes (VmRSS in
// /proc/self/status), or 0 where that file does not exist or cannot be
// parsed.
func Resident() int64 { return status("VmRSS:") }

// Peak returns the peak resident set size in bytes (VmHWM), or 0 where it
// cannot be read.
func Peak() int64 { return status("VmHWM:") }

// status reads one kB field of /proc/self/status in bytes.
func status(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), field)
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

// Settled collects Go garbage twice with a pause between (so finalizers of
// unreachable gotch handles run and free their C memory) and returns free Go
// pages to the OS before reading Resident, so what remains is live C memory
// and live Go data.
func Settled() int64 {
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	runtime.GC()
	debug.FreeOSMemory()
	return Resident()
}
