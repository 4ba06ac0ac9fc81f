//go:build !unix

package experiment

// lockFile is a no-op where flock is unavailable: concurrent runs of one
// experiment on such systems must not share a runs folder.
func lockFile(path string) (unlock func(), err error) { return func() {}, nil }
