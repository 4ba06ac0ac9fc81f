// Package dirlock gives one writer at a time a folder: an exclusive advisory
// lock (flock) on a small file, which the kernel drops when its process
// dies, so an interrupted or killed command never leaves a stale lock.
//
// Wait blocks until the lock is free (the experiment runner's cells, where
// a second runner waits its turn); Acquire fails at once with a *HeldError
// that names the holder (pid, command line, start time), which the holder
// records in the lock file.
package dirlock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Name is the lock file Acquire takes inside the folder it guards.
const Name = ".mfif.lock"

// HeldError reports a folder that another process is writing.
type HeldError struct {
	Dir    string // the folder
	Holder string // "pid N: COMMAND (started TIME)" as the holder recorded it, or "" when it had not yet
}

func (e *HeldError) Error() string {
	h := e.Holder
	if h == "" {
		h = "holder not recorded yet"
	}
	return fmt.Sprintf("%s is in use by another mfif process (%s): wait for it to end, or write to another folder", e.Dir, h)
}

// ErrHeld matches every *HeldError with errors.Is.
var ErrHeld = errors.New("folder locked by another process")

// Is makes errors.Is(err, ErrHeld) true for a *HeldError.
func (e *HeldError) Is(target error) bool { return target == ErrHeld }

// Acquire creates dir when it is missing and takes the exclusive lock on
// dir/.mfif.lock without waiting. On success it records this process
// (pid, command line, start time) in the lock file. unlock releases the
// lock; when Acquire created dir and the command left nothing else in it,
// unlock removes the lock file and dir again, so a command that failed
// before writing anything leaves nothing behind. When another process
// holds the lock, the error is a *HeldError naming it.
func Acquire(dir string) (unlock func(), err error) {
	_, statErr := os.Stat(dir)
	created := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	path := filepath.Join(dir, Name)
	var f *os.File
	for {
		f, err = os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		held, err := flock(f, false)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if held {
			b, _ := os.ReadFile(path)
			f.Close()
			return nil, &HeldError{Dir: dir, Holder: strings.TrimSpace(string(b))}
		}
		// The holder before may have removed the file between our open and
		// our lock (see unlock): then the lock is on a dead file; retry.
		if same(f, path) {
			break
		}
		unflock(f)
		f.Close()
	}
	rec := fmt.Sprintf("pid %d: %s (started %s)\n", os.Getpid(), strings.Join(os.Args, " "),
		time.Now().UTC().Format(time.RFC3339))
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(rec), 0)
	}
	return func() {
		_ = f.Truncate(0)
		removeDir := false
		if created {
			if entries, err := os.ReadDir(dir); err == nil && len(entries) == 1 && entries[0].Name() == Name {
				removeDir = os.Remove(path) == nil
			}
		}
		unflock(f)
		f.Close()
		if removeDir {
			_ = os.Remove(dir)
		}
	}, nil
}

// same reports whether the open file f is still the file at path.
func same(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}

// Wait takes an exclusive lock on the file path (created when missing),
// waiting while another process holds it.
func Wait(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if _, err := flock(f, true); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		unflock(f)
		f.Close()
	}, nil
}
