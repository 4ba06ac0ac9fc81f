//go:build !unix

package dirlock

import "os"

// flock is a no-op where flock is unavailable: concurrent writers of one
// folder on such systems are not detected.
func flock(f *os.File, wait bool) (held bool, err error) { return false, nil }

func unflock(f *os.File) {}
